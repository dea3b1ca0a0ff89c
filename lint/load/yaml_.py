"""The YAML fast path: libyaml composes each stream, a small builder makes the data.

Each YAML stream is composed with libyaml (PyYAML's C parser) and plain dicts,
lists and scalars are built from the node graph by a constructor of our own:
unknown tags (CloudFormation's ``!Ref``, ``!!python/...``) never construct
objects but become :class:`~gpulint.load.document.Tagged`, aliases are shared
rather than copied (and an alias bomb, more than :data:`MAX_ALIAS_EXPANSION`
nodes beyond those written, is refused), duplicate keys are recorded, and
nesting is bounded by :data:`~gpulint.load.text.MAX_DEPTH`.
:func:`compose_documents` gives the composed nodes (with their marks) to the
position lookups and to ``--fix``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import yaml

from gpulint.load.document import Document, DuplicateKey, LoadError, Tagged
from gpulint.load.text import MAX_DEPTH, check_nesting

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.load.source import Source

try:  # pragma: no cover - the C loader is present on every supported platform
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

#: plain scalar -> tag; libyaml calls back into Python to resolve every scalar,
#: and manifests repeat the same few hundred values (keys above all)
_RESOLVED: dict[str, str] = {}
_RESOLVED_MAX = 200_000


class Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """libyaml's safe loader, remembering how plain scalars resolve."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_RESOLVED) < _RESOLVED_MAX:
                    _RESOLVED[value] = tag
            return tag
        return super().resolve(kind, value, implicit)


#: how many nodes aliases may add beyond the nodes actually written
MAX_ALIAS_EXPANSION = 100_000
#: the tag of a merge key (``<<``)
MERGE_TAG = "tag:yaml.org,2002:merge"

_STR = "tag:yaml.org,2002:str"
_ScalarNode = yaml.ScalarNode
_SequenceNode = yaml.SequenceNode
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_PLAIN_AS_STR = {
    _STR,
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:value",
}


def compose_documents(text: str) -> list[Any]:
    """The composed documents of a YAML stream (libyaml nodes, with start and end
    marks); those before a syntax error when there is one."""
    return _compose(text)[0]


def _compose(text: str) -> tuple[list[Any], Optional[yaml.YAMLError]]:
    loader = Loader(text)
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
            elif tag == MERGE_TAG:
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
    check_nesting(text)
    try:
        nodes, error = _compose(text)
    except RecursionError:
        raise LoadError(f"nesting deeper than {MAX_DEPTH} levels") from None
    if error is not None and not nodes:
        raise _syntax_error(error, text)
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
        source.error = _syntax_error(error, text)


def _syntax_error(exc: yaml.YAMLError, text: str = "") -> LoadError:
    if isinstance(exc, yaml.MarkedYAMLError):
        from gpulint.load.hints import yaml_hint

        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        context = f" {exc.context}" if exc.context else ""
        hint = yaml_hint(text, exc)
        line = mark.line + 1 if mark else 1
        col = mark.column + 1 if mark else 1
        return LoadError(f"invalid YAML: {problem}{context}" + (f" (hint: {hint})" if hint else ""), line, col)
    return LoadError(f"invalid YAML: {exc}")
