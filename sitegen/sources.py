"""Read the editors' sources that both the site build and the form function need.

Standard library only: the Lambda package ships this module without the generator, so it
must not import Jinja2 or Markdown.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.errors import BuildError

FRONT_MATTER_FENCE = "+++"
STRINGS_FILE = "strings.toml"
POLICY_FOLDER = "privacy"


@dataclass(frozen=True)
class Analytics:
    yandex_metrica_id: str = ""
    google_analytics_id: str = ""

    @property
    def enabled(self) -> bool:
        return bool(self.yandex_metrica_id or self.google_analytics_id)


@dataclass(frozen=True)
class Site:
    """Site-wide settings from `content/site.toml`."""

    base_url: str
    languages: tuple[str, ...]
    default_language: str
    operator_email: str
    ask_cross_border_consent: bool = False
    analytics: Analytics = field(default_factory=Analytics)

    @property
    def origin(self) -> str:
        """Scheme and host of the public site, as browsers send it in `Origin`."""
        scheme, _, rest = self.base_url.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}"


@dataclass(frozen=True)
class PolicyVersion:
    """One published version of the personal-data policy in one language."""

    language: str
    version: str
    effective: dt.date
    path: Path


def _load_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise BuildError(str(path), "file is missing") from exc
    except tomllib.TOMLDecodeError as exc:
        raise BuildError(str(path), f"invalid TOML: {exc}") from exc


def load_site(content_dir: Path) -> Site:
    """Read `site.toml` and check that its languages have folders."""
    path = content_dir / "site.toml"
    raw = _load_toml(path)
    try:
        languages = tuple(raw["languages"])
        site = Site(
            base_url=str(raw["base_url"]).rstrip("/"),
            languages=languages,
            default_language=str(raw["default_language"]),
            operator_email=str(raw["operator_email"]),
            ask_cross_border_consent=bool(raw.get("ask_cross_border_consent", False)),
            analytics=Analytics(**raw.get("analytics", {})),
        )
    except KeyError as exc:
        raise BuildError(str(path), f"missing setting {exc.args[0]!r}") from exc
    except TypeError as exc:
        raise BuildError(str(path), f"unknown setting in [analytics]: {exc}") from exc
    if site.default_language not in languages:
        raise BuildError(str(path), f"default_language {site.default_language!r} not in languages")
    for language in languages:
        if not (content_dir / language).is_dir():
            raise BuildError(str(content_dir / language), "language folder is missing")
    return site


def split_front_matter(path: Path, text: str | None = None) -> tuple[dict, str, int]:
    """Return the TOML front matter, the Markdown body and the body's first line number.

    A page starts with a `+++` line, TOML settings, and another `+++` line.
    """
    if text is None:
        text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise BuildError(f"{path}:1", f"front matter must start with a '{FRONT_MATTER_FENCE}' line")
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == FRONT_MATTER_FENCE:
            try:
                meta = tomllib.loads("".join(lines[1 : number - 1]))
            except tomllib.TOMLDecodeError as exc:
                raise BuildError(f"{path}:2", f"invalid front matter: {exc}") from exc
            return meta, "".join(lines[number:]), number + 1
    raise BuildError(f"{path}:1", f"front matter is not closed by a '{FRONT_MATTER_FENCE}' line")


def load_strings(content_dir: Path, language: str) -> dict[str, str]:
    """Return a language's UI strings as a flat mapping of dotted keys (`errors.required`)."""
    path = content_dir / language / STRINGS_FILE
    flat: dict[str, str] = {}

    def walk(prefix: str, table: dict) -> None:
        for key, value in table.items():
            dotted = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(f"{dotted}.", value)
            else:
                flat[dotted] = str(value)

    walk("", _load_toml(path))
    return flat


def policy_versions(content_dir: Path, language: str) -> list[PolicyVersion]:
    """Every published policy version of a language, oldest first."""
    versions = []
    for path in sorted((content_dir / language / POLICY_FOLDER).glob("*.md")):
        meta, _, _ = split_front_matter(path)
        try:
            version, effective = str(meta["version"]), meta["effective"]
        except KeyError as exc:
            raise BuildError(f"{path}:1", f"policy front matter needs {exc.args[0]!r}") from exc
        if not isinstance(effective, dt.date):
            raise BuildError(f"{path}:1", "'effective' must be a date such as 2026-11-25")
        if version != path.stem:
            raise BuildError(f"{path}:1", f"version {version!r} must match the file name")
        versions.append(PolicyVersion(language, version, effective, path))
    if not versions:
        raise BuildError(str(content_dir / language / POLICY_FOLDER), "no policy version")
    return sorted(versions, key=lambda v: (v.effective, v.version))


def current_policy_version(content_dir: Path, language: str) -> PolicyVersion:
    """The version in force: the one with the latest effective date."""
    return policy_versions(content_dir, language)[-1]
