"""The mixed-corpus case: what 1,000 unrelated Python files cost a run.

Builds the YAML/JSON corpus of ``corpus.py`` (1,000 documents by default) twice, the second
copy with 1,000 ordinary Python modules beside it (``add_unrelated_python``: none mentions
boto3 or the SageMaker SDK, so gpulint reads each one's bytes and parses none), and times
``gpulint --format json`` on both, in one process (``GPULINT_JOBS=1``) and as users run it,
interleaved round by round with ``run.py``'s launcher. Prints the medians and the ratios.

    python bench/mixed.py                 # 7 rounds
    python bench/mixed.py --rounds 3 --documents 1000 --python-files 1000 --keep /tmp/mixed
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from corpus import add_unrelated_python, build_corpus  # noqa: E402
from run import find_tool, run_once  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--python-files", type=int, default=1000)
    parser.add_argument("--keep", help="build the corpora here and keep them")
    args = parser.parse_args(argv)
    base = args.keep or tempfile.mkdtemp(prefix="gpulint-mixed-")
    plain, mixed = os.path.join(base, "plain"), os.path.join(base, "mixed")
    stats = build_corpus(plain, args.documents)
    shutil.rmtree(mixed, ignore_errors=True)
    shutil.copytree(plain, mixed)
    extra = add_unrelated_python(mixed, args.python_files)
    gpulint = find_tool("gpulint") or "gpulint"
    env = dict(os.environ)
    one = {**env, "GPULINT_JOBS": "1"}
    jobs = {
        "yaml only, GPULINT_JOBS=1": ([gpulint, "--format", "json", plain], one),
        "yaml + python, GPULINT_JOBS=1": ([gpulint, "--format", "json", mixed], one),
        "yaml only": ([gpulint, "--format", "json", plain], env),
        "yaml + python": ([gpulint, "--format", "json", mixed], env),
    }
    for cmd, job_env in jobs.values():
        run_once(cmd, job_env)  # warm-up: bytecode, disk cache
    times: dict[str, list[float]] = {label: [] for label in jobs}
    rng = random.Random(7)
    for _ in range(args.rounds):
        order = list(jobs)
        rng.shuffle(order)
        for label in order:
            times[label].append(run_once(*jobs[label])[0])
    print(f"corpus: {stats['files']} files / {stats['documents']} documents; "
          f"plus {extra['files']} Python files / {extra['bytes'] / 1e6:.1f} MB")
    med = {label: statistics.median(v) for label, v in times.items()}
    for label, value in med.items():
        print(f"{label:<40} {value:8.3f} s")
    for suffix in (", GPULINT_JOBS=1", ""):
        ratio = med[f"yaml + python{suffix}"] / med[f"yaml only{suffix}"]
        print(f"{'yaml + python / yaml only' + suffix:<40} {ratio:8.2f}")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
