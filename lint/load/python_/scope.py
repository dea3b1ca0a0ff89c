"""Where each name of a Python module is bound, and to what: enough to read a name bound
exactly once to a literal, and to tell which names were imported from which module.

One pass over the tree, with an explicit stack (a deeply nested file must not exhaust the
interpreter's recursion), collects per scope (the module, each function, each class body) the
bindings of each name: the value of a plain assignment ``x = ...`` or ``x: T = ...``, the
module path of an import, or :data:`OTHER` for every other binding (a loop target, ``with ...
as x``, ``except ... as x``, an augmented assignment, ``del``, a walrus, a parameter, a
``def``). Comprehensions are counted in the scope around them (their targets then count as
bindings there: a name that might be rebound is never read). A name declared ``global`` or
``nonlocal`` anywhere is never read.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Optional, Union

#: a binding that is not a plain assignment or an import
OTHER = object()

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


@dataclass(frozen=True)
class Imported:
    """A name bound by an import: the dotted path it stands for (``sagemaker.pytorch.PyTorch``)."""

    path: str


Binding = Union[ast.expr, Imported, object]


@dataclass(eq=False)
class Scope:
    parent: Optional["Scope"]
    is_class: bool = False
    binds: dict[str, list[Binding]] = field(default_factory=dict)

    def bind(self, name: str, value: Binding) -> None:
        self.binds.setdefault(name, []).append(value)


@dataclass
class Module:
    """The scopes of one module and every call in it, with the scope it is made in."""

    root: Scope
    calls: list[tuple[ast.Call, Scope]]
    loads: dict[str, int]  # how many times each name is read, in the whole file
    declared: set[str]  # names declared global or nonlocal somewhere
    #: assignments to attributes (``self.sm = ...``), by their dotted text, in the whole file
    attributes: dict[str, list[ast.expr]] = field(default_factory=dict)
    #: names whose object may be changed in place: the base of an attribute (``x.append(...)``,
    #: ``x.update(...)``) or of an assigned or deleted item (``x["k"] = v``), anywhere in the file
    mutated: set[str] = field(default_factory=set)
    #: id of a value assigned to a plain name -> that name (``est = PyTorch(...)``)
    assigned: dict[int, str] = field(default_factory=dict)

    def binding(self, scope: Scope, name: str) -> tuple[Optional[Scope], list[Binding]]:
        """The scope that binds ``name`` as seen from ``scope`` (class bodies are skipped
        from the functions inside them, as Python does), and its bindings."""
        current: Optional[Scope] = scope
        first = True
        while current is not None:
            if (first or not current.is_class) and name in current.binds:
                return current, current.binds[name]
            first = False
            current = current.parent
        return None, []

    def single(self, scope: Scope, name: str) -> Optional[Binding]:
        """What ``name`` is bound to, when it is bound exactly once; else None."""
        if name in self.declared:
            return None
        _, found = self.binding(scope, name)
        return found[0] if len(found) == 1 and found[0] is not OTHER else None

    def import_path(self, scope: Scope, node: ast.expr) -> Optional[str]:
        """The dotted path ``node`` names through an import (``PT`` after ``from
        sagemaker.pytorch import PyTorch as PT`` is ``sagemaker.pytorch.PyTorch``), else None."""
        attrs: list[str] = []
        while isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        bound = self.single(scope, node.id)
        if not isinstance(bound, Imported):
            return None
        return ".".join([bound.path] + attrs[::-1])


def analyse(tree: ast.Module) -> Module:
    root = Scope(None)
    module = Module(root, [], {}, set())
    stack: list[tuple[Any, Scope]] = [(tree, root)]
    while stack:
        node, scope = stack.pop()
        children = _visit(node, scope, module, stack)
        for child in children:
            stack.append((child, scope))
    return module


def _visit(node: Any, scope: Scope, module: Module, stack: list) -> list:
    """Record what ``node`` binds or reads; return the children to visit in ``scope`` (nodes
    that open a scope push their own children)."""
    if isinstance(node, ast.Name):
        if isinstance(node.ctx, ast.Load):
            module.loads[node.id] = module.loads.get(node.id, 0) + 1
        else:
            scope.bind(node.id, OTHER)
        return []
    if isinstance(node, ast.Call):
        module.calls.append((node, scope))
    elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        module.mutated.add(node.value.id)
    elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and not isinstance(node.ctx, ast.Load):
        module.mutated.add(node.value.id)
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Name) and node.value is not None:
            scope.bind(targets[0].id, node.value)
            module.assigned[id(node.value)] = targets[0].id
            rest = [node.value] + ([node.annotation] if isinstance(node, ast.AnnAssign) else [])
            return rest
        dotted = dotted_name(targets[0]) if len(targets) == 1 and isinstance(node, ast.Assign) else None
        if dotted and "." in dotted:
            module.attributes.setdefault(dotted, []).append(node.value)
        return list(ast.iter_child_nodes(node))
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        _imports(node, scope)
        return []
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        module.declared.update(node.names)
        return []
    if isinstance(node, _FUNCTIONS + (ast.ClassDef,)):
        return _open_scope(node, scope, stack)
    for name in _other_bindings(node):
        scope.bind(name, OTHER)
    return list(ast.iter_child_nodes(node))


def dotted_name(node: Any, limit: int = 8) -> Optional[str]:
    """``self.sm`` for an attribute chain on a name; None for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute) and len(parts) < limit:
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id] + parts[::-1])


def _imports(node: Union[ast.Import, ast.ImportFrom], scope: Scope) -> None:
    for alias in node.names:
        if isinstance(node, ast.Import):
            if alias.asname:
                scope.bind(alias.asname, Imported(alias.name))
            else:
                top = alias.name.split(".")[0]
                scope.bind(top, Imported(top))
        elif alias.name == "*" or node.level:
            if alias.name != "*":
                scope.bind(alias.asname or alias.name, OTHER)  # a relative import: the project's own code
        else:
            scope.bind(alias.asname or alias.name, Imported(f"{node.module}.{alias.name}"))


def _open_scope(node: Any, scope: Scope, stack: list) -> list:
    """A function or class: its name is bound where it is defined; its decorators, defaults
    and bases are read there; its body (and parameters) belong to a new scope."""
    outside: list = list(getattr(node, "decorator_list", []))
    inner = Scope(scope, is_class=isinstance(node, ast.ClassDef))
    if isinstance(node, ast.ClassDef):
        scope.bind(node.name, OTHER)
        outside += node.bases + [k.value for k in node.keywords]
        body = node.body
    else:
        if not isinstance(node, ast.Lambda):
            scope.bind(node.name, OTHER)
        args = node.args
        outside += [d for d in args.defaults + args.kw_defaults if d is not None]
        for arg in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
            if arg is not None:
                inner.bind(arg.arg, OTHER)
        body = node.body if isinstance(node.body, list) else [node.body]
    for child in body:
        stack.append((child, inner))
    return outside


def _other_bindings(node: Any) -> list[str]:
    """Names bound by nodes that are not ``ast.Name`` targets."""
    if isinstance(node, ast.ExceptHandler) and node.name:
        return [node.name]
    if isinstance(node, (getattr(ast, "MatchAs", ()), getattr(ast, "MatchStar", ()))) and node.name:
        return [node.name]
    if isinstance(node, getattr(ast, "MatchMapping", ())) and node.rest:
        return [node.rest]
    return []
