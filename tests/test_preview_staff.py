"""The preview's staff side, as a browser meets it: the sign-in line, the config, Cognito
through `/_cognito/` (and only the calls a sign-in needs), and the staff API behind the JWT
check, with a sign-out the API notices at once.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.support.contact import valid_fields
from tests.support.preview import Preview, post_json, running_preview
from tests.support.staff import sign_in_first_time


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    with running_preview(tmp_path_factory.mktemp("preview-staff")) as running:
        yield running


def fetch(
    preview: Preview, method: str, path: str, body: Any = None, headers: dict | None = None
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(
        preview.url + path,
        data=None if body is None else json.dumps(body).encode("utf-8"),
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def page_cognito(config: dict[str, str]) -> Any:
    """Cognito as the page reaches it: the preview's `/_cognito/`, signing nothing that counts."""
    return boto3.client(
        "cognito-idp",
        endpoint_url=config["cognito_endpoint"],
        region_name=config["region"],
        aws_access_key_id="page",
        aws_secret_access_key="page",
    )


@pytest.fixture(scope="module")
def config(preview: Preview) -> dict[str, str]:
    status, headers, body = fetch(preview, "GET", "/admin/config.json")
    assert status == 200
    assert headers["cache-control"] == "no-cache"
    return json.loads(body)


def test_preview_staff_prints_one_sign_in_line_for_this_preview(preview: Preview) -> None:
    url, email, password = preview.staff_sign_in()
    assert url == f"{preview.url}/admin/"
    assert email == "palata2020@bk.ru"  # operator_email in content/site.toml
    assert len(password) >= 12


def test_preview_staff_config_names_the_pool_and_the_previews_cognito(
    preview: Preview, config: dict[str, str]
) -> None:
    assert set(config) == {"region", "user_pool_id", "client_id", "cognito_endpoint"}
    assert config["cognito_endpoint"] == f"{preview.url}/_cognito/"
    assert config["user_pool_id"].startswith(config["region"] + "_")


def test_preview_staff_cognito_forwards_only_what_a_sign_in_needs(
    preview: Preview, config: dict[str, str]
) -> None:
    with pytest.raises(ClientError) as refused:
        page_cognito(config).admin_create_user(
            UserPoolId=config["user_pool_id"], Username="intruder@example.kz"
        )
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    moto = boto3.client(
        "cognito-idp",
        endpoint_url=preview.endpoint_url,
        region_name="eu-central-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    users = moto.list_users(UserPoolId=config["user_pool_id"])["Users"]
    assert "intruder@example.kz" not in {user["Username"] for user in users}


def test_preview_staff_first_sign_in_reads_a_new_message_and_signs_out(
    preview: Preview, config: dict[str, str]
) -> None:
    from preview.staff_pool import StaffPool

    _, email, password = preview.staff_sign_in()
    pool = StaffPool(config["region"], config["user_pool_id"], config["client_id"])
    cognito = page_cognito(config)
    tokens = sign_in_first_time(cognito, pool, email, password)
    bearer = {"Authorization": f"Bearer {tokens['AccessToken']}"}

    status, answer = post_json(preview, valid_fields(email="preview.staff@example.kz"))
    assert status == 201, answer
    status, headers, body = fetch(preview, "GET", "/api/staff/inbox", headers=bearer)
    assert status == 200
    assert headers["cache-control"] == "no-store"
    assert answer["id"] in [message["id"] for message in json.loads(body)["messages"]]
    status, _, body = fetch(preview, "GET", "/api/staff/status", headers=bearer)
    assert json.loads(body) == {"signed_in_as": email}

    cognito.global_sign_out(AccessToken=tokens["AccessToken"])
    status, _, body = fetch(preview, "GET", "/api/staff/inbox", headers=bearer)
    assert status == 401
    assert json.loads(body) == {"error": "unauthorized"}


def test_preview_staff_api_without_a_token_is_refused_by_the_gateway(preview: Preview) -> None:
    status, _, body = fetch(preview, "GET", "/api/staff/inbox")
    assert status == 401
    assert json.loads(body) == {"message": "Unauthorized"}
