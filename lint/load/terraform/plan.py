"""Terraform plans: the JSON of ``terraform show -json`` read as the resources it will create.

A JSON file with ``format_version`` and ``planned_values`` is a plan. Each supported resource
of ``planned_values`` (the root module and its child modules) becomes the same document a
``.tf`` file's resource does (:mod:`.resources`), with the values Terraform has resolved
(variables, ``.tfvars``, references). Only what the configuration sets is taken: a plan also
lists every attribute the configuration leaves out (null, or whatever the provider fills in),
and those are not the author's settings. The ``configuration`` section says which attributes
and blocks each resource sets; a resource it does not describe, or a value known only after
apply, stays unknown. Positions are those of the values in the plan; a plan is generated,
so ``--fix`` never edits it (fix the ``.tf`` file).
"""

from __future__ import annotations

import bisect
from typing import Any, Optional

from gpulint.load.document import Document
from gpulint.load.json_ import json_members, json_root, load_json
from gpulint.load.terraform.hcl import Attr, Block, Expr, Lit, Obj, Opaque, Pos, Tup
from gpulint.load.terraform.resources import MAPPINGS, build_resource
from gpulint.load.terraform.scope import Scope

#: child modules nested deeper than this are not read
MAX_MODULES = 32


def is_plan(data: Any) -> bool:
    return isinstance(data, dict) and "format_version" in data and isinstance(data.get("planned_values"), dict)


def load(source: Any) -> None:
    """A plan file named as one (``--fix`` reading it again): JSON, then the plan's documents."""
    load_json(source)
    convert(source)


def convert(source: Any) -> None:
    """Replace the JSON document of a plan by the documents of its resources."""
    data = source.documents[0].data if len(source.documents) == 1 else None
    root = json_root(source.text) if is_plan(data) else None
    if root is None:
        return
    reader = _Reader(source.text)
    planned = reader.member(root[0], "planned_values")
    module = reader.member(planned, "root_module") if planned is not None else None
    config = _dig(data, "configuration", "root_module")
    docs: list[Document] = []
    if module is not None:
        reader.module(_dig(data, "planned_values", "root_module"), module, config, docs, 0)
    source.documents = docs


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [i for i, c in enumerate(text) if c == "\n"]

    def pos(self, start: int, end: int) -> Pos:
        """Where the text from ``start`` to ``end`` is, with no offsets: located, never edited."""
        line = bisect.bisect_right(self.newlines, start - 1) + 1
        end_line = bisect.bisect_right(self.newlines, end - 1) + 1
        col = start - (self.newlines[line - 2] if line > 1 else -1)
        end_col = end - (self.newlines[end_line - 2] if end_line > 1 else -1)
        return Pos(line, col, end_line, end_col, -1, -1)

    def member(self, at: Optional[int], key: Any) -> Optional[int]:
        if at is None or self.text[at] not in "[{":
            return None
        return next((v for k, _, v, _ in json_members(self.text, at) if k == key), None)

    def members(self, at: int) -> list[tuple[Any, int, int, int]]:
        return list(json_members(self.text, at)) if self.text[at] in "[{" else []

    # ----------------------------------------------------------------------- modules

    def module(self, data: Any, at: int, config: Any, docs: list[Document], depth: int) -> None:
        if depth > MAX_MODULES or not isinstance(data, dict):
            return
        resources = data.get("resources")
        res_at = self.member(at, "resources")
        if isinstance(resources, list) and res_at is not None:
            for i, _, r_at, r_end in self.members(res_at):
                if i < len(resources):
                    self.resource(resources[i], r_at, r_end, config, docs)
        children = data.get("child_modules")
        child_at = self.member(at, "child_modules")
        if isinstance(children, list) and child_at is not None:
            for i, _, c_at, _ in self.members(child_at):
                if i < len(children) and isinstance(children[i], dict):
                    self.module(children[i], c_at, _child_config(config, children[i].get("address")), docs,
                                depth + 1)

    def resource(self, res: Any, at: int, end: int, config: Any, docs: list[Document]) -> None:
        if not isinstance(res, dict) or res.get("mode") != "managed" or res.get("type") not in MAPPINGS:
            return
        kind, name = res["type"], res.get("name")
        values, values_at = res.get("values"), self.member(at, "values")
        if not isinstance(name, str) or not isinstance(values, dict) or values_at is None:
            return
        exprs = _config_resource(config, kind, name)
        block = Block("resource", [kind, name], self.pos(at, end))
        if isinstance(exprs, dict):
            self.fill(block, values, values_at, exprs, 0)
        label = name if "index" not in res else f"{name}[{res['index']}]"
        address = res.get("address") if isinstance(res.get("address"), str) else f"{kind}.{label}"
        docs.append(build_resource(block, kind, label, Scope([]), len(docs), address))

    # ----------------------------------------------------------------------- values

    def fill(self, block: Block, values: dict, at: int, exprs: dict, depth: int) -> None:
        """``block``'s attributes and nested blocks: those ``exprs`` (the configuration) sets."""
        if depth > MAX_MODULES:
            return
        for key, key_at, v_at, v_end in self.members(at):
            if key not in exprs or key not in values:
                continue
            value, expr = values[key], exprs[key]
            if isinstance(expr, list) and isinstance(value, list):  # nested blocks
                for i, _, b_at, b_end in self.members(v_at):
                    if i < len(value) and isinstance(value[i], dict):
                        sub = Block(key, [], self.pos(b_at, b_end))
                        inner = expr[i] if i < len(expr) and isinstance(expr[i], dict) else {}
                        self.fill(sub, value[i], b_at, inner, depth + 1)
                        block.blocks.append(sub)
            elif value is not None:
                block.attrs[key] = Attr(key, self.expr(value, v_at, v_end, depth), self.pos(key_at, v_end))
        for key, expr in exprs.items():  # set in the configuration, known only after apply
            if key not in block.attrs and isinstance(expr, dict) and values.get(key) is None \
                    and not any(b.type == key for b in block.blocks):
                block.attrs[key] = Attr(key, Opaque("known after apply", block.pos), block.pos)

    def expr(self, value: Any, at: int, end: int, depth: int) -> Expr:
        pos = self.pos(at, end)
        if depth > MAX_MODULES:
            return Opaque("a value", pos)
        if isinstance(value, dict):
            return Obj([(k, self.expr(value[k], v_at, v_end, depth + 1))
                        for k, _, v_at, v_end in self.members(at) if k in value], pos)
        if isinstance(value, list):
            return Tup([self.expr(value[i], v_at, v_end, depth + 1)
                        for i, _, v_at, v_end in self.members(at) if i < len(value)], pos)
        return Lit(value, pos)


def _child_config(config: Any, address: Any) -> Any:
    """The configuration of the child module at ``address`` (``module.a.module.b[0]``)."""
    if not isinstance(address, str):
        return None
    name = address.split(".")[-1].split("[")[0]
    return _dig(config, "module_calls", name, "module")


def _config_resource(config: Any, kind: str, name: str) -> Any:
    """The ``expressions`` of the configuration's resource ``kind.name``; None when not described."""
    resources = config.get("resources") if isinstance(config, dict) else None
    for res in resources if isinstance(resources, list) else []:
        if isinstance(res, dict) and res.get("mode") == "managed" and res.get("type") == kind \
                and res.get("name") == name:
            return res.get("expressions")
    return None


def render(value: Any) -> str:  # pragma: no cover - a plan has no literal to edit
    import json

    return json.dumps(value)
