"""Load YAML and JSON files into plain Python data, with positions on demand.

The fast path composes each YAML stream with libyaml (PyYAML's C parser) and
builds plain dicts, lists and scalars from the node graph with a small
constructor of our own: unknown tags (CloudFormation's ``!Ref``, ``!!python/...``)
never construct objects, aliases are shared rather than copied (and an alias
bomb is refused), duplicate keys are recorded, and nesting is bounded.

Positions are not stored on the data. A diagnostic asks its ``Source`` to
``locate`` a path, which re-composes that one file (YAML) or scans its text
(JSON) only when something is reported, so clean files cost one parse.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterator, Optional

import yaml

from gpulint.diagnostics import Path
from dataclasses import dataclass, field

if TYPE_CHECKING:  # pragma: no cover
    import json

try:  # pragma: no cover - the C loader is present on every supported platform
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

#: plain scalar -> tag; libyaml calls back into Python to resolve every scalar,
#: and manifests repeat the same few hundred values (keys above all)
_RESOLVED: dict[str, str] = {}
_RESOLVED_MAX = 200_000


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_RESOLVED) < _RESOLVED_MAX:
                    _RESOLVED[value] = tag
            return tag
        return super().resolve(kind, value, implicit)


MAX_DEPTH = 200
#: how many nodes aliases may add beyond the nodes actually written
MAX_ALIAS_EXPANSION = 100_000
DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024

_STR = "tag:yaml.org,2002:str"
_ScalarNode = yaml.ScalarNode
_SequenceNode = yaml.SequenceNode
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_PLAIN_AS_STR = {
    _STR,
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:value",
}


class LoadError(Exception):
    """The file cannot be turned into data. ``line``/``column`` are 1-based."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Tagged:
    """A scalar carrying a tag gpulint does not interpret (``!Ref Foo``)."""

    tag: str
    value: Any

    def __str__(self) -> str:
        return f"{self.tag} {self.value}"


@dataclass(frozen=True)
class Span:
    line: int
    column: int
    end_line: int
    end_column: int
    start: int = -1  # character offsets into the text, when known
    end: int = -1
    exact: bool = True  # False when the path ended early at an ancestor


@dataclass
class DuplicateKey:
    doc_index: int
    key: str
    line: int
    column: int
    first_line: int


@dataclass
class Document:
    index: int
    data: Any
    line: int  # where the document starts (1-based)
    start: int = -1  # character offsets of the document's root node in the text
    end: int = -1


@dataclass
class Source:
    """One input file (or standard input) and what came out of loading it."""

    name: str
    text: str
    kind: str  # "yaml" or "json"
    documents: list[Document] = field(default_factory=list)
    duplicates: list[DuplicateKey] = field(default_factory=list)
    error: Optional[LoadError] = None
    _nodes: Optional[list[Any]] = field(default=None, repr=False)
    _doc_cache: dict = field(default_factory=dict, repr=False)

    @property
    def parsed(self) -> bool:
        """True when the whole file loaded. A YAML stream with a syntax error in a
        later document keeps the documents before it (and ``error``)."""
        return self.error is None

    def locate(self, doc_index: int, path: Path) -> Span:
        if self.kind == "json":
            return _json_locate(self.text, path)
        node, line_offset, index_offset = self._doc_node(doc_index)
        if node is None:
            return Span(1, 1, 1, 1, exact=False)
        span = _node_locate(node, path)
        if not line_offset:
            return span
        return Span(span.line + line_offset, span.column, span.end_line + line_offset, span.end_column,
                    span.start + index_offset, span.end + index_offset, span.exact)

    def _doc_node(self, doc_index: int) -> tuple[Any, int, int]:
        """The composed node of one document, and the line/offset shift of its slice.

        Only the document asked about is composed again (from the start of the
        line its root node starts on), not the whole stream.
        """
        cache = self._doc_cache
        if doc_index in cache:
            return cache[doc_index]
        docs = self.documents
        if doc_index < len(docs) and docs[doc_index].index == doc_index:
            doc: Optional[Document] = docs[doc_index]  # the usual case: no empty documents before it
        else:
            doc = next((d for d in docs if d.index == doc_index), None)
        found: tuple[Any, int, int] = (None, 0, 0)
        if doc is not None and doc.start >= 0:
            begin = self.text.rfind("\n", 0, doc.start) + 1
            try:
                nodes = _compose_documents(self.text[begin:doc.end])
            except yaml.YAMLError:
                nodes = []
            if len(nodes) == 1 and nodes[0] is not None:
                found = (nodes[0], self.text.count("\n", 0, begin), begin)
        if found[0] is None:
            if self._nodes is None:
                self._nodes = _compose_documents(self.text)
            if doc_index < len(self._nodes) and self._nodes[doc_index] is not None:
                found = (self._nodes[doc_index], 0, 0)
        cache[doc_index] = found
        return found

    def release_positions(self) -> None:
        self._nodes = None
        self._doc_cache.clear()


