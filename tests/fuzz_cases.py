"""What the command-line fuzzing feeds gpulint, as Hypothesis strategies of :class:`Scenario`.

Two sources: the real example files (tests/fixtures/ and examples/), mutated byte
by byte (flips, truncation, splicing two files, duplicated lines, tabs, BOMs, CRLF,
NUL and other control characters); and the hostile values a change under review
can commit, put where gpulint reads or fixes a value: alias bombs as keys and values,
201 brackets in a comment or a string, keys equal in Python but of different YAML
types, full-width and Arabic-Indic digits and 4,301-digit numbers as GPU counts, null
requests and limits, tagged values (``!Ref X``) where a fix would write, ``.nan`` and
negative capacities and NodePool limits, and file names with line breaks and escape
sequences. Each input stays small, so that a run takes milliseconds.
"""

from __future__ import annotations

import os
import re
from typing import Any, Callable

from fuzzing import GPU_POD, Scenario
from hypothesis import strategies as st

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED_FOLDERS = ("tests/fixtures", "examples")
#: larger seeds cost time and find nothing a smaller one does not
MAX_SEED_BYTES = 8_000


def _read_seeds() -> tuple[tuple[str, bytes], ...]:
    """(path under the repository, bytes) of every YAML and JSON example, in a fixed order."""
    out = []
    for folder in SEED_FOLDERS:
        for root, dirs, files in os.walk(os.path.join(REPO, folder)):
            dirs.sort()
            for name in sorted(files):
                if name.endswith((".yaml", ".yml", ".json")):
                    path = os.path.join(root, name)
                    with open(path, "rb") as fh:
                        data = fh.read()
                    if len(data) <= MAX_SEED_BYTES:
                        out.append((os.path.relpath(path, REPO), data))
    return tuple(out) or (("pod.yaml", GPU_POD),)


SEEDS = _read_seeds()


def ext(path: str) -> str:
    return os.path.splitext(path)[1] or ".yaml"


def basename(path: str) -> str:
    """The name a seed gets in the project folder: its own, except that a config file
    (``.gpulint.yaml``) becomes data, since a broken config is an error (exit status 2)."""
    name = os.path.basename(path)
    return "config-" + name.lstrip(".") if name.startswith(".gpulint") else name


# --------------------------------------------------------------------------- value slots

#: ``key: value`` on one YAML line (the value a plain or quoted scalar)
_YAML_SLOT = re.compile(
    rb"^[ \t]*(?:-[ \t]+)*(?P<key>[A-Za-z_][\w./-]*|\"[^\"\n]*\")[ \t]*:[ \t]+"
    rb"(?P<value>[^\s#{}\[\]&*!|>%@`,][^#\n]*?|\"[^\"\n]*\"|'[^'\n]*')[ \t]*(?:[ \t]#[^\n]*)?\r?$",
    re.M,
)
#: ``key: value`` inside a YAML flow mapping (``{nvidia.com/gpu: 1, cpu: 4}``)
_YAML_FLOW_SLOT = re.compile(
    rb"[{,][ \t]*(?P<key>[A-Za-z_][\w./-]*)[ \t]*:[ \t]+(?P<value>[^\s,{}\[\]#&*!|>'\"][^,{}\[\]#\n]*?)[ \t]*(?=[,}])"
)
#: ``"key": value`` in JSON (a number, string, true, false or null)
_JSON_SLOT = re.compile(
    rb"\"(?P<key>[^\"\\\n]*)\"[ \t]*:[ \t]*(?P<value>-?[0-9][0-9.eE+-]*|\"(?:[^\"\\\n]|\\.)*\"|true|false|null)"
)
#: keys whose values a fix copies or rewrites (a request from its limit, a cooldown, a
#: maximum wait, a routing strategy, a taint)
FIX_KEYS = frozenset(
    k.encode() for k in (
        "nvidia.com/gpu amd.com/gpu aws.amazon.com/neuron aws.amazon.com/neuroncore habana.ai/gaudi "
        "ScaleInCooldown ScaleOutCooldown cooldownPeriod stabilizationWindowSeconds MaxWaitTimeInSeconds "
        "MaxRuntimeInSeconds RoutingStrategy effect key value"
    ).split()
)
#: keys whose values gpulint reads as numbers: counts, sizes, capacities, limits, timings
NUMBER_KEYS = frozenset(
    k.encode() for k in (
        "aws.amazon.com/neurondevice cpu memory nodes minSize maxSize desiredCapacity MinCapacity MaxCapacity "
        "InitialInstanceCount InstanceCount MinInstanceCount MaxInstanceCount minReplicaCount maxReplicaCount "
        "minReplicas maxReplicas replicas initialDelaySeconds failureThreshold periodSeconds MaxPayloadInMB "
        "MaxConcurrentTransforms instanceType InstanceType"
    ).split()
)


