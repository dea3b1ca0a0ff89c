"""Files built to hang, exhaust or mislead the loader, as a pull request can commit them.

gpulint runs in CI on files the change under review controls. Each input that
could hang or grow without bound runs in a separate process with a time limit
and an address-space cap (``RLIMIT_AS``), and must end in exactly the
diagnostics asserted here; the others run in-process. What each one did before
it was fixed is said beside it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import run_cli

from gpulint import load as loader
from gpulint.model.core import parse_count

#: a run that takes longer has hung (a refusal takes well under a second)
SECONDS = 5
#: address space for the whole run: the interpreter and its imports need about 300 MB
CAP = 512 << 20

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="resource limits are POSIX")


def _cap() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))


def capped(tmp_path, name: str, text: str) -> tuple[int, list[tuple[str, int, int, str]]]:
    """gpulint on one file in a separate process, time- and memory-capped:
    (exit status, [(rule, line, column, message)])."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "gpulint", "--format", "json", name], cwd=tmp_path,
                          capture_output=True, text=True, timeout=SECONDS, preexec_fn=_cap)
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    return proc.returncode, [(d["rule"], d["line"], d["column"], d["message"]) for d in json.loads(proc.stdout)]


def lint(tmp_path, name: str, text: str) -> tuple[int, list[tuple[str, int, int]]]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    status, out, _ = run_cli(["--format", "json", name], cwd=str(tmp_path))
    return status, [(d["rule"], d["line"], d["column"]) for d in json.loads(out)]


def gpu_pod(gpus: str, extra: str = "") -> str:
    """A Pod whose GPU limit (line 11) is ``gpus``; ``extra`` lines go before ``spec``."""
    return (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n" + extra + "spec:\n  containers:\n"
        "    - name: c\n      image: vllm/vllm-openai:v0.6.3\n      resources:\n"
        f"        limits:\n          nvidia.com/gpu: {gpus}\n"
    )


GPU_LINE = 11  # of gpu_pod() without extra lines


# --------------------------------------------------------------------------- aliases


