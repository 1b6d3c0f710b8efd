"""What a build writes: reproducible output, new languages as folders, the command line."""

from __future__ import annotations

import concurrent.futures
import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from build import make_parser
from sitegen import workers
from sitegen.build import build
from sitegen.errors import BuildError
from tests.support.site import LANGUAGES, ROOT, add_language, copy_content


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_build_twice_is_byte_identical(tmp_path: Path) -> None:
    content = copy_content(tmp_path)

    first = build(content, tmp_path / "one")
    second = build(content, tmp_path / "two")

    assert first.files == second.files
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_build_replaces_the_previous_site(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    out = tmp_path / "dist"
    build(content, out)
    for language in LANGUAGES:
        (content / language / "thanks.md").rename(content / language / "merci.md")

    build(content, out)

    assert (out / "en" / "merci" / "index.html").exists()
    assert not (out / "en" / "thanks").exists()


def test_build_new_language_from_a_folder_only(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    language = add_language(content)

    result = build(content, tmp_path / "dist")

    page = (result.out_dir / language / "contact" / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{language}">' in page
    assert f'hreflang="{language}" href="https://estimation.kz/{language}/contact/"' in page
    assert f'<a href="/{language}/privacy/1.0/">Datenschutzerklärung (Version 1.0)</a>' in page
    for other in LANGUAGES:
        html = (result.out_dir / other / "contact" / "index.html").read_text(encoding="utf-8")
        assert f'<a href="/{language}/contact/" hreflang="{language}" lang="{language}">' in html
    sitemap = (result.out_dir / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>https://estimation.kz/{language}/privacy/</loc>" in sitemap


def test_build_asset_names_follow_their_content(built_site) -> None:
    assets = [name for name in built_site.files if name.startswith("assets/")]

    assert assets
    for name in assets:
        content = (built_site.out_dir / name).read_bytes()
        digest = hashlib.sha256(content).hexdigest()[:10]
        assert re.fullmatch(rf"assets/[a-z][a-z.-]*\.{digest}\.[a-z]+", name)


def test_build_help_documents_every_command_and_option() -> None:
    parser = make_parser()
    commands = parser._subparsers._group_actions[0].choices  # argparse keeps them here

    top_help = parser.format_help()
    for name, command in commands.items():
        assert name in top_help
        command_help = command.format_help()
        for action in command._actions:
            if action.option_strings and action.dest != "help":
                assert action.option_strings[-1] in command_help
                assert action.help, f"{name} {action.option_strings[-1]} has no help"
    assert set(commands) == {"build", "serve", "deploy", "translations", "local-aws"}


@pytest.mark.parametrize("command", ["build", "serve", "deploy"])
def test_build_command_help_runs(command: str) -> None:
    finished = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), command, "--help"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert finished.returncode == 0
    assert "--content" in finished.stdout and "--out" in finished.stdout


def test_build_command_defaults_to_build(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--out", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr
    assert (tmp_path / "site" / "ru" / "privacy" / "index.html").exists()
    assert str(tmp_path / "site") in finished.stdout


def test_build_on_several_cores_writes_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = copy_content(tmp_path)
    build(content, tmp_path / "one")
    # Large sites are read and rendered in forked workers; make this small one count as large.
    monkeypatch.setattr(workers, "PARALLEL_FROM", 2)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    pools: list[object] = []

    class CountedPool(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, *args: object, **kwargs: object) -> None:
            pools.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", CountedPool)

    build(content, tmp_path / "two")

    assert len(pools) == 2  # one to read the pages, one to render them
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_build_on_several_cores_names_the_first_broken_page_as_one_core_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = copy_content(tmp_path)
    for name in ("thanks.md", "index.md", "contact.md"):
        page = content / "en" / name
        page.write_text(page.read_text("utf-8").replace("+++", "+++\ntitle = ", 1), "utf-8")
    with pytest.raises(BuildError) as on_one_core:
        build(content, tmp_path / "one")
    monkeypatch.setattr(workers, "PARALLEL_FROM", 2)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)

    with pytest.raises(BuildError) as on_two_cores:
        build(content, tmp_path / "two")

    assert str(on_two_cores.value) == str(on_one_core.value)
    assert "en/contact.md:2" in str(on_two_cores.value)
