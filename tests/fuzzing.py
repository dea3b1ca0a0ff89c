"""Running the whole command line on a generated scenario, and the properties every run must hold.

A :class:`Scenario` is a folder of files and a command line. :func:`run` writes the
files into a fresh temporary folder (``project/``, beside an ``outside/`` folder with a
fixable file nothing may touch), runs ``gpulint.cli.main`` in-process with the
project as the current folder (each command of :meth:`Scenario.commands`), and
records the exit status, the output, the time taken, every file before and after,
and every write the process asked the operating system for (an audit hook sees
``open`` for writing, renames, removals and the like, whoever makes them).
:func:`check` holds the outcome to the properties in :data:`PROPERTIES`.

Used by tests/test_fuzz_cli.py (a fixed number of derandomised examples) and
scripts/fuzz.py (unbounded, random seed).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import io
import json
import os
import re
import signal
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional

from gpulint import cli
from gpulint import load as loader

HERE = os.path.dirname(os.path.abspath(__file__))

#: no single gpulint run of a scenario (a few small files) may take longer
SECONDS = 3.0
#: a run still going after this long is stopped (a hang, not a slow run)
HANG_SECONDS = 2 * SECONDS

#: a fixable GPU Pod (request 1, limit 2): what --fix would change if it ever reached it
GPU_POD = b"""\
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

MODES = ("lint", "fix", "diff", "usage")
FIX = ["--fix", "--unsafe-fixes"]
DIFF = ["--diff", "--unsafe-fixes"]


@dataclass(frozen=True)
class Scenario:
    """Files in the project folder and a command line.

    ``mode``: ``lint`` runs the command once and must write nothing; ``fix`` runs it
    with ``--fix --unsafe-fixes`` twice, then with ``--diff --unsafe-fixes``; ``diff`` runs
    it with ``--diff --unsafe-fixes`` and must write nothing; ``usage`` carries a usage
    error on purpose and must exit 2. ``paths`` are relative to the project folder (``.``, ``./name``
    or ``-`` with ``stdin``).
    """

    files: tuple[tuple[str, bytes], ...]
    options: tuple[str, ...] = ()
    paths: tuple[str, ...] = (".",)
    mode: str = "lint"
    stdin: Optional[bytes] = None
    case: str = ""

    def argv(self) -> list[str]:
        """The command line (of the first run, in ``fix`` mode)."""
        return self.commands()[0]

    def commands(self) -> list[list[str]]:
        """The command line of each run."""
        plain = [*self.options, *self.paths]
        if self.mode == "fix":
            return [FIX + plain, FIX + plain, DIFF + plain]
        return [DIFF + plain] if self.mode == "diff" else [plain]

    def to_json(self) -> str:
        def b64(data: bytes) -> str:
            return base64.b64encode(data).decode("ascii")

        return json.dumps({
            "case": self.case, "mode": self.mode, "options": list(self.options), "paths": list(self.paths),
            "stdin": None if self.stdin is None else b64(self.stdin),
            "files": [{"name": name, "base64": b64(data)} for name, data in self.files],
        }, indent=1)

    @classmethod
    def from_json(cls, text: str) -> "Scenario":
        raw = json.loads(text)
        return cls(
            files=tuple((f["name"], base64.b64decode(f["base64"])) for f in raw["files"]),
            options=tuple(raw["options"]), paths=tuple(raw["paths"]), mode=raw["mode"],
            stdin=None if raw["stdin"] is None else base64.b64decode(raw["stdin"]), case=raw.get("case", ""),
        )


@dataclass
class Run:
    argv: list[str]
    status: int
    out: str
    err: str
    seconds: float
    writes: list[tuple[str, str]]  # (audit event, absolute path)
    crash: Optional[str] = None  # the traceback of an exception that escaped main()


@dataclass
class Outcome:
    scenario: Scenario
    top: str  # the temporary folder (gone once run() returns)
    runs: list[Run] = field(default_factory=list)
    before: dict[str, tuple[bytes, int]] = field(default_factory=dict)  # path under top -> (bytes, mtime)
    after: list[dict[str, tuple[bytes, int]]] = field(default_factory=list)  # after each run

    @property
    def project(self) -> str:
        return os.path.join(self.top, "project")


# --------------------------------------------------------------------------- writes


