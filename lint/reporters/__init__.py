"""Reporters turn diagnostics into text for people and machines."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Callable, TextIO

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.engine import Result

Reporter = Callable[["Result", TextIO, dict], None]

FORMATS = {
    "text": "gpulint.reporters.text",
    "json": "gpulint.reporters.json_",
    "sarif": "gpulint.reporters.sarif",
    "github": "gpulint.reporters.github",
    "gitlab": "gpulint.reporters.gitlab",
}


def get_reporter(fmt: str) -> Reporter:
    module = importlib.import_module(FORMATS[fmt])
    return module.report  # type: ignore[no-any-return]
