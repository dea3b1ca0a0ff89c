"""HCL text -> blocks, attributes and expressions, with the span of each.

The text is parsed by python-hcl2's Lark grammar (imported here, so only a run that meets a
``.tf`` file imports it); the raw parse tree carries the line, column and character offsets of
every token, and this module reads it into small values that keep them: literals
(:class:`Lit`), references (:class:`Ref`, ``aws_sagemaker_endpoint.chat.name``,
``var.cooldown``), strings with interpolations (:class:`Tmpl`), object and tuple constructors
(:class:`Obj`, :class:`Tup`), and anything else (:class:`Opaque`: a function call, an
operator, a conditional, a ``for`` expression), which is never evaluated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from gpulint.load.document import LoadError

#: nesting (brackets, braces, parentheses) deeper than this is refused before parsing
MAX_NESTING = 100
#: a Terraform file longer than this is not parsed (the parser reads about 200 KB a second;
#: real .tf files are a few KB)
MAX_CHARS = 1 << 20
#: a number literal written with more characters than this is not read as a number
MAX_NUMBER_CHARS = 40


@dataclass(frozen=True)
class Pos:
    """Where a piece of text is: 1-based line and column (end exclusive), character offsets."""

    line: int
    column: int
    end_line: int
    end_column: int
    start: int
    end: int


@dataclass
class Lit:
    value: Any
    pos: Pos


@dataclass
class Ref:
    """A traversal of names: ``var.x``, ``aws_sagemaker_endpoint.chat.name``."""

    parts: tuple[str, ...]
    pos: Pos


@dataclass
class Tmpl:
    """A quoted string with interpolations: literal text and the expressions between."""

    parts: list[Union[str, "Expr"]]
    pos: Pos


@dataclass
class Obj:
    items: list[tuple[str, "Expr"]]
    pos: Pos


@dataclass
class Tup:
    items: list["Expr"]
    pos: Pos


@dataclass
class Opaque:
    """An expression gpulint does not evaluate; ``text`` is a short description of it."""

    text: str
    pos: Pos


Expr = Union[Lit, Ref, Tmpl, Obj, Tup, Opaque]


@dataclass
class Attr:
    name: str
    value: Expr
    pos: Pos  # the whole attribute, ``name = value``


@dataclass
class Block:
    type: str
    labels: list[str]
    pos: Pos
    attrs: dict[str, Attr] = field(default_factory=dict)
    blocks: list["Block"] = field(default_factory=list)
    #: an attribute set twice (an error Terraform reports): its name
    repeated: list[str] = field(default_factory=list)


def parse(text: str) -> Block:
    """The file as one body block (type ``""``). Raises :class:`LoadError` for text that is not HCL."""
    if len(text) > MAX_CHARS:
        raise LoadError(f"a Terraform file over {MAX_CHARS >> 20} MiB is not read")
    _check_nesting(text)
    from hcl2.api import parses_to_tree
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        tree = parses_to_tree(text)
    except UnexpectedInput as exc:
        line, column = getattr(exc, "line", 1), getattr(exc, "column", 1)
        if not isinstance(line, int) or line < 1:
            line, column = text.count("\n") + 1, 1
        raise LoadError("not valid HCL: the Terraform syntax breaks here", line, max(1, column or 1)) from None
    except (LarkError, RecursionError, ValueError) as exc:
        raise LoadError(f"not valid HCL ({type(exc).__name__})") from None
    body = _child(tree, "body")
    top = Block("", [], Pos(1, 1, 1, 1, 0, 0))
    if body is not None:
        _read_body(body, top, 0)
    return top


def _check_nesting(text: str) -> None:
    depth = 0
    line = 1
    for ch in text:
        if ch in "([{":
            depth += 1
            if depth > MAX_NESTING:
                raise LoadError(f"nested more than {MAX_NESTING} levels deep; not read", line)
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif ch == "\n":
            line += 1


# --------------------------------------------------------------------------- tree helpers


def _pos(node: Any) -> Pos:
    if hasattr(node, "meta"):
        m = node.meta
        if getattr(m, "empty", True):
            return Pos(1, 1, 1, 1, -1, -1)
        return Pos(m.line, m.column, m.end_line, m.end_column, m.start_pos, m.end_pos)
    return Pos(node.line, node.column, node.end_line, node.end_column, node.start_pos, node.end_pos)


def _span(first: Pos, last: Pos) -> Pos:
    return Pos(first.line, first.column, last.end_line, last.end_column, first.start, last.end)


def _is_tree(node: Any, name: Optional[str] = None) -> bool:
    return hasattr(node, "data") and (name is None or node.data == name)


def _child(node: Any, name: str) -> Any:
    return next((c for c in node.children if _is_tree(c, name)), None)


def _trees(node: Any) -> list[Any]:
    return [c for c in node.children if _is_tree(c) and c.data != "new_line_or_comment"]


def _name_of(node: Any) -> Optional[str]:
    """The text of an identifier, keyword or bare literal name (``true`` as a block type)."""
    if _is_tree(node) and node.data in ("identifier", "keyword", "literal_value") and node.children:
        return str(node.children[0])
    return None


# --------------------------------------------------------------------------- bodies


def _read_body(body: Any, block: Block, depth: int) -> None:
    for node in _trees(body):
        if node.data == "attribute":
            parts = _trees(node)
            name = _name_of(parts[0]) if parts else None
            if name is None or len(parts) < 2:
                continue
            if name in block.attrs:
                block.repeated.append(name)
            block.attrs[name] = Attr(name, expression(parts[-1], depth + 1), _pos(node))
        elif node.data == "block":
            block.blocks.append(_read_block(node, depth + 1))


def _read_block(node: Any, depth: int) -> Block:
    if depth > MAX_NESTING:
        raise LoadError(f"nested more than {MAX_NESTING} levels deep; not read", _pos(node).line)
    heads = [c for c in node.children if _is_tree(c) and c.data in ("identifier", "keyword", "literal_value", "string")]
    names: list[str] = []
    for head in heads:
        if head.data == "string":
            value = expression(head, depth)
            names.append(value.value if isinstance(value, Lit) and isinstance(value.value, str) else "")
        else:
            names.append(_name_of(head) or "")
    block = Block(names[0] if names else "", names[1:], _pos(node))
    body = _child(node, "body")
    if body is not None:
        _read_body(body, block, depth)
    return block


# --------------------------------------------------------------------------- expressions


def expression(node: Any, depth: int = 0) -> Expr:
    """One expression node of the parse tree as an :data:`Expr`."""
    pos = _pos(node)
    if depth > MAX_NESTING:
        raise LoadError(f"nested more than {MAX_NESTING} levels deep; not read", pos.line)
    kind = node.data if _is_tree(node) else ""
    if kind == "expr_term":
        inner = _trees(node)
        if len(inner) == 1 and not any(not _is_tree(c) and c.type == "LPAR" for c in node.children):
            return expression(inner[0], depth + 1)
        return Opaque("a parenthesised expression", pos)
    if kind in ("int_lit", "float_lit"):
        return _number(str(node.children[0]), pos)
    if kind == "literal_value":
        return Lit({"true": True, "false": False, "null": None}[str(node.children[0])], pos)
    if kind == "string":
        return _string(node, pos, depth)
    if kind == "unary_op":
        return _unary(node, pos, depth)
    if kind in ("identifier", "get_attr_expr_term"):
        parts = _traversal(node)
        return Ref(parts, pos) if parts else Opaque("an expression", pos)
    if kind == "tuple":
        return Tup([expression(c, depth + 1) for c in _trees(node)], pos)
    if kind == "object":
        return _object(node, pos, depth)
    return Opaque(_DESCRIBE.get(kind, "an expression"), pos)


_DESCRIBE = {
    "function_call": "a function call",
    "conditional": "a conditional",
    "binary_op": "an operation",
    "index_expr_term": "an index",
    "attr_splat_expr_term": "a splat",
    "full_splat_expr_term": "a splat",
    "for_tuple_expr": "a for expression",
    "for_object_expr": "a for expression",
    "heredoc_template": "a heredoc",
    "heredoc_template_trim": "a heredoc",
}


def _number(text: str, pos: Pos) -> Expr:
    """A number literal; one too long to be a setting (or beyond a float) is not read."""
    if len(text) > MAX_NUMBER_CHARS:
        return Opaque("a number", pos)
    try:
        value: Any = int(text) if all(c.isdigit() or c == "-" for c in text) else float(text)
    except ValueError:
        return Opaque("a number", pos)
    if isinstance(value, float) and not math.isfinite(value):
        return Opaque("a number", pos)
    return Lit(value, pos)


def _unary(node: Any, pos: Pos, depth: int) -> Expr:
    op = str(node.children[0])
    inner = expression(node.children[-1], depth + 1)
    if isinstance(inner, Lit) and isinstance(inner.value, (int, float)) and not isinstance(inner.value, bool):
        if op == "-":
            return Lit(-inner.value, pos)
    if isinstance(inner, Lit) and isinstance(inner.value, bool) and op == "!":
        return Lit(not inner.value, pos)
    return Opaque("an operation", pos)


def _traversal(node: Any) -> tuple[str, ...]:
    """``a.b.c`` as ("a", "b", "c"); () when the expression is not a plain traversal."""
    out: list[str] = []
    while True:
        if _is_tree(node, "identifier"):
            out.append(str(node.children[0]))
            return tuple(reversed(out))
        if _is_tree(node, "get_attr_expr_term"):
            inner, attr = _trees(node)[0], _trees(node)[-1]
            name = _name_of(_trees(attr)[0]) if _trees(attr) else None
            if name is None:
                return ()
            out.append(name)
            node = inner
            continue
        if _is_tree(node, "expr_term"):
            inner_nodes = _trees(node)
            if len(inner_nodes) != 1 or any(not _is_tree(c) for c in node.children):
                return ()
            node = inner_nodes[0]
            continue
        return ()


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def unescape(text: str) -> Optional[str]:
    """A quoted string's characters with HCL's escapes read; None for an escape HCL does not have."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1:i + 2]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt in ("u", "U"):
            width = 4 if nxt == "u" else 8
            digits = text[i + 2:i + 2 + width]
            if len(digits) != width or any(c not in "0123456789abcdefABCDEF" for c in digits) \
                    or int(digits, 16) > 0x10FFFF:
                return None
            out.append(chr(int(digits, 16)))
            i += 2 + width
        else:
            return None
    return "".join(out)


