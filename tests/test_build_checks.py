"""The build refuses inconsistent content with a message naming the file (and line)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.errors import BuildError
from tests.support.site import ROOT, copy_content


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return copy_content(tmp_path)


def build_error(content: Path) -> BuildError:
    with pytest.raises(BuildError) as caught:
        build(content, content.parent / "dist")
    return caught.value


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_build_page_missing_in_one_language(content: Path) -> None:
    (content / "en" / "thanks.md").unlink()

    error = build_error(content)

    assert error.location == f"{content / 'ru' / 'thanks.md'}:1"
    assert "no en counterpart" in error.message
    assert str(content / "en" / "thanks.md") in error.message


def test_build_policy_version_in_one_language_only(content: Path) -> None:
    english = content / "en" / "privacy"
    newer = (english / "1.0.md").read_text(encoding="utf-8")
    newer = newer.replace('version = "1.0"', 'version = "1.1"').replace("2026-11-25", "2027-01-10")
    (english / "1.1.md").write_text(newer, encoding="utf-8")

    error = build_error(content)

    assert str(english / "1.1.md") in error.location
    assert "no ru counterpart" in error.message


def test_build_policy_effective_dates_disagree(content: Path) -> None:
    replace_in(
        content / "en" / "privacy" / "1.0.md", "effective = 2026-11-25", "effective = 2026-12-01"
    )

    error = build_error(content)

    assert error.location == f"{content / 'en' / 'privacy' / '1.0.md'}:1"
    assert "2026-12-01" in error.message and "2026-11-25" in error.message


def test_build_policy_clause_missing_in_one_language(content: Path) -> None:
    policy = content / "en" / "privacy" / "1.0.md"
    text = policy.read_text(encoding="utf-8")
    # Drop clause 6.4: its paragraph runs up to where clause 6.5 starts.
    text = text[: text.index("6.4. ")] + text[text.index("6.5. ") :]
    policy.write_text(text, encoding="utf-8")
    line_of_6_5 = text[: text.index("6.5. ")].count("\n") + 1

    error = build_error(content)

    assert error.location == f"{policy}:{line_of_6_5}"
    assert "clause 6.5" in error.message and "clause 6.4" in error.message
    assert str(content / "ru" / "privacy" / "1.0.md") in error.message


def test_build_policy_section_renumbered_in_one_language(content: Path) -> None:
    policy = content / "en" / "privacy" / "1.0.md"
    replace_in(policy, "## 9. Questions", "## 10. Questions")

    error = build_error(content)

    assert error.location.startswith(f"{policy}:")
    assert "section 10" in error.message and "section 9" in error.message
    assert str(content / "ru" / "privacy" / "1.0.md") in error.message


def test_build_ui_string_missing_in_one_language(content: Path) -> None:
    replace_in(content / "en" / "strings.toml", 'add_phone = "Add another phone"\n', "")

    error = build_error(content)

    assert error.location == str(content / "en" / "strings.toml")
    assert "'form.add_phone'" in error.message and "present in ru" in error.message


def test_build_two_pages_write_the_same_path(content: Path) -> None:
    for language in ("ru", "en"):
        folder = content / language / "contact"
        folder.mkdir()
        (folder / "index.md").write_text('+++\ntitle = "x"\ndescription = "y"\n+++\n')

    error = build_error(content)

    assert "/contact/" in error.message
    assert "contact.md" in error.location + error.message
    assert "contact/index.md" in error.location + error.message


@pytest.mark.parametrize(
    ("front_matter", "expected"),
    [
        ('description = "d"', "non-empty text 'title'"),
        ('title = ""\ndescription = "d"', "non-empty text 'title'"),
        ('title = "t"', "non-empty text 'description'"),
        ('title = "t"\ndescription = "d"\nauthor = "x"', "unknown front matter 'author'"),
        ('title = "t"\ndescription = "d"\nlayout = "fancy"', "unknown layout 'fancy'"),
        ('title = "t"\ndescription = "d"\nnoindex = "yes"', "'noindex' must be true or false"),
        ('title = "t\ndescription = "d"', "invalid front matter"),
    ],
)
def test_build_bad_front_matter(content: Path, front_matter: str, expected: str) -> None:
    page = content / "en" / "thanks.md"
    page.write_text(f"+++\n{front_matter}\n+++\nBody\n", encoding="utf-8")

    error = build_error(content)

    assert error.location == f"{page}:2"
    assert expected in error.message


def test_build_front_matter_not_closed(content: Path) -> None:
    page = content / "ru" / "index.md"
    page.write_text('+++\ntitle = "t"\ndescription = "d"\nBody\n', encoding="utf-8")

    error = build_error(content)

    assert error.location == f"{page}:1"
    assert "not closed" in error.message


def test_build_failure_keeps_the_previous_site(content: Path) -> None:
    out = content.parent / "dist"
    build(content, out)
    before = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    (content / "en" / "contact.md").unlink()

    with pytest.raises(BuildError):
        build(content, out)

    assert {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} == before


def test_build_refuses_to_replace_a_folder_it_did_not_write(content: Path) -> None:
    out = content.parent / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")

    error = build_error_at(content, out)

    assert error.location == str(out)
    assert (out / "notes.txt").read_text() == "keep me"


def build_error_at(content: Path, out: Path) -> BuildError:
    with pytest.raises(BuildError) as caught:
        build(content, out)
    return caught.value


def test_build_command_reports_the_file_without_traceback(content: Path) -> None:
    (content / "en" / "thanks.md").unlink()

    finished = subprocess.run(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "--content",
            str(content),
            "--out",
            str(content.parent / "dist"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert finished.returncode == 1
    assert f"{content / 'ru' / 'thanks.md'}:1" in finished.stderr
    assert "Traceback" not in finished.stderr + finished.stdout


def test_build_ui_string_missing_in_every_language(content: Path) -> None:
    for language in ("ru", "en"):
        strings = content / language / "strings.toml"
        text = strings.read_text(encoding="utf-8")
        start = text.index("back_to_top = ")
        strings.write_text(text[:start] + text[text.index("\n", start) + 1 :], encoding="utf-8")

    error = build_error(content)

    assert error.location.endswith("strings.toml")
    assert "'policy.back_to_top'" in error.message


def test_build_consent_link_words_must_be_in_the_consent_label(content: Path) -> None:
    strings = content / "en" / "strings.toml"
    replace_in(
        strings,
        'consent_link_text = "Privacy Policy (version {version})"',
        'consent_link_text = "Policy X"',
    )

    error = build_error(content)

    assert error.location == str(strings)
    assert "'form.consent_link_text'" in error.message


def remove_line(path: Path, start: str) -> None:
    """Delete the first line of `path` that starts with `start`."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith(start))
    path.write_text("".join(lines[:index] + lines[index + 1 :]), encoding="utf-8")


