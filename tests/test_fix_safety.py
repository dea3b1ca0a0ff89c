"""What --fix may write, and what it gives back: never through a symbolic link or
outside the paths it was given, never over an edit made meanwhile, always
atomically with the file's mode; a fix it cannot write is skipped, not fatal;
standard input comes back byte for byte; standard input cannot borrow the name
of a file of the run.

Each case asserts the exit status, the message and the bytes on disk.
"""

from __future__ import annotations

import errno
import io
import os
import stat
import subprocess
import sys

import pytest
from helpers import run_cli

from gpulint import cli
from gpulint.fix import run as fixmod
from gpulint.fix import write as fixwrite
from gpulint.fix.edits import FixError
from gpulint.fix.yaml_render import render_scalar
from gpulint.load import Tagged

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "fix")
BOM = b"\xef\xbb\xbf"


def fixture(case: str, side: str, name: str) -> bytes:
    with open(os.path.join(FIXTURES, case, side, name), "rb") as fh:
        return fh.read()


JOBS_BEFORE = fixture("limit-missing", "before", "jobs.yaml")
JOBS_AFTER = fixture("limit-missing", "after", "jobs.yaml")
KEDA_BEFORE = fixture("keda-cooldown", "before", "keda.yaml")
KEDA_AFTER = fixture("keda-cooldown", "after", "keda.yaml")


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """``repo/`` (the current folder, where gpulint runs) and ``outside/`` next to it."""
    (tmp_path / "repo").mkdir()
    (tmp_path / "outside").mkdir()
    monkeypatch.chdir(tmp_path / "repo")
    return tmp_path


def listing(folder) -> list[str]:
    return sorted(os.listdir(folder))


# --------------------------------------------------------------------------- symbolic links


def test_a_link_to_a_file_outside_the_tree_is_not_written(tree) -> None:
    (tree / "outside" / "secret.yaml").write_bytes(JOBS_BEFORE)
    os.symlink(os.path.join("..", "outside", "secret.yaml"), tree / "repo" / "evil.yaml")
    (tree / "repo" / "keda.yaml").write_bytes(KEDA_BEFORE)
    code, out, err = run_cli(["--fix", "."])
    assert (tree / "outside" / "secret.yaml").read_bytes() == JOBS_BEFORE
    assert os.path.islink(tree / "repo" / "evil.yaml")
    assert "gpulint: evil.yaml: a symbolic link; not fixed\n" in err
    assert "evil.yaml:15:29: error gpu-limit-missing" in out  # still reported: it was not fixed
    assert (tree / "repo" / "keda.yaml").read_bytes() == KEDA_AFTER  # the rest of the run goes on
    assert code == 1
    assert listing(tree / "repo") == ["evil.yaml", "keda.yaml"]
    assert listing(tree / "outside") == ["secret.yaml"]


def test_a_link_named_on_the_command_line_is_not_written(tree) -> None:
    (tree / "outside" / "secret.yaml").write_bytes(JOBS_BEFORE)
    os.symlink(tree / "outside" / "secret.yaml", tree / "repo" / "evil.yaml")
    code, out, err = run_cli(["--fix", "evil.yaml"])
    assert (tree / "outside" / "secret.yaml").read_bytes() == JOBS_BEFORE
    assert err.splitlines()[0] == "gpulint: evil.yaml: a symbolic link; not fixed"
    assert out.splitlines()[-1].startswith("Found 5 problems")
    assert code == 1
    # --diff shows only what --fix would write
    code, out, err = run_cli(["--diff", "evil.yaml"])
    assert (code, out) == (0, "")
    assert "gpulint: evil.yaml: a symbolic link; not fixed\n" in err


