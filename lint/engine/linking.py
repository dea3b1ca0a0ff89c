"""Steps that need every file of a run loaded before one file's objects can be built.

A Terraform module is a folder of ``.tf`` files, and one file's resources name the others'
(``aws_appautoscaling_target.chat.resource_id``, ``var.cooldown``). Each file is loaded and
recognised alone first (in a worker, for large runs); then :func:`link_terraform` builds the
documents of each module's files again with the names the whole module defines
(:func:`gpulint.load.terraform.link`) and recognises them again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gpulint.engine.inputs import Input
from gpulint.model.core import ModelObject

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.engine.run import Linter, Loaded


def link_terraform(linter: "Linter", inputs: list[Input], done: list["Loaded"]) -> None:
    from gpulint.load.terraform import link

    changed = {id(s) for s in link(loaded.source for loaded in done)}
    for item, loaded in zip(inputs, done):
        if id(loaded.source) not in changed:
            continue
        owner = linter.for_config(item.config)
        objects: list[ModelObject] = []
        diags = [d for d in loaded.diagnostics if d.rule == "parse-error"]
        try:
            owner._recognise(loaded.source, objects, diags)
        except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the run
            d = owner._internal_error(loaded.source, exc)
            if d:
                diags.append(d)
        for doc in loaded.source.documents:
            doc.data = None
        loaded.objects, loaded.diagnostics = objects, diags
