"""The template reader: CloudFormation's short-form tags become their JSON long forms."""

from __future__ import annotations

import json

import pytest
import yaml

from infra.cloudformation import TEMPLATE, load_template, loads

# Each tag as a template writes it, and what CloudFormation reads.
TAGS = [
    ("!Ref SiteBucket", {"Ref": "SiteBucket"}),
    ("!Condition HasDomain", {"Condition": "HasDomain"}),
    ("!GetAtt DataKey.Arn", {"Fn::GetAtt": ["DataKey", "Arn"]}),
    ("!GetAtt Database.Endpoint.Port", {"Fn::GetAtt": ["Database", "Endpoint.Port"]}),
    ("!GetAtt [DataKey, Arn]", {"Fn::GetAtt": ["DataKey", "Arn"]}),
    (
        "!Sub 'arn:${AWS::Partition}:s3:::${SiteBucket}/*'",
        {"Fn::Sub": "arn:${AWS::Partition}:s3:::${SiteBucket}/*"},
    ),
    (
        "!Sub ['${Name}-x', {Name: !Ref AWS::StackName}]",
        {"Fn::Sub": ["${Name}-x", {"Name": {"Ref": "AWS::StackName"}}]},
    ),
    (
        "!If [HasDomain, !Ref Domain, !Ref AWS::NoValue]",
        {"Fn::If": ["HasDomain", {"Ref": "Domain"}, {"Ref": "AWS::NoValue"}]},
    ),
    ("!Equals [!Ref Certificate, '']", {"Fn::Equals": [{"Ref": "Certificate"}, ""]}),
    ("!Not [!Equals [a, b]]", {"Fn::Not": [{"Fn::Equals": ["a", "b"]}]}),
    ("!And [!Condition A, !Condition B]", {"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]}),
    ("!Or [!Condition A, !Condition B]", {"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}),
    ("!Join [',', [a, b]]", {"Fn::Join": [",", ["a", "b"]]}),
    ("!Select [0, !Split [',', 'a,b']]", {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]}),
    (
        "!FindInMap [Regions, !Ref AWS::Region, Zone]",
        {"Fn::FindInMap": ["Regions", {"Ref": "AWS::Region"}, "Zone"]},
    ),
    ("!Base64 '#!/bin/sh'", {"Fn::Base64": "#!/bin/sh"}),
    ("!ImportValue shared-vpc", {"Fn::ImportValue": "shared-vpc"}),
    ("!GetAZs ''", {"Fn::GetAZs": ""}),
    ("!Cidr [10.0.0.0/16, 4, 8]", {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}),
]


@pytest.mark.parametrize(("written", "read"), TAGS, ids=[written for written, _ in TAGS])
def test_cloudformation_tag_reads_as_its_long_form(written: str, read: dict) -> None:
    assert loads(f"Value: {written}\n") == {"Value": read}


def test_cloudformation_reads_the_template_as_cfn_lint_does() -> None:
    # cfn-lint, the test-only linter, has its own decoder; both must read the same template.
    from cfnlint.decode.cfn_yaml import loads as cfn_lint_loads

    as_linted = json.loads(json.dumps(cfn_lint_loads(TEMPLATE.read_text(encoding="utf-8"))))
    assert load_template() == as_linted


def test_cloudformation_refuses_tags_that_build_python_objects() -> None:
    with pytest.raises(yaml.YAMLError):
        loads("Value: !!python/object/apply:os.system ['true']\n")


def test_cloudformation_refuses_a_document_that_is_not_a_template() -> None:
    with pytest.raises(ValueError, match="mapping"):
        loads("- a list\n")
