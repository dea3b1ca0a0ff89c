#!/usr/bin/env python3
"""gpulint benchmark: throughput against the YAML parse floor, scaling, start-up, memory.

    python -m venv /tmp/gpulint-bench && /tmp/gpulint-bench/bin/pip install .
    /tmp/gpulint-bench/bin/python bench/run.py          # N = 1,000 and 10,000, 7 rounds
    /tmp/gpulint-bench/bin/python bench/run.py --rounds 3 --sizes 1000

Run it with the interpreter of a clean virtual environment holding a regular
install, as users have: ``python -c pass`` is then the bare interpreter, and the
``gpulint`` beside that interpreter is the one timed.

1. Builds a corpus deterministically (bench/corpus.py): N realistic documents of
   every supported kind, derived from ``examples/`` and ``../shared/corpus/``.
2. Times, interleaved round by round so machine noise hits all alike:
   - the parse floor: every file loaded with PyYAML's C loader / json, nothing else;
   - ``gpulint`` on the corpus;
   - ``gpulint`` on one small file;
   - ``python -c pass``, and ``python -c "import yaml"`` for reference (the part
     of start-up any tool that reads YAML with PyYAML pays).
   Every command runs once before the timed rounds, and bytecode may be written
   (``PYTHONDONTWRITEBYTECODE`` is dropped), so start-up is measured as an
   installed package sees it, not with every module compiled afresh.
3. Records the peak RSS of each gpulint run.
4. Prints the ratios the project tracks, with medians over the rounds.

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
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from corpus import build_corpus  # noqa: E402

FLOOR = r"""
import json, os, sys, yaml
loader = yaml.CSafeLoader
for root, _, files in os.walk(sys.argv[1]):
    for name in files:
        path = os.path.join(root, name)
        with open(path, "rb") as fh:
            raw = fh.read()
        if name.endswith(".json"):
            json.loads(raw)
        else:
            list(yaml.load_all(raw, Loader=loader))
"""

SMALL = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: small
spec:
  template:
    spec:
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.3
          resources:
            limits:
              nvidia.com/gpu: 1
"""

TARGETS = {
    "throughput": ("gpulint {big} / parse floor {big}", 1.5),
    "scaling": ("gpulint {big} / gpulint {little}", 11.0),
    "startup": ("gpulint small file / python -c pass", 2.0),
    "memory": ("peak RSS on {big} documents (MB)", 300.0),
}


def _run(cmd: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    rss_mb = usage.ru_maxrss / 1024.0  # Linux reports KiB
    return elapsed, rss_mb


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000", help="corpus sizes in documents (comma-separated)")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--keep", metavar="DIR", help="build the corpora here and keep them")
    beside = os.path.join(os.path.dirname(sys.executable), "gpulint")
    ap.add_argument("--gpulint", default=beside if os.path.exists(beside) else shutil.which("gpulint") or "gpulint")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    work = args.keep or tempfile.mkdtemp(prefix="gpulint-bench-")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GPULINT_") and k != "PYTHONDONTWRITEBYTECODE"}
    corpora = {}
    for n in sizes:
        folder = os.path.join(work, f"corpus-{n}")
        stats = build_corpus(folder, n)
        corpora[n] = folder
        print(f"corpus {n}: {stats['files']} files, {stats['documents']} documents, "
              f"{stats['bytes'] / 1e6:.1f} MB, {stats['with_findings']} documents seeded with a finding")
    small = os.path.join(work, "small.yaml")
    with open(small, "w") as fh:
        fh.write(SMALL)

    py = sys.executable
    jobs: dict[str, list[str]] = {"python -c pass": [py, "-c", "pass"],
                                  'python -c "import yaml"': [py, "-c", "import yaml"],
                                  "gpulint small file": [args.gpulint, "--exit-zero", "-q", small]}
    for n, folder in corpora.items():
        jobs[f"parse floor {n}"] = [py, "-c", FLOOR, folder]
        jobs[f"gpulint {n}"] = [args.gpulint, "--exit-zero", "-q", "--format", "json", folder]

    times: dict[str, list[float]] = {k: [] for k in jobs}
    rss: dict[str, list[float]] = {k: [] for k in jobs}
    for cmd in jobs.values():  # warm up: bytecode written, files in the page cache
        _run(cmd, env)
    rng = random.Random(0)
    for _ in range(args.rounds):
        order = list(jobs)
        rng.shuffle(order)
        for name in order:
            t, m = _run(jobs[name], env)
            times[name].append(t)
            rss[name].append(m)

    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"\nmachine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
          f"{args.rounds} rounds, medians; gpulint: {args.gpulint}")
    print(f"{'measurement':<32} {'seconds':>9} {'peak MB':>9}")
    for name in jobs:
        print(f"{name:<32} {med[name]:>9.3f} {max(rss[name]):>9.1f}")

    big, little = max(sizes), min(sizes)
    ratios = {
        "startup": med["gpulint small file"] / med["python -c pass"],
        "memory": max(rss[f"gpulint {big}"]),
    }
    ratios["throughput"] = med[f"gpulint {big}"] / med[f"parse floor {big}"]
    if big != little:
        ratios["scaling"] = med[f"gpulint {big}"] / med[f"gpulint {little}"]
    print(f"\n{'ratio':<44} {'measured':>9} {'target':>8}")
    for key, (label, target) in TARGETS.items():
        label = label.format(big=f"{big:,}", little=f"{little:,}")
        if key in ratios:
            ok = "ok" if ratios[key] <= target else "MISSED"
            print(f"{label:<44} {ratios[key]:>9.2f} {target:>8.1f}  {ok}")
    over_yaml = med["gpulint small file"] / med['python -c "import yaml"']
    label = "gpulint small file / python -c 'import yaml'"
    print(f"{label:<44} {over_yaml:>9.2f} {'-':>8}  (reference)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
