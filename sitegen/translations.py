"""Translation freshness: which translated pages and strings files are behind their source.

The default language is the source of every other language: `kk/contact.md` translates
`ru/contact.md`, `kk/strings.toml` translates `ru/strings.toml`. Each translation records the
revision of its source it was made from, `translated_from = "sha256:..."`, in its front matter
(a page) or as the strings file's first setting. A revision is a hash of the source's content,
not a git commit (as MDN's `l10n.sourceCommit` is): it is the same in a copied folder, a zip,
a shallow clone or a squashed branch, needs no git to check, and changing the source back
brings its translations back in step. Git is used only to show what changed (`history`).

A strings file is tracked as a whole, not key by key: a record per key would double every
strings file for editors to keep in step, while the diff shows which keys changed. Its
revision is of its settings, so editing a comment in the source changes nothing.
Policy versions are not tracked: a published version never changes (the build checks their
structure instead).
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sitecontent.files import FRONT_MATTER_FENCE, read_toml, split_front_matter
from sitecontent.policy import POLICY_FOLDER
from sitecontent.site import Site
from sitecontent.strings import STRINGS_FILE, TRANSLATED_FROM, flatten
from sitegen.errors import BuildError

if TYPE_CHECKING:  # pages import this module for `page_revision`
    from sitegen.pages import Page

REVISION_PREFIX = "sha256:"
# 16 hex digits: enough that two versions of one file never share a revision by chance.
REVISION_DIGITS = 16
_RECORD_LINE = re.compile(rf"^\s*{TRANSLATED_FROM}\s*=")


@dataclass(frozen=True)
class Translation:
    """One translated file, its source, and whether it is in step with it."""

    name: str  # as editors name it: `kk/contact.md`
    path: Path
    source_name: str  # `ru/contact.md`
    source: Path
    recorded: str | None  # the source revision it was translated from, if it says
    current: str  # the source's revision now

    @property
    def in_step(self) -> bool:
        return self.recorded == self.current

    @property
    def is_strings(self) -> bool:
        return self.path.name == STRINGS_FILE


def revision(path: Path, text: str | None = None) -> str:
    """The revision of a source file's content: of its settings for a strings file."""
    if text is None:
        text = path.read_text(encoding="utf-8")
    if path.name == STRINGS_FILE:
        try:
            table = flatten(tomllib.loads(text))
        except tomllib.TOMLDecodeError:
            table = {"": text}  # an old version that no longer parses still has a revision
        return strings_revision(table)
    return page_revision(text)


def page_revision(text: str) -> str:
    """The revision of a page from its file's text (line endings do not count)."""
    return _digest("\n".join(text.splitlines()))


def strings_revision(strings: dict[str, str]) -> str:
    """The revision of a strings file from its strings as `flatten` gives them."""
    return _digest(json.dumps(strings, ensure_ascii=False, sort_keys=True))


def _digest(text: str) -> str:
    return REVISION_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()[:REVISION_DIGITS]


def _recorded(path: Path) -> str | None:
    if path.name == STRINGS_FILE:
        return checked_record(path, read_toml(path).get(TRANSLATED_FROM))
    meta, _, _ = split_front_matter(path)
    return checked_record(path, meta.get(TRANSLATED_FROM))


def checked_record(path: Path, value: object) -> str | None:
    """A file's `translated_from` setting, which must be text when it is there at all."""
    if value is not None and not isinstance(value, str):
        line = 1 if path.name == STRINGS_FILE else 2
        raise BuildError(f"{path}:{line}", f'{TRANSLATED_FROM} must be text such as "sha256:…"')
    return value


def _files(folder: Path) -> list[str]:
    """The pages and the strings file of a language folder, relative to it, in path order."""
    names = ["/".join(path.relative_to(folder).parts) for path in sorted(folder.rglob("*.md"))]
    return names + ([STRINGS_FILE] if (folder / STRINGS_FILE).is_file() else [])


