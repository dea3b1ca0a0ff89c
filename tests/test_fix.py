"""--fix, --diff and --unsafe-fixes: byte-for-byte results, idempotence, safe writes.

Each folder under ``tests/fixtures/fix/`` is a case: ``before/`` is copied to a
temporary folder, ``gpulint --fix`` runs there (with the options in ``args``),
and every file must then equal its twin in ``after/`` byte for byte.
"""

from __future__ import annotations

import copy
import errno
import json
import os
import shutil
import stat
import subprocess
import sys

import pytest
import yaml
from helpers import run_cli

from gpulint.engine.rule import all_rules, get_rule
from gpulint.fix import run as fixmod
from gpulint.fix import write as fixwrite
from gpulint.fix.diff import unified_diff

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "fix")
CASES = sorted(d for d in os.listdir(FIXTURES) if os.path.isdir(os.path.join(FIXTURES, d)))

#: the fixes issue 6 asks for, and how safe each is
EXPECTED_FIXES = {
    "gpu-request-limit-mismatch": "safe",
    "gpu-limit-missing": "safe",
    "keda-cooldown-short": "safe",
    "scale-in-cooldown-short": "safe",
    "scale-out-slower-than-scale-in": "unsafe",
    "instance-pools-routing": "safe",
    "spot-max-wait-invalid": "unsafe",
    "gpu-toleration-missing": "unsafe",
    "gpu-nodegroup-untainted": "unsafe",
    "serverless-config-invalid": "unsafe",
}


def run(args: list[str], stdin: bytes | None = None) -> tuple[int, str, str]:
    return run_cli(args, stdin)


def case_args(case: str) -> list[str]:
    path = os.path.join(FIXTURES, case, "args")
    return open(path).read().split() if os.path.exists(path) else []


def tree(root: str) -> dict[str, bytes]:
    out = {}
    for folder, _, files in os.walk(root):
        for f in files:
            full = os.path.join(folder, f)
            out[os.path.relpath(full, root)] = open(full, "rb").read()
    return out


def mtimes(root: str) -> dict[str, int]:
    return {rel: os.stat(os.path.join(root, rel)).st_mtime_ns for rel in tree(root)}


def age(root: str) -> None:
    """Push every mtime into the past, so that a rewrite would show."""
    for rel in tree(root):
        os.utime(os.path.join(root, rel), ns=(1_000_000_000, 1_000_000_000))


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def load_case(case: str, dest) -> None:
    shutil.copytree(os.path.join(FIXTURES, case, "before"), dest, dirs_exist_ok=True)


# --------------------------------------------------------------------------- fixture pairs


def test_every_fix_has_a_case(monkeypatch) -> None:
    from gpulint.config import load_config
    from gpulint.engine.run import lint_paths

    fired: set[str] = set()
    for case in CASES:
        before = tree(os.path.join(FIXTURES, case, "before"))
        after = tree(os.path.join(FIXTURES, case, "after"))
        assert set(before) == set(after), case
        assert before != after, f"{case}: the fix changes nothing"
        monkeypatch.chdir(os.path.join(FIXTURES, case, "before"))
        result = lint_paths(["."], load_config(None))
        fired |= {d.rule for d in result.diagnostics if d.fix is not None}
    assert fired >= set(EXPECTED_FIXES), sorted(set(EXPECTED_FIXES) - fired)


@pytest.mark.parametrize("case", CASES)
def test_fix_matches_after_byte_for_byte(case: str, workdir) -> None:
    load_case(case, workdir)
    code, out, err = run(["--fix", *case_args(case), "."])
    expected = tree(os.path.join(FIXTURES, case, "after"))
    actual = tree(str(workdir))
    for rel, data in expected.items():
        assert actual[rel] == data, f"{case}/{rel} differs from after/:\n{actual[rel].decode()}"
    assert code == 0, out + err  # everything the case holds is fixable
    assert "fixed" in err


@pytest.mark.parametrize("case", CASES)
def test_second_run_is_a_no_op(case: str, workdir) -> None:
    shutil.copytree(os.path.join(FIXTURES, case, "after"), workdir, dirs_exist_ok=True)
    age(str(workdir))
    before = tree(str(workdir))
    stamps = mtimes(str(workdir))
    code, out, err = run(["--fix", *case_args(case), "."])
    assert tree(str(workdir)) == before
    assert mtimes(str(workdir)) == stamps, "an unchanged file was rewritten"
    assert code == 0, out + err
    code, out, _ = run(["--diff", *case_args(case), "."])
    assert (code, out) == (0, "")


