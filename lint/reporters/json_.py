"""A JSON array of diagnostics (schema: schemas/diagnostics.schema.json)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.engine.run import Result


def report(result: "Result", out: TextIO, options: dict) -> None:
    json.dump([d.to_dict() for d in result.diagnostics], out, indent=2)
    out.write("\n")
