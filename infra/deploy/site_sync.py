"""Make the site bucket hold exactly the built files, each with its Content-Type and caching.

Files are compared by MD5 with the bucket's ETags (true for single-part uploads to an SSE-S3
bucket, which the template's site bucket is), so unchanged files are never uploaded again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from infra.deploy.aws import Aws
from infra.deploy.errors import DeployError
from infra.staff import CONFIG_CACHE_CONTROL, CONFIG_PATH
from sitegen.media_types import CONTENT_TYPES

# A content-hashed name (`form.3f2a9c1b0d.js`, see sitegen/assets.py) never changes content.
HASHED_NAME = re.compile(r"\.[0-9a-f]{8,64}\.[A-Za-z0-9]+$")
IMMUTABLE = "public, max-age=31536000, immutable"
# Everything else (HTML, sitemap, robots) may change under the same name: browsers revalidate.
REVALIDATE = "public, max-age=0, must-revalidate"
DELETE_BATCH = 1000


@dataclass(frozen=True)
class SiteFile:
    """One built file as it should be in the bucket."""

    key: str
    path: Path
    md5: str
    content_type: str
    cache_control: str


@dataclass(frozen=True)
class SyncPlan:
    """What it takes to make the bucket match the build."""

    uploads: tuple[str, ...]
    deletions: tuple[str, ...]
    unchanged: int

    @property
    def changed(self) -> bool:
        return bool(self.uploads or self.deletions)


def content_type(path: Path) -> str:
    """The Content-Type for a built file; an unknown kind of file is an error, not a guess."""
    try:
        return CONTENT_TYPES[path.suffix.lower()]
    except KeyError:
        raise DeployError(
            f"{path}: no Content-Type known for {path.suffix or 'files without an extension'}"
            " (add it to sitegen/media_types.py)"
        ) from None


def cache_control(key: str) -> str:
    """A year, immutable, for content-hashed assets; no-cache for the admin page's config (a
    new stack's pool must reach the page at once); revalidate everything else."""
    if key == CONFIG_PATH:
        return CONFIG_CACHE_CONTROL
    return IMMUTABLE if HASHED_NAME.search(key) else REVALIDATE


def local_files(out_dir: Path, excluded: frozenset[str]) -> dict[str, SiteFile]:
    """Every built file to publish, by bucket key (its path under `out_dir`)."""
    files = {}
    for path in sorted(out_dir.rglob("*")):
        key = path.relative_to(out_dir).as_posix()
        if not path.is_file() or key in excluded:
            continue
        md5 = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
        files[key] = SiteFile(key, path, md5, content_type(path), cache_control(key))
    return files


def remote_files(aws: Aws, bucket: str) -> dict[str, str]:
    """The bucket's current objects: key → ETag without quotes."""
    paginator = aws.client("s3").get_paginator("list_objects_v2")
    return {
        item["Key"]: item["ETag"].strip('"')
        for page in paginator.paginate(Bucket=bucket)
        for item in page.get("Contents", [])
    }


def plan_sync(local: dict[str, SiteFile], remote: dict[str, str]) -> SyncPlan:
    """Upload what is new or different, delete what is no longer built."""
    uploads = tuple(key for key, file in local.items() if remote.get(key) != file.md5)
    deletions = tuple(sorted(set(remote) - set(local)))
    return SyncPlan(uploads, deletions, len(local) - len(uploads))


def _upload_order(key: str) -> tuple[int, str]:
    # Assets first, pages next, 404/index last: a page never links to an asset not yet there.
    return (0 if HASHED_NAME.search(key) else 1 if not key.endswith(".html") else 2, key)


def apply_sync(
    aws: Aws,
    bucket: str,
    plan: SyncPlan,
    local: dict[str, SiteFile],
    report: Callable[[str], None],
) -> None:
    """Upload and delete as planned; deletions last, once the new pages are in place."""
    s3 = aws.client("s3")
    for key in sorted(plan.uploads, key=_upload_order):
        file = local[key]
        with file.path.open("rb") as body:
            s3.put_object(
                Bucket=bucket,
                Key=key,
                Body=body,
                ContentType=file.content_type,
                CacheControl=file.cache_control,
            )
        report(f"uploaded {key} ({file.content_type}; {file.cache_control})")
    for start in range(0, len(plan.deletions), DELETE_BATCH):
        batch = plan.deletions[start : start + DELETE_BATCH]
        answer = s3.delete_objects(
            Bucket=bucket, Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True}
        )
        if answer.get("Errors"):
            failed = ", ".join(f"{e['Key']} ({e.get('Message', '')})" for e in answer["Errors"])
            raise DeployError(f"could not delete from {bucket}: {failed}")
        for key in batch:
            report(f"deleted {key}")
