"""Bad input never produces a traceback: it becomes a diagnostic and the run goes on.

Each fixture in ``tests/fixtures/bad/`` is linted through the command line
(``gpulint.cli.main``) and the exact diagnostics (rule, line, column) are
asserted, along with the absence of a traceback on either stream. Inputs that
could crash or exhaust the interpreter (100k-deep nesting, alias bombs) run in a
subprocess, so a crash fails the test instead of killing pytest.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap

import pytest
from helpers import run_cli

from gpulint import cli
from gpulint import load as loader
from gpulint.config import Config
from gpulint.engine.run import lint_paths

HERE = os.path.dirname(os.path.abspath(__file__))
BAD = os.path.join(HERE, "fixtures", "bad")


def bad(name: str) -> str:
    return os.path.join(BAD, name)


def lint(*paths: str, extra: tuple[str, ...] = ()) -> tuple[int, list[dict], str]:
    """Run the CLI with JSON output; (exit status, diagnostics, stderr). Fails on a traceback."""
    status, out, err = run_cli(["--format", "json", *extra, *paths])
    return status, json.loads(out), err


def triples(diags: list[dict]) -> list[tuple[str, int, int]]:
    return [(d["rule"], d["line"], d["column"]) for d in diags]


def only(path: str) -> dict:
    """The single diagnostic for ``path``."""
    status, diags, _ = lint(path)
    assert len(diags) == 1, diags
    assert status == 1
    return diags[0]


# --------------------------------------------------------------------------- encodings


def test_malformed_yaml_is_a_parse_error_at_the_problem() -> None:
    d = only(bad("malformed.yaml"))
    assert (d["rule"], d["code"], d["severity"]) == ("parse-error", "GL001", "error")
    # the flow sequence opened on line 6 is still open at the end of the file
    assert (d["line"], d["column"]) == (7, 1)
    assert d["message"].startswith("invalid YAML: did not find expected ',' or ']'")


def test_binary_file() -> None:
    d = only(bad("binary.yaml"))
    assert triples([d]) == [("parse-error", 1, 1)]
    assert "binary file" in d["message"]


def test_latin1_file_points_at_the_first_bad_byte() -> None:
    d = only(bad("latin1.yaml"))
    # "  name: caf\xe9": the byte 0xe9 is column 12 of line 4
    assert triples([d]) == [("parse-error", 4, 12)]
    assert "not valid UTF-8 (byte 0xe9" in d["message"]


@pytest.mark.parametrize("name", ["utf16.yaml", "utf16-nobom.yaml"])
def test_utf16_file(name: str) -> None:
    d = only(bad(name))
    assert triples([d]) == [("parse-error", 1, 1)]
    assert d["message"] == "file is UTF-16 encoded; expected UTF-8"


@pytest.mark.parametrize("name", ["bom.yaml", "crlf.yaml"])
def test_bom_and_crlf_keep_positions(name: str) -> None:
    # the byte-order mark is not a column; CRLF ends lines like LF
    d = only(bad(name))
    assert triples([d]) == [("gpu-request-limit-mismatch", 11, 27)]


def test_bom_json() -> None:
    source = loader.load("x.json", b'\xef\xbb\xbf{"a": 1}')
    assert source.error is None and source.documents[0].data == {"a": 1}


# --------------------------------------------------------------------------- empty files


@pytest.mark.parametrize("name", ["empty.yaml", "whitespace.yaml", "comments.yaml", "empty.json"])
def test_empty_files_are_not_errors(name: str) -> None:
    status, diags, _ = lint(bad(name))
    assert (status, diags) == (0, [])


def test_whitespace_only_loads_no_documents() -> None:
    source = loader.load("w.yaml", b"  \n\t\n \t \n")
    assert source.error is None and source.documents == []


# --------------------------------------------------------------------------- strict JSON


def test_json_trailing_comma_points_at_the_comma() -> None:
    d = only(bad("trailing-comma.json"))
    assert triples([d]) == [("parse-error", 5, 13)]
    assert d["message"] == "invalid JSON: trailing comma before '}' is not allowed in JSON"


def test_json_comment() -> None:
    d = only(bad("comment.json"))
    assert triples([d]) == [("parse-error", 3, 3)]
    assert d["message"] == "invalid JSON: comments are not allowed in JSON"


def test_json_nan_points_at_the_bare_constant_not_the_string() -> None:
    d = only(bad("nan.json"))
    assert triples([d]) == [("parse-error", 4, 56)]
    assert d["message"].startswith("invalid JSON: NaN is not a JSON value")


@pytest.mark.parametrize(
    "text, line, column, message",
    [
        ("[1, 2,]", 1, 6, "trailing comma before ']'"),
        ('{"a": -Infinity}', 1, 7, "-Infinity is not a JSON value"),
        ('{"a": Infinity}', 1, 7, "Infinity is not a JSON value"),
        ('{"a": 1}\n{"b": 2}', 2, 1, "extra data after the JSON value"),
        ("/* c */ {}", 1, 1, "comments are not allowed"),
        ("{'a': 1}", 1, 2, "Expecting property name enclosed in double quotes"),
    ],
)
def test_strict_json(text: str, line: int, column: int, message: str) -> None:
    source = loader.load("x.json", text.encode())
    assert source.error is not None and source.documents == []
    assert (source.error.line, source.error.column) == (line, column)
    assert message in source.error.message


def test_json_extension_is_strict_but_yaml_extension_is_not() -> None:
    # the same text is valid YAML (a flow mapping with a trailing comma)
    assert loader.load("x.yaml", b'{"a": 1,}').error is None
    assert loader.load("x.json", b'{"a": 1,}').error is not None


# --------------------------------------------------------------------------- duplicate keys


def test_duplicate_keys_yaml_flag_the_second_key() -> None:
    status, diags, _ = lint(bad("duplicate-keys.yaml"))
    assert triples(diags) == [("schema-violation", 7, 5), ("schema-violation", 12, 1)]
    assert diags[0]["message"] == (
        "duplicate key 'app' (first on line 6); Kubernetes and the AWS tools keep only the last value"
    )
    assert "'metadata' (first on line 3)" in diags[1]["message"]


def test_duplicate_keys_json_flag_the_second_key_in_the_right_object() -> None:
    status, diags, _ = lint(bad("duplicate-keys.json"))
    assert triples(diags) == [("schema-violation", 7, 41), ("schema-violation", 10, 3)]
    assert "'name' (first on line 7)" in diags[0]["message"]
    assert "'metadata' (first on line 4)" in diags[1]["message"]


def test_json_duplicate_position_is_not_fooled_by_the_same_key_elsewhere() -> None:
    text = '{\n "a": {"k": 1, "k": 2},\n "b": {"k": 3}\n}'
    source = loader.load("x.json", text.encode())
    assert [(d.key, d.line, d.column, d.first_line) for d in source.duplicates] == [("k", 2, 16, 2)]


# --------------------------------------------------------------------------- wrong shapes


def test_wrong_types_point_at_the_offending_node() -> None:
    status, diags, _ = lint(bad("wrong-types.yaml"))
    assert triples(diags) == [
        ("schema-violation", 9, 19),
        ("schema-violation", 20, 17),
        ("schema-violation", 31, 24),
        ("schema-violation", 35, 11),
    ]
    messages = [d["message"] for d in diags]
    assert messages == [
        "'spec.template.spec.containers': expected a list, found 'not-a-list'",
        "'spec.containers[0].resources.limits': expected a mapping, found a list",
        "'spec.containers[0].livenessProbe.periodSeconds': expected an integer, found 'ten'",
        "'metadata': expected a mapping, found a list",
    ]


# --------------------------------------------------------------------------- tags


def test_cloudformation_tags_are_inert_values() -> None:
    status, diags, _ = lint(bad("cloudformation.yaml"))
    assert (status, diags) == (0, [])
    source = loader.load("cfn.yaml", open(bad("cloudformation.yaml"), "rb").read())
    assert source.error is None
    cfn = source.documents[0].data
    props = cfn["Resources"]["Artifacts"]["Properties"]
    assert props["BucketName"] == loader.Tagged("!Sub", "${AWS::StackName}-artifacts")
    rule = props["ReplicationConfiguration"]["Rules"][0]
    assert rule["Destination"]["Bucket"] == loader.Tagged("!GetAtt", "Replica.Arn")
    assert rule["Priority"] == loader.Tagged("!Ref", "Copies")
    # a tagged sequence is loaded as the plain list it wraps
    assert rule["Status"] == ["Versioned", "Enabled", "Disabled"]
    assert cfn["Conditions"]["Versioned"] == [loader.Tagged("!Ref", "Versioning"), "true"]
    assert props["Tags"][2] == loader.Tagged("!Ref", "AWS::NoValue")
    pod = source.documents[1].data
    assert pod["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == loader.Tagged("!Ref", "GpuCount")


def test_python_tags_never_construct_objects(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    raw = open(bad("python-tags.yaml"), "rb").read()
    source = loader.load("python-tags.yaml", raw)
    assert source.error is None
    data = source.documents[0].data
    assert not (tmp_path / "MARKER").exists()  # os.system was not called
    assert data["name"] == loader.Tagged("tag:yaml.org,2002:python/name:os.system", "")
    assert data["call"] == ["echo constructed > MARKER"]
    assert data["obj"] == {"a": 1} and type(data["obj"]) is dict
    assert data["new"] == {}
    assert isinstance(data["mod"], loader.Tagged)
    assert data["tuple"] == [1, 2]

    def plain(value: object) -> bool:
        if isinstance(value, dict):
            return all(plain(k) and plain(v) for k, v in value.items())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return value is None or isinstance(value, (str, int, float, bool, loader.Tagged))

    assert plain(data)
    status, diags, _ = lint(bad("python-tags.yaml"))
    assert (status, diags) == (0, [])
    assert not (tmp_path / "MARKER").exists()


# --------------------------------------------------------------------------- aliases


def test_merge_keys_are_followed_and_positions_point_at_the_merged_value() -> None:
    status, diags, _ = lint(bad("merge-keys.yaml"))
    # both containers get their resources from the &gpu anchor (line 10); the
    # container that overrides resources explicitly is clean
    assert triples(diags) == [("gpu-request-limit-mismatch", 10, 34)] * 2
    assert ["'server'" in diags[0]["message"] or "'server'" in diags[1]["message"]]
    assert sorted(d["message"].split("'")[1] for d in diags) == ["server", "sidecar"]


def test_merge_key_precedence() -> None:
    text = b"a: &a {x: 1, y: 1}\nb: &b {x: 2, z: 2}\nc:\n  <<: [*a, *b]\n  y: 3\n"
    data = loader.load("m.yaml", text).documents[0].data
    assert data["c"] == {"y": 3, "x": 1, "z": 2}


def test_recursive_alias() -> None:
    d = only(bad("recursive-alias.yaml"))
    assert triples([d]) == [("parse-error", 4, 7)]
    assert "recursive YAML alias" in d["message"]


def test_shared_aliases_within_limits_load() -> None:
    big = "[" + ", ".join(str(i) for i in range(100)) + "]"
    text = f"a: &a {big}\n" + "".join(f"k{i}: *a\n" for i in range(50))
    source = loader.load("ok.yaml", text.encode())
    assert source.error is None
    data = source.documents[0].data
    assert data["k49"] == list(range(100))


def test_many_aliases_of_a_big_anchor_are_refused() -> None:
    big = "[" + ", ".join(str(i) for i in range(1000)) + "]"
    text = f"a: &a {big}\n" + "".join(f"k{i}: *a\n" for i in range(200))
    source = loader.load("quadratic.yaml", text.encode())
    assert source.error is not None and source.documents == []
    assert "refusing to expand it" in source.error.message


_DRIVER = textwrap.dedent(
    """
    import json, resource, sys, time, tracemalloc
    # a safety net: a real expansion would hit this and fail, not swap the machine
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    from gpulint.engine.run import lint_paths
    lint_paths(["-"], stdin_data=b"{apiVersion: v1, kind: Pod}")  # warm up: import the rules
    tracemalloc.start()
    start = time.perf_counter()
    result = lint_paths([sys.argv[1]])
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    print(json.dumps({"elapsed": elapsed, "peak": peak,
                      "diags": [[d.rule, d.line, d.column, d.message] for d in result.diagnostics]}))
    """
)


def _run_driver(path: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", _DRIVER, path], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"status {proc.returncode}: {proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.skipif(sys.platform == "win32", reason="resource limits are POSIX")
def test_billion_laughs_is_refused_quickly_with_bounded_memory() -> None:
    out = _run_driver(bad("alias-bomb.yaml"))
    assert [d[:3] for d in out["diags"]] == [["parse-error", 1, 1]]
    assert "refusing to expand it" in out["diags"][0][3]
    # generous bounds: the refusal takes about a millisecond and a few hundred kB
    assert out["elapsed"] < 1.0
    assert out["peak"] < 64 * 1024 * 1024


# --------------------------------------------------------------------------- nesting


@pytest.mark.skipif(sys.platform == "win32", reason="resource limits are POSIX")
@pytest.mark.parametrize(
    "name, text, column",
    [
        ("flow.yaml", "[" * 100_000 + "]" * 100_000 + "\n", 1001),
        ("flow-mapping.yaml", "{a: " * 100_000 + "1" + "}" * 100_000 + "\n", 801),
        ("block.yaml", "- " * 100_000 + "x\n", 401),
        ("deep.json", "[" * 100_000 + "]" * 100_000, 201),
    ],
    ids=["flow-sequence", "flow-mapping", "block-sequence", "json"],
)
def test_100k_deep_nesting_is_refused_without_crashing(tmp_path, name: str, text: str, column: int) -> None:
    # libyaml's composer recurses per level and segfaults around 50k levels of
    # flow nesting; the loader refuses before handing such text to it
    path = tmp_path / name
    path.write_text(text)
    out = _run_driver(str(path))
    # the collection that opens level 201; for 100k "[" in a row, where libyaml's own
    # bound (1,000 levels) stops its look-ahead before it yields the first collection
    assert [d[:3] for d in out["diags"]] == [["parse-error", 1, column]]
    assert out["diags"][0][3] == "nesting deeper than 200 levels"


def test_deep_block_nesting_by_indentation_reports_the_line() -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(300))
    source = loader.load("deep.yaml", text.encode())
    assert source.error is not None
    assert (source.error.message, source.error.line) == ("nesting deeper than 200 levels", 201)


def test_long_runs_of_dashes_and_spaces_in_text_are_not_nesting() -> None:
    # a banner line or a deeply indented line inside a block scalar is text
    banner = b"apiVersion: v1\nkind: ConfigMap\ndata:\n  motd: |\n    " + b"-" * 600 + b"\n    " + b" " * 600 + b"hi\n"
    source = loader.load("banner.yaml", banner)
    assert source.error is None
    assert source.documents[0].data["data"]["motd"].startswith("-" * 600 + "\n")
    # 201 block sequences opened on one line are nesting
    source = loader.load("dashes.yaml", b"k:\n  " + b"- " * 201 + b"x\n")
    assert source.error is not None and (source.error.line, source.error.message) == (
        2, "nesting deeper than 200 levels")


def test_deep_nesting_with_narrow_indentation_is_caught_while_building() -> None:
    text = "".join(" " * i + f"k{i}:\n" for i in range(300))
    source = loader.load("deep.yaml", text.encode())
    assert source.error is not None and source.error.message == "nesting deeper than 200 levels"


def test_nesting_at_the_limit_loads() -> None:
    text = "[" * 150 + "]" * 150
    assert loader.load("ok.json", text.encode()).error is None
    assert loader.load("ok.yaml", text.encode()).error is None


# --------------------------------------------------------------------------- multi-document


def test_syntax_error_in_a_later_document_keeps_the_earlier_ones() -> None:
    status, diags, _ = lint(bad("multi-doc.yaml"))
    assert triples(diags) == [("gpu-request-limit-mismatch", 10, 36), ("parse-error", 16, 5)]
    assert diags[1]["message"].startswith("invalid YAML: did not find expected ',' or '}'")


def test_bad_shape_in_one_document_does_not_hide_the_others() -> None:
    status, diags, _ = lint(bad("multi-doc-shape.yaml"))
    assert triples(diags) == [("schema-violation", 6, 15), ("gpu-request-limit-mismatch", 17, 36)]


def test_all_bad_fixtures_in_one_run() -> None:
    # the run goes on past every bad file: each one still gets its diagnostics
    status, diags, err = lint(BAD)
    files = {os.path.basename(d["file"]) for d in diags}
    assert {"binary.yaml", "latin1.yaml", "alias-bomb.yaml", "malformed.yaml", "wrong-types.yaml",
            "bom.yaml", "multi-doc.yaml"} <= files
    assert not {"empty.yaml", "whitespace.yaml", "comments.yaml", "cloudformation.yaml"} & files
    assert not [d for d in diags if d["rule"] == "internal-error"]
    assert status == 1


# --------------------------------------------------------------------------- internal errors


GPU_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
    - name: server
      image: vllm/vllm-openai:v0.6.3
      resources:
        requests: {{nvidia.com/gpu: 1}}
        limits: {{nvidia.com/gpu: 2}}
"""


