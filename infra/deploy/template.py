"""The template a deploy sends, and the parameter values it chooses for it."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from infra.cloudformation import TEMPLATE, loads
from infra.deploy.headers import HEADER_PARAMETERS, header_parameters
from infra.deploy.packaging import Artefact
from sitecontent.site import Site
from sitegen.security import admin_headers, cognito_origin

# ACM certificate for the site's domain (us-east-1); set once, then each deploy keeps it.
CERTIFICATE_VARIABLE = "ESTIMATION_CERTIFICATE_ARN"
# The optional WAF web ACL (infra/edge-rate-limit.yaml, us-east-1); set once, then kept.
EDGE_WEB_ACL_VARIABLE = "ESTIMATION_EDGE_WEB_ACL_ARN"

# The staff inbox's Content-Security-Policy (the CDN's `/admin/*` behaviour).
ADMIN_CSP_PARAMETER = "AdminContentSecurityPolicy"

# What the distribution adds to each API request and the function checks (NoEcho).
ORIGIN_SECRET = "OriginSecret"

# Turns the template into what a stand-in for AWS can create (`--endpoint-url`), given by the
# caller: the deploy itself knows only real CloudFormation.
TemplateAdapter = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Template:
    """The body to send and the parameters it declares."""

    body: str
    parameters: dict[str, Any]


def load_template(adapt: TemplateAdapter | None = None) -> Template:
    """The template as written, or as `adapt` makes it (then as JSON)."""
    text = TEMPLATE.read_text(encoding="utf-8")
    template = loads(text)
    body = json.dumps(adapt(template)) if adapt else text
    return Template(body, dict(template.get("Parameters", {})))


def chosen_parameters(
    template: Template,
    site: Site,
    headers: dict[str, str],
    code_bucket: str,
    artefact: Artefact,
    region: str,
) -> dict[str, str]:
    """What this deploy decides: site origin and domain, code location, security headers."""
    chosen = {key: str(template.parameters[key].get("Default", "")) for key in HEADER_PARAMETERS}
    chosen.update(header_parameters(headers))
    # The staff inbox signs in with the Cognito endpoint of the stack's own region.
    admin = admin_headers(headers, cognito_origin(region))
    chosen[ADMIN_CSP_PARAMETER] = admin["Content-Security-Policy"]
    chosen.update(
        SiteOrigin=site.origin,
        SiteDomain=urlsplit(site.base_url).hostname or "",
        FunctionCodeBucket=code_bucket,
        FunctionCodeKey=artefact.key,
    )
    if os.environ.get(CERTIFICATE_VARIABLE):
        chosen["CertificateArn"] = os.environ[CERTIFICATE_VARIABLE]
    if os.environ.get(EDGE_WEB_ACL_VARIABLE):
        chosen["EdgeWebAclArn"] = os.environ[EDGE_WEB_ACL_VARIABLE]
    return chosen


def origin_secret(description: dict[str, Any] | None) -> dict[str, str]:
    """A new origin secret for a stack that has none yet; nothing, so the stack keeps its own.

    Generated once, like the certificate it is kept across deploys: CloudFormation shows a
    NoEcho value as `****`, and the deploy then asks it to use the previous value.
    """
    held = {p["ParameterKey"] for p in (description or {}).get("Parameters", [])}
    return {} if ORIGIN_SECRET in held else {ORIGIN_SECRET: secrets.token_urlsafe(32)}