@pytest.mark.parametrize("case", CASES)
def test_diff_shows_the_fix_and_writes_nothing(case: str, workdir) -> None:
    load_case(case, workdir)
    before = tree(str(workdir))
    code, out, err = run(["--diff", *case_args(case), "."])
    assert code == 1
    assert tree(str(workdir)) == before
    after = tree(os.path.join(FIXTURES, case, "after"))
    changed = sorted(rel for rel in before if before[rel] != after[rel])
    headers = sorted(line[4:] for line in out.splitlines() if line.startswith("--- "))
    assert headers == changed
    # the diff is exactly the before -> after change
    expected = "".join(
        unified_diff(rel, before[rel].decode(), after[rel].decode()) for rel in changed
    )
    assert sorted(out.splitlines()) == sorted(expected.splitlines())


@pytest.mark.parametrize("case", CASES)
def test_every_comment_survives(case: str) -> None:
    """Fixes add no comment and drop none: the comments of before/ and after/ are the same, in order."""
    import re

    comment = re.compile(r"(?:^|\s)(#.*)$")
    before = tree(os.path.join(FIXTURES, case, "before"))
    after = tree(os.path.join(FIXTURES, case, "after"))
    for rel in before:
        if rel.endswith(".json"):
            continue
        old = [m.group(1) for line in before[rel].decode().splitlines() if (m := comment.search(line))]
        new = [m.group(1) for line in after[rel].decode().splitlines() if (m := comment.search(line))]
        assert old == new, rel
        changed = [line for line in before[rel].decode().splitlines() if line not in after[rel].decode().splitlines()]
        assert all(comment.search(line) is None or comment.search(line).group(1) in after[rel].decode()
                   for line in changed)


@pytest.mark.parametrize("case,rel,config,changes", [
    # the default margin is one hour: 7200 s of runtime + 3600
    ("spot-max-wait", "training.yaml", "rules: {spot-max-wait-invalid: {require-max-wait: true}}\n",
     [("{MaxRuntimeInSeconds: 7200}", "{MaxRuntimeInSeconds: 7200, MaxWaitTimeInSeconds: 10800}")]),
    # a configured minimum is what the values are raised to
    ("keda-cooldown", "keda.yaml", "rules: {keda-cooldown-short: {min-seconds: 600}}\n",
     [("cooldownPeriod: 60 ", "cooldownPeriod: 600 "),
      ("stabilizationWindowSeconds: 30 ", "stabilizationWindowSeconds: 600 ")]),
    ("scale-in-cooldown", "policy.yaml", "rules: {scale-in-cooldown-short: {min-scale-in-cooldown: 450}}\n",
     [("ScaleInCooldown: 120 ", "ScaleInCooldown: 450 ")]),
])
def test_fixes_follow_the_configured_values(case, rel, config, changes, workdir) -> None:
    shutil.copy(os.path.join(FIXTURES, case, "before", rel), workdir / rel)
    (workdir / ".gpulint.yaml").write_text(config)
    expected = (workdir / rel).read_text()
    for old, new in changes:
        assert expected.count(old) == 1
        expected = expected.replace(old, new)
    code, out, err = run(["--fix", "--unsafe-fixes", rel])
    assert (workdir / rel).read_text() == expected
    assert code == 0, out + err


def test_unsafe_fixes_need_the_flag(workdir) -> None:
    load_case("toleration-conventional", workdir)
    before = tree(str(workdir))
    code, out, err = run(["--fix", "."])
    assert tree(str(workdir)) == before
    assert code == 1
    assert "gpu-toleration-missing" in out
    assert out.splitlines()[-1].endswith(" 5 fixable with --fix --unsafe-fixes.")
    code, out, err = run(["--diff", "."])
    assert (code, out) == (0, "")
    assert "5 more problem(s) can be fixed with --unsafe-fixes" in err


# --------------------------------------------------------------------------- what a fix keeps


def test_comment_on_the_changed_line_survives(workdir) -> None:
    (workdir / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: x\n"
        "    resources:\n      requests:\n        nvidia.com/gpu: '1'  # keep: one GPU, 'quoted'\n"
        "      limits:\n        nvidia.com/gpu: 2 # limit\n"
    )
    run(["--fix", "pod.yaml"])
    lines = (workdir / "pod.yaml").read_text().splitlines()
    assert lines[9] == "        nvidia.com/gpu: '2'  # keep: one GPU, 'quoted'"
    assert lines[11] == "        nvidia.com/gpu: 2 # limit"


def test_clean_file_is_not_touched(workdir) -> None:
    shutil.copy(os.path.join(FIXTURES, "request-limit-mismatch", "after", "serving.yaml"), workdir / "ok.yaml")
    age(str(workdir))
    stamp = os.stat(workdir / "ok.yaml").st_mtime_ns
    code, _, err = run(["--fix", "ok.yaml"])
    assert code == 0
    assert os.stat(workdir / "ok.yaml").st_mtime_ns == stamp
    assert "fixed" not in err


def _variants(case: str, rel: str, transform) -> tuple[bytes, bytes]:
    before = open(os.path.join(FIXTURES, case, "before", rel), "rb").read()
    after = open(os.path.join(FIXTURES, case, "after", rel), "rb").read()
    return transform(before), transform(after)


