"""The whole command line, fuzzed: real examples mutated and hostile values where gpulint reads
and fixes them, run in-process in a temporary folder (tests/fuzzing.py runs and checks a
scenario; tests/fuzz_cases.py draws them).

Every run of a plain lint exits 0 or 1 (2 only for the usage errors made on purpose), never
reports an internal-error, never prints a traceback, escapes what it prints (one line per
finding, no raw ESC, CR or other control character), takes less than
``fuzzing.SECONDS``, and writes nothing (nor does ``--diff``). ``--fix --unsafe-fixes``
writes only files that parsed, under the paths given, inside the folder; a second run
changes and writes nothing, and ``--diff`` then shows nothing; what it wrote still loads.

The examples are derandomised (the same ones on every run, no example database);
``python scripts/fuzz.py`` runs the same scenarios without a limit, from a random seed.

:data:`fuzz_known.KNOWN` lists the properties some scenarios do not hold yet, each with the
behaviour at fault: the main tests skip that one property for those scenarios, and
``test_known_failure`` and ``test_known_failure_example`` check it alone, as expected
failures. Once the behaviour is fixed, they pass (XPASS): delete the entry.
"""

from __future__ import annotations

import json
import os

import fuzz_cases
import fuzzing
import pytest
from fuzz_cases import CASES, bracket_pair, key_type_pair, ladder
from fuzz_known import KNOWN, Known, known_failures
from fuzzing import GPU_POD, Outcome, Run, Scenario
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

#: each property-checking example is one to three gpulint runs of a few milliseconds
FUZZ = settings(
    derandomize=True, database=None, deadline=None, print_blob=False,
    suppress_health_check=list(HealthCheck),
)
MUTATED_EXAMPLES = 1500
FIX_EXAMPLES = 800
#: per kind of hostile value
HOSTILE_EXAMPLES = 200
USAGE_EXAMPLES = 150
HOSTILE = [c for c in CASES if c not in ("mutated", "fix-round-trip", "usage")]


def _slow(case: str) -> list[Known]:
    """A case whose examples take seconds cannot have its other properties checked in the time
    the suite has: its main test waits for the fix (test_known_failure_example runs its plainest
    scenario meanwhile)."""
    return [k for k in KNOWN if k.case == case and k.prop == "seconds"]


def holds(scenario: Scenario) -> Outcome:
    outcome = fuzzing.run(scenario)
    fuzzing.check(outcome, skip=known_failures(scenario))
    return outcome


# --------------------------------------------------------------------------- the properties


@settings(FUZZ, max_examples=MUTATED_EXAMPLES)
@given(scenario=CASES["mutated"])
def test_mutated_examples(scenario: Scenario) -> None:
    holds(scenario)


@settings(FUZZ, max_examples=FIX_EXAMPLES)
@given(scenario=CASES["fix-round-trip"])
def test_fix_round_trip(scenario: Scenario) -> None:
    holds(scenario)


@pytest.mark.parametrize("case", [
    pytest.param(case, marks=[pytest.mark.xfail(run=False, reason=k.reason) for k in _slow(case)])
    for case in HOSTILE
])
@settings(FUZZ, max_examples=HOSTILE_EXAMPLES)
@given(data=st.data())
def test_hostile_values(case: str, data: st.DataObject) -> None:
    holds(data.draw(CASES[case], label=case))


@settings(FUZZ, max_examples=USAGE_EXAMPLES)
@given(scenario=CASES["usage"])
def test_usage_errors_made_on_purpose(scenario: Scenario) -> None:
    outcome = holds(scenario)
    assert outcome.runs[0].err.startswith(("gpulint: ", "usage: ")), outcome.runs[0].err


#: for each known failure, the plainest scenario that shows it
CANONICAL = {
    "huge-count": Scenario(
        (("pod.yaml", GPU_POD.replace(b"{nvidia.com/gpu: 2}", b"{nvidia.com/gpu: " + b"9" * 4301 + b"}")),),
        ("--format", "json"), case="huge-count"),
    "alias-bomb-key": Scenario((("bomb.yaml", ladder(9) + b"? *a8\n: v\n"),), ("--format", "json"),
                               case="alias-bomb-key"),
    "file-names": Scenario((("\x1b[31mred\x1b[0m.yaml", GPU_POD),), ("--format", "github"), case="file-names"),
    "file-names-internal-error": Scenario((("not-utf8-\udcff.yaml", GPU_POD),), ("--format", "sarif"),
                                          case="file-names"),
    "usage": Scenario((("pod.yaml", GPU_POD),), ("--format", "text"), ("./missing\x1b[2J.yaml",), "usage",
                      case="usage"),
}


def _known(ks: list[Known]) -> list:
    return [pytest.param(k, id=f"{k.case}-{k.prop}", marks=pytest.mark.xfail(strict=False, reason=k.reason))
            for k in ks]


