#!/usr/bin/env python3
"""gpulint benchmark: start-up against yamllint, throughput against the YAML parse floor,
scaling, memory.

    python -m venv /tmp/gpulint-bench && /tmp/gpulint-bench/bin/pip install '.[bench]'
    /tmp/gpulint-bench/bin/python bench/run.py          # N = 1,000 and 10,000, 7 rounds
    /tmp/gpulint-bench/bin/python bench/run.py --rounds 3 --sizes 1000

Run it with the interpreter of a clean virtual environment holding a regular
install, as users have: the ``gpulint`` and ``yamllint`` beside that
interpreter are the ones timed (``pip install '.[bench]'`` brings yamllint).

1. Builds a corpus deterministically (bench/corpus.py): N realistic documents of
   every supported kind, derived from ``examples/`` and ``../shared/corpus/``.
2. Times, interleaved round by round so machine noise hits all alike:
   - ``gpulint`` and ``yamllint -d relaxed`` on the same small Kubernetes file
     (the start-up target), each several times a round;
   - the parse floor: every file loaded with PyYAML's C loader / json, nothing else;
   - ``gpulint`` on each corpus in one process (``GPULINT_JOBS=1``, the throughput
     target) and as users run it (on every core once the input is large enough);
   - for reference, ``python -c pass`` and ``python -c "import yaml"``.
   Every command runs once before the timed rounds, and bytecode may be written
   (``PYTHONDONTWRITEBYTECODE`` is dropped), so start-up is measured as an
   installed package sees it, not with every module compiled afresh.
3. Records the CPU time and peak RSS of each command: a small fresh interpreter starts the
   command and reads ``getrusage(RUSAGE_CHILDREN)`` once it has ended, so the
   harness's own memory never counts.
4. Prints medians over the rounds, and the ratios the project tracks.

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

#: Runs one command and prints "seconds cpu-seconds peak-KiB exit-status". It is a fresh interpreter
#: (-I -S: no site, a few MB), so the peak RSS the kernel reports for its one child is the
#: command's own, not that of the harness it would otherwise have been forked from.
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

GET_YAMLLINT = "pip install 'gpulint[bench]' (or pip install yamllint) into this interpreter's environment"

PASS, IMPORT_YAML = "python -c pass", 'python -c "import yaml"'
YAMLLINT, SMALL_RUN = "yamllint -d relaxed, small file", "gpulint small file"
#: the commands timed several times a round (each takes a fraction of a second)
STARTUP = (PASS, IMPORT_YAML, YAMLLINT, SMALL_RUN)


def _floor(n: str) -> str:
    return f"parse floor {n}"


def _lint(n: str, one_process: bool) -> str:
    return f"gpulint {n}, GPULINT_JOBS=1" if one_process else f"gpulint {n}"


def run_once(cmd: list[str], env: dict) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (the command and the workers it waited for) and peak RSS (MB)
    of one command, measured by a fresh launcher."""
    out = subprocess.run([sys.executable, "-I", "-S", "-c", LAUNCH, *cmd], env=env,
                         capture_output=True, text=True)
    try:
        seconds, cpu, peak_kib, status = out.stdout.split()
    except ValueError:
        raise SystemExit(f"could not run {' '.join(cmd)}: {out.stderr.strip()}") from None
    if int(status) not in (0, 1):
        raise SystemExit(f"command failed ({status}): {' '.join(cmd)}")
    return float(seconds), float(cpu), int(peak_kib) / 1024.0  # Linux reports KiB