@pytest.mark.parametrize("args", [["linked"], ["linked/jobs.yaml"], ["."], ["linked", "."]])
def test_a_file_reached_through_a_linked_folder_is_not_written(args, tree) -> None:
    (tree / "outside" / "jobs.yaml").write_bytes(JOBS_BEFORE)
    os.symlink(tree / "outside", tree / "repo" / "linked")
    code, out, err = run_cli(["--fix", *args])
    assert (tree / "outside" / "jobs.yaml").read_bytes() == JOBS_BEFORE
    assert listing(tree / "outside") == ["jobs.yaml"]
    if args == ["."]:  # a folder walk does not enter a linked folder at all
        assert (code, err) == (0, "")
        assert out == "No problems found in 0 files.\n"
    else:
        assert "gpulint: linked/jobs.yaml: reached through a symbolic link; not fixed\n" in err
        assert code == 1


def test_a_link_in_the_folder_given_by_absolute_path_is_not_written(tree) -> None:
    (tree / "outside" / "secret.yaml").write_bytes(JOBS_BEFORE)
    os.symlink(tree / "outside" / "secret.yaml", tree / "repo" / "evil.yaml")
    os.chdir(tree / "outside")  # the tree is not under the current folder
    root = str(tree / "repo")
    code, _, err = run_cli(["--fix", root])
    assert (tree / "outside" / "secret.yaml").read_bytes() == JOBS_BEFORE
    assert f"gpulint: {root}/evil.yaml: a symbolic link; not fixed\n" in err
    assert code == 1


def test_a_link_to_a_file_of_the_tree_is_named_once_with_the_way_to_fix_it(tree) -> None:
    """A folder walk names a file once, possibly by a link to it: the note says what to name."""
    (tree / "repo" / "serving.yaml").write_bytes(JOBS_BEFORE)
    os.symlink("serving.yaml", tree / "repo" / "link.yaml")
    (tree / "repo" / "keda.yaml").write_bytes(KEDA_BEFORE)  # a second round of fixing
    code, out, err = run_cli(["--fix", "."])
    assert (tree / "repo" / "serving.yaml").read_bytes() == JOBS_BEFORE
    assert (tree / "repo" / "keda.yaml").read_bytes() == KEDA_AFTER
    assert err.splitlines() == [
        "gpulint: link.yaml: a symbolic link; not fixed (name serving.yaml to fix the file it points to)",
        "gpulint: fixed 2 problem(s) in 1 file(s)",
    ]
    # not offered as fixable: --fix was just run and left it
    assert out.splitlines()[-1] == "Found 5 problems (5 errors, 0 warnings, 0 info) in 1 file (2 checked)."
    assert code == 1
    code, _, err = run_cli(["--fix", "serving.yaml"])
    assert (tree / "repo" / "serving.yaml").read_bytes() == JOBS_AFTER
    assert os.path.islink(tree / "repo" / "link.yaml")
    assert code == 0, err


def test_a_link_name_is_escaped_in_the_note(tree) -> None:
    (tree / "outside" / "secret.yaml").write_bytes(JOBS_BEFORE)
    os.symlink(tree / "outside" / "secret.yaml", tree / "repo" / "evil\x1b[2J\n.yaml")
    code, _, err = run_cli(["--fix", "."])
    assert (tree / "outside" / "secret.yaml").read_bytes() == JOBS_BEFORE
    assert "gpulint: evil\\x1b[2J\\x0a.yaml: a symbolic link; not fixed\n" in err
    assert "\x1b" not in err
    assert code == 1


def test_a_hard_link_out_of_the_tree_keeps_its_bytes(tree) -> None:
    """The rename gives the fixed file a new inode: a hard link elsewhere is not written."""
    (tree / "outside" / "shared.yaml").write_bytes(JOBS_BEFORE)
    os.link(tree / "outside" / "shared.yaml", tree / "repo" / "jobs.yaml")
    code, _, err = run_cli(["--fix", "jobs.yaml"])
    assert (tree / "repo" / "jobs.yaml").read_bytes() == JOBS_AFTER
    assert (tree / "outside" / "shared.yaml").read_bytes() == JOBS_BEFORE
    assert code == 0, err


