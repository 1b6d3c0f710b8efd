"""The quick inline pass gives exactly Python-Markdown's HTML, on every inline construct.

It relies on Python-Markdown's private inline loop: the fingerprint tests fail, naming the
piece, when a release changes what the quick pass was written against.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import markdown
import pytest

from sitecontent.files import split_front_matter
from sitegen import markdown_inline
from sitegen.markdown_inline import use_quick_inline

CONTENT = Path(__file__).resolve().parents[1] / "content"

# Every built-in inline pattern, nested ones, near misses, and text that needs none of them.
SAMPLES = (
    "Plain words with no markup at all, over\ntwo lines.",
    "`code` and ``double `tick` code`` and \\`escaped\\` and \\\\`after escaped backslash`",
    "\\*not emphasis\\* and \\[not a link\\] and a lone \\\\ backslash",
    "[inline](/en/ 'title') and [ref][r] and [short][] and [r]\n\n[r]: /ref/\n[short]: /s/",
    "![image](/a.png) and ![ref image][i] and ![i]\n\n[i]: /i.png",
    "<https://estimation.kz/> and <palata2020@bk.ru> and <notalink> and a < b > c",
    "line with break  \nnext line and <b>inline html</b> <!-- comment --> &amp; &#169; & bare",
    "*em* **strong** ***both*** _em_ __strong__ ___both___ snake_case_word * lone * star",
    "_em_ and __strong__ with underscores only, and a snake_case_word",
    "**[bold link](/x/) with `code` inside** and *em with <https://a.b/> link*",
    "A [link with *em* and `code` and ![img](/i.png)](/y/) then **strong _nested_ text**",
    "- item *one*\n- item [two](/2/)\n\n> quote with **strong** and &copy;\n\n1. one  \n   two",
    "[mail](mailto:palata2020@bk.ru?subject=Отзыв согласия) and unicode *Закон № 94-V*",
)


def _converters() -> tuple[markdown.Markdown, markdown.Markdown]:
    plain = markdown.Markdown(output_format="html")
    quick = markdown.Markdown(output_format="html")
    use_quick_inline(quick)
    return plain, quick


@pytest.mark.parametrize("text", SAMPLES)
def test_quick_inline_matches_python_markdown(text: str) -> None:
    plain, quick = _converters()
    expected = plain.convert(text)
    assert quick.convert(text) == expected


def test_quick_inline_matches_python_markdown_on_every_content_page() -> None:
    plain, quick = _converters()
    sources = sorted(CONTENT.rglob("*.md"))
    assert sources, "the real content has pages"
    for source in sources:
        _, body, _ = split_front_matter(source)
        plain.reset()
        quick.reset()
        assert quick.convert(body) == plain.convert(body), source


def test_quick_inline_replaces_the_inline_pass() -> None:
    _, quick = _converters()
    assert type(quick.treeprocessors["inline"]).__name__ == "QuickInlineProcessor"
    assert "<em>" in quick.convert("*still emphasised*")


def test_quick_inline_markdown_is_the_minor_version_it_was_written_for() -> None:
    # pyproject.toml admits this minor version only.
    assert importlib.metadata.version("markdown").startswith("3.11.")


@pytest.mark.parametrize("name", sorted(markdown_inline.INTERNALS))
def test_quick_inline_private_method_is_unchanged(name: str) -> None:
    assert markdown_inline.internals_fingerprint(name) == markdown_inline.INTERNALS[name], (
        f"Python-Markdown changed InlineProcessor.{name}: check sitegen/markdown_inline.py"
    )


def test_quick_inline_patterns_it_skips_are_unchanged() -> None:
    assert markdown_inline.patterns_fingerprint() == markdown_inline.PATTERNS, (
        "Python-Markdown changed an inline pattern: check NEEDS in sitegen/markdown_inline.py"
    )
