"""The files gpulint reads beside the linted ones: config files, baselines, quotas files and
.gitignore. A pull request controls them as much as the files it changes, so none of them can
make a run hang, exhaust memory, or print what a file holds.

The hostile cases run gpulint in a process of its own, with a time limit and a cap on its
address space: a regression fails the test instead of stalling or swapping the suite."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys

import pytest

from gpulint.load import ignore
from gpulint.load.bounded import BASELINE_LIMIT, SIDE_FILE_LIMIT
from gpulint.load.sidefile import shorten, shown
from gpulint.load.walk import walk

#: a run that reads a hostile side file must end within this many seconds...
TIME_LIMIT = 5
#: ...and within this much address space (a /dev/zero read or an alias bomb needs far more)
MEMORY_CAP = 768 * 1024 * 1024

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c, image: x}]}\n"
REFUSED = "not a regular file; refusing to read it"
TOO_LARGE = "the most gpulint reads of this file; refusing to read it"


def _capped() -> None:  # pragma: no cover - runs in the child
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def gpulint(*argv: str, cwd, timeout: float = TIME_LIMIT) -> tuple[int, str, str]:
    """gpulint in a process of its own, within TIME_LIMIT seconds and MEMORY_CAP bytes."""
    proc = subprocess.run([sys.executable, "-m", "gpulint", *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=_capped, stdin=subprocess.DEVNULL)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository with one pod to lint (no findings with the default rules)."""
    root = tmp_path.resolve()
    (root / ".git").mkdir()
    (root / "pod.yaml").write_text(POD)
    monkeypatch.chdir(root)
    return root


def _make(path, what: str) -> None:
    """Put at ``path`` what a pull request could commit or leave there instead of a file."""
    if what == "link to /dev/zero":
        os.symlink("/dev/zero", path)
    elif what == "fifo":
        os.mkfifo(path)
    elif what == "link to a fifo":
        os.mkfifo(f"{path}.fifo")
        os.symlink(f"{os.path.basename(path)}.fifo", path)
    elif what == "folder":
        os.mkdir(path)
    else:
        raise AssertionError(what)


KINDS = {
    "link to /dev/zero": "a symbolic link to a character device",
    "fifo": "a named pipe (FIFO)",
    "link to a fifo": "a symbolic link to a named pipe (FIFO)",
    "folder": "a folder",
}
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"),
                                reason="needs FIFOs and /dev/zero")


# --------------------------------------------------------------------------- 1. type and size first


@needs_fifo
@pytest.mark.parametrize("what", list(KINDS))
def test_a_baseline_that_is_no_regular_file_is_refused(repo, what):
    _make(repo / "b.json", what)
    assert gpulint("--baseline", "b.json", "pod.yaml", cwd=repo) == (
        2, "", f"gpulint: baseline b.json: {KINDS[what]}, {REFUSED}\n")


@needs_fifo
@pytest.mark.parametrize("what", list(KINDS))
def test_a_quotas_file_that_is_no_regular_file_is_refused(repo, what):
    _make(repo / "q.yaml", what)
    assert gpulint("--quotas", "q.yaml", "pod.yaml", cwd=repo) == (
        2, "", f"gpulint: quotas file {repo}/q.yaml: {KINDS[what]}, {REFUSED}\n")


@needs_fifo
@pytest.mark.parametrize("what", list(KINDS))
def test_a_quotas_file_named_in_the_config_that_is_no_regular_file_is_refused(repo, what):
    (repo / ".gpulint.yaml").write_text("quotas: q.yaml\n")
    _make(repo / "q.yaml", what)
    assert gpulint("pod.yaml", cwd=repo) == (2, "", f"gpulint: quotas file {repo}/q.yaml: {KINDS[what]}, {REFUSED}\n")


@needs_fifo
@pytest.mark.parametrize("what", list(KINDS))
def test_a_config_file_that_is_no_regular_file_is_refused(repo, what):
    """Found in the tree or named with --config: refused, never read, never passed over."""
    _make(repo / ".gpulint.yaml", what)
    message = f"{KINDS[what]}, {REFUSED}\n"
    assert gpulint("pod.yaml", cwd=repo) == (2, "", f"gpulint: {repo}/.gpulint.yaml: {message}")
    assert gpulint("--config", ".gpulint.yaml", "pod.yaml", cwd=repo) == (2, "", f"gpulint: .gpulint.yaml: {message}")


