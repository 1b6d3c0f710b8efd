"""The CloudFormation template, read as written: lint, least privilege, site and API settings."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from functions.contact.api import CONTACT_PATH, WARM_UP_PATH
from functions.operator.resources import STACK_OUTPUTS
from functions.submission_item import EXPIRES_AT
from infra.cloudformation import TEMPLATE, load_template
from infra.deploy.headers import header_parameters
from sitegen.build import BuildResult
from sitegen.security import headers_for
from tests.support.tools import require

EDGE_TEMPLATE = TEMPLATE.with_name("edge-rate-limit.yaml")

FUNCTION_ROLE = "ContactFunctionRole"
# What the function must never do: read, scan, change or delete items, or decrypt.
FORBIDDEN_FOR_FUNCTION = (
    "kms:Decrypt",
    "kms:ReEncrypt",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:PartiQLSelect",
)
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def resource(template: dict[str, Any], name: str) -> dict[str, Any]:
    return template["Resources"][name]["Properties"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(policy_document: dict[str, Any]) -> list[dict[str, Any]]:
    return as_list(policy_document["Statement"])


def function_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    role = resource(template, FUNCTION_ROLE)
    return [s for policy in role["Policies"] for s in statements(policy["PolicyDocument"])]


@pytest.mark.parametrize("path", [TEMPLATE, EDGE_TEMPLATE], ids=lambda path: path.name)
def test_template_cfn_lint_reports_nothing_not_even_informational(path: Path) -> None:
    cfn_lint = shutil.which("cfn-lint", path=str(Path(sys.executable).parent))
    require(cfn_lint is not None, "cfn-lint is not installed in the virtual environment")
    # Informational checks too: I3011 is what says a stateful resource would be deleted.
    command = [cfn_lint, "--include-checks", "I", "--", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_function_role_has_no_read_scan_update_or_decrypt(template: dict[str, Any]) -> None:
    actions = {a for s in function_statements(template) for a in as_list(s["Action"])}
    assert not actions & set(FORBIDDEN_FOR_FUNCTION)
    assert not [a for a in actions if "*" in a], "wildcard actions give more than they name"


def test_function_role_statements_each_name_their_resource(template: dict[str, Any]) -> None:
    for statement in function_statements(template):
        resources = as_list(statement["Resource"])
        assert resources, statement["Sid"]
        for named in resources:
            # A reference to one of the stack's own resources, never a literal wildcard.
            assert isinstance(named, dict), f"{statement['Sid']}: {named!r}"
            assert set(named) & {"Ref", "Fn::GetAtt", "Fn::Sub"}, statement["Sid"]


def test_function_role_can_store_encrypt_and_hash_only(template: dict[str, Any]) -> None:
    granted = {
        (action, json.dumps(statement["Resource"]))
        for statement in function_statements(template)
        for action in as_list(statement["Action"])
    }
    assert granted == {
        ("dynamodb:PutItem", json.dumps({"Fn::GetAtt": ["SubmissionsTable", "Arn"]})),
        ("kms:GenerateDataKey", json.dumps({"Fn::GetAtt": ["DataKey", "Arn"]})),
        ("kms:GenerateMac", json.dumps({"Fn::GetAtt": ["EmailHashKey", "Arn"]})),
        ("logs:CreateLogStream", json.dumps({"Fn::GetAtt": ["ContactFunctionLogGroup", "Arn"]})),
        ("logs:PutLogEvents", json.dumps({"Fn::GetAtt": ["ContactFunctionLogGroup", "Arn"]})),
    }


def test_function_role_may_put_only_without_reading_anything_back(
    template: dict[str, Any],
) -> None:
    # PutItem with ReturnValues (or ReturnValuesOnConditionCheckFailure) answers with the item
    # it overwrote or found: a read, which the function's role must not be able to make.
    (put,) = [
        s for s in function_statements(template) if "dynamodb:PutItem" in as_list(s["Action"])
    ]
    assert put["Condition"] == {"StringEqualsIfExists": {"dynamodb:ReturnValues": "NONE"}}


def test_function_role_generates_data_keys_only_for_submissions(template: dict[str, Any]) -> None:
    from functions.personal_data import PURPOSE

    (generate,) = [
        s for s in function_statements(template) if "kms:GenerateDataKey" in as_list(s["Action"])
    ]
    assert generate["Condition"] == {
        "StringEquals": {"kms:EncryptionContext:purpose": PURPOSE},
        "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["purpose"]},
    }


def test_operator_policy_grants_what_the_operator_cli_needs(template: dict[str, Any]) -> None:
    policy = template["Resources"]["OperatorPolicy"]
    assert policy["Type"] == "AWS::IAM::ManagedPolicy"
    by_sid = {s["Sid"]: s for s in statements(policy["Properties"]["PolicyDocument"])}
    submissions = as_list(by_sid["ReadAndUpdateSubmissions"]["Action"])
    assert {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:UpdateItem"} <= set(
        submissions
    )
    indexes = as_list(by_sid["ReadAndUpdateSubmissions"]["Resource"])
    assert {"Fn::Sub": "${SubmissionsTable.Arn}/index/by-email-hash"} in indexes
    assert {"Fn::Sub": "${SubmissionsTable.Arn}/index/awaiting-answer"} in indexes

    assert set(as_list(by_sid["DecryptPersonalData"]["Action"])) == {
        "kms:Decrypt",
        "kms:GenerateDataKey",
    }
    assert by_sid["DecryptPersonalData"]["Resource"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    assert by_sid["HashEmailsToFindThem"]["Resource"] == {"Fn::GetAtt": ["EmailHashKey", "Arn"]}
    assert {"dynamodb:PutItem", "dynamodb:Scan"} <= set(as_list(by_sid["RecordActions"]["Action"]))
    assert by_sid["FindTheStack"]["Resource"] == {"Ref": "AWS::StackId"}
    for statement in by_sid.values():
        assert "*" not in as_list(statement["Resource"]), statement["Sid"]
    assert template["Outputs"]["OperatorPolicyArn"]["Value"] == {"Ref": "OperatorPolicy"}


def test_tables_on_demand_recoverable_protected_and_encrypted(template: dict[str, Any]) -> None:
    for name in ("SubmissionsTable", "AuditTable"):
        table = resource(template, name)
        assert table["BillingMode"] == "PAY_PER_REQUEST"
        assert table["DeletionProtectionEnabled"] is True
        assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert table["SSESpecification"] == {
            "SSEEnabled": True,
            "SSEType": "KMS",
            "KMSMasterKeyId": {"Ref": "TableKey"},
        }


def test_submissions_expire_by_time_to_live_after_the_retention_period(
    template: dict[str, Any],
) -> None:
    # The attribute the operator CLI writes, in epoch seconds; the audit trail never expires.
    assert resource(template, "SubmissionsTable")["TimeToLiveSpecification"] == {
        "AttributeName": EXPIRES_AT,
        "Enabled": True,
    }
    assert "TimeToLiveSpecification" not in resource(template, "AuditTable")
    assert template["Parameters"]["RetentionDays"] == {
        "Type": "Number",
        "Default": 365,
        "MinValue": 1,
        "MaxValue": 36500,
        "Description": template["Parameters"]["RetentionDays"]["Description"],
    }
    # The operator CLI learns the period from the stack, as it learns the tables.
    assert template["Outputs"]["RetentionDays"]["Value"] == {"Ref": "RetentionDays"}
    assert STACK_OUTPUTS["retention_days"] == "RetentionDays"


# What a stack deletion or a replacing update must never take with it: the stored data, the
# keys without which it cannot be read, and the logs.
RETAINED_TYPES = {"AWS::KMS::Key", "AWS::DynamoDB::Table", "AWS::Logs::LogGroup"}


def test_template_keeps_keys_tables_and_logs_when_the_stack_goes(template: dict[str, Any]) -> None:
    retained = {
        name: (r.get("DeletionPolicy"), r.get("UpdateReplacePolicy"))
        for name, r in template["Resources"].items()
        if r["Type"] in RETAINED_TYPES
    }
    assert {"DataKey", "EmailHashKey", "TableKey", "SubmissionsTable", "AuditTable"} <= set(
        retained
    )
    assert set(retained.values()) == {("Retain", "Retain")}, retained


def test_symmetric_keys_rotate_and_hmac_key_cannot(template: dict[str, Any]) -> None:
    assert resource(template, "DataKey")["EnableKeyRotation"] is True
    assert resource(template, "TableKey")["EnableKeyRotation"] is True
    # KMS rotates symmetric encryption keys only; the template says so beside the HMAC key.
    assert "EnableKeyRotation" not in resource(template, "EmailHashKey")


def test_site_bucket_private_versioned_encrypted_tls_only(template: dict[str, Any]) -> None:
    bucket = resource(template, "SiteBucket")
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"),
        True,
    )
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    policy = statements(resource(template, "SiteBucketPolicy")["PolicyDocument"])
    deny = next(s for s in policy if s["Effect"] == "Deny")
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    for allow in (s for s in policy if s["Effect"] == "Allow"):
        assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        assert "SiteDistribution" in allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]


def test_distribution_serves_bucket_through_origin_access_control(
    template: dict[str, Any],
) -> None:
    config = resource(template, "SiteDistribution")["DistributionConfig"]
    site_origin = next(o for o in config["Origins"] if o["Id"] == "site")
    assert site_origin["OriginAccessControlId"] == {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}
    default = config["DefaultCacheBehavior"]
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    assert default["FunctionAssociations"] == [
        {
            "EventType": "viewer-request",
            "FunctionARN": {"Fn::GetAtt": ["PageIndexFunction", "FunctionMetadata.FunctionARN"]},
        }
    ]
    assert config["CustomErrorResponses"] == [
        {
            "ErrorCode": 404,
            "ResponseCode": 404,
            "ResponsePagePath": "/404.html",
            "ErrorCachingMinTTL": 60,
        }
    ]


def test_api_behaviour_forwards_origin_and_content_type_uncached(
    template: dict[str, Any],
) -> None:
    config = resource(template, "SiteDistribution")["DistributionConfig"]
    (api,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    assert api["CachePolicyId"] == CACHING_DISABLED
    assert "POST" in api["AllowedMethods"]
    assert api["OriginRequestPolicyId"] == {"Ref": "ApiOriginRequestPolicy"}
    forwarded = resource(template, "ApiOriginRequestPolicy")["OriginRequestPolicyConfig"]
    assert {"Origin", "Content-Type"} <= set(forwarded["HeadersConfig"]["Headers"])
    api_origin = next(o for o in config["Origins"] if o["Id"] == api["TargetOriginId"])
    assert "${ContactApi}.execute-api" in api_origin["DomainName"]["Fn::Sub"]


def test_api_origin_carries_the_origin_secret_the_function_checks(
    template: dict[str, Any],
) -> None:
    from functions.contact.viewer import ORIGIN_SECRET_HEADER, VIEWER_ADDRESS_HEADER

    secret = template["Parameters"]["OriginSecret"]
    # Generated by the deploy, never shown by CloudFormation.
    assert secret["NoEcho"] is True
    config = resource(template, "SiteDistribution")["DistributionConfig"]
    api_origin = next(o for o in config["Origins"] if o["Id"] == "contact-api")
    condition, headers, otherwise = api_origin["OriginCustomHeaders"]["Fn::If"]
    assert template["Conditions"][condition] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "OriginSecret"}, ""]}]
    }
    assert [(h["HeaderName"].lower(), h["HeaderValue"]) for h in headers] == [
        (ORIGIN_SECRET_HEADER, {"Ref": "OriginSecret"})
    ]
    assert otherwise == {"Ref": "AWS::NoValue"}
    variables = resource(template, "ContactFunction")["Environment"]["Variables"]
    assert variables["ORIGIN_SECRET"] == {"Ref": "OriginSecret"}
    forwarded = resource(template, "ApiOriginRequestPolicy")["OriginRequestPolicyConfig"]
    assert VIEWER_ADDRESS_HEADER in [h.lower() for h in forwarded["HeadersConfig"]["Headers"]]


def test_api_and_function_are_bounded(template: dict[str, Any]) -> None:
    stage = resource(template, "ContactApiStage")["DefaultRouteSettings"]
    assert stage == {
        "ThrottlingRateLimit": {"Ref": "ApiRateLimit"},
        "ThrottlingBurstLimit": {"Ref": "ApiBurstLimit"},
    }


def test_warm_up_cannot_use_up_the_forms_throttle(template: dict[str, Any]) -> None:
    # API Gateway throttles each route on its own: the send and the warm-up must be two.
    routes = {
        properties["RouteKey"]
        for properties in (
            resource(template, name)
            for name, r in template["Resources"].items()
            if r["Type"] == "AWS::ApiGatewayV2::Route"
        )
    }
    assert {"POST /api/contact", "GET /api/warm-up"} <= routes
    settings = resource(template, "ContactApiStage")["RouteSettings"]
    assert settings["POST /api/contact"] == {
        "ThrottlingRateLimit": {"Ref": "ApiRateLimit"},
        "ThrottlingBurstLimit": {"Ref": "ApiBurstLimit"},
    }
    assert settings["GET /api/warm-up"] == {
        "ThrottlingRateLimit": {"Ref": "WarmUpRateLimit"},
        "ThrottlingBurstLimit": {"Ref": "WarmUpBurstLimit"},
    }
    # The paths are the function's own.
    assert f"POST {CONTACT_PATH}" in routes and f"GET {WARM_UP_PATH}" in routes


def test_edge_rate_limit_is_an_option_off_by_default(template: dict[str, Any]) -> None:
    assert template["Parameters"]["EdgeWebAclArn"]["Default"] == ""
    config = resource(template, "SiteDistribution")["DistributionConfig"]
    assert config["WebACLId"] == {
        "Fn::If": ["HasEdgeWebAcl", {"Ref": "EdgeWebAclArn"}, {"Ref": "AWS::NoValue"}]
    }
    edge = load_template(EDGE_TEMPLATE)
    (acl,) = edge["Resources"].values()
    assert acl["Properties"]["Scope"] == "CLOUDFRONT"
    (rule,) = acl["Properties"]["Rules"]
    rate = rule["Statement"]["RateBasedStatement"]
    assert rate["AggregateKeyType"] == "IP" and "Block" in rule["Action"]
    assert rate["ScopeDownStatement"]["ByteMatchStatement"]["SearchString"] == "/api/"
    function = resource(template, "ContactFunction")
    assert function["Architectures"] == ["arm64"]
    assert function["Runtime"] == "python3.13"
    assert function["ReservedConcurrentExecutions"] > 0
    assert (
        0
        < function["Timeout"] * 1000
        < resource(template, "ContactApiIntegration")["TimeoutInMillis"]
    )
    assert resource(template, "ContactFunctionLogGroup")["RetentionInDays"] > 0


def test_outputs_name_what_a_person_needs(template: dict[str, Any]) -> None:
    assert {
        "SiteUrl",
        "ApiUrl",
        "SubmissionsTableName",
        "AuditTableName",
        "OperatorPolicyArn",
        "SiteBucketName",
        "DistributionId",
        "DataKeyArn",
        "EmailHashKeyArn",
        "ContactFunctionName",
    } <= set(template["Outputs"])


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("/", {"uri": "/index.html"}),
        ("/en/privacy/", {"uri": "/en/privacy/index.html"}),
        ("/assets/form.3f2a9c1b0d.js", {"uri": "/assets/form.3f2a9c1b0d.js"}),
        ("/ru/contact", {"statusCode": 301, "location": "/ru/contact/"}),
    ],
)
def test_page_index_function_maps_pretty_urls(
    template: dict[str, Any], uri: str, expected: dict[str, Any]
) -> None:
    node = shutil.which("node")
    require(node is not None, "Node.js is not installed (it runs the CloudFront function)")
    code = resource(template, "PageIndexFunction")["FunctionCode"]
    probe = (
        f"{code}\nconst answer = handler({{request: {{uri: {json.dumps(uri)}, headers: {{}}}}}});"
        "\nconsole.log(JSON.stringify(answer.statusCode"
        " ? {statusCode: answer.statusCode, location: answer.headers.location.value}"
        " : {uri: answer.uri}));"
    )
    result = subprocess.run(
        [node, "-e", probe], capture_output=True, text=True, check=True, timeout=30
    )
    assert json.loads(result.stdout) == expected


# The response headers policy, rendered back into headers the way CloudFront sends them.


def _resolve(node: Any, parameters: dict[str, str], conditions: dict[str, Any]) -> Any:
    if isinstance(node, list):
        items = [_resolve(item, parameters, conditions) for item in node]
        return [item for item in items if item is not None]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Ref"}:
        return None if node["Ref"] == "AWS::NoValue" else parameters[node["Ref"]]
    if set(node) == {"Fn::If"}:
        name, when_true, when_false = node["Fn::If"]
        chosen = when_true if _condition(conditions[name], parameters, conditions) else when_false
        return _resolve(chosen, parameters, conditions)
    if set(node) == {"Fn::Sub"}:
        return node["Fn::Sub"].replace("${AWS::StackName}", "stack")
    resolved = {key: _resolve(value, parameters, conditions) for key, value in node.items()}
    return {key: value for key, value in resolved.items() if value is not None}


def _condition(node: Any, parameters: dict[str, str], conditions: dict[str, Any]) -> bool:
    (function, arguments) = next(iter(node.items()))
    if function == "Fn::Equals":
        left, right = (str(_resolve(a, parameters, conditions)) for a in arguments)
        return left == right
    if function == "Fn::Not":
        return not _condition(arguments[0], parameters, conditions)
    if function == "Fn::And":
        return all(_condition(a, parameters, conditions) for a in arguments)
    if function == "Condition":
        return _condition(conditions[arguments], parameters, conditions)
    raise AssertionError(f"condition function {function} not understood by this test")


def cloudfront_headers(template: dict[str, Any], parameters: dict[str, str]) -> dict[str, str]:
    values = {k: str(v.get("Default", "")) for k, v in template["Parameters"].items()}
    values.update(parameters)
    policy = _resolve(
        resource(template, "SiteHeadersPolicy"), values, template.get("Conditions", {})
    )["ResponseHeadersPolicyConfig"]
    security = policy.get("SecurityHeadersConfig", {})
    headers = {}
    if "ContentSecurityPolicy" in security:
        headers["Content-Security-Policy"] = security["ContentSecurityPolicy"][
            "ContentSecurityPolicy"
        ]
    if "StrictTransportSecurity" in security:
        hsts = security["StrictTransportSecurity"]
        headers["Strict-Transport-Security"] = (
            f"max-age={hsts['AccessControlMaxAgeSec']}"
            + ("; includeSubDomains" if hsts["IncludeSubdomains"] else "")
            + ("; preload" if hsts["Preload"] else "")
        )
    if "ReferrerPolicy" in security:
        headers["Referrer-Policy"] = security["ReferrerPolicy"]["ReferrerPolicy"]
    if "ContentTypeOptions" in security:
        headers["X-Content-Type-Options"] = "nosniff"
    if "FrameOptions" in security:
        headers["X-Frame-Options"] = security["FrameOptions"]["FrameOption"]
    for item in policy.get("CustomHeadersConfig", {}).get("Items", []):
        headers[item["Header"]] = item["Value"]
    return headers


def test_response_headers_policy_sends_what_the_build_sets(
    template: dict[str, Any], built_site: BuildResult
) -> None:
    # built_site: the session's build of the real content (tests/conftest.py).
    built = headers_for(built_site.out_dir)
    served = cloudfront_headers(template, header_parameters(built))
    assert served == built
    assert "frame-ancestors 'none'" in served["Content-Security-Policy"]


def test_response_headers_policy_without_parameters_sends_none(template: dict[str, Any]) -> None:
    # A header the build drops must leave the CDN too: the defaults send nothing.
    assert cloudfront_headers(template, {}) == {}


def test_warm_up_path_is_never_cached_and_carries_no_cookies(template: dict[str, Any]) -> None:
    # The contact page's warm-up (`functions.contact.api.WARM_UP_PATH`) must reach a function
    # each time, and nothing about the visitor with it.
    from fnmatch import fnmatch

    from functions.contact.api import WARM_UP_PATH

    config = resource(template, "SiteDistribution")["DistributionConfig"]
    (behaviour,) = [b for b in config["CacheBehaviors"] if fnmatch(WARM_UP_PATH, b["PathPattern"])]
    assert behaviour["CachePolicyId"] == CACHING_DISABLED
    assert "GET" in behaviour["AllowedMethods"]
    forwarded = resource(template, "ApiOriginRequestPolicy")["OriginRequestPolicyConfig"]
    assert forwarded["CookiesConfig"]["CookieBehavior"] == "none"
    assert forwarded["QueryStringsConfig"]["QueryStringBehavior"] == "none"
    route = resource(template, "ContactApiRoute")["RouteKey"]
    assert route == "ANY /api/{proxy+}"


DEPLOYING_GUIDE = TEMPLATE.parents[1] / "docs" / "deploying.md"


def test_origin_secret_readers_are_documented_and_not_operators(template: dict[str, Any]) -> None:
    # Chosen over SSM: the distribution's config holds the secret in plain text anyway. The
    # guide names who can read it, and the operator policy grants neither right.
    guide = DEPLOYING_GUIDE.read_text(encoding="utf-8")
    section = guide[guide.index("### Who can read the origin secret") :]
    for right in ("lambda:GetFunctionConfiguration", "cloudfront:GetDistributionConfig"):
        assert f"`{right}`" in section
    granted = {
        action
        for statement in statements(resource(template, "OperatorPolicy")["PolicyDocument"])
        for action in as_list(statement["Action"])
    }
    assert not {a for a in granted if a.startswith(("lambda:", "cloudfront:"))}


def test_edge_rate_limit_price_is_stated() -> None:
    guide = DEPLOYING_GUIDE.read_text(encoding="utf-8")
    section = guide[guide.index("### One address flooding the form") :]
    for price in ("$5.00 a month for the web", "$1.00 a month for its rule", "$0.60 per million"):
        assert price in section.replace("\n", " ")
    assert "infra/edge-rate-limit.yaml" in section and "ESTIMATION_EDGE_WEB_ACL_ARN" in section