_RECORDING: Optional[list[tuple[str, str]]] = None
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
#: audit events that change the file system, with the positions of their path arguments
_CHANGES = {
    "os.rename": (0, 1), "os.replace": (0, 1), "os.remove": (0,), "os.rmdir": (0,), "os.mkdir": (0,),
    "os.chmod": (0,), "os.chown": (0,), "os.utime": (0,), "os.truncate": (0,), "os.symlink": (1,),
    "os.link": (1,), "os.chflags": (0,), "os.setxattr": (0,), "os.removexattr": (0,), "shutil.rmtree": (0,),
    "shutil.move": (1,), "shutil.copyfile": (1,), "shutil.copymode": (1,), "shutil.copystat": (1,),
}


def _path(value: Any) -> Optional[str]:
    if isinstance(value, (str, bytes, os.PathLike)):
        return os.path.abspath(os.fsdecode(value))
    return None  # a file descriptor


def _audit(event: str, args: tuple) -> None:
    recording = _RECORDING
    if recording is None:
        return
    if event == "open":
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS)
        where = _path(path) if writing else None
        if where is not None:
            recording.append((event, where))
    elif event in _CHANGES:
        for i in _CHANGES[event]:
            where = _path(args[i]) if i < len(args) else None
            if where is not None:
                recording.append((event, where))


@functools.lru_cache(maxsize=1)
def _install_audit_hook() -> None:
    sys.addaudithook(_audit)  # for the life of the process; it does nothing unless recording


def _bytecode_cache(path: str) -> bool:
    """The interpreter caching a module it imported for the first time: not a write of gpulint's."""
    return f"{os.sep}__pycache__{os.sep}" in path and ".pyc" in os.path.basename(path)


@contextlib.contextmanager
def recording_writes() -> Iterator[list[tuple[str, str]]]:
    global _RECORDING
    _install_audit_hook()
    writes: list[tuple[str, str]] = []
    _RECORDING = writes
    try:
        yield writes
    finally:
        _RECORDING = None
        writes[:] = [w for w in writes if not _bytecode_cache(w[1])]


# --------------------------------------------------------------------------- running


class Hang(BaseException):
    """A run stopped by :func:`hang_guard` (not an Exception: gpulint's per-file guard must not
    turn it into an internal-error diagnostic and carry on)."""


@contextlib.contextmanager
def hang_guard(seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Stop a run that hangs (Unix main thread only; elsewhere the time check after the run applies)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def _timeout(signum: int, frame: Any) -> None:
        raise Hang(f"no result after {seconds:g} s: gpulint hangs on this input")

    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _snapshot(top: str) -> dict[str, tuple[bytes, int]]:
    out = {}
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, top)
            if os.path.isdir(path) and not os.path.islink(path):
                out[rel + os.sep] = (b"", 0)
            else:
                with open(path, "rb") as fh:
                    out[rel] = (fh.read(), os.lstat(path).st_mtime_ns)
    return out


def _write(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)


def _run_once(argv: list[str], stdin: Optional[bytes]) -> Run:
    out, err = io.StringIO(), io.StringIO()
    crash = None
    start = time.perf_counter()
    with recording_writes() as writes, hang_guard():
        try:
            status = cli.main(argv, stdout=out, stderr=err, stdin_data=stdin)
        except Exception:  # the command line's entry point would print "internal error" and exit 2
            status, crash = cli.EXIT_USAGE, traceback.format_exc()
    return Run(argv, status, out.getvalue(), err.getvalue(), time.perf_counter() - start, writes, crash)


def run(scenario: Scenario) -> Outcome:
    """Run ``scenario`` in a fresh temporary folder, in-process."""
    old = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="gpulint-fuzz-") as top:
        outcome = Outcome(scenario, top)
        _write(os.path.join(top, "outside", "keep.yaml"), GPU_POD)
        for name, data in scenario.files:
            _write(os.path.join(top, "project", name), data)
        os.makedirs(outcome.project, exist_ok=True)
        outcome.before = _snapshot(top)
        os.chdir(outcome.project)
        try:
            for argv in scenario.commands():
                outcome.runs.append(_run_once(argv, scenario.stdin))
                outcome.after.append(_snapshot(top))
        finally:
            os.chdir(old)
    return outcome


# --------------------------------------------------------------------------- properties


class PropertyFailed(AssertionError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"[{name}] {message}")
        self.name = name


#: control characters that must never reach the output raw: ESC, CR and the rest of C0
#: (tab and line feed are text), DEL, and the C1 block (0x9b is CSI on 8-bit terminals)
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
TEXT_LINE = re.compile(r"^.+:\d+:\d+: (?:error|warning|info) (?P<rule>[a-z][a-z0-9-]*) \S.*$")
STATISTICS_LINE = re.compile(r"^ *\d+ +[A-Z]+\d+ +(?P<rule>[a-z][a-z0-9-]*)$")
SUMMARY = re.compile(
    r"^(?:No problems found in \d+ files?\.|Found \d+ problems? \(.*\) in \d+ files? \(\d+ checked\)\.)"
)


