"""Which built files go to the bucket, with which headers, and what a sync would change."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from infra.deploy.errors import DeployError
from infra.deploy.site_sync import (
    IMMUTABLE,
    REVALIDATE,
    cache_control,
    content_type,
    local_files,
    plan_sync,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("en/privacy/index.html", "text/html; charset=utf-8"),
        ("assets/site.0a1b2c3d4e.css", "text/css; charset=utf-8"),
        ("assets/form.3f2a9c1b0d.js", "text/javascript; charset=utf-8"),
        ("assets/logo.0a1b2c3d4e.svg", "image/svg+xml"),
        ("sitemap.xml", "application/xml; charset=utf-8"),
        ("robots.txt", "text/plain; charset=utf-8"),
        ("favicon.ico", "image/x-icon"),
        ("assets/font.0a1b2c3d4e.woff2", "font/woff2"),
        ("api/openapi.json", "application/json"),
    ],
)
def test_content_type_by_extension(name: str, expected: str) -> None:
    assert content_type(Path(name)) == expected


def test_content_type_unknown_extension_is_an_error() -> None:
    with pytest.raises(DeployError, match=r"notes\.docx: no Content-Type known for \.docx"):
        content_type(Path("notes.docx"))


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("assets/form.3f2a9c1b0d.js", IMMUTABLE),
        ("assets/site.0a1b2c3d4e.css", IMMUTABLE),
        ("index.html", REVALIDATE),
        ("ru/contact/index.html", REVALIDATE),
        ("404.html", REVALIDATE),
        ("sitemap.xml", REVALIDATE),
        ("robots.txt", REVALIDATE),
        ("favicon.ico", REVALIDATE),
    ],
)
def test_cache_control_immutable_only_for_hashed_names(key: str, expected: str) -> None:
    assert cache_control(key) == expected


def test_local_files_leave_out_the_headers_file(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "index.html").write_text("<p>en</p>", encoding="utf-8")
    (tmp_path / "_headers.json").write_text("{}", encoding="utf-8")
    files = local_files(tmp_path, frozenset({"_headers.json"}))
    assert list(files) == ["en/index.html"]
    assert files["en/index.html"].md5 == hashlib.md5(b"<p>en</p>").hexdigest()


def test_plan_sync_uploads_new_and_changed_deletes_gone(tmp_path: Path) -> None:
    for name, text in {"index.html": "home", "a.html": "new a", "b.html": "same b"}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    local = local_files(tmp_path, frozenset())
    # index.html is new, a.html changed, b.html is the same, old.html is no longer built.
    remote = {"a.html": "0" * 32, "b.html": local["b.html"].md5, "old.html": "f" * 32}
    plan = plan_sync(local, remote)
    assert sorted(plan.uploads) == ["a.html", "index.html"]
    assert plan.deletions == ("old.html",)
    assert plan.unchanged == 1
    assert plan.changed


def test_plan_sync_of_an_identical_bucket_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("home", encoding="utf-8")
    local = local_files(tmp_path, frozenset())
    plan = plan_sync(local, {key: file.md5 for key, file in local.items()})
    assert (plan.uploads, plan.deletions, plan.changed) == ((), (), False)
