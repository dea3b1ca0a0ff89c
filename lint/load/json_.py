"""Strict JSON: loading with clear messages for what JSON refuses, and a scanner
that finds values in the text.

:func:`load_json` decodes one JSON value per file with the standard library,
refusing ``NaN``/``Infinity``, comments and trailing commas with a message that
names the problem and its position, and records repeated keys. The scanner
(:func:`json_root`, :func:`json_members`, :func:`json_value_end`) works on text
that parsed: it gives the character offsets of values and members, for the
position lookups and for ``--fix``'s JSON edits.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterator, Optional

from gpulint.load.document import Document, DuplicateKey, LoadError
from gpulint.load.text import MAX_DEPTH, MAX_INT_DIGITS, line_col, nesting_error

if TYPE_CHECKING:  # pragma: no cover
    import json

    from gpulint.load.source import Source


class _Constant(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _Constant(name)


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')


def _constant_offset(text: str, name: str) -> int:
    """Offset of the first bare ``NaN``/``Infinity`` outside strings."""
    for m in _JSON_TOKEN.finditer(text):
        if m.group(1) and m.group(1).lstrip("-") == name.lstrip("-"):
            return m.start()
    return 0


def _json_problem(text: str, exc: json.JSONDecodeError) -> tuple[str, int]:
    """A clearer message for what strict JSON refuses, and where."""
    pos = exc.pos
    if text.startswith(("//", "/*"), pos) or (text[pos:pos + 1] == "#"):
        return "comments are not allowed in JSON", pos
    if text[pos:pos + 1] in ("}", "]"):
        before = text[:pos].rstrip()
        if before.endswith(","):
            closer = text[pos]
            return f"trailing comma before '{closer}' is not allowed in JSON", len(before) - 1
    if text[pos:pos + 1] == ",":  # Python 3.13 reports the comma itself
        after = text[pos + 1:].lstrip()
        if after[:1] in ("}", "]"):
            return f"trailing comma before '{after[0]}' is not allowed in JSON", pos
    if exc.msg == "Extra data":
        return "extra data after the JSON value (one JSON value per file)", pos
    # the decoder's own words, less the "at" that its position would follow
    return exc.msg.removesuffix(" at").removesuffix(" starting"), pos


def _int(text: str) -> Any:
    return int(text) if len(text) <= MAX_INT_DIGITS else text


def load_json(source: Source) -> None:
    import json

    text = source.text
    if not text.strip():
        return
    has_dupes = False

    def hook(pairs: list[tuple[str, Any]]) -> dict:
        nonlocal has_dupes
        out = dict(pairs)
        if len(out) != len(pairs):
            has_dupes = True
        return out

    try:
        data = json.loads(text, object_pairs_hook=hook, parse_constant=_reject_constant, parse_int=_int)
    except json.JSONDecodeError as exc:
        message, pos = _json_problem(text, exc)
        line, col = line_col(text, pos)
        raise LoadError(f"invalid JSON: {message}", line, col) from None
    except _Constant as exc:
        line, col = line_col(text, _constant_offset(text, str(exc)))
        raise LoadError(f"invalid JSON: {exc} is not a JSON value (use null or a string)", line, col) from None
    except ValueError:
        raise LoadError("invalid JSON") from None
    except RecursionError:  # the decoder recursed past Python's limit: far deeper than MAX_DEPTH
        raise nesting_error(*line_col(text, _deep_offset(text))) from None
    # only a text with that many brackets can nest that deep; brackets in strings count here
    if text.count("[") + text.count("{") > MAX_DEPTH and _too_deep(data):
        raise nesting_error(*line_col(text, _deep_offset(text)))
    source.documents.append(Document(0, data, 1))
    if has_dupes:
        _json_duplicates(text, _skip_ws(text, 0), source.duplicates)


def _too_deep(data: Any) -> bool:
    """True when ``data`` holds more than MAX_DEPTH nested objects and arrays."""
    stack = [(data, 1)] if isinstance(data, (dict, list)) else []
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        for child in value.values() if isinstance(value, dict) else value:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return False


_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _deep_offset(text: str) -> int:
    """Offset of the first ``[`` or ``{`` (outside strings) that opens level MAX_DEPTH + 1."""
    depth = 0
    for m in _STRUCTURE.finditer(text):
        c = text[m.start()]
        if c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return m.start()
        elif c != '"':
            depth -= 1
    return 0


def _json_duplicates(text: str, at: int, out: list[DuplicateKey]) -> None:
    """Record every repeated key in the JSON value at ``at`` (which parsed)."""
    if at >= len(text) or text[at] not in "[{":
        return
    first: dict[str, int] = {}
    for key, key_at, value_at, _ in json_members(text, at):
        if text[at] == "{":
            line, col = line_col(text, key_at)
            if key in first:
                shown = key if len(key) <= 60 else key[:57] + "..."
                out.append(DuplicateKey(0, shown, line, col, first[key]))
            else:
                first[key] = line
        _json_duplicates(text, value_at, out)


# --------------------------------------------------------------------------- scanner


_WS = " \t\r\n"
_BARE = re.compile(r"[^,\]\}\s]+")


def _skip_ws(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i] in _WS:
        i += 1
    return i


def json_root(text: str) -> Optional[tuple[int, int]]:
    """The start and end offsets of the top-level value of JSON ``text``; None when
    the text is blank."""
    start = _skip_ws(text, 0)
    if start >= len(text):
        return None
    return start, json_value_end(text, start)


def json_value_end(text: str, i: int) -> int:
    """Offset just past the JSON value (or object key) starting at ``i``."""
    c = text[i]
    if c == '"':
        j = i + 1
        while True:
            c2 = text[j]
            if c2 == "\\":
                j += 2
                continue
            if c2 == '"':
                return j + 1
            j += 1
    if c in "[{":
        depth = 0
        j = i
        n = len(text)
        while j < n:
            c2 = text[j]
            if c2 == '"':
                j = json_value_end(text, j)
                continue
            if c2 in "[{":
                depth += 1
            elif c2 in "]}":
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        return n
    m = _BARE.match(text, i)
    return m.end() if m else i + 1


def json_members(text: str, i: int) -> Iterator[tuple[Any, int, int, int]]:
    """For the object or array starting at ``i``, in order: (key or index, key
    offset, value offset, value end). An array item's key offset is its value's."""
    opener = text[i]
    j = _skip_ws(text, i + 1)
    index = 0
    while j < len(text) and text[j] not in "]}":
        if opener == "{":
            key_end = json_value_end(text, j)
            import json

            key = json.loads(text[j:key_end])
            key_at = j
            j = _skip_ws(text, key_end)
            j = _skip_ws(text, j + 1)  # past ':'
        else:
            key, key_at = index, j
        end = json_value_end(text, j)
        yield key, key_at, j, end
        index += 1
        j = _skip_ws(text, end)
        if j < len(text) and text[j] == ",":
            j = _skip_ws(text, j + 1)
