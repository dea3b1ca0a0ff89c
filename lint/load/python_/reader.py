"""One parsed module into documents: the boto3 calls (:mod:`.boto`) and the SageMaker Python
SDK calls (:mod:`.sdk`), in the order they are written."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Optional

from gpulint.load.document import Document
from gpulint.load.python_.scope import Module, Scope, analyse
from gpulint.load.python_.values import Reader, Text
from gpulint.load.spans import Span

#: the most documents one file yields: the calls after them are not read (no hand-written file
#: holds that many; a generated one of a million calls must not take minutes)
MAX_DOCUMENTS = 1_000


@dataclass
class Built:
    """A request being built from one call: its data and the span of each value."""

    call: ast.Call
    form: str
    label: str
    data: dict = field(default_factory=dict)
    positions: dict = field(default_factory=dict)


class Context:
    """What the readers of one module share: the scopes, the value reader, the text."""

    def __init__(self, tree: ast.Module, text: str) -> None:
        self.module: Module = analyse(tree)
        self.text = Text(text)
        self.values = Reader(self.module, self.text)

    def span(self, node: Any, exact: bool = False) -> Span:
        return self.text.span(node, exact)

    def put(self, built: Built, path: tuple, node: ast.expr, scope: Scope, exact: bool = True) -> Any:
        """Read ``node`` into ``built.data`` at ``path``."""
        value = self.values.read(node, scope, path, built.positions, exact)
        _holder(built.data, path)[path[-1]] = value
        return value

    def default(self, built: Built, path: tuple, value: Any) -> None:
        """A value the call does not write (a default the SDK sends): no span of its own."""
        holder = _holder(built.data, path)
        if isinstance(holder, list) or path[-1] not in holder:
            holder[path[-1]] = value

    def resolve_call(self, node: ast.expr, scope: Scope) -> Optional[ast.Call]:
        """The call ``node`` is, or the call a name is bound to exactly once."""
        target, _ = self.values.deref(node, scope)
        return target if isinstance(target, ast.Call) else None


def _holder(data: dict, path: tuple) -> Any:
    """The dict (or list) that holds ``path``'s last step, made on the way (lists exist already)."""
    holder: Any = data
    for step in path[:-1]:
        holder = holder[step] if isinstance(holder, list) else holder.setdefault(step, {})
    return holder


def read_module(tree: ast.Module, text: str) -> list[Document]:
    from gpulint.load.python_ import boto, sdk

    ctx = Context(tree, text)
    built: list[Built] = []
    for call, scope in sorted(ctx.module.calls, key=lambda c: (c[0].lineno, c[0].col_offset)):
        if len(built) >= MAX_DOCUMENTS:
            break
        for reader in (boto.read_call, sdk.read_call):
            made = reader(ctx, call, scope)
            if made:
                built.extend(made)
                break
    docs = []
    for i, b in enumerate(built):
        where = ctx.span(b.call)
        b.positions.setdefault((), where)
        docs.append(Document(i, b.data, where.line, where.start, where.end, positions=b.positions,
                             form=b.form, label=f"Python {b.label}"))
    return docs