def test_write_atomic_refuses_a_link(tree) -> None:
    (tree / "outside" / "secret.yaml").write_bytes(b"a: 1\n")
    os.symlink(tree / "outside" / "secret.yaml", tree / "repo" / "evil.yaml")
    with pytest.raises(OSError) as info:
        fixwrite.write_atomic("evil.yaml", b"a: 2\n", expected=b"a: 1\n")
    assert info.value.errno == errno.ELOOP
    assert (tree / "outside" / "secret.yaml").read_bytes() == b"a: 1\n"
    assert listing(tree / "repo") == ["evil.yaml"]


def test_only_files_inside_the_given_paths_are_written(tree) -> None:
    (tree / "repo" / "sub").mkdir()
    (tree / "repo" / "sub" / "a.yaml").write_bytes(b"a: 1\n")
    (tree / "outside" / "b.yaml").write_bytes(b"b: 1\n")
    os.symlink(tree / "outside", tree / "repo" / "linked")
    assert fixwrite.unsafe_target("sub/a.yaml", ["."]) is None
    assert fixwrite.unsafe_target("./sub/a.yaml", ["sub"]) is None
    assert fixwrite.unsafe_target("sub/a.yaml", ["sub/a.yaml"]) is None
    assert fixwrite.unsafe_target("sub/a.yaml", ["other"]) == "outside the paths given to gpulint"
    assert fixwrite.unsafe_target("../outside/b.yaml", ["."]) == "outside the paths given to gpulint"
    assert fixwrite.unsafe_target("linked/b.yaml", ["."]) == "reached through a symbolic link"
    assert fixwrite.unsafe_target("linked/b.yaml", ["linked/b.yaml"]) == "reached through a symbolic link"
    assert fixwrite.unsafe_target(str(tree / "outside" / "b.yaml"), [str(tree / "outside")]) is None


# --------------------------------------------------------------------------- edits made meanwhile


def _edit_during_the_write(monkeypatch, path, change) -> None:
    """Run ``change(path)`` while ``path`` is written: after the temporary file is written and
    fsynced, before the rename."""
    real_keep_owner = fixwrite._keep_owner

    def keep_owner_then_edit(tmp, st):
        real_keep_owner(tmp, st)
        if os.path.basename(tmp).startswith(f".{os.path.basename(path)}."):
            change(path)

    monkeypatch.setattr(fixwrite, "_keep_owner", keep_owner_then_edit)


def test_an_edit_made_while_the_fix_is_written_is_kept(tree, monkeypatch) -> None:
    (tree / "repo" / "keda.yaml").write_bytes(KEDA_BEFORE)
    (tree / "repo" / "jobs.yaml").write_bytes(JOBS_BEFORE)

    def save(path):
        with open(path, "ab") as fh:
            fh.write(b"# saved meanwhile\n")

    _edit_during_the_write(monkeypatch, str(tree / "repo" / "keda.yaml"), save)
    code, out, err = run_cli(["--fix", "."])
    assert (tree / "repo" / "keda.yaml").read_bytes() == KEDA_BEFORE + b"# saved meanwhile\n"
    assert "gpulint: keda.yaml: changed while fixing; not written\n" in err
    assert (tree / "repo" / "jobs.yaml").read_bytes() == JOBS_AFTER  # the other file is written
    assert "keda.yaml:22:19: warning keda-cooldown-short" in out  # reported as it is on disk
    assert code == 1
    assert listing(tree / "repo") == ["jobs.yaml", "keda.yaml"]  # no temporary file left


def test_a_file_replaced_by_a_link_while_the_fix_is_written_is_left_alone(tree, monkeypatch) -> None:
    (tree / "repo" / "keda.yaml").write_bytes(KEDA_BEFORE)
    (tree / "outside" / "secret.yaml").write_bytes(KEDA_BEFORE)

    def swap(path):
        os.remove(path)
        os.symlink(tree / "outside" / "secret.yaml", path)

    _edit_during_the_write(monkeypatch, str(tree / "repo" / "keda.yaml"), swap)
    code, _, err = run_cli(["--fix", "keda.yaml"])
    assert os.path.islink(tree / "repo" / "keda.yaml")
    assert (tree / "outside" / "secret.yaml").read_bytes() == KEDA_BEFORE
    assert "gpulint: keda.yaml: changed while fixing; not written\n" in err
    assert code == 1


