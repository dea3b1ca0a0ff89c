"""What bench/run.py times: cases (an input) and, for each, the commands run on it.

A :class:`Case` is one input (a small file, the shared corpus, N generated documents, a tree
to fix) with the commands timed on it, by tool: gpulint in one process and as users run it,
the parse floor and the peers that read the same input. To add a case, write a function that
takes the :class:`Setup` and returns a :class:`Case` (or None when its input is missing), and
list it in :data:`CASES`; its rows and any ratio naming its labels then appear in the report.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Callable, Optional

from corpus import REPO, build_corpus

SHARED = os.path.join(REPO, "..", "shared", "corpus")
CFN_FIXTURE = os.path.join(REPO, "tests", "fixtures", "cases", "sagemaker-cloudformation.yaml")
#: the files gpulint reads (a folder walk); the floor parses the YAML and JSON ones and reads the rest
FLOOR = r"""
import json, os, sys, yaml
loader = yaml.CSafeLoader
def floor(path):
    ext = path.rsplit(".", 1)[-1].lower()
    if ext not in ("yaml", "yml", "json", "tf", "py"):
        return
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        if ext == "json":
            json.loads(raw)
        elif ext in ("yaml", "yml"):
            list(yaml.load_all(raw, Loader=loader))
    except (ValueError, yaml.YAMLError):
        pass
for arg in sys.argv[1:]:
    if os.path.isfile(arg):
        floor(arg)
    for root, _, files in os.walk(arg):
        for name in files:
            floor(os.path.join(root, name))
"""

SMALL = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: small
spec:
  template:
    spec:
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.3
          resources:
            limits:
              nvidia.com/gpu: 1
"""