@needs_fifo
def test_a_config_file_linked_to_nothing_is_an_error_not_a_default(repo):
    os.symlink("nowhere.yaml", repo / ".gpulint.yaml")
    assert gpulint("pod.yaml", cwd=repo) == (
        2, "", f"gpulint: {repo}/.gpulint.yaml: a symbolic link to nothing (dangling)\n")


@needs_fifo
def test_a_pyproject_that_is_no_regular_file_is_passed_over(repo):
    """pyproject.toml is not gpulint's file: gpulint reads it only when it is a file."""
    _make(repo / "pyproject.toml", "fifo")
    assert gpulint("pod.yaml", cwd=repo) == (0, "No problems found in 1 file.\n", "")


def _sparse(path, size: int) -> None:
    with open(path, "wb") as fh:
        fh.truncate(size)


@pytest.mark.parametrize("argv, name, size, message", [
    (["--baseline", "side"], "baseline side", BASELINE_LIMIT + 1, "larger than 64 MiB, "),
    (["--quotas", "side"], "quotas file {repo}/side", SIDE_FILE_LIMIT + 1, "larger than 5 MiB, "),
    (["--config", "side"], "side", SIDE_FILE_LIMIT + 1, "larger than 5 MiB, "),
])
def test_a_side_file_larger_than_its_limit_is_refused(repo, argv, name, size, message):
    _sparse(repo / "side", size)
    assert gpulint(*argv, "pod.yaml", cwd=repo) == (
        2, "", f"gpulint: {name.format(repo=repo)}: {message}{TOO_LARGE}\n")


def test_a_config_file_at_the_limit_is_read(repo):
    text = "fail-on: error\n"
    (repo / ".gpulint.yaml").write_text(text + "#" * (SIDE_FILE_LIMIT - len(text) - 1) + "\n")
    assert os.path.getsize(repo / ".gpulint.yaml") == SIDE_FILE_LIMIT
    assert gpulint("pod.yaml", cwd=repo) == (0, "No problems found in 1 file.\n", "")


# --------------------------------------------------------------------------- 2. bounded parsing

#: nine levels of nine aliases: 9**9 copies of a string once expanded
BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
BOMB_MESSAGE = ("1:1: YAML aliases expand this document to 926177115 nodes (more than 100000 beyond the 29 "
                "written); refusing to expand it")


def test_an_alias_bomb_in_a_quotas_file_is_refused_not_expanded(repo):
    (repo / "q.yaml").write_text(BOMB + "quotas: *i\n")
    assert gpulint("--quotas", "q.yaml", "pod.yaml", cwd=repo) == (
        2, "", f"gpulint: quotas file {repo}/q.yaml:{BOMB_MESSAGE}\n")


def test_an_alias_bomb_in_a_config_file_is_refused_not_expanded(repo):
    (repo / ".gpulint.yaml").write_text(BOMB + "ignore: *i\n")
    assert gpulint("pod.yaml", cwd=repo) == (2, "", f"gpulint: {repo}/.gpulint.yaml:{BOMB_MESSAGE}\n")


def test_a_value_built_from_aliases_is_named_by_its_kind(repo):
    """Below the expansion bound, a wrong value is still never printed: it is 'a list'."""
    (repo / "q.yaml").write_text("a: &a [1, 2, 3]\nb: &b [*a, *a, *a]\nquotas: {ml.g5.xlarge for endpoint usage: *b}\n")
    assert gpulint("--quotas", "q.yaml", "pod.yaml", cwd=repo) == (
        2, "", f"gpulint: quotas file {repo}/q.yaml: quota 'ml.g5.xlarge for endpoint usage' must be a "
               "non-negative number, found a list\n")


# --------------------------------------------------------------------------- 3. never the content

CREDENTIALS = "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG\n"


