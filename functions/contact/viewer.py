"""Who sent a request: whether it came through the site's CDN, and the visitor's address.

Behind CloudFront, API Gateway's source address is the edge server's, shared by every visitor
it serves; CloudFront names the visitor in `CloudFront-Viewer-Address`. Anyone can write that
header on a request sent straight to the API's `execute-api` URL, so it is believed only on
requests that carry the secret the distribution adds to each request it forwards
(`X-Origin-Verify`, generated once by the deploy). With a secret configured, a request without
it is refused; without one (a local run outside the preview), no forwarded header is believed.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping

# Lower-case, as API Gateway's payload 2.0 hands headers over.
ORIGIN_SECRET_HEADER = "x-origin-verify"
VIEWER_ADDRESS_HEADER = "cloudfront-viewer-address"
# An IPv6 visitor's network: a home or a phone gets a /64 (RFC 6177) and picks any of its 2^64
# addresses at will, so one address would be one visitor in name only.
IPV6_VISITOR_PREFIX = 64


def came_through_the_cdn(headers: Mapping[str, str], secret: str) -> bool:
    """Whether the request carries the distribution's secret; any request does without one."""
    if not secret:
        return True
    given = headers.get(ORIGIN_SECRET_HEADER)
    return given is not None and hmac.compare_digest(given.encode(), secret.encode())


def viewer_ip(header: str) -> str | None:
    """The IP address in a `CloudFront-Viewer-Address` value, or None when it is not one.

    CloudFront writes `IP:port`, an IPv6 address without brackets (`2001:db8::1:46532`); the
    bracketed form is read too. An address comes back in one spelling, so a visitor is one
    key however it is written.

    >>> viewer_ip("198.51.100.10:46532"), viewer_ip("2001:DB8:0:0:0:0:0:1:443")
    ('198.51.100.10', '2001:db8::1')
    """
    text = header.strip()
    if text.startswith("["):
        address, separator, port = text[1:].partition("]:")
    else:
        address, separator, port = text.rpartition(":")
    if not (separator and port.isascii() and port.isdigit() and int(port) <= 65535):
        return None
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def visitor_key(address: str) -> str:
    """What the per-visitor limit counts for an address: itself, or its /64 when IPv6.

    >>> visitor_key("203.0.113.7"), visitor_key("2001:db8:1:2::12"), visitor_key("::ffff:192.0.2.1")
    ('203.0.113.7', '2001:db8:1:2::/64', '192.0.2.1')
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_VISITOR_PREFIX}", strict=False))
    return str(ip)


def visitor_address(headers: Mapping[str, str], source_ip: str, secret: str) -> str:
    """Whom the per-visitor limit counts: the viewer behind the CDN, else the source; an IPv6
    visitor by its /64 (`visitor_key`)."""
    if secret and came_through_the_cdn(headers, secret):
        viewer = viewer_ip(headers.get(VIEWER_ADDRESS_HEADER) or "")
        if viewer is not None:
            return visitor_key(viewer)
    return visitor_key(source_ip)
