"""The CloudFormation template, `infra/template.yaml`, read as CloudFormation reads it.

YAML templates write intrinsic functions as tags (`!Ref Bucket`, `!GetAtt Key.Arn`,
`!Sub "..."`); CloudFormation reads each as its JSON long form (`{"Ref": "Bucket"}`,
`{"Fn::GetAtt": ["Key", "Arn"]}`, `{"Fn::Sub": "..."}`), and so does `load_template`, with
PyYAML's safe loader and one constructor for every tag.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

TEMPLATE = Path(__file__).resolve().parent / "template.yaml"
# Tags whose long form has no `Fn::` prefix.
NOT_FUNCTIONS = frozenset({"Ref", "Condition"})
# libyaml's loader when PyYAML was built with it: the same results, faster.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class TemplateLoader(_SafeLoader):
    """YAML's safe loader that also reads CloudFormation's short-form tags."""


def _intrinsic(loader: TemplateLoader, tag: str, node: yaml.Node) -> dict[str, Any]:
    name = tag.removeprefix("!")
    key = name if name in NOT_FUNCTIONS else f"Fn::{name}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if name == "GetAtt":
            # `!GetAtt Resource.Attribute`; an attribute may itself hold dots (`Endpoint.Port`).
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


TemplateLoader.add_multi_constructor("!", _intrinsic)


def loads(text: str) -> dict[str, Any]:
    """A template's YAML text as the JSON document CloudFormation makes of it."""
    # TemplateLoader is YAML's safe loader: tags other than CloudFormation's are refused.
    template = yaml.load(text, Loader=TemplateLoader)
    if not isinstance(template, dict):
        raise ValueError("a CloudFormation template is a mapping")
    return template


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """The project's template (or another at `path`) as a JSON document."""
    return loads(path.read_text(encoding="utf-8"))
