"""Rules are laid out one per module, ``rules/<domain>/<rule_name>.py``, and found by walking
the package: a misnamed, empty or misplaced rule file fails here, not silently at run time."""

from __future__ import annotations

import ast
import os
import sys

import pytest

from gpulint.engine import rule as registry
from gpulint.engine.rule import DOMAIN_MODELS, all_rules, rule_domains

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES = os.path.join(REPO, "rules")


def _domain_dirs() -> list[str]:
    return sorted(d for d in os.listdir(RULES) if os.path.isdir(os.path.join(RULES, d)) and d != "__pycache__")


def _rule_files() -> list[tuple[str, str]]:
    """(domain, module name) of every rule file on disk."""
    return [(d, f[:-3]) for d in _domain_dirs() for f in sorted(os.listdir(os.path.join(RULES, d)))
            if f.endswith(".py") and f != "__init__.py"]


def test_every_folder_is_a_domain_the_engine_walks() -> None:
    assert _domain_dirs() == sorted(DOMAIN_MODELS) == rule_domains()
    for d in _domain_dirs():
        assert os.path.isfile(os.path.join(RULES, d, "__init__.py")), f"rules/{d}/ is not a package"
    assert [f for f in os.listdir(RULES) if f.endswith(".py")] == ["__init__.py"], "rules live in rules/<domain>/"


@pytest.mark.parametrize("domain, module", _rule_files(), ids=lambda x: x)
def test_each_file_registers_the_rule_it_is_named_after(domain: str, module: str) -> None:
    found = [r for r in all_rules() if r.__module__ == f"gpulint.rules.{domain}.{module}"]
    assert [(r.name, r.domain) for r in found] == [(module.replace("_", "-"), domain)]


def test_every_rule_comes_from_its_own_file() -> None:
    on_disk = {f"gpulint.rules.{d}.{m}" for d, m in _rule_files()}
    assert sorted(r.__module__ for r in all_rules()) == sorted(on_disk)


def test_a_misnamed_rule_file_fails_the_import(tmp_path, monkeypatch) -> None:
    import gpulint.rules.cost as package

    (tmp_path / "budget_gate.py").write_text('"""A rule file that registers nothing."""\n')
    monkeypatch.setattr(package, "__path__", [str(tmp_path)])
    monkeypatch.delitem(sys.modules, "gpulint.rules.cost.budget_gate", raising=False)
    with pytest.raises(ImportError, match="budget_gate must register one rule named budget-gate"):
        registry._import_domain("cost")
    sys.modules.pop("gpulint.rules.cost.budget_gate", None)


def test_domain_packages_hold_only_constants() -> None:
    for d in _domain_dirs():
        tree = ast.parse(open(os.path.join(RULES, d, "__init__.py"), encoding="utf-8").read())
        for node in tree.body:
            is_doc = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            is_constant = isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            assert is_doc or is_constant, f"rules/{d}/__init__.py line {node.lineno}: constants only"


def _imports(path: str) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


@pytest.mark.parametrize("domain, module", _rule_files(), ids=lambda x: x)
def test_rules_never_import_each_other(domain: str, module: str) -> None:
    """A rule may read its domain's constants (``gpulint.rules.<domain>``), never another rule."""
    imported = _imports(os.path.join(RULES, domain, module + ".py"))
    others = {m for m in imported if m.startswith("gpulint.rules.") and m.count(".") > 2}
    assert not others, f"rules/{domain}/{module}.py imports {sorted(others)}: move shared helpers to gpulint.model"


def test_every_domain_package_ships_in_the_wheel() -> None:
    text = open(os.path.join(REPO, "pyproject.toml"), encoding="utf-8").read()
    for d in _domain_dirs():
        assert f'"gpulint.rules.{d}"' in text, f"add gpulint.rules.{d} to packages in pyproject.toml"
