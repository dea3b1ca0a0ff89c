"""Reading a file again and writing its fixed text atomically.

:func:`write_atomic` writes to a temporary file in the same folder, flushed and
fsynced, given the original's mode (and owner, where it can), then renamed over
the original, and the folder fsynced so the rename is durable. It never writes
through a symbolic link: the rename replaces the directory entry itself, and a
link is refused. Right before the rename the file is read once more; when its
bytes are no longer those the fixes were made from, nothing is written
(:class:`FileChanged`). A read-only file or a failing write raises OSError and
leaves the file as it was.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from typing import Iterable, Optional

#: control characters in a file name must not reach the terminal
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class FileChanged(OSError):
    """The file changed on disk after it was read to be fixed."""

    def __init__(self) -> None:
        super().__init__(errno.EAGAIN, "changed while fixing")


def printable(name: str) -> str:
    """A file name fit for one line of a message: control characters escaped."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", name)


def same_path(a: str, b: str) -> bool:
    """Do the names ``a`` and ``b`` name one file (``a.yaml``, ``./a.yaml``, a link to it)?"""
    if os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b)):
        return True
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def unsafe_target(name: str, roots: Iterable[str]) -> Optional[str]:
    """Why ``name`` must not be written, or None.

    It must lie inside one of ``roots`` (the paths the run was given), there as
    on disk, and no step of its path may be a symbolic link: neither the file,
    nor a folder down from the current folder (or, for a path outside it, from
    the root given), so that ``linked/a.yaml`` is refused as ``linked/`` is.
    """
    here = os.path.abspath(name)
    for root in roots:
        top = os.path.abspath(root)
        if not _inside(here, top):
            continue
        link = _first_link(here, top)
        if link is not None:
            return "a symbolic link" if link == here else "reached through a symbolic link"
        if _inside(os.path.realpath(here), os.path.realpath(top)):
            return None
    return "outside the paths given to gpulint"


def _inside(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


def _first_link(here: str, top: str) -> Optional[str]:
    """The first symbolic link on the way up from ``here``: up to the current folder
    when ``here`` is inside it, else up to ``top`` (both absolute)."""
    cwd = os.getcwd()
    in_cwd = _inside(here, cwd) and here != cwd
    step = here
    while not (in_cwd and step == cwd):
        if os.path.islink(step):
            return step
        parent = os.path.dirname(step)
        if (not in_cwd and step == top) or parent == step:
            break
        step = parent
    return None


def read_file(name: str) -> bytes:
    with open(name, "rb") as fh:
        return fh.read()


def _read_no_follow(name: str) -> Optional[bytes]:
    """The bytes of ``name`` without following a link; None when it is no longer a plain file."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(name, flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


def _write_file(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_atomic(name: str, data: bytes, expected: Optional[bytes] = None) -> None:
    """Replace the file ``name`` with ``data`` atomically, keeping its mode.

    ``expected``: the bytes the new text was made from; when the file holds
    other bytes right before the rename, :class:`FileChanged` is raised and the
    file is left as it is. Raises OSError (and leaves the file as it was) when
    ``name`` is a symbolic link, is read-only, or the write fails.
    """
    st = os.lstat(name)
    if stat.S_ISLNK(st.st_mode):
        raise OSError(errno.ELOOP, "it is a symbolic link")
    if not stat.S_ISREG(st.st_mode):
        raise OSError(errno.EINVAL, "not a regular file")
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(name, os.W_OK):
        raise OSError(errno.EACCES, "the file is read-only")
    folder = os.path.dirname(name) or "."
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(name)}.", suffix=".gpulint-tmp", dir=folder)
    try:
        try:
            _write_file(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        _keep_owner(tmp, st)
        if expected is not None and _read_no_follow(name) != expected:
            raise FileChanged()
        os.replace(tmp, name)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _sync_folder(folder)


def _keep_owner(tmp: str, st: os.stat_result) -> None:
    """Give ``tmp`` the original's owner and group, where the platform and our rights allow."""
    if not hasattr(os, "chown"):
        return
    now = os.stat(tmp)
    if st.st_uid != now.st_uid or st.st_gid != now.st_gid:
        try:
            os.chown(tmp, st.st_uid, st.st_gid)
        except OSError:
            pass


def _sync_folder(folder: str) -> None:
    """Make a rename in ``folder`` durable (where the platform allows it)."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
