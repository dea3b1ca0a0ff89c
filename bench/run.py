#!/usr/bin/env python3
"""gpulint benchmark: gpulint against the YAML parse floor and against peer tools, measured in
one run, interleaved.

    python -m venv /tmp/gpulint-bench && /tmp/gpulint-bench/bin/pip install '.[bench]'
    /tmp/gpulint-bench/bin/python bench/run.py             # every case, 5 rounds
    /tmp/gpulint-bench/bin/python bench/run.py --cases small,corpus --rounds 7

Run it with the interpreter of a clean virtual environment holding a regular install, as users
have: the ``gpulint``, ``yamllint``, ``cfn-lint`` and ``checkov`` beside that interpreter are
the ones timed (``pip install '.[bench]'`` brings the peers).

1. Builds the inputs (bench/cases.py): a small Kubernetes file, a small SageMaker
   CloudFormation file, the shared corpus and its CloudFormation templates, N generated
   documents for each N of ``--sizes`` (bench/corpus.py), a tree with 40 findings ``--fix``
   fixes.
2. Times every command of every case, interleaved round by round in a shuffled order so that
   machine noise hits all alike; a tree a fix changes is restored before each run, untimed.
   Every command runs once before the timed rounds, and bytecode may be written
   (``PYTHONDONTWRITEBYTECODE`` is dropped), so start-up is measured as an installed package
   sees it.
3. Records wall time, CPU time and peak RSS: a small fresh interpreter starts each command and
   reads ``getrusage(RUSAGE_CHILDREN)`` once it has ended, so the harness's memory never counts.
4. Prints medians over the rounds, the targets and reference ratios.

It is a benchmark, not a test: nothing here runs in CI.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from typing import Optional

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from cases import CASES, Case, Job, Setup, memory, ratios  # noqa: E402

#: Runs one command and prints "seconds cpu-seconds peak-KiB exit-status". It is a fresh interpreter
#: (-I -S: no site, a few MB), so the peak RSS the kernel reports for its children is the
#: command's own (the largest of the command and the workers it waited for), not that of the
#: harness it would otherwise have been forked from.
LAUNCH = r"""
import os, resource, sys, time
null = os.open(os.devnull, os.O_WRONLY)
actions = [(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ, file_actions=actions)
_, status = os.waitpid(pid, 0)
elapsed = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""

PEERS = {"yamllint -d relaxed": "yamllint", "cfn-lint": "cfn-lint", "checkov --framework kubernetes": "checkov"}
GET_PEERS = "pip install 'gpulint[bench]' (yamllint, cfn-lint, checkov) into this interpreter's environment"


def run_once(cmd: list[str], env: dict) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (the command and the workers it waited for) and peak RSS (MB)
    of one command, measured by a fresh launcher."""
    out = subprocess.run([sys.executable, "-I", "-S", "-c", LAUNCH, *cmd], env=env,
                         capture_output=True, text=True)
    try:
        seconds, cpu, peak_kib, status = out.stdout.split()
    except ValueError:
        raise SystemExit(f"could not run {' '.join(cmd)}: {out.stderr.strip()}") from None
    if int(status) < 0 or int(status) >= 126:  # killed, or not runnable; findings are any other status
        raise SystemExit(f"command failed ({status}): {' '.join(cmd)}")
    return float(seconds), float(cpu), int(peak_kib) / 1024.0  # Linux reports KiB


def find_tool(name: str) -> Optional[str]:
    """The console script ``name`` beside this interpreter, else on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    return beside if os.path.exists(beside) else shutil.which(name)


def _works(path: Optional[str], env: dict) -> bool:
    if not path:
        return False
    try:
        return subprocess.run([path, "--version"], env=env, capture_output=True, timeout=120).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


Samples = dict[str, list[float]]


def measure(jobs: dict[str, Job], env: dict, rounds: int) -> tuple[Samples, Samples, Samples]:
    """Wall seconds, CPU seconds and peak MB of every run, rounds interleaved in a shuffled order."""
    times: Samples = {k: [] for k in jobs}
    cpu: Samples = {k: [] for k in jobs}
    rss: Samples = {k: [] for k in jobs}
    for job in jobs.values():  # warm up: bytecode written, files in the page cache
        if job.prepare:
            job.prepare()
        run_once(job.cmd, {**env, **job.env})
    rng = random.Random(0)
    for _ in range(rounds):
        order = [name for name, job in jobs.items() for _ in range(job.repeat)]
        rng.shuffle(order)
        for name in order:
            job = jobs[name]
            if job.prepare:
                job.prepare()
            t, c, m = run_once(job.cmd, {**env, **job.env})
            times[name].append(t)
            cpu[name].append(c)
            rss[name].append(m)
    return times, cpu, rss


def build_cases(setup: Setup, wanted: list[str]) -> list[Case]:
    out: list[Case] = []
    for name, build in CASES.items():
        if wanted and name not in wanted:
            continue
        made = build(setup)
        out.extend(made if isinstance(made, list) else [made] if made is not None else [])
    return out


def report(args: argparse.Namespace, cases: list[Case], times: Samples, cpu: Samples, rss: Samples,
           missing: list[str], sizes: list[int]) -> None:
    med = {k: statistics.median(v) for k, v in times.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(f"\nmachine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end; {args.rounds} rounds, medians; "
          f"gpulint: {args.gpulint}")
    for case in cases:
        print(f"\n{case.name}: {case.about}")
        print(f"  {'command':<34} {'runs':>4} {'seconds':>9} {'min':>7} {'max':>7} {'CPU s':>7} {'peak MB':>8}")
        for tool in case.jobs:
            label = f"{case.name}: {tool}"
            v = times[label]
            print(f"  {tool:<34} {len(v):>4} {med[label]:>9.3f} {min(v):>7.3f} {max(v):>7.3f} "
                  f"{med_cpu[label]:>7.3f} {max(rss[label]):>8.1f}")
    rows: list[tuple[str, Optional[float], Optional[float]]] = []
    for r in ratios(sizes):
        src = med_cpu if r.cpu else med
        value = src[r.over] / src[r.under] if r.over in src and r.under in src and src[r.under] else None
        rows.append((r.label, value, r.target))
    for label, row, limit in memory(sizes):
        rows.append((label, max(rss[row]) if row in rss else None, limit))
    width = max(len(label) for label, _, _ in rows)
    print(f"\n{'ratio':<{width}} {'measured':>9} {'target':>7}")
    for label, value, target in rows:
        shown = f"{value:>9.2f}" if value is not None else f"{'-':>9}"
        if target is None:
            verdict, goal = "(reference)", f"{'-':>7}"
        else:
            verdict = "not measured" if value is None else ("ok" if value <= target else "MISSED")
            goal = f"{target:>7.2f}"
        print(f"{label:<{width}} {shown} {goal}  {verdict}")
    for tool in missing:
        print(f"\n{tool} was not found: {GET_PEERS}")


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,50000", help="generated corpus sizes in documents (comma-separated)")
    ap.add_argument("--cases", default="", help=f"only these cases (comma-separated): {', '.join(CASES)}")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=5, help="runs a round of each command on a small file")
    ap.add_argument("--keep", metavar="DIR", help="build the inputs here and keep them")
    ap.add_argument("--gpulint", default=find_tool("gpulint") or "gpulint")
    for tool, script in PEERS.items():
        ap.add_argument(f"--{script}", default=find_tool(script), help=f"the peer {tool}")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    work = args.keep or tempfile.mkdtemp(prefix="gpulint-bench-")
    os.makedirs(work, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GPULINT_") and k != "PYTHONDONTWRITEBYTECODE"}
    peers = {tool: getattr(args, script.replace("-", "_")) for tool, script in PEERS.items()}
    missing = [tool for tool, path in peers.items() if not _works(path, env)]
    peers = {tool: (None if tool in missing else path) for tool, path in peers.items()}
    setup = Setup(sys.executable, args.gpulint, peers, work, sizes, args.repeat)
    cases = build_cases(setup, [c for c in args.cases.split(",") if c])
    for case in cases:
        print(f"{case.name}: {case.about}")
    jobs = {f"{case.name}: {tool}": job for case in cases for tool, job in case.jobs.items()}
    times, cpu, rss = measure(jobs, env, args.rounds)
    report(args, cases, times, cpu, rss, missing, sizes)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
