"""Python-Markdown's inline pass, minus the patterns a text cannot match.

The inline pass tries each of its fourteen patterns on every run of text, and on a typical
page that Python-level dispatch, not the regular expressions, is most of the Markdown time.
Every built-in pattern needs some character to match at all (a link needs `[`, emphasis `*`
or `_`), so a text without it skips the pattern. Skipping is what the pattern's own failed
search would have done (no change, start again at 0 with the next pattern), so the HTML is
the same byte for byte; patterns not listed here (an extension's) always run.

This is the one module that uses Python-Markdown's private API: it overrides the name-mangled
`InlineProcessor.__handleInline` and calls `__applyPattern`. `INTERNALS` fingerprints both,
and `PATTERNS` the regular expressions `NEEDS` was read off, as found in Python-Markdown
3.11.3; `tests/test_build_markdown_inline.py` fails, naming what changed, when a release
changes any of them, and `pyproject.toml` admits Markdown 3.11 only. It pays: it takes about a
third off the Markdown time of a page.
"""

from __future__ import annotations

import hashlib
import inspect
import json

import markdown
from markdown import util
from markdown.treeprocessors import InlineProcessor

# Pattern name → text of which at least one must occur in the data for the pattern to match,
# read off each pattern's regular expression in Python-Markdown 3.11.
NEEDS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",),
    "escape": ("\\",),
    "reference": ("[",),
    "link": ("[",),
    "image_link": ("![",),
    "image_reference": ("![",),
    "short_reference": ("[",),
    "short_image_ref": ("![",),
    "autolink": ("<",),
    "automail": ("<",),
    "linebreak": ("  \n",),
    "html": ("<",),
    "entity": ("&",),
    "em_strong": ("*", "_"),
}
# The private methods this module replaces or calls, and the SHA-256 (first 16 hex digits) of
# their source in the version read.
INTERNALS = {
    "__handleInline": "fe27babc114aed0a",
    "__applyPattern": "8862b35197c0e614",
}
# The same fingerprint of the regular expressions of the patterns in `NEEDS`.
PATTERNS = "9376db7c6b030a36"


def _fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def internals_fingerprint(name: str) -> str:
    """The fingerprint of one of `INTERNALS` in the installed Python-Markdown."""
    return _fingerprint(inspect.getsource(getattr(InlineProcessor, f"_InlineProcessor{name}")))


def patterns_fingerprint() -> str:
    """The fingerprint of the regular expressions `NEEDS` speaks for, as installed."""
    patterns = markdown.Markdown().inlinePatterns
    expressions = {name: patterns[name].compiled_re.pattern for name in NEEDS}
    return _fingerprint(json.dumps(expressions, sort_keys=True))


# Each text a pattern may need, as one bit, so a run of text is scanned for them once.
_BITS = {
    text: 1 << index for index, text in enumerate(sorted({t for ts in NEEDS.values() for t in ts}))
}
_ALWAYS = -1  # every bit: a pattern with no entry in NEEDS is always tried


def _mask(data: str) -> int:
    return sum(bit for text, bit in _BITS.items() if text in data)


class QuickInlineProcessor(InlineProcessor):
    """The standard inline pass that does not try a pattern on text it cannot match."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        # Built once: `use_quick_inline` runs after every extension has registered its patterns.
        names = {
            id(self.inlinePatterns[name]): name for name in NEEDS if name in self.inlinePatterns
        }
        self._quick_patterns = [
            (pattern, _needed_bits(names.get(id(pattern)))) for pattern in self.inlinePatterns
        ]

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        # The base class's loop, with the skip; its private helpers are reached by their
        # mangled names, so this method replaces it for every caller, recursion included.
        if isinstance(data, util.AtomicString):
            return data
        # Matches only replace text by placeholders (which hold none of these characters), so
        # what the text had at the start is a safe over-estimate for the whole loop.
        present = _mask(data)
        patterns = self._quick_patterns
        count = len(patterns)
        start = 0
        while patternIndex < count:
            pattern, needs = patterns[patternIndex]
            if not needs & present:
                patternIndex += 1
                start = 0
                continue
            data, matched, start = self._InlineProcessor__applyPattern(
                pattern, data, patternIndex, start
            )
            if not matched:
                patternIndex += 1
        return data


def _needed_bits(name: str | None) -> int:
    if name is None:
        return _ALWAYS
    return sum(_BITS[text] for text in NEEDS[name])


def use_quick_inline(md: markdown.Markdown) -> None:
    """Replace `md`'s inline pass by the quick one (same name and priority as the original)."""
    md.treeprocessors.register(QuickInlineProcessor(md), "inline", 20)
