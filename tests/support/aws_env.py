"""Fake AWS credentials for tests, so that no test can ever reach real AWS."""

from __future__ import annotations

import pytest

from preview.local_aws import LOCAL_REGION


def use_fake_aws_credentials(patch: pytest.MonkeyPatch, region: str = LOCAL_REGION) -> None:
    """Drop a developer's own profile, token and endpoint; set fake keys and a fixed region."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        patch.delenv(name, raising=False)
    patch.setenv("AWS_ACCESS_KEY_ID", "testing")
    patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    patch.setenv("AWS_DEFAULT_REGION", region)
    patch.setenv("AWS_REGION", region)
