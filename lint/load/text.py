"""From bytes to text, and what both parsers check and compute on that text.

:func:`decode` turns a file's bytes into text (refusing binary, UTF-16 and
invalid UTF-8 with a positioned :class:`~gpulint.load.document.LoadError`);
:func:`check_nesting` refuses input nested deeper than :data:`MAX_DEPTH` before
libyaml or the JSON decoder recurses on it; :func:`line_col` turns a character
offset into a 1-based line and column.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from typing import Optional

from gpulint.load.document import LoadError

MAX_DEPTH = 200
#: an integer written with more characters than this stays the text written: Python
#: will not print an int of more than 4,300 digits, arithmetic on huge ones is slow
#: (a sexagesimal ``1:2:3:...`` multiplies per part), and no setting needs one this long
MAX_INT_DIGITS = 1000


def decode(raw: bytes) -> str:
    """Bytes to text, or LoadError for binary and non-UTF-8 input."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(raw):
        raise LoadError("file is UTF-16 encoded; expected UTF-8")
    if b"\x00" in raw[:8192]:
        raise LoadError("binary file (contains NUL bytes); expected YAML or JSON text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LoadError(
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8",
            line,
            col,
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _looks_utf16(raw: bytes) -> bool:
    """UTF-16 text without a byte-order mark: ASCII characters with a NUL beside each."""
    head = raw[:512]
    if len(head) < 4:
        return False
    for start in (0, 1):  # big-endian: NULs at even offsets; little-endian: at odd ones
        nuls = head[start::2]
        text = head[1 - start :: 2]
        if nuls.count(0) == len(nuls) and 0 not in text:
            return True
    return False


# block collections opened on one line ("- - - - x", "? ? x"): libyaml's composer
# recurses per level, as on deep flow nesting. Deep indentation alone is bounded
# by the file size and caught by the builder's depth check.
_BLOCK_PREFIX = re.compile(r"^[ \t]*(?:[?-][ \t]+){%d,}" % MAX_DEPTH, re.MULTILINE)


def may_nest_too_deep(text: str) -> bool:
    """False when ``text`` cannot hold more than MAX_DEPTH nested collections
    outside deep indentation; True when it might, to be confirmed on the parsed
    structure (brackets and dashes in comments and strings count here).

    Every flow collection opens with a ``[`` or ``{``, so fewer than MAX_DEPTH of
    them in the whole text cannot nest that deep; a line can only open MAX_DEPTH
    block levels with as many ``-`` or ``?`` indicators.
    """
    if text.count("[") + text.count("{") > MAX_DEPTH:
        return True
    return text.count("-") + text.count("?") >= MAX_DEPTH and _BLOCK_PREFIX.search(text) is not None


def nesting_error(line: int, column: int) -> LoadError:
    return LoadError(f"nesting deeper than {MAX_DEPTH} levels", line, column)


#: the text whose line starts were last listed, and those starts; the text seen last
_LINES: tuple[Optional[str], list[int]] = (None, [])
_LAST: list[Optional[str]] = [None]


def line_col(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of the character at ``offset``. Asked twice
    about one text (the positions of a file's findings), it lists the text's line
    starts once and looks them up after that."""
    global _LINES
    cached, starts = _LINES
    if cached is not text:
        if _LAST[0] is not text:
            _LAST[0] = text
            line = text.count("\n", 0, offset) + 1
            return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
        starts = [0]
        starts.extend(accumulate(len(part) + 1 for part in text.split("\n")))
        _LINES = (text, starts)
    line = bisect_right(starts, offset)
    return line, offset - starts[line - 1] + 1