@pytest.mark.parametrize(
    "case,rel",
    [("limit-missing", "jobs.yaml"), ("kubernetes-json", "deployment.json"), ("toleration-conventional", "pods.yaml")],
)
@pytest.mark.parametrize(
    "name,transform",
    [
        ("crlf", lambda b: b.replace(b"\n", b"\r\n")),
        ("no-final-newline", lambda b: b.rstrip(b"\n")),
        ("crlf-no-final-newline", lambda b: b.rstrip(b"\n").replace(b"\n", b"\r\n")),
        ("bom", lambda b: b"\xef\xbb\xbf" + b),
    ],
)
def test_line_endings_final_newline_and_bom_are_kept(case, rel, name, transform, workdir) -> None:
    load_case(case, workdir)
    before, after = _variants(case, rel, transform)
    (workdir / rel).write_bytes(before)
    run(["--fix", *case_args(case), "."])
    assert (workdir / rel).read_bytes() == after


def test_a_file_named_twice_is_fixed_once(workdir) -> None:
    load_case("limit-missing", workdir)
    code, out, err = run(["--fix", "jobs.yaml", ".", "./jobs.yaml"])
    expected = open(os.path.join(FIXTURES, "limit-missing", "after", "jobs.yaml"), "rb").read()
    assert (workdir / "jobs.yaml").read_bytes() == expected
    assert code == 0, out + err
    assert "cannot write" not in err


def test_mode_is_kept_and_symlinks_not_followed(workdir) -> None:
    load_case("request-limit-mismatch", workdir)
    os.chmod(workdir / "serving.yaml", 0o640)
    before = (workdir / "serving.yaml").read_bytes()
    os.symlink("serving.yaml", workdir / "link.yaml")
    code, _, err = run(["--fix", "link.yaml"])
    assert os.path.islink(workdir / "link.yaml")
    assert (workdir / "serving.yaml").read_bytes() == before  # never written through the link
    assert "gpulint: link.yaml: a symbolic link; not fixed\n" in err
    assert code == 1
    code, _, err = run(["--fix", "serving.yaml"])  # the file itself is fixed, its mode kept
    expected = open(os.path.join(FIXTURES, "request-limit-mismatch", "after", "serving.yaml"), "rb").read()
    assert (workdir / "serving.yaml").read_bytes() == expected
    assert stat.S_IMODE(os.stat(workdir / "serving.yaml").st_mode) == 0o640
    assert sorted(os.listdir(workdir)) == ["link.yaml", "serving.yaml"]  # no temporary file left
    assert code == 0, err


# --------------------------------------------------------------------------- failures leave files intact


def test_read_only_file_fails_cleanly(workdir) -> None:
    load_case("limit-missing", workdir)
    shutil.copy(os.path.join(FIXTURES, "keda-cooldown", "before", "keda.yaml"), workdir / "keda.yaml")
    before = (workdir / "jobs.yaml").read_bytes()
    os.chmod(workdir / "jobs.yaml", 0o444)
    code, out, err = run(["--fix", "."])
    assert (workdir / "jobs.yaml").read_bytes() == before
    assert "jobs.yaml: cannot write the fixes (the file is read-only); the file is unchanged" in err
    assert code == 1
    assert "jobs.yaml" in out and "gpu-limit-missing" in out  # still reported: it was not fixed
    # the other file was fixed all the same
    expected = open(os.path.join(FIXTURES, "keda-cooldown", "after", "keda.yaml"), "rb").read()
    assert (workdir / "keda.yaml").read_bytes() == expected
    assert "Traceback" not in err


@pytest.mark.parametrize("where", ["_write_file", "fsync"])
def test_full_disk_fails_cleanly(where, workdir, monkeypatch) -> None:
    load_case("limit-missing", workdir)
    before = tree(str(workdir))

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    if where == "fsync":
        monkeypatch.setattr(fixmod.os, "fsync", full)
    else:
        monkeypatch.setattr(fixwrite, "_write_file", full)
    code, out, err = run(["--fix", "."])
    assert tree(str(workdir)) == before
    assert sorted(os.listdir(workdir)) == sorted(before)  # the temporary file is gone
    assert "cannot write the fixes (No space left on device)" in err
    assert code == 1
    assert "Traceback" not in err


def test_file_changed_during_the_run_is_not_overwritten(workdir, monkeypatch) -> None:
    load_case("keda-cooldown", workdir)
    real_fix_text = fixmod.fix_text

    def edit_meanwhile(*args, **kwargs):
        done = real_fix_text(*args, **kwargs)
        with open(workdir / "keda.yaml", "a") as fh:  # someone saves the file meanwhile
            fh.write("# edited meanwhile\n")
        return done

    monkeypatch.setattr(fixmod, "fix_text", edit_meanwhile)
    code, out, err = run(["--fix", "keda.yaml"])
    text = (workdir / "keda.yaml").read_text()
    assert text.endswith("# edited meanwhile\n") and "cooldownPeriod: 60 " in text
    assert "gpulint: keda.yaml: changed while fixing; not written\n" in err
    assert code == 1