def test_a_crashing_rule_becomes_an_internal_error_and_the_run_goes_on(tmp_path, monkeypatch) -> None:
    from gpulint.engine.rule import get_rule

    (tmp_path / "a.yaml").write_text(GPU_POD.format(name="boom"))
    (tmp_path / "b.yaml").write_text(GPU_POD.format(name="fine"))
    rule = get_rule("gpu-request-limit-mismatch")
    original = rule.check

    def check(self, obj, ctx):  # type: ignore[no-untyped-def]
        if obj.name == "boom":
            raise RuntimeError("kaboom")
        return original(self, obj, ctx)

    monkeypatch.setattr(rule, "check", check)
    monkeypatch.delenv("GPULINT_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)
    status, diags, err = lint("a.yaml", "b.yaml")
    assert triples(diags) == [("internal-error", 1, 1), ("gpu-request-limit-mismatch", 10, 36)]
    assert diags[0]["file"] == "a.yaml" and diags[1]["file"] == "b.yaml"
    assert diags[0]["code"] == "GL003"
    assert "RuntimeError: kaboom" in diags[0]["message"]
    assert diags[0]["message"].endswith("(rule gpu-request-limit-mismatch)")
    assert status == 1


def test_a_crashing_recogniser_becomes_an_internal_error(tmp_path, monkeypatch) -> None:
    import gpulint.engine.run as engine

    (tmp_path / "a.yaml").write_text(GPU_POD.format(name="boom"))
    (tmp_path / "b.yaml").write_text(GPU_POD.format(name="fine"))
    original = engine.recognise

    def recognise(source, doc):  # type: ignore[no-untyped-def]
        if source.name.endswith("a.yaml"):
            raise KeyError("missing")
        return original(source, doc)

    monkeypatch.setattr(engine, "recognise", recognise)
    monkeypatch.chdir(tmp_path)
    status, diags, err = lint("a.yaml", "b.yaml")
    assert triples(diags) == [("internal-error", 1, 1), ("gpu-request-limit-mismatch", 10, 36)]
    assert "KeyError" in diags[0]["message"]


def test_unreadable_and_missing_files(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dir.yaml").mkdir()  # a folder named like a file is walked, not read
    status, diags, err = lint("dir.yaml")
    assert (status, diags, err) == (0, [], "gpulint: dir.yaml: no YAML or JSON file to lint in this folder\n")
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["--format", "json", "missing.yaml", "dir.yaml"], stdout=out, stderr=err) == 2
    assert (out.getvalue(), err.getvalue()) == ("", "gpulint: missing.yaml: no such file or directory\n")


def test_file_larger_than_max_file_size_is_skipped_with_a_diagnostic(tmp_path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: 1\n" * 100)
    result = lint_paths([str(path)], Config(max_file_size=100))
    assert [(d.rule, d.line) for d in result.diagnostics] == [("parse-error", 1)]
    assert "larger than max-file-size (100)" in result.diagnostics[0].message


def test_loader_never_raises_on_garbage() -> None:
    samples = [b"\xff", b"\x00", b"\xfe\xff\x00a", b"- [", b"{", b"]", b"&a *a", b"!!binary ===",
               b"? - [\n", b"%YAML 9.9\n---\na: 1", b"\t- a", b"'unterminated", b"a: *undefined"]
    for raw in samples:
        for name in ("x.yaml", "x.json"):
            source = loader.load(name, raw)
            assert source.error is None or source.error.line >= 1


def test_a_crashing_loader_becomes_an_internal_error(tmp_path, monkeypatch) -> None:
    import gpulint.engine.inputs as inputs

    (tmp_path / "a.yaml").write_text(GPU_POD.format(name="boom"))
    (tmp_path / "b.yaml").write_text(GPU_POD.format(name="fine"))
    original = inputs.loader.load

    def load(name, raw, kind=None):  # type: ignore[no-untyped-def]
        if name.endswith("a.yaml"):
            raise MemoryError("simulated")
        return original(name, raw, kind)

    monkeypatch.setattr(inputs.loader, "load", load)
    monkeypatch.chdir(tmp_path)
    status, diags, err = lint("a.yaml", "b.yaml")
    assert triples(diags) == [("internal-error", 1, 1), ("gpu-request-limit-mismatch", 10, 36)]
    assert "MemoryError: simulated" in diags[0]["message"]
    assert status == 1


def test_positions_in_a_repeated_key_point_at_the_value_that_was_loaded() -> None:
    # YAML and JSON both keep the last value of a repeated key; diagnostics point at it
    yaml_text = b"a:\n  x: 1\na:\n  x: 2\n"
    json_text = b'{\n  "a": {"x": 1},\n  "a": {"x": 2}\n}'
    for name, raw, line, column in (("d.yaml", yaml_text, 4, 6), ("d.json", json_text, 3, 14)):
        source = loader.load(name, raw)
        assert source.documents[0].data == {"a": {"x": 2}}
        span = source.locate(0, ("a", "x"))
        assert (span.line, span.column, span.exact) == (line, column, True), name
