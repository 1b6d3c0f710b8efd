"""A language's UI strings: labels, error messages, buttons, in `content/<lang>/strings.toml`."""

from __future__ import annotations

from pathlib import Path

from sitecontent.files import read_toml

STRINGS_FILE = "strings.toml"
# A translation's record of the source revision it was made from (`sitegen.translations`):
# a top-level setting of a translated strings file, and no string of the interface.
TRANSLATED_FROM = "translated_from"


def strings_path(content_dir: Path, language: str) -> Path:
    """Where a language's strings file is."""
    return content_dir / language / STRINGS_FILE


def flatten(table: dict) -> dict[str, str]:
    """A strings table as a flat mapping of dotted keys (`errors.required`), less the record."""
    flat: dict[str, str] = {}

    def walk(prefix: str, table: dict) -> None:
        for key, value in table.items():
            dotted = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(f"{dotted}.", value)
            elif dotted != TRANSLATED_FROM:
                flat[dotted] = str(value)

    walk("", table)
    return flat


def load_strings(content_dir: Path, language: str) -> dict[str, str]:
    """Return a language's UI strings as a flat mapping of dotted keys (`errors.required`)."""
    return flatten(read_toml(strings_path(content_dir, language)))
