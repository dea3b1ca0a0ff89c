"""Hostile input for the loaders, generated and mutated: never an exception, never a hang,
never an object built from a tag.

Hypothesis feeds ``gpulint.load`` random bytes, truncated and spliced real manifests, deep
nesting, huge scalars, anchors and aliases, Python and CloudFormation tags, duplicate keys,
other and mixed encodings, BOMs and CRLF. The whole command line is fuzzed in
tests/test_fuzz_cli.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
from datetime import timedelta
from typing import Any, Iterator

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpulint import load as loader
from gpulint.load import Tagged

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")

#: a file gets this long before the run counts as hung (generous: this is a hang guard, not a benchmark)
HANG_SECONDS = 10
DEADLINE = timedelta(seconds=5)


def _seeds() -> list[bytes]:
    out = []
    for root, _, files in os.walk(FIXTURES):
        for f in sorted(files):
            if f.endswith((".yaml", ".yml", ".json")):
                with open(os.path.join(root, f), "rb") as fh:
                    data = fh.read()
                if len(data) < 20_000:
                    out.append(data)
    return sorted(out)[:200] or [b"apiVersion: v1\nkind: Pod\n"]


SEEDS = _seeds()

GPU_POD = b"""\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: c
      image: vllm/vllm-openai:v0.6.3
      resources:
        requests: {nvidia.com/gpu: 1}
        limits: {nvidia.com/gpu: 2}
"""

TAGS = [
    b"!!python/object/apply:os.system ['touch PWNED']",
    b"!!python/object:builtins.dict {}",
    b"!!python/name:os.system",
    b"!!python/tuple [1, 2]",
    b"!Ref Bucket",
    b"!Sub '${AWS::Region}'",
    b"!GetAtt [Role, Arn]",
    b"!!binary aGVsbG8=",
    b"!!set {a, b}",
    b"!!omap [a: 1]",
    b"!!timestamp 2024-01-01",
    b"!!float '1e400'",
    b"!!int 0x_",
    b"!<tag:example.com,2000:x> 1",
]


@st.composite
def generated_documents(draw: Any) -> bytes:
    """Well-formed YAML or JSON with random structure, including Kubernetes-like keys."""
    keys = st.sampled_from(
        ["apiVersion", "kind", "metadata", "name", "spec", "template", "containers", "resources", "limits",
         "requests", "nvidia.com/gpu", "image", "x", "", "<<", "true", "1"]
    )
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True), st.text(max_size=30),
        st.sampled_from(["Deployment", "Pod", "apps/v1", "v1", "${GPU}", "{{ .Values.x }}", "0.5", "-1", "500m"]),
    )
    tree = st.recursive(
        scalars,
        lambda children: st.one_of(st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=6)),
        max_leaves=40,
    )
    data = draw(tree)
    if draw(st.booleans()):
        return json.dumps(data, indent=draw(st.sampled_from([None, 2]))).encode()
    docs = [data] + draw(st.lists(tree, max_size=2))
    return yaml.safe_dump_all(docs, allow_unicode=draw(st.booleans())).encode("utf-8")


def _mutate(data: bytes, draw: Any) -> bytes:
    ops = draw(st.lists(st.sampled_from(
        ["truncate", "insert", "delete", "splice", "tag", "anchor", "dupkey", "nest", "huge", "bom", "crlf",
         "encode", "mixed", "nul", "tab"]), max_size=3))
    for op in ops:
        n = len(data)
        at = draw(st.integers(0, n))
        if op == "truncate":
            data = data[:at]
        elif op == "insert":
            data = data[:at] + draw(st.binary(max_size=16)) + data[at:]
        elif op == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 40)):]
        elif op == "splice":
            other = draw(st.sampled_from(SEEDS))
            data = data[:at] + other[draw(st.integers(0, len(other))):]
        elif op == "tag":
            data = data + b"\ninjected: " + draw(st.sampled_from(TAGS)) + b"\n"
        elif op == "anchor":
            width = draw(st.integers(1, 12))
            lines = [b"a0: &a0 [x, y]"] + [
                b"a%d: &a%d [" % (i, i) + b", ".join([b"*a%d" % (i - 1)] * width) + b"]" for i in range(1, 10)
            ]
            data = b"\n".join(lines) + b"\n---\n" + data
        elif op == "dupkey":
            data = b"kind: Pod\nkind: Deployment\napiVersion: v1\napiVersion: apps/v1\n" + data
        elif op == "nest":
            depth = draw(st.sampled_from([50, 199, 201, 5_000]))
            data = b"[" * depth + b"1" + b"]" * draw(st.integers(0, depth)) + b"\n" + data
        elif op == "huge":
            data = b"big: '" + b"x" * draw(st.sampled_from([10_000, 300_000])) + b"'\n" + data
        elif op == "bom":
            data = b"\xef\xbb\xbf" + data
        elif op == "crlf":
            data = data.replace(b"\n", b"\r\n")
        elif op == "encode":
            text = data.decode("utf-8", errors="replace")
            data = text.encode(draw(st.sampled_from(["utf-16", "utf-16-le", "latin-1", "utf-32", "cp1252"])),
                               errors="replace")
        elif op == "mixed":  # one part in another encoding than the rest
            piece = "note: caf\u00e9 na\u00efve \u2014 \u00fcber\n".encode(
                draw(st.sampled_from(["latin-1", "utf-16-le", "cp1252", "utf-8"])), errors="replace")
            data = data[:at] + piece + data[at:]
        elif op == "nul":
            data = data[:at] + b"\x00" + data[at:]
        elif op == "tab":
            data = data.replace(b"  ", b"\t", draw(st.integers(1, 3)))
    return data


@st.composite
def hostile(draw: Any) -> bytes:
    base = draw(st.one_of(
        st.binary(max_size=600),
        generated_documents(),
        st.sampled_from(SEEDS),
        st.just(GPU_POD),
    ))
    return _mutate(base, draw)


@contextlib.contextmanager
def hang_guard(seconds: int = HANG_SECONDS) -> Iterator[None]:
    """Fail instead of hanging (Unix main thread only; elsewhere Hypothesis' deadline still applies)."""
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def _timeout(signum: int, frame: Any) -> None:
        raise TimeoutError(f"no result after {seconds} s: gpulint hangs on this input")

    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _plain(value: Any, depth: int = 0) -> None:
    """Loaded data holds only plain values: tags never construct objects."""
    assert depth < 1000
    if isinstance(value, dict):
        for k, v in value.items():
            _plain(k, depth + 1)
            _plain(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _plain(v, depth + 1)
    else:
        assert value is None or isinstance(value, (str, int, float, bool, Tagged)), type(value)


FUZZ = settings(
    max_examples=120, deadline=DEADLINE, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


@FUZZ
@given(raw=hostile(), kind=st.sampled_from(["yaml", "json"]))
def test_loader_never_raises_and_builds_only_plain_data(raw: bytes, kind: str) -> None:
    with hang_guard():
        source = loader.load(f"f.{kind}", raw)
    if source.error is not None:
        assert source.error.line >= 1 and source.error.column >= 1
        assert source.error.message
    for doc in source.documents:
        _plain(doc.data)
    # positions can be asked for any path without raising
    for doc in source.documents[:2]:
        for path in [(), ("spec",), ("spec", "containers", 0), (0,), ("metadata", "name", "x")]:
            span = source.locate(doc.index, path)
            assert span.line >= 1 and span.column >= 1