@pytest.mark.parametrize("setup, argv, prefix, message", [
    ({".gpulint.yaml": "quotas: credentials\n"}, [], "quotas file {repo}/credentials",
     ":2:1: invalid YAML: did not find expected <document start>"),
    ({}, ["--quotas", "credentials"], "quotas file {repo}/credentials",
     ":2:1: invalid YAML: did not find expected <document start>"),
    ({}, ["--config", "credentials"], "credentials", ":2:1: invalid YAML: did not find expected <document start>"),
    ({}, ["--baseline", "credentials"], "baseline credentials",
     ":1:2: not a gpulint baseline (invalid JSON: Expecting value)"),
])
def test_a_file_that_does_not_parse_is_reported_by_name_and_position_only(repo, setup, argv, prefix, message):
    (repo / "credentials").write_text(CREDENTIALS)
    for name, text in setup.items():
        (repo / name).write_text(text)
    status, out, err = gpulint(*argv, "pod.yaml", cwd=repo)
    assert (status, out, err) == (2, "", f"gpulint: {prefix.format(repo=repo)}{message}\n")


def test_a_quotas_file_that_parses_but_is_no_quotas_file_is_not_quoted(repo):
    (repo / "credentials.json").write_text('{"aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG"}')
    assert gpulint("--quotas", "credentials.json", "pod.yaml", cwd=repo) == (
        2, "", f"gpulint: quotas file {repo}/credentials.json: expected a top-level 'quotas:' mapping\n")


@pytest.mark.parametrize("text, message", [
    ("[s3cr3t-table]\n[s3cr3t-table]\n", "pyproject.toml:2:14: invalid TOML: a table declared twice"),
    ("[tool.gpulint]\nx = {s3cr3t = 1, s3cr3t = 2}\n", "pyproject.toml:2:28: invalid TOML: a key repeated in an "
                                                        "inline table"),
    ("[tool.gpulint]\ns3cr3t = \"a\x01\"\n", "pyproject.toml:2:12: invalid TOML: a control character in a string"),
    ("[tool.gpulint]\ns3cr3t = 1 ?\n", "pyproject.toml:2:12: invalid TOML: Expected newline or end of document "
                                      "after a statement"),
    ("[tool.gpulint]\n" + "x = " + "[" * 2000 + "]" * 2000 + "\n", "pyproject.toml:1:1: invalid TOML: nested too "
                                                                    "deeply"),
    ("[tool.gpulint]\nx = \"\xe9\"\n".encode("latin-1"),
     "pyproject.toml:2:6: file is not valid UTF-8 (byte 0xe9 at offset 20); save it as UTF-8"),
])
def test_a_pyproject_that_does_not_parse_is_reported_without_its_text(repo, text, message):
    (repo / "pyproject.toml").write_bytes(text if isinstance(text, bytes) else text.encode())
    assert gpulint("pod.yaml", cwd=repo) == (2, "", f"gpulint: {repo}/{message}\n")


@pytest.mark.parametrize("text, message", [
    ("fail-on: \"\\e[31mloud\"\n",
     "invalid configuration:\n  fail-on: Input should be 'error', 'warning' or 'info', found '\\x1b[31mloud'"),
    (f"fail-on: {'x' * 5000}\n", "invalid configuration:\n  fail-on: Input should be 'error', 'warning' or 'info', "
                                 f"found '{'x' * 40}...'"),
    (f"\"\\e]0;{'k' * 100}\": 1\n", f"unknown setting '\\x1b]0;{'k' * 36}...' (settings: "),
    ("ignore: [\"\\nGPU999\"]\n", "ignore: no rule named or coded '\\nGPU999'"),
    ("rules: {\"\\e[2Jrule\": {}}\n", "rules.\\x1b[2Jrule: no such rule"),
    ("context: [\"../\\e[2J\"]\n", "context: '../\\x1b[2J' must be a glob relative to the config's folder"),
    ("quotas: {\"\\e[2J\": 1}\n", "quotas: quota '\\x1b[2J' is not a quota gpulint reads"),
    ("fail-on: !vault |\n  s3cr3t\n", "invalid configuration:\n  fail-on: Input should be 'error', 'warning' or "
                                       "'info', found a value tagged !vault"),
    ("a: 1\n---\nb: 2\n", ":3:1: a second YAML document, where one is expected"),
])
def test_wrong_values_in_a_config_are_escaped_and_cut_short(repo, text, message):
    (repo / ".gpulint.yaml").write_text(text)
    status, out, err = gpulint("pod.yaml", cwd=repo)
    assert (status, out) == (2, "")
    sep = "" if message.startswith(":") else ": "
    assert err.startswith(f"gpulint: {repo}/.gpulint.yaml{sep}{message}"), err
    assert "\x1b" not in err and "s3cr3t" not in err and len(err) < 800


