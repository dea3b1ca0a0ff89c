"""Find the files to lint: walk folders for YAML and JSON, honouring .gitignore."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional

EXTENSIONS = (".yaml", ".yml", ".json")
SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".nox", ".venv", "venv",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".terraform", ".eggs", "site-packages",
    }
)


@dataclass
class WalkResult:
    files: list[str] = field(default_factory=list)
    #: Helm chart templates skipped (files with ``{{`` under a folder holding Chart.yaml)
    helm_templates: list[str] = field(default_factory=list)
    #: folders that could not be listed, with the reason
    unreadable: list[tuple[str, str]] = field(default_factory=list)


class _Ignore:
    """The .gitignore files seen on the way down, each relative to its folder."""

    def __init__(self) -> None:
        self.specs: list[tuple[str, object]] = []

    def push(self, folder: str) -> int:
        path = os.path.join(folder, ".gitignore")
        if os.path.isfile(path):
            try:
                import pathspec

                with open(path, encoding="utf-8", errors="replace") as fh:
                    spec = pathspec.GitIgnoreSpec.from_lines(fh.read().splitlines())
                self.specs.append((folder, spec))
                return 1
            except (OSError, ValueError):
                return 0
        return 0

    def ignored(self, path: str, is_dir: bool) -> bool:
        """As git decides: the last matching pattern of the deepest .gitignore that has one
        wins, so a ``!pattern`` in a subfolder re-includes what a parent folder's file ignores."""
        for folder, spec in reversed(self.specs):
            rel = os.path.relpath(path, folder).replace(os.sep, "/")
            if rel.startswith(".."):
                continue
            if is_dir:
                rel += "/"
            verdict = None
            for pattern in spec.patterns:  # type: ignore[attr-defined]
                if pattern.include is not None and pattern.match_file(rel):
                    verdict = pattern.include
            if verdict is not None:
                return verdict
        return False


def _excluded(path: str, patterns: Iterable[str], root: str) -> bool:
    rel = os.path.relpath(path, root).replace(os.sep, "/")
    name = os.path.basename(path)
    for pat in patterns:
        pat = pat.rstrip("/")
        if fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(name, pat) or fnmatch.fnmatch(rel, pat + "/*"):
            return True
    return False


def _is_venv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def walk(paths: Iterable[str], exclude: Iterable[str] = (), root: Optional[str] = None) -> WalkResult:
    """Files named directly are always kept; folders are walked."""
    result = WalkResult()
    exclude = list(exclude)
    root = root or os.getcwd()
    seen: set[str] = set()  # real paths: 'a.yaml', './a.yaml' and a folder walk name one file

    def keep(f: str) -> None:
        key = os.path.realpath(f)
        if key not in seen:
            seen.add(key)
            result.files.append(f)

    for path in paths:
        if os.path.isdir(path):
            for f in _walk_dir(path, exclude, root, result):
                keep(f)
        else:
            keep(path)
    return result


def _walk_dir(top: str, exclude: list[str], root: str, result: WalkResult) -> Iterator[str]:
    ignore = _Ignore()
    # .gitignore files above the starting folder, up to the repository root
    ancestors = []
    here = os.path.abspath(top)
    while True:
        ancestors.append(here)
        if os.path.isdir(os.path.join(here, ".git")):
            break
        parent = os.path.dirname(here)
        if parent == here:
            ancestors = [os.path.abspath(top)]
            break
        here = parent
    for folder in reversed(ancestors[1:]):
        ignore.push(folder)
    yield from _walk(top, ignore, exclude, root, result, chart=False)


def _walk(folder: str, ignore: _Ignore, exclude: list[str], root: str, result: WalkResult, chart: bool) -> Iterator[str]:
    pushed = ignore.push(os.path.abspath(folder))
    try:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            result.unreadable.append((folder, exc.strerror or str(exc)))
            return
        chart = chart or any(e.name == "Chart.yaml" for e in entries)
        for entry in entries:
            path = os.path.join(folder, entry.name) if folder != "." else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = entry.is_file()
            except OSError:
                continue
            if is_dir:
                if entry.name in SKIP_DIRS or _is_venv(path):
                    continue
                if ignore.ignored(os.path.abspath(path), True) or (exclude and _excluded(path, exclude, root)):
                    continue
                yield from _walk(path, ignore, exclude, root, result, chart)
            elif is_file and entry.name.lower().endswith(EXTENSIONS):
                if ignore.ignored(os.path.abspath(path), False) or (exclude and _excluded(path, exclude, root)):
                    continue
                if chart and _is_helm_template(path):
                    result.helm_templates.append(path)
                    continue
                yield path
    finally:
        if pushed:
            ignore.specs.pop()


def _is_helm_template(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return b"{{" in fh.read(1 << 20)
    except OSError:
        return False
