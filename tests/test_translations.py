"""Translation freshness, in a temporary git repository holding a copy of the content.

An editor changes the Russian source; the build warns, `build.py translations` names each
translation behind it with the source's diff and exits 1, deploy refuses; marking one done
leaves only the other named.
"""

# ruff: noqa: RUF001 (Russian text is meant to be Cyrillic)

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import infra.deploy
from build import main
from infra.deploy.errors import DeployError
from sitecontent.site import load_site
from sitecontent.strings import load_strings
from sitegen.build import build
from sitegen.translations import translations
from tests.support.site import LANGUAGES, copy_content
from tests.support.tools import require

SOURCE = "ru"
TRANSLATED = [language for language in LANGUAGES if language != SOURCE]
OLD_LINE = "Оставьте свои данные и сообщение — мы ответим по электронной почте. Как Содружество"
NEW_LINE = (
    "Оставьте свои данные и сообщение — мы ответим в течение двух рабочих дней. Как Содружество"
)


def git(repo: Path, *arguments: str) -> None:
    subprocess.run(["git", "-C", str(repo), *arguments], check=True, capture_output=True)


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(
        repo,
        "-c",
        "user.name=Editor",
        "-c",
        "user.email=editor@example.kz",
        "commit",
        "-qm",
        message,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose one commit is the real content."""
    require(shutil.which("git") is not None, "git is not installed")
    copy_content(tmp_path)
    git(tmp_path, "init", "-q")
    commit(tmp_path, "content as published")
    return tmp_path


def change_source(content: Path, name: str, old: str, new: str) -> None:
    path = content / SOURCE / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_translations_in_step_exit_0(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "translations", "--content", str(repo / "content"))

    assert code == 0
    for language in TRANSLATED:
        for name in ("index.md", "contact.md", "thanks.md", "404.md", "strings.toml"):
            assert f"in step  {language}/{name}" in out
    assert "privacy" not in out  # published policy versions are checked for structure only


def test_translations_a_changed_page_is_named_with_its_diff_until_marked_done(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = repo / "content"
    # Given an editor changes the Russian contact page and commits it,
    change_source(content, "contact.md", OLD_LINE, NEW_LINE)
    commit(repo, "contact: when we answer")

    # the build still builds, and warns once per translation, naming its file;
    code, out, err = run(capsys, "build", "--content", str(content), "--out", str(tmp_path / "d"))
    assert code == 0 and "built" in out
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == len(TRANSLATED)
    for language, warning in zip(TRANSLATED, warnings, strict=True):
        assert warning.startswith(f"warning: {language}/contact.md is behind ru/contact.md")

    # `translations` names both with what changed in the Russian since, and exits 1;
    code, out, _ = run(capsys, "translations", "--content", str(content))
    assert code == 1
    for language in TRANSLATED:
        assert f"behind   {language}/contact.md" in out
        assert f"in step  {language}/index.md" in out
    assert out.count(f"-{OLD_LINE}") == len(TRANSLATED)
    assert out.count(f"+{NEW_LINE}") == len(TRANSLATED)

    # deploy refuses, listing them, before it packages or calls anything;
    code, _, err = run(
        capsys,
        "deploy",
        "--content",
        str(content),
        "--out",
        str(tmp_path / "deploy"),
        "--stack",
        "site",
        "--region",
        "eu-central-1",
        "--endpoint-url",
        "http://127.0.0.1:9",
    )
    assert code == 1
    assert "deploy failed at step 1/6, build the site" in err
    for language in TRANSLATED:
        assert f"{language}/contact.md (behind ru/contact.md)" in err
    assert "--allow-stale-translations" in err

    # and once the Kazakh is brought up to date and marked done, only the others are named.
    code, out, _ = run(capsys, "translations", "--content", str(content), "--done", "kk/contact.md")
    assert code == 0 and "kk/contact.md: translated from ru/contact.md at sha256:" in out
    code, out, _ = run(capsys, "translations", "--content", str(content))
    assert "in step  kk/contact.md" in out
    behind = [language for language in TRANSLATED if language != "kk"]
    assert code == (1 if behind else 0)
    for language in behind:
        assert f"behind   {language}/contact.md" in out
    result = build(content, tmp_path / "again")
    assert [stale.translation.name for stale in result.stale] == [f"{x}/contact.md" for x in behind]


def test_translations_strings_are_tracked_per_file_by_their_settings(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = repo / "content"
    # A comment is no string: editing it leaves every translation in step.
    change_source(content, "strings.toml", "# Строки интерфейса", "# Все строки интерфейса")
    assert run(capsys, "translations", "--content", str(content))[0] == 0

    change_source(content, "strings.toml", 'submit = "Отправить"', 'submit = "Отправить сообщение"')
    commit(repo, "strings: a clearer button")
    code, out, _ = run(capsys, "translations", "--content", str(content))

    assert code == 1
    for language in TRANSLATED:
        assert f"behind   {language}/strings.toml" in out
    assert out.count('+submit = "Отправить сообщение"') == len(TRANSLATED)
    # Marking the strings file done adds no string to the interface.
    for language in TRANSLATED:
        run(capsys, "translations", "--content", str(content), "--done", f"{language}/strings.toml")
        assert "translated_from" not in load_strings(content, language)
    assert run(capsys, "translations", "--content", str(content))[0] == 0


def test_translations_without_git_say_the_source_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = copy_content(tmp_path)  # not a repository
    change_source(content, "thanks.md", "ответим по электронной почте", "ответим письмом")

    code, out, _ = run(capsys, "translations", "--content", str(content))

    assert code == 1
    assert "behind   kk/thanks.md: ru/thanks.md changed since it was translated" in out
    assert "git has no version of ru/thanks.md" in out
    assert "+++" not in out


def test_translations_a_new_translation_without_a_record_is_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = copy_content(tmp_path)
    page = content / "kk" / "404.md"
    page.write_text(
        "".join(
            line
            for line in page.read_text(encoding="utf-8").splitlines(keepends=True)
            if not line.startswith("translated_from")
        ),
        encoding="utf-8",
    )

    code, out, _ = run(capsys, "translations", "--content", str(content))
    assert code == 1
    assert "behind   kk/404.md: records no translated_from: its source is ru/404.md" in out

    run(capsys, "translations", "--content", str(content), "--done", "kk/404.md")
    assert run(capsys, "translations", "--content", str(content))[0] == 0
    assert 'translated_from = "sha256:' in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["ru/contact.md", "kk/privacy/1.0.md", "kk/nothing.md"])
def test_translations_done_refuses_what_is_not_a_translation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    content = copy_content(tmp_path)

    code, _, err = run(capsys, "translations", "--content", str(content), "--done", name)

    assert code == 2
    assert "is not a translated page or strings file" in err


def test_translations_done_writes_the_record_into_a_strings_file_without_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = copy_content(tmp_path)
    strings = content / "kk" / "strings.toml"
    strings.write_text(
        "".join(
            line
            for line in strings.read_text(encoding="utf-8").splitlines(keepends=True)
            if not line.startswith("translated_from")
        ),
        encoding="utf-8",
    )
    before = load_strings(content, "kk")
    assert run(capsys, "translations", "--content", str(content))[0] == 1

    run(capsys, "translations", "--content", str(content), "--done", "kk/strings.toml")

    assert run(capsys, "translations", "--content", str(content))[0] == 0
    assert load_strings(content, "kk") == before
    build(content, tmp_path / "dist")  # still a valid strings file, its record before [form]


def test_translations_deploy_allowed_to_publish_stale_ones_lists_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    content = copy_content(tmp_path)
    change_source(content, "contact.md", OLD_LINE, NEW_LINE)

    def stop_after_the_build(*arguments, **options):
        raise DeployError("stopped by the test after the build")

    # The build is all this test is about: the deploy stops at the step after it.
    monkeypatch.setattr(infra.deploy, "package_function", stop_after_the_build)
    code, out, err = run(
        capsys,
        "deploy",
        "--content",
        str(content),
        "--out",
        str(tmp_path / "deploy"),
        "--stack",
        "site",
        "--region",
        "eu-central-1",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--allow-stale-translations",
    )

    assert code == 1 and "at step 2/6" in err and "stopped by the test" in err
    listed = ", ".join(f"{language}/contact.md (behind ru/contact.md)" for language in TRANSLATED)
    assert f"publishing translations behind their source: {listed}" in out


@pytest.mark.parametrize(("name", "line"), [("strings.toml", 1), ("contact.md", 2)])
def test_translations_a_record_that_is_not_text_fails_the_build_naming_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, line: int
) -> None:
    content = copy_content(tmp_path)
    path = content / TRANSLATED[0] / name
    text = path.read_text(encoding="utf-8")
    assert 'translated_from = "sha256:' in text
    path.write_text(
        text.replace('translated_from = "sha256:', "translated_from = 1 # sha256:", 1),
        encoding="utf-8",
    )

    # The build fails as on any content error (1); `translations` cannot say (2, not 1: behind).
    for command, exit_code in (
        (["build", "--out", str(tmp_path / "dist")], 1),
        (["translations"], 2),
    ):
        code, out, err = run(capsys, command[0], "--content", str(content), *command[1:])

        assert code == exit_code, out
        assert f"{path}:{line}" in err
        assert "translated_from must be text" in err


def test_translations_the_build_and_the_command_agree_on_what_is_behind(tmp_path: Path) -> None:
    # The build takes freshness from the pages it read; `translations` reads the files: the
    # two must name the same translations, whatever the line endings of a source.
    content = copy_content(tmp_path)
    change_source(content, "contact.md", OLD_LINE, NEW_LINE)
    index = content / SOURCE / "index.md"
    index.write_bytes(index.read_bytes().replace(b"\n", b"\r\n"))
    site = load_site(content)

    result = build(content, tmp_path / "dist")

    behind = [t for t in translations(content, site) if not t.in_step]
    assert [t.name for t in behind] == [f"{language}/contact.md" for language in TRANSLATED]
    assert [stale.translation for stale in result.stale] == behind
