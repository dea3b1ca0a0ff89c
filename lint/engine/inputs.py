"""What a run reads: the inputs named on the command line and in the config, and their bytes.

``collect_inputs`` turns paths (files, folders, ``-`` for standard input) and the config's
context globs into ``Input`` items, with notes for the user about what was skipped (missing
paths, unreadable folders, Helm chart templates). ``read_source`` reads one input into a
loaded ``Source``, bounded by ``max-file-size`` so that a device or a huge file cannot
exhaust memory and a silent named pipe cannot hang the run; a file that cannot be read
becomes a ``Source`` with a load error, never an exception.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from dataclasses import dataclass
from typing import Optional

from gpulint import load as loader
from gpulint.config import Config
from gpulint.load import Source
from gpulint.load.walk import walk

STDIN = "-"

#: how long a named pipe may stay silent before it is given up on
FIFO_WAIT_SECONDS = 30.0


@dataclass
class Input:
    """One file to lint, or standard input under a display name."""

    name: str
    data: Optional[bytes] = None  # None: read ``name`` from disk
    report: bool = True  # False for context files: loaded, not reported on


def collect_inputs(paths: list[str], config: Config, stdin_filename: Optional[str] = None,
                   stdin_data: Optional[bytes] = None) -> tuple[list[Input], list[str]]:
    """Inputs for ``paths`` plus the context files from the config; and notes for the user."""
    notes: list[str] = []
    inputs: list[Input] = []
    file_paths = [p for p in paths if p != STDIN]
    if STDIN in paths:
        data = stdin_data if stdin_data is not None else sys.stdin.buffer.read()
        inputs.append(Input(stdin_filename or "<stdin>", data))
    missing = [p for p in file_paths if not os.path.exists(p)]
    for p in missing:
        notes.append(f"{p}: no such file or directory")
    walked = walk([p for p in file_paths if p not in missing], config.exclude, config.root)
    for folder, why in walked.unreadable:
        notes.append(f"{folder}: cannot read folder: {why}; skipped")
    if walked.helm_templates:
        charts = sorted({_chart_root(p) for p in walked.helm_templates})
        notes.append(
            f"skipped {len(walked.helm_templates)} Helm template file(s) in {', '.join(charts)}; "
            "lint the rendered output instead: helm template ... | gpulint -"
        )
    named = {os.path.abspath(f) for f in walked.files}
    inputs.extend(Input(f) for f in walked.files)
    if config.context:
        inputs.extend(_context_inputs(config, named, notes))
    return inputs, notes


def _context_inputs(config: Config, named: set[str], notes: list[str]) -> list[Input]:
    """The files the config's context globs match that are not linted already (``named``
    grows with them): loaded for the cross-file rules, not reported on. A glob that matches
    no file (a workload glob of the mapping form included) is a note."""
    import glob

    out: list[Input] = []
    root = glob.escape(config.root)
    for pattern in config.context_files:
        found = [f for f in sorted(glob.glob(os.path.join(root, pattern), recursive=True)) if os.path.isfile(f)]
        if not found:
            notes.append(f"{config.path or 'config'}: context glob {pattern!r} matches no file (globs are relative "
                         f"to the config's folder)")
        for f in found:
            if os.path.abspath(f) not in named:
                named.add(os.path.abspath(f))
                out.append(Input(os.path.relpath(f), report=False))
    if isinstance(config.context, dict):
        for pattern in config.context:
            if not any(os.path.isfile(f) for f in glob.iglob(os.path.join(root, pattern), recursive=True)):
                notes.append(f"{config.path or 'config'}: context workload glob {pattern!r} matches no file (globs "
                             f"are relative to the config's folder)")
    return out


def _chart_root(path: str) -> str:
    folder = os.path.dirname(path)
    while folder and not os.path.isfile(os.path.join(folder, "Chart.yaml")):
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return folder or "."


def read_source(item: Input, max_file_size: int) -> Source:
    """``item`` loaded; a Source with a load error when it is too large or cannot be read."""
    name = item.name
    try:
        if item.data is not None:
            raw = item.data
            if len(raw) > max_file_size:
                return _unread(name, f"input is {len(raw)} bytes, larger than max-file-size ({max_file_size}); skipped")
        else:
            size = os.path.getsize(name)
            read = None if size > max_file_size else _read_bounded(name, max_file_size)
            if read is None:
                size_text = f"{size} bytes, " if size > max_file_size else ""  # devices and pipes report no size
                return _unread(name, f"file is {size_text}larger than max-file-size ({max_file_size}); skipped")
            raw = read
    except OSError as exc:
        return _unread(name, f"cannot read file: {exc.strerror or exc}")
    return loader.load(name, raw)


def _unread(name: str, message: str) -> Source:
    src = Source(name, "", "yaml")
    src.error = loader.LoadError(message)
    return src


def _read_bounded(path: str, limit: int) -> Optional[bytes]:
    """At most ``limit`` bytes of ``path``, or None when it holds more.

    Bounded so that a device (``/dev/zero``) cannot exhaust memory. Opened
    without blocking, so that a FIFO nobody writes to cannot hang the run: a
    pipe (``gpulint <(helm template ...)``, or a FIFO a producer writes to) is
    read once data arrives, and given up on after FIFO_WAIT_SECONDS of silence.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        if getattr(os, "O_NONBLOCK", 0):
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                import select

                ready, _, _ = select.select([fd], [], [], FIFO_WAIT_SECONDS)
                if not ready:
                    raise OSError(errno.ETIMEDOUT, f"nothing arrived on this pipe within {FIFO_WAIT_SECONDS:g} s")
            os.set_blocking(fd, True)
        chunks = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    return None if total > limit else b"".join(chunks)
