"""parse-error hints for the common YAML traps, only where the error's position shows the trap,
and never with the file's text in them."""

from __future__ import annotations

import json

import pytest
from helpers import run_cli

FLOW = ("a value that starts with '{' is a flow mapping, and so is a '{{ }}' template: put the value in quotes "
        "if it is text, or lint the rendered output")
ALIAS = "a value that starts with '*' is an alias of an anchor: put the value in quotes if it is text"
AT = "a plain value cannot start with '@', which YAML reserves: put the value in quotes"
TICK = "a plain value cannot start with a backtick, which YAML reserves: put the value in quotes"
TAB = "a tab in the indentation: YAML indents with spaces only"
TOKEN = "invalid YAML: found character that cannot start any token while scanning for the next token"


def parse_error(tmp_path, text: str) -> tuple[int, int, str]:
    (tmp_path / "f.yaml").write_text(text)
    status, out, err = run_cli(["--format", "json", str(tmp_path / "f.yaml")])
    assert status == 1, err
    [d] = json.loads(out)
    assert d["rule"] == "parse-error"
    return d["line"], d["column"], d["message"]


@pytest.mark.parametrize("text, expected", [
    ("metadata:\n  name: {{ .Values.name }}-svc\n", (2, 27, f"invalid YAML: did not find expected key while "
                                                         f"parsing a block mapping (hint: {FLOW})")),
    ("spec:\n  cmd: {run} --all\n", (2, 14, f"invalid YAML: did not find expected key while parsing a block "
                                           f"mapping (hint: {FLOW})")),
    ("limits: {nvidia.com/gpu: 1\nnext: 2\n", (2, 5, f"invalid YAML: did not find expected ',' or '}}' while "
                                                    f"parsing a flow mapping (hint: {FLOW})")),
    ("hosts:\n  - *.example.com\n", (2, 6, "invalid YAML: did not find expected alphabetic or numeric character "
                                          f"while scanning an alias (hint: {ALIAS})")),
    ("password: *secret\n", (1, 11, f"invalid YAML: found undefined alias (hint: {ALIAS})")),
    ("owner: @platform-team\n", (1, 8, f"{TOKEN} (hint: {AT})")),
    ("args:\n  - `date`\n", (2, 5, f"{TOKEN} (hint: {TICK})")),
    ("spec:\n\treplicas: 1\n", (2, 1, f"{TOKEN} (hint: {TAB})")),
    ("spec:\n  template:\n  \tspec: {}\n", (3, 3, f"{TOKEN} (hint: {TAB})")),
    ("a: 1\n\t\nb: 2\n", (2, 1, "invalid YAML: found a tab character that violates indentation while scanning "
                              f"a plain scalar (hint: {TAB})")),
    ("spec:\r\n\treplicas: 1\r\n", (2, 1, f"{TOKEN} (hint: {TAB})")),
])
def test_hint_for_each_trap(tmp_path, text: str, expected: tuple) -> None:
    assert parse_error(tmp_path, text) == expected


@pytest.mark.parametrize("text, expected", [
    # '%' cannot start a token either, but it is not one of the traps named
    ("a: %x\n", (1, 4, TOKEN)),
    # an '@' inside a value is fine; the error is elsewhere
    ("owner: team@example.com\nb: [\n", (3, 1, "invalid YAML: did not find expected node content while parsing "
                                               "a flow node")),
    # a mapping in a value, not a '{'
    ("a: b: c\n", (1, 5, "invalid YAML: mapping values are not allowed in this context")),
    # a flow mapping closed on another line than the error
    ("a: {x: 1}\nb: c: d\n", (2, 5, "invalid YAML: mapping values are not allowed in this context")),
    # a wrong indentation made of spaces
    ("a:\n  b: 1\n c: 2\n", (3, 2, "invalid YAML: did not find expected key while parsing a block mapping")),
])
def test_no_hint_where_the_position_shows_no_trap(tmp_path, text: str, expected: tuple) -> None:
    assert parse_error(tmp_path, text) == expected


@pytest.mark.parametrize("text", [
    "owner: '@platform-team'\n", "args:\n  - '`date`'\n", "hosts:\n  - '*.example.com'\n",
    "name: '{{ .Values.name }}-svc'\n", "a:\tb\n", "cmd: run `ls`\n",
])
def test_quoted_or_inner_characters_are_fine(tmp_path, text: str) -> None:
    (tmp_path / "f.yaml").write_text(text)
    assert run_cli([str(tmp_path / "f.yaml")])[0] == 0


def test_the_hint_never_repeats_the_file(tmp_path) -> None:
    line, column, message = parse_error(tmp_path, "token: @s3cr3t-value-xyz\n")
    assert "s3cr3t" not in message and message.endswith(f"(hint: {AT})")