def test_file_that_fails_to_parse_is_never_written(workdir) -> None:
    # the first document loads and has a fixable finding; the second is broken
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: x\n"
        "    resources:\n      requests: {nvidia.com/gpu: 1}\n---\nkey: [unclosed\n"
    )
    (workdir / "broken.yaml").write_text(text)
    age(str(workdir))
    code, out, err = run(["--fix", "broken.yaml"])
    assert (workdir / "broken.yaml").read_text() == text
    assert os.stat(workdir / "broken.yaml").st_mtime_ns == 1_000_000_000
    assert "parse-error" in out
    assert code == 1
    code, out, _ = run(["--diff", "broken.yaml"])
    assert (code, out) == (0, "")


def test_streams_with_directives_are_fixed_whole(workdir) -> None:
    before = open(os.path.join(FIXTURES, "limit-missing", "before", "jobs.yaml")).read()
    after = open(os.path.join(FIXTURES, "limit-missing", "after", "jobs.yaml")).read()
    header = "%YAML 1.1\n---\n"
    (workdir / "jobs.yaml").write_text(header + before)
    run(["--fix", "jobs.yaml"])
    assert (workdir / "jobs.yaml").read_text() == header + after


def test_many_fixes_in_a_long_stream(workdir) -> None:
    """Each document is cut out and fixed on its own, then spliced back."""
    before = open(os.path.join(FIXTURES, "limit-missing", "before", "jobs.yaml")).read()
    after = open(os.path.join(FIXTURES, "limit-missing", "after", "jobs.yaml")).read()
    (workdir / "big.yaml").write_text("---\n".join([before] * 100))
    code, _, err = run(["--fix", "big.yaml"])
    assert (workdir / "big.yaml").read_text() == "---\n".join([after] * 100)
    assert "fixed 500 problem(s) in 1 file(s)" in err


def test_fix_that_would_change_shared_anchor_is_skipped(workdir) -> None:
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: x\n"
        "    resources:\n      requests: &gpus {nvidia.com/gpu: 1}\n      limits:\n        nvidia.com/gpu: 2\n"
        "  - name: b\n    image: x\n    resources:\n      requests: *gpus\n      limits: {nvidia.com/gpu: 1}\n"
        "  - name: c\n    image: x\n    resources:\n      requests: {nvidia.com/gpu: 1}\n"
    )
    (workdir / "anchors.yaml").write_text(text)
    code, out, err = run(["--fix", "anchors.yaml"])
    # the shared value is left alone; the unrelated fix in the same file is applied
    assert (workdir / "anchors.yaml").read_text() == text + "      limits: {nvidia.com/gpu: 1}\n"
    assert err.count("fix for gpu-request-limit-mismatch not applied: the value is shared through a YAML anchor") == 1
    assert code == 1
    # the refused fix is not offered again: --fix was just run
    assert out.splitlines()[-1] == "Found 1 problem (1 error, 0 warnings, 0 info) in 1 file (1 checked)."
    code, out, _ = run(["--fix", "--format", "json", "anchors.yaml"])
    assert [(f["rule"], f["fixable"]) for f in json.loads(out)] == [("gpu-request-limit-mismatch", False)]


def test_context_files_and_suppressed_findings_are_not_fixed(workdir) -> None:
    """Only what is reported is fixed: not context files, not suppressed findings."""
    load_case("keda-cooldown", workdir)
    os.mkdir(workdir / "ctx")
    shutil.copy(os.path.join(FIXTURES, "limit-missing", "before", "jobs.yaml"), workdir / "ctx" / "jobs.yaml")
    (workdir / ".gpulint.yaml").write_text('context: ["ctx/*.yaml"]\n')
    text = (workdir / "keda.yaml").read_text().replace(
        "cooldownPeriod: 60        # one minute of quiet and it is gone",
        "cooldownPeriod: 60  # gpulint: disable=keda-cooldown-short",
    )
    (workdir / "keda.yaml").write_text(text)
    ctx_before = (workdir / "ctx" / "jobs.yaml").read_bytes()
    code, out, err = run(["--fix", "keda.yaml"])
    assert (workdir / "ctx" / "jobs.yaml").read_bytes() == ctx_before
    fixed = (workdir / "keda.yaml").read_text()
    assert "cooldownPeriod: 60  # gpulint: disable=keda-cooldown-short" in fixed
    assert "stabilizationWindowSeconds: 300  # seconds" in fixed
    assert code == 0, out + err