def _slots() -> tuple[tuple[int, int, int, int], ...]:
    """(seed index, value start, value end, kind of key) of every replaceable value: 2 for a
    key a fix writes, 1 for one gpulint reads as a number, 0 for any other."""
    out = []
    for i, (path, data) in enumerate(SEEDS):
        patterns = (_JSON_SLOT,) if path.endswith(".json") else (_YAML_SLOT, _YAML_FLOW_SLOT)
        for pattern in patterns:
            for m in pattern.finditer(data):
                key = m.group("key").strip(b'"')
                kind = 2 if key in FIX_KEYS else 1 if key in NUMBER_KEYS else 0
                out.append((i, m.start("value"), m.end("value"), kind))
    return tuple(out)


SLOTS = _slots()


def _by_seed(slots: tuple[tuple[int, int, int, int], ...]) -> dict[int, list[tuple[int, int]]]:
    out: dict[int, list[tuple[int, int]]] = {}
    for index, start, end, _ in slots:
        out.setdefault(index, []).append((start, end))
    return out


_POOLS = {
    (kind, yaml_only): (pool, _by_seed(pool))
    for kind in (0, 1, 2) for yaml_only in (False, True)
    for pool in [tuple(s for s in SLOTS if s[3] >= kind and not (yaml_only and SEEDS[s[0]][0].endswith(".json")))]
}


@st.composite
def slots(draw: Any, yaml_only: bool = False) -> tuple[int, list[tuple[int, int]]]:
    """A seed and one to three of its values (start, end), from the last: a third of the time
    at keys a fix writes, a third at keys gpulint reads as numbers, a third at any key."""
    pool, by_seed = _POOLS[(draw(st.integers(0, 2)), yaml_only)]
    index, start, end, _ = draw(st.sampled_from(pool))
    chosen = {(start, end)} | set(draw(st.lists(st.sampled_from(by_seed[index]), max_size=2)))
    return index, sorted(chosen, reverse=True)


def replace(data: bytes, spans: list[tuple[int, int]], values: list[bytes]) -> bytes:
    for (start, end), value in zip(spans, values):  # from the last: the offsets stay valid
        data = data[:start] + value + data[end:]
    return data


@st.composite
def substituted(draw: Any, values: Callable[[bool], st.SearchStrategy[bytes]],
                yaml_only: bool = False) -> tuple[str, bytes]:
    """A seed with drawn values in place of one to three of its own."""
    index, spans = draw(slots(yaml_only))
    path, data = SEEDS[index]
    json_file = path.endswith(".json")
    return path, replace(data, spans, [draw(values(json_file)) for _ in spans])


# --------------------------------------------------------------------------- mutations

#: bytes that break a parser or a terminal: tab, BOMs, CR, NUL, C0 and C1 controls, ESC
#: sequences, line and paragraph separators, a right-to-left override, invalid UTF-8
SPECIAL = (
    b"\t", b"\xef\xbb\xbf", b"\xff\xfe", b"\r\n", b"\r", b"\x00", b"\x01", b"\x07", b"\x08", b"\x0b", b"\x0c",
    b"\x1b", b"\x1b[2J", b"\x1b]0;x\x07", b"\x7f", "\x85".encode(), "\x9b".encode(), "\u2028".encode(),
    "\u2029".encode(), "\u202e".encode(), "\ufeff".encode(), b"\xc2", b"\xed\xa0\x80",
)


def _flip(draw: Any, data: bytes) -> bytes:
    if not data:
        return data
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(buf) - 1))
        buf[at] ^= draw(st.integers(1, 255))
    return bytes(buf)


