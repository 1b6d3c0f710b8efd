"""The build's security headers become the template's response-headers parameters."""

from __future__ import annotations

import pytest

from infra.deploy.errors import DeployError
from infra.deploy.headers import header_parameters


def test_header_parameters_carry_each_header() -> None:
    parameters = header_parameters(
        {
            "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
            "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
            "Referrer-Policy": "strict-origin-when-cross-origin",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Permissions-Policy": "camera=()",
        }
    )
    assert parameters == {
        "ContentSecurityPolicy": "default-src 'none'; frame-ancestors 'none'",
        "StrictTransportSecurityMaxAge": "63072000",
        "StrictTransportSecurityIncludeSubdomains": "true",
        "StrictTransportSecurityPreload": "false",
        "ReferrerPolicy": "strict-origin-when-cross-origin",
        "ContentTypeOptions": "nosniff",
        "FrameOptions": "DENY",
        "PermissionsPolicy": "camera=()",
    }


def test_header_parameters_hsts_preload() -> None:
    parameters = header_parameters({"strict-transport-security": "max-age=300; preload"})
    assert parameters["StrictTransportSecurityPreload"] == "true"
    assert parameters["StrictTransportSecurityIncludeSubdomains"] == "false"


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"Cross-Origin-Opener-Policy": "same-origin"}, "has no parameter for"),
        ({"Strict-Transport-Security": "includeSubDomains"}, "needs max-age"),
        ({"Strict-Transport-Security": "max-age=1; report-uri=x"}, "cannot send"),
    ],
)
def test_header_parameters_refuse_what_cloudfront_cannot_send(
    headers: dict[str, str], message: str
) -> None:
    with pytest.raises(DeployError, match=message):
        header_parameters(headers)
