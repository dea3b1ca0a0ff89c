"""``.gitignore`` patterns, matched in time linear in the path.

A pattern means what it means to git (gitignore(5)), read as pathspec's ``GitIgnoreSpec`` reads
it: ``!`` re-includes, a trailing ``/`` matches folders only, a pattern with a ``/`` before its
end is anchored to its ``.gitignore``'s folder and one without matches at any depth, ``**``
between slashes matches any number of folders, ``*``, ``?`` and ``[...]`` match within one
name; a pattern that matches a folder matches what is in it too. An invalid pattern (an
unclosed ``[``, a trailing ``\\``) is dropped, as git drops it.

The matching uses no regular expression. A ``.gitignore`` comes with the repository being
linted, and a backtracking engine takes time exponential in the number of ``*`` in a name's
pattern (``*a*a*a*a*a*a*a*a*b`` against a long name) or of ``**`` in a path's. Here a name is
matched by the pieces of its pattern between ``*``: the first at its start, the last at its end,
each other at the leftmost place it fits after the one before; a path is matched likewise by the
runs of names between ``**``. Leftmost is always right for such patterns, so nothing is tried
twice: the time is linear in the path for a given pattern.
"""

from __future__ import annotations

from typing import Callable, Optional, Union

_STAR = object()  # a token: any run of characters within a name
_ANY = object()  # a token: any one character


class _Invalid(ValueError):
    """A pattern git would drop."""


class _Class:
    """A bracket expression: ``[a-z]``, ``[!0-9]``. A backslash in it is a plain character."""

    __slots__ = ("negate", "chars", "ranges")

    def __init__(self, body: str, negate: bool) -> None:
        self.negate = negate
        chars, ranges = set(), []
        k = 0
        while k < len(body):
            if k + 2 < len(body) and body[k + 1] == "-":
                ranges.append((body[k], body[k + 2]))  # a reversed range matches nothing
                k += 3
            else:
                chars.add(body[k])
                k += 1
        self.chars = frozenset(chars)
        self.ranges = tuple(ranges)

    def matches(self, ch: str) -> bool:
        found = ch in self.chars or any(lo <= ch <= hi for lo, hi in self.ranges)
        return found != self.negate


Token = Union[str, _Class, object]


def _bracket(seg: str, i: int) -> tuple[_Class, int]:
    """The bracket expression opened just before ``i``, and the index after its ``]``."""
    j = i
    if j < len(seg) and seg[j] in "!^":
        j += 1
    if j < len(seg) and seg[j] == "]":
        j += 1
    j = seg.find("]", j)
    if j < 0:
        raise _Invalid("unclosed bracket expression")
    negate = seg[i] in "!^"
    return _Class(seg[i + 1 if negate else i:j], negate), j + 1


def _tokens(seg: str) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(seg):
        ch = seg[i]
        i += 1
        if ch == "\\":
            if i >= len(seg):
                raise _Invalid("a trailing backslash")
            out.append(seg[i])
            i += 1
        elif ch == "*":
            if not out or out[-1] is not _STAR:  # '**' inside a name is '*'
                out.append(_STAR)
        elif ch == "?":
            out.append(_ANY)
        elif ch == "[":
            cls, i = _bracket(seg, i)
            out.append(cls)
        else:
            out.append(ch)
    return out


def _fits(chunk: list[Token], name: str, at: int) -> bool:
    for k, tok in enumerate(chunk):
        ch = name[at + k]
        if tok is _ANY:
            continue
        if isinstance(tok, _Class):
            if not tok.matches(ch):
                return False
        elif tok != ch:  # a character of the name's own
            return False
    return True


def _find(chunk: list[Token], name: str, start: int, end: int) -> int:
    """The leftmost index in ``[start, end - len(chunk)]`` where ``chunk`` fits, or -1."""
    if all(isinstance(t, str) for t in chunk):
        return name.find("".join(chunk), start, end)  # type: ignore[arg-type]
    for i in range(start, end - len(chunk) + 1):
        if _fits(chunk, name, i):
            return i
    return -1