#: checkov without its update check, its platform mapping and downloads (no network)
CHECKOV_ENV = {"CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "BC_SKIP_MAPPING": "TRUE", "LOG_LEVEL": "WARNING"}

FLOOR_TOOL, GPULINT_ONE, GPULINT = "parse floor", "gpulint, GPULINT_JOBS=1", "gpulint"
YAMLLINT, CFN_LINT, CHECKOV = "yamllint -d relaxed", "cfn-lint", "checkov --framework kubernetes"


@dataclass
class Job:
    cmd: list[str]
    env: dict[str, str] = field(default_factory=dict)
    #: run before each timed run, not timed (e.g. restore the tree a fix changes)
    prepare: Optional[Callable[[], None]] = None
    #: runs a round: a command of a fraction of a second runs several times
    repeat: int = 1


@dataclass
class Case:
    name: str
    about: str
    jobs: dict[str, Job]  # tool -> command


@dataclass
class Setup:
    python: str
    gpulint: str
    #: peer tool -> its console script (None: not installed)
    peers: dict[str, Optional[str]]
    work: str
    sizes: list[int]
    repeat: int


def _lint(setup: Setup, *paths: str, fix: bool = False) -> list[str]:
    return [setup.gpulint, "--exit-zero", "-q", "--format", "json", *(["--fix"] if fix else []), *paths]


def _peer(setup: Setup, tool: str, jobs: dict[str, Job], cmd: list[str], repeat: int = 1,
          env: Optional[dict[str, str]] = None) -> None:
    path = setup.peers.get(tool)
    if path:
        jobs[tool] = Job([path, *cmd], env or {}, repeat=repeat)


def _checkov(paths: list[str]) -> list[str]:
    where = ["-f", *paths] if len(paths) > 1 or os.path.isfile(paths[0]) else ["-d", paths[0]]
    return ["--framework", "kubernetes", "--skip-download", "--quiet", "--compact", *where]


def small_file(setup: Setup) -> Case:
    path = os.path.join(setup.work, "small.yaml")
    with open(path, "w") as fh:
        fh.write(SMALL)
    r = setup.repeat
    jobs = {FLOOR_TOOL: Job([setup.python, "-c", FLOOR, path], repeat=r),
            GPULINT: Job(_lint(setup, path), repeat=r)}
    _peer(setup, YAMLLINT, jobs, ["-d", "relaxed", path], r)
    _peer(setup, CHECKOV, jobs, _checkov([path]), r, CHECKOV_ENV)
    return Case("small file", "a GPU Deployment of 13 lines", jobs)


def small_cloudformation(setup: Setup) -> Case:
    r = setup.repeat
    jobs = {FLOOR_TOOL: Job([setup.python, "-c", FLOOR, CFN_FIXTURE], repeat=r),
            GPULINT: Job(_lint(setup, CFN_FIXTURE), repeat=r)}
    _peer(setup, CFN_LINT, jobs, [CFN_FIXTURE], r)
    return Case("small CloudFormation file", "tests/fixtures/cases/sagemaker-cloudformation.yaml (SageMaker "
                                             "resources, 55 lines)", jobs)


def shared_corpus(setup: Setup) -> Optional[Case]:
    if not os.path.isdir(SHARED):
        return None
    return _tree_case(setup, "shared corpus", os.path.realpath(SHARED), "../shared/corpus: real repositories' "
                      "files as they were fetched")


def corpus_cloudformation(setup: Setup) -> Optional[Case]:
    """The shared corpus's CloudFormation templates with SageMaker resources, file by file."""
    if not os.path.isdir(SHARED):
        return None
    files = cloudformation_templates(os.path.realpath(SHARED))
    if not files:
        return None
    jobs = {FLOOR_TOOL: Job([setup.python, "-c", FLOOR, *files]),
            GPULINT_ONE: Job(_lint(setup, *files), {"GPULINT_JOBS": "1"}),
            GPULINT: Job(_lint(setup, *files))}
    _peer(setup, CFN_LINT, jobs, files)
    return Case("corpus CloudFormation", f"the shared corpus's {len(files)} CloudFormation templates with "
                                         f"SageMaker resources", jobs)


def cloudformation_templates(root: str) -> list[str]:
    out = []
    for folder, _, names in os.walk(root):
        for name in names:
            if not name.lower().endswith((".yaml", ".yml", ".json")):
                continue
            path = os.path.join(folder, name)
            with open(path, "rb") as fh:
                text = fh.read().decode("utf-8", "replace")
            if "AWS::SageMaker::" in text and ("AWSTemplateFormatVersion" in text or "Resources" in text):
                out.append(path)
    return sorted(out)


def documents(setup: Setup) -> list[Case]:
    """N generated documents for each N of ``--sizes``; the peers run on all but a size above 10,000."""
    out = []
    for n in setup.sizes:
        folder = os.path.join(setup.work, f"corpus-{n}")
        stats = build_corpus(folder, n)
        out.append(_tree_case(setup, f"{n:,} documents", folder,
                              f"{stats['files']:,} files, {stats['documents']:,} documents, "
                              f"{stats['bytes'] / 1e6:.1f} MB, {stats['with_findings']:,} seeded findings",
                              with_peers=n <= 10_000))
    return out


def _tree_case(setup: Setup, name: str, folder: str, about: str, with_peers: bool = True) -> Case:
    jobs = {FLOOR_TOOL: Job([setup.python, "-c", FLOOR, folder]),
            GPULINT_ONE: Job(_lint(setup, folder), {"GPULINT_JOBS": "1"}),
            GPULINT: Job(_lint(setup, folder))}
    if with_peers:
        _peer(setup, YAMLLINT, jobs, ["-d", "relaxed", folder])
        _peer(setup, CHECKOV, jobs, _checkov([folder]), env=CHECKOV_ENV)
    return Case(name, about, jobs)


FIX_DOCUMENTS = 400  # every tenth document carries a finding --fix fixes: 40


def fix_tree(setup: Setup) -> Case:
    pristine = os.path.join(setup.work, "fix-pristine")
    tree = os.path.join(setup.work, "fix-tree")
    stats = build_corpus(pristine, FIX_DOCUMENTS)

    def restore() -> None:
        shutil.rmtree(tree, ignore_errors=True)
        shutil.copytree(pristine, tree)

    restore()
    subprocess.run(_lint(setup, tree, fix=True), capture_output=True, check=False)
    changed = _changed_files(pristine, tree)
    jobs = {GPULINT: Job(_lint(setup, tree), prepare=restore),
            "gpulint --fix": Job(_lint(setup, tree, fix=True), prepare=restore)}
    return Case("fix tree", f"{stats['files']} files, {stats['documents']} documents; --fix changes {changed} files",
                jobs)


def _changed_files(a: str, b: str) -> int:
    cmp = filecmp.dircmp(a, b)
    count = len(cmp.left_only) + len(cmp.right_only)
    count += len(filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)[1])
    return count + sum(_changed_files(os.path.join(a, d), os.path.join(b, d)) for d in cmp.common_dirs)