def test_the_same_bytes_saved_again_do_not_stop_the_write(tree, monkeypatch) -> None:
    (tree / "repo" / "keda.yaml").write_bytes(KEDA_BEFORE)
    _edit_during_the_write(monkeypatch, str(tree / "repo" / "keda.yaml"), lambda p: open(p, "wb").write(KEDA_BEFORE))
    code, _, err = run_cli(["--fix", "keda.yaml"])
    assert (tree / "repo" / "keda.yaml").read_bytes() == KEDA_AFTER
    assert code == 0, err


# --------------------------------------------------------------------------- atomic writes


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_the_write_is_atomic_in_the_same_folder_and_keeps_the_mode(mode, tree, monkeypatch) -> None:
    (tree / "repo" / "sub").mkdir()
    target = tree / "repo" / "sub" / "jobs.yaml"
    target.write_bytes(JOBS_BEFORE)
    os.chmod(target, mode)
    events: list[tuple] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.path.realpath(f"/proc/self/fd/{fd}") if os.path.isdir("/proc/self/fd") else fd))
        real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", os.path.abspath(src), os.path.abspath(dst), target.read_bytes()))
        real_replace(src, dst)

    monkeypatch.setattr(fixwrite.os, "fsync", fsync)
    monkeypatch.setattr(fixwrite.os, "replace", replace)
    code, _, err = run_cli(["--fix", "sub"])
    assert code == 0, err
    assert target.read_bytes() == JOBS_AFTER
    assert stat.S_IMODE(os.stat(target).st_mode) == mode
    replaces = [e for e in events if e[0] == "replace"]
    assert len(replaces) == 1
    _, src, dst, on_disk_before = replaces[0]
    assert os.path.dirname(src) == str(tree / "repo" / "sub") and dst == str(target)
    assert on_disk_before == JOBS_BEFORE  # the original stays whole until the rename
    assert events.index(replaces[0]) > 0 and events[0][0] == "fsync"  # data flushed before the rename
    if os.path.isdir("/proc/self/fd"):
        assert events[0][1] == src
    assert events[-1][0] == "fsync"  # then the folder, so that the rename is durable
    assert listing(tree / "repo" / "sub") == ["jobs.yaml"]


# --------------------------------------------------------------------------- fixes that cannot be written

TAGGED = (
    "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: x\n"
    "    resources:\n      requests:\n        nvidia.com/gpu: !Ref X\n  - name: b\n    image: x\n"
    "    resources:\n      requests:\n        nvidia.com/gpu: 1\n"
)
TAGGED_FIXED = TAGGED + "      limits:\n        nvidia.com/gpu: 1\n"
TAGGED_NOTE = ":10:25: fix for gpu-limit-missing not applied: the new value is a tagged value (such as !Ref), " \
              "which --fix does not write"


def test_a_tagged_value_skips_that_fix_only(tree) -> None:
    (tree / "repo" / "pod.yaml").write_text(TAGGED)
    (tree / "repo" / "keda.yaml").write_bytes(KEDA_BEFORE)
    code, out, err = run_cli(["--fix", "."])
    assert (tree / "repo" / "pod.yaml").read_text() == TAGGED_FIXED
    assert (tree / "repo" / "keda.yaml").read_bytes() == KEDA_AFTER
    assert f"gpulint: pod.yaml{TAGGED_NOTE}\n" in err
    assert "gpulint: fixed 3 problem(s) in 2 file(s)\n" in err
    assert out.splitlines() == [
        "pod.yaml:10:25: error gpu-limit-missing container 'a' requests nvidia.com/gpu: !Ref X but sets no limit "
        "for it; the API server rejects requests without limits for devices: add limits.nvidia.com/gpu: !Ref X",
        "Found 1 problem (1 error, 0 warnings, 0 info) in 1 file (2 checked).",  # no longer offered as fixable
    ]
    assert code == 1


