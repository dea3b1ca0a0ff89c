"""Reading a file again and writing its fixed text atomically.

:func:`write_atomic` writes to a temporary file in the same folder, flushed and
fsynced, given the original's mode (and owner, where it can), then renamed over
the original, and the folder fsynced so the rename is durable. A read-only file
or a failing write raises OSError and leaves the file as it was.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile


def read_file(name: str) -> bytes:
    with open(name, "rb") as fh:
        return fh.read()


def _write_file(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_atomic(name: str, data: bytes) -> None:
    """Replace the file ``name`` with ``data`` atomically, keeping its mode.

    Raises OSError (and leaves the file as it was) when the file is read-only or
    the write fails.
    """
    target = os.path.realpath(name)
    st = os.stat(target)
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
        raise OSError(errno.EACCES, "the file is read-only")
    folder = os.path.dirname(target) or "."
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".gpulint-tmp", dir=folder)
    try:
        try:
            _write_file(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        if hasattr(os, "chown") and (st.st_uid != os.stat(tmp).st_uid or st.st_gid != os.stat(tmp).st_gid):
            try:
                os.chown(tmp, st.st_uid, st.st_gid)
            except OSError:
                pass
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _sync_folder(folder)


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
