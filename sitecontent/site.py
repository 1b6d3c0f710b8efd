"""Site-wide settings from `content/site.toml`: address, languages, operator, analytics."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sitecontent.errors import ContentError
from sitecontent.files import read_toml

SITE_FILE = "site.toml"


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


def load_site(content_dir: Path) -> Site:
    """Read `site.toml` and check that its languages have folders."""
    path = content_dir / SITE_FILE
    raw = read_toml(path)
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
        raise ContentError(str(path), f"missing setting {exc.args[0]!r}") from exc
    except TypeError as exc:
        raise ContentError(str(path), f"unknown setting in [analytics]: {exc}") from exc
    if site.default_language not in languages:
        raise ContentError(
            str(path), f"default_language {site.default_language!r} not in languages"
        )
    for language in languages:
        if not (content_dir / language).is_dir():
            raise ContentError(str(content_dir / language), "language folder is missing")
    return site
