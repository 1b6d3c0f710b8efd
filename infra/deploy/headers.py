"""Turn the site build's security headers into the template's response-headers parameters.

The build (`sitegen.security`) is the one place that decides the headers; CloudFront's
response headers policy takes them in its own shape, so each header maps to its parameters.
"""

from __future__ import annotations

from infra.deploy.errors import DeployError

# Header name (lower case) -> the template parameter that carries its value as is.
PLAIN_HEADERS = {
    "content-security-policy": "ContentSecurityPolicy",
    "referrer-policy": "ReferrerPolicy",
    "x-content-type-options": "ContentTypeOptions",
    "x-frame-options": "FrameOptions",
    "permissions-policy": "PermissionsPolicy",
}
HSTS = "strict-transport-security"
HSTS_PARAMETERS = (
    "StrictTransportSecurityMaxAge",
    "StrictTransportSecurityIncludeSubdomains",
    "StrictTransportSecurityPreload",
)
# Every parameter a header sets: all are sent on each deploy, so a header the build drops
# leaves the CDN too (back to the template's default, which leaves it out).
HEADER_PARAMETERS = (*PLAIN_HEADERS.values(), *HSTS_PARAMETERS)


def _hsts_parameters(value: str) -> dict[str, str]:
    directives = [part.strip() for part in value.split(";") if part.strip()]
    parameters = {
        "StrictTransportSecurityIncludeSubdomains": "false",
        "StrictTransportSecurityPreload": "false",
    }
    for directive in directives:
        name, _, argument = directive.partition("=")
        name = name.strip().lower()
        if name == "max-age" and argument.strip().isdigit():
            parameters["StrictTransportSecurityMaxAge"] = argument.strip()
        elif name == "includesubdomains" and not argument:
            parameters["StrictTransportSecurityIncludeSubdomains"] = "true"
        elif name == "preload" and not argument:
            parameters["StrictTransportSecurityPreload"] = "true"
        else:
            raise DeployError(f"Strict-Transport-Security: CloudFront cannot send {directive!r}")
    if "StrictTransportSecurityMaxAge" not in parameters:
        raise DeployError("Strict-Transport-Security needs max-age=<seconds>")
    return parameters


def header_parameters(headers: dict[str, str]) -> dict[str, str]:
    """The template parameters that make CloudFront send exactly `headers`."""
    parameters: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        if key == HSTS:
            parameters.update(_hsts_parameters(value))
        elif key in PLAIN_HEADERS:
            parameters[PLAIN_HEADERS[key]] = value.strip()
        else:
            raise DeployError(
                f"the site build sets header {name!r}, which the template's SiteHeadersPolicy "
                "has no parameter for: add one to infra/template.yaml"
            )
    return parameters