def _status(o: Outcome) -> None:
    wanted = {2} if o.scenario.mode == "usage" else {0, 1}
    for r in o.runs:
        assert r.status in wanted, f"exit status {r.status} (wanted {sorted(wanted)}): {r.err[-500:]!r}"


def _traceback(o: Outcome) -> None:
    for r in o.runs:
        assert "Traceback (most recent call last)" not in r.out + r.err, repr(r.err[-2000:])


def _internal_error(o: Outcome) -> None:
    """No internal-error diagnostic, and no exception out of main() (the internal error of the
    whole run: the entry point prints it in one line and exits 2)."""
    for r in o.runs:
        assert r.crash is None, r.crash
        if _is_diff(r):  # the output is a diff; a failure would be a note
            assert "internal error" not in r.err and "internal-error" not in r.err, repr(r.err)
            continue
        for rule, diag in _diagnostics(r):
            assert rule not in ("internal-error", "GL003"), repr(diag)


def _escaped(o: Outcome) -> None:
    """No control character reaches the output raw, whatever the files and their names hold
    (but a diff, which shows the files' own text, as git diff does)."""
    for r in o.runs:
        for name, text in (("stdout", "" if _is_diff(r) else r.out), ("stderr", r.err)):
            raw = RAW_CONTROL.search(text)
            assert raw is None, f"raw {raw.group()!r} on {name}: {text[max(0, raw.start() - 80):raw.end() + 80]!r}"


def _well_formed(o: Outcome) -> None:
    """Each report is what its format says: one line per finding, note or annotation, valid JSON or SARIF."""
    if o.scenario.mode == "usage":
        return
    for r in o.runs:
        for name, text in (("stdout", r.out), ("stderr", r.err)):
            assert not text or text.endswith("\n"), f"{name} does not end in a line feed: {text[-80:]!r}"
        for line in r.err.split("\n")[:-1]:
            assert line.startswith("gpulint: "), f"stderr line not from gpulint: {line!r}"
        if _is_diff(r):
            assert not r.out or r.out.startswith("--- "), f"not a unified diff: {r.out[:80]!r}"
        else:
            _one_line_each(r)


def _one_line_each(r: Run) -> None:
    """Each diagnostic, count and annotation is one line of its format; JSON formats are JSON."""
    kind = _report_kind(r.argv)
    lines = r.out.split("\n")[:-1]  # a line ends at a line feed (str.splitlines also splits at U+2028)
    if kind in ("json", "gitlab", "statistics-json"):
        json.loads(r.out)
    elif kind == "sarif":
        errors = list(_sarif_validator().iter_errors(json.loads(r.out)))
        assert not errors, [e.message for e in errors[:3]]
    elif kind == "github":
        from test_github import ANNOTATION

        for line in lines:
            assert ANNOTATION.match(line), f"not one workflow command: {line!r}"
    else:  # text, or the counts of --statistics
        if "--quiet" not in r.argv:
            assert lines and SUMMARY.match(lines[-1]), f"no summary line at the end: {lines[-1:]!r}"
            lines = lines[:-1]
        pattern = STATISTICS_LINE if kind == "statistics" else TEXT_LINE
        for line in lines:
            assert pattern.match(line), f"not one {kind} line: {line!r}"


def _seconds(o: Outcome) -> None:
    for r in o.runs:
        assert r.seconds < SECONDS, f"{r.seconds:.1f} s for one run (at most {SECONDS:g} s)"


def _unchanged(o: Outcome) -> None:
    """Nothing written outside the project folder, ever; inside it only by --fix, and only
    files that parsed and lie under the paths given."""
    for r in o.runs:
        for event, path in r.writes:
            assert "--fix" in r.argv, f"{event} {path!r} without --fix"
            assert _inside(path, o.project), f"{event} {path!r}: outside the folder linted"
    after = o.after[-1] if o.after else o.before
    assert set(after) == set(o.before), f"files appeared or vanished: {sorted(set(after) ^ set(o.before))!r}"
    for rel, (data, mtime) in o.before.items():
        if o.scenario.mode == "fix" and _may_fix(o, rel, data):
            if after[rel][0] == data:  # unchanged by the fixes: not rewritten either
                assert after[rel][1] == mtime, f"{rel!r} rewritten with the same bytes"
            continue
        assert after[rel] == (data, mtime), f"{rel!r} changed"


