"""Static assets: the inlined stylesheet and content-hashed files under `/assets/`.

A hashed name (`form.3f2a9c1b0d.js`) changes whenever the content does, so the CDN may cache
assets for a year while pages always point at the current ones.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.errors import BuildError

STYLESHEET = "style.css"
# The staff inbox's stylesheet, inlined in `/admin/` only: visitors never pay for it.
ADMIN_STYLESHEET = "admin.css"
INLINED = (STYLESHEET, ADMIN_STYLESHEET)
ASSETS_URL = "/assets/"
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


@dataclass(frozen=True)
class Assets:
    """What the templates need: the CSS to inline and the URL of every other asset."""

    css: str
    urls: dict[str, str]
    files: dict[str, bytes] = field(repr=False)
    admin_css: str = ""


def _inline_css(text: str) -> str:
    # Comments are for editors of the CSS, not for visitors' first round trip.
    lines = (line.strip() for line in CSS_COMMENT.sub("", text).splitlines())
    return "\n".join(line for line in lines if line)


def hashed_name(name: str, content: bytes) -> str:
    """`form.js` → `form.<10 hex digits of SHA-256>.js`."""
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(content).hexdigest()[:10]
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


def load_assets(assets_dir: Path) -> Assets:
    """Read `site/assets/`: inline the stylesheets, hash the names of everything else."""
    for name in INLINED:
        if not (assets_dir / name).is_file():
            raise BuildError(str(assets_dir / name), "file is missing")
    urls: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for path in sorted(assets_dir.iterdir()):
        if path.name in INLINED or not path.is_file():
            continue
        content = path.read_bytes()
        name = hashed_name(path.name, content)
        urls[path.name] = ASSETS_URL + name
        files[f"assets/{name}"] = content
    css, admin_css = (
        _inline_css((assets_dir / name).read_text(encoding="utf-8")) for name in INLINED
    )
    return Assets(css=css, urls=urls, files=files, admin_css=admin_css)
