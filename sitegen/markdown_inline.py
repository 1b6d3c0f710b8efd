"""Python-Markdown's inline pass, minus the patterns a text cannot match.

The inline pass tries each of its fourteen patterns on every run of text, and on a typical
page that Python-level dispatch, not the regular expressions, is most of the Markdown time.
Every built-in pattern needs some character to match at all (a link needs `[`, emphasis `*`
or `_`), so a text without it skips the pattern. Skipping is what the pattern's own failed
search would have done (no change, start again at 0 with the next pattern), so the HTML is
the same byte for byte; patterns not listed here (an extension's) always run.

This overrides one private method of `markdown.treeprocessors.InlineProcessor`; the pin in
constraints.txt keeps it the one we read, and the byte-identical build tests would catch a
difference.
"""

from __future__ import annotations

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
    "em_strong2": ("_",),
    "not_strong": ("*", "_"),
}


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
