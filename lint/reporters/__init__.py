"""Reporters turn diagnostics into text for people and machines."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Callable, TextIO

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path as PathLike

    from gpulint.engine.run import Result

Reporter = Callable[["Result", TextIO, dict], None]

FORMATS = {
    "text": "gpulint.reporters.text",
    "json": "gpulint.reporters.json_",
    "sarif": "gpulint.reporters.sarif",
    "github": "gpulint.reporters.github",
    "gitlab": "gpulint.reporters.gitlab",
}


def relative_to_root(file: str, root: "PathLike") -> str:
    """A reported file relative to the repository root (CI services look paths up there)."""
    from pathlib import Path

    if file.startswith("<"):
        return file
    try:
        return Path(file).resolve().relative_to(root).as_posix()
    except ValueError:
        return file


def get_reporter(fmt: str) -> Reporter:
    module = importlib.import_module(FORMATS[fmt])
    return module.report  # type: ignore[no-any-return]
