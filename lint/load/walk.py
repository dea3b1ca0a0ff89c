"""Find the files to lint: walk folders for YAML, JSON, Terraform and Python, honouring .gitignore.

The walk never follows a symbolic link (a linked file is linted under its own name when the
walk reaches it; a link elsewhere is not followed out of the tree), skips version-control and
virtual-environment folders, what ``.gitignore`` files ignore and what the config's
``exclude`` patterns match. Files named on the command line are linted as named, unless
``force_exclude`` asks for the walk's rules to apply to them as well (``skipped``).
Files in a Helm chart's ``templates/`` folder are marked, for the caller to skip the ones
that are not YAML until Helm renders them.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Optional

from gpulint.load import ignore as gitignore
from gpulint.load.bounded import SIDE_FILE_LIMIT, SideFileError, read_regular
from gpulint.load.mapped import MAPPED_EXTENSIONS

#: YAML and JSON, and the languages read into documents (Terraform, Python)
EXTENSIONS = (".yaml", ".yml", ".json") + MAPPED_EXTENSIONS
SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".nox", ".venv", "venv",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".terraform", ".eggs", "site-packages",
    }
)


#: the exclude patterns that apply to the entries of a folder, and the folder they are relative to
ExcludeRules = Callable[[str], tuple[list[str], str]]


@dataclass
class WalkResult:
    files: list[str] = field(default_factory=list)
    #: those of ``files`` in a Helm chart's templates (under ``templates/`` beside a Chart.yaml)
    chart_templates: set[str] = field(default_factory=set)
    #: folders that could not be listed, with the reason
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    #: folders named in which there was nothing to lint
    empty: list[str] = field(default_factory=list)
    #: symbolic links the walk met and did not follow (to folders, or to YAML or JSON files)
    links: list[str] = field(default_factory=list)


class _Ignore:
    """The .gitignore files seen on the way down, each relative to its folder."""

    def __init__(self, cache: Optional[dict[str, object]] = None) -> None:
        self.specs: list[tuple[str, list[gitignore.Pattern]]] = []
        #: folder -> its parsed .gitignore (None: none), shared by the checks of one run's named files
        self.cache = cache

    def push(self, folder: str) -> int:
        if self.cache is not None and folder in self.cache:
            spec = self.cache[folder]
        else:
            spec = self._read(folder)
            if self.cache is not None:
                self.cache[folder] = spec
        if spec is None:
            return 0
        self.specs.append((folder, spec))
        return 1

    @staticmethod
    def _read(folder: str) -> Optional[list[gitignore.Pattern]]:
        path = os.path.join(folder, ".gitignore")
        if not os.path.isfile(path):
            return None
        try:  # a .gitignore that cannot be read (too large, swapped for a pipe) ignores nothing
            raw = read_regular(path, SIDE_FILE_LIMIT)
        except SideFileError:
            return None
        return gitignore.parse(raw.decode("utf-8", errors="replace"))

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
            for pattern in spec:
                if pattern.match_file(rel):
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


def walk(paths: Iterable[str], exclude: Iterable[str] = (), root: Optional[str] = None, *,
         rules_for: Optional[ExcludeRules] = None, force_exclude: bool = False) -> WalkResult:
    """Files named directly are kept (unless ``force_exclude`` and the walk would skip them);
    folders are walked. ``rules_for`` gives the exclude patterns for a folder's entries
    (default: ``exclude``, relative to ``root``)."""
    result = WalkResult()
    if rules_for is None:
        fixed = (list(exclude), root or os.getcwd())
        rules_for = lambda folder: fixed  # noqa: E731
    seen: set[str] = set()  # real paths: 'a.yaml', './a.yaml' and a folder walk name one file
    gitignores: dict[str, object] = {}

    def keep(f: str, template: bool) -> bool:
        key = os.path.realpath(f)
        if key in seen:
            return False
        seen.add(key)
        result.files.append(f)
        if template:
            result.chart_templates.add(f)
        return True

    for path in paths:
        if force_exclude and skipped(path, rules_for, gitignores):
            continue
        if os.path.isdir(path):
            found, links = 0, len(result.links)  # files already found under another path count too
            for f, template in _walk_dir(path, rules_for, result):
                keep(f, template)
                found += 1
            if not found and len(result.links) == links:  # links skipped have their own note
                result.empty.append(path)
        else:
            keep(path, in_chart_templates(path))
    return result


def _walk_dir(top: str, rules_for: ExcludeRules, result: WalkResult) -> Iterator[tuple[str, bool]]:
    ignore = _Ignore()
    # .gitignore files above the starting folder, up to the repository root
    ancestors = []
    here = os.path.abspath(top)
    while True:
        ancestors.append(here)
        if os.path.lexists(os.path.join(here, ".git")):
            break
        parent = os.path.dirname(here)
        if parent == here:
            ancestors = [os.path.abspath(top)]
            break
        here = parent
    for folder in reversed(ancestors[1:]):
        ignore.push(folder)
    yield from _walk(top, ignore, rules_for, result, in_chart_templates(top, folder=True))


def _walk(folder: str, ignore: _Ignore, rules_for: ExcludeRules, result: WalkResult,
          templates: bool) -> Iterator[tuple[str, bool]]:
    pushed = ignore.push(os.path.abspath(folder))
    try:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            result.unreadable.append((folder, exc.strerror or str(exc)))
            return
        chart = any(e.name == "Chart.yaml" for e in entries)
        exclude, root = rules_for(folder)
        for entry in entries:
            path = os.path.join(folder, entry.name) if folder != "." else entry.name
            try:
                if entry.is_symlink():
                    if entry.name.lower().endswith(EXTENSIONS) or entry.is_dir():
                        result.links.append(path)
                    continue
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = entry.is_file(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if entry.name in SKIP_DIRS or _is_venv(path):
                    continue
                if ignore.ignored(os.path.abspath(path), True) or (exclude and _excluded(path, exclude, root)):
                    continue
                yield from _walk(path, ignore, rules_for, result, templates or (chart and entry.name == "templates"))
            elif is_file and entry.name.lower().endswith(EXTENSIONS):
                if ignore.ignored(os.path.abspath(path), False) or (exclude and _excluded(path, exclude, root)):
                    continue
                yield path, templates
    finally:
        if pushed:
            ignore.specs.pop()


def _repository_root(folder: str) -> Optional[str]:
    while True:
        if os.path.lexists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def skipped(path: str, rules_for: ExcludeRules, gitignores: Optional[dict[str, object]] = None) -> bool:
    """Would the walk skip ``path`` (a file or folder named on the command line)? As a walk from
    the repository root would decide (or, outside a repository, from the current folder when
    ``path`` is under it): a skipped folder on the way, .gitignore, the exclude patterns."""
    target = os.path.abspath(path)
    top = _repository_root(os.path.dirname(target))
    if top is None:
        cwd = os.getcwd()
        top = cwd if target.startswith(os.path.join(cwd, "")) else os.path.dirname(target)
    if target == top:
        return False
    parts = os.path.relpath(target, top).split(os.sep)
    ignore = _Ignore(gitignores)
    folder = top
    for i, name in enumerate(parts):
        ignore.push(folder)
        here = os.path.join(folder, name)
        is_dir = i < len(parts) - 1 or os.path.isdir(target)
        if is_dir and (name in SKIP_DIRS or _is_venv(here)):
            return True
        exclude, root = rules_for(folder)
        if ignore.ignored(here, is_dir) or (exclude and _excluded(here, exclude, root)):
            return True
        folder = here
    return False


def in_chart_templates(path: str, folder: bool = False) -> bool:
    """Is ``path`` (a file, or with ``folder`` a folder) in a Helm chart's templates: under a
    ``templates`` folder beside a Chart.yaml? Nothing above the repository root is looked at."""
    here = os.path.abspath(path) if folder else os.path.dirname(os.path.abspath(path))
    while not os.path.lexists(os.path.join(here, ".git")):
        parent = os.path.dirname(here)
        if os.path.basename(here) == "templates" and os.path.isfile(os.path.join(parent, "Chart.yaml")):
            return True
        if parent == here:
            return False
        here = parent
    return False