def test_a_tagged_value_on_standard_input_still_gives_the_text_back() -> None:
    """``helm template ... | gpulint --fix - > out.yaml`` never leaves out.yaml empty."""
    code, out, err = fix_stdin(TAGGED.encode())
    assert out == TAGGED_FIXED.encode()
    assert f"gpulint: <stdin>{TAGGED_NOTE}\n" in err
    assert code == 1


def test_a_value_the_renderer_refuses_is_a_fix_error() -> None:
    with pytest.raises(FixError, match="^the new value cannot be written as YAML$"):
        render_scalar(Tagged("!Ref", "X"))
    with pytest.raises(FixError, match="^the new value cannot be written as YAML$"):
        render_scalar(object())


def test_an_unexpected_failure_fixing_one_file_spares_the_others(tree, monkeypatch) -> None:
    (tree / "repo" / "keda.yaml").write_bytes(KEDA_BEFORE)
    (tree / "repo" / "jobs.yaml").write_bytes(JOBS_BEFORE)
    real_fix_text = fixmod.fix_text

    def broken_for_keda(name, *args, **kwargs):
        if name == "keda.yaml":
            raise RuntimeError("boom")
        return real_fix_text(name, *args, **kwargs)

    monkeypatch.setattr(fixmod, "fix_text", broken_for_keda)
    code, out, err = run_cli(["--fix", "."])
    assert (tree / "repo" / "keda.yaml").read_bytes() == KEDA_BEFORE
    assert (tree / "repo" / "jobs.yaml").read_bytes() == JOBS_AFTER
    assert "gpulint: keda.yaml:22:19: fix for keda-cooldown-short not applied: internal error: RuntimeError\n" in err
    assert "gpulint: keda.yaml:27:39: fix for keda-cooldown-short not applied: internal error: RuntimeError\n" in err
    assert "boom" not in err
    assert code == 1


# --------------------------------------------------------------------------- standard input, byte for byte


def fix_stdin(data: bytes, *args: str) -> tuple[int, bytes, str]:
    """``gpulint --fix -`` in-process, standard output as bytes."""
    out, err = io.BytesIO(), io.StringIO()
    stream = io.TextIOWrapper(out, encoding="utf-8")
    code = cli.main(["--fix", *args, "-"], stdout=stream, stderr=err, stdin_data=data)
    stream.flush()
    data = out.getvalue()
    stream.detach()
    return code, data, err.getvalue()


CLEAN = b"apiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: caf\xc3\xa9}\r\n"


@pytest.mark.parametrize("data", [
    BOM + CLEAN,  # a byte-order mark and CRLF, nothing to fix
    CLEAN.rstrip(b"\r\n"),  # no final newline
    b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n",  # latin-1: not UTF-8, never fixed
    b"key: [unclosed\n",  # does not parse
])
def test_standard_input_comes_back_byte_for_byte(data) -> None:
    code, out, err = fix_stdin(data)
    assert out == data
    assert code == (1 if b"\xe9" in data or b"unclosed" in data else 0), err


def test_a_latin1_input_with_a_fixable_finding_comes_back_unchanged() -> None:
    data = JOBS_BEFORE.replace(b"# Requests", b"# Requ\xeates", 1)
    code, out, err = fix_stdin(data)
    assert out == data
    assert "parse-error file is not valid UTF-8 (byte 0xea at offset 6)" in err
    assert "fixed" not in err
    assert code == 1


@pytest.mark.parametrize("name,transform", [
    ("bom", lambda b: BOM + b),
    ("crlf", lambda b: b.replace(b"\n", b"\r\n")),
    ("bom-crlf-no-final-newline", lambda b: BOM + b.rstrip(b"\n").replace(b"\n", b"\r\n")),
])
def test_fixed_standard_input_keeps_bom_and_line_endings(name, transform) -> None:
    code, out, err = fix_stdin(transform(JOBS_BEFORE))
    assert out == transform(JOBS_AFTER)
    assert "gpulint: fixed 5 problem(s) in 1 file(s)\n" in err
    assert code == 0


