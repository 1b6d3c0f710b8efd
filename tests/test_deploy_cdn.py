"""CDN invalidation: once per deploy that changed the bucket, never otherwise."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from infra.deploy.aws import Aws
from infra.deploy.cdn import invalidate
from infra.deploy.site_sync import SyncPlan

CHANGED = SyncPlan(uploads=("en/index.html",), deletions=("en/about/index.html",), unchanged=3)
UNCHANGED = SyncPlan(uploads=(), deletions=(), unchanged=5)


@pytest.fixture
def distribution(aws_credentials: None) -> Iterator[str]:
    with mock_aws():
        cloudfront = boto3.client("cloudfront", region_name="us-east-1")
        origin = {
            "Id": "site",
            "DomainName": "site.s3.amazonaws.com",
            "S3OriginConfig": {"OriginAccessIdentity": ""},
        }
        answer = cloudfront.create_distribution(
            DistributionConfig={
                "CallerReference": "test",
                "Comment": "",
                "Enabled": True,
                "Origins": {"Quantity": 1, "Items": [origin]},
                "DefaultCacheBehavior": {
                    "TargetOriginId": "site",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                },
            }
        )
        yield answer["Distribution"]["Id"]


def invalidations(distribution_id: str) -> list[dict]:
    cloudfront = boto3.client("cloudfront", region_name="us-east-1")
    listing = cloudfront.list_invalidations(DistributionId=distribution_id)["InvalidationList"]
    return listing.get("Items", [])


def test_invalidate_changed_site_invalidates_everything_once(distribution: str) -> None:
    lines: list[str] = []
    invalidation_id = invalidate(Aws("eu-central-1"), distribution, CHANGED, lines.append)
    (made,) = invalidations(distribution)
    assert made["Id"] == invalidation_id
    batch = boto3.client("cloudfront", region_name="us-east-1").get_invalidation(
        DistributionId=distribution, Id=invalidation_id
    )["Invalidation"]["InvalidationBatch"]
    assert batch["Paths"]["Items"] == ["/*"]
    assert lines == [f"invalidation {invalidation_id} of /* requested"]


def test_invalidate_unchanged_site_leaves_the_cdn_alone(distribution: str) -> None:
    lines: list[str] = []
    assert invalidate(Aws("eu-central-1"), distribution, UNCHANGED, lines.append) is None
    assert invalidations(distribution) == []
    assert lines == ["nothing changed in the bucket: no invalidation"]


def test_invalidate_without_distribution_says_so(aws_credentials: None) -> None:
    lines: list[str] = []
    assert invalidate(Aws("eu-central-1"), None, CHANGED, lines.append) is None
    assert lines == ["the stack has no DistributionId output: no CDN to invalidate"]
