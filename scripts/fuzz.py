"""Fuzz the whole command line for as long as you like: the scenarios and properties of
tests/test_fuzz_cli.py, without its example limit, from a random seed.

    python scripts/fuzz.py                      # until the first failure (or Ctrl-C)
    python scripts/fuzz.py --examples 20000     # at most 20,000 scenarios
    python scripts/fuzz.py --seed 1234          # the same scenarios as an earlier run
    python scripts/fuzz.py --case file-names --case usage
    python scripts/fuzz.py --replay fuzz-failure.json

The seed is printed first. The first failing scenario is shrunk to a smaller one and saved
(``--out``, default ``fuzz-failure.json``: the files, base64-encoded, and the command line);
``--replay`` runs a saved scenario again. Properties the test suite knows some scenarios
do not hold yet (``KNOWN`` in tests/fuzz_known.py) are skipped for those scenarios, and
cases known to take seconds are left out, unless ``--all`` is given.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from typing import Optional

TESTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests")
sys.path.insert(0, TESTS)

import fuzzing  # noqa: E402
from fuzz_cases import CASES  # noqa: E402
from fuzz_known import KNOWN, known_failures  # noqa: E402
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

#: examples per Hypothesis run; each run gets its own seed, drawn from the one printed
CHUNK = 1000
PROGRESS_SECONDS = 30


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python scripts/fuzz.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--examples", type=int, metavar="N", help="stop after N scenarios (default: no limit)")
    p.add_argument("--seed", type=int, metavar="S", help="seed (default: a random one, printed)")
    p.add_argument("--case", action="append", choices=sorted(CASES), metavar="NAME",
                   help=f"only these kinds of scenario (repeatable): {', '.join(CASES)}")
    p.add_argument("--all", action="store_true", help="also check what KNOWN says fails today, and the slow cases")
    p.add_argument("--no-shrink", action="store_true", help="save the first failing scenario as found")
    p.add_argument("--out", default="fuzz-failure.json", metavar="FILE", help="where to save a failing scenario")
    p.add_argument("--replay", metavar="FILE", help="run a saved scenario again and check it")
    return p.parse_args(argv)


def _cases(args: argparse.Namespace) -> list[str]:
    if args.case:
        return args.case
    slow = {k.case for k in KNOWN if k.prop == "seconds"}
    return [c for c in CASES if args.all or c not in slow]


def _check(scenario: fuzzing.Scenario, everything: bool) -> None:
    fuzzing.check(fuzzing.run(scenario), skip=frozenset() if everything else known_failures(scenario))


def _safe(text: str) -> str:
    """``text`` with its control characters escaped, fit for a terminal."""
    return fuzzing.RAW_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _describe(scenario: fuzzing.Scenario) -> str:
    files = ", ".join(f"{name!r} ({len(data)} bytes)" for name, data in scenario.files)
    return f"case {scenario.case}, mode {scenario.mode}: gpulint {scenario.argv()!r}; files: {files or 'none'}"


def replay(path: str, everything: bool) -> int:
    with open(path, encoding="utf-8") as fh:
        scenario = fuzzing.Scenario.from_json(fh.read())
    print(_safe(_describe(scenario)))
    try:
        _check(scenario, everything)
    except BaseException as exc:
        print(_safe(f"FAILS: {type(exc).__name__}: {exc}"))
        return 1
    skipped = set() if everything else known_failures(scenario)
    print("holds every property" + (f" but {', '.join(sorted(skipped))}, known to fail (--all checks them)"
                                    if skipped else ""))
    return 0


def fuzz(args: argparse.Namespace) -> int:
    base = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    cases = _cases(args)
    print(f"seed {base} (repeat with --seed {base}); cases: {', '.join(cases)}; "
          f"{args.examples if args.examples else 'no limit on'} examples", flush=True)
    strategy = st.one_of([CASES[c] for c in cases])
    seeds = random.Random(base)
    done, start, last = 0, time.monotonic(), [time.monotonic()]
    phases = [Phase.generate] if args.no_shrink else [Phase.generate, Phase.shrink]

    def property_(scenario: fuzzing.Scenario) -> None:
        nonlocal done
        done += 1
        if time.monotonic() - last[0] > PROGRESS_SECONDS:
            last[0] = time.monotonic()
            print(f"  {done} scenarios, {done / (last[0] - start):.0f}/s, no failure", flush=True)
        try:
            _check(scenario, args.all)
        except BaseException:
            with open(args.out, "w", encoding="utf-8") as fh:  # the last failure saved is the smallest
                fh.write(scenario.to_json())
            raise

    while not args.examples or done < args.examples:
        chunk = CHUNK if not args.examples else min(CHUNK, args.examples - done)
        test = settings(max_examples=chunk, derandomize=False, database=None, deadline=None, phases=phases,
                        report_multiple_bugs=False, print_blob=False, suppress_health_check=list(HealthCheck))(
            seed(seeds.randrange(2**32))(given(strategy)(property_)))
        try:
            test()
        except KeyboardInterrupt:
            print(f"stopped after {done} scenarios, no failure")
            return 0
        except BaseException as exc:
            print(_safe(f"FAILED after {done} scenarios (seed {base}): {type(exc).__name__}: {exc}"))
            print(f"saved to {args.out}; run it again with: python scripts/fuzz.py --replay {args.out}")
            return 1
    print(f"{done} scenarios in {time.monotonic() - start:.0f} s, no failure")
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    if args.replay:
        return replay(args.replay, args.all)
    return fuzz(args)


if __name__ == "__main__":
    sys.exit(main())