def test_a_quota_name_is_escaped_and_cut_short(repo):
    (repo / "q.yaml").write_text(f"quotas:\n  \"\\e[31mml.g5.xlarge for endpoint usage\\n{'x' * 300}\": 3\n")
    assert gpulint("--quotas", "q.yaml", "pod.yaml", cwd=repo) == (
        2, "", f"gpulint: quotas file {repo}/q.yaml: quota '\\x1b[31mml.g5.xlarge for endpoint usage\\n"
               f"{'x' * 39}...' is not a quota gpulint reads (names are '<ml. instance type> for <usage> usage', "
               "<usage> one of: endpoint, training job, spot training job, transform job)\n")


def test_a_context_glob_in_a_note_is_escaped_and_cut_short(repo):
    (repo / ".gpulint.yaml").write_text(f"context: [\"\\e[2J{'c' * 100}\"]\n")
    assert gpulint("pod.yaml", cwd=repo) == (
        0, "No problems found in 1 file.\n", f"gpulint: {repo}/.gpulint.yaml: context glob '\\x1b[2J{'c' * 36}...' "
                                              "matches no file (globs are relative to the config's folder)\n")


# --------------------------------------------------------------------------- 5. names escaped


def test_the_name_of_a_side_file_is_escaped(repo):
    folder = repo / "odd\nname\x1b[2J"
    folder.mkdir()
    (folder / ".gpulint.yaml").write_text("fail-on: loud\n")
    (folder / "pod.yaml").write_text(POD)
    assert gpulint("pod.yaml", cwd=folder) == (
        2, "", f"gpulint: {repo}/odd\\nname\\x1b[2J/.gpulint.yaml: invalid configuration:\n"
               "  fail-on: Input should be 'error', 'warning' or 'info', found 'loud'\n")
    assert gpulint("--baseline", "b\n.json", "pod.yaml", cwd=repo)[2].startswith(
        "gpulint: baseline b\\n.json: no such file (create it with --write-baseline b\\n.json)")


def test_values_are_shown_by_kind_and_cut_short():
    assert shown("a\x1b[0m\nb") == "'a\\x1b[0m\\nb'"
    assert shown("y" * 41) == f"'{'y' * 40}...'"
    assert [shown(v) for v in (3, 2.5, True, None, [1], {"a": 1})] == ["3", "2.5", "True", "None", "a list",
                                                                       "a mapping"]
    assert shorten("\x07" * 50, 3) == "\\x07\\x07\\x07..."


# --------------------------------------------------------------------------- 4. .gitignore, linear


def _walk_script(timeout: float, cwd) -> subprocess.CompletedProcess:
    script = "from gpulint.load.walk import walk; print(walk(['.']).files)"
    return subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          preexec_fn=_capped)


def test_a_gitignore_pattern_with_many_stars_matches_a_long_name_in_linear_time(repo):
    """A backtracking regex takes centuries for this pattern against a 200-character name."""
    (repo / ".gitignore").write_text("*a*a*a*a*a*a*a*a*b\n*a*a*a*a*a*a*a*a*b.yml\n")
    name = "a" * 195 + ".yaml"
    (repo / name).write_text(POD)
    (repo / ("a" * 195 + "b.yml")).write_text(POD)  # matched, so ignored
    proc = _walk_script(2, repo)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"{[name, 'pod.yaml']}\n", "")


def test_a_gitignore_pattern_with_many_double_stars_matches_a_deep_path_in_linear_time(repo):
    (repo / ".gitignore").write_text("**/a/**/a/**/a/**/a/**/a/**/a/**/b\n")
    deep = repo.joinpath(*["a"] * 60)
    deep.mkdir(parents=True)
    (deep / "pod.yaml").write_text(POD)
    proc = _walk_script(2, repo)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == f"{['/'.join(['a'] * 60 + ['pod.yaml']), 'pod.yaml']}\n"
    pattern = ignore.parse_line("**/a/**/a/**/a/**/a/**/a/**/a/**/b")
    assert not pattern.match_file("/".join(["a"] * 5000))
    assert pattern.match_file("/".join(["a"] * 5000 + ["b", "c.yaml"]))


