"""Surgical JSON edits for ``--fix``: text changes at the exact spans of values.

``set`` replaces a value's text (a number stays a number, a string a string);
``add`` inserts a member after the last one of its object (or an item after the
last one of its array), indented like its siblings, with the same separators.
Everything else in the file stays byte for byte.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from gpulint.diagnostics import Edit, Path
from gpulint.fix.edits import FixError, nest, newline_of
from gpulint.load import json_members, json_root, json_value_end


def _members(text: str, start: int) -> list[tuple[Any, int, int, int]]:
    return list(json_members(text, start))


def _walk(text: str, path: Path) -> tuple[list[tuple[int, int]], int]:
    """Value spans from the root along ``path``, and how many steps exist."""
    span = json_root(text)
    if span is None:
        raise FixError("empty document")
    chain = [span]
    for i, step in enumerate(path):
        opener = text[span[0]]
        if opener == "{":
            found = None
            for key, _, v_at, v_end in _members(text, span[0]):
                if key == step:
                    found = (v_at, v_end)
            if found is None:
                return chain, i
            span = found
        elif opener == "[":
            if step == "-":
                return chain, i
            items = _members(text, span[0])
            if not isinstance(step, int) or not 0 <= step < len(items):
                raise FixError(f"no list item {step!r}")
            span = (items[step][2], items[step][3])
        else:
            return chain, i
        chain.append(span)
    return chain, len(path)


def _line_indent(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    prefix = text[start:offset]
    return prefix if not prefix.strip() else prefix[: len(prefix) - len(prefix.lstrip(" \t"))]


def _render(value: Any, indent_unit: Optional[str], base: str, kv_sep: str, item_sep: str, nl: str) -> str:
    if indent_unit is None or not isinstance(value, (dict, list)) or not value:
        return json.dumps(value, ensure_ascii=False, separators=(item_sep, kv_sep))
    text = json.dumps(value, ensure_ascii=False, indent=indent_unit, separators=(",", kv_sep))
    return text.replace("\n", nl + base)


def _set(text: str, span: tuple[int, int], value: Any) -> str:
    start, end = span
    old = text[start:end]
    if old[:1] in "{[":
        raise FixError("the value to replace is not a single value")
    if old.startswith('"') and not isinstance(value, str):
        new = json.dumps(str(value).lower() if isinstance(value, bool) else str(value), ensure_ascii=False)
    elif not old.startswith('"') and isinstance(value, str) and _is_number(value):
        new = value.strip()
    else:
        new = json.dumps(value, ensure_ascii=False)
    return text[:start] + new + text[end:]


def _is_number(text: str) -> bool:
    try:
        value = json.loads(text)
    except ValueError:
        return False
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _insert(text: str, span: tuple[int, int], key: Optional[str], value: Any, nl: str) -> tuple[str, int]:
    """Insert a member (``key``) or an item (``key`` None) into the container at ``span``."""
    start, end = span
    opener = text[start]
    members = _members(text, start)
    head = json.dumps(key, ensure_ascii=False) if key is not None else ""
    if not members:
        close = end - 1
        inner = text[start + 1 : close]
        sep = ": " if key is not None else ""
        entry = head + sep + _render(value, None, "", ": ", ", ", nl)
        if inner.strip():
            raise FixError("unexpected text in an empty container")
        return text[: start + 1] + entry + text[close:], 0
    first_at = members[0][1]
    last_key_at, last_v_at, last_v_end = members[-1][1], members[-1][2], members[-1][3]
    if opener == "{":
        key_end = json_value_end(text, last_key_at)
        kv_sep = text[key_end:last_v_at]
        if kv_sep.strip() != ":" or "\n" in kv_sep:
            kv_sep = ": "
    else:
        kv_sep = ": "
    multiline = "\n" in text[start:first_at]
    if multiline:
        base = _line_indent(text, last_key_at)
        parent = _line_indent(text, start)
        unit = base[len(parent):] if base.startswith(parent) and len(base) > len(parent) else "  "
        rendered = _render(value, unit, base, kv_sep if opener == "{" else ": ", ", ", nl)
        entry = "," + nl + base + (head + kv_sep if key is not None else "") + rendered
    else:
        item_sep = ", "
        if len(members) > 1:
            between = text[members[0][3] : members[1][1]]
            if between.strip() == ",":
                item_sep = between
        rendered = _render(value, None, "", kv_sep, item_sep, nl)
        entry = item_sep + (head + kv_sep if key is not None else "") + rendered
    return text[:last_v_end] + entry + text[last_v_end:], len(members)


def apply_edit(text: str, doc_index: int, edit: Edit) -> tuple[str, Path]:
    if doc_index != 0:
        raise FixError("a JSON file holds one document")
    path = tuple(edit.path)
    chain, depth = _walk(text, path)
    nl = newline_of(text)
    if edit.op not in ("set", "add"):
        raise FixError(f"unknown edit {edit.op!r}")
    if depth == len(path):
        if edit.op == "set":
            return _set(text, chain[-1], edit.value), path
        old = json.loads(text[chain[-1][0] : chain[-1][1]])
        if old != edit.value:
            raise FixError(f"'{path[-1]}' is already set")
        return text, path
    span = chain[-1]
    rest = path[depth:]
    first = rest[0]
    value = nest(rest, edit.value)
    opener = text[span[0]]
    if opener == "{":
        if first == "-" or isinstance(first, int):
            raise FixError("expected an array, found an object")
        new, _ = _insert(text, span, str(first), value, nl)
        return new, path[: depth + 1]
    if opener == "[":
        if first != "-":
            raise FixError(f"no list item {first!r}")
        new, index = _insert(text, span, None, value, nl)
        return new, path[:depth] + (index,)
    raise FixError(f"cannot add '{first}' under a single value")
