"""What a submission leaves in DynamoDB: one item, encrypted, stored once per idempotency key."""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections import Counter
from collections.abc import Iterator

import aws_encryption_sdk.caches
import boto3
import botocore.client
import pytest
from aws_lambda_powertools.utilities.data_masking.exceptions import DataMaskingContextMismatchError

from functions import email_address, personal_data
from infra.cloudformation import load_template
from tests.support.contact import (  # noqa: F401 (an autouse fixture)
    CURRENT_POLICY_VERSION,
    ContactFunction,
    captured_output,
    personal_data_kept_out_of_logs,
    valid_fields,
)
from tests.support.stack import REGION

ITEM_ATTRIBUTES = {
    "id",
    "created_at",
    "locale",
    "policy_version",
    "status",
    "consents",
    "personal_data",
    "email_hash",
    # The key of the inbox's sparse index, until the submission is answered.
    "awaiting_answer",
}
CREATED_AT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


class CacheClock:
    """The clock the Encryption SDK's data-key cache ages its entries by, set by the test."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def cache_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[CacheClock]:
    """A fresh data masker whose data-key cache runs on a clock the test moves."""
    clock = CacheClock()
    # The SDK's cache module reads `time.time()`; the test turns its hands instead of waiting.
    monkeypatch.setattr(aws_encryption_sdk.caches, "time", clock)
    personal_data.data_masker.cache_clear()
    yield clock
    personal_data.data_masker.cache_clear()


def _listed(value: object) -> list:
    return value if isinstance(value, list) else [value]


def form_pairs(fields: dict) -> list[tuple[str, str]]:
    """The fields as a form post sends them: ticked boxes "on", unticked ones left out."""
    pairs = [(name, "on" if value is True else value) for name, value in fields.items()]
    return [(n, v) for n, value in pairs if value is not False for v in _listed(value)]


def marketing_given(item: dict) -> bool:
    return item["consents"]["M"]["marketing"]["M"]["given"]["BOOL"]


def test_storage_item_has_exactly_the_contract_attributes(contact: ContactFunction) -> None:
    fields = valid_fields(marketing=True, locale="en")
    answer = contact.post_json(fields)
    submission_id = json.loads(answer["body"])["id"]
    item = contact.item(submission_id)
    assert item is not None
    assert set(item) == ITEM_ATTRIBUTES
    assert str(uuid.UUID(item["id"]["S"])) == submission_id
    assert CREATED_AT.match(item["created_at"]["S"])
    assert item["locale"] == {"S": "en"}
    assert item["policy_version"] == {"S": CURRENT_POLICY_VERSION}
    assert item["status"] == {"S": "active"}
    assert item["awaiting_answer"] == {"S": "yes"}
    created = item["created_at"]["S"]
    assert item["consents"] == {
        "M": {
            "processing": {"M": {"given": {"BOOL": True}, "at": {"S": created}}},
            "marketing": {"M": {"given": {"BOOL": True}, "at": {"S": created}}},
        }
    }


def test_storage_scan_of_every_table_finds_no_submitted_value(contact: ContactFunction) -> None:
    fields = valid_fields(
        last_name="Серікбаева",
        first_name="Меруерт",
        patronymic="Болатқызы",
        email="Meruert.Serikbayeva@Example.kz",
        phone=["+7 (702) 555-01-23", "+44 20 7946 0958"],
        message="Мой адрес: Алматы, Абая 10",
    )
    assert contact.post_json(fields)["statusCode"] == 201
    secrets = [
        "Серікбаева",
        "Меруерт",
        "Болатқызы",
        "Meruert.Serikbayeva@Example.kz",
        "meruert.serikbayeva@example.kz",
        "Meruert",
        "+77025550123",
        "7025550123",
        "+442079460958",
        "Алматы",
    ]
    tables = contact.tables()
    assert len(tables) >= 2  # submissions and audit
    for table in tables:
        for item in contact.items(table):
            text = json.dumps(item, ensure_ascii=False)
            blob = base64.b64decode(item["personal_data"]["S"]) if "personal_data" in item else b""
            for secret in secrets:
                assert secret not in text
                assert secret.encode("utf-8") not in blob
                assert secret.casefold() not in text.casefold()


def test_storage_operator_decrypts_exactly_what_was_sent(contact: ContactFunction) -> None:
    fields = valid_fields(
        patronymic=None, phone=["+7 701 234 5678", "+1 650 253 0000"], message=None
    )
    contact.post_json(fields)
    item = contact.item_for(fields)
    assert item is not None
    assert contact.personal_data(item) == {
        "last_name": fields["last_name"],
        "first_name": fields["first_name"],
        "patronymic": None,
        "email": fields["email"],
        "phones": ["+77012345678", "+16502530000"],
        "message": None,
    }


def test_storage_blob_does_not_decrypt_under_another_items_context(
    contact: ContactFunction,
) -> None:
    first, second = valid_fields(), valid_fields()
    contact.post_json(first)
    contact.post_json(second)
    first_item, second_item = contact.item_for(first), contact.item_for(second)
    assert first_item is not None and second_item is not None
    with pytest.raises(DataMaskingContextMismatchError):
        personal_data.decrypt_personal_data(
            contact.environment["DATA_KEY_ARN"],
            second_item["id"]["S"],
            first_item["personal_data"]["S"],
        )


def test_storage_email_hash_finds_the_item_for_the_operator(contact: ContactFunction) -> None:
    fields = valid_fields(email="Aigerim.Ospan@Example.KZ")
    contact.post_json(fields)
    kms = boto3.client("kms", region_name=REGION)
    wanted = email_address.email_hash(
        kms, contact.environment["EMAIL_HASH_KEY_ARN"], "  aigerim.ospan@example.kz "
    )
    found = boto3.client("dynamodb", region_name=REGION).query(
        TableName=contact.environment["SUBMISSIONS_TABLE"],
        IndexName="by-email-hash",
        KeyConditionExpression="email_hash = :hash",
        ExpressionAttributeValues={":hash": {"S": wanted}},
    )["Items"]
    assert [item["id"]["S"] for item in found] == [contact.item_for(fields)["id"]["S"]]


@pytest.mark.parametrize("body_type", ["json", "form"])
def test_storage_retry_with_same_key_stores_once_and_answers_the_same(
    contact: ContactFunction, body_type: str
) -> None:
    fields = valid_fields()
    if body_type == "json":
        answers = [contact.post_json(fields) for _ in range(3)]
        assert {answer["statusCode"] for answer in answers} == {201}
        assert len({answer["body"] for answer in answers}) == 1
    else:
        pairs = [(name, "on" if value is True else value) for name, value in fields.items()]
        pairs = [(n, v) for n, value in pairs if value is not False for v in _listed(value)]
        answers = [contact.post_form(pairs) for _ in range(3)]
        assert [answer["statusCode"] for answer in answers] == [303, 303, 303]
        assert {answer["headers"]["Location"] for answer in answers} == {"/ru/thanks/"}
    item_id = contact.item_for(fields)["id"]["S"]
    assert sum(1 for item in contact.items() if item["id"]["S"] == item_id) == 1


@pytest.mark.parametrize("body_type", ["json", "form"])
def test_storage_same_key_with_corrected_content_is_stored_as_its_own_submission(
    contact: ContactFunction, body_type: str
) -> None:
    # Given a visitor who sent the form, went back to it (the page came back from the browser's
    # cache with the same key), fixed a typo in their email and unticked marketing
    first = valid_fields(email="ulzhan.abilkasym@exmaple.kz", marketing=True)
    corrected = {**first, "email": "ulzhan.abilkasym@example.kz", "marketing": False}
    # When both are sent
    for fields in (first, corrected):
        if body_type == "json":
            assert contact.post_json(fields)["statusCode"] == 201
        else:
            assert contact.post_form(form_pairs(fields))["statusCode"] == 303
    # Then each is stored as it was sent: the correction is not dropped
    ids = contact.put_attempts[first["idempotency_key"]]
    stored = [contact.item(submission_id) for submission_id in ids]
    assert len(ids) == 2 and None not in stored
    held = [(contact.personal_data(item)["email"], marketing_given(item)) for item in stored]
    assert held == [("ulzhan.abilkasym@exmaple.kz", True), ("ulzhan.abilkasym@example.kz", False)]


def test_storage_same_key_with_corrected_content_answers_with_the_new_id(
    contact: ContactFunction,
) -> None:
    first = valid_fields(marketing=True)
    first_answer = json.loads(contact.post_json(first)["body"])
    corrected_answer = json.loads(contact.post_json({**first, "marketing": False})["body"])
    repeated_answer = json.loads(contact.post_json({**first, "marketing": False})["body"])
    assert corrected_answer["id"] != first_answer["id"]
    assert repeated_answer == corrected_answer
    assert not marketing_given(contact.item(corrected_answer["id"]))
    assert marketing_given(contact.item(first_answer["id"]))


def test_storage_same_key_with_the_same_content_written_differently_is_one_submission(
    contact: ContactFunction,
) -> None:
    # A retry may spell the same phone number or spaces differently: what is stored is the same.
    fields = valid_fields(phone=["+7 701 234 5678"], first_name="Ұлжан")
    again = {**fields, "phone": ["8 (701) 234-56-78"], "first_name": " Ұлжан "}
    answers = [json.loads(contact.post_json(body)["body"]) for body in (fields, again)]
    assert answers[0] == answers[1]
    assert len(contact.put_attempts[fields["idempotency_key"]]) == 1


def test_storage_without_idempotency_key_each_post_is_its_own_item(
    contact: ContactFunction,
) -> None:
    # A browser without JavaScript sends no key: the function makes one per post.
    fields = valid_fields(idempotency_key=None)
    ids = {json.loads(contact.post_json(fields)["body"])["id"] for _ in range(2)}
    assert len(ids) == 2
    assert all(contact.item(submission_id) is not None for submission_id in ids)


@pytest.mark.parametrize("body_type", ["json", "form"])
def test_storage_honeypot_looks_like_success_and_stores_nothing(
    contact: ContactFunction, body_type: str
) -> None:
    fields = valid_fields(website="http://spam.example")
    if body_type == "json":
        answer = contact.post_json(fields)
        assert answer["statusCode"] == 201
        assert json.loads(answer["body"])["status"] == "received"
    else:
        fields["locale"] = "en"
        pairs = [(name, "on" if value is True else value) for name, value in fields.items()]
        pairs = [(n, v) for n, value in pairs if value is not False for v in _listed(value)]
        answer = contact.post_form(pairs)
        assert answer["statusCode"] == 303
        assert answer["headers"]["Location"] == "/en/thanks/"
    assert contact.item_for(fields) is None


def test_storage_steady_state_costs_one_write_and_one_kms_call(
    contact: ContactFunction, aws_calls: Counter[str]
) -> None:
    contact.post_json(valid_fields())  # the data key is cached from here on
    aws_calls.clear()
    for _ in range(20):
        assert contact.post_json(valid_fields())["statusCode"] == 201
    assert aws_calls == Counter({"dynamodb.PutItem": 20, "kms.GenerateMac": 20})


def test_storage_one_data_key_per_cache_window(
    contact: ContactFunction, aws_calls: Counter[str], cache_clock: CacheClock
) -> None:
    window = personal_data.DATA_KEY_CACHE_SECONDS
    started = cache_clock.now
    data_keys = []
    for offset in (0, 1, window - 1, window + 1, window + 2, 2 * window + 2):
        cache_clock.now = started + offset
        aws_calls.clear()
        assert contact.post_json(valid_fields())["statusCode"] == 201
        data_keys.append(aws_calls["kms.GenerateDataKey"])
    # A cold start asks KMS for a data key, and so does the first submission after it expires.
    assert data_keys == [1, 0, 0, 1, 0, 1]


def test_storage_operator_decrypts_a_windows_blobs_with_one_kms_call(
    contact: ContactFunction, aws_calls: Counter[str], cache_clock: CacheClock
) -> None:
    posted = [valid_fields(first_name=name) for name in ("Айгерім", "Дәулет", "Жанар")]
    for fields in posted:
        contact.post_json(fields)
    items = [contact.item_for(fields) for fields in posted]
    personal_data.data_masker.cache_clear()  # the operator's own process: nothing cached yet
    aws_calls.clear()
    names = [contact.personal_data(item)["first_name"] for item in items]
    assert names == ["Айгерім", "Дәулет", "Жанар"]
    assert aws_calls == Counter({"kms.Decrypt": 1})


def test_storage_function_never_decrypts(contact: ContactFunction, aws_calls: Counter[str]) -> None:
    # The function's role has no kms:Decrypt; its code must not need it either.
    for fields in (valid_fields(), valid_fields(email="bad"), valid_fields(website="x")):
        contact.post_json(fields)
    assert not any(call.endswith(".Decrypt") for call in aws_calls)


def _request_context(operation: str, params: dict) -> dict[str, list[str]]:
    """The IAM condition keys AWS would see for one of the function's requests."""
    context: dict[str, list[str]] = {}
    if "ReturnValues" in params:
        context["dynamodb:ReturnValues"] = [params["ReturnValues"]]
    if operation == "GenerateDataKey":
        encryption_context = params.get("EncryptionContext", {})
        context["kms:EncryptionContextKeys"] = sorted(encryption_context)
        for key, value in encryption_context.items():
            context[f"kms:EncryptionContext:{key}"] = [value]
    return context


