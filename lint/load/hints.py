"""Hints for the YAML syntax errors people make most: an unquoted value that starts with a
character YAML reads as syntax (``{``, ``*``, ``@``, a backtick), and a tab in the indentation.

A hint is given only when the position of the error shows the trap (the parser stopped at the
character, or, for ``{``, after a value on that line that starts with it), and it describes the
trap in a few words: it never repeats the file's text.
"""

from __future__ import annotations

from typing import Any, Optional

TAB_HINT = "a tab in the indentation: YAML indents with spaces only"
_QUOTE = "put the value in quotes if it is text"
#: the character a plain value cannot start with, and what YAML makes of it
START_HINTS = {
    "{": "a value that starts with '{' is a flow mapping, and so is a '{{ }}' template: " + _QUOTE
         + ", or lint the rendered output",
    "*": "a value that starts with '*' is an alias of an anchor: " + _QUOTE,
    "@": "a plain value cannot start with '@', which YAML reserves: put the value in quotes",
    "`": "a plain value cannot start with a backtick, which YAML reserves: put the value in quotes",
}


def _line(text: str, number: int) -> str:
    """Line ``number`` (0-based) of ``text``, without splitting the whole text."""
    start = 0
    for _ in range(number):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    end = text.find("\n", start)
    return text[start:] if end < 0 else text[start:end].rstrip("\r")


def _starts_value(line: str, column: int) -> bool:
    """Does the character at ``column`` begin a value: the line's first, or after ``key:``,
    ``-`` or ``?`` and blanks?"""
    before = line[:column].rstrip(" \t")
    return before == "" or before.endswith((":", "-", "?"))


def _at(line: str, column: int) -> Optional[str]:
    ch = line[column:column + 1]
    if ch == "\t" and not line[:column].strip(" \t-"):
        return TAB_HINT
    if ch in START_HINTS and _starts_value(line, column):
        return START_HINTS[ch]
    return None


def yaml_hint(text: str, exc: Any) -> Optional[str]:
    """The hint for the YAML error ``exc`` (a MarkedYAMLError) in ``text``, or None."""
    marks = [m for m in (getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)) if m is not None]
    for mark in marks:
        hint = _at(_line(text, mark.line), mark.column)
        if hint:
            return hint
    if marks:
        # `key: {a} b`, `image: {{ .Values.tag }}:1`: the parser stops after the flow mapping
        line = _line(text, marks[0].line)
        for column in range(min(marks[0].column, len(line))):
            if line[column] == "{" and _starts_value(line, column):
                return START_HINTS["{"]
    return None
