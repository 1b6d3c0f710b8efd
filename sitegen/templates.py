"""Render pages through the Jinja2 templates in `site/templates/` (autoescaped, compiled once)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import jinja2
from markupsafe import Markup, escape

from sitecontent.contact_form import (
    MAX_EMAIL_LENGTH,
    MAX_MESSAGE_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PHONE_LENGTH,
    MAX_PHONES,
    client_retry,
    client_rules,
    field_messages,
)
from sitecontent.policy import PolicyVersion
from sitecontent.site import Site
from sitecontent.strings import strings_path
from sitegen.admin import WordFile, admin_page_config
from sitegen.analytics import traces
from sitegen.assets import Assets
from sitegen.errors import BuildError
from sitegen.links import Alternate, alternates, root_alternates
from sitegen.markdown_render import RenderedMarkdown
from sitegen.pages import Page


@dataclass(frozen=True)
class SiteData:
    """Everything gathered before rendering that pages refer to across languages."""

    site: Site
    content_dir: Path
    strings: dict[str, dict[str, str]]
    policies: dict[str, list[PolicyVersion]]
    assets: Assets


class Translator:
    """`t("form.email")` in templates: a language's UI string, or a build error naming the file."""

    def __init__(self, data: SiteData, language: str) -> None:
        self._strings = data.strings[language]
        self._file = strings_path(data.content_dir, language)

    def __call__(self, key: str, **values: str) -> str:
        try:
            text = self._strings[key]
        except KeyError:
            raise BuildError(str(self._file), f"missing string {key!r}") from None
        for name, value in values.items():
            text = text.replace("{" + name + "}", value)
        return text

    def linked(self, key: str, link_key: str, url: str, **values: str) -> Markup:
        """The string `key` with the words of string `link_key` made a link to `url`."""
        text, link_text = self(key, **values), self(link_key, **values)
        before, found, after = text.partition(link_text)
        if not found:
            raise BuildError(str(self._file), f"{link_key!r} must be words of {key!r}")
        return Markup('{}<a href="{}">{}</a>{}').format(before, url, link_text, after)

    def with_mail_link(self, key: str, address: str, subject_key: str) -> Markup:
        """The string `key` with each `{email}` a link writing to `address` about `{subject}`."""
        subject = self(subject_key)
        text = self(key)
        if "{email}" not in text:
            raise BuildError(str(self._file), f"{key!r} must name the address as {{email}}")
        href = f"mailto:{address}?subject={quote(subject, safe='')}"
        link = Markup('<a href="{}">{}</a>').format(href, address)
        parts = [
            escape(part).replace("{subject}", escape(subject)) for part in text.split("{email}")
        ]
        return Markup(link).join(parts)


def format_date(date: dt.date, t: Callable[..., str]) -> str:
    """A date the way the language writes it, month names from its strings."""
    months = t("date.months").split()
    return t("date.format", day=str(date.day), month=months[date.month - 1], year=str(date.year))


def _analytics_config(site: Site) -> dict[str, object] | None:
    if not site.analytics.enabled:
        return None
    analytics = site.analytics
    vendor_traces = traces(analytics.yandex_metrica_id, analytics.google_analytics_id)
    return {
        "yandexMetricaId": analytics.yandex_metrica_id,
        "googleAnalyticsId": analytics.google_analytics_id,
        "traces": [trace.pattern for trace in vendor_traces],
    }