def test_fix_with_json_output_keeps_stdout_json(workdir) -> None:
    import json

    load_case("toleration-conventional", workdir)
    code, out, err = run(["--fix", "--format", "json", "."])
    findings = json.loads(out)
    assert {f["rule"] for f in findings} == {"gpu-toleration-missing"}
    assert all(f["fixable"] and f["fix_applicability"] == "unsafe" for f in findings)
    assert code == 1


# --------------------------------------------------------------------------- standard input, ruamel


def test_stdin_prints_the_fixed_text(workdir) -> None:
    data = open(os.path.join(FIXTURES, "limit-missing", "before", "jobs.yaml"), "rb").read()
    expected = open(os.path.join(FIXTURES, "limit-missing", "after", "jobs.yaml"), "rb").read()
    code, out, err = run(["--fix", "-", "--stdin-filename", "jobs.yaml"], stdin=data)
    assert out.encode() == expected
    assert code == 0
    assert "fixed 5 problem(s) in 1 file(s)" in err
    assert os.listdir(workdir) == []
    # nothing to fix: the text comes back unchanged, and the report goes to standard error
    code, out, err = run(["--fix", "-"], stdin=expected + b"---\nkind: Pod\napiVersion: v1\nspec: {containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: 0.5}}}]}\n")
    assert out.startswith(expected.decode())
    assert code == 1 and "gpu-quantity-invalid" in err


def test_missing_ruamel_is_a_clear_error(workdir, monkeypatch) -> None:
    load_case("limit-missing", workdir)
    before = tree(str(workdir))
    monkeypatch.setitem(sys.modules, "ruamel", None)
    monkeypatch.setitem(sys.modules, "ruamel.yaml", None)
    code, out, err = run(["--fix", "."])
    assert code == 2
    assert "need ruamel.yaml, a dependency of gpulint" in err and "reinstall gpulint" in err
    assert tree(str(workdir)) == before
    # JSON is edited as text: no ruamel needed
    shutil.rmtree(workdir / "jobs.yaml", ignore_errors=True)
    os.remove(workdir / "jobs.yaml")
    load_case("kubernetes-json", workdir)
    code, _, err = run(["--fix", "deployment.json"])
    assert code == 0, err


