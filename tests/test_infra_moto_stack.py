"""The template deploys into moto's CloudFormation, and what moto keeps is as declared.

moto creates the tables, keys, role, function, log group, site bucket and operator policy. It
skips CloudFront and API Gateway v2 (`preview.local_aws` drops them and whatever names them) and
forgets some settings (table SSE and recovery, the function's architecture); those are checked
in the template itself by `test_infra_template.py`.
"""

from __future__ import annotations

import ast
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from functions.personal_data import decrypt_personal_data, encrypt_personal_data
from preview.local_aws import LOCAL_REGION
from tests.support.aws_env import use_fake_aws_credentials
from tests.support.stack import Stack, deploy_stack


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with pytest.MonkeyPatch.context() as patch:
        use_fake_aws_credentials(patch)
        with mock_aws():
            yield deploy_stack("estimation-infra-test")


def client(service: str) -> Any:
    return boto3.client(service, region_name=LOCAL_REGION)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def stack_resource(stack: Stack, logical_id: str) -> str:
    answer = client("cloudformation").describe_stack_resource(
        StackName=stack.name, LogicalResourceId=logical_id
    )
    return answer["StackResourceDetail"]["PhysicalResourceId"]


@pytest.mark.parametrize("output", ["SubmissionsTableName", "AuditTableName"])
def test_stack_tables_on_demand_and_protected(stack: Stack, output: str) -> None:
    table = client("dynamodb").describe_table(TableName=stack.outputs[output])["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["DeletionProtectionEnabled"] is True


def test_stack_submissions_table_has_email_hash_and_inbox_indexes(stack: Stack) -> None:
    table = client("dynamodb").describe_table(TableName=stack.outputs["SubmissionsTableName"])
    indexes = {
        index["IndexName"]: [(k["AttributeName"], k["KeyType"]) for k in index["KeySchema"]]
        for index in table["Table"]["GlobalSecondaryIndexes"]
    }
    assert indexes == {
        "by-email-hash": [("email_hash", "HASH"), ("created_at", "RANGE")],
        "awaiting-answer": [("awaiting_answer", "HASH"), ("created_at", "RANGE")],
    }


def test_stack_keys_rotate_and_hmac_key_hashes(stack: Stack) -> None:
    kms = client("kms")
    assert kms.get_key_rotation_status(KeyId=stack.outputs["DataKeyArn"])["KeyRotationEnabled"]
    table_key = stack_resource(stack, "TableKey")
    assert kms.get_key_rotation_status(KeyId=table_key)["KeyRotationEnabled"]
    hmac_key = kms.describe_key(KeyId=stack.outputs["EmailHashKeyArn"])["KeyMetadata"]
    assert (hmac_key["KeySpec"], hmac_key["KeyUsage"]) == ("HMAC_256", "GENERATE_VERIFY_MAC")


def test_stack_function_role_may_only_put_encrypt_hash_and_log(stack: Stack) -> None:
    iam = client("iam")
    role = stack_resource(stack, "ContactFunctionRole")
    (name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
    document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
    if isinstance(document, str):
        # moto hands an inline policy back as the Python repr of what the template said.
        document = ast.literal_eval(document)
    granted = {
        (action, statement["Resource"])
        for statement in document["Statement"]
        for action in as_list(statement["Action"])
    }
    table_arn = client("dynamodb").describe_table(TableName=stack.outputs["SubmissionsTableName"])[
        "Table"
    ]["TableArn"]
    assert ("dynamodb:PutItem", table_arn) in granted
    assert ("kms:GenerateDataKey", stack.outputs["DataKeyArn"]) in granted
    assert ("kms:GenerateMac", stack.outputs["EmailHashKeyArn"]) in granted
    assert {action for action, _ in granted} == {
        "dynamodb:PutItem",
        "kms:GenerateDataKey",
        "kms:GenerateMac",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    }
    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert stack.outputs["OperatorPolicyArn"] not in {p["PolicyArn"] for p in attached}


def test_stack_operator_policy_decrypts_with_the_data_key(stack: Stack) -> None:
    iam = client("iam")
    arn = stack.outputs["OperatorPolicyArn"]
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]
    statements = {s["Sid"]: s for s in document["Document"]["Statement"]}
    assert statements["DecryptPersonalData"]["Resource"] == stack.outputs["DataKeyArn"]
    assert "kms:Decrypt" in statements["DecryptPersonalData"]["Action"]


def test_stack_function_is_bounded_with_its_environment(stack: Stack) -> None:
    functions = client("lambda")
    name = stack.outputs["ContactFunctionName"]
    config = functions.get_function_configuration(FunctionName=name)
    assert config["Runtime"] == "python3.13"
    assert config["Timeout"] == 10
    assert (
        functions.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 10
    )
    assert set(stack.environment) == {
        "SUBMISSIONS_TABLE",
        "DATA_KEY_ARN",
        "EMAIL_HASH_KEY_ARN",
        "SITE_ORIGIN",
        "ORIGIN_SECRET",
        "POWERTOOLS_SERVICE_NAME",
        "POWERTOOLS_METRICS_NAMESPACE",
    }
    assert stack.environment["SUBMISSIONS_TABLE"] == stack.outputs["SubmissionsTableName"]
    # Deployed without a CDN in front, the function believes no forwarded address.
    assert stack.environment["ORIGIN_SECRET"] == ""


def test_stack_function_logs_are_kept_for_a_bounded_time(stack: Stack) -> None:
    name = f"/aws/lambda/{stack.outputs['ContactFunctionName']}"
    (group,) = client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    assert group["retentionInDays"] == 90


def test_stack_site_bucket_is_encrypted(stack: Stack) -> None:
    encryption = client("s3").get_bucket_encryption(Bucket=stack.outputs["SiteBucketName"])
    (rule,) = encryption["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_stack_deletion_leaves_the_data_readable(stack: Stack) -> None:
    # Given a stack of its own holding a submission (this module's stack keeps serving the rest)
    doomed = deploy_stack("estimation-deleted")
    table = doomed.outputs["SubmissionsTableName"]
    keys = {
        "DataKey": doomed.outputs["DataKeyArn"],
        "EmailHashKey": doomed.outputs["EmailHashKeyArn"],
        "TableKey": stack_resource(doomed, "TableKey"),
    }
    submission_id = str(uuid.uuid4())
    blob = encrypt_personal_data(keys["DataKey"], submission_id, {"email": "a@example.kz"})
    client("dynamodb").put_item(
        TableName=table, Item={"id": {"S": submission_id}, "personal_data": {"S": blob}}
    )
    log_group = f"/aws/lambda/{doomed.outputs['ContactFunctionName']}"
    # When the stack is deleted
    cloudformation = client("cloudformation")
    cloudformation.delete_stack(StackName=doomed.name)
    assert not [
        s
        for s in cloudformation.list_stacks()["StackSummaries"]
        if s["StackName"] == doomed.name and s["StackStatus"] != "DELETE_COMPLETE"
    ]
    # Then the tables, the keys and the logs are still there, and the data still decrypts
    for output in ("SubmissionsTableName", "AuditTableName"):
        client("dynamodb").describe_table(TableName=doomed.outputs[output])
    for name, key in keys.items():
        state = client("kms").describe_key(KeyId=key)["KeyMetadata"]["KeyState"]
        assert state == "Enabled", f"{name} is {state}"
    stored = client("dynamodb").get_item(TableName=table, Key={"id": {"S": submission_id}})
    personal = decrypt_personal_data(
        keys["DataKey"], submission_id, stored["Item"]["personal_data"]["S"]
    )
    assert personal == {"email": "a@example.kz"}
    assert client("logs").describe_log_groups(logGroupNamePrefix=log_group)["logGroups"]
