"""Reading files with bounds: never past a byte limit, never waiting for ever.

:func:`read_bounded` reads a linted file: a regular file, or a pipe (``gpulint <(helm
template ...)``) given up on when it stays silent. :func:`read_regular` reads the files gpulint
reads beside the linted ones (config files, baselines, quotas files, ``.gitignore``), which a
pull request controls as much as the files it changes: only a regular file (after symbolic
links) is read, so a link to ``/dev/zero``, a named pipe, a device or a folder is refused with a
:class:`SideFileError` that says what it is, as is a file larger than the limit.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import Optional

#: the most gpulint reads of a config file, a quotas file or a .gitignore file
SIDE_FILE_LIMIT = 5 * 1024 * 1024
#: the most gpulint reads of a baseline (one finding takes about 400 bytes)
BASELINE_LIMIT = 64 * 1024 * 1024

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)


class SideFileError(Exception):
    """A side file cannot be used: what is wrong (never the file's text), and where in the file
    when it is about its content (1-based ``line`` and ``column``, else None)."""

    def __init__(self, message: str, line: Optional[int] = None, column: Optional[int] = None,
                 missing: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        #: nothing at all at the path (no file, no link): callers may say how to create it
        self.missing = missing

    def where(self, name: str) -> str:
        """``name`` with the position of the problem, ``name:line:column``, when there is one."""
        return f"{name}:{self.line}:{self.column}" if self.line is not None else name


def _drain(fd: int, limit: int) -> tuple[bytes, bool]:
    """At most ``limit`` bytes from ``fd``, and whether there was more."""
    chunks = []
    total = 0
    while total <= limit:
        chunk = os.read(fd, min(1 << 20, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return (b"" if total > limit else b"".join(chunks)), total > limit


def read_bounded(path: str, limit: int, fifo_wait: float) -> Optional[bytes]:
    """At most ``limit`` bytes of ``path``, or None when it holds more.

    Bounded so that a device (``/dev/zero``) cannot exhaust memory. Opened without blocking,
    so that a FIFO nobody writes to cannot hang the run: a pipe is read once data arrives, and
    given up on (OSError ETIMEDOUT) after ``fifo_wait`` seconds of silence.
    """
    fd = os.open(path, _FLAGS | _NONBLOCK)
    try:
        if _NONBLOCK:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                import select

                ready, _, _ = select.select([fd], [], [], fifo_wait)
                if not ready:
                    raise OSError(errno.ETIMEDOUT, f"nothing arrived on this pipe within {fifo_wait:g} s")
            os.set_blocking(fd, True)
        data, more = _drain(fd, limit)
    finally:
        os.close(fd)
    return None if more else data


def _what(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit % (1024 * 1024) == 0 else f"{limit} bytes"


def _not_regular(path: str, mode: int) -> SideFileError:
    what = _what(mode)
    if os.path.islink(path):
        what = f"a symbolic link to {_what(mode)}"
    return SideFileError(f"{what}, not a regular file; refusing to read it")


def _too_large(limit: int) -> SideFileError:
    return SideFileError(f"larger than {_size(limit)}, the most gpulint reads of this file; refusing to read it")


def _status(path: str) -> os.stat_result:
    try:
        return os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SideFileError("a loop of symbolic links") from None
        if exc.errno == errno.ENOENT:
            if os.path.lexists(path):
                raise SideFileError("a symbolic link to nothing (dangling)") from None
            raise SideFileError("no such file", missing=True) from None
        raise SideFileError(f"cannot read: {exc.strerror or exc}") from None


def read_regular(path: str, limit: int = SIDE_FILE_LIMIT, follow: bool = True) -> bytes:
    """The bytes of the regular file ``path`` (symbolic links followed unless ``follow`` is
    False, when a link is refused too), at most ``limit`` of them.

    Anything else raises :class:`SideFileError` before it is opened: a named pipe (which could
    block for ever), a device (``/dev/zero`` never ends), a folder, a socket; so does a file
    larger than ``limit``. The type is checked again on the open file, so that nothing swapped
    in between is read either.
    """
    if not follow and os.path.islink(path):
        raise SideFileError("a symbolic link, not a regular file; refusing to read it")
    mode = _status(path).st_mode
    if not stat.S_ISREG(mode):
        raise _not_regular(path, mode)
    try:
        fd = os.open(path, _FLAGS | _NONBLOCK | (0 if follow else getattr(os, "O_NOFOLLOW", 0)))
    except OSError as exc:
        raise SideFileError(f"cannot read: {exc.strerror or exc}") from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise _not_regular(path, opened.st_mode)
        if opened.st_size > limit:
            raise _too_large(limit)
        data, more = _drain(fd, limit)
    except OSError as exc:
        raise SideFileError(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if more:
        raise _too_large(limit)
    return data