class PageRenderer:
    """Turn gathered pages into HTML with one Jinja2 environment."""

    def __init__(self, templates_dir: Path, data: SiteData) -> None:
        self._data = data
        self._per_language: dict[str, dict[str, object]] = {}
        self._environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates_dir),
            autoescape=jinja2.select_autoescape(["html"], default_for_string=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # Compiling the templates costs more than rendering the whole site; Jinja's own
            # cache (in the temp folder, keyed by each template's source) keeps it to once.
            bytecode_cache=jinja2.FileSystemBytecodeCache(),
            # One environment per build, so templates cannot change under it: without this,
            # every page's get_template stats its template files again to check for edits.
            auto_reload=False,
        )
        # `tojson` escapes <, >, & and ' whatever this says; readable Cyrillic is smaller.
        self._environment.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
        self._environment.globals.update(
            site=data.site,
            css=Markup(data.assets.css),
            asset=data.assets.urls.__getitem__,
            analytics_config=_analytics_config(data.site),
            limits={
                "name": MAX_NAME_LENGTH,
                "email": MAX_EMAIL_LENGTH,
                "phone": MAX_PHONE_LENGTH,
                "phones": MAX_PHONES,
                "message": MAX_MESSAGE_LENGTH,
            },
        )

    def _render(self, template_name: str, **context: object) -> str:
        try:
            return self._environment.get_template(template_name).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            raise BuildError(f"{exc.filename or exc.name}:{exc.lineno}", exc.message or "") from exc
        except jinja2.TemplateNotFound as exc:
            raise BuildError(f"site/templates/{exc.name}", "template is missing") from exc
        except jinja2.UndefinedError as exc:
            raise BuildError(f"site/templates/{template_name}", str(exc)) from exc

    def _common(self, language: str) -> dict[str, object]:
        # Per language, not per page: with thousands of pages this is a fair share of the time.
        if language not in self._per_language:
            t = Translator(self._data, language)
            policies = self._data.policies[language]
            common: dict[str, object] = {
                "lang": language,
                "t": t,
                "current_policy": policies[-1],
                "policies": policies,
                "format_date": lambda date: format_date(date, t),
                "form_config": self._form_config(language, t),
            }
            common["chrome"] = {
                name: Markup(self._render(f"_{name}.html", **common))
                for name in ("site_nav", "footer")
            }
            self._per_language[language] = common
        return self._per_language[language]

    def _form_config(self, language: str, t: Translator) -> dict[str, object]:
        # What the form's script needs: the message of every (field, code) the function can
        # answer, and the rules of the checks it runs before sending, both from the form's
        # vocabulary that the function validates with.
        return {
            "messages": field_messages(self._data.strings[language]),
            "rules": client_rules(),
            "retry": client_retry(),
            "retrying": t("form.retrying"),
            "errorPrefix": t("form.error_prefix"),
        }

    def _switcher(self, translations: dict[str, Page], language: str) -> list[dict[str, object]]:
        return [
            {
                "lang": other,
                "name": self._data.strings[other]["language.name"],
                "url": translations[other].url,
                "current": other == language,
            }
            for other in self._data.site.languages
        ]

    def render_page(
        self,
        page: Page,
        body: RenderedMarkdown,
        translations: dict[str, Page],
        other_bodies: dict[str, RenderedMarkdown] | None = None,
    ) -> str:
        """The HTML of one page; `translations` holds the same page in every language."""
        links: list[Alternate] = alternates(self._data.site, translations)
        return self._render(
            f"{page.layout}.html",
            page=page,
            body=body,
            canonical=self._data.site.base_url + page.url,
            alternates=links,
            switcher=self._switcher(translations, page.language),
            translations=translations,
            other_bodies=other_bodies or {},
            **self._common(page.language),
        )

    def render_admin(self, word_files: dict[str, WordFile]) -> str:
        """The staff inbox at `/admin/`, in the default language; `word_files` hold each
        language's words."""
        site = self._data.site
        switcher = [
            {"lang": language, "name": self._data.strings[language]["language.name"]}
            for language in site.languages
        ]
        return self._render(
            "admin.html",
            admin_css=Markup(self._data.assets.admin_css),
            admin_config=admin_page_config(site, self._data.strings, word_files),
            switcher=switcher,
            **self._common(site.default_language),
        )

    def render_root(self) -> str:
        """The language picker at `/`, which sends browsers to the default language."""
        site = self._data.site
        choices = [
            {
                "lang": language,
                "name": self._data.strings[language]["language.name"],
                "choose": self._data.strings[language]["root.choose"],
                "url": f"/{language}/",
            }
            for language in site.languages
        ]
        return self._render(
            "root.html",
            canonical=site.base_url + "/",
            alternates=root_alternates(site),
            choices=choices,
            **self._common(site.default_language),
        )
