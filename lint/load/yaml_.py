"""The YAML fast path: libyaml composes each stream, a small builder makes the data.

Each YAML stream is composed with libyaml (PyYAML's C parser) and plain dicts,
lists and scalars are built from the node graph by a constructor of our own:
unknown tags (CloudFormation's ``!Ref``, ``!!python/...``) never construct
objects but become :class:`~gpulint.load.document.Tagged`, aliases are shared
rather than copied, duplicate keys (compared by type and value) are recorded,
and a mapping or list used as a key is refused. Nesting is bounded by
:data:`~gpulint.load.text.MAX_DEPTH`, counted on libyaml's events before the
composer recurses when the text could nest that deep; a document that may hold
aliases is measured before anything is built from it, keys included: an alias
bomb (more than :data:`MAX_ALIAS_EXPANSION` nodes beyond those written), a
recursive alias and nesting deeper than the bound through aliases are refused.
:func:`compose_documents` gives the composed nodes (with their marks) to the
position lookups and to ``--fix``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Optional

import yaml

from gpulint.load.document import Document, DuplicateKey, LoadError, Tagged
from gpulint.load.text import MAX_DEPTH, MAX_INT_DIGITS, line_col, may_nest_too_deep, nesting_error

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
    if len(value) > MAX_INT_DIGITS:
        raise ValueError("too long")  # kept as the text written
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
    """Turns one composed document into plain data.

    A document that may hold aliases has been measured first (:func:`_measure`):
    no cycles, a bounded expansion and depth. Aliased collections are built once
    and shared; merge keys copy at most the expansion that measuring allowed.
    """

    def __init__(self, doc_index: int, duplicates: list[DuplicateKey]) -> None:
        self.doc_index = doc_index
        self.duplicates = duplicates
        self.memo: dict[int, Any] = {}

    def build(self, node: Any, depth: int = 0) -> Any:
        # Scalars (most nodes) are rebuilt where an alias repeats them: cheaper than a memo,
        # and a repeated scalar cannot make a document grow beyond the aliases written.
        if type(node) is _ScalarNode:
            return node.value if node.tag == _STR else _scalar(node)
        if depth >= MAX_DEPTH:  # the collection that opens level MAX_DEPTH + 1
            raise nesting_error(node.start_mark.line + 1, node.start_mark.column + 1)
        key = id(node)
        if key in self.memo:
            return self.memo[key]
        if type(node) is _SequenceNode:
            out: Any = [self.build(child, depth + 1) for child in node.value]
        else:
            out = self._mapping(node, depth)
        self.memo[key] = out
        return out

    def _mapping(self, node: Any, depth: int) -> dict:
        out: dict = {}
        seen: dict[Any, Any] = {}  # key (typed when not a string) -> its first key node
        stored: Optional[dict] = None
        merges: list[Any] = []
        build = self.build
        for key_node, value_node in node.value:
            tag = key_node.tag
            if tag == _STR and type(key_node) is _ScalarNode:
                key = typed = key_node.value  # the usual key: a plain string
            elif tag == MERGE_TAG:
                merges.append(value_node)
                continue
            else:
                if stored is None:
                    stored = {}
                key, typed = _other_key(key_node, out, stored)
            if typed in seen:
                first = seen[typed]
                mark = key_node.start_mark
                self.duplicates.append(
                    DuplicateKey(self.doc_index, _key_text(key_node), mark.line + 1, mark.column + 1,
                                 first.start_mark.line + 1)
                )
            else:
                seen[typed] = key_node
            if type(value_node) is _ScalarNode:
                out[key] = value_node.value if value_node.tag == _STR else _scalar(value_node)
            else:
                out[key] = build(value_node, depth + 1)
        for merge in merges:
            sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            for src in sources:
                data = build(src, depth + 1)
                if isinstance(data, dict):
                    for k, v in data.items():
                        out.setdefault(k, v)
        return out


def _other_key(key_node: Any, out: dict, stored: dict) -> tuple[Any, Any]:
    """(the key in the data, the key repeats are found by) for a key that is not a
    plain string. Keys are told apart by type and value: ``1``, ``1.0`` and
    ``true`` are three keys, though Python finds them equal, so a key equal to an
    earlier one of another type is kept as :class:`Tagged` (as written) and both
    stay. ``stored`` maps each such key to the key its first occurrence took."""
    if type(key_node) is not _ScalarNode:
        mark = key_node.start_mark
        raise LoadError("a mapping or a list as a mapping key is not supported", mark.line + 1, mark.column + 1)
    key = _scalar(key_node)
    typed = (float, "nan") if key != key else (type(key), key)
    if typed in stored:
        return stored[typed], typed  # a repeat: it replaces the first one's value
    if key in out:
        key = Tagged(key_node.tag, key_node.value)
    stored[typed] = key
    return key, typed


def _key_text(key_node: Any) -> str:
    """A repeated key as a message names it: as written, shortened."""
    text = key_node.value if isinstance(key_node.value, str) else "?"
    return text if len(text) <= 60 else text[:57] + "..."


def _measure(root: Any) -> None:
    """Refuse a document whose aliases refer to themselves, would expand it by more
    than MAX_ALIAS_EXPANSION nodes, or nest it deeper than MAX_DEPTH; in one walk
    over the distinct nodes, before anything is built from them."""
    sizes: dict[int, int] = {}  # id -> nodes with every alias copied out
    heights: dict[int, int] = {}  # id -> collections nested in it, itself included
    entered: set[int] = set()  # the collections on the path being walked
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        current, done = stack.pop()
        key = id(current)
        if done:
            children = _children(current)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            heights[key] = 1 + max((h for _, h, _ in _levels(current, heights)), default=0)
            entered.discard(key)
            continue
        if key in sizes:
            continue
        if type(current) is _ScalarNode:
            sizes[key], heights[key] = 1, 0
            continue
        if key in entered:
            mark = current.start_mark
            raise LoadError("recursive YAML alias (an anchor refers to itself)", mark.line + 1, mark.column + 1)
        entered.add(key)
        stack.append((current, True))
        stack.extend((c, False) for c in _children(current) if id(c) not in sizes)
    if heights[id(root)] > MAX_DEPTH:
        deepest, level = root, 1  # followed down to the collection that opens level MAX_DEPTH + 1
        while level <= MAX_DEPTH:
            deepest, _, merged = max(_levels(deepest, heights), key=lambda option: option[1])
            level += not merged
        raise nesting_error(deepest.start_mark.line + 1, deepest.start_mark.column + 1)
    size, written = sizes[id(root)], len(sizes)
    if size - written > MAX_ALIAS_EXPANSION:
        raise LoadError(
            f"YAML aliases expand this document to {size} nodes "
            f"(more than {MAX_ALIAS_EXPANSION} beyond the {written} written); refusing to expand it",
            root.start_mark.line + 1,
            1,
        )


def _levels(node: Any, heights: dict[int, int]) -> Iterator[tuple[Any, int, bool]]:
    """(node, the collections it nests in the data, merged) for what ``node`` holds:
    its items, or its keys and values and the mappings it merges, whose entries
    sit at its own level (so they nest one level less)."""
    if type(node) is _SequenceNode:
        for child in node.value:
            yield child, heights[id(child)], False
        return
    for key_node, value_node in node.value:
        if key_node.tag != MERGE_TAG:
            yield key_node, heights[id(key_node)], False
            yield value_node, heights[id(value_node)], False
            continue
        for src in value_node.value if type(value_node) is _SequenceNode else [value_node]:
            if type(src) is not _ScalarNode and type(src) is not _SequenceNode:
                yield src, heights[id(src)] - 1, True


def _children(node: Any) -> list[Any]:
    if type(node) is _SequenceNode:
        return node.value
    return [n for pair in node.value for n in pair]


_STARTS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_ENDS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def _check_depth(text: str) -> None:
    """Refuse a stream whose collections nest deeper than MAX_DEPTH, counted on
    libyaml's events: its parser keeps a stack of its own, while the composer
    recurses per level. Comments and scalars are not structure. A syntax error
    ends the count (composing stops at the same place); libyaml's own bound on
    nesting (1,000 levels in libyaml 0.2.5), met while it looks ahead, is this one
    too, at the place libyaml stopped."""
    parser = _BaseLoader(text)
    depth = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, _STARTS):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise nesting_error(mark.line + 1, mark.column + 1)
            elif isinstance(event, _ENDS):
                depth -= 1
    except yaml.YAMLError as exc:
        if _libyaml_depth(exc):
            mark = exc.problem_mark
            raise nesting_error(mark.line + 1, mark.column + 1) from None
    finally:
        parser.dispose()


def _libyaml_depth(exc: yaml.YAMLError) -> bool:
    return isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None and str(
        exc.problem).startswith("exceeded maximum nesting depth")


def load_yaml(source: Source) -> None:
    text = source.text
    if not text.strip():
        return  # empty or whitespace-only (tabs included): no documents, no error
    if may_nest_too_deep(text):
        _check_depth(text)
    try:
        nodes, error = _compose(text)
    except RecursionError:
        raise nesting_error(1, 1) from None
    if error is not None and not nodes:
        raise _syntax_error(error, text)
    aliases = "*" in text and "&" in text  # without both, every document is a tree
    for index, node in enumerate(nodes):
        if node is None:
            continue
        if aliases:
            _measure(node)
        data = _Builder(index, source.duplicates).build(node)
        source.documents.append(
            Document(index, data, node.start_mark.line + 1, node.start_mark.index, node.end_mark.index)
        )
    if error is not None:
        # the documents before the broken one are still linted
        source.error = _syntax_error(error, text)


def _syntax_error(exc: yaml.YAMLError, text: str) -> LoadError:
    """The error as a short kind of problem and a position; never the file's text."""
    if _libyaml_depth(exc):
        return nesting_error(exc.problem_mark.line + 1, exc.problem_mark.column + 1)
    if isinstance(exc, yaml.MarkedYAMLError):
        from gpulint.load.hints import yaml_hint

        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        col = mark.column + 1 if mark else 1
        if exc.problem == "second occurrence" and exc.context_mark is not None:
            return LoadError(f"invalid YAML: anchor defined twice (first on line {exc.context_mark.line + 1})",
                             line, col)
        problem = exc.problem or "invalid YAML"
        context = f" {exc.context}" if exc.context else ""
        hint = yaml_hint(text, exc)
        return LoadError(f"invalid YAML: {problem}{context}" + (f" (hint: {hint})" if hint else ""), line, col)
    if isinstance(exc, yaml.reader.ReaderError) and isinstance(exc.position, int):
        # libyaml counts the offset in UTF-8 bytes
        offset = len(text.encode("utf-8")[: exc.position].decode("utf-8", "ignore"))
        line, col = line_col(text, offset)
        return LoadError(f"invalid YAML: character U+{exc.character:04X} is not allowed ({exc.reason})", line, col)
    return LoadError("invalid YAML")
