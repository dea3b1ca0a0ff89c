"""The code reads as the pipeline it is: file -> load -> model -> rules (engine) -> diagnostics
-> reporters | fix, with cost reading the model. Each stage imports only the stages before
it, and every module and function stays small enough to read in one sitting."""

from __future__ import annotations

import ast
import glob
import os

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: what each stage may import from gpulint (besides itself); the command line may import anything
ALLOWED = {
    "load": {"diagnostics"},
    "model": {"diagnostics", "load", "schemas"},
    "rules": {"diagnostics", "engine.rule", "model"},
    "engine": {"config", "diagnostics", "load", "model", "rules", "cost.budget"},
    "fix": {"config", "diagnostics", "load", "engine"},
    "cost": {"commandline", "config", "diagnostics", "load", "model", "engine"},
    "reporters": {"diagnostics", "engine"},
}


def _modules() -> list[str]:
    files = glob.glob(os.path.join(REPO, "lint", "**", "*.py"), recursive=True)
    files += glob.glob(os.path.join(REPO, "rules", "**", "*.py"), recursive=True)
    return sorted(os.path.relpath(f, REPO) for f in files)


def _stage(path: str) -> str:
    parts = path.split(os.sep)
    return "rules" if parts[0] == "rules" else parts[1] if len(parts) > 2 else parts[1][:-3]


def _imports(path: str) -> set[str]:
    """Every gpulint module (or gpulint attribute) ``path`` imports, lazily or not."""
    with open(os.path.join(REPO, path), encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "gpulint":
                found |= {a.name for a in node.names}
            elif node.module.startswith("gpulint."):
                found.add(node.module[len("gpulint."):])
        elif isinstance(node, ast.Import):
            found |= {a.name[len("gpulint."):] for a in node.names if a.name.startswith("gpulint.")}
    return found


@pytest.mark.parametrize("path", _modules())
def test_each_stage_imports_only_the_stages_before_it(path: str) -> None:
    stage = _stage(path)
    if stage not in ALLOWED:
        return  # the command line and the package's own entry points
    allowed = ALLOWED[stage] | {stage, "__version__"}
    for module in _imports(path):
        assert any(module == a or module.startswith(a + ".") for a in allowed), (
            f"{path} ({stage}) imports gpulint.{module}"
        )


@pytest.mark.parametrize("path", _modules())
def test_modules_and_functions_stay_small(path: str) -> None:
    """No module over 500 lines, no function over 80."""
    with open(os.path.join(REPO, path), encoding="utf-8") as fh:
        text = fh.read()
    assert len(text.splitlines()) <= 500, path
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            assert node.end_lineno - node.lineno + 1 <= 80, f"{path}: {node.name}"


def test_the_readme_architecture_names_every_stage() -> None:
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as fh:
        readme = fh.read()
    section = readme[readme.index("## Architecture"):]
    section = section[:section.index("\n## ", 1)]
    lint = os.path.join(REPO, "lint")
    packages = [d for d in os.listdir(lint) if os.path.isfile(os.path.join(lint, d, "__init__.py"))]
    assert {"load", "model", "engine", "fix", "cost", "reporters"} <= set(packages)
    for name in packages:
        assert f"`lint/{name}/`" in section, name
    for name in os.listdir(lint):
        if name.endswith(".py") and not name.startswith("__"):
            assert f"`lint/{name}`" in section, name
    assert "`rules/<domain>/<rule_name>.py`" in section