def find_tool(name: str) -> str | None:
    """The console script ``name`` beside this interpreter, else on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    return beside if os.path.exists(beside) else shutil.which(name)


def _yamllint_works(path: str | None, env: dict) -> bool:
    if not path:
        return False
    try:
        return subprocess.run([path, "--version"], env=env, capture_output=True).returncode == 0
    except OSError:
        return False


def build_jobs(args: argparse.Namespace, corpora: dict[int, str], small: str,
               have_yamllint: bool) -> dict[str, tuple[list[str], dict]]:
    """name -> (command, extra environment), in the order the table prints them."""
    py = sys.executable
    jobs: dict[str, tuple[list[str], dict]] = {
        PASS: ([py, "-c", "pass"], {}),
        IMPORT_YAML: ([py, "-c", "import yaml"], {}),
    }
    if have_yamllint:
        jobs[YAMLLINT] = ([args.yamllint, "-d", "relaxed", small], {})
    jobs[SMALL_RUN] = ([args.gpulint, "--exit-zero", "-q", small], {})
    for n, folder in corpora.items():
        label = f"{n:,}"
        lint = [args.gpulint, "--exit-zero", "-q", "--format", "json", folder]
        jobs[_floor(label)] = ([py, "-c", FLOOR, folder], {})
        jobs[_lint(label, True)] = (lint, {"GPULINT_JOBS": "1"})
        jobs[_lint(label, False)] = (lint, {})
    return jobs


Samples = dict[str, list[float]]


def measure(jobs: dict[str, tuple[list[str], dict]], env: dict, rounds: int,
            repeat: int) -> tuple[Samples, Samples, Samples]:
    """Wall seconds, CPU seconds and peak MB of every run, rounds interleaved in a shuffled order."""
    times: Samples = {k: [] for k in jobs}
    cpu: Samples = {k: [] for k in jobs}
    rss: Samples = {k: [] for k in jobs}
    for cmd, extra in jobs.values():  # warm up: bytecode written, files in the page cache
        run_once(cmd, {**env, **extra})
    rng = random.Random(0)
    for _ in range(rounds):
        order = [name for name in jobs for _ in range(repeat if name in STARTUP else 1)]
        rng.shuffle(order)
        for name in order:
            cmd, extra = jobs[name]
            t, c, m = run_once(cmd, {**env, **extra})
            times[name].append(t)
            cpu[name].append(c)
            rss[name].append(m)
    return times, cpu, rss


def ratios(med: dict[str, float], cpu: dict[str, float], rss: Samples,
           sizes: list[int]) -> list[tuple[str, float | None, float | None]]:
    """(label, measured or None when not measured, target or None for a reference figure).

    The targets are on wall time; the same ratios on CPU time follow for reference (waiting
    for a core that other work holds adds wall time, not CPU time)."""
    big, little = f"{max(sizes):,}", f"{min(sizes):,}"
    out: list[tuple[str, float | None, float | None]] = [
        (f"{SMALL_RUN} / {YAMLLINT}", med[SMALL_RUN] / med[YAMLLINT] if YAMLLINT in med else None, 2.0),
        (f"{_lint(big, True)} / {_floor(big)}", med[_lint(big, True)] / med[_floor(big)], 1.5),
    ]
    if big != little:
        out.append((f"{_lint(big, True)} / {_lint(little, True)}",
                    med[_lint(big, True)] / med[_lint(little, True)], 11.0))
    out += [
        (f"peak RSS, {_lint(big, False)} (MB)", max(rss[_lint(big, False)]), 300.0),
        (f"{_lint(big, False)} / {_floor(big)}", med[_lint(big, False)] / med[_floor(big)], None),
        (f"{SMALL_RUN} / {PASS}", med[SMALL_RUN] / med[PASS], None),
        (f"{SMALL_RUN} / {IMPORT_YAML}", med[SMALL_RUN] / med[IMPORT_YAML], None),
        (f"CPU time: {SMALL_RUN} / {YAMLLINT}", cpu[SMALL_RUN] / cpu[YAMLLINT] if YAMLLINT in cpu else None, None),
        (f"CPU time: {_lint(big, True)} / {_floor(big)}", cpu[_lint(big, True)] / cpu[_floor(big)], None),
    ]
    return out


def report(args: argparse.Namespace, times: Samples, cpu: Samples, rss: Samples,
           sizes: list[int], have_yamllint: bool) -> None:
    med = {k: statistics.median(v) for k, v in times.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nmachine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
          f"load average {load:.2f} at the end; {args.rounds} rounds ({args.repeat} runs a round for "
          f"start-up), medians; gpulint: {args.gpulint}")
    print(f"{'measurement':<36} {'seconds':>9} {'min':>7} {'max':>7} {'CPU s':>7} {'peak MB':>8}")
    names = list(times)
    if not have_yamllint:
        names.insert(names.index(SMALL_RUN), YAMLLINT)
    for name in names:
        if name not in times:
            print(f"{name:<36} {'not installed: ' + GET_YAMLLINT}")
            continue
        v = times[name]
        print(f"{name:<36} {med[name]:>9.3f} {min(v):>7.3f} {max(v):>7.3f} {med_cpu[name]:>7.3f} "
              f"{max(rss[name]):>8.1f}")
    rows = ratios(med, med_cpu, rss, sizes)
    width = max(len(label) for label, _, _ in rows)
    print(f"\n{'ratio':<{width}} {'measured':>9} {'target':>7}")
    for label, value, target in rows:
        shown = f"{value:>9.2f}" if value is not None else f"{'-':>9}"
        if target is None:
            verdict, goal = "(reference)", f"{'-':>7}"
        else:
            verdict = "not measured" if value is None else ("ok" if value <= target else "MISSED")
            goal = f"{target:>7.1f}"
        print(f"{label:<{width}} {shown} {goal}  {verdict}")
    if not have_yamllint:
        print(f"\nyamllint was not found, so the start-up target was not measured: {GET_YAMLLINT}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000", help="corpus sizes in documents (comma-separated)")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=5, help="runs of each start-up command per round")
    ap.add_argument("--keep", metavar="DIR", help="build the corpora here and keep them")
    ap.add_argument("--gpulint", default=find_tool("gpulint") or "gpulint")
    ap.add_argument("--yamllint", default=find_tool("yamllint"), help="the peer for the start-up target")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    work = args.keep or tempfile.mkdtemp(prefix="gpulint-bench-")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GPULINT_") and k != "PYTHONDONTWRITEBYTECODE"}
    have_yamllint = _yamllint_works(args.yamllint, env)
    if not have_yamllint:
        print(f"yamllint not found ({args.yamllint or 'not on PATH'}): {GET_YAMLLINT}")
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

    jobs = build_jobs(args, corpora, small, have_yamllint)
    times, cpu, rss = measure(jobs, env, args.rounds, args.repeat)
    report(args, times, cpu, rss, sizes, have_yamllint)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
