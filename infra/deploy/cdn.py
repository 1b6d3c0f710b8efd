"""Ask CloudFront to drop its cached copies once the bucket has changed."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from infra.deploy.aws import Aws
from infra.deploy.site_sync import SyncPlan

# One wildcard path costs the same as one file and also covers `/<lang>/page/` URLs, which
# CloudFront caches under the URL rather than the object key.
INVALIDATED_PATHS = ["/*"]


def invalidate(
    aws: Aws, distribution_id: str | None, plan: SyncPlan, report: Callable[[str], None]
) -> str | None:
    """Invalidate the distribution when the site changed; return the invalidation id."""
    if not plan.changed:
        report("nothing changed in the bucket: no invalidation")
        return None
    if not distribution_id:
        # moto's CloudFormation does not create CloudFront resources, so a local stack has
        # no distribution; a real stack always has one.
        report("the stack has no DistributionId output: no CDN to invalidate")
        return None
    reference = f"deploy-{uuid.uuid4()}"
    answer = aws.client("cloudfront").create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": len(INVALIDATED_PATHS), "Items": INVALIDATED_PATHS},
            "CallerReference": reference,
        },
    )
    invalidation_id = answer["Invalidation"]["Id"]
    report(f"invalidation {invalidation_id} of {', '.join(INVALIDATED_PATHS)} requested")
    return invalidation_id
