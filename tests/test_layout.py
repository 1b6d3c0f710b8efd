"""Imports run one way: each package imports only what sits below it in the layout.

    sitecontent  ←  sitegen
         ↑             ↑
     functions  ←  infra  ←  preview

`sitecontent` (the content model) and the stored item's module need nothing but the standard
library. Every `import` counts, at any depth: one inside a function is still a dependency.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = frozenset({"sitecontent", "sitegen", "functions", "infra", "preview", "tests"})
# What each package must never import: the project's packages above it, and the stand-ins
# and linters that only tests and the preview may load.
FORBIDDEN = {
    "sitecontent": PROJECT - {"sitecontent"},
    "sitegen": {"functions", "infra", "preview", "tests", "moto", "cfnlint"},
    "functions": {"sitegen", "infra", "preview", "tests", "moto", "cfnlint"},
    "infra": {"preview", "tests", "moto", "cfnlint"},
    "preview": {"tests", "cfnlint"},
}
# What may import the standard library and nothing else (but itself): the content model, which
# the function's zip ships without the generator, and the stored item, which the notifier
# imports without the validation and encryption libraries.
STANDARD_LIBRARY_ONLY = {"sitecontent": "sitecontent", "functions/submission_item.py": ""}


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level name) of every absolute import in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: a relative import"
            if node.module and node.module != "__future__":
                found.append((node.lineno, node.module.split(".")[0]))
    return found


def modules(where: str) -> list[Path]:
    target = ROOT / where
    return [target] if target.is_file() else sorted(target.rglob("*.py"))


def test_layout_every_package_has_an_import_rule() -> None:
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    assert packages - {"tests"} == set(FORBIDDEN)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layout_package_imports_nothing_above_it(package: str) -> None:
    crossings = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in modules(package)
        for line, name in imports(path)
        if name in FORBIDDEN[package]
    ]
    assert crossings == []


@pytest.mark.parametrize("where", sorted(STANDARD_LIBRARY_ONLY))
def test_layout_module_needs_only_the_standard_library(where: str) -> None:
    allowed = set(sys.stdlib_module_names) | {STANDARD_LIBRARY_ONLY[where]}
    outside = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in modules(where)
        for line, name in imports(path)
        if name not in allowed
    ]
    assert outside == []


@pytest.mark.parametrize("document", ["README.md", "docs/developing.md"])
def test_layout_table_names_every_package_and_folder(document: str) -> None:
    text = (ROOT / document).read_text(encoding="utf-8")
    heading = "## Layout\n" if document == "README.md" else "## The layout\n"
    table = text[text.index(heading) :].split("```")[1]
    named = {line.split()[0] for line in table.splitlines() if line and not line[0].isspace()}
    folders = {path.parent.name + "/" for path in ROOT.glob("*/__init__.py")}

    assert folders | {"build.py", "content/", "site/"} <= named
