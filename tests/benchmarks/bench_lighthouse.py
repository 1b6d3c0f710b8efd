"""Lighthouse 12 on every built page, as the preview serves it, on mobile and desktop.

Target: 100 in each of the four categories (performance, accessibility, best practices, SEO)
on every page, `/admin/` too. Prints each page's scores and every scored audit below 1, so a
page that slips names the reason. Lighthouse runs on Debian's Chromium (`CHROME_PATH`), started
once for all pages, from its own npm folder beside this file (`lighthouse/`, installed at its
lock on first use): CI installs the test tools only, and Lighthouse is 190 MB of them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support.preview import running_preview

TOOLS = Path(__file__).parent / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGET = 100


def _install() -> None:
    if not (TOOLS / "node_modules" / "lighthouse").is_dir():
        subprocess.run(
            ["npm", "ci", "--loglevel=error", "--no-audit", "--no-fund"], cwd=TOOLS, check=True
        )


def page_urls(out_dir: Path) -> list[str]:
    """The URL of every built page: `en/index.html` is `/en/`, `404.html` stays itself."""
    urls = []
    for page in sorted(out_dir.rglob("*.html")):
        relative = page.relative_to(out_dir).as_posix()
        urls.append("/" + relative.removesuffix("index.html"))
    return urls


def _score(value: float | None) -> str:
    return "err" if value is None else f"{round(value * 100)}"


def main() -> None:
    npm, chromium = shutil.which("npm"), shutil.which("chromium") or "/usr/bin/chromium"
    if npm is None or not os.path.exists(chromium):
        print("Lighthouse needs npm and Debian's chromium; not run")
        return
    _install()
    print(f"target: {TARGET} in each of {', '.join(CATEGORIES)}; mobile, then desktop")
    print(f"  {'page':26} {'mobile':>15}   {'desktop':>15}   below 1 (mobile | desktop)")
    below_target = 0
    with tempfile.TemporaryDirectory() as folder, running_preview(Path(folder)) as preview:
        urls, base = page_urls(preview.out_dir), preview.url
        audit = subprocess.run(
            ["node", "audit.mjs", *(base + url for url in urls)],
            cwd=TOOLS,
            env={**os.environ, "CHROME_PATH": chromium},
            check=True,
            # Only the results: Lighthouse's and Chromium's complaints go to the terminal.
            stdout=subprocess.PIPE,
            text=True,
        )
    runs = [json.loads(line) for line in audit.stdout.splitlines() if line.startswith("{")]
    for url in urls:
        found = {run["formFactor"]: run for run in runs if run["url"] == base + url}
        columns, reasons = [], []
        for form_factor in ("mobile", "desktop"):
            run = found[form_factor]
            scores = [run["scores"].get(category) for category in CATEGORIES]
            below_target += any(score is None or score < 1 for score in scores)
            columns.append("/".join(_score(score) for score in scores))
            reasons.append(
                run["error"]
                or ", ".join(f"{item['id']} {item['score']:.2f}" for item in run["below"])
                or "-"
            )
        print(f"  {url:26} {columns[0]:>15}   {columns[1]:>15}   {' | '.join(reasons)}")
    print(
        f"  {len(urls)} pages, mobile and desktop: {2 * len(urls) - below_target} runs at "
        f"{TARGET} in all four, {below_target} below "
        "(scores: performance/accessibility/best practices/SEO)"
    )


if __name__ == "__main__":
    main()
