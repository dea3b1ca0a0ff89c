"""Hostile files and folders: duplicate keys, size limits, symlink loops, FIFOs, devices, unreadable files."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from helpers import run_cli

from gpulint.cli import main

GPU_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: c
      image: vllm/vllm-openai:v0.6.3
      resources:
        requests: {nvidia.com/gpu: 1}
        limits: {nvidia.com/gpu: 2}
"""


def lint(*argv: str) -> tuple[int, list[tuple[str, int, int, str]], str]:
    status, out, err = run_cli(["--format", "json", *argv])
    return status, [(d["file"], d["line"], d["column"], d["rule"]) for d in json.loads(out)], err


def messages(*argv: str) -> list[str]:
    out = io.StringIO()
    main(["--format", "json", *argv], stdout=out, stderr=io.StringIO())
    return [d["message"] for d in json.loads(out.getvalue())]


def gpulint_process(*argv: str, cwd, timeout: int = 30) -> subprocess.CompletedProcess:
    """A separate process, so that a hang fails the test through the timeout instead of stalling the suite."""
    return subprocess.run([sys.executable, "-m", "gpulint", *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


# --------------------------------------------------------------------------- duplicate keys


def test_duplicate_key_in_yaml_is_a_schema_violation_and_the_last_value_wins(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pod.yaml").write_text(
        GPU_POD.replace("        limits: {nvidia.com/gpu: 2}\n",
                        "        limits:\n          nvidia.com/gpu: 2\n          nvidia.com/gpu: 1\n")
    )
    status, diags, _ = lint("pod.yaml")
    # Kubernetes keeps the last value (1 = the request), so only the duplicate itself is reported
    assert (status, diags) == (1, [("pod.yaml", 13, 11, "schema-violation")])
    assert messages("pod.yaml") == [
        "duplicate key 'nvidia.com/gpu' (first on line 12); Kubernetes and the AWS tools keep only the last value"
    ]


def test_duplicate_key_in_json_is_a_schema_violation(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.json").write_text(
        '{\n  "ModelName": "a",\n  "ModelName": "b",\n'
        '  "ExecutionRoleArn": "arn:aws:iam::123456789012:role/sm",\n'
        '  "PrimaryContainer": {"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1"}\n}\n'
    )
    status, diags, _ = lint("model.json")
    assert (status, [(f, line, rule) for f, line, _, rule in diags]) == (1, [("model.json", 3, "schema-violation")])


def test_duplicate_key_in_a_file_gpulint_does_not_recognise_is_not_reported(tmp_path, monkeypatch):
    """Helm values, CI configs and the like are ignored, repeated keys included."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "values.yaml").write_text("replicaCount: 1\nimage: {repository: vllm}\nreplicaCount: 2\n")
    (tmp_path / "settings.json").write_text('{"retries": 1, "retries": 2}\n')
    assert lint("values.yaml", "settings.json")[:2] == (0, [])


def test_duplicate_top_level_kind_hides_a_different_object(tmp_path, monkeypatch):
    """The reviewer reads `kind: Pod`, the API server gets a Deployment."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.yaml").write_text("apiVersion: v1\nkind: Pod\nkind: Deployment\nmetadata: {name: x}\n")
    status, diags, _ = lint("x.yaml")
    assert (status, diags) == (1, [("x.yaml", 3, 1, "schema-violation")])


# --------------------------------------------------------------------------- size limit


def test_default_max_file_size_is_5_mb(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    filler = "# " + "x" * 98 + "\n"
    (tmp_path / "big.yaml").write_text(GPU_POD + filler * (5 * 1024 * 1024 // len(filler) + 1))
    (tmp_path / "small.yaml").write_text(GPU_POD)
    status, diags, _ = lint(".")
    assert diags == [("big.yaml", 1, 1, "parse-error"), ("small.yaml", 10, 36, "gpu-request-limit-mismatch")]
    size = (tmp_path / "big.yaml").stat().st_size
    assert messages("big.yaml") == [f"file is {size} bytes, larger than max-file-size (5242880); skipped"]


def test_max_file_size_from_the_config_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".gpulint.yaml").write_text("max-file-size: 100\n")
    (tmp_path / "pod.yaml").write_text(GPU_POD)
    assert lint("pod.yaml")[1] == [("pod.yaml", 1, 1, "parse-error")]
    (tmp_path / ".gpulint.yaml").write_text(f"max-file-size: {len(GPU_POD)}\n")  # exactly the limit is fine
    assert lint("pod.yaml")[1] == [("pod.yaml", 10, 36, "gpu-request-limit-mismatch")]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero on this platform")
def test_an_endless_device_is_read_only_up_to_the_limit(tmp_path):
    (tmp_path / ".gpulint.yaml").write_text("max-file-size: 1000\n")
    proc = gpulint_process("--format", "json", "/dev/zero", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    (diag,) = json.loads(proc.stdout)
    assert (diag["rule"], diag["message"]) == ("parse-error", "file is larger than max-file-size (1000); skipped")


# --------------------------------------------------------------------------- special files


def test_symlink_loops_in_the_walk_do_not_hang(tmp_path):
    tree = tmp_path / "k8s"
    (tree / "nested").mkdir(parents=True)
    (tree / "nested" / "pod.yaml").write_text(GPU_POD)
    os.symlink("..", tree / "nested" / "up")  # a folder loop
    os.symlink("self.yaml", tree / "self.yaml")  # a link to itself
    os.symlink("b.yaml", tree / "a.yaml")  # two links to each other
    os.symlink("a.yaml", tree / "b.yaml")
    os.symlink("../k8s", tree / "nested" / "again.yaml")  # a folder loop named like a file
    proc = gpulint_process("--format", "json", "k8s", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    diags = [(d["file"], d["rule"]) for d in json.loads(proc.stdout)]
    assert diags == [("k8s/nested/pod.yaml", "gpu-request-limit-mismatch")]
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("link, why", [
    ("loop.yaml", "a loop of symbolic links"),
    ("gone.yaml", "a symbolic link to nothing (dangling)"),
])
def test_a_symlink_loop_or_dangling_link_named_on_the_command_line_is_a_usage_error(tmp_path, link, why):
    os.symlink("loop.yaml", tmp_path / "loop.yaml")
    os.symlink("nowhere.yaml", tmp_path / "gone.yaml")
    (tmp_path / "pod.yaml").write_text(GPU_POD)
    proc = gpulint_process("--format", "json", link, "pod.yaml", cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", f"gpulint: {link}: {why}\n")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_named_on_the_command_line_is_a_usage_error(tmp_path):
    """A named pipe in the tree is no file to lint, and reading it could wait for ever."""
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "pod.yaml").write_text(GPU_POD)
    proc = gpulint_process("--format", "json", "pipe.yaml", "pod.yaml", cwd=tmp_path, timeout=10)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (
        "gpulint: pipe.yaml: a named pipe (FIFO), not a file; lint what it carries with '-' (gpulint - < FIFO)\n"
    )


def _shell_pipe_script(argv: list[str], wait: float) -> str:
    return (
        "import sys; from gpulint import cli; from gpulint.engine import inputs; "
        f"inputs.FIFO_WAIT_SECONDS = {wait}; sys.exit(cli.main({argv!r}))"
    )


@pytest.mark.skipif(not os.path.isdir("/dev/fd"), reason="no /dev/fd on this platform")
def test_a_shell_pipe_nobody_writes_to_does_not_hang(tmp_path):
    """`gpulint <(cmd)` hands over /dev/fd/N, a pipe: read as a file, given up on when silent."""
    read_end, write_end = os.pipe()
    (tmp_path / "pod.yaml").write_text(GPU_POD)
    script = _shell_pipe_script(["--format", "json", f"/dev/fd/{read_end}", "pod.yaml"], 0.5)
    try:
        proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                              timeout=30, pass_fds=(read_end,))
    finally:
        os.close(read_end)
        os.close(write_end)
    diags = [(d["file"], d["rule"], d["message"]) for d in json.loads(proc.stdout)]
    assert diags == [
        (f"/dev/fd/{read_end}", "parse-error", "cannot read file: nothing arrived on this pipe within 0.5 s"),
        ("pod.yaml", "gpu-request-limit-mismatch", diags[1][2]),
    ]
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


@pytest.mark.skipif(not os.path.isdir("/dev/fd"), reason="no /dev/fd on this platform")
def test_a_shell_pipe_with_a_writer_is_read_fully(tmp_path):
    """What `gpulint <(helm template ...)` hands over: a pipe that a writer fills slowly."""
    read_end, write_end = os.pipe()
    script = _shell_pipe_script(["--format", "json", f"/dev/fd/{read_end}"], 10)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, pass_fds=(read_end,))
    os.close(read_end)
    with os.fdopen(write_end, "w") as fh:
        for line in GPU_POD.splitlines(keepends=True):
            fh.write(line)
            fh.flush()
    out, err = proc.communicate(timeout=30)
    diags = [(d["line"], d["column"], d["rule"]) for d in json.loads(out)]
    assert (proc.returncode, diags) == (1, [(10, 36, "gpu-request-limit-mismatch")]), err


def test_a_fifo_in_a_folder_is_not_walked(tmp_path):
    if not hasattr(os, "mkfifo"):  # pragma: no cover
        pytest.skip("no FIFOs on this platform")
    (tmp_path / "k8s").mkdir()
    os.mkfifo(tmp_path / "k8s" / "pipe.yaml")
    (tmp_path / "k8s" / "pod.yaml").write_text(GPU_POD)
    proc = gpulint_process("--format", "json", "k8s", cwd=tmp_path)
    assert [d["file"] for d in json.loads(proc.stdout)] == ["k8s/pod.yaml"]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="running as root: chmod 000 does not stop root from reading the file")
@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions needed")
def test_an_unreadable_file_is_a_diagnostic(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secret.yaml").write_text(GPU_POD)
    (tmp_path / "pod.yaml").write_text(GPU_POD)
    os.chmod(tmp_path / "secret.yaml", 0)
    try:
        status, diags, _ = lint(".")
        assert diags == [("pod.yaml", 10, 36, "gpu-request-limit-mismatch"), ("secret.yaml", 1, 1, "parse-error")]
        assert messages("secret.yaml") == ["cannot read file: Permission denied"]
    finally:
        os.chmod(tmp_path / "secret.yaml", 0o644)


def test_a_read_error_is_a_diagnostic_for_that_file_only(tmp_path, monkeypatch):
    """The same path without relying on permissions (which root ignores): the read itself fails."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secret.yaml").write_text(GPU_POD)
    (tmp_path / "pod.yaml").write_text(GPU_POD)
    real_open = os.open

    def failing_open(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.fspath(path).endswith("secret.yaml"):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", failing_open)
    status, diags, _ = lint(".")
    assert diags == [("pod.yaml", 10, 36, "gpu-request-limit-mismatch"), ("secret.yaml", 1, 1, "parse-error")]
    assert messages("secret.yaml") == ["cannot read file: Permission denied"]


def test_standard_input_larger_than_max_file_size_is_a_diagnostic(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".gpulint.yaml").write_text("max-file-size: 100\n")
    out = io.StringIO()
    status = main(["--format", "json", "--stdin-filename", "rendered.yaml", "-"], stdout=out, stderr=io.StringIO(),
                  stdin_data=GPU_POD.encode())
    diags = json.loads(out.getvalue())
    assert status == 1
    assert [(d["file"], d["line"], d["rule"], d["message"]) for d in diags] == [
        ("rendered.yaml", 1, "parse-error", f"input is {len(GPU_POD)} bytes, larger than max-file-size (100); skipped")
    ]


def test_an_unreadable_folder_is_skipped_with_a_note(tmp_path, monkeypatch):
    """Listing a folder fails (no permission; root ignores chmod, so the failure is simulated)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "pod.yaml").write_text(GPU_POD)
    (tmp_path / "open").mkdir()
    (tmp_path / "open" / "pod.yaml").write_text(GPU_POD)
    real_scandir = os.scandir

    def scandir(path="."):  # type: ignore[no-untyped-def]
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    status, diags, err = lint(".")
    assert (status, diags) == (1, [("open/pod.yaml", 10, 36, "gpu-request-limit-mismatch")])
    assert "gpulint: locked: cannot read folder: Permission denied; skipped\n" in err
