"""Every fixture case reports exactly the diagnostics its markers expect, and every rule has
a fixture folder, ``tests/fixtures/rules/<rule-name>/``, where it fires and a near-miss where
it does not."""

from __future__ import annotations

import os
import re

import pytest
from expect import FIXTURES, all_cases, case_files, cases_in, expected_for_file, rule_folders, run_case

from gpulint.engine.rule import all_rules

CASE_LIST = all_cases()
#: rules without a fixture folder, and where they are tested instead
TESTED_ELSEWHERE = {"internal-error": "tests/test_loader.py (a rule that raises)"}
_NEAR_MISS = re.compile(r"#.*near[- ]miss", re.IGNORECASE)


@pytest.mark.parametrize("case", CASE_LIST, ids=[os.path.relpath(c, FIXTURES) for c in CASE_LIST])
def test_case(case: str) -> None:
    expected, actual = run_case(case)
    missing = expected - actual
    unexpected = actual - expected
    assert not missing and not unexpected, (
        f"\nmissing (expected, not reported): {sorted(missing)}"
        f"\nunexpected (reported, not expected): {sorted(unexpected)}"
    )


def test_every_rule_has_a_fixture_folder() -> None:
    folders = {os.path.basename(f) for f in rule_folders()}
    names = {r.name for r in all_rules()}
    assert sorted(names - folders - set(TESTED_ELSEWHERE)) == [], "rules without tests/fixtures/rules/<rule-name>/"
    assert sorted(folders - names) == [], "fixture folders that name no rule"


@pytest.mark.parametrize("folder", rule_folders(), ids=os.path.basename)
def test_the_rule_fires_in_its_folder_and_a_near_miss_does_not(folder: str) -> None:
    """The case tests check every line; this one checks that the folder holds both kinds of line:
    one where its rule is expected, and a near-miss comment on a line that expects no such finding."""
    rule = os.path.basename(folder)
    fires = near_miss = False
    for case in cases_in(folder):
        for path in case_files(case):
            expected_lines = {line for (line, name) in expected_for_file(path) if name == rule}
            fires = fires or bool(expected_lines)
            with open(path, encoding="utf-8", errors="replace") as fh:
                for num, line in enumerate(fh, 1):
                    if _NEAR_MISS.search(line) and num not in expected_lines:
                        near_miss = True
    assert fires, f"{rule} is expected nowhere in {folder}"
    assert near_miss, f"no near-miss for {rule} in {folder}: add one, marked '# near-miss: ...'"
