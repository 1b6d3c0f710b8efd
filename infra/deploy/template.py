"""The template a deploy sends, and the parameter values it chooses for it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from infra.cloudformation import TEMPLATE, loads
from infra.deploy.headers import HEADER_PARAMETERS, header_parameters
from infra.deploy.packaging import Artefact
from infra.local_aws import template_for_moto
from sitecontent.site import Site

# ACM certificate for the site's domain (us-east-1); set once, then each deploy keeps it.
CERTIFICATE_VARIABLE = "ESTIMATION_CERTIFICATE_ARN"


@dataclass(frozen=True)
class Template:
    """The body to send and the parameters it declares."""

    body: str
    parameters: dict[str, Any]


def load_template(endpoint_url: str | None) -> Template:
    """The template as written; for a local stand-in (`--endpoint-url`), moto's variant."""
    text = TEMPLATE.read_text(encoding="utf-8")
    parameters = loads(text).get("Parameters", {})
    # moto creates what it supports and fails on references to the rest (infra/local_aws.py).
    body = template_for_moto() if endpoint_url else text
    return Template(body, dict(parameters))


def chosen_parameters(
    template: Template, site: Site, headers: dict[str, str], code_bucket: str, artefact: Artefact
) -> dict[str, str]:
    """What this deploy decides: site origin and domain, code location, security headers."""
    chosen = {key: str(template.parameters[key].get("Default", "")) for key in HEADER_PARAMETERS}
    chosen.update(header_parameters(headers))
    chosen.update(
        SiteOrigin=site.origin,
        SiteDomain=urlsplit(site.base_url).hostname or "",
        FunctionCodeBucket=code_bucket,
        FunctionCodeKey=artefact.key,
    )
    if os.environ.get(CERTIFICATE_VARIABLE):
        chosen["CertificateArn"] = os.environ[CERTIFICATE_VARIABLE]
    return chosen
