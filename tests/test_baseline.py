"""``--write-baseline FILE`` records today's findings; ``--baseline FILE`` reports only new ones."""

from __future__ import annotations

import io
import json
import os

import pytest
from helpers import run_cli

from gpulint.cli import main
from gpulint.engine.baseline import normalise_message

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  template:
    spec:
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.3
          resources:
            requests: {{nvidia.com/gpu: 1}}
            limits: {{nvidia.com/gpu: {limit}}}
"""


def deployment(name: str, limit: int = 2) -> str:
    return DEPLOYMENT.format(name=name, limit=limit)


DUPLICATE_KEY = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: x\n  a: y\n"


def run(argv: list[str]) -> tuple[int, list[tuple[str, int, str]], str]:
    code, text, err = run_cli(["--format", "json", *argv])
    diags = json.loads(text) if text.strip() else []
    return code, [(d["file"], d["line"], d["rule"]) for d in diags], err


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "serving.yaml").write_text(deployment("a") + "---\n" + deployment("b"))
    (tmp_path / "k8s" / "config.yaml").write_text(DUPLICATE_KEY)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_baseline(path: str = "gpulint-baseline.json", *extra: str) -> dict:
    code, diags, err = run(["--write-baseline", path, *extra])
    assert (code, diags) == (0, [])
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def test_write_baseline_records_every_finding(repo):
    code, before, _ = run(["k8s"])
    assert code == 1
    assert before == [
        ("k8s/config.yaml", 7, "schema-violation"),
        ("k8s/serving.yaml", 12, "gpu-request-limit-mismatch"),
        ("k8s/serving.yaml", 26, "gpu-request-limit-mismatch"),
    ]
    out, err = io.StringIO(), io.StringIO()
    assert main(["--write-baseline", "gpulint-baseline.json", "k8s"], stdout=out, stderr=err) == 0
    assert out.getvalue() == ""
    assert err.getvalue() == "gpulint: recorded 3 finding(s) in gpulint-baseline.json\n"
    doc = json.loads((repo / "gpulint-baseline.json").read_text())
    assert doc["gpulint-baseline"] == 1
    rows = [(f["rule"], f["file"], f["document"], f["path"]) for f in doc["findings"]]
    assert rows == [
        ("schema-violation", "k8s/config.yaml", "ConfigMap/settings", ""),
        ("gpu-request-limit-mismatch", "k8s/serving.yaml", "Deployment/a",
         "spec.template.spec.containers.0.resources.requests.nvidia.com/gpu"),
        ("gpu-request-limit-mismatch", "k8s/serving.yaml", "Deployment/b",
         "spec.template.spec.containers.0.resources.requests.nvidia.com/gpu"),
    ]
    # the message is recorded without the line it mentions
    assert doc["findings"][0]["message"] == (
        "duplicate key 'a' (first on line N); Kubernetes and the AWS tools keep only the last value"
    )


def test_baseline_hides_known_findings(repo):
    write_baseline("gpulint-baseline.json", "k8s")
    code, diags, err = run(["--baseline", "gpulint-baseline.json", "k8s"])
    assert (code, diags) == (0, [])
    assert "gpulint: 3 finding(s) recorded in gpulint-baseline.json not shown" in err


def test_findings_survive_inserted_lines_and_documents_above(repo):
    write_baseline("gpulint-baseline.json", "k8s")
    serving = repo / "k8s" / "serving.yaml"
    # comments above, and a clean document inserted before the others
    serving.write_text("# serving stack\n\n# owned by the platform team\n" + deployment("c", limit=1) + "---\n"
                       + serving.read_text())
    (repo / "k8s" / "config.yaml").write_text("# settings\n\n" + DUPLICATE_KEY)
    code, current, _ = run(["k8s"])
    assert [line for _, line, _ in current] == [9, 29, 43]  # everything moved
    assert run(["--baseline", "gpulint-baseline.json", "k8s"])[:2] == (0, [])


def test_a_new_finding_is_reported(repo):
    write_baseline("gpulint-baseline.json", "k8s")
    serving = repo / "k8s" / "serving.yaml"
    serving.write_text(serving.read_text() + "---\n" + deployment("new"))
    code, diags, _ = run(["--baseline", "gpulint-baseline.json", "k8s"])
    assert (code, diags) == (1, [("k8s/serving.yaml", 40, "gpu-request-limit-mismatch")])


def test_a_changed_finding_in_a_known_object_is_new(repo):
    """The limit changed from 2 to 4: a different problem, not the one recorded."""
    write_baseline("gpulint-baseline.json", "k8s")
    (repo / "k8s" / "serving.yaml").write_text(deployment("a", limit=4) + "---\n" + deployment("b"))
    code, diags, _ = run(["--baseline", "gpulint-baseline.json", "k8s"])
    assert (code, diags) == (1, [("k8s/serving.yaml", 12, "gpu-request-limit-mismatch")])


def test_a_second_copy_of_a_known_finding_is_new(repo):
    write_baseline("gpulint-baseline.json", "k8s")
    serving = repo / "k8s" / "serving.yaml"
    serving.write_text(serving.read_text() + "---\n" + deployment("a"))  # same object name again
    code, diags, _ = run(["--baseline", "gpulint-baseline.json", "k8s"])
    assert code == 1 and len(diags) == 1 and diags[0][2] == "gpu-request-limit-mismatch"


def test_a_fixed_finding_disappears(repo):
    write_baseline("gpulint-baseline.json", "k8s")
    (repo / "k8s" / "serving.yaml").write_text(deployment("a", limit=1) + "---\n" + deployment("b"))
    assert run(["--baseline", "gpulint-baseline.json", "k8s"])[:2] == (0, [])
    # re-recording drops it from the baseline, so the problem cannot come back unnoticed
    doc = write_baseline("gpulint-baseline.json", "k8s")
    assert [f["document"] for f in doc["findings"]] == ["ConfigMap/settings", "Deployment/b"]
    (repo / "k8s" / "serving.yaml").write_text(deployment("a") + "---\n" + deployment("b"))
    code, diags, _ = run(["--baseline", "gpulint-baseline.json", "k8s"])
    assert (code, diags) == (1, [("k8s/serving.yaml", 12, "gpu-request-limit-mismatch")])


def test_baseline_works_from_another_working_directory(repo, monkeypatch):
    write_baseline("gpulint-baseline.json", "k8s")
    monkeypatch.chdir(repo / "k8s")
    assert run(["--baseline", "../gpulint-baseline.json", "."])[:2] == (0, [])


def test_a_baseline_for_another_file_hides_nothing(repo):
    write_baseline("gpulint-baseline.json", "k8s")
    (repo / "k8s" / "serving.yaml").rename(repo / "k8s" / "renamed.yaml")
    code, diags, _ = run(["--baseline", "gpulint-baseline.json", "k8s"])
    assert code == 1 and {f for f, _, _ in diags} == {"k8s/renamed.yaml"}


def test_rewriting_the_baseline_in_place_records_current_findings(repo):
    write_baseline("gpulint-baseline.json", "k8s")
    out, err = io.StringIO(), io.StringIO()
    argv = ["--baseline", "gpulint-baseline.json", "--write-baseline", "gpulint-baseline.json", "--quiet", "k8s"]
    assert main(argv, stdout=out, stderr=err) == 0
    assert err.getvalue() == ""
    assert len(json.loads((repo / "gpulint-baseline.json").read_text())["findings"]) == 3


@pytest.mark.parametrize(
    "content, expected",
    [
        (None, "baseline b.json: no such file (create it with --write-baseline b.json)"),
        ("{not json", "baseline b.json:1:2: not a gpulint baseline (invalid JSON: Expecting property name enclosed "
                      "in double quotes)"),
        ("[]", "baseline b.json: not a gpulint baseline (no 'gpulint-baseline' version)"),
        ('{"gpulint-baseline": 99, "findings": []}',
         "baseline b.json: version 99 is not supported (expected 1); write it again with --write-baseline"),
        ('{"gpulint-baseline": "\\u001b[31mx", "findings": []}',
         "baseline b.json: version '\\x1b[31mx' is not supported (expected 1); write it again with --write-baseline"),
        ('{"gpulint-baseline": 1, "findings": {"a": 1}}',
         "baseline b.json: not a gpulint baseline ('findings' must be a list of findings)"),
        ('{"gpulint-baseline": 1, "findings": [{"rule": "x"}]}',
         "baseline b.json: not a gpulint baseline ('findings' must be a list of findings)"),
        (b"\xff\xfe\x00garbage",
         "baseline b.json:1:1: not a gpulint baseline (file is UTF-16 encoded; expected UTF-8)"),
    ],
)
def test_missing_or_corrupt_baseline_is_a_clear_error(repo, content, expected):
    if content is not None:
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(repo / "b.json", mode) as fh:
            fh.write(content)
    out, err = io.StringIO(), io.StringIO()
    assert main(["--baseline", "b.json", "k8s"], stdout=out, stderr=err) == 2
    assert (out.getvalue(), err.getvalue()) == ("", f"gpulint: {expected}\n")


def test_unwritable_baseline_is_a_clear_error(repo):
    out, err = io.StringIO(), io.StringIO()
    assert main(["--write-baseline", "no/such/dir/b.json", "k8s"], stdout=out, stderr=err) == 2
    assert err.getvalue().startswith("gpulint: cannot write baseline no/such/dir/b.json: ")


@pytest.mark.parametrize(
    "message, expected",
    [
        ("duplicate key 'a' (first on line 12)", "duplicate key 'a' (first on line N)"),
        ("see lines 3-7 and line 9", "see lines N and line N"),
        ("joined with cluster.yaml:14:3 by name", "joined with cluster.yaml by name"),
        ("requests nvidia.com/gpu: 1 but its limit is 2", "requests nvidia.com/gpu: 1 but its limit is 2"),
    ],
)
def test_message_normalisation_drops_only_line_numbers(message, expected):
    assert normalise_message(message) == expected


def test_a_symlinked_baseline_stays_a_symlink(repo):
    (repo / "ci").mkdir()
    (repo / "ci" / "baseline.json").write_text("{}")
    (repo / "gpulint-baseline.json").symlink_to("ci/baseline.json")
    recorded = write_baseline("gpulint-baseline.json", "k8s")
    assert (repo / "gpulint-baseline.json").is_symlink()
    assert json.loads((repo / "ci" / "baseline.json").read_text()) == recorded
    assert len(recorded["findings"]) == 3
    assert sorted(p.name for p in (repo / "ci").iterdir()) == ["baseline.json"]  # no temporary file left


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_baseline_written_to_a_pipe_is_streamed_not_replaced(repo):
    import stat
    import threading

    fifo = repo / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    out, err = io.StringIO(), io.StringIO()
    assert main(["--write-baseline", str(fifo), "k8s"], stdout=out, stderr=err) == 0, err.getvalue()
    reader.join(10)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still the pipe, not a regular file renamed over it
    assert len(json.loads(received[0])["findings"]) == 3