def _key_bomb() -> str:
    # 10**8 nodes once expanded; the key was serialised to compare it (2.7 GB, no end)
    lines = ["a1: &a1 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(2, 9)]
    return "\n".join(lines) + "\n? *a8\n: v\n"


@posix_only
def test_an_alias_bomb_as_a_mapping_key_is_refused_before_it_is_read(tmp_path) -> None:
    text = _key_bomb()
    assert len(text) < 600
    status, diags = capped(tmp_path, "bomb.yaml", text)
    assert status == 1
    assert diags == [("parse-error", 1, 1, "YAML aliases expand this document to 234567909 nodes (more than "
                      "100000 beyond the 28 written); refusing to expand it")]


def test_a_mapping_or_list_as_a_key_is_reported_as_unsupported(tmp_path) -> None:
    for text, line, column in [("? [a, b]\n: 1\n", 1, 3), ("a: &a {k: 1}\n? *a\n: v\n", 1, 4),
                               ("x: {[1]: 2}\n", 1, 5)]:
        source = loader.load("key.yaml", text.encode())
        assert source.error is not None and source.documents == []
        assert (source.error.message, source.error.line, source.error.column) == (
            "a mapping or a list as a mapping key is not supported", line, column)


@posix_only
def test_merge_keys_cannot_copy_more_than_the_expansion_allows(tmp_path) -> None:
    # 20,000 mappings merging one of 20,000 keys: 4e8 copies (minutes) before the refusal
    n = 20_000
    text = ("base: &b {" + ", ".join(f"k{i}: 0" for i in range(n)) + "}\n"
            + "".join(f"m{i}: {{<<: *b}}\n" for i in range(n)))
    status, diags = capped(tmp_path, "merges.yaml", text)
    assert status == 1
    assert [d[:3] for d in diags] == [("parse-error", 1, 1)]
    assert diags[0][3].endswith("refusing to expand it")


def test_aliases_cannot_nest_a_document_deeper_than_the_limit() -> None:
    # three anchors of 99 levels, each inside the next, in a mapping: 298 levels, 2 aliases
    text = "a1: &a1 " + "[" * 99 + "x" + "]" * 99 + "\n"
    text += "a2: &a2 " + "[" * 99 + "*a1" + "]" * 99 + "\n"
    text += "a3: " + "[" * 99 + "*a2" + "]" * 99 + "\n"
    source = loader.load("deep-aliases.yaml", text.encode())
    assert source.error is not None and source.documents == []
    # level 201 is a1's second "[", reached through a3 and a2
    assert (source.error.message, source.error.line, source.error.column) == (
        "nesting deeper than 200 levels", 1, 10)
    # two of them: 199 levels
    ok = loader.load("ok.yaml", "\n".join(text.splitlines()[:2]).encode())
    assert ok.error is None


def test_merged_entries_sit_at_the_level_of_the_mapping_that_merges_them() -> None:
    # a chain of 214 merges is two levels of data; nesting the merged mapping as well is 300
    chain = "b0: &b0 {x: 1}\n" + "".join(f"b{i}: &b{i} {{<<: *b{i - 1}, y{i}: 2}}\n" for i in range(1, 215))
    source = loader.load("chain.yaml", chain.encode())
    assert source.error is None and len(source.documents[0].data["b214"]) == 215
    nested = "b0: &b0 {x: 1}\n" + "".join(f"b{i}: &b{i} {{<<: *b{i - 1}, n: *b{i - 1}}}\n" for i in range(1, 300))
    error = loader.load("nested.yaml", nested.encode()).error
    assert error is not None and (error.message, error.line, error.column) == ("nesting deeper than 200 levels", 101, 7)


# --------------------------------------------------------------------------- nesting


def test_the_same_collection_is_named_whether_or_not_the_text_may_hold_aliases() -> None:
    deep = "".join("  " * i + f"k{i}:\n" for i in range(300))
    for head in ("", "# *a &b\n"):  # with both, the document is measured before it is built
        error = loader.load("deep.yaml", (head + deep).encode()).error
        assert error is not None and (error.line - head.count("\n"), error.column) == (201, 401)


def test_brackets_in_comments_and_strings_are_not_nesting(tmp_path) -> None:
    # each was a parse error ("nesting deeper than 200 levels") that hid the finding
    comment = "# " + "{" * 201 + "\n"
    assert lint(tmp_path, "comment.yaml", comment + gpu_pod('"0.5"')) == (1, [("gpu-quantity-invalid", 12, 27)])
    annotation = "  annotations:\n    note: '" + "[" * 201 + "'\n"
    assert lint(tmp_path, "string.yaml", gpu_pod('"0.5"', annotation)) == (1, [("gpu-quantity-invalid", 13, 27)])
    block = "  annotations:\n    banner: |\n      " + "- " * 201 + "\n"
    assert lint(tmp_path, "block.yaml", gpu_pod('"0.5"', block)) == (1, [("gpu-quantity-invalid", 14, 27)])
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {"n": "{" * 201}},
           "spec": {"containers": [{"name": "c", "image": "vllm/vllm-openai:v0.6.3",
                                    "resources": {"limits": {"nvidia.com/gpu": "0.5"}}}]}}
    assert lint(tmp_path, "pod.json", json.dumps(pod, indent=1)) == (1, [("gpu-quantity-invalid", 17, 25)])


@posix_only
def test_closing_brackets_in_strings_do_not_hide_real_nesting(tmp_path) -> None:
    # a "]" in a string beside every "[" kept a count of characters at depth 1
    status, diags = capped(tmp_path, "hidden.yaml", '[ "]", ' * 100_000 + "\n")
    assert (status, diags) == (1, [("parse-error", 1, 1401, "nesting deeper than 200 levels")])
    status, diags = capped(tmp_path, "hidden.json", '[ "]", ' * 100_000)
    assert (status, diags) == (1, [("parse-error", 1, 1401, "nesting deeper than 200 levels")])


def test_json_nested_to_the_limit_with_brackets_in_strings_loads() -> None:
    text = '["[[[[", ' * 200 + "1" + "]" * 200
    source = loader.load("ok.json", text.encode())
    assert source.error is None
    source = loader.load("deep.json", ('["{", ' * 201 + "1" + "]" * 201).encode())
    assert source.error is not None and (source.error.message, source.error.line, source.error.column) == (
        "nesting deeper than 200 levels", 1, 1201)


# --------------------------------------------------------------------------- JSON positions


