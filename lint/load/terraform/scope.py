"""What the names of a Terraform module stand for, and the values of expressions.

A :class:`Scope` holds, for the ``.tf`` files of one module (one folder), each input
variable's ``default``, each ``locals`` value and each top-level attribute of each resource.
:meth:`Scope.value` evaluates an expression to data: literals as they are, references through
the scope, strings with interpolations joined when every part is known. Whatever cannot be
known from the files (a variable with no default or set by a ``.tfvars`` file, a data source, a
module output, a function call, an attribute the provider computes) becomes a placeholder
string ``${...}``: an unknown value that rules stay silent on.
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Optional

from gpulint.load.terraform.hcl import Block, Expr, Lit, Obj, Opaque, Ref, Tmpl, Tup

#: references followed through more steps than this are unknown (and so is a cycle)
MAX_STEPS = 16


def unknown(text: str) -> str:
    """The placeholder standing for an unknown value (braces and line breaks taken out)."""
    clean = "".join(c for c in text if c not in "{}\n\r\t")[:80]
    return "${" + (clean or "unknown") + "}"


def ref_text(parts: Iterable[str]) -> str:
    return ".".join(parts)


def has_tfvars(folder: str) -> bool:
    """Does ``folder`` hold a ``.tfvars`` file, which may set the variables to other values?"""
    try:
        return any(n.endswith((".tfvars", ".tfvars.json")) for n in os.listdir(folder or "."))
    except OSError:
        return False


class Scope:
    def __init__(self, files: Iterable[Block], variables_known: bool = True,
                 passed: Iterable[str] = ()) -> None:
        """``variables_known``: False when a .tfvars file may set every variable; ``passed``: the
        variables a module block of the run sets for this module (its default is not what is used)."""
        self.symbols: dict[tuple[str, ...], Optional[Expr]] = {}
        passed = set(passed)
        for top in files:
            for block in top.blocks:
                if block.type == "variable" and len(block.labels) == 1 and variables_known \
                        and block.labels[0] not in passed:
                    default = block.attrs.get("default")
                    self._define(("var", block.labels[0]), default.value if default else None)
                elif block.type == "variable" and len(block.labels) == 1:
                    self._define(("var", block.labels[0]), None)
                elif block.type == "locals":
                    for name, attr in block.attrs.items():
                        self._define(("local", name), attr.value)
                elif block.type == "resource" and len(block.labels) == 2:
                    for name, attr in block.attrs.items():
                        self._define((block.labels[0], block.labels[1], name), attr.value)

    def _define(self, key: tuple[str, ...], expr: Optional[Expr]) -> None:
        # a name defined twice (an error Terraform reports) stands for nothing certain
        self.symbols[key] = None if key in self.symbols else expr

    # ----------------------------------------------------------------------- values

    def value(self, expr: Expr, steps: int = 0) -> Any:
        """The data ``expr`` stands for; placeholders where it is unknown."""
        if isinstance(expr, Lit):
            return expr.value
        if isinstance(expr, Obj):
            return {k: self.value(v, steps) for k, v in expr.items}
        if isinstance(expr, Tup):
            return [self.value(v, steps) for v in expr.items]
        if isinstance(expr, Ref):
            return self.lookup(expr.parts, steps)
        if isinstance(expr, Tmpl):
            return self._template(expr, steps)
        return unknown(expr.text if isinstance(expr, Opaque) else "an expression")

    def lookup(self, parts: tuple[str, ...], steps: int = 0) -> Any:
        if steps > MAX_STEPS:
            return unknown(ref_text(parts))
        if parts[0] in ("var", "local") and len(parts) >= 2:
            key, rest = parts[:2], parts[2:]
        elif len(parts) >= 3 and "_" in parts[0] and parts[0] not in ("data", "module"):
            key, rest = parts[:3], parts[3:]
        else:
            return unknown(ref_text(parts))
        expr = self.symbols.get(key)
        if expr is None:
            return unknown(ref_text(parts))
        value = self.value(expr, steps + 1)
        for step in rest:
            if not isinstance(value, dict) or step not in value:
                return unknown(ref_text(parts))
            value = value[step]
        return value

    def _template(self, expr: Tmpl, steps: int) -> Any:
        out: list[str] = []
        for part in expr.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = self.value(part, steps)
            if isinstance(value, bool):
                out.append("true" if value else "false")
            elif isinstance(value, (int, float)):
                out.append(_number_text(value))
            elif isinstance(value, str):
                out.append(value)
            else:
                out.append(unknown(ref_text(part.parts) if isinstance(part, Ref) else "an expression"))
        return "".join(out)


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