@pytest.mark.parametrize("known", _known(list(KNOWN)))
def test_known_failure_example(known: Known) -> None:
    scenario = CANONICAL.get(f"{known.case}-{known.prop}", CANONICAL.get(known.case))
    fuzzing.check(fuzzing.run(scenario), only=known.prop)


@pytest.mark.parametrize("known", _known([k for k in KNOWN if k.prop != "seconds"]))
@settings(FUZZ, max_examples=25, phases=[Phase.generate])
@given(data=st.data())
def test_known_failure(known: Known, data: st.DataObject) -> None:
    scenario = data.draw(CASES[known.case], label=known.case)
    assume(known.applies(scenario))
    fuzzing.check(fuzzing.run(scenario), only=known.prop)


# --------------------------------------------------------------------------- the checks can fail


def _outcome(mode: str = "lint", out: str = "[]\n", err: str = "", status: int = 0, seconds: float = 0.01,
             writes: tuple = (), crash: str | None = None, runs: int = 1) -> Outcome:
    scenario = Scenario((("pod.yaml", GPU_POD),), ("--format", "json"), mode=mode)
    outcome = Outcome(scenario, "/nowhere")
    outcome.before = {"project/pod.yaml": (GPU_POD, 1)}
    for argv in scenario.commands()[:runs]:
        diff = "--diff" in argv and mode == "fix"  # the check after the fixes: a clean one
        outcome.runs.append(Run(argv, 0 if diff else status, "" if diff else out, err, seconds,
                                [] if diff else list(writes), crash))
        outcome.after.append(dict(outcome.before))
    return outcome


@pytest.mark.parametrize("prop, outcome", [
    ("status", _outcome(status=2)),
    ("traceback", _outcome(err="gpulint: Traceback (most recent call last):\n")),
    ("internal-error", _outcome(out='[{"rule": "internal-error", "line": 1}]\n')),
    ("internal-error", _outcome(crash="Traceback ...\nValueError")),
    ("escaped", _outcome(err="gpulint: a\x1b[2Jb\n")),
    ("well-formed", _outcome(err="gpulint: two\nlines\n")),
    ("well-formed", _outcome(out="[\n")),
    ("seconds", _outcome(seconds=fuzzing.SECONDS + 0.1)),
    ("unchanged", _outcome(writes=[("open", "/nowhere/project/pod.yaml")])),
    ("unchanged", _outcome(mode="diff", writes=[("open", "/nowhere/project/pod.yaml")])),
    ("unchanged", _outcome(mode="fix", writes=[("os.replace", "/elsewhere/pod.yaml")], runs=3)),
    ("idempotent", _outcome(mode="fix", writes=[("os.replace", "/nowhere/project/pod.yaml")], runs=3)),
])
def test_each_property_fails_on_what_it_forbids(prop: str, outcome: Outcome) -> None:
    fuzzing.check(_outcome(), only=prop)  # and holds on a clean run
    with pytest.raises(fuzzing.PropertyFailed) as failed:
        fuzzing.check(outcome, only=prop)
    assert failed.value.name == prop


def test_the_write_audit_sees_a_report_written_outside_the_folder() -> None:
    scenario = Scenario((("pod.yaml", GPU_POD),), ("--format", "json", "--output-file", "../outside/report.json"))
    outcome = fuzzing.run(scenario)
    assert [event for event, path in outcome.runs[0].writes if path.endswith("report.json")] == ["open"]
    with pytest.raises(fuzzing.PropertyFailed, match="without --fix"):
        fuzzing.check(outcome, only="unchanged")


def test_a_fix_round_trip_fixes() -> None:
    """The fix property is not vacuous: a parsed file with a safe fix changes, once."""
    outcome = holds(Scenario((("pod.yaml", GPU_POD),), ("--format", "json"), mode="fix"))
    fixed = GPU_POD.replace(b"requests: {nvidia.com/gpu: 1}", b"requests: {nvidia.com/gpu: 2}")
    assert outcome.after[0]["project/pod.yaml"][0] == fixed
    renamed = [path for event, path in outcome.runs[0].writes if event == "os.rename"]  # os.replace's event
    assert renamed[-1] == f"{outcome.project}{os.sep}pod.yaml" and len(renamed) == 2  # from the temporary file
    assert outcome.after[0]["outside/keep.yaml"][0] == GPU_POD


# --------------------------------------------------------------------------- behaviours being fixed
# Hostile values that gpulint must read for what they are; each test fails until the
# behaviour named in its reason is fixed, and passes (XPASS) after: then drop the mark.



