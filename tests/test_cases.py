"""Every fixture case reports exactly the diagnostics its markers expect."""

from __future__ import annotations

import os

import pytest

from expect import CASES, all_cases, expected_for_file, case_files, run_case
from gpulint.engine.rule import all_rules

CASE_LIST = all_cases()


@pytest.mark.parametrize("case", CASE_LIST, ids=[os.path.relpath(c, CASES) for c in CASE_LIST])
def test_case(case: str) -> None:
    expected, actual = run_case(case)
    missing = expected - actual
    unexpected = actual - expected
    assert not missing and not unexpected, (
        f"\nmissing (expected, not reported): {sorted(missing)}"
        f"\nunexpected (reported, not expected): {sorted(unexpected)}"
    )


def test_every_rule_has_a_firing_case() -> None:
    fired = set()
    for case in CASE_LIST:
        for f in case_files(case):
            fired |= {rule for (_, rule) in expected_for_file(f)}
    untested = sorted(r.name for r in all_rules() if r.name not in fired and r.name != "internal-error")
    assert not untested, f"rules without a fixture where they fire: {untested}"
