"""Large inputs are loaded and checked in worker processes; the report must not depend on it.

Each run is a fresh interpreter, as on the command line: the main process then
knows only what the workers send back (which is how a rule pack once went missing).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DRIVER = textwrap.dedent(
    """
    import json, os, sys
    from gpulint.engine import parallel
    from gpulint.engine.run import lint_paths
    from gpulint.config import Config

    if sys.argv[1] == "parallel":
        parallel.parallel_jobs = lambda inputs: 2
        real_load, real_check = parallel.process_parallel, parallel.check_parallel

        def traced_load(*args):
            sys.stderr.write("parallel loading\\n")
            return real_load(*args)

        def traced_check(*args):
            sys.stderr.write("parallel rules\\n")
            return real_check(*args)

        parallel.process_parallel, parallel.check_parallel = traced_load, traced_check
    else:
        os.environ["GPULINT_JOBS"] = "1"
    result = lint_paths(sys.argv[2:], Config())
    objects = [[type(o).__name__, o.source.name, o.doc_index, o.name] for o in result.project.objects]
    print(json.dumps({"diagnostics": [d.to_dict() for d in result.diagnostics], "objects": objects}))
    """
)


def _run(mode: str, cwd, paths: list[str]) -> tuple[dict, str]:
    proc = subprocess.run([sys.executable, "-c", DRIVER, mode, *paths], cwd=cwd, capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout), proc.stderr


@pytest.mark.skipif(not hasattr(os, "fork"), reason="worker processes are forked")
def test_parallel_and_serial_runs_report_the_same(tmp_path) -> None:
    # the examples (every domain, cross-file joins), several times over
    for copy in range(4):
        shutil.copytree(os.path.join(REPO, "examples"), tmp_path / f"examples{copy}")
    paths = sorted(os.listdir(tmp_path))

    serial, _ = _run("serial", tmp_path, paths)
    parallel, log = _run("parallel", tmp_path, paths)

    assert "parallel loading" in log and "parallel rules" in log
    assert {"gpu-request-limit-mismatch", "gpu-nodegroup-untainted", "scale-in-cooldown-short"} <= {
        d["rule"] for d in serial["diagnostics"]}
    assert parallel["diagnostics"] == serial["diagnostics"]
    # the run's Project (what later steps such as the cost summary reuse) is the same either way
    assert {"Workload", "NodePool", "EndpointConfig"} <= {kind for kind, *_ in serial["objects"]}
    assert parallel["objects"] == serial["objects"]