def _lint(path: str, data: bytes) -> list[tuple[str, int]]:
    name = fuzz_cases.basename(path)
    run = fuzzing.run(Scenario(((name, data),), ("--format", "json"), ("./" + name,))).runs[0]
    assert run.status in (0, 1) and run.crash is None, run.err or run.crash
    return [(d["rule"], d["line"]) for d in json.loads(run.out)]


@settings(FUZZ, max_examples=100, phases=[Phase.generate])
@given(pair=bracket_pair())
def test_brackets_in_comments_and_strings_are_text(pair: tuple[str, bytes, bytes]) -> None:
    name, braced, plain = pair  # a string's text may break a pattern more ways: compare rules and lines
    assert set(_lint(name, braced)) == set(_lint(name, plain))


@pytest.mark.xfail(strict=False, reason="where a mapping holds keys Python takes for one (1 and true, 3 and "
                   "3.0), a schema violation on that mapping can be placed a line apart from where it is placed "
                   "when the keys differ (the duplicate-key report is fixed; the position is not)")
@settings(FUZZ, max_examples=100, phases=[Phase.generate])
@given(pair=key_type_pair())
def test_keys_of_different_types_are_different_keys(pair: tuple[str, bytes, bytes]) -> None:
    name, mixed, distinct = pair
    assert _lint(name, mixed) == _lint(name, distinct)


def _gpu_pod(value: bytes, resource: str, both: bool, json_file: bool) -> tuple[str, bytes, list[int]]:
    """A Pod whose accelerator limit (and request) is ``value``: (name, text, lines of the value)."""
    resources = {"limits": {resource: "@V"}} | ({"requests": {resource: "@V"}} if both else {})
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "vllm/vllm-openai:v0.6.3", "resources": resources}]}}
    if json_file:
        text = json.dumps(pod, indent=1).encode().replace(b'"@V"', value)
    else:
        import yaml

        text = yaml.safe_dump(pod, sort_keys=False).encode().replace(b"'@V'", value)
    lines = [i for i, line in enumerate(text.split(b"\n"), 1) if value in line]
    return "pod.json" if json_file else "pod.yaml", text, lines


RESOURCES = st.sampled_from(["nvidia.com/gpu", "amd.com/gpu", "aws.amazon.com/neuron", "habana.ai/gaudi"])


@settings(FUZZ, max_examples=100, phases=[Phase.generate])
@given(json_file=st.booleans(), resource=RESOURCES, both=st.booleans(), data=st.data())
def test_counts_in_other_digits_or_too_long_are_invalid_quantities(json_file: bool, resource: str, both: bool,
                                                                   data: st.DataObject) -> None:
    value = data.draw(fuzz_cases.UNICODE_DIGITS(json_file) | fuzz_cases.huge_count(json_file).filter(
        lambda v: not v.lstrip(b'"').startswith(b"-")))
    name, text, lines = _gpu_pod(value, resource, both, json_file)
    found = _lint(name, text)
    assert [("gpu-quantity-invalid", line) for line in lines] == [d for d in found if d[0] == "gpu-quantity-invalid"]
    assert all(rule != "internal-error" for rule, _ in found)


# --------------------------------------------------------------------------- scripts/fuzz.py


def test_the_fuzz_script_runs_the_same_scenarios_from_a_seed(tmp_path, capsys) -> None:
    from helpers import load_script

    fuzz = load_script("fuzz")
    out = str(tmp_path / "failure.json")
    assert fuzz.main(["--examples", "30", "--seed", "5", "--case", "mutated", "--case", "usage", "--out", out]) == 0
    first = capsys.readouterr().out
    assert first.startswith("seed 5 (repeat with --seed 5); cases: mutated, usage; 30 examples\n")
    assert first.endswith(" s, no failure\n") and "30 scenarios" in first
    assert not (tmp_path / "failure.json").exists()


def test_the_fuzz_script_saves_the_first_failure_and_replays_it(tmp_path, capsys, monkeypatch) -> None:
    from helpers import load_script

    fuzz = load_script("fuzz")
    out = str(tmp_path / "failure.json")
    monkeypatch.setattr(fuzzing, "PROPERTIES", {**fuzzing.PROPERTIES, "planted": _fails_on_fix})
    assert fuzz.main(["--examples", "200", "--seed", "3", "--case", "fix-round-trip", "--out", out]) == 1
    printed = capsys.readouterr().out
    assert "FAILED after " in printed and "[planted] AssertionError: a fix run" in printed
    saved = Scenario.from_json((tmp_path / "failure.json").read_text(encoding="utf-8"))
    assert saved.mode == "fix" and saved.case == "fix-round-trip"
    assert fuzz.main(["--replay", out]) == 1
    assert "FAILS: PropertyFailed: [planted] AssertionError: a fix run" in capsys.readouterr().out


def _fails_on_fix(outcome: Outcome) -> None:
    assert outcome.scenario.mode != "fix", "a fix run"