def _truncate(draw: Any, data: bytes) -> bytes:
    return data[:draw(st.integers(0, len(data)))]


def _splice(draw: Any, data: bytes) -> bytes:
    other = draw(st.sampled_from(SEEDS))[1]
    return data[:draw(st.integers(0, len(data)))] + other[draw(st.integers(0, len(other))):]


def _duplicate_lines(draw: Any, data: bytes) -> bytes:
    lines = data.split(b"\n")
    at = draw(st.integers(0, len(lines) - 1))
    span = draw(st.integers(1, 3))
    return b"\n".join(lines[:at + span] + lines[at:at + span] * draw(st.integers(1, 2)) + lines[at + span:])


def _insert(draw: Any, data: bytes) -> bytes:
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(SPECIAL)) + data[at:]
    return data


def _delete(draw: Any, data: bytes) -> bytes:
    at = draw(st.integers(0, len(data)))
    return data[:at] + data[at + draw(st.integers(1, 40)):]


def _bom(draw: Any, data: bytes) -> bytes:
    return draw(st.sampled_from([b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])) + data


def _crlf(draw: Any, data: bytes) -> bytes:
    if draw(st.booleans()):
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    at = data.find(b"\n", draw(st.integers(0, len(data))))
    return data if at < 0 else data[:at] + b"\r" + data[at:]  # one CRLF among LFs


def _tabs(draw: Any, data: bytes) -> bytes:
    if draw(st.booleans()):
        return data.replace(b"  ", b"\t", draw(st.integers(1, 3)))
    return data.replace(b"\n  ", b"\n\t")  # every two-space indent a tab


MUTATIONS: dict[str, Callable[[Any, bytes], bytes]] = {
    "flip": _flip, "truncate": _truncate, "splice": _splice, "duplicate-lines": _duplicate_lines,
    "insert": _insert, "delete": _delete, "bom": _bom, "crlf": _crlf, "tabs": _tabs,
}


@st.composite
def mutated(draw: Any, max_ops: int = 3) -> tuple[str, bytes]:
    """A real example with one to ``max_ops`` mutations."""
    path, data = draw(st.sampled_from(SEEDS))
    for op in draw(st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=max_ops)):
        data = MUTATIONS[op](draw, data)
    return path, data


# --------------------------------------------------------------------------- hostile values


def _choice(yaml_values: list[str], json_values: list[str]) -> Callable[[bool], st.SearchStrategy[bytes]]:
    def values(json_file: bool) -> st.SearchStrategy[bytes]:
        return st.sampled_from([v.encode() for v in (json_values if json_file else yaml_values)])

    return values


#: full-width and Arabic-Indic digits: Python's int() and float() read them, the API server does not
UNICODE_DIGITS = _choice(
    ['"２"', '"٢"', "２", "٢", '"1٢"', '"２k"', '"٢٠٠m"', '"１０"', "'٢'", '"۲"', '"𝟐"'],
    ['"２"', '"٢"', '"1٢"', '"１０"', '"۲"'],
)
NULLS = _choice(["null", "~", "Null", "NULL", "", '""', "!!null ''"], ["null", '""'])
#: a tagged value where a fix would write its new value (CloudFormation in YAML; its JSON form)
TAGGED = _choice(
    ["!Ref X", "!Sub '${X}'", "!GetAtt [A, B.C]", "!If [c, 1, 2]", "!ImportValue x", "!Base64 x", "!!str 2",
     "!!int 3", "!!float 2", "!!binary aGk=", "!custom 1", "!Ref"],
    ['{"Ref": "X"}', '{"Fn::Sub": "${X}"}', '{"Fn::GetAtt": ["A", "B"]}', '{"Fn::If": ["c", 1, 2]}'],
)
#: not-a-number, infinite and negative capacities, cooldowns and limits
NAN_NEGATIVE = _choice(
    [".nan", ".NaN", ".inf", "-.inf", "-1", "-0", "-0.0", "-2", "-9223372036854775809", "1e400", "-1e400",
     '"-1"', '"NaN"', "'.nan'", "-1Gi", "-500m"],
    ["NaN", "Infinity", "-Infinity", "-1", "-0", "-2", "1e400", "-1e400", '"-1"', '"NaN"', "-1.5"],
)


