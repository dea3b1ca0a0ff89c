"""What a run reads: the inputs named on the command line and in the config, and their bytes.

``collect_inputs`` turns paths (files, folders, ``-`` for standard input) and the config's
context globs into ``Input`` items, each with the config it is linted with, and notes for the
user about what was skipped (missing paths, empty and unreadable folders, Helm chart templates
that are not YAML until rendered). Named files and walked ones are treated alike: a chart
template is skipped only when it does not parse, and with ``force_exclude`` a named file is
skipped where the walk would skip it. ``read_source`` reads one input into a
loaded ``Source``, bounded by ``max-file-size`` so that a device or a huge file cannot
exhaust memory and a silent named pipe cannot hang the run; a file that cannot be read
becomes a ``Source`` with a load error, never an exception.
"""

from __future__ import annotations

import errno
import functools
import os
import re
import stat
import sys
from dataclasses import dataclass
from typing import Optional

from gpulint import load as loader
from gpulint.config import Config, ConfigResolver
from gpulint.load import Source
from gpulint.load import mapped
from gpulint.load.bounded import read_bounded
from gpulint.load.sidefile import shown
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
    #: the file's own config, when it is not the run's (see ``ConfigResolver``)
    config: Optional[Config] = None


def collect_inputs(paths: list[str], config: Config, stdin_filename: Optional[str] = None,
                   stdin_data: Optional[bytes] = None, *, resolver: Optional[ConfigResolver] = None,
                   force_exclude: bool = False) -> tuple[list[Input], list[str]]:
    """Inputs for ``paths`` plus the context files from the config; and notes for the user.

    ``config`` is the run's config; with a ``resolver``, each file takes the config the resolver
    finds for it (its exclude patterns, context globs and settings). With ``force_exclude``,
    files named in ``paths`` are skipped as the folder walk would skip them.
    """
    notes: list[str] = []
    inputs: list[Input] = []

    def own(path: str, is_file: bool = True) -> Optional[Config]:
        if resolver is None:
            return None
        found = resolver.for_folder(os.path.dirname(os.path.abspath(path))) if is_file else resolver.for_path(path)
        return None if found is config else found

    file_paths = [p for p in paths if p != STDIN]
    if STDIN in paths:
        data = stdin_data if stdin_data is not None else sys.stdin.buffer.read()
        named_as = own(stdin_filename, False) if stdin_filename else None
        inputs.append(Input(stdin_filename or "<stdin>", data, config=named_as))
    missing = [p for p in file_paths if not os.path.exists(p)]
    for p in missing:
        notes.append(f"{p}: no such file or directory")
    rules_for = None
    if resolver is not None:
        def rules_for(folder: str) -> tuple[list[str], str]:
            found = resolver.for_folder(folder)
            return found.exclude, found.root
    walked = walk([p for p in file_paths if p not in missing], config.exclude, config.root,
                  rules_for=rules_for, force_exclude=force_exclude)
    for folder, why in walked.unreadable:
        notes.append(f"{folder}: cannot read folder: {why}; skipped")
    for folder in walked.empty:
        notes.append(f"{folder}: no YAML or JSON file to lint in this folder")
    if walked.links:
        notes.append(f"skipped {len(walked.links)} symbolic link(s), e.g. {walked.links[0]}: the folder walk "
                     "never follows a link (name a linked file to lint it)")
    files = [(f, own(f)) for f in walked.files]
    templates = {f for f, cfg in files if f in walked.chart_templates and not _parses(f, cfg or config)}
    if templates:
        charts = sorted({_chart_root(p) for p in templates})
        notes.append(
            f"skipped {len(templates)} Helm template file(s) in {', '.join(charts)}; "
            "lint the rendered output instead: helm template ... | gpulint -"
        )
    inputs.extend(Input(f, config=cfg) for f, cfg in files if f not in templates)
    named = {os.path.abspath(f) for f, _ in files}
    configs = {id(config): config}
    for item in inputs:
        if item.config is not None:
            configs.setdefault(id(item.config), item.config)
    for cfg in configs.values():
        if cfg.context:
            inputs.extend(_context_inputs(cfg, named, notes, None if cfg is config else cfg))
    if resolver is not None:
        notes.extend(n for n in resolver.notes if n not in notes)
    return inputs, notes


