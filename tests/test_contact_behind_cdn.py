"""Behind CloudFront: the visitor's address from the CDN, trusted only with the origin secret."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from functions.contact import runtime
from functions.contact.app import handler
from preview.lambda_events import LocalLambdaContext, http_api_event
from tests.support.contact import (  # noqa: F401 (an autouse fixture)
    FORM_HEADERS,
    JSON_HEADERS,
    ContactFunction,
    personal_data_kept_out_of_logs,
    valid_fields,
)

SECRET = "the-secret-the-deploy-generated"
SECRET_HEADER = "x-origin-verify"
# One CloudFront edge server, in front of many visitors.
EDGE = "130.176.10.20"
LIMIT = 2


@pytest.fixture
def limited(contact: ContactFunction, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The per-address limit on, at two posts a minute."""
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", str(LIMIT))
    runtime.reset()
    yield
    monkeypatch.undo()
    runtime.reset()


@pytest.fixture
def behind_cdn(limited: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The function as the deploy configures it: the distribution's secret is set."""
    monkeypatch.setenv("ORIGIN_SECRET", SECRET)
    runtime.reset()


def through_the_cdn(viewer: str | None, headers: dict[str, str] = JSON_HEADERS) -> dict:
    """The headers CloudFront sends the API for a visitor at `viewer` (`ip:port`)."""
    sent = {**headers, SECRET_HEADER: SECRET}
    if viewer is not None:
        sent["cloudfront-viewer-address"] = viewer
    return sent


def post(contact: ContactFunction, headers: dict[str, str], source_ip: str = EDGE) -> int:
    fields = valid_fields()
    contact.remember(fields.items())
    return contact.post(json.dumps(fields), headers, source_ip=source_ip)["statusCode"]


def test_cdn_visitors_behind_one_edge_each_get_their_own_limit(
    contact: ContactFunction, behind_cdn: None
) -> None:
    first = [post(contact, through_the_cdn("203.0.113.7:50001")) for _ in range(LIMIT + 1)]
    # Another visitor reaching the same edge server is not held back by the first.
    second = post(contact, through_the_cdn("198.51.100.23:61000"))
    assert first == [201] * LIMIT + [429]
    assert second == 201


def test_cdn_one_visitor_on_new_ports_is_still_one_visitor(
    contact: ContactFunction, behind_cdn: None
) -> None:
    answers = [post(contact, through_the_cdn(f"203.0.113.8:{port}")) for port in (1, 2, 3)]
    assert answers == [201, 201, 429]


def test_cdn_an_ipv6_visitor_is_one_visitor_however_the_address_is_written(
    contact: ContactFunction, behind_cdn: None
) -> None:
    written = ["2001:db8::7:46532", "[2001:db8::7]:46533", "2001:0db8:0:0:0:0:0:0007:46534"]
    assert [post(contact, through_the_cdn(viewer)) for viewer in written] == [201, 201, 429]


def test_cdn_an_ipv6_visitor_counts_as_its_64_network(
    contact: ContactFunction, behind_cdn: None
) -> None:
    # One home network hands out any of its 2^64 addresses: twelve of them are one visitor,
    answers = [post(contact, through_the_cdn(f"2001:db8:1:2::{n}:4430")) for n in range(1, 13)]
    assert answers == [201] * LIMIT + [429] * (12 - LIMIT)
    # and the next network is another visitor.
    assert post(contact, through_the_cdn("[2001:db8:1:3::1]:4430")) == 201


def test_an_ipv6_source_without_a_cdn_counts_as_its_64_network(
    contact: ContactFunction, limited: None
) -> None:
    answers = [post(contact, JSON_HEADERS, source_ip=f"2001:db8:5:6::{n}") for n in range(1, 6)]
    assert answers == [201] * LIMIT + [429] * (5 - LIMIT)


@pytest.mark.parametrize("secret", [None, "", "a-guess", SECRET.upper(), SECRET + "x"], ids=repr)
@pytest.mark.parametrize("headers", [JSON_HEADERS, FORM_HEADERS], ids=["json", "form"])
def test_cdn_request_without_the_secret_is_refused_with_403(
    contact: ContactFunction, behind_cdn: None, secret: str | None, headers: dict[str, str]
) -> None:
    # Straight to the execute-api URL, past the CDN: its viewer address could be anything.
    fields = valid_fields()
    contact.remember(fields.items())
    sent = {**headers, "cloudfront-viewer-address": "192.0.2.1:1"}
    if secret is not None:
        sent[SECRET_HEADER] = secret
    body = json.dumps(fields) if headers is JSON_HEADERS else "locale=en"
    answer = contact.post(body, sent)
    assert answer["statusCode"] == 403
    if headers is JSON_HEADERS:
        assert json.loads(answer["body"]) == {"errors": {"request": "direct_request"}}
    else:
        assert answer["headers"]["Content-Type"].startswith("text/html")
    assert contact.item_for(fields) is None


@pytest.mark.parametrize(("method", "path"), [("GET", "/api/openapi.json"), ("GET", "/api/x")])
def test_cdn_every_route_refuses_a_request_without_the_secret(
    contact: ContactFunction, behind_cdn: None, method: str, path: str
) -> None:
    answer = handler(http_api_event(method, path), LocalLambdaContext())
    assert answer["statusCode"] == 403
    with_secret = http_api_event(method, path, headers={SECRET_HEADER: SECRET})
    assert handler(with_secret, LocalLambdaContext())["statusCode"] != 403


@pytest.mark.parametrize("viewer", [None, "", "not-an-address", "203.0.113.9", "::1"])
def test_cdn_without_a_readable_viewer_address_counts_the_edge(
    contact: ContactFunction, behind_cdn: None, viewer: str | None
) -> None:
    # CloudFront always sends it; should it not, the edge's own address is the brake's key.
    answers = [post(contact, through_the_cdn(viewer)) for _ in range(LIMIT + 1)]
    assert answers == [201] * LIMIT + [429]
    assert post(contact, through_the_cdn(viewer), source_ip="130.176.10.21") == 201


def test_without_a_secret_no_forwarded_address_is_trusted(
    contact: ContactFunction, limited: None
) -> None:
    # Local runs outside the preview: anyone could write the header, so it counts for nothing.
    answers = [
        post(contact, {**JSON_HEADERS, "cloudfront-viewer-address": f"192.0.2.{n}:1"})
        for n in range(LIMIT + 1)
    ]
    assert answers == [201] * LIMIT + [429]


@pytest.mark.parametrize(
    ("header", "address"),
    [
        ("198.51.100.10:46532", "198.51.100.10"),
        (" 198.51.100.10:1 ", "198.51.100.10"),
        ("2001:db8::1:46532", "2001:db8::1"),
        ("[2001:db8::1]:46532", "2001:db8::1"),
        ("0000:0000:0000:0000:0000:0000:0000:0001:52325", "::1"),
        ("2001:DB8:0:0:0:0:0:1:443", "2001:db8::1"),
        ("198.51.100.10", None),
        ("198.51.100.10:", None),
        ("198.51.100.10:port", None),
        ("198.51.100.10:99999", None),
        ("[2001:db8::1]", None),
        ("[2001:db8::1]46532", None),
        ("999.1.1.1:80", None),
        ("example.kz:443", None),
        ("198.51.100.10:1, 203.0.113.1:2", None),
        ("", None),
    ],
)
def test_viewer_address_reads_cloudfronts_ip_and_port(header: str, address: str | None) -> None:
    from functions.contact.viewer import viewer_ip

    assert viewer_ip(header) == address
