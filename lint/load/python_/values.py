"""Python expressions read as values, with the span of the text each came from.

:class:`Reader` turns an expression into the value it certainly has: a literal (``60``,
``"ml.g5.xlarge"``, ``True``, ``-1``), a dict or list literal of such values, ``dict(k=v)``, a
name bound exactly once to one of these (:mod:`.scope`), and strings built of such parts
(``f"endpoint/{NAME}/variant/AllTraffic"``, ``"a" + B``). Anything else is an unknown value,
written as a placeholder (``${name}``, ``${...}``) that the model treats as known only at run
time. Each value read records its span in the document's position table: exact (``--fix`` may
replace it) only for a literal written where it is used, or bound to a name read once in the
whole file; the span of a value built from parts, or of an unknown one, is not exact.
"""

from __future__ import annotations

import ast
import bisect
import re
from typing import Any, Optional

from gpulint.load.python_.scope import Module, Scope
from gpulint.load.spans import Span

#: how deep a value is read (dicts in lists in dicts ...; names bound to names)
MAX_DEPTH = 60
UNKNOWN = "${...}"

_NEWLINE = re.compile(r"\r\n|\r|\n")


class Text:
    """Line starts of a file, to turn ``ast`` positions (UTF-8 byte columns) into spans."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
        self.ascii = text.isascii()
        #: per line with other characters: (byte offsets where a wide character ends, the
        #: extra bytes up to there), to find a character column by bisection
        self._wide: dict[int, tuple[list[int], list[int]]] = {}

    def _offset(self, line: int, byte_col: int) -> tuple[int, int]:
        """(character offset, 1-based character column) of a byte column on a 1-based line."""
        line = min(max(line, 1), len(self.starts))
        start = self.starts[line - 1]
        col = byte_col
        if not self.ascii:
            ends, extra = self._line_table(line)
            at = bisect.bisect_right(ends, byte_col)
            col = byte_col - (extra[at - 1] if at else 0)
        return start + col, col + 1

    def _line_table(self, line: int) -> tuple[list[int], list[int]]:
        table = self._wide.get(line)
        if table is None:
            end = self.starts[line] if line < len(self.starts) else len(self.text)
            ends: list[int] = []
            extra: list[int] = []
            width = added = 0
            for ch in self.text[self.starts[line - 1]:end]:
                size = 1 if ch < "\x80" else len(ch.encode("utf-8", "surrogatepass"))
                width += size
                if size > 1:
                    added += size - 1
                    ends.append(width)
                    extra.append(added)
            table = self._wide[line] = (ends, extra)
        return table

    def span(self, node: Any, exact: bool = True) -> Span:
        start, col = self._offset(node.lineno, node.col_offset)
        end_line = getattr(node, "end_lineno", None) or node.lineno
        end_col_bytes = getattr(node, "end_col_offset", None)
        if end_col_bytes is None:
            end, end_col = start, col
        else:
            end, end_col = self._offset(end_line, end_col_bytes)
        return Span(node.lineno, col, end_line, end_col, start, end, exact)


def placeholder(node: Any) -> str:
    """The placeholder for an unknown value: its name when it is a plain name."""
    return f"${{{node.id}}}" if isinstance(node, ast.Name) else UNKNOWN


class Reader:
    """Reads expressions of one module into values and positions."""

    def __init__(self, module: Module, text: Text) -> None:
        self.module = module
        self.text = text

    def deref(self, node: ast.expr, scope: Scope, depth: int = 0) -> tuple[ast.expr, bool]:
        """Follow a name bound exactly once (to an expression) to that expression; (the node,
        whether its text is used only here)."""
        once = True
        while isinstance(node, ast.Name) and depth < MAX_DEPTH:
            bound = self.module.single(scope, node.id)
            if not isinstance(bound, ast.expr):
                break
            if node.id in self.module.mutated and isinstance(bound, (ast.Dict, ast.List)):
                break  # may be changed in place after it was bound (``x.append``, ``x["k"] = v``)
            once = once and self.module.loads.get(node.id, 0) == 1
            node = bound
            depth += 1
        return node, once

    def read(self, node: ast.expr, scope: Scope, path: tuple, positions: dict, exact: bool = True,
             depth: int = 0) -> Any:
        """The value of ``node`` (a placeholder when unknown); its span into ``positions``."""
        target, once = self.deref(node, scope)
        exact = exact and once
        if depth > MAX_DEPTH:
            positions[path] = self.text.span(node, False)
            return UNKNOWN
        value, known = self._literal(target, scope, path, positions, exact, depth)
        if not known:
            positions[path] = self.text.span(target, False)
            return placeholder(node)
        positions.setdefault(path, self.text.span(target, exact))  # built strings set their own
        return value

    def _literal(self, node: ast.expr, scope: Scope, path: tuple, positions: dict, exact: bool,
                 depth: int) -> tuple[Any, bool]:
        if isinstance(node, ast.Constant):
            value = node.value
            if value is None or isinstance(value, (bool, int, float, str)):
                return value, True
            return None, False
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) \
                and isinstance(node.operand, ast.Constant) and type(node.operand.value) in (int, float):
            return (-node.operand.value if isinstance(node.op, ast.USub) else node.operand.value), True
        if isinstance(node, ast.Dict):
            return self._dict(node, scope, path, positions, exact, depth)
        if isinstance(node, (ast.List, ast.Tuple)):
            if any(isinstance(e, ast.Starred) for e in node.elts):
                return None, False
            return [self.read(e, scope, path + (i,), positions, exact, depth + 1)
                    for i, e in enumerate(node.elts)], True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" \
                and not node.args and self.module.single(scope, "dict") is None \
                and not self.module.binding(scope, "dict")[1] and all(k.arg for k in node.keywords):
            out = {k.arg: self.read(k.value, scope, path + (k.arg,), positions, exact, depth + 1)
                   for k in node.keywords}
            positions[path] = self.text.span(node, exact)
            return out, True
        number = self.number(node, scope, depth)
        if number is not None:
            positions[path] = self.text.span(node, False)  # computed: no literal to edit
            return number, True
        text = self.string(node, scope, depth)
        if text is not None:
            positions[path] = self.text.span(node, False)
            return text, True
        return None, False

    def _dict(self, node: ast.Dict, scope: Scope, path: tuple, positions: dict, exact: bool,
              depth: int) -> tuple[Any, bool]:
        keys = []
        for key in node.keys:
            if key is None:
                return None, False  # {**other}: members unknown
            resolved, _ = self.deref(key, scope)
            if not (isinstance(resolved, ast.Constant) and isinstance(resolved.value, str)):
                return None, False
            keys.append(resolved.value)
        out: dict = {}
        for key, value in zip(keys, node.values):
            if key in out:  # a repeated key: the last one is the value
                for old in [p for p in positions if p[:len(path) + 1] == path + (key,)]:
                    del positions[old]
            out[key] = self.read(value, scope, path + (key,), positions, exact, depth + 1)
        return out, True

    def number(self, node: ast.expr, scope: Scope, depth: int = 0) -> Optional[int]:
        """A whole number computed from whole-number literals by ``+``, ``-`` and ``*``
        (``6 * 3600``); None for anything else or beyond 18 digits."""
        node, _ = self.deref(node, scope)
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return node.value if abs(node.value) < 10**18 else None
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult))):
            return None
        left = self.number(node.left, scope, depth + 1)
        right = self.number(node.right, scope, depth + 1) if left is not None else None
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Add):
            value = left + right
        elif isinstance(node.op, ast.Sub):
            value = left - right
        else:
            value = left * right
        return value if abs(value) < 10**18 else None

    def string(self, node: ast.expr, scope: Scope, depth: int = 0) -> Optional[str]:
        """A string built of known parts (f-strings, ``+``); unknown parts as placeholders.
        None when ``node`` builds no string."""
        node, _ = self.deref(node, scope)
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            parts = []
            for part in node.values:
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    parts.append(part.value)
                elif isinstance(part, ast.FormattedValue):
                    parts.append(self._formatted(part, scope, depth))
                else:
                    return None
            return "".join(parts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.string(node.left, scope, depth + 1), self.string(node.right, scope, depth + 1)
            if left is not None and right is not None:
                return left + right
        return None

    def _formatted(self, part: ast.FormattedValue, scope: Scope, depth: int) -> str:
        if part.conversion == -1 and part.format_spec is None:
            inner, _ = self.deref(part.value, scope)
            if isinstance(inner, ast.Constant) and type(inner.value) in (str, int):
                return str(inner.value)
            text = self.string(inner, scope, depth + 1)
            if text is not None:
                return text
        return placeholder(part.value)
