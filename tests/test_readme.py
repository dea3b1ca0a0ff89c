"""The README's copy-paste snippets stay true: YAML parses, and commands use options that exist."""

from __future__ import annotations

import os
import re
import shlex

import pytest
import yaml

from gpulint.cli import build_parser

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

with open(os.path.join(REPO, "README.md"), encoding="utf-8") as _fh:
    README = _fh.read()

YAML_BLOCKS = re.findall(r"```yaml\n(.*?)```", README, re.S)
SHELL_BLOCKS = re.findall(r"```(?:sh|bash|yaml)\n(.*?)```", README, re.S)


def _options() -> set[str]:
    return {opt for action in build_parser()._actions for opt in action.option_strings}


def _lint_commands() -> list[str]:
    """Every `gpulint ...` lint invocation in the README's shell and CI snippets (not the subcommands)."""
    out = []
    for block in SHELL_BLOCKS:
        for line in block.splitlines():
            line = line.split(" #", 1)[0].strip().lstrip("- ").strip()
            for part in re.split(r"\|\s*|&&\s*", line):
                part = part.strip()
                if part.startswith("gpulint ") and not re.match(r"gpulint (cost|rules?)\b", part):
                    out.append(part)
    return out


def test_readme_has_the_integration_snippets():
    for needle in ["uses: gpulint/gpulint@", "codequality: gl-code-quality-report.json", "gpulint-fix", "repo: local",
                   "helm template", "kustomize build", "--write-baseline", "--baseline"]:
        assert needle in README, needle


@pytest.mark.parametrize("block", YAML_BLOCKS, ids=[b.splitlines()[0][:40] for b in YAML_BLOCKS])
def test_yaml_snippets_parse(block):
    yaml.safe_load(block)


def test_lint_commands_use_existing_options():
    options = _options()
    commands = _lint_commands()
    assert len(commands) >= 10
    for command in commands:
        for token in shlex.split(command.replace("<(", "(")):
            if token.startswith("--"):
                assert token.split("=", 1)[0] in options, f"README uses unknown option {token}: {command}"


def test_documented_hooks_exist():
    with open(os.path.join(REPO, ".pre-commit-hooks.yaml"), encoding="utf-8") as fh:
        hooks = {h["id"] for h in yaml.safe_load(fh)}
    for hook_id in re.findall(r"- id: ([\w-]+)", README):
        assert hook_id in hooks, hook_id


def test_documented_action_inputs_exist():
    with open(os.path.join(REPO, "action.yml"), encoding="utf-8") as fh:
        inputs = set(yaml.safe_load(fh)["inputs"])
    block = next(b for b in YAML_BLOCKS if "uses: gpulint/gpulint@" in b)
    step = next(s for s in yaml.safe_load(block)["jobs"]["gpulint"]["steps"] if "gpulint/gpulint@" in s.get("uses", ""))
    assert set(step["with"]) <= inputs


def _shipped_hook() -> dict:
    with open(os.path.join(REPO, ".pre-commit-hooks.yaml"), encoding="utf-8") as fh:
        return next(h for h in yaml.safe_load(fh) if h["id"] == "gpulint")


def precommit_blocks() -> list[str]:
    return [b for b in YAML_BLOCKS if re.search(r"^\s*repos:", b, re.M)]


def test_documented_local_hooks_run_the_shipped_hook():
    """The README's local hooks run gpulint as the shipped hook does (entry, filters, one process)."""
    shipped = _shipped_hook()
    blocks = precommit_blocks()
    assert len(blocks) >= 3
    for block in blocks:
        (repo,) = yaml.safe_load(block)["repos"]
        assert repo["repo"] == "local" and "rev" not in repo
        (hook,) = repo["hooks"]
        assert hook["language"] == "system"
        for key in ("id", "entry", "files", "types_or", "require_serial"):
            assert hook[key] == shipped[key], (key, block)


def test_the_documented_action_ref_exists():
    """`uses: gpulint/gpulint@REF` names a branch or tag of this repository, not one to come."""
    import subprocess

    refs = set(re.findall(r"uses: gpulint/gpulint@([\w./-]+)", README))
    assert refs
    for ref in refs:
        found = [
            subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{kind}/{ref}^{{commit}}"], cwd=REPO,
                           capture_output=True).returncode == 0
            for kind in ("refs/heads", "refs/tags", "refs/remotes/origin")
        ]
        if not os.path.exists(os.path.join(REPO, ".git")):
            pytest.skip("not a git checkout")
        assert any(found), f"README names gpulint/gpulint@{ref}, which is no branch or tag here"