def huge_count(json_file: bool) -> st.SearchStrategy[bytes]:
    """A count of 4,300 digits (the longest Python converts) or more."""
    def build(n: int, quoted: bool, sign: str, suffix: str) -> bytes:
        number = (sign + "9" * n + suffix).encode()
        return b'"' + number + b'"' if quoted or (json_file and suffix) else number

    return st.builds(build, st.sampled_from([4300, 4301, 4302, 5000]), st.booleans(), st.sampled_from(["", "-"]),
                     st.sampled_from(["", "", "k", "m", "e2"]))


def ladder(fanout: int, depth: int = 8) -> bytes:
    """Anchors ``a0`` .. ``a<depth>``, each a list of ``fanout`` aliases of the one before:
    ``*a8`` stands for ``fanout ** 8`` nodes."""
    lines = [b"a0: &a0 [x]"] + [
        b"a%d: &a%d [" % (i, i) + b", ".join([b"*a%d" % (i - 1)] * fanout) + b"]" for i in range(1, depth + 1)
    ]
    return b"\n".join(lines) + b"\n"


YAML_SEEDS = tuple(s for s in SEEDS if not s[0].endswith(".json"))
JSON_SEEDS = tuple(s for s in SEEDS if s[0].endswith(".json"))


@st.composite
def alias_bomb_key(draw: Any) -> tuple[str, bytes]:
    """``? *a8``: the expansion of an alias as a mapping key, alone, beside a real
    document's keys, or in a flow mapping."""
    bomb = ladder(draw(st.integers(2, 10)))
    path, seed = draw(st.sampled_from(YAML_SEEDS))
    key = draw(st.sampled_from([b"? *a8\n: v\n", b"labels: {*a8 : x}\n", b"? [*a8, *a8]\n: v\n"]))
    tail = draw(st.sampled_from([b"", seed]))
    return path, bomb + key + tail


@st.composite
def alias_bomb_value(draw: Any) -> tuple[str, bytes]:
    """``*a8`` as a value: where a count, name or mapping is read or fixed."""
    bomb = ladder(draw(st.integers(2, 10)))
    values = _choice(["*a8", "[*a8]", "{k: *a8}", "*a7", "*a0"], [])
    path, data = draw(substituted(values, yaml_only=True))
    return path, bomb + data


_COMMENT = re.compile(rb"[ \t]#[^\n\r]*")


@st.composite
def bracket_pair(draw: Any) -> tuple[str, bytes, bytes]:
    """Brackets where they are text, not structure: (seed path, with 200 or more brackets, with as
    many ``x`` instead). In a comment line at the top, at the end of a comment, or as a string
    value; the two files must lint alike."""
    n = draw(st.sampled_from([200, 201, 1000]))
    brackets = (draw(st.sampled_from([b"{", b"[", b"{[", b"[{"])) * n)[:n]
    where = draw(st.sampled_from(["comment-line", "comment-end", "string"]))
    if where == "string":
        index, spans = draw(slots())
        path, data = SEEDS[index]
        q = b'"' if path.endswith(".json") else draw(st.sampled_from([b"'", b'"']))
        return (path, replace(data, spans, [q + brackets + q] * len(spans)),
                replace(data, spans, [q + b"x" * n + q] * len(spans)))
    path, data = draw(st.sampled_from(YAML_SEEDS))
    comments = list(_COMMENT.finditer(data))
    if where == "comment-end" and comments:
        end = draw(st.sampled_from(comments)).end()
        return (path, data[:end] + b" " + brackets + data[end:],
                data[:end] + b" " + b"x" * n + data[end:])
    return path, b"# " + brackets + b"\n" + data, b"# " + b"x" * n + b"\n" + data