def translated_names(files: list[str]) -> list[str]:
    """Of a language folder's pages and strings file, those that translate a source."""
    names = []
    for name in files:
        parts = name.split("/")
        if name != STRINGS_FILE and not (parts[0] == POLICY_FOLDER and len(parts) == 2):
            names.append(name)
    return names + ([STRINGS_FILE] if STRINGS_FILE in files else [])


def translations(content_dir: Path, site: Site) -> list[Translation]:
    """Every translated file of every language but the default, in the site's order."""
    found = []
    for language in translated_languages(site):
        for relative in translated_names(_files(content_dir / language)):
            translation = read_translation(content_dir, site, language, relative)
            if translation is not None:
                found.append(translation)
    return found


def translated_languages(site: Site) -> list[str]:
    """The languages translated from the default one, in the site's order."""
    return [language for language in site.languages if language != site.default_language]


def read_translation(
    content_dir: Path, site: Site, language: str, relative: str
) -> Translation | None:
    """The translation `language/relative`; None when its source does not exist."""
    source = content_dir / site.default_language / relative
    if not source.is_file():
        return None  # the build's page check names a page without its source
    path = content_dir / language / relative
    return _translation(site, language, relative, path, source, _recorded(path), revision(source))


def page_translation(site: Site, page: Page, source: Page, relative: str) -> Translation:
    """The translation `page` of `source` (`relative` to their language folders), from the
    pages as a build read them: their files are not read again."""
    recorded = checked_record(page.source, page.translated_from)
    return _translation(
        site, page.language, relative, page.source, source.source, recorded, source.revision
    )


def strings_translation(
    content_dir: Path, site: Site, language: str, recorded: object, current: str
) -> Translation:
    """The translation of the strings file, from the settings a build has already read.

    `recorded` is the translation's `translated_from` setting as written, `current` the
    `strings_revision` of the default language's strings: the build parses each strings file
    once, not once more here.
    """
    path = content_dir / language / STRINGS_FILE
    source = content_dir / site.default_language / STRINGS_FILE
    return _translation(
        site, language, STRINGS_FILE, path, source, checked_record(path, recorded), current
    )


def _translation(
    site: Site,
    language: str,
    relative: str,
    path: Path,
    source: Path,
    recorded: str | None,
    current: str,
) -> Translation:
    # The paths from the caller, which has them already (a build's pages hold theirs).
    return Translation(
        name=f"{language}/{relative}",
        path=path,
        source_name=f"{site.default_language}/{relative}",
        source=source,
        recorded=recorded,
        current=current,
    )


def find_translation(content_dir: Path, site: Site, name: str) -> Translation:
    """The translation an editor names (`kk/contact.md`); a `BuildError` when there is none."""
    wanted = name.replace("\\", "/").removeprefix("content/").strip("/")
    for translation in translations(content_dir, site):
        if translation.name == wanted:
            return translation
    raise BuildError(
        str(content_dir / wanted),
        "is not a translated page or strings file (a page or strings.toml of a language "
        f"other than {site.default_language}, outside {POLICY_FOLDER}/)",
    )


def mark_done(translation: Translation) -> None:
    """Record that `translation` is up to date with its source as it is now."""
    lines = translation.path.read_text(encoding="utf-8").splitlines(keepends=True)
    record = f'{TRANSLATED_FROM} = "{translation.current}"\n'
    if translation.is_strings:
        # A top-level setting must come before the first table.
        end = next((i for i, line in enumerate(lines) if line.lstrip().startswith("[")), len(lines))
        start = 0
    else:
        start = 1
        end = next(
            (i for i, line in enumerate(lines[1:], 1) if line.strip() == FRONT_MATTER_FENCE),
            None,
        )
        if end is None:
            raise BuildError(f"{translation.path}:1", "front matter is not closed")
    for number in range(start, end):
        if _RECORD_LINE.match(lines[number]):
            lines[number] = record
            break
    else:
        if translation.is_strings:
            # After the file's opening comments, before its first table.
            at = next((i for i in range(end) if not lines[i].lstrip().startswith("#")), end)
            lines[at:at] = [record, "\n"] if at < len(lines) and lines[at].strip() else [record]
        else:
            lines.insert(end, record)
    translation.path.write_text("".join(lines), encoding="utf-8")