def _string(node: Any, pos: Pos, depth: int) -> Expr:
    parts: list[Union[str, Expr]] = []
    for part in node.children:
        if not _is_tree(part, "string_part"):
            continue
        inner = part.children[0] if part.children else None
        if inner is None:
            continue
        if _is_tree(inner, "interpolation"):
            exprs = _trees(inner)
            parts.append(expression(exprs[0], depth + 1) if exprs else Opaque("an interpolation", pos))
        elif _is_tree(inner):
            return Opaque("a template directive", pos)
        elif inner.type == "ESCAPED_INTERPOLATION":
            parts.append("$" + str(inner)[2:])
        elif inner.type == "ESCAPED_DIRECTIVE":
            parts.append("%" + str(inner)[2:])
        else:
            text = unescape(str(inner))
            if text is None:
                return Opaque("a string", pos)
            parts.append(text)
    if all(isinstance(p, str) for p in parts):
        return Lit("".join(p for p in parts if isinstance(p, str)), pos)
    return Tmpl(parts, pos)


def _object(node: Any, pos: Pos, depth: int) -> Expr:
    items: list[tuple[str, Expr]] = []
    for elem in _trees(node):
        if elem.data != "object_elem":
            return Opaque("an object", pos)
        parts = _trees(elem)
        if len(parts) < 2:
            return Opaque("an object", pos)
        key_node = _trees(parts[0])[0] if _trees(parts[0]) else parts[0]
        key = expression(key_node, depth + 1) if _is_tree(key_node) and key_node.data != "keyword" else None
        if isinstance(key, Ref) and len(key.parts) == 1:
            name: Optional[str] = key.parts[0]
        elif isinstance(key, Lit) and isinstance(key.value, str):
            name = key.value
        else:
            name = _name_of(key_node)
        if name is None:
            return Opaque("an object", pos)
        items.append((name, expression(parts[-1], depth + 1)))
    return Obj(items, pos)