def _satisfies(condition: dict, context: dict[str, list[str]]) -> bool:
    """IAM's evaluation of the condition operators the role's statements use."""
    for operator, keys in condition.items():
        for key, wanted in keys.items():
            wanted, actual = _listed(wanted), context.get(key)
            if operator == "StringEqualsIfExists":
                met = actual is None or all(value in wanted for value in actual)
            elif operator == "StringEquals":
                met = actual is not None and all(value in wanted for value in actual)
            elif operator == "ForAllValues:StringEquals":
                met = all(value in wanted for value in actual or [])
            else:
                raise AssertionError(f"condition operator {operator} not understood by this test")
            if not met:
                return False
    return True


def test_storage_function_requests_meet_the_roles_conditions(
    contact: ContactFunction, monkeypatch: pytest.MonkeyPatch, cache_clock: CacheClock
) -> None:
    # moto does not evaluate IAM conditions, so the test does, on the requests the function
    # really sends: a condition the code did not meet would deny it in AWS.
    sent: list[tuple[str, dict]] = []
    make_api_call = botocore.client.BaseClient._make_api_call

    def recording(self: botocore.client.BaseClient, operation: str, params: dict) -> dict:
        sent.append((f"{self.meta.service_model.service_name}:{operation}", dict(params)))
        return make_api_call(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    fields = valid_fields()
    for body in (fields, fields, valid_fields(marketing=True)):  # a cold cache, a repeat, more
        assert contact.post_json(body)["statusCode"] == 201
    statements = [
        statement
        for policy in load_template()["Resources"]["ContactFunctionRole"]["Properties"]["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
    ]
    for action, params in sent:
        (statement,) = [s for s in statements if action in _listed(s["Action"])]
        assert _satisfies(
            statement.get("Condition", {}), _request_context(action.split(":")[1], params)
        ), action
        assert "ReturnValuesOnConditionCheckFailure" not in params
    assert {action for action, _ in sent} == {
        "dynamodb:PutItem",
        "kms:GenerateDataKey",
        "kms:GenerateMac",
    }
    # And the evaluation is not vacuous: a put asking for the old item back is denied.
    (put,) = [s for s in statements if "dynamodb:PutItem" in _listed(s["Action"])]
    assert not _satisfies(
        put["Condition"], _request_context("PutItem", {"ReturnValues": "ALL_OLD"})
    )
    (generate,) = [s for s in statements if "kms:GenerateDataKey" in _listed(s["Action"])]
    other_context = {"EncryptionContext": {"purpose": "something-else"}}
    assert not _satisfies(generate["Condition"], _request_context("GenerateDataKey", other_context))


def test_storage_function_role_grants_no_decrypt() -> None:
    template = load_template()
    role = template["Resources"]["ContactFunctionRole"]["Properties"]
    actions = [
        action
        for policy in role.get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    ]
    assert "kms:GenerateDataKey" in actions
    assert not [a for a in actions if a.lower() in {"kms:decrypt", "kms:*", "*"}]
    assert role.get("ManagedPolicyArns", []) == []
