"""The artefact bucket that holds the function's zips, outside the stack.

Outside, because the stack's function reads its code from it: the zip must be there before
the stack is created. One bucket per stack, account and region (S3 names are global, and
Lambda reads code only from a bucket in its own region).
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from infra.deploy.aws import Aws
from infra.deploy.errors import DeployError
from infra.deploy.packaging import Artefact

MISSING = {"404", "NoSuchBucket", "NotFound", "NoSuchKey"}


def artefact_bucket_name(stack: str, account_id: str, region: str) -> str:
    """`<stack>-artifacts-<account>-<region>`, checked against S3's naming rules."""
    name = f"{stack}-artifacts-{account_id}-{region}".lower()
    if len(name) > 63:
        raise DeployError(f"artefact bucket name {name!r} is over 63 characters: shorten --stack")
    return name


def _missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in MISSING


def bucket_exists(aws: Aws, bucket: str) -> bool:
    """Whether the bucket is there (and ours to use)."""
    try:
        aws.client("s3").head_bucket(Bucket=bucket)
    except ClientError as error:
        if _missing(error):
            return False
        raise DeployError(f"artefact bucket {bucket} is not usable: {error}") from error
    return True


def artefact_uploaded(aws: Aws, bucket: str, key: str) -> bool:
    """Whether this exact zip is already in the bucket (its key names its content)."""
    try:
        aws.client("s3").head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if _missing(error):
            return False
        raise
    return True


def create_artefact_bucket(aws: Aws, bucket: str) -> None:
    """Create the bucket private and encrypted, as the site bucket is."""
    s3 = aws.client("s3")
    location = {} if aws.region == "us-east-1" else {"LocationConstraint": aws.region}
    s3.create_bucket(Bucket=bucket, **({"CreateBucketConfiguration": location} if location else {}))
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )


def upload_artefact(aws: Aws, bucket: str, artefact: Artefact) -> bool:
    """Upload the zip unless that key is there already; return whether it uploaded."""
    if artefact_uploaded(aws, bucket, artefact.key):
        return False
    with artefact.path.open("rb") as body:
        aws.client("s3").put_object(
            Bucket=bucket, Key=artefact.key, Body=body, ContentType="application/zip"
        )
    return True
