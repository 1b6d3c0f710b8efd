"""Render every page: Markdown then Jinja2, on one core or, for large sites, on all of them.

A site of a dozen pages renders in milliseconds; from `sitegen.workers.PARALLEL_FROM` pages to
render on, forked workers share the compiled templates and split the pages between them
(measured by `tests/benchmarks/bench_site.py`).

A build that follows another in the same process (the preview's rebuilds) can pass the
previous build's `RenderCache`: a page's HTML depends on nothing but the site-wide inputs
(site.toml, strings, policy versions, assets, templates) and the page in every language, so
while the site-wide inputs stay the same, only the pages whose own files changed are rendered
again. An editor's save then costs milliseconds whatever the size of the site.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path

from sitecontent.site import Site
from sitegen.errors import BuildError
from sitegen.markdown_render import MarkdownRenderer, RenderedMarkdown
from sitegen.pages import NOT_FOUND_SLUG, Page
from sitegen.templates import PageRenderer
from sitegen.workers import deal, in_workers


@dataclass(frozen=True)
class PageJob:
    """One output file: the page it renders, in which language."""

    path: str
    language: str
    slug: str


@dataclass
class RenderCache:
    """What one build rendered, for the next build of the same site in the same process."""

    site_inputs: Hashable = None
    templates: PageRenderer | None = None
    markdown: MarkdownRenderer | None = None
    # Output path → (the page in every language, its HTML).
    pages: dict[str, tuple[tuple[Page, ...], bytes]] = field(default_factory=dict)
    # Markdown source → its rendering.
    bodies: dict[str, RenderedMarkdown] = field(default_factory=dict)

    def templates_for(
        self, site_inputs: Hashable, make: Callable[[], PageRenderer]
    ) -> PageRenderer:
        """The page renderer for these site-wide inputs: the previous one if they are the same.

        When they differ every page may change, so the rendered pages are forgotten.
        """
        if self.templates is None or self.site_inputs != site_inputs:
            self.site_inputs, self.templates = site_inputs, make()
            self.pages = {}
        return self.templates


@dataclass
class _Renderer:
    site: Site
    pages: dict[str, dict[str, Page]]
    templates: PageRenderer
    markdown: MarkdownRenderer

    bodies: dict[str, RenderedMarkdown]

    def body(self, page: Page) -> RenderedMarkdown:
        # The current policy is one file published at two URLs: convert it once. By the text,
        # so that a cache handed from one build to the next keeps what is still the same.
        if page.body not in self.bodies:
            self.bodies[page.body] = self.markdown.render(page.body)
        return self.bodies[page.body]

    def render(self, job: PageJob) -> bytes:
        page = self.pages[job.language][job.slug]
        translations = {other: self.pages[other][job.slug] for other in self.site.languages}
        others = None
        if job.slug == NOT_FOUND_SLUG:
            # One not-found page answers every URL, so it carries every language's text.
            others = {other: self.body(translations[other]) for other in self.site.languages}
        html = self.templates.render_page(page, self.body(page), translations, others)
        return html.encode("utf-8")


def output_path(page: Page) -> str:
    """The file that serves a page's URL, relative to the output folder."""
    return page.url.lstrip("/") + ("index.html" if page.url.endswith("/") else "")


def plan_jobs(site: Site, pages: dict[str, dict[str, Page]]) -> list[PageJob]:
    """One job per output file; two pages writing the same file is an error."""
    jobs: dict[str, tuple[PageJob, Path]] = {}
    for language in site.languages:
        for slug, page in pages[language].items():
            if slug == NOT_FOUND_SLUG and language != site.default_language:
                continue
            path = output_path(page)
            if path in jobs:
                raise BuildError(f"{page.source}:1", f"writes {path}, which {jobs[path][1]} writes")
            jobs[path] = (PageJob(path, language, slug), page.source)
    return [job for job, _ in jobs.values()]


_worker: _Renderer | None = None


def _render_chunk(jobs: list[PageJob]) -> list[bytes] | tuple[int, BuildError]:
    """The chunk's pages, or where in the chunk the first one that fails is, and its error."""
    assert _worker is not None, "workers are forked from render_pages"
    done: list[bytes] = []
    try:
        for job in jobs:
            done.append(_worker.render(job))
    except BuildError as error:
        return len(done), error
    return done


def render_pages(
    site: Site,
    pages: dict[str, dict[str, Page]],
    templates: PageRenderer,
    jobs: list[PageJob],
    cache: RenderCache | None = None,
) -> dict[str, bytes]:
    """The HTML of every job, keyed by output path; `cache` saves and reuses renderings."""
    cache = RenderCache() if cache is None else cache
    if cache.markdown is None:
        cache.markdown = MarkdownRenderer()
    renderer = _Renderer(site, pages, templates, cache.markdown, cache.bodies)
    # With the site-wide inputs, everything a page's HTML is made of (sitegen/templates.py):
    # the switcher, the alternates and the not-found page's other languages come from these.
    languages = [pages[language] for language in site.languages]
    previous = cache.pages
    inputs: dict[str, tuple[Page, ...]] = {}
    html: dict[str, bytes] = {}
    to_render: list[PageJob] = []
    for job in jobs:
        translations = tuple([by_slug[job.slug] for by_slug in languages])
        inputs[job.path] = translations
        kept = previous.get(job.path)
        if kept is not None and kept[0] == translations:
            html[job.path] = kept[1]
        else:
            to_render.append(job)
    if to_render:
        rendered = _render(renderer, to_render)
        html = {path: html[path] if path in html else rendered[path] for path in inputs}
        in_use = {page.body for translations in inputs.values() for page in translations}
        cache.bodies = {text: body for text, body in renderer.bodies.items() if text in in_use}
    # Keep what this build used, no more: a long preview session must not grow without end.
    cache.pages = {path: (inputs[path], html[path]) for path in html}
    return html


def _render(renderer: _Renderer, jobs: list[PageJob]) -> dict[str, bytes]:
    global _worker
    # Set before the workers fork, so they inherit the renderer.
    _worker = renderer
    try:
        shares = deal(jobs)
        results = in_workers(_render_chunk, shares)
    finally:
        _worker = None
    _raise_first_failure(jobs, shares, results)
    return {
        job.path: html
        for share, htmls in zip(shares, results, strict=True)
        for job, html in zip(share, htmls, strict=True)  # type: ignore[arg-type]
    }


def _raise_first_failure(
    jobs: list[PageJob],
    chunks: list[list[PageJob]],
    results: list[list[bytes] | tuple[int, BuildError]],
) -> None:
    # The error of the first failing page in the jobs' order, whichever worker had it: the
    # same one a build rendering one page at a time, or only the changed pages, reports.
    order = {job.path: index for index, job in enumerate(jobs)}
    failures = [
        (order[chunk[result[0]].path], result[1])
        for chunk, result in zip(chunks, results, strict=True)
        if isinstance(result, tuple)
    ]
    if failures:
        raise min(failures, key=lambda failure: failure[0])[1]
