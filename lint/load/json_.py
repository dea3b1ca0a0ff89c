"""Strict JSON: loading with clear messages for what JSON refuses, and a scanner
that finds values in the text.

:func:`load_json` decodes one JSON value per file with the standard library,
refusing ``NaN``/``Infinity``, comments and trailing commas with a message that
names the problem and its position (never the file's text), refusing nesting
deeper than :data:`~gpulint.load.text.MAX_DEPTH` (counted on the data, not on
brackets in strings), and records repeated keys. The scanner (:func:`json_root`,
:func:`json_members`, :func:`json_value_end`) works on text that parsed: it
gives the character offsets of values and members, for the position lookups and
for ``--fix``'s JSON edits, from one pass over the text however often it is asked.
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
        _json_duplicates(text, source.duplicates)


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


_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},]')


def _json_duplicates(text: str, out: list[DuplicateKey]) -> None:
    """Record every repeated key of JSON ``text`` (which parsed), in one pass over
    its strings and punctuation, counting lines as it goes."""
    import json

    stack: list[Optional[dict[str, int]]] = []  # per open container: an object's keys (key -> line), or None
    expect_key = False
    line, line_start, last = 1, 0, 0
    for m in _TOKEN.finditer(text):
        at = m.start()
        c = text[at]
        if c == '"':
            if not expect_key:
                continue
            expect_key = False
            newlines = text.count("\n", last, at)
            if newlines:
                line += newlines
                line_start = text.rfind("\n", last, at) + 1
            last = at
            token = m.group()
            key = json.loads(token) if "\\" in token else token[1:-1]
            keys = stack[-1]
            assert keys is not None
            if key in keys:
                shown = key if len(key) <= 60 else key[:57] + "..."
                out.append(DuplicateKey(0, shown, line, at - line_start + 1, keys[key]))
            else:
                keys[key] = line
        elif c == "{" or c == "[":
            stack.append({} if c == "{" else None)
            expect_key = c == "{"
        elif c == ",":
            expect_key = bool(stack) and stack[-1] is not None
        elif stack:
            stack.pop()
            expect_key = False


# --------------------------------------------------------------------------- scanner


_WS_RUN = re.compile(r"[ \t\r\n]*")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BARE = re.compile(r"[^,\]\}\s]+")
#: the text last scanned: where each of its objects and arrays ends, and the members
#: of those already listed (the position look-ups of one file ask many times)
_SCANNED: tuple[Optional[str], dict[int, int], dict[int, list]] = (None, {}, {})


def _skip_ws(text: str, i: int) -> int:
    return _WS_RUN.match(text, i).end()  # type: ignore[union-attr]


def _scanned(text: str) -> tuple[dict[int, int], dict[int, list]]:
    """({offset of ``[`` or ``{``: offset past its closer}, {offset: members listed})
    for ``text``, the closers found in one pass over it."""
    global _SCANNED
    cached, ends, members = _SCANNED
    if cached is text:
        return ends, members
    ends, members = {}, {}
    opened: list[int] = []
    for m in _STRUCTURE.finditer(text):
        at = m.start()
        c = text[at]
        if c == "[" or c == "{":
            opened.append(at)
        elif c != '"' and opened:
            ends[opened.pop()] = at + 1
    _SCANNED = (text, ends, members)
    return ends, members


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
        m = _STRING.match(text, i)
        return m.end() if m else len(text)
    if c in "[{":
        return _scanned(text)[0].get(i, len(text))
    m = _BARE.match(text, i)
    return m.end() if m else i + 1


def json_members(text: str, i: int) -> Iterator[tuple[Any, int, int, int]]:
    """For the object or array starting at ``i``, in order: (key or index, key
    offset, value offset, value end). An array item's key offset is its value's."""
    members = _scanned(text)[1]
    listed = members.get(i)
    if listed is None:
        listed = members[i] = list(_members(text, i))
    return iter(listed)


def _members(text: str, i: int) -> Iterator[tuple[Any, int, int, int]]:
    import json

    opener = text[i]
    j = _skip_ws(text, i + 1)
    index = 0
    while j < len(text) and text[j] not in "]}":
        if opener == "{":
            key_end = json_value_end(text, j)
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
