"""Parsing the files gpulint reads beside the linted ones, and showing their values in messages.

Config files, baselines and quotas files come from the repository being linted, so a pull
request controls them. :func:`read_document` reads one with the bounds of
:func:`~gpulint.load.bounded.read_regular` and parses it with gpulint's own loader (aliases,
nesting and encoding bounded, as for the linted files) or, for TOML, with tomllib. What goes
wrong is a :class:`~gpulint.load.bounded.SideFileError` that names the kind of problem and its
line and column, never the file's text; :func:`shown` and :func:`shorten` are how a message
shows a value or a key read from such a file: escaped and cut short.
"""

from __future__ import annotations

import re
from typing import Any

from gpulint.diagnostics import printable
from gpulint.load.bounded import SIDE_FILE_LIMIT, SideFileError, read_regular
from gpulint.load.document import LoadError, Tagged

#: how much of a value or key from a side file a message shows
SHOWN_WIDTH = 40


def shorten(text: str, width: int = SHOWN_WIDTH) -> str:
    """``text`` escaped for one line of output, cut after ``width`` characters."""
    if len(text) <= width:
        return printable(text)
    return printable(text[:width]) + "..."


def shown(value: Any) -> str:
    """A value read from a side file as a message may show it: a string quoted, escaped and cut
    short, a number as written, a collection by its kind alone."""
    if isinstance(value, str):
        return f"'{shorten(value)}'"
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, float)):
        try:
            return shorten(repr(value))
        except ValueError:  # an int too long to print
            return "a number too long to show"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Tagged):
        return f"a value tagged {shorten(value.tag)}"
    return f"a value of type {type(value).__name__}"


def parse(raw: bytes, kind: str) -> Any:
    """The one document in ``raw`` ('yaml', 'json' or 'toml'); None when there is none."""
    if kind == "toml":
        return _toml(raw)
    from gpulint.load.source import load

    source = load("<side file>", raw, kind)
    if source.error is not None:
        raise SideFileError(source.error.message, source.error.line, source.error.column)
    docs = source.documents
    if len(docs) > 1:
        raise SideFileError("a second YAML document, where one is expected", docs[1].line, 1)
    return docs[0].data if docs else None


def read_document(path: str, kind: str, limit: int = SIDE_FILE_LIMIT) -> Any:
    """The document in the side file ``path``, read within ``limit`` bytes and parsed as ``kind``."""
    return parse(read_regular(path, limit), kind)


#: tomllib messages that quote the file (a key, a character) and what they say without quoting it
_TOML_QUOTING = (
    ("Cannot declare", "a table declared twice"),
    ("Cannot redefine namespace", "a table defined twice"),
    ("Cannot mutate immutable namespace", "a key or table defined twice"),
    ("Duplicate inline table key", "a key repeated in an inline table"),
    ("Found invalid character", "an invalid character"),
    ("Illegal character", "a control character in a string"),
)
_TOML_AT = re.compile(r"(.*) \(at line (\d+), column (\d+)\)", re.DOTALL)


def _toml_problem(text: str, exc: Exception) -> tuple[str, int, int]:
    """What tomllib refused and where, without the file's text."""
    message = str(exc)
    m = _TOML_AT.fullmatch(message)
    if m:
        message, line, column = m.group(1), int(m.group(2)), int(m.group(3))
    else:
        message = message.replace(" (at end of document)", "")
        line = text.count("\n") + 1
        column = len(text) - (text.rfind("\n") + 1) + 1
    for prefix, plain in _TOML_QUOTING:
        if message.startswith(prefix):
            return plain, line, column
    if "'" in message and not message.startswith(("Expected", "Unescaped")):
        message = message[:message.index("'")].rstrip() or "invalid TOML"
    return message, line, column


def _toml(raw: bytes) -> Any:
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    from gpulint.load.text import decode

    try:
        text = decode(raw)
    except LoadError as exc:
        raise SideFileError(exc.message.replace("YAML or JSON", "TOML"), exc.line, exc.column) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line, column = _toml_problem(text, exc)
        raise SideFileError(f"invalid TOML: {message}", line, column) from None
    except RecursionError:
        raise SideFileError("invalid TOML: nested too deeply", 1, 1) from None
