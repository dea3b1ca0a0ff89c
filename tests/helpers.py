"""Helpers shared by the test modules."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
from types import ModuleType
from typing import Iterator, Optional

from gpulint import cli

SCRIPTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts")


def load_script(name: str) -> ModuleType:
    """``scripts/NAME.py`` as a module (the generators are programs, not part of the package)."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(SCRIPTS, f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def chdir(path: Optional[str]) -> Iterator[None]:
    old = os.getcwd()
    if path:
        os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def run_cli(argv: list[str], stdin: Optional[bytes] = None, cwd: Optional[str] = None) -> tuple[int, str, str]:
    """Run the command line in-process: (exit status, stdout, stderr). Fails on a traceback."""
    out, err = io.StringIO(), io.StringIO()
    with chdir(cwd):
        status = cli.main(argv, stdout=out, stderr=err, stdin_data=stdin)
    assert "Traceback" not in out.getvalue() + err.getvalue(), err.getvalue()
    return status, out.getvalue(), err.getvalue()
