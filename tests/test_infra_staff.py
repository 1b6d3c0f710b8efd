"""The template's staff side: the user pool, the staff function's role, the authorizer, the CDN.

The contact and notifier roles are pinned exactly in `test_infra_template.py` and
`test_infra_notifications.py`: they still cannot decrypt.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.personal_data import PURPOSE
from infra.cloudformation import load_template

MINUTES = {"seconds": 1 / 60, "minutes": 1, "hours": 60, "days": 24 * 60}
WORKING_DAY_MINUTES = 8 * 60
TABLE = {"Fn::GetAtt": ["SubmissionsTable", "Arn"]}
AUDIT = {"Fn::GetAtt": ["AuditTable", "Arn"]}
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def properties(template: dict[str, Any], name: str) -> dict[str, Any]:
    return template["Resources"][name]["Properties"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def staff_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    role = properties(template, "StaffFunctionRole")
    return [s for p in role["Policies"] for s in as_list(p["PolicyDocument"]["Statement"])]


def test_staff_pool_admits_only_people_an_administrator_adds(template: dict[str, Any]) -> None:
    pool = properties(template, "StaffUserPool")
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["MfaConfiguration"] == "ON"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] >= 12
    invitation = pool["AdminCreateUserConfig"]["InviteMessageTemplate"]
    assert invitation == {
        "EmailSubject": {"Ref": "StaffInvitationSubject"},
        "EmailMessage": {"Ref": "StaffInvitationMessage"},
    }
    assert template["Resources"]["StaffUserPool"]["DeletionPolicy"] == "Retain"


def test_staff_client_keeps_no_secret_and_short_lived_tokens(template: dict[str, Any]) -> None:
    client = properties(template, "StaffUserPoolClient")
    assert client["GenerateSecret"] is False
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["EnableTokenRevocation"] is True
    units = client["TokenValidityUnits"]

    def minutes(kind: str) -> float:
        return client[f"{kind}Validity"] * MINUTES[units[kind]]

    assert minutes("AccessToken") <= 15
    assert minutes("IdToken") <= 15
    assert minutes("RefreshToken") <= WORKING_DAY_MINUTES


def test_staff_role_grants_what_the_api_needs_and_nothing_else(template: dict[str, Any]) -> None:
    granted = {
        (action, json.dumps(resource))
        for statement in staff_statements(template)
        for action in as_list(statement["Action"])
        for resource in as_list(statement["Resource"])
    }
    logs = json.dumps({"Fn::GetAtt": ["StaffFunctionLogGroup", "Arn"]})
    assert granted == {
        ("dynamodb:GetItem", json.dumps(TABLE)),
        ("dynamodb:UpdateItem", json.dumps(TABLE)),
        ("dynamodb:Query", json.dumps({"Fn::Sub": "${SubmissionsTable.Arn}/index/by-email-hash"})),
        (
            "dynamodb:Query",
            json.dumps({"Fn::Sub": "${SubmissionsTable.Arn}/index/awaiting-answer"}),
        ),
        ("dynamodb:PutItem", json.dumps(AUDIT)),
        ("dynamodb:Scan", json.dumps(AUDIT)),
        ("kms:Decrypt", json.dumps({"Fn::GetAtt": ["DataKey", "Arn"]})),
        ("kms:GenerateMac", json.dumps({"Fn::GetAtt": ["EmailHashKey", "Arn"]})),
        ("logs:CreateLogStream", logs),
        ("logs:PutLogEvents", logs),
    }


def test_staff_role_decrypts_only_submissions_with_the_data_key(template: dict[str, Any]) -> None:
    (decrypt,) = [s for s in staff_statements(template) if "kms:Decrypt" in as_list(s["Action"])]
    assert decrypt["Resource"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    assert decrypt["Condition"] == {"StringEquals": {"kms:EncryptionContext:purpose": PURPOSE}}


def test_only_the_staff_and_operator_may_decrypt_personal_data(template: dict[str, Any]) -> None:
    data_key = {"Fn::GetAtt": ["DataKey", "Arn"]}
    decrypting = sorted(
        name
        for name, resource in template["Resources"].items()
        if resource["Type"] in {"AWS::IAM::Role", "AWS::IAM::ManagedPolicy"}
        for document in (
            [p["PolicyDocument"] for p in resource["Properties"].get("Policies", [])]
            + (
                [resource["Properties"]["PolicyDocument"]]
                if "PolicyDocument" in resource["Properties"]
                else []
            )
        )
        for statement in as_list(document["Statement"])
        if "kms:Decrypt" in as_list(statement["Action"])
        and data_key in as_list(statement["Resource"])
    )
    assert decrypting == ["OperatorPolicy", "StaffFunctionRole"]


def test_staff_authorizer_names_the_pools_issuer_and_the_client(template: dict[str, Any]) -> None:
    authorizer = properties(template, "StaffApiAuthorizer")
    assert authorizer["AuthorizerType"] == "JWT"
    assert authorizer["IdentitySource"] == ["$request.header.Authorization"]
    assert authorizer["JwtConfiguration"] == {
        "Issuer": {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${StaffUserPool}"},
        "Audience": [{"Ref": "StaffUserPoolClient"}],
    }
    route = properties(template, "StaffApiRoute")
    assert route["RouteKey"] == "ANY /api/staff/{proxy+}"
    assert route["AuthorizationType"] == "JWT"
    assert route["AuthorizerId"] == {"Ref": "StaffApiAuthorizer"}
    integration = properties(template, "StaffApiIntegration")
    assert integration["IntegrationUri"] == {"Fn::GetAtt": ["StaffFunction", "Arn"]}
    assert properties(template, "StaffFunction")["Handler"] == "functions.staff.app.handler"


def test_cdn_forwards_the_staff_token_and_caches_no_staff_answer(template: dict[str, Any]) -> None:
    config = properties(template, "SiteDistribution")["DistributionConfig"]
    patterns = [b["PathPattern"] for b in config["CacheBehaviors"]]
    # CloudFront takes the first behaviour that matches: the staff's must come before /api/*.
    assert patterns.index("/api/staff/*") < patterns.index("/api/*")
    (staff,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/staff/*"]
    assert staff["CachePolicyId"] == {"Ref": "StaffApiCachePolicy"}
    policy = properties(template, "StaffApiCachePolicy")["CachePolicyConfig"]
    keys = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    # An origin request policy may not forward Authorization (CloudFront answers 400): only a
    # cache policy's key does. Nothing is kept: no default TTL, and the API says no-store.
    assert keys["HeadersConfig"]["Headers"] == ["Authorization"]
    assert keys["QueryStringsConfig"]["QueryStringBehavior"] == "all"
    assert keys["CookiesConfig"]["CookieBehavior"] == "none"
    assert policy["MinTTL"] == policy["DefaultTTL"] == 0
    origin_policy = properties(template, "ApiOriginRequestPolicy")["OriginRequestPolicyConfig"]
    assert "Authorization" not in origin_policy["HeadersConfig"]["Headers"]
    (form,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    assert form["CachePolicyId"] == CACHING_DISABLED


def test_stack_outputs_the_pool_and_client_for_the_admin_page(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    assert outputs["StaffUserPoolId"]["Value"] == {"Ref": "StaffUserPool"}
    assert outputs["StaffUserPoolClientId"]["Value"] == {"Ref": "StaffUserPoolClient"}


def test_inbox_index_is_sparse_on_awaiting_answer_sorted_by_time(template: dict[str, Any]) -> None:
    from functions.submission_item import AWAITING_ANSWER, AWAITING_ANSWER_INDEX, CREATED_AT

    table = properties(template, "SubmissionsTable")
    (index,) = [
        i for i in table["GlobalSecondaryIndexes"] if i["IndexName"] == AWAITING_ANSWER_INDEX
    ]
    assert index["KeySchema"] == [
        {"AttributeName": AWAITING_ANSWER, "KeyType": "HASH"},
        {"AttributeName": CREATED_AT, "KeyType": "RANGE"},
    ]


def test_staff_administrators_may_manage_the_pools_users_only(template: dict[str, Any]) -> None:
    policy = properties(template, "StaffAdministratorPolicy")["PolicyDocument"]
    (statement,) = as_list(policy["Statement"])
    assert set(statement["Action"]) == {
        "cognito-idp:AdminCreateUser",
        "cognito-idp:ListUsers",
        "cognito-idp:AdminDisableUser",
        "cognito-idp:AdminUserGlobalSignOut",
    }
    assert statement["Resource"] == {"Fn::GetAtt": ["StaffUserPool", "Arn"]}
    assert template["Outputs"]["StaffAdministratorPolicyArn"]["Value"] == {
        "Ref": "StaffAdministratorPolicy"
    }


def test_cdn_serves_the_staff_inbox_with_a_csp_that_reaches_the_regions_cognito(
    template: dict[str, Any], built_site
) -> None:
    # Given the site's own CSP (connect-src 'self'), the inbox could not sign in on the CDN.
    from infra.deploy.packaging import Artefact
    from infra.deploy.template import chosen_parameters
    from infra.deploy.template import load_template as deploy_template
    from sitecontent.site import load_site
    from sitegen.security import headers_for
    from tests.support.site import CONTENT

    config = properties(template, "SiteDistribution")["DistributionConfig"]
    (admin,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/admin/*"]
    assert admin["TargetOriginId"] == "site"
    assert admin["ResponseHeadersPolicyId"] == {"Ref": "AdminHeadersPolicy"}
    security = properties(template, "AdminHeadersPolicy")["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"
    ]
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
    assert security["FrameOptions"]["FrameOption"] == "DENY"

    chosen = chosen_parameters(
        deploy_template(),
        load_site(CONTENT),
        headers_for(built_site.out_dir),
        "code-bucket",
        Artefact(built_site.out_dir, "0" * 64, 1),
        "eu-central-1",
    )
    directives = dict(
        (name, values)
        for name, *values in (d.split() for d in chosen["AdminContentSecurityPolicy"].split(";"))
    )
    assert directives["connect-src"] == ["'self'", "https://cognito-idp.eu-central-1.amazonaws.com"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "connect-src 'self';" in chosen["ContentSecurityPolicy"] + ";"  # the site stays closed
