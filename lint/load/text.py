"""From bytes to text, and what both parsers check and compute on that text.

:func:`decode` turns a file's bytes into text (refusing binary, UTF-16 and
invalid UTF-8 with a positioned :class:`~gpulint.load.document.LoadError`);
:func:`check_nesting` refuses input nested deeper than :data:`MAX_DEPTH` before
libyaml or the JSON decoder recurses on it; :func:`line_col` turns a character
offset into a 1-based line and column.
"""

from __future__ import annotations

import re

from gpulint.load.document import LoadError

MAX_DEPTH = 200


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


# block collections opened on one line ("- - - - x", "? ? x"): libyaml crashes on
# tens of thousands of them, as on deep flow nesting. Deep indentation alone is
# bounded by the file size and caught by the builder's depth check.
_BLOCK_PREFIX = re.compile(r"^[ \t]*(?:[?-][ \t]+){%d,}" % MAX_DEPTH, re.MULTILINE)
_FLOW = re.compile(r"[\[\]{}]")


def check_nesting(text: str) -> None:
    """Refuse input nested deeper than MAX_DEPTH before libyaml recurses on it."""
    if text.count("[") + text.count("{") > MAX_DEPTH:
        depth = 0
        for m in _FLOW.finditer(text):
            if m.group() in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    line, col = line_col(text, m.start())
                    raise LoadError(f"nesting deeper than {MAX_DEPTH} levels", line, col)
            elif depth:
                depth -= 1
    # a line can only open MAX_DEPTH block levels with as many '-' or '?' indicators
    m = _BLOCK_PREFIX.search(text) if text.count("-") + text.count("?") >= MAX_DEPTH else None
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise LoadError(f"nesting deeper than {MAX_DEPTH} levels", line, 1)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of the character at ``offset``."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col