@pytest.mark.parametrize("language", ["ru", "en"])
def test_build_error_message_missing_in_every_language_names_the_file(
    content: Path, language: str
) -> None:
    # Missing everywhere, so the check that every language has the same strings passes: only
    # the form's vocabulary knows the function can answer "too many phones".
    for each in ("ru", "en"):
        text = (content / each / "strings.toml").read_text(encoding="utf-8")
        header = text.index("[errors.phone]")
        line = text.index("too_many = ", header)
        text = text[:line] + text[text.index("\n", line) + 1 :]
        (content / each / "strings.toml").write_text(text, encoding="utf-8")

    error = build_error(content)

    strings = content / "ru" / "strings.toml"  # the default language is checked first
    lines = strings.read_text(encoding="utf-8").splitlines()
    assert error.location == f"{strings}:{lines.index('[errors.phone]') + 1}"
    assert "phone: too_many" in error.message
    assert "[errors.phone]" in error.message


def test_build_error_message_must_name_its_limit(content: Path) -> None:
    strings = content / "en" / "strings.toml"
    replace_in(
        strings,
        'too_long = "Message must be {limit} characters or fewer"',
        'too_long = "Message must be 2000 characters or fewer"',
    )

    error = build_error(content)

    assert error.location.startswith(f"{strings}:")
    assert "message: too_long" in error.message and "{limit}" in error.message


def test_build_contact_page_must_link_the_policy_version_the_form_sends(content: Path) -> None:
    contact = content / "en" / "contact.md"
    replace_in(contact, "(/en/privacy/1.0/)", "(/en/privacy/)")

    error = build_error(content)

    lines = contact.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, start=1) if "(/en/privacy/)" in line)
    assert error.location == f"{contact}:{number}"
    assert "link /en/privacy/1.0/" in error.message


def test_build_contact_page_without_a_policy_link_fails(content: Path) -> None:
    contact = content / "ru" / "contact.md"
    replace_in(contact, "(/ru/privacy/1.0/)", "")

    error = build_error(content)

    assert error.location.startswith(f"{contact}:")
    assert "/ru/privacy/1.0/" in error.message


def test_build_withdrawal_subject_must_be_the_policys(content: Path) -> None:
    strings = content / "en" / "strings.toml"
    replace_in(
        strings,
        'withdraw_subject = "Withdrawal of consent to personal data processing"',
        'withdraw_subject = "Withdraw my consent"',
    )

    error = build_error(content)

    assert error.location == str(strings)
    assert "'form.withdraw_subject'" in error.message
    assert str(content / "en" / "privacy" / "1.0.md") in error.message


def test_build_template_error_names_the_template_and_line(content: Path, tmp_path: Path) -> None:
    site_dir = Path(shutil.copytree(ROOT / "site", tmp_path / "site"))
    template = site_dir / "templates" / "policy.html"
    lines = template.read_text(encoding="utf-8").splitlines()
    lines[3] = "{% if %}"
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(BuildError) as caught:
        build(content, tmp_path / "dist", site_dir=site_dir)

    assert caught.value.location == f"{template}:4"


@pytest.mark.parametrize("folder", ["content", "site"])
def test_build_refuses_a_link_that_leads_outside_its_folder(
    content: Path, tmp_path: Path, folder: str
) -> None:
    # Given a file outside the repository, and a link to it among the site's files,
    secret = tmp_path / "outside" / "hostname"
    secret.parent.mkdir()
    secret.write_text("secret-host-name\n", encoding="utf-8")
    site_dir = Path(shutil.copytree(ROOT / "site", tmp_path / "site"))
    link = (content / "en" if folder == "content" else site_dir / "assets") / "leak.txt"
    link.symlink_to(secret)

    # when the site is built,
    with pytest.raises(BuildError) as caught:
        build(content, tmp_path / "dist", site_dir=site_dir)

    # then the build names the link, file:line style, and publishes nothing.
    assert caught.value.location == f"{link}:1"
    assert str(secret) in caught.value.message
    assert not (tmp_path / "dist").exists()


def test_build_keeps_a_link_that_stays_inside_its_folder(content: Path, tmp_path: Path) -> None:
    site_dir = Path(shutil.copytree(ROOT / "site", tmp_path / "site"))
    (site_dir / "assets" / "form-copy.js").symlink_to(site_dir / "assets" / "form.js")

    result = build(content, tmp_path / "dist", site_dir=site_dir)

    assert any(name.startswith("assets/form-copy.") for name in result.files)
