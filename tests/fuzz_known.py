"""What the command-line fuzzing knows fails today: for each, the kind of scenario, the
property it breaks (a name in ``fuzzing.PROPERTIES``), which of its scenarios, and the
behaviour at fault. tests/test_fuzz_cli.py checks these as expected failures and the
rest of each scenario as usual; scripts/fuzz.py skips them unless given ``--all``. Once
the behaviour is fixed, the expected failures pass (XPASS): delete the entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from fuzzing import RAW_CONTROL, Scenario


@dataclass(frozen=True)
class Known:
    """A property some scenarios of ``case`` do not hold yet, and why."""

    case: str
    prop: str
    reason: str
    applies: Callable[[Scenario], bool] = lambda scenario: True


def _names(scenario: Scenario) -> list[str]:
    """The names of the files linted: on disk, or given to standard input."""
    given = [o.split("=", 1)[1] for o in scenario.options if o.startswith("--stdin-filename=")]
    return [name for name, _ in scenario.files] + given


def _control_in_a_name_annotated(scenario: Scenario) -> bool:
    annotated = "github" in scenario.options and "--statistics" not in scenario.options
    return annotated and any(RAW_CONTROL.search(name) for name in _names(scenario))


def _not_utf8_name_in_a_hashed_report(scenario: Scenario) -> bool:
    lone_surrogate = any("\udc80" <= c <= "\udcff" for name in _names(scenario) for c in name)
    return lone_surrogate and any(f in scenario.options for f in ("sarif", "gitlab"))


def _control_in_a_missing_path(scenario: Scenario) -> bool:
    return any(p.startswith("./") and RAW_CONTROL.search(p) for p in scenario.paths)


KNOWN: tuple[Known, ...] = (
)


def known_failures(scenario: Scenario) -> frozenset[str]:
    """The properties ``scenario`` is known not to hold yet (see :data:`KNOWN`)."""
    return frozenset(k.prop for k in KNOWN if k.case == scenario.case and k.applies(scenario))
