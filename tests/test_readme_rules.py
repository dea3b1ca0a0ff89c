"""The README's rule and fix tables are what ``scripts/gen_readme.py`` generates from the
registered rules, and list exactly those rules with their metadata."""

from __future__ import annotations

import os
import re
import sys

import pytest

from gpulint.diagnostics import Applicability
from gpulint.engine.rule import all_rules

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(REPO, "README.md")


@pytest.fixture(scope="module")
def gen_readme():
    sys.path.insert(0, os.path.join(REPO, "scripts"))
    try:
        import gen_readme
    finally:
        sys.path.pop(0)
    return gen_readme


def _readme() -> str:
    with open(README, encoding="utf-8") as fh:
        return fh.read()


def test_readme_tables_are_generated_from_the_rules(gen_readme) -> None:
    assert gen_readme.render(_readme()) == _readme(), "README.md is out of date: run python scripts/gen_readme.py"
    assert gen_readme.main(["--check"]) == 0


def test_check_reports_drift(gen_readme, tmp_path, capsys) -> None:
    stale = tmp_path / "README.md"
    row = "| `GPU101` | `gpu-limit-missing` | error |"
    stale.write_text(_readme().replace(row, row.replace("error", "info")), encoding="utf-8")
    assert gen_readme.main(["--check", "--readme", str(stale)]) == 1
    assert "run python scripts/gen_readme.py" in capsys.readouterr().err
    assert gen_readme.main(["--readme", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == _readme()


def test_readme_rule_table_matches_the_registry() -> None:
    rows = re.findall(r"^\| `([A-Z]+\d+)` \| `([a-z0-9-]+)` \| (\w+) \| (\S+) \| (.+) \|$", _readme(), re.MULTILINE)
    documented = {code: (name, sev, fix, summary) for code, name, sev, fix, summary in rows}
    registered = {
        r.code: (r.name, r.severity.label, r.fix.value if r.fix.value != "none" else "—", r.summary)
        for r in all_rules()
    }
    assert documented == registered


def test_readme_fix_table_lists_every_fix_with_its_safety() -> None:
    rows = re.findall(r"^\| `([a-z0-9-]+)` \| (.+) \| (safe|unsafe) \|$", _readme(), re.MULTILINE)
    documented = {name: (summary, safety) for name, summary, safety in rows}
    registered = {r.name: (r.fix_summary, r.fix.value) for r in all_rules() if r.fix is not Applicability.NONE}
    assert documented == registered


def test_only_rules_with_a_fix_describe_one() -> None:
    for r in all_rules():
        assert bool(r.fix_summary) == (r.fix is not Applicability.NONE), r.name


def test_one_command_regenerates_everything_derived_from_the_rules(capsys) -> None:
    from helpers import load_script

    regen = load_script("regen")
    assert regen.GENERATORS == ("gen_readme", "gen_schemas")
    assert regen.main(["--check"]) == 0, capsys.readouterr().err
