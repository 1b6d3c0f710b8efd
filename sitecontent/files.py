"""Reading the editors' files: TOML settings, and Markdown pages with TOML front matter."""

from __future__ import annotations

import tomllib
from pathlib import Path

from sitecontent.errors import ContentError

FRONT_MATTER_FENCE = "+++"


def read_toml(path: Path) -> dict:
    """A TOML file's table; a `ContentError` naming the file when it is missing or invalid."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ContentError(str(path), "file is missing") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(str(path), f"invalid TOML: {exc}") from exc


def split_front_matter(path: Path, text: str | None = None) -> tuple[dict, str, int]:
    """Return the TOML front matter, the Markdown body and the body's first line number.

    A page starts with a `+++` line, TOML settings, and another `+++` line.
    """
    if text is None:
        text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise ContentError(
            f"{path}:1", f"front matter must start with a '{FRONT_MATTER_FENCE}' line"
        )
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == FRONT_MATTER_FENCE:
            try:
                meta = tomllib.loads("".join(lines[1 : number - 1]))
            except tomllib.TOMLDecodeError as exc:
                raise ContentError(f"{path}:2", f"invalid front matter: {exc}") from exc
            return meta, "".join(lines[number:]), number + 1
    raise ContentError(f"{path}:1", f"front matter is not closed by a '{FRONT_MATTER_FENCE}' line")
