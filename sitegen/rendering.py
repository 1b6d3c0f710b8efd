"""Render every page: Markdown then Jinja2, on one core or, for large sites, on all of them.

A site of a dozen pages renders in milliseconds, where starting worker processes would cost
more than it saves; from `PARALLEL_FROM_PAGES` pages on, forked workers share the compiled
templates and split the pages between them (measured by `tests/benchmarks/bench_site.py`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sitecontent.site import Site
from sitegen.errors import BuildError
from sitegen.markdown_render import MarkdownRenderer, RenderedMarkdown
from sitegen.pages import NOT_FOUND_SLUG, Page
from sitegen.templates import PageRenderer

PARALLEL_FROM_PAGES = 400


@dataclass(frozen=True)
class PageJob:
    """One output file: the page it renders, in which language."""

    path: str
    language: str
    slug: str


@dataclass
class _Renderer:
    site: Site
    pages: dict[str, dict[str, Page]]
    templates: PageRenderer
    markdown: MarkdownRenderer
    bodies: dict[Path, RenderedMarkdown]

    def body(self, page: Page) -> RenderedMarkdown:
        # The current policy is one file published at two URLs: convert it once.
        if page.source not in self.bodies:
            self.bodies[page.source] = self.markdown.render(page.body)
        return self.bodies[page.source]

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


def _render_chunk(jobs: list[PageJob]) -> list[bytes]:
    assert _worker is not None, "workers are forked from render_pages"
    return [_worker.render(job) for job in jobs]


def render_pages(
    site: Site, pages: dict[str, dict[str, Page]], templates: PageRenderer, jobs: list[PageJob]
) -> dict[str, bytes]:
    """The HTML of every job, keyed by output path."""
    global _worker
    renderer = _Renderer(site, pages, templates, MarkdownRenderer(), {})
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_FROM_PAGES or workers < 2:
        return {job.path: renderer.render(job) for job in jobs}
    # Imported here: small sites, the usual case, never pay for them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Fork, so workers inherit the compiled templates and the gathered pages for free; this
    # process renders the first share itself rather than wait idle.
    _worker = renderer
    try:
        chunks = [jobs[index::workers] for index in range(workers)]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers - 1, mp_context=context) as pool:
            others = pool.map(_render_chunk, chunks[1:])
            results = [_render_chunk(chunks[0]), *others]
    finally:
        _worker = None
    return {
        job.path: html
        for chunk, htmls in zip(chunks, results, strict=True)
        for job, html in zip(chunk, htmls, strict=True)
    }