@posix_only
def test_findings_in_a_big_json_list_are_placed_without_rescanning_the_file(tmp_path) -> None:
    # each position was found by rescanning the text character by character in Python
    # from the top: 76 s for 500 findings in 1.3 MB, minutes for this one
    def pod(i: int) -> dict:
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{i}"},
                "spec": {"containers": [{"name": "c", "image": "vllm/vllm-openai:v0.6.3",
                                         "env": [{"name": f"E{j}", "value": "x" * 50} for j in range(20)],
                                         "resources": {"limits": {"nvidia.com/gpu": "0.5"}}}]}}
    text = json.dumps({"apiVersion": "v1", "kind": "List", "items": [pod(i) for i in range(1000)]}, indent=1)
    places = [(n, line.index('"0.5"') + 1) for n, line in enumerate(text.splitlines(), 1)
              if '"nvidia.com/gpu": "0.5"' in line]
    status, diags = capped(tmp_path, "list.json", text)
    assert status == 1
    assert [d[:3] for d in diags] == [("gpu-quantity-invalid", n, col) for n, col in places]
    assert len(places) == 1000 and places[0] == (100, 27)


@posix_only
def test_many_repeated_keys_in_json_are_found_in_one_pass(tmp_path) -> None:
    # each key's line was counted from the top of the file: minutes for 300,000 keys
    status, diags = capped(tmp_path, "keys.json", "{" + ", ".join(['"a": 1'] * 300_000) + "}")
    assert (status, diags) == (0, [])
    source = loader.load("keys.json", ('{"a": {"b": 1,\n "b": 2, "c": [{"b": 3, "b": 4}]}, "a": 5}').encode())
    assert [(d.key, d.line, d.column, d.first_line) for d in source.duplicates] == [
        ("b", 2, 2, 1), ("b", 2, 25, 2), ("a", 2, 36, 1)]


# --------------------------------------------------------------------------- keys


@pytest.mark.parametrize(
    "text, data",
    [
        ("{1: a, true: b}", {1: "a", loader.Tagged("tag:yaml.org,2002:bool", "true"): "b"}),
        ("{1: a, 1.0: b}", {1: "a", loader.Tagged("tag:yaml.org,2002:float", "1.0"): "b"}),
        ("{0: a, false: b, 0.0: c}", {0: "a", loader.Tagged("tag:yaml.org,2002:bool", "false"): "b",
                                      loader.Tagged("tag:yaml.org,2002:float", "0.0"): "c"}),
        ("{.nan: a, nan: b}", None),
        ("{1: a, '1': b, null: c}", {1: "a", "1": "b", None: "c"}),
    ],
)
def test_keys_equal_in_python_but_of_different_types_are_not_duplicates(text: str, data: dict) -> None:
    source = loader.load("keys.yaml", text.encode())
    assert source.error is None and source.duplicates == []
    if data is not None:
        assert source.documents[0].data == data
    else:
        assert list(source.documents[0].data.values()) == ["a", "b"]


def test_repeated_keys_of_one_type_are_still_duplicates() -> None:
    text = "{1: a, true: b, 1: c, True: d, .NaN: e, .nan: f, 1.0: g, 1.00: h}"
    source = loader.load("keys.yaml", text.encode())
    columns = [text.index(k) + 1 for k in ("1: c", "True", ".nan", "1.00")]
    assert [(d.key, d.column) for d in source.duplicates] == list(zip(["1", "True", ".nan", "1.00"], columns))
    assert columns[0] == 17
    data = source.documents[0].data
    assert data[1] == "c" and data[loader.Tagged("tag:yaml.org,2002:bool", "true")] == "d"
    assert data[loader.Tagged("tag:yaml.org,2002:float", "1.0")] == "h"


def test_a_recognised_document_reports_only_real_duplicates(tmp_path) -> None:
    extra = "  annotations: {1: a, true: b, 1.0: c}\n  labels: {7: x, 7: y}\n"
    assert lint(tmp_path, "pod.yaml", gpu_pod("1", extra)) == (1, [("schema-violation", 6, 18)])


def test_a_long_repeated_key_is_named_shortened() -> None:
    key = "k" * 5000
    source = loader.load("keys.yaml", f"? {key}\n: 1\n? {key}\n: 2\n".encode())
    assert [d.key for d in source.duplicates] == ["k" * 57 + "..."]
    source = loader.load("keys.json", f'{{"{key}": 1, "{key}": 2}}'.encode())
    assert [d.key for d in source.duplicates] == ["k" * 57 + "..."]


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "value, count",
    [
        ("2", 2), (" 2 ", 2), ("０", None), ("２", None), ("٢", None), ("1٢", None), ("²", None),
        ("２k", None), ("1.５", None), ("1e٢", None),
        ("999999999999999999", 999999999999999999), ("1000000000000000000", None), ("9" * 4301, None),
        ("0" * 5000 + "1", 1), ("1E", None), ("1Ei", None), ("1P", 10**15), ("9" * 65 + "e-50", None),
        (999999999999999999, 999999999999999999), (10**18, None), (10**4000, None), (1e18, None), (1e17, 10**17),
        (None, None), (True, None),
    ],
)
def test_parse_count(value, count) -> None:
    assert parse_count(value) == count