def test_standard_input_bytes_through_a_real_pipe(tmp_path) -> None:
    data = b"kind: ConfigMap\napiVersion: v1\nmetadata: {name: caf\xe9}\n"
    done = subprocess.run([sys.executable, "-m", "gpulint", "--fix", "-"], input=data, capture_output=True,
                          cwd=tmp_path, timeout=120)
    assert done.stdout == data
    assert done.returncode == 1
    done = subprocess.run([sys.executable, "-m", "gpulint", "--fix", "-"], input=BOM + JOBS_BEFORE,
                          capture_output=True, cwd=tmp_path, timeout=120)
    assert done.stdout == BOM + JOBS_AFTER
    assert done.returncode == 0, done.stderr


# --------------------------------------------------------------------------- standard input's name


CLASH = "gpulint: --stdin-filename {0} names standard input like the file {1} of this run; " \
        "give standard input a name of its own\n"


@pytest.mark.parametrize("mode", [["--fix"], ["--diff"], []])
@pytest.mark.parametrize("stdin_name,paths,shown", [
    ("jobs.yaml", ["jobs.yaml"], "jobs.yaml"),
    ("./jobs.yaml", ["jobs.yaml"], "jobs.yaml"),
    ("jobs.yaml", ["."], "jobs.yaml"),
    ("sub/../jobs.yaml", ["."], "jobs.yaml"),
])
def test_a_standard_input_name_that_is_also_a_file_of_the_run_is_a_usage_error(
        mode, stdin_name, paths, shown, tree) -> None:
    (tree / "repo" / "jobs.yaml").write_bytes(JOBS_BEFORE)
    (tree / "repo" / "sub").mkdir()
    code, out, err = run_cli([*mode, "--stdin-filename", stdin_name, "-", *paths], stdin=b"kind: ConfigMap\n")
    assert code == 2
    assert out == ""
    assert err == CLASH.format(stdin_name, shown)
    assert (tree / "repo" / "jobs.yaml").read_bytes() == JOBS_BEFORE
    assert listing(tree / "repo") == ["jobs.yaml", "sub"]


def test_a_standard_input_name_of_its_own_is_fine(tree) -> None:
    (tree / "repo" / "jobs.yaml").write_bytes(JOBS_BEFORE)
    (tree / "repo" / "overlay").mkdir()
    (tree / "repo" / "overlay" / "kustomization.yaml").write_text("resources: [a.yaml]\n")
    code, out, err = fix_stdin(b"kind: ConfigMap\napiVersion: v1\n", "--stdin-filename", "rendered.yaml", ".")
    assert out == b"kind: ConfigMap\napiVersion: v1\n"
    assert (tree / "repo" / "jobs.yaml").read_bytes() == JOBS_AFTER
    assert code == 0, err
    # a folder's name is no clash (`kustomize build overlays/prod | gpulint --stdin-filename overlays/prod -`)
    (tree / "repo" / "jobs.yaml").write_bytes(JOBS_BEFORE)
    code, out, err = fix_stdin(b"kind: ConfigMap\napiVersion: v1\n", "--stdin-filename", "overlay", "overlay")
    assert out == b"kind: ConfigMap\napiVersion: v1\n"
    assert code == 0, err
    code, _, err = run_cli(["--stdin-filename", "overlay", "-", "overlay", "."], stdin=JOBS_BEFORE)
    assert code == 1 and err == ""
    # a Helm template named like its source is no clash: the folder walk skips templates
    (tree / "repo" / "chart" / "templates").mkdir(parents=True)
    (tree / "repo" / "chart" / "Chart.yaml").write_text("name: c\n")
    (tree / "repo" / "chart" / "templates" / "job.yaml").write_text("{{ .Values.x }}\n")
    code, out, err = fix_stdin(JOBS_BEFORE, "--stdin-filename", "chart/templates/job.yaml", ".")
    assert out == JOBS_AFTER
    assert code == 0, err
