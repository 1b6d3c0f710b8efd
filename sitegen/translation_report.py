"""`python build.py translations`: every translation, in step or behind, and marking one done."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from sitecontent.site import load_site
from sitegen.translation_history import source_diff
from sitegen.translations import Translation, find_translation, mark_done, translations

DONE_HINT = "python build.py translations --done {name}"


def stale_warning(translation: Translation) -> str:
    """The one line the build and the preview print for a translation that is behind."""
    if translation.recorded is None:
        why = f"records no translated_from of {translation.source_name}"
    else:
        why = f"is behind {translation.source_name}, which changed since it was translated"
    return f"warning: {translation.name} {why} (python build.py translations)"


def stale_notice(translation: Translation) -> str:
    """The preview's notice on a page that shows a translation behind its source."""
    return (
        f"{translation.name} is behind {translation.source_name}: update it, then "
        + DONE_HINT.format(name=translation.name)
    )


def _describe(translation: Translation, out: TextIO) -> None:
    if translation.in_step:
        print(f"  in step  {translation.name}", file=out)
        return
    if translation.recorded is None:
        why = f"records no translated_from: its source is {translation.source_name}"
    else:
        why = f"{translation.source_name} changed since it was translated"
    print(f"  behind   {translation.name}: {why}", file=out)
    diff = source_diff(translation)
    if diff is None:
        if translation.recorded is not None:
            print(
                f"           (git has no version of {translation.source_name} at "
                f"{translation.recorded}: compare the two files by hand)",
                file=out,
            )
    else:
        for line in diff.splitlines():
            print(f"    {line}", file=out)
    print(
        f"           when it says what {translation.source_name} says: "
        + DONE_HINT.format(name=translation.name),
        file=out,
    )


def report(content_dir: Path, out: TextIO) -> int:
    """Print every translation per language; 1 when any is behind its source, else 0."""
    site = load_site(content_dir)
    found = translations(content_dir, site)
    language = None
    for translation in found:
        current = translation.name.split("/", 1)[0]
        if current != language:
            language = current
            print(f"{language} (translated from {site.default_language}):", file=out)
        _describe(translation, out)
    behind = [t.name for t in found if not t.in_step]
    if behind:
        print(f"{len(behind)} behind: {', '.join(behind)}", file=out)
        return 1
    print(f"all {len(found)} translations are in step with {site.default_language}", file=out)
    return 0


def done(content_dir: Path, names: Sequence[str], out: TextIO) -> int:
    """Record each named translation as up to date with its source as it is now."""
    site = load_site(content_dir)
    chosen = [find_translation(content_dir, site, name) for name in names]
    for translation in chosen:
        mark_done(translation)
        print(
            f"{translation.name}: translated from {translation.source_name} "
            f"at {translation.current}",
            file=out,
        )
    return 0