def _parses(path: str, config: Config) -> bool:
    """Is the file at ``path`` YAML (or JSON) as it stands? True too when it cannot be read or is
    too large: the lint run then reports that on the file itself.

    Strictly so: a Go template action ``{{ .Values.x }}`` in a value's place is a flow mapping
    whose key is a mapping, which YAML's grammar admits and no YAML loader builds (PyYAML:
    "found unhashable key"); gpulint's own loader, which keeps every key it can, would read it.
    """
    try:
        raw = _read_bounded(path, config.max_file_size)
    except OSError:
        return True
    if raw is None:
        return True
    source = loader.load(path, raw)
    if source.error is not None:
        return False
    if source.kind != "yaml":
        return True
    import yaml

    try:
        for _ in yaml.load_all(source.text, Loader=_strict_loader()):
            pass
    except yaml.YAMLError:
        return False
    return True


def _any_tag(loader_: object, suffix: str, node: object) -> None:
    return None


@functools.lru_cache(maxsize=None)
def _strict_loader() -> type:
    """A YAML loader that builds what plain YAML builds (yaml is imported only for chart templates)."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    strict = type("StrictYAML", (base,), {})
    strict.add_multi_constructor("", _any_tag)  # !Ref and other application tags: not the question here
    return strict


def _context_inputs(config: Config, named: set[str], notes: list[str], own: Optional[Config]) -> list[Input]:
    """The files the config's context globs match that are not linted already (``named``
    grows with them): loaded for the cross-file rules, not reported on. A glob that matches
    no file (a workload glob of the mapping form included) is a note."""
    import glob

    out: list[Input] = []
    root = glob.escape(config.root)
    for pattern in config.context_files:
        found = [f for f in sorted(glob.glob(os.path.join(root, pattern), recursive=True)) if os.path.isfile(f)]
        if not found:
            notes.append(f"{config.path or 'config'}: context glob {shown(pattern)} matches no file (globs are relative "
                         f"to the config's folder)")
        for f in found:
            if os.path.abspath(f) not in named:
                named.add(os.path.abspath(f))
                out.append(Input(os.path.relpath(f), report=False, config=own))
    if isinstance(config.context, dict):
        for pattern in config.context:
            if not any(os.path.isfile(f) for f in glob.iglob(os.path.join(root, pattern), recursive=True)):
                notes.append(f"{config.path or 'config'}: context workload glob {shown(pattern)} matches no file (globs "
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


def names_nothing(path: str) -> Optional[str]:
    """Why ``path`` names nothing gpulint can read, or None: missing, a dangling link, a link
    loop, or a named pipe (FIFO). The pipes of a shell's process substitution
    (``gpulint <(helm template ...)``, /dev/fd/N) are read as files."""
    if not os.path.lexists(path):
        return "no such file or directory"
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a loop of symbolic links"
        if not os.path.exists(path):
            return "a symbolic link to nothing (dangling)"
        return None  # unreadable: reported on the file itself
    shell_pipe = re.fullmatch(r"/(?:dev|proc/[^/]+)/fd/\d+", os.path.abspath(path))
    if stat.S_ISFIFO(mode) and not shell_pipe:
        return "a named pipe (FIFO), not a file; lint what it carries with '-' (gpulint - < FIFO)"
    return None


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
    kind = mapped.kind_of(name)
    if kind is not None and mapped.unread_ok(kind):
        return Source(name, "", kind, unread=message)  # a note, not a parse-error
    src = Source(name, "", "yaml")
    src.error = loader.LoadError(message)
    return src


def _read_bounded(path: str, limit: int) -> Optional[bytes]:
    """At most ``limit`` bytes of ``path``, or None when it holds more; a pipe is given up on
    after FIFO_WAIT_SECONDS of silence (:func:`gpulint.load.bounded.read_bounded`)."""
    return read_bounded(path, limit, FIFO_WAIT_SECONDS)