#: mappings whose keys Python takes for one (1 == True == 1.0, hash(0) == hash(False)), each with
#: a twin whose keys differ in value as well: gpulint must read the two alike
KEY_TYPES = (
    (b"{1: a, true: b}", b"{1: a, 2: b}"),
    (b"{1: a, 1.0: b}", b"{1: a, 2.0: b}"),
    (b"{0: a, false: b, 0.0: c}", b"{0: a, 2: b, 3.0: c}"),
    (b"{1: a, '1': b, null: c}", b"{1: a, '2': b, null: c}"),
    (b"{true: a, 1: b}", b"{true: a, 2: b}"),
    (b"{.nan: a, nan: b}", b"{.inf: a, nan: b}"),
)
#: a line that opens a block mapping (``labels:``), and the indentation of its first entry
_OPENS_MAPPING = re.compile(rb"^[ \t]*(?:-[ \t]+)?[\w./-]+:[ \t]*\r?\n(?P<indent>[ \t]+)(?=[^\s#-])", re.M)


@st.composite
def key_type_pair(draw: Any) -> tuple[str, bytes, bytes]:
    """(seed path, a seed with keys equal in Python but of different types, its twin)."""
    mixed, distinct = draw(st.sampled_from(KEY_TYPES))
    path, data = draw(st.sampled_from(YAML_SEEDS))
    openers = list(_OPENS_MAPPING.finditer(data))
    if openers and draw(st.booleans()):  # entries of a mapping gpulint reads (labels, limits, ...)
        m = draw(st.sampled_from(openers))
        at, indent = m.end("indent"), m.group("indent")

        def entries(flow: bytes) -> bytes:
            return b"".join(e.strip() + b"\n" + indent for e in flow.strip(b"{}").split(b","))

        return path, data[:at] + entries(mixed) + data[at:], data[:at] + entries(distinct) + data[at:]
    index, spans = draw(slots(yaml_only=True))
    path, data = SEEDS[index]
    return path, replace(data, spans, [mixed] * len(spans)), replace(data, spans, [distinct] * len(spans))


#: file names with line breaks, escape sequences and other characters a report must escape
HOSTILE_NAMES = (
    "line\nbreak.yaml", "two\n\nlines.yml", "cr\r.yaml", "crlf\r\n.json", "\x1b[31mred\x1b[0m.yaml",
    "\x1b]0;title\x07.yaml", "\x1b[2J.yml", "bell\x07.yaml", "tab\tname.yaml", "del\x7f.yaml", "csi\x9b2J.yaml",
    "nel\x85.yaml", "ls\u2028.yaml", "\u202egnp.yaml", "%0A::error file=x::y.yaml", "q'\"`$(x);.yaml",
    "back\\slash.json", "sp ace.yaml", "caf\u00e9.yaml", "not-utf8-\udcff.yaml", "dir\nname/inner.yaml",
    "\x1b[1m/pod.yaml", "a:1:2: error x.yaml", "-x.yaml", "x" * 200 + ".yaml",
)


@st.composite
def hostile_name(draw: Any) -> tuple[str, bytes]:
    """A real example, or a fixable Pod, under a name that must be escaped wherever it is printed."""
    name = draw(st.sampled_from(HOSTILE_NAMES))
    if name.endswith(".json"):
        return name, draw(st.sampled_from(JSON_SEEDS))[1]
    return name, draw(st.just(GPU_POD) | st.sampled_from(YAML_SEEDS).map(lambda s: s[1]))


# --------------------------------------------------------------------------- scenarios

FORMATS = ("text", "json", "sarif", "github", "gitlab")
OPTIONS = ((), (), ("--fail-on", "error"), ("--fail-on", "info"), ("--select", "GPU,NODE,SM,AAS"),
           ("--ignore", "GPU101,parse-error"), ("--quiet",), ("--statistics",), ("--exit-zero",), ("--cost",))
NEIGHBOUR = "zz-neighbour.yaml"
#: configs a run may have: none, or a budget gate (which must fail closed on what it cannot count)
CONFIGS = (None, None, None, b"budget: 50000\n", b"budget: 1\nfail-on: error\n")


def _siblings() -> dict[str, tuple[tuple[str, bytes], ...]]:
    out: dict[str, list[tuple[str, bytes]]] = {}
    for seed in SEEDS:
        out.setdefault(os.path.dirname(seed[0]), []).append(seed)
    return {folder: tuple(seeds) for folder, seeds in out.items()}


#: the seeds of each folder: a workload and the node pools it is joined with, a target and its policy
SIBLINGS = _siblings()