def _idempotent(o: Outcome) -> None:
    """A second --fix --unsafe-fixes changes nothing and writes nothing, and --diff then shows
    nothing (exit 0); what the first wrote still loads."""
    if o.scenario.mode != "fix":
        return
    _, second, diff = o.runs
    assert not second.writes, f"the second --fix wrote: {second.writes!r}"
    assert o.after[1] == o.after[0], "the second --fix changed a file"
    assert (diff.status, diff.out) == (0, ""), f"--diff after --fix: exit {diff.status}, {diff.out[:300]!r}"
    for rel, (data, _) in o.after[0].items():
        if rel in o.before and data != o.before[rel][0]:
            source = loader.load(rel, data)
            assert source.error is None, f"--fix wrote {rel!r}, which no longer loads: {source.error.message}"


#: each property by name (the names mark known failures in tests/fuzz_known.py)
PROPERTIES: dict[str, Callable[[Outcome], None]] = {  # the gravest first: check() stops at the first failure
    "internal-error": _internal_error,
    "traceback": _traceback,
    "status": _status,
    "unchanged": _unchanged,
    "idempotent": _idempotent,
    "seconds": _seconds,
    "escaped": _escaped,
    "well-formed": _well_formed,
}


#: what a run that raised out of main() did not get to print
_OUTPUT = frozenset({"status", "traceback", "escaped", "well-formed", "idempotent"})


def check(outcome: Outcome, skip: frozenset[str] = frozenset(), only: Optional[str] = None) -> None:
    """Hold ``outcome`` to every property (or ``only`` one), except those in ``skip``. When an
    expected internal error ended a run, its output is not checked either."""
    if "internal-error" in skip and any(r.crash for r in outcome.runs):
        skip = skip | _OUTPUT
    for name, prop in PROPERTIES.items():
        if name in skip or (only is not None and name != only):
            continue
        try:
            prop(outcome)
        except PropertyFailed:
            raise
        except Exception as exc:  # an assertion, or output that is not what its format says (JSON)
            raise PropertyFailed(name, f"{type(exc).__name__}: {exc}") from None


# --------------------------------------------------------------------------- helpers


@functools.lru_cache(maxsize=1)
def _sarif_validator() -> Any:
    from jsonschema.validators import validator_for

    with open(os.path.join(HERE, "data", "sarif-2.1.0.json"), encoding="utf-8") as fh:
        schema = json.load(fh)
    return validator_for(schema)(schema)


def _is_diff(r: Run) -> bool:
    return "--diff" in r.argv


def _report_kind(argv: list[str]) -> str:
    """What the run printed: the format, or ``statistics`` (text counts, in every format but json)."""
    fmt = "text"
    for i, arg in enumerate(argv[:-1]):
        if arg in ("--format", "--output-format"):
            fmt = argv[i + 1]
    if "--statistics" in argv:
        return "statistics-json" if fmt == "json" else "statistics"
    return fmt


def _diagnostics(r: Run) -> Iterator[tuple[str, Any]]:
    """(rule name or code, the diagnostic or count as printed) for each one a run printed."""
    kind = _report_kind(r.argv)
    if kind in ("json", "gitlab", "sarif", "statistics-json") and r.status != 2:
        data = json.loads(r.out)
        if kind == "sarif":
            for result in data["runs"][0]["results"]:
                yield result["ruleId"], result
        else:
            for d in data:
                for key in ("rule", "check_name", "name", "code"):
                    if key in d:
                        yield d[key], d
        return
    for line in r.out.splitlines():
        m = TEXT_LINE.match(line) or STATISTICS_LINE.match(line)
        if m:
            yield m.group("rule"), line
        elif "title=internal-error" in line:
            yield "internal-error", line


def _inside(path: str, folder: str) -> bool:
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path.startswith(folder + os.sep)


def _may_fix(o: Outcome, rel: str, data: bytes) -> bool:
    """May --fix change ``rel`` (a path under the temporary folder)? Only a file that parsed,
    in the project folder, under one of the paths the run was given."""
    parts = rel.split(os.sep)
    if parts[0] != "project" or rel.endswith(os.sep) or "-" in o.scenario.paths:
        return False
    name = os.sep.join(parts[1:])
    named = any(p == "." or os.path.normpath(p) == name for p in o.scenario.paths)
    return named and loader.load(name, data).error is None