class _Glob:
    """The pattern of one name (a path segment)."""

    __slots__ = ("chunks", "nonempty")

    def __init__(self, seg: str) -> None:
        chunks: list[list[Token]] = [[]]
        for tok in _tokens(seg):
            if tok is _STAR:
                chunks.append([])
            else:
                chunks[-1].append(tok)
        self.chunks = chunks
        self.nonempty = seg == "*"  # a name of its own is never empty

    def match(self, name: str) -> bool:
        chunks = self.chunks
        if len(chunks) == 1:
            return len(name) == len(chunks[0]) and _fits(chunks[0], name, 0)
        first, last = chunks[0], chunks[-1]
        end = len(name) - len(last)
        if end < len(first) or (self.nonempty and not name):
            return False
        if not (_fits(first, name, 0) and _fits(last, name, end)):
            return False
        pos = len(first)
        for chunk in chunks[1:-1]:
            found = _find(chunk, name, pos, end)
            if found < 0:
                return False
            pos = found + len(chunk)
        return True


def _run_at(run: list[_Glob], names: list[str], at: int) -> bool:
    return at + len(run) <= len(names) and all(g.match(names[at + k]) for k, g in enumerate(run))


class Pattern:
    """One pattern of a ``.gitignore``. ``include`` is True for a pattern that ignores, False for
    a ``!pattern`` that takes a path back."""

    __slots__ = ("include", "_runs", "_anchored", "_more", "_special")

    def __init__(self, include: bool, segs: list[str], special: Optional[Callable[[str], bool]] = None) -> None:
        self.include = include
        self._special = special
        self._anchored = bool(segs) and segs[0] != "**"
        self._more = bool(segs) and segs[-1] == "**"  # something must follow the last name
        self._runs: list[list[_Glob]] = [[]]
        for seg in segs:
            if seg == "**":
                if self._runs[-1]:
                    self._runs.append([])
            else:
                self._runs[-1].append(_Glob(seg))
        self._runs = [r for r in self._runs if r]

    def match_file(self, path: str) -> bool:
        """Does the pattern match ``path`` (relative to its .gitignore's folder, '/'-separated,
        ending in '/' for a folder), or a folder ``path`` is in?"""
        if self._special is not None:
            return self._special(path)
        names = path.split("/")
        pos = 0
        for k, run in enumerate(self._runs):
            if k == 0 and self._anchored:
                if not _run_at(run, names, 0):
                    return False
                pos = len(run)
                continue
            while not _run_at(run, names, pos):
                pos += 1
                if pos + len(run) > len(names):
                    return False
            pos += len(run)
        return pos < len(names) if self._more else True


def _any_path(path: str) -> bool:
    return path != ""


def _below(path: str) -> bool:
    return "/" in path


def _normalise(segs: list[str], is_dir: bool) -> tuple[list[str], Optional[Callable[[str], bool]]]:
    """The pattern's names, '**' where any number of folders may stand (or a test of its own for
    the patterns that match everything, or everything below the top folder)."""
    if not segs[0]:
        del segs[0]  # '/foo': anchored
    elif len(segs) == 1 or (len(segs) == 2 and not segs[1]):
        if segs[0] != "**":
            segs.insert(0, "**")  # 'foo' and 'foo/': at any depth
    if not segs:
        raise _Invalid("an empty pattern")
    if not segs[-1]:
        segs[-1] = "**"  # 'foo/': what is in the folder
    segs = [s for k, s in enumerate(segs) if not (s == "**" and k and segs[k - 1] == "**")]
    if segs == ["**"]:
        return segs, _below if is_dir else _any_path
    if segs == ["**", "*"]:
        return segs, _any_path
    if segs == ["**", "*", "**"]:
        return segs, _below
    return segs, None


def parse_line(line: str) -> Optional[Pattern]:
    """The pattern on one line of a .gitignore; None for a blank line, a comment or a pattern
    git drops."""
    if not line.endswith("\\ "):
        line = line.rstrip()
    if not line or line.startswith("#") or line == "/":
        return None
    include = not line.startswith("!")
    if not include:
        line = line[1:]
    segs = line.split("/")
    try:
        segs, special = _normalise(segs, is_dir=not segs[-1])
        return Pattern(include, segs, special)
    except _Invalid:
        return None


def parse(text: str) -> list[Pattern]:
    """The patterns of a .gitignore file's text, in order."""
    return [p for p in map(parse_line, text.splitlines()) if p is not None]