# --------------------------------------------------------------------------- text


def decode(raw: bytes) -> str:
    """Bytes to text, or LoadError for binary and non-UTF-8 input."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(raw):
        raise LoadError("file is UTF-16 encoded; expected UTF-8")
    if b"\x00" in raw[:8192]:
        raise LoadError("binary file (contains NUL bytes); expected YAML or JSON text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LoadError(
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8",
            line,
            col,
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _looks_utf16(raw: bytes) -> bool:
    """UTF-16 text without a byte-order mark: ASCII characters with a NUL beside each."""
    head = raw[:512]
    if len(head) < 4:
        return False
    for start in (0, 1):  # big-endian: NULs at even offsets; little-endian: at odd ones
        nuls = head[start::2]
        text = head[1 - start :: 2]
        if nuls.count(0) == len(nuls) and 0 not in text:
            return True
    return False


# block collections opened on one line ("- - - - x", "? ? x"): libyaml crashes on
# tens of thousands of them, as on deep flow nesting. Deep indentation alone is
# bounded by the file size and caught by the builder's depth check.
_BLOCK_PREFIX = re.compile(r"^[ \t]*(?:[?-][ \t]+){%d,}" % MAX_DEPTH, re.MULTILINE)
_FLOW = re.compile(r"[\[\]{}]")


def _check_nesting(text: str) -> None:
    """Refuse input nested deeper than MAX_DEPTH before libyaml recurses on it."""
    if text.count("[") + text.count("{") > MAX_DEPTH:
        depth = 0
        for m in _FLOW.finditer(text):
            if m.group() in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    line, col = _line_col(text, m.start())
                    raise LoadError(f"nesting deeper than {MAX_DEPTH} levels", line, col)
            elif depth:
                depth -= 1
    m = _BLOCK_PREFIX.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise LoadError(f"nesting deeper than {MAX_DEPTH} levels", line, 1)


# --------------------------------------------------------------------------- YAML


def _compose_documents(text: str) -> list[Any]:
    """The composed documents; those before a syntax error when there is one."""
    return _compose(text)[0]


def _compose(text: str) -> tuple[list[Any], Optional[yaml.YAMLError]]:
    loader = _Loader(text)
    nodes: list[Any] = []
    try:
        while loader.check_node():
            nodes.append(loader.get_node())
        return nodes, None
    except yaml.YAMLError as exc:
        return nodes, exc
    finally:
        loader.dispose()


def _int(value: str) -> int:
    value = value.replace("_", "")
    sign = 1
    if value[:1] == "-":
        sign, value = -1, value[1:]
    elif value[:1] == "+":
        value = value[1:]
    if value == "0":
        return 0
    if value.startswith("0b"):
        return sign * int(value[2:], 2)
    if value.startswith("0x"):
        return sign * int(value[2:], 16)
    if value.startswith("0o"):
        return sign * int(value[2:], 8)
    if value[0] == "0":
        return sign * int(value, 8)
    if ":" in value:
        digits = [int(part) for part in value.split(":")]
        base, total = 1, 0
        for d in reversed(digits):
            total += d * base
            base *= 60
        return sign * total
    return sign * int(value)


def _float(value: str) -> float:
    value = value.replace("_", "").lower()
    sign = 1.0
    if value[:1] == "-":
        sign, value = -1.0, value[1:]
    elif value[:1] == "+":
        value = value[1:]
    if value == ".inf":
        return sign * float("inf")
    if value == ".nan":
        return float("nan")
    if ":" in value:
        digits = [float(part) for part in value.split(":")]
        base, total = 1.0, 0.0
        for d in reversed(digits):
            total += d * base
            base *= 60
        return sign * total
    return sign * float(value)


def _scalar(node: Any) -> Any:
    tag = node.tag
    value = node.value
    if tag in _PLAIN_AS_STR:
        return value
    try:
        if tag == _INT:
            return _int(value)
        if tag == _FLOAT:
            return _float(value)
    except ValueError:
        return value
    if tag == _BOOL:
        return value.lower() in ("yes", "true", "on", "y")
    if tag == _NULL:
        return None
    return Tagged(tag, value)


class _Builder:
    """Turns one composed document into plain data."""

    def __init__(self, doc_index: int, duplicates: list[DuplicateKey]) -> None:
        self.doc_index = doc_index
        self.duplicates = duplicates
        self.memo: dict[int, Any] = {}
        self.sizes: dict[int, int] = {}
        self.busy: set[int] = set()
        self.unique = 0
        #: a collection was reached twice (through an alias): only then can the document expand
        self.shared = False

    def build(self, node: Any, depth: int = 0) -> Any:
        # Scalars (most nodes) are rebuilt where an alias repeats them: cheaper than a memo,
        # and a repeated scalar cannot make a document grow beyond the aliases written.
        if type(node) is _ScalarNode:
            return node.value if node.tag == _STR else _scalar(node)
        if depth >= MAX_DEPTH and node.value:  # its children would sit deeper than the limit
            first = node.value[0]
            mark = (first[0] if isinstance(first, tuple) else first).start_mark
            raise LoadError(f"nesting deeper than {MAX_DEPTH} levels", mark.line + 1, mark.column + 1)
        key = id(node)
        if key in self.memo:
            self.shared = True
            return self.memo[key]
        if key in self.busy:
            mark = node.start_mark
            raise LoadError("recursive YAML alias (an anchor refers to itself)", mark.line + 1, mark.column + 1)
        self.busy.add(key)
        try:
            if type(node) is _SequenceNode:
                out: Any = [self.build(child, depth + 1) for child in node.value]
            else:
                out = self._mapping(node, depth)
        finally:
            self.busy.discard(key)
        self.memo[key] = out
        return out

    def _mapping(self, node: Any, depth: int) -> dict:
        out: dict = {}
        seen: dict[Any, Any] = {}
        merges: list[Any] = []
        build = self.build
        for key_node, value_node in node.value:
            tag = key_node.tag
            if tag == _STR and type(key_node) is _ScalarNode:
                key = key_node.value  # the usual key: a plain string
            elif tag == _MERGE:
                merges.append(value_node)
                continue
            else:
                key = build(key_node, depth + 1)
                if isinstance(key, (dict, list)):
                    import json

                    key = json.dumps(key, sort_keys=True, default=str)
                elif isinstance(key, float) and key != key:
                    key = "nan"
            if key in seen:
                mark = key_node.start_mark
                self.duplicates.append(
                    DuplicateKey(self.doc_index, str(key), mark.line + 1, mark.column + 1,
                                 seen[key].start_mark.line + 1)
                )
            seen[key] = key_node
            if type(value_node) is _ScalarNode:
                out[key] = value_node.value if value_node.tag == _STR else _scalar(value_node)
            else:
                out[key] = build(value_node, depth + 1)
        for merge in merges:
            sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            for src in sources:
                data = self.build(src, depth + 1)
                if isinstance(data, dict):
                    for k, v in data.items():
                        out.setdefault(k, v)
        return out

    def expanded_size(self, node: Any) -> int:
        """Nodes the document would have with every alias copied out."""
        stack = [(node, False)]
        while stack:
            current, done = stack.pop()
            key = id(current)
            if key in self.sizes:
                continue
            if isinstance(current, yaml.ScalarNode):
                self.sizes[key] = 1
                continue
            children = (
                current.value
                if isinstance(current, yaml.SequenceNode)
                else [n for pair in current.value for n in pair]
            )
            if done:
                self.sizes[key] = 1 + sum(self.sizes.get(id(c), 1) for c in children)
            else:
                stack.append((current, True))
                stack.extend((c, False) for c in children if id(c) not in self.sizes)
        return self.sizes[id(node)]


def load_yaml(source: Source) -> None:
    text = source.text
    if not text.strip():
        return  # empty or whitespace-only (tabs included): no documents, no error
    _check_nesting(text)
    try:
        nodes, error = _compose(text)
    except RecursionError:
        raise LoadError(f"nesting deeper than {MAX_DEPTH} levels") from None
    if error is not None and not nodes:
        raise _syntax_error(error)
    for index, node in enumerate(nodes):
        if node is None:
            continue
        builder = _Builder(index, source.duplicates)
        data = builder.build(node)
        if builder.shared:
            size = builder.expanded_size(node)
            builder.unique = len(builder.sizes)  # every distinct node, counted on the way
            if size - builder.unique > MAX_ALIAS_EXPANSION:
                mark = node.start_mark
                raise LoadError(
                    f"YAML aliases expand this document to {size} nodes "
                    f"(more than {MAX_ALIAS_EXPANSION} beyond the {builder.unique} written); "
                    "refusing to expand it",
                    mark.line + 1,
                    1,
                )
        source.documents.append(
            Document(index, data, node.start_mark.line + 1, node.start_mark.index, node.end_mark.index)
        )
    if error is not None:
        # the documents before the broken one are still linted
        source.error = _syntax_error(error)


def _syntax_error(exc: yaml.YAMLError) -> LoadError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        context = f" {exc.context}" if exc.context else ""
        line = mark.line + 1 if mark else 1
        col = mark.column + 1 if mark else 1
        return LoadError(f"invalid YAML: {problem}{context}", line, col)
    return LoadError(f"invalid YAML: {exc}")


# --------------------------------------------------------------------------- JSON


class _Constant(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _Constant(name)


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')


def _constant_offset(text: str, name: str) -> int:
    """Offset of the first bare ``NaN``/``Infinity`` outside strings."""
    for m in _JSON_TOKEN.finditer(text):
        if m.group(1) and m.group(1).lstrip("-") == name.lstrip("-"):
            return m.start()
    return 0


def _json_problem(text: str, exc: json.JSONDecodeError) -> tuple[str, int]:
    """A clearer message for what strict JSON refuses, and where."""
    pos = exc.pos
    if text.startswith(("//", "/*"), pos) or (text[pos:pos + 1] == "#"):
        return "comments are not allowed in JSON", pos
    if text[pos:pos + 1] in ("}", "]"):
        before = text[:pos].rstrip()
        if before.endswith(","):
            closer = text[pos]
            return f"trailing comma before '{closer}' is not allowed in JSON", len(before) - 1
    if text[pos:pos + 1] == ",":  # Python 3.13 reports the comma itself
        after = text[pos + 1:].lstrip()
        if after[:1] in ("}", "]"):
            return f"trailing comma before '{after[0]}' is not allowed in JSON", pos
    if exc.msg == "Extra data":
        return "extra data after the JSON value (one JSON value per file)", pos
    return exc.msg, pos


def load_json(source: Source) -> None:
    import json

    text = source.text
    if not text.strip():
        return
    _check_nesting(text)
    has_dupes = False

    def hook(pairs: list[tuple[str, Any]]) -> dict:
        nonlocal has_dupes
        out = dict(pairs)
        if len(out) != len(pairs):
            has_dupes = True
        return out

    try:
        data = json.loads(text, object_pairs_hook=hook, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        message, pos = _json_problem(text, exc)
        line, col = _line_col(text, pos)
        raise LoadError(f"invalid JSON: {message}", line, col) from None
    except _Constant as exc:
        line, col = _line_col(text, _constant_offset(text, str(exc)))
        raise LoadError(f"invalid JSON: {exc} is not a JSON value (use null or a string)", line, col) from None
    except ValueError as exc:
        raise LoadError(f"invalid JSON: {exc}") from None
    except RecursionError:
        raise LoadError(f"nesting deeper than {MAX_DEPTH} levels") from None
    source.documents.append(Document(0, data, 1))
    if has_dupes:
        _json_duplicates(text, _json_skip_ws(text, 0), source.duplicates)


def _json_duplicates(text: str, at: int, out: list[DuplicateKey]) -> None:
    """Record every repeated key in the JSON value at ``at`` (which parsed)."""
    if at >= len(text) or text[at] not in "[{":
        return
    first: dict[str, int] = {}
    for key, key_at, value_at, _ in _json_members(text, at):
        if text[at] == "{":
            line, col = _line_col(text, key_at)
            if key in first:
                out.append(DuplicateKey(0, key, line, col, first[key]))
            else:
                first[key] = line
        _json_duplicates(text, value_at, out)


def load(name: str, raw: bytes, kind: Optional[str] = None) -> Source:
    """Load ``raw`` as the file ``name``. Never raises for bad input."""
    if kind is None:
        kind = "json" if name.lower().endswith(".json") else "yaml"
    try:
        text = decode(raw)
    except LoadError as exc:
        return Source(name, "", kind, error=exc)
    source = Source(name, text, kind)
    try:
        if kind == "json":
            load_json(source)
        else:
            load_yaml(source)
    except LoadError as exc:
        source.error = exc
        source.documents = []
    return source


# --------------------------------------------------------------------------- positions


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def _node_span(node: Any, exact: bool = True) -> Span:
    s, e = node.start_mark, node.end_mark
    return Span(s.line + 1, s.column + 1, e.line + 1, e.column + 1, s.index, e.index, exact)


def _lookup(node: Any, key: str, depth: int = 0) -> Optional[tuple[Any, Any]]:
    """(key node, value node) for ``key`` in a mapping node, following merge keys
    the way the builder does: explicit keys first (the last duplicate wins), then
    each merged mapping in order."""
    found = None
    merges = []
    for k, v in node.value:
        if k.tag == _MERGE:
            merges.append(v)
        elif isinstance(k, yaml.ScalarNode) and k.value == key:
            found = (k, v)
    if found is not None or depth > MAX_DEPTH:
        return found
    for merge in merges:
        for src in merge.value if isinstance(merge, yaml.SequenceNode) else [merge]:
            if isinstance(src, yaml.MappingNode):
                found = _lookup(src, key, depth + 1)
                if found is not None:
                    return found
    return None


def _node_locate(node: Any, path: Path) -> Span:
    """Walk composed nodes along ``path``; stop at the deepest node that exists."""
    current = node
    key_node = None
    for step in path:
        if isinstance(current, yaml.MappingNode):
            found = _lookup(current, str(step))
            if found is None:
                return _node_span(key_node or current, exact=False)
            key_node, current = found
        elif isinstance(current, yaml.SequenceNode) and isinstance(step, int):
            if not 0 <= step < len(current.value):
                return _node_span(current, exact=False)
            key_node, current = None, current.value[step]
        else:
            return _node_span(current, exact=False)
    return _node_span(current)


def key_span(source: Source, doc_index: int, path: Path) -> Optional[Span]:
    """The span of the mapping key that holds ``path[-1]`` (YAML only)."""
    if source.kind != "yaml" or not path:
        return None
    if source._nodes is None:
        source._nodes = _compose_documents(source.text)
    node = source._nodes[doc_index] if doc_index < len(source._nodes) else None
    for i, step in enumerate(path):
        if not isinstance(node, yaml.MappingNode) and not isinstance(node, yaml.SequenceNode):
            return None
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(step)]
            if not match:
                return None
            k, node = match[-1]
            if i == len(path) - 1:
                return _node_span(k)
        else:
            if not isinstance(step, int) or not 0 <= step < len(node.value):
                return None
            node = node.value[step]
    return None


_WS = " \t\r\n"


def _json_skip_ws(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i] in _WS:
        i += 1
    return i


def _json_end(text: str, i: int) -> int:
    """Offset just past the JSON value starting at ``i``."""
    c = text[i]
    if c == '"':
        j = i + 1
        while True:
            c2 = text[j]
            if c2 == "\\":
                j += 2
                continue
            if c2 == '"':
                return j + 1
            j += 1
    if c in "[{":
        depth = 0
        j = i
        n = len(text)
        while j < n:
            c2 = text[j]
            if c2 == '"':
                j = _json_end(text, j)
                continue
            if c2 in "[{":
                depth += 1
            elif c2 in "]}":
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        return n
    m = re.compile(r"[^,\]\}\s]+").match(text, i)
    return m.end() if m else i + 1


def _json_members(text: str, i: int) -> Iterator[tuple[Any, int, int, int]]:
    """For the container at ``i``: (key or index, key offset, value offset, value end)."""
    opener = text[i]
    j = _json_skip_ws(text, i + 1)
    index = 0
    while j < len(text) and text[j] not in "]}":
        if opener == "{":
            key_end = _json_end(text, j)
            import json

            key = json.loads(text[j:key_end])
            key_at = j
            j = _json_skip_ws(text, key_end)
            j = _json_skip_ws(text, j + 1)  # past ':'
        else:
            key, key_at = index, j
        end = _json_end(text, j)
        yield key, key_at, j, end
        index += 1
        j = _json_skip_ws(text, end)
        if j < len(text) and text[j] == ",":
            j = _json_skip_ws(text, j + 1)


def json_spans(text: str, path: Path) -> tuple[Optional[tuple[int, int]], tuple[int, int], bool]:
    """(key offsets or None, value offsets, exact) for ``path`` in JSON ``text``."""
    start = _json_skip_ws(text, 0)
    if start >= len(text):
        return None, (0, 0), False
    span = (start, _json_end(text, start))
    key_span_: Optional[tuple[int, int]] = None
    for step in path:
        if text[span[0]] not in "[{":
            return key_span_, span, False
        is_object = text[span[0]] == "{"
        found = None
        for key, key_at, v_at, v_end in _json_members(text, span[0]):
            if key == step:
                found = (key_at, v_at, v_end)
                if not is_object:
                    break
                # a repeated key: the last one is the value that was loaded
        if found is None:
            return key_span_, span, False
        key_at, v_at, v_end = found
        key_span_ = (key_at, _json_end(text, key_at)) if is_object else None
        span = (v_at, v_end)
    return key_span_, span, True


def _json_locate(text: str, path: Path) -> Span:
    _, (start, end), exact = json_spans(text, path)
    line, col = _line_col(text, start)
    end_line, end_col = _line_col(text, end)
    return Span(line, col, end_line, end_col, start, end, exact)
