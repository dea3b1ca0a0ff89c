"""Terraform: ``.tf`` files read into documents shaped like the AWS requests they stand for.

:func:`load` parses a file (:mod:`.hcl`), evaluates what it can with the names the file itself
defines (:mod:`.scope`) and builds one document per supported resource (:mod:`.resources`).
A module spans every ``.tf`` file of its folder: :func:`link` builds the documents again with
the names of all of them once every file of a run has loaded. :func:`render` writes a new
literal for ``--fix``.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, Iterable

from gpulint.load.document import LoadError
from gpulint.load.terraform.hcl import parse
from gpulint.load.terraform.resources import build
from gpulint.load.terraform.scope import Scope, has_tfvars


def _folder(name: str) -> str:
    return os.path.dirname(os.path.normpath(name))


#: what a file must mention to hold anything gpulint reads: a resource type it models, or a module
#: block (whose arguments are the callee's variables). Other files of a module (variables, locals,
#: outputs, providers) are parsed only when :func:`link` needs their names.
_READ = re.compile(r'"(?:aws_sagemaker_|aws_appautoscaling_|aws_eks_node_group")|\bmodule\s+"')


def load(source: Any) -> None:
    if not _READ.search(source.text):
        source.terraform = None  # nothing gpulint reads: parsed only if a sibling needs its names
        source.documents = []
        return
    top = parse(source.text)
    source.terraform = top
    known = not (os.path.exists(source.name) and has_tfvars(_folder(source.name)))
    source.documents = build(top, Scope([top], known))


def link(sources: Iterable[Any]) -> list[Any]:
    """Build again, with the names the whole module defines, the documents of every Terraform
    file whose folder holds other Terraform files of the run, or is a module that a module block
    of the run calls (the variables it passes are not their defaults); those sources."""
    folders: dict[str, list[Any]] = {}
    deferred: dict[str, list[Any]] = {}
    for source in sources:
        if source.error is None and source.kind == "terraform":
            table = folders if getattr(source, "terraform", None) is not None else deferred
            table.setdefault(_folder(source.name), []).append(source)
    for folder, group in folders.items():
        group.extend(_names_only(deferred.get(folder, ())))
    passed = _passed_variables(folders)
    changed: list[Any] = []
    for folder, group in folders.items():
        if len(group) < 2 and folder not in passed:
            continue
        scope = Scope([s.terraform for s in group], not has_tfvars(folder), passed.get(folder, ()))
        for source in group:
            source.documents = build(source.terraform, scope)
            changed.append(source)
    return changed


def _names_only(sources: Iterable[Any]) -> list[Any]:
    """The files :func:`load` left unparsed, parsed now for the names they define (variables,
    locals); one that is not HCL is left out, so the names it would define stay unknown."""
    out = []
    for source in sources:
        try:
            source.terraform = parse(source.text)
        except LoadError:
            continue
        out.append(source)
    return out


def _passed_variables(folders: dict[str, list[Any]]) -> dict[str, set[str]]:
    """For each module folder of the run that a ``module`` block calls by a local path
    (``source = "./modules/serving"``), the arguments the calls pass."""
    out: dict[str, set[str]] = {}
    for folder, group in folders.items():
        for source in group:
            for block in source.terraform.blocks:
                target = block.attrs.get("source") if block.type == "module" else None
                path = getattr(target.value, "value", None) if target is not None else None
                if isinstance(path, str) and path.startswith(("./", "../")):
                    callee = os.path.normpath(os.path.join(folder, path))
                    out.setdefault(callee, set()).update(block.attrs)
    return out


def render(value: Any) -> str:
    """``value`` as an HCL literal."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = str(value)
    out = []
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out).replace("${", "$${").replace("%{", "%%{") + '"'