@st.composite
def scenarios(draw: Any, files: st.SearchStrategy[tuple[str, bytes]], modes: tuple[str, ...] = ("lint", "fix", "diff"),
              case: str = "") -> Scenario:
    """A file from ``files`` (with, maybe, a file of the same example folder, for the cross-file
    rules, a fixable neighbour, and a budget in the config), linted as a folder, by name or on
    standard input, in any output format, plain, with ``--fix --unsafe-fixes`` or with
    ``--diff --unsafe-fixes``."""
    path, data = draw(files)
    name = path if case == "file-names" else basename(path)
    mode = draw(st.sampled_from(modes))
    how = draw(st.sampled_from(["folder", "file"] + ["stdin"] * (mode != "fix")))
    options = ("--format", draw(st.sampled_from(FORMATS))) + draw(st.sampled_from(OPTIONS))
    project = [] if how == "stdin" else [(name, data)]
    others = [s for s in SIBLINGS.get(os.path.dirname(path), ()) if basename(s[0]) != name]
    if case != "file-names" and others and draw(st.integers(0, 2)) == 0:
        sibling = draw(st.sampled_from(others))
        project.append((basename(sibling[0]), sibling[1]))
    if name != NEIGHBOUR and draw(st.booleans()):
        project.append((NEIGHBOUR, GPU_POD))  # never named with "file": --fix must leave it alone
    config = draw(st.sampled_from(CONFIGS))
    if config is not None and name != ".gpulint.yaml":
        project.append((".gpulint.yaml", config))
    if how == "stdin":
        return Scenario(tuple(project), options + ("--stdin-filename=" + name,), ("-",), mode, data, case)
    return Scenario(tuple(project), options, ("." if how == "folder" else "./" + name,), mode, None, case)


#: usage errors made on purpose, each after the paths: (tokens, whether they replace the paths)
USAGE_ERRORS = (
    (("--format", "xml"), False), (("--fail-on", "fatal"), False), (("--unsafe-fixes",), False),
    (("--no-such-option",), False), (("--region", "moon-1"), False), (("--region", "us-east-1\x1b[2J\n"), False),
    (("--config", "./missing.yaml"), False), (("--select",), False), (("--color", "rainbow"), False),
    (("./missing.yaml",), True), (("./missing\x1b[2J\r\n.yaml",), True), (("./.",  "./missing/"), True),
)


@st.composite
def usage_errors(draw: Any) -> Scenario:
    """A run that must exit 2 and write nothing, with or without --fix."""
    path, data = draw(mutated(max_ops=1))
    tokens, instead = draw(st.sampled_from(USAGE_ERRORS))
    fix = ("--fix", "--unsafe-fixes") if tokens != ("--unsafe-fixes",) and draw(st.booleans()) else ()
    options = fix + ("--format", draw(st.sampled_from(FORMATS)))
    return Scenario(((basename(path), data),), options, tokens if instead else (".",) + tokens, "usage",
                    None, "usage")


def _first(pair: tuple) -> tuple[str, bytes]:
    return pair[0], pair[1]


#: every kind of scenario, by name
CASES: dict[str, st.SearchStrategy[Scenario]] = {
    "mutated": scenarios(mutated(), modes=("lint", "lint", "diff"), case="mutated"),
    "fix-round-trip": scenarios(mutated(max_ops=1) | st.sampled_from(SEEDS), modes=("fix", "fix", "diff"),
                                case="fix-round-trip"),
    "alias-bomb-key": scenarios(alias_bomb_key(), case="alias-bomb-key"),
    "alias-bomb-value": scenarios(alias_bomb_value(), case="alias-bomb-value"),
    "brackets": scenarios(bracket_pair().map(_first), case="brackets"),
    "key-types": scenarios(key_type_pair().map(_first), case="key-types"),
    "unicode-digits": scenarios(substituted(UNICODE_DIGITS), case="unicode-digits"),
    "huge-count": scenarios(substituted(huge_count), case="huge-count"),
    "null-counts": scenarios(substituted(NULLS), case="null-counts"),
    "tagged": scenarios(substituted(TAGGED), case="tagged"),
    "nan-negative": scenarios(substituted(NAN_NEGATIVE), case="nan-negative"),
    "file-names": scenarios(hostile_name(), case="file-names"),
    "usage": usage_errors(),
}