@posix_only
@pytest.mark.parametrize(
    "name, text",
    [
        ("plain.yaml", gpu_pod("9" * 4301)),
        ("quoted.yaml", gpu_pod('"' + "9" * 4301 + '"')),
        ("nineteen.yaml", gpu_pod("1" * 19)),
        ("hex.yaml", gpu_pod("0x" + "f" * 5000)),
        ("sexagesimal.yaml", gpu_pod("1" + ":1" * 1_500_000)),
    ],
)
def test_huge_counts_are_invalid_quantities_not_internal_errors(tmp_path, name: str, text: str) -> None:
    # the 4,301-digit count was an internal error in three rules (Python's int string-conversion
    # limit); a sexagesimal integer of 1.5 million parts was multiplied out (minutes)
    status, diags = capped(tmp_path, name, text)
    assert status == 1
    assert [d[:3] for d in diags] == [("gpu-quantity-invalid", GPU_LINE, 27)]
    assert len(diags[0][3]) < 300


@posix_only
def test_a_huge_count_in_json_is_an_invalid_quantity(tmp_path) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "vllm/vllm-openai:v0.6.3",
                                    "resources": {"limits": {"nvidia.com/gpu": 0}}}]}}
    text = json.dumps(pod, indent=1).replace('"nvidia.com/gpu": 0', '"nvidia.com/gpu": ' + "9" * 4301)
    status, diags = capped(tmp_path, "pod.json", text)
    assert (status, [d[:3] for d in diags]) == (1, [("gpu-quantity-invalid", 14, 25)])
    assert "more than 18 digits" in diags[0][3]


def test_yaml_and_json_integers_too_long_to_print_stay_text() -> None:
    for name, text in [("a.yaml", "a: " + "9" * 1001), ("b.yaml", "a: 0x" + "f" * 999), ("c.json", '{"a": ' + "9" * 1001 + "}")]:
        source = loader.load(name, text.encode())
        assert source.error is None and isinstance(source.documents[0].data["a"], str)
    for name, text in [("a.yaml", "a: " + "9" * 1000), ("c.json", '{"a": ' + "9" * 1000 + "}")]:
        assert loader.load(name, text.encode()).documents[0].data["a"] == int("9" * 1000)


# --------------------------------------------------------------------------- messages


@pytest.mark.parametrize(
    "name, text, message, line, column",
    [
        ("a.yaml", "a: *SECRET\n", "invalid YAML: found undefined alias (hint: a value that starts with '*' is an "
                                    "alias of an anchor: put the value in quotes if it is text)", 1, 4),
        ("b.yaml", "a: &SECRET 1\nb: &SECRET 2\n", "invalid YAML: anchor defined twice (first on line 1)", 2, 4),
        ("c.yaml", "a: !SECRET!x 1\n", "invalid YAML: found undefined tag handle while parsing a node", 1, 4),
        ("d.yaml", 'a: "SECRET\\q"\n',
         "invalid YAML: found unknown escape character while parsing a quoted scalar", 1, 11),
        ("e.yaml", "a: SECRETé\x01\n",
         "invalid YAML: character U+0001 is not allowed (control characters are not allowed)", 1, 11),
        ("f.yaml", "%FOO SECRET\n---\na: 1\n",
         "invalid YAML: found unknown directive name while scanning a directive", 1, 5),
        ("g.json", '{"a": SECRET}', "invalid JSON: Expecting value", 1, 7),
        ("h.json", '{"a": "\x01SECRET"}', "invalid JSON: Invalid control character", 1, 8),
        ("i.json", '{"a": "SECRET', "invalid JSON: Unterminated string", 1, 7),
    ],
)
def test_load_errors_name_the_problem_and_its_place_never_the_text(name, text, message, line, column) -> None:
    error = loader.load(name, text.encode()).error
    assert error is not None and (error.message, error.line, error.column) == (message, line, column)