@pytest.mark.parametrize("line, path, matched", [
    ("*a*a*a*a*a*a*a*a*b", "a" * 200, False),
    ("*a*a*a*a*a*a*a*a*b", "a" * 200 + "b", True),
    ("*a*a*a*a*a*a*a*a*b", "x/" + "ab" * 8, True),
    ("*a*a*b", "aab", True),
    ("*a*a*b", "ab", False),
    ("a*b*c", "abbc", True),
    ("a*b*c", "acb", False),
    ("*", "x.yaml", True),
    ("build/", "build", False),
    ("build/", "build/", True),
    ("build/", "src/build/x.yaml", True),
    ("/build", "src/build", False),
    ("doc/*.yaml", "doc/a.yaml", True),
    ("doc/*.yaml", "doc/sub/a.yaml", False),
    ("doc/**/*.yaml", "doc/sub/deeper/a.yaml", True),
    ("doc/**", "doc", False),
    ("doc/**", "doc/a", True),
    ("[a-c]?.yaml", "bx.yaml", True),
    ("[!a-c]?.yaml", "bx.yaml", False),
    ("x[!a]y", "x/y", False),  # a bracket expression never matches '/', as in git
    ("\\*.yaml", "a.yaml", False),
    ("\\*.yaml", "*.yaml", True),
    ("[z-a].yaml", "a.yaml", False),  # a reversed range matches nothing (and breaks no run)
])
def test_gitignore_patterns_match_as_git_reads_them(line, path, matched):
    assert ignore.parse_line(line).match_file(path) is matched


@pytest.mark.parametrize("line", ["", "   ", "# comment", "/", "!", "[abc", "foo\\"])
def test_lines_that_are_no_pattern_are_dropped(line):
    assert ignore.parse_line(line) is None


def test_a_gitignore_with_a_reversed_range_breaks_no_run(repo):
    (repo / ".gitignore").write_text("[z-a]\n*.yml\n")
    (repo / "skip.yml").write_text(POD)
    assert gpulint(".", cwd=repo) == (0, "No problems found in 1 file.\n", "")


def test_a_gitignore_larger_than_the_limit_is_not_read(repo):
    (repo / ".gitignore").write_text("pod.yaml\n" + "#" * SIDE_FILE_LIMIT + "\n")
    assert walk(["."]).files == ["pod.yaml"]
    (repo / ".gitignore").write_text("pod.yaml\n")
    assert walk(["."]).files == []


_RANGE_OVER_SLASH = re.compile(r"(.)-(.)")


def _reference(line: str):
    """pathspec's reading of ``line`` (None where it fails), for the patterns where git and
    pathspec agree: no negated bracket expression, no range that spans '/' (pathspec's regex
    lets those match '/', git does not)."""
    pathspec = pytest.importorskip("pathspec")
    if re.search(r"\[[!^]", line) or any(a <= "/" <= b for a, b in _RANGE_OVER_SLASH.findall(line)):
        return "skip"
    try:
        return pathspec.GitIgnoreSpec.from_lines([line]).patterns[0]
    except Exception:  # pathspec raises for some patterns git drops or reads oddly
        return "skip"


@pytest.mark.filterwarnings("ignore::FutureWarning")  # pathspec's regexes of '[[' and the like
def test_the_matcher_agrees_with_pathspec_on_short_patterns_and_paths():
    """Short enough for a backtracking regex to be quick: the two must give the same answers."""
    rng = random.Random(7)
    pattern_chars = ["a", "b", "*", "**", "?", "/", "[", "]", "!", "-", "\\", "#", " ", "^", "."]
    name_chars = ["a", "b", ".", "!", "-", "]", "[", " ", "\\", "^"]
    compared = 0
    for _ in range(4000):
        line = "".join(rng.choice(pattern_chars) for _ in range(rng.randint(0, 8)))
        ref = _reference(line)
        if ref == "skip":
            continue
        mine = ignore.parse_line(line)
        if ref.include is None:
            assert mine is None, line
            continue
        assert mine is not None and mine.include == ref.include, line
        for _ in range(20):
            names = ["".join(rng.choice(name_chars) for _ in range(rng.randint(1, 4)))
                     for _ in range(rng.randint(1, 4))]
            path = "/".join(names) + ("/" if rng.random() < 0.3 else "")
            assert mine.match_file(path) == bool(ref.match_file(path)), (line, path)
            compared += 1
    assert compared > 20000