#: every case, in the order the report shows them: a function of the Setup giving a Case, a list of
#: them, or None when its input is missing; its name for ``--cases``
CASES: dict[str, Callable[[Setup], "Case | list[Case] | None"]] = {
    "small": small_file, "small-cfn": small_cloudformation, "corpus": shared_corpus,
    "corpus-cfn": corpus_cloudformation, "documents": documents, "fix": fix_tree,
}


@dataclass
class Ratio:
    label: str
    over: str  # "case: tool"
    under: str
    target: Optional[float]  # None: a reference figure
    cpu: bool = False


def ratios(sizes: list[int]) -> list[Ratio]:
    """The targets (on wall time) and reference figures; ``mid`` is 10,000 documents when measured."""
    mid = f"{10_000 if 10_000 in sizes else min(sizes):,} documents"
    big = f"{max(sizes):,} documents"
    out = [
        Ratio("shared corpus, one process / parse floor", f"shared corpus: {GPULINT_ONE}", f"shared corpus: {FLOOR_TOOL}",
              2.0),
        Ratio(f"{mid}, one process / parse floor", f"{mid}: {GPULINT_ONE}", f"{mid}: {FLOOR_TOOL}", 1.5),
        Ratio(f"{mid}, default / parse floor (one process)", f"{mid}: {GPULINT}", f"{mid}: {FLOOR_TOOL}", 1.0),
        Ratio("fix tree: gpulint --fix / gpulint", "fix tree: gpulint --fix", f"fix tree: {GPULINT}", 1.5),
        Ratio("small file: gpulint / yamllint -d relaxed", f"small file: {GPULINT}", f"small file: {YAMLLINT}", 2.0),
        Ratio("small CloudFormation file: gpulint / cfn-lint", f"small CloudFormation file: {GPULINT}",
              f"small CloudFormation file: {CFN_LINT}", 0.1),
        Ratio("small file: gpulint / checkov", f"small file: {GPULINT}", f"small file: {CHECKOV}", 0.05),
    ]
    if big != mid:
        out.append(Ratio(f"{big} / {mid}, one process", f"{big}: {GPULINT_ONE}", f"{mid}: {GPULINT_ONE}", 5.5))
    out += [
        Ratio(f"{big}, default / one process", f"{big}: {GPULINT}", f"{big}: {GPULINT_ONE}", None),
        Ratio("CPU: shared corpus, one process / parse floor", f"shared corpus: {GPULINT_ONE}",
              f"shared corpus: {FLOOR_TOOL}", None, cpu=True),
        Ratio(f"CPU: {mid}, one process / parse floor", f"{mid}: {GPULINT_ONE}", f"{mid}: {FLOOR_TOOL}", None, cpu=True),
        Ratio("CPU: fix tree: gpulint --fix / gpulint", "fix tree: gpulint --fix", f"fix tree: {GPULINT}", None,
              cpu=True),
        Ratio("shared corpus: gpulint / yamllint -d relaxed", f"shared corpus: {GPULINT}", f"shared corpus: {YAMLLINT}",
              None),
        Ratio("shared corpus: gpulint / checkov", f"shared corpus: {GPULINT}", f"shared corpus: {CHECKOV}", None),
        Ratio("corpus CloudFormation: gpulint / cfn-lint", f"corpus CloudFormation: {GPULINT}",
              f"corpus CloudFormation: {CFN_LINT}", None),
        Ratio(f"{mid}: gpulint / yamllint -d relaxed", f"{mid}: {GPULINT}", f"{mid}: {YAMLLINT}", None),
        Ratio(f"{mid}: gpulint / checkov", f"{mid}: {GPULINT}", f"{mid}: {CHECKOV}", None),
    ]
    return out


def memory(sizes: list[int]) -> list[tuple[str, str, Optional[float]]]:
    """(label, measured row, limit in MB or None): the largest peak RSS of the runs of a row."""
    big = f"{max(sizes):,} documents"
    return [(f"peak RSS, {big}, default (MB)", f"{big}: {GPULINT}", 600.0),
            (f"peak RSS, {big}, one process (MB)", f"{big}: {GPULINT_ONE}", None)]