def test_plain_lint_does_not_import_ruamel() -> None:
    script = (
        "import sys, io\nfrom gpulint.cli import main\n"
        f"main([{os.path.join(FIXTURES, 'limit-missing', 'before')!r}], stdout=io.StringIO(), stderr=io.StringIO())\n"
        "assert 'ruamel' not in sys.modules and 'ruamel.yaml' not in sys.modules, 'ruamel imported'\n"
        "assert 'gpulint.fix.run' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


# --------------------------------------------------------------------------- rule metadata


def test_rules_declare_the_fixes_the_issue_asks_for() -> None:
    declared = {r.name: r.fix.value for r in all_rules() if r.fix.value != "none"}
    assert declared == EXPECTED_FIXES


@pytest.mark.parametrize("rule", [r.name for r in all_rules()])
def test_fix_safety_docs_match_the_attribute(rule: str) -> None:
    cls = get_rule(rule)
    doc = cls.documentation()
    section = doc.split("## Fix safety", 1)[1].split("##", 1)[0].strip()
    first = {"safe": "Safe:", "unsafe": "Unsafe:", "none": "No automatic fix"}[cls.fix.value]
    assert section.startswith(first), f"{rule}: fix is {cls.fix.value} but the docs say: {section[:60]}"


def test_rule_command_shows_fix_safety() -> None:
    _, out, _ = run(["rule", "gpu-limit-missing"])
    assert "Fix: safe (applied by --fix)" in out
    _, out, _ = run(["rule", "gpu-nodegroup-untainted"])
    assert "Fix: unsafe (applied by --fix --unsafe-fixes)" in out
    _, out, _ = run(["rule", "gpu-probe-too-short"])
    assert "Fix: none" in out


# --------------------------------------------------------------------------- the edit engines


def test_json_insertions_follow_the_layout() -> None:
    from gpulint.diagnostics import Edit
    from gpulint.fix.json_edit import apply_edit

    text = '{"a": {"b": [1, 2]},\n "c": {}}'
    out, path = apply_edit(text, 0, Edit(("a", "x"), {"y": 1}, "add"))
    assert out == '{"a": {"b": [1, 2], "x": {"y": 1}},\n "c": {}}' and path == ("a", "x")
    out, path = apply_edit(text, 0, Edit(("a", "b", "-"), 3, "add"))
    assert out == '{"a": {"b": [1, 2, 3]},\n "c": {}}' and path == ("a", "b", 2)
    out, _ = apply_edit(text, 0, Edit(("c", "k"), "v", "add"))
    assert out == '{"a": {"b": [1, 2]},\n "c": {"k": "v"}}'
    tabbed = '{\n\t"a": {\n\t\t"b": 1\n\t}\n}\n'
    out, _ = apply_edit(tabbed, 0, Edit(("a", "n", "m"), 2, "add"))
    assert out == '{\n\t"a": {\n\t\t"b": 1,\n\t\t"n": {\n\t\t\t"m": 2\n\t\t}\n\t}\n}\n'


def test_yaml_insertions_follow_the_layout() -> None:
    from gpulint.diagnostics import Edit
    from gpulint.fix.yaml_edit import apply_edit

    text = "a:\n    b: 1   # one\n    # about b\nc: [x]\n"
    out, path = apply_edit(text, 0, Edit(("a", "d", "e"), "f", "add"))
    assert out == "a:\n    b: 1   # one\n    # about b\n    d:\n        e: f\nc: [x]\n"
    out, path = apply_edit(text, 0, Edit(("c", "-"), "true", "add"))
    assert out == "a:\n    b: 1   # one\n    # about b\nc: [x, 'true']\n" and path == ("c", 1)
    quoted = '"a": {"b": 1}\n'
    out, _ = apply_edit(quoted, 0, Edit(("a", "c"), "x y", "add"))
    assert out == '"a": {"b": 1, "c": "x y"}\n'


@pytest.mark.parametrize("header", ["|+", "|2+", ">+  # keep"])
def test_yaml_insertion_after_a_block_scalar_that_keeps_its_blank_lines(header) -> None:
    """A `|+` scalar owns its trailing blank lines: a new key goes after them, not into them."""
    from gpulint.diagnostics import Edit
    from gpulint.fix.yaml_edit import apply_edit

    for nl in ("\n", "\r\n"):
        text = nl.join(["spec:", "  a: 1", f"  cmd: {header}", "    echo hi", "", "", "---", "x: 1", ""])
        out, _ = apply_edit(text, 0, Edit(("spec", "b"), 2, "add"))
        assert out == nl.join(["spec:", "  a: 1", f"  cmd: {header}", "    echo hi", "", "", "  b: 2", "---",
                               "x: 1", ""])
        assert yaml.safe_load_all(out).__next__()["spec"]["cmd"] == yaml.safe_load_all(text).__next__()["spec"]["cmd"]
    # a clipped scalar loses its blank lines anyway: the new key goes right after its text
    text = "spec:\n  cmd: |\n    echo hi\n\n\nx: 1\n"
    out, _ = apply_edit(text, 0, Edit(("spec", "b"), 2, "add"))
    assert out == "spec:\n  cmd: |\n    echo hi\n  b: 2\n\n\nx: 1\n"


# --------------------------------------------------------------------------- property test

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_QUOTES = ["{}", "'{}'", '"{}"']
_COMMENTS = ["", "  # note", "   # gpu count: keep it"]


@st.composite
def manifests(draw):
    """A multi-document file of GPU pods with comments, mixed quoting and styles."""
    docs = []
    for d in range(draw(st.integers(1, 3))):
        lines = [f"# document {d}", "apiVersion: v1", "kind: Pod", f"metadata: {{name: pod-{d}}}", "spec:"]
        dash, ind = draw(st.sampled_from([("  - ", "    "), ("    - ", "      ")]))  # indentless, indented
        if draw(st.booleans()):
            lines.append(f"  tolerations:{draw(st.sampled_from(_COMMENTS))}")
            lines.append(f"{dash}{{key: dedicated, operator: Exists}}")
        lines.append("  containers:")
        for c in range(draw(st.integers(1, 3))):
            lines.append(f"{dash}name: c{c}")
            lines.append(f"{ind}image: {draw(st.sampled_from(_QUOTES)).format('nvidia/cuda:12.4.1')}")
            req = draw(st.one_of(st.none(), st.integers(0, 4)))
            lim = draw(st.one_of(st.none(), st.integers(0, 4)))
            if req is None and lim is None:
                continue
            flow = draw(st.booleans())
            lines.append(f"{ind}resources:{draw(st.sampled_from(_COMMENTS))}")
            for which, value in (("requests", req), ("limits", lim)):
                if value is None:
                    continue
                shown = draw(st.sampled_from(_QUOTES)).format(value)
                comment = draw(st.sampled_from(_COMMENTS))
                if flow:
                    lines.append(f"{ind}  {which}: {{nvidia.com/gpu: {shown}}}{comment}")
                else:
                    lines.append(f"{ind}  {which}:{draw(st.sampled_from(_COMMENTS))}")
                    lines.append(f"{ind}    nvidia.com/gpu: {shown}{comment}")
        docs.append("\n".join(lines) + "\n")
    return "---\n".join(docs)


def _edits_of(d) -> list[tuple[tuple, bool, object]]:
    """The paths an applied fix edits, each with whether it appends to a list, and the value."""
    return [(tuple(e.path)[:-1], True, e.value) if e.path[-1] == "-" else (tuple(e.path), False, e.value)
            for e in d.fix.edits]


def _has(data, path) -> bool:
    for step in path:
        if isinstance(data, dict) and step in data:
            data = data[step]
        elif isinstance(data, list) and isinstance(step, int) and step < len(data):
            data = data[step]
        else:
            return False
    return True


def _same(written, value) -> bool:
    """The loaded value is the edit's value (a scalar may keep its old quoting: '1' for 1)."""
    if isinstance(value, dict):
        return isinstance(written, dict) and list(written) == list(value) and all(
            _same(written[k], v) for k, v in value.items())
    if isinstance(value, list):
        return isinstance(written, list) and len(written) == len(value) and all(map(_same, written, value))
    return written == value or (not isinstance(written, (dict, list)) and str(written) == str(value))


def _revert(after, before, path: tuple, append: bool, value) -> None:
    """Check that ``after`` holds the edit's value at ``path``, then undo the edit there:
    restore the old value, drop the key it added, or cut the list back to its old length."""
    a, b = after, before
    for step in path[:-1] if path else ():
        assert _has(a, (step,)), (path, "the edit's target is missing")
        a = a[step]
        b = b[step] if _has(b, (step,)) else None
    if append:
        target, old = (a[path[-1]], b[path[-1]] if _has(b, path[-1:]) else []) if path else (a, b)
        assert _same(target[len(old):], [value]), (path, "not what the edit appends")
        del target[len(old):]
        return
    assert _has(a, path[-1:]) and _same(a[path[-1]], value), (path, "not what the edit writes")
    if _has(b, path[-1:]):
        a[path[-1]] = copy.deepcopy(b[path[-1]])
    else:
        del a[path[-1]]


def _prune(after, before, path: tuple) -> None:
    """Drop the parents of ``path`` that the edit created and that are empty again."""
    for cut in range(len(path), 0, -1):
        parent, key = path[: cut - 1], path[cut - 1]
        if _has(before, parent + (key,)) or not _has(after, parent + (key,)):
            continue
        holder = after
        for step in parent:
            holder = holder[step]
        if holder[key] in ({}, []):
            del holder[key]


def _shape(data):
    """Loaded data with key order and scalar types made visible to ``==``."""
    if isinstance(data, dict):
        return [("map",)] + [(k, _shape(v)) for k, v in data.items()]
    if isinstance(data, list):
        return [("seq",)] + [_shape(v) for v in data]
    return (type(data).__name__, data)


def assert_only_targets_changed(before, after, edits: list[tuple[tuple, bool, object]]) -> None:
    """``after`` holds each edit's value at its path, and equals ``before`` once every
    edit is undone. Independent of the fixer's own verification: nothing here calls gpulint.
    """
    reverted = copy.deepcopy(after)
    for path, append, value in sorted(edits, key=lambda e: -len(e[0])):
        _revert(reverted, before, path, append, value)
    for path, _, _ in sorted(edits, key=lambda e: -len(e[0])):
        _prune(reverted, before, path)
    assert _shape(reverted) == _shape(before), (edits, before, after)


def test_the_revert_check_can_fail() -> None:
    """The check above rejects a change outside the edited paths, a reorder and a type change."""
    before = {"a": {"x": 1, "y": "1"}, "l": [1]}
    edits = [(("a", "x"), False, 2), (("l",), True, 2), (("a", "new", "k"), False, 1)]
    assert_only_targets_changed(before, {"a": {"x": 2, "y": "1", "new": {"k": 1}}, "l": [1, 2]}, edits)
    new = {"k": 1}
    for bad in (
        {"a": {"x": 2, "y": "2", "new": new}, "l": [1]},          # y changed too
        {"a": {"y": "1", "x": 2, "new": new}, "l": [1]},          # keys reordered
        {"a": {"x": 1, "y": 1, "new": new}, "l": [1]},            # "1" became 1
        {"a": {"x": 1, "y": "1", "new": new}, "l": [3, 2]},       # an old list item changed
        {"a": {"x": 1, "y": "1", "new": new}, "l": [1], "b": 0},  # a member nobody asked for
        {"a": {"x": 2, "y": "1", "new": {"k": 1, "j": 2}}, "l": [1, 2]},  # more than the edit made
        {"a": {"x": 3, "y": "1", "new": new}, "l": [1, 2]},               # not the value asked for
        {"a": {"x": 2, "y": "1", "new": new}, "l": [1, 2, 2]},            # appended twice
    ):
        with pytest.raises(AssertionError):
            assert_only_targets_changed(before, bad, edits)


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(manifests(), st.booleans())
def test_fix_touches_only_what_it_targets(text: str, unsafe: bool) -> None:
    """--fix (on standard input, so nothing touches the disk) on generated manifests."""
    import difflib

    from gpulint.config import from_mapping

    config = from_mapping({"extended-resource-toleration": False})
    outcome = fixmod.run_fixes(["-"], config, stdin_filename="gen.yaml", stdin_data=text.encode(), unsafe=unsafe)
    (entry,) = outcome.files
    assert not entry.failed, entry.failed
    new = entry.fixed
    # every original line that changed is the line of a finding that was fixed
    targeted = {d.line for d in entry.applied}
    old_lines, new_lines = text.splitlines(), new.splitlines()
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            assert set(range(i1 + 1, i2 + 1)) <= targeted, (tag, old_lines[i1:i2])
    # the documents still parse, and differ only at the fixed paths
    before = list(yaml.safe_load_all(text))
    after = list(yaml.safe_load_all(new))
    assert len(before) == len(after)
    for index, (a, b) in enumerate(zip(before, after)):
        assert_only_targets_changed(a, b, [e for d in entry.applied if d.doc_index == index for e in _edits_of(d)])
    # nothing applicable is left, and a second run is a no-op
    left = [d for d in outcome.result.diagnostics if fixmod.applicable(d, unsafe)]
    assert not left, left
    again = fixmod.run_fixes(["-"], config, stdin_filename="gen.yaml", stdin_data=new.encode(), unsafe=unsafe)
    assert again.files[0].fixed == new and not again.files[0].applied


@st.composite
def json_manifests(draw):
    """A GPU Pod as JSON, laid out the way some tool wrote it."""
    containers = []
    for c in range(draw(st.integers(1, 3))):
        resources = {}
        for which in ("requests", "limits"):
            value = draw(st.one_of(st.none(), st.integers(0, 4), st.integers(0, 4).map(str)))
            if value is not None:
                resources[which] = {"nvidia.com/gpu": value, **({"cpu": "1"} if draw(st.booleans()) else {})}
        containers.append({"name": f"c{c}", "image": "nvidia/cuda:12.4.1", "resources": resources})
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": containers}}
    indent = draw(st.sampled_from([None, 2, 4, "\t"]))
    separators = draw(st.sampled_from([(", ", ": "), (",", ":")])) if indent is None else (",", ": ")
    return json.dumps(pod, indent=indent, separators=separators) + draw(st.sampled_from(["", "\n"]))


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(json_manifests())
def test_json_fix_touches_only_what_it_targets(text: str) -> None:
    outcome = fixmod.run_fixes(["-"], stdin_filename="pod.json", stdin_data=text.encode())
    (entry,) = outcome.files
    assert not entry.failed, entry.failed
    before, after = json.loads(text), json.loads(entry.fixed)
    assert_only_targets_changed(before, after, [e for d in entry.applied for e in _edits_of(d)])
    assert entry.fixed.endswith("\n") == text.endswith("\n")
    assert not [d for d in outcome.result.diagnostics if fixmod.applicable(d, False)]
    again = fixmod.run_fixes(["-"], stdin_filename="pod.json", stdin_data=entry.fixed.encode())
    assert again.files[0].fixed == entry.fixed


# --------------------------------------------------------------------------- real files

CORPUS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "shared", "corpus")


