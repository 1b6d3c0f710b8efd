"""The preview's stand-in for API Gateway: requests become HTTP API 2.0 events, and back.

Each event is read back through Powertools, which the handler uses, and each answer comes from a
real Powertools resolver, so the stand-in is checked against the library rather than itself.
"""

from __future__ import annotations

import base64
import json

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.shared.cookies import Cookie
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from preview.lambda_events import http_api_event, http_response

FORM_BODY = "last_name=%D0%90%D0%B1%D0%B0%D0%B9&phone=1&phone=2&consent=on".encode("ascii")
JSON_BODY = json.dumps({"last_name": "Әбілқайыр", "phone": ["+77011234567"]}).encode()


def _event(method="POST", target="/api/contact", headers=(), body=b"", source_ip="127.0.0.1"):
    return APIGatewayProxyEventV2(http_api_event(method, target, body, list(headers), source_ip))


def test_http_api_event_describes_the_request_as_api_gateway_does():
    event = _event(headers=[("Content-Type", "application/json"), ("Host", "127.0.0.1:8000")])

    assert event.version == "2.0"
    assert event.raw_path == "/api/contact"
    assert event.request_context.http.method == "POST"
    assert event.request_context.http.path == "/api/contact"
    assert event.request_context.http.source_ip == "127.0.0.1"
    assert event.request_context.domain_name == "127.0.0.1:8000"
    assert event["routeKey"] == event.request_context.route_key == "$default"


def test_http_api_event_passes_json_as_text_with_every_letter_intact():
    event = _event(headers=[("Content-Type", "application/json; charset=utf-8")], body=JSON_BODY)

    assert event.is_base64_encoded is False
    assert json.loads(event.body)["last_name"] == "Әбілқайыр"


def test_http_api_event_base64_encodes_a_form_post_like_api_gateway():
    headers = [("Content-Type", "application/x-www-form-urlencoded")]
    event = _event(headers=headers, body=FORM_BODY)

    assert event.is_base64_encoded is True
    assert event.decoded_body == FORM_BODY.decode("ascii")


def test_http_api_event_lower_cases_names_and_joins_repeated_headers():
    headers = [("Origin", "http://127.0.0.1:8000"), ("Accept", "text/html"), ("accept", "*/*")]
    event = _event(headers=headers)

    assert event.headers["origin"] == "http://127.0.0.1:8000"
    assert event.headers["accept"] == "text/html,*/*"
    assert set(event.raw_event["headers"]) == {"origin", "accept"}


def test_http_api_event_moves_cookies_and_query_parameters_to_their_fields():
    event = _event(
        method="GET",
        target="/api/openapi.json?lang=ru&lang=en&empty=",
        headers=[("Cookie", "analytics=declined; theme=dark")],
    )

    assert event.cookies == ["analytics=declined", "theme=dark"]
    assert "cookie" not in event.headers
    assert event["rawQueryString"] == "lang=ru&lang=en&empty="
    assert event.query_string_parameters == {"lang": "ru,en", "empty": ""}
    assert event.raw_path == "/api/openapi.json"


def test_http_api_event_without_a_body_has_none():
    event = _event(method="GET", target="/api/openapi.json")

    assert event.body is None
    assert event.is_base64_encoded is False


def test_http_api_event_base64_encodes_bytes_that_are_not_utf8():
    body = b"\xff\xfe not text"
    event = _event(headers=[("Content-Type", "application/json")], body=body)

    assert event.is_base64_encoded is True
    assert base64.b64decode(event.body) == body


@pytest.fixture
def resolver() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver()

    @app.post("/api/contact")
    def contact() -> Response:
        form = app.current_event.decoded_body
        return Response(
            status_code=303,
            content_type="text/plain",
            body=f"received {form}",
            headers={"Location": "/ru/thanks/"},
            cookies=[Cookie(name="sent", value="1"), Cookie(name="lang", value="ru")],
        )

    @app.get("/api/logo")
    def logo() -> Response:
        return Response(status_code=200, content_type="image/png", body=b"\x89PNG\r\n")

    return app


def test_http_response_round_trips_a_form_post_through_a_resolver(resolver):
    headers = [("Content-Type", "application/x-www-form-urlencoded")]
    event = http_api_event("POST", "/api/contact", FORM_BODY, headers)

    response = http_response(resolver.resolve(event, {}))

    assert response.status == 303
    assert ("Location", "/ru/thanks/") in response.headers
    assert response.body == b"received " + FORM_BODY
    cookies = [value for name, value in response.headers if name == "Set-Cookie"]
    assert [cookie.split(";")[0] for cookie in cookies] == ["sent=1", "lang=ru"]


def test_http_response_decodes_a_base64_body(resolver):
    event = http_api_event("GET", "/api/logo")

    response = http_response(resolver.resolve(event, {}))

    assert response.status == 200
    assert response.body == b"\x89PNG\r\n"


def test_http_response_answers_an_unknown_route_as_the_resolver_does(resolver):
    event = http_api_event("GET", "/api/missing")

    response = http_response(resolver.resolve(event, {}))

    assert response.status == 404


def test_http_response_takes_a_bare_result_as_200_json():
    response = http_response({"status": "ok"})

    assert response.status == 200
    assert ("Content-Type", "application/json") in response.headers
    assert json.loads(response.body) == {"status": "ok"}
