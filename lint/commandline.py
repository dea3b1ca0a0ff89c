"""What the command line's subcommands share: an argument parser that returns instead of
exiting (``main`` returns its status; nothing below it calls ``sys.exit``), and the
report's destination (``--output-file`` or standard output)."""

from __future__ import annotations

import argparse
import sys
from typing import Optional, TextIO


class Parser(argparse.ArgumentParser):
    """argparse, with usage errors raised as :class:`UsageError` and help printed to ``stdout``."""

    #: where --help and --version print (main's ``stdout``, not always sys.stdout)
    stdout: Optional[TextIO] = None

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: error: {message}")

    def _print_message(self, message: str, file: Optional[TextIO] = None) -> None:
        if message:
            (self.stdout or file or sys.stdout).write(message)


class UsageError(Exception):
    """A command line argparse refused; the message is argparse's."""


def open_output(path: Optional[str], out: TextIO, err: TextIO) -> tuple[Optional[TextIO], Optional[TextIO]]:
    """(where to write the report, the file to close afterwards); (None, None) after a message
    when ``--output-file`` cannot be opened."""
    if not path:
        return out, None
    try:
        opened = open(path, "w", encoding="utf-8")
    except OSError as exc:
        err.write(f"gpulint: cannot write {path}: {exc.strerror}\n")
        return None, None
    return opened, opened
