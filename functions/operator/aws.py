"""The operator's AWS session: the caller's credentials, `--region` and `--endpoint-url`."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from aws_encryption_sdk.exceptions import AWSEncryptionSDKClientError
from aws_lambda_powertools.utilities.data_masking.exceptions import DataMaskingError
from botocore.exceptions import BotoCoreError, ClientError

from functions.aws_clients import AwsClients
from functions.operator.errors import AwsFailureError

ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL"


class Aws(AwsClients):
    """The operator's clients: a failure to make one is an AWS failure, exit code 4."""

    def client(self, service: str) -> Any:
        """One client per service, created on first use."""
        with aws_failures():
            return super().client(service)

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
