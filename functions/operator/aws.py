"""The operator's AWS session: the caller's credentials, `--region` and `--endpoint-url`."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import boto3
from aws_encryption_sdk.exceptions import AWSEncryptionSDKClientError
from aws_lambda_powertools.utilities.data_masking.exceptions import DataMaskingError
from botocore.exceptions import BotoCoreError, ClientError

from functions.operator.errors import AwsFailureError

ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL"


class Aws:
    """Clients for one run of the tool, all pointed at the same region and endpoint."""

    def __init__(self, region: str | None = None, endpoint_url: str | None = None) -> None:
        self.region = region
        self.endpoint_url = endpoint_url
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        """One client per service, created on first use."""
        if service not in self._clients:
            with aws_failures():
                # boto3's default session, so its loaded service models serve every client;
                # a session of our own would parse them again on each run.
                self._clients[service] = boto3.client(
                    service, region_name=self.region, endpoint_url=self.endpoint_url
                )
        return self._clients[service]

    @contextlib.contextmanager
    def encryption_endpoint(self) -> Iterator[None]:
        """Send the Encryption SDK's own KMS clients to `--endpoint-url` too.

        The SDK builds its KMS clients itself from the key ARN, so the only way to point them
        elsewhere is the standard `AWS_ENDPOINT_URL` variable, set for the run and restored.
        """
        if self.endpoint_url is None:
            yield
            return
        previous = os.environ.get(ENDPOINT_VARIABLE)
        os.environ[ENDPOINT_VARIABLE] = self.endpoint_url
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop(ENDPOINT_VARIABLE, None)
            else:
                os.environ[ENDPOINT_VARIABLE] = previous


@contextlib.contextmanager
def aws_failures() -> Iterator[None]:
    """Turn AWS and decryption failures into one-line `AwsFailureError`s."""
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        operation = getattr(exc, "operation_name", "request")
        raise AwsFailureError(
            f"AWS refused {operation}: {error.get('Code', 'error')}: {error.get('Message', '')}"
        ) from exc
    except BotoCoreError as exc:
        raise AwsFailureError(f"AWS could not be used: {exc}") from exc
    except (DataMaskingError, AWSEncryptionSDKClientError) as exc:
        # The SDK's messages can quote the blob; the exception's name says enough.
        raise AwsFailureError(
            f"could not encrypt or decrypt personal data ({type(exc).__name__}); "
            "does your identity have kms:Decrypt and kms:GenerateDataKey on the data key?"
        ) from exc