def _nodes(data, path=()):
    yield path, data
    if isinstance(data, dict):
        for k, v in data.items():
            if isinstance(k, str):
                yield from _nodes(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _nodes(v, path + (i,))


def test_edits_on_real_files_change_only_their_target() -> None:
    """On every public config in the corpus, edits of every kind either apply exactly or are refused."""
    if not os.path.isdir(CORPUS):
        pytest.skip("the shared corpus is not present")
    from gpulint import load as loader
    from gpulint.diagnostics import Diagnostic, Edit, Fix, Severity

    tried = applied = 0
    for folder, _, files in os.walk(CORPUS):
        for f in sorted(files):
            if not f.endswith((".yaml", ".yml", ".json")):
                continue
            full = os.path.join(folder, f)
            kind = "json" if f.endswith(".json") else "yaml"
            src = loader.load(full, open(full, "rb").read())
            if src.error is not None:
                continue
            for doc in src.documents:
                nodes = list(_nodes(doc.data))
                for n, (path, value) in enumerate(nodes[:: max(1, len(nodes) // 4)]):
                    if isinstance(value, dict):
                        edit = Edit(path + ("gpulint-added",), [{"a": "true"}, 2] if n % 2 else {"b": 1}, "add")
                    elif isinstance(value, list):
                        edit = Edit(path + ("-",), {"key": "k", "value": "v"} if n % 2 else "x y", "add")
                    else:
                        edit = Edit(path, 3 if n % 2 else "s", "set")
                    d = Diagnostic("r", "X1", Severity.ERROR, full, 1, 1, "m", doc_index=doc.index, fix=Fix([edit]))
                    done = fixmod.fix_text(full, src.text, kind, [d])
                    tried += 1
                    if not done.failed:  # applied, or already so
                        applied += 1
                        assert loader.load(full, done.text.encode(), kind).error is None
                    else:
                        assert len(done.failed) == 1 and not done.failed[0][1].startswith("internal error"), done.failed
    assert tried > 500
    assert applied >= 0.95 * tried, (applied, tried)
