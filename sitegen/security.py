"""The site's security headers: the one place that knows their values.

The Content-Security-Policy depends on build output: the pages inline their critical CSS (so
a page paints after one round trip) and the CSP allows exactly that CSS by its SHA-256 hash.
So the build computes the headers with `security_headers(site, style_hashes)` and writes them
to `dist/_headers.json`; the preview server and the deploy read them back with
`headers_for(out_dir)` and send them with every response. Scripts are external files only,
so the CSP never needs `unsafe-inline` for scripts (nor for styles).
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from sitecontent.site import Site

HEADERS_FILE = "_headers.json"

# Hosts each analytics service needs, as their documentation lists them:
# Google: developers.google.com/tag-platform/security/guides/csp (GA4 without Signals);
# Yandex: yandex.ru/support/metrica/code/install-counter-csp.html.
GOOGLE_ANALYTICS_SOURCES = {
    "script-src": ("https://*.googletagmanager.com",),
    "img-src": ("https://*.google-analytics.com", "https://*.googletagmanager.com"),
    "connect-src": (
        "https://*.google-analytics.com",
        "https://*.analytics.google.com",
        "https://*.googletagmanager.com",
    ),
}
YANDEX_METRICA_SOURCES = {
    "script-src": ("https://mc.yandex.ru", "https://yastatic.net"),
    "img-src": ("https://mc.yandex.ru",),
    "connect-src": ("https://mc.yandex.ru",),
}


def style_hash(css: str) -> str:
    """The CSP source that allows exactly this inline `<style>` content."""
    digest = hashlib.sha256(css.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(site: Site, style_hashes: tuple[str, ...]) -> str:
    """The CSP for every page, allowing analytics hosts only when the site names ids."""
    directives: dict[str, list[str]] = {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": list(style_hashes) or ["'none'"],
        "img-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
    extra: list[dict[str, tuple[str, ...]]] = []
    if site.analytics.google_analytics_id:
        extra.append(GOOGLE_ANALYTICS_SOURCES)
    if site.analytics.yandex_metrica_id:
        extra.append(YANDEX_METRICA_SOURCES)
    for sources in extra:
        for directive, hosts in sources.items():
            directives[directive].extend(h for h in hosts if h not in directives[directive])
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def cognito_origin(region: str) -> str:
    """Where the staff inbox signs in: Amazon Cognito's user pool API in the stack's region."""
    return f"https://cognito-idp.{region}.amazonaws.com"


def _directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for directive in policy.split(";"):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


def admin_headers(site_headers: dict[str, str], sign_in_origin: str = "") -> dict[str, str]:
    """The headers of `/admin/`: the site's, with a CSP that lets it reach only itself and
    Cognito, and nothing of analytics even where the site has them.

    The build cannot know the stack's region, so the deploy calls this with
    `cognito_origin(region)` for the CDN's `/admin/*` behaviour; the preview forwards Cognito
    through its own origin (`/_cognito/`), so there `sign_in_origin` is empty: `'self'` only.
    """
    site_policy = _directives(site_headers["Content-Security-Policy"])
    directives = {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        # The site's CSP lists the hashes of both inlined stylesheets, the public pages' and this.
        "style-src": site_policy["style-src"],
        "img-src": ["'self'"],
        "connect-src": ["'self'", *([sign_in_origin] if sign_in_origin else [])],
        "form-action": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
    policy = "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())
    # No referrer at all: the page's address may name a message (`#<id>` is never sent, but
    # nothing else from here needs to be either).
    return {**site_headers, "Content-Security-Policy": policy, "Referrer-Policy": "no-referrer"}


def security_headers(site: Site, style_hashes: tuple[str, ...] = ()) -> dict[str, str]:
    """Every security header the site is served with."""
    return {
        "Content-Security-Policy": content_security_policy(site, style_hashes),
        "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Content-Type-Options": "nosniff",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        "X-Frame-Options": "DENY",
    }


def headers_file_text(headers: dict[str, str]) -> str:
    """The content of `_headers.json`, which `headers_for` reads back."""
    return json.dumps(headers, indent=2, sort_keys=True) + "\n"


def headers_for(out_dir: Path) -> dict[str, str]:
    """The security headers for the site built into `out_dir`."""
    return json.loads((Path(out_dir) / HEADERS_FILE).read_text(encoding="utf-8"))
