"""Turn an editor's Markdown into HTML: one Markdown instance, reset for every page.

Three small touches on top of Python-Markdown: headings get ids, and numbered section
headings get stable ones (`section-3`) whatever the language, so the same link works in every
translation; numbered clauses get ids (`clause-3-1`) so a reader can link to one; and
`mailto:` subjects written readably in the source are percent-encoded, so editors never encode
by hand. (Python-Markdown's `toc` extension also ids headings, but it builds and serialises a
whole table of contents for every page, which cost a third of the Markdown time.)
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote

import markdown
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from sitegen.markdown_inline import use_quick_inline

SECTION_NUMBER = re.compile(r"\s*(\d+)\.\s")
CLAUSE_NUMBER = re.compile(r"\s*(\d+(?:\.\d+)+)\.?\s")
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


@dataclass(frozen=True)
class Heading:
    """A second-level heading: what the policy's table of contents lists."""

    anchor: str
    title: str


@dataclass(frozen=True)
class RenderedMarkdown:
    html: Markup
    headings: tuple[Heading, ...]


def heading_anchor(title: str) -> str:
    """`3. Personal data` → `section-3`; other titles → a Unicode slug."""
    number = SECTION_NUMBER.match(title + " ")
    if number:
        return f"section-{number.group(1)}"
    return slugify_unicode(title, "-") or "section"


def _encoded_mailto(href: str) -> str:
    address, _, query = href.removeprefix("mailto:").partition("?")
    if not query:
        return href
    pairs = parse_qsl(query, keep_blank_values=True)
    encoded = "&".join(f"{quote(name)}={quote(value, safe='')}" for name, value in pairs)
    return f"mailto:{address}?{encoded}"


class _PageTouches(Treeprocessor):
    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.headings: list[Heading] = []

    def run(self, root: etree.Element) -> None:
        self.headings = []
        used: set[str] = set()
        for element in root.iter():
            tag = element.tag
            if tag == "p" and element.text and "id" not in element.attrib:
                clause = CLAUSE_NUMBER.match(element.text)
                if clause:
                    element.set("id", "clause-" + clause.group(1).replace(".", "-"))
            elif tag == "a" and element.get("href", "").startswith("mailto:"):
                element.set("href", _encoded_mailto(element.get("href", "")))
            elif tag in HEADINGS:
                title = "".join(element.itertext()).strip()
                anchor = element.get("id") or heading_anchor(title)
                while anchor in used:
                    anchor += "-1"
                used.add(anchor)
                element.set("id", anchor)
                if tag == "h2":
                    self.headings.append(Heading(anchor, title))


class _PageTouchesExtension(Extension):
    def __init__(self) -> None:
        super().__init__()
        self.processor: _PageTouches | None = None

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        self.processor = _PageTouches(md)
        # After the inline pass (priority 20), so links and headings have their final text.
        md.treeprocessors.register(self.processor, "page_touches", 5)


class MarkdownRenderer:
    """Convert page bodies with one configured Markdown instance."""

    def __init__(self) -> None:
        self._touches = _PageTouchesExtension()
        self._markdown = markdown.Markdown(extensions=[self._touches], output_format="html")
        use_quick_inline(self._markdown)

    def render(self, text: str) -> RenderedMarkdown:
        """Return the HTML of one page body and its second-level headings."""
        self._markdown.reset()
        html = self._markdown.convert(text)
        assert self._touches.processor is not None
        headings = tuple(self._touches.processor.headings)
        # The one place Markdown output becomes trusted markup: editors' HTML is theirs.
        return RenderedMarkdown(html=Markup(html), headings=headings)
