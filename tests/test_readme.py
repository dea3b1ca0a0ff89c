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
    for needle in ["uses: gpulint/gpulint@", "codequality: gl-code-quality-report.json", "id: gpulint-fix",
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
