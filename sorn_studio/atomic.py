"""Write a file so that it is either complete or untouched: temporary file, then rename.

Sessions and experiment tables go through :func:`atomic_file` and the studio's figure export
through :func:`atomic_path`, so an interrupted save (a full disk, Ctrl-C, a crash) never leaves
a half-written file under the final name.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_file", "atomic_path", "check_writable"]


def _fsync_file(path: Path) -> None:
    # Data written through a name (not our handle) is flushed by the writer but maybe not yet
    # on disk: sync it before the rename makes it the real file.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    # The rename is only durable once the folder entry is on disk; not every platform lets a
    # folder be opened for that, and the file itself is already safe, so failures are ignored.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def check_writable(path: Path, what: str = "file") -> None:
    """Check now that ``path`` can be saved later, by creating and removing a file beside it.

    A long run checks its output first, so that it is not lost at the end to a folder that
    cannot be written. Trying is the only reliable check: permission bits say nothing about a
    read-only file system, access control lists or the root user.

    Parameters
    ----------
    path : pathlib.Path
        The file that will be written with :func:`atomic_file` or :func:`atomic_path`.
    what : str
        What will be saved, for the error message.

    Raises
    ------
    OSError
        Naming ``path`` and the reason: its folder is missing or cannot be written, or
        ``path`` is a folder.
    """
    folder = path.parent
    if path.is_dir():
        raise IsADirectoryError(f"cannot save {what} {path}: it is a folder")
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot save {what} {path}: folder {folder} does not exist")
    probe = folder / f".{path.stem}.{secrets.token_hex(6)}.probe"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise PermissionError(exc.errno, f"cannot save {what} {path}: folder {folder} cannot "
                              f"be written ({exc.strerror})") from None
    os.close(fd)
    os.unlink(probe)


@contextlib.contextmanager
def atomic_path(path: Path, what: str = "file") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success the file written there replaces it.

    For writers that want a file name rather than a handle (Qt's image and SVG writers);
    :func:`atomic_file` is the same for a handle.

    Parameters
    ----------
    path : pathlib.Path
        The file to write. Its folder must exist.
    what : str
        What is being saved, for the error message when the folder is missing.

    Yields
    ------
    pathlib.Path
        A path that does not exist yet, in the folder of ``path`` and with its suffix (some
        writers choose their format from it). When the ``with`` block raises, or leaves no
        file there, whatever was written is deleted and ``path`` is left as it was.

    Raises
    ------
    FileNotFoundError
        When the folder of ``path`` does not exist, or the block wrote no file.
    """
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot save {what} {path}: folder {folder} does not exist")
    tmp = folder / f".{path.stem}.{secrets.token_hex(6)}.tmp{path.suffix}"
    try:
        yield tmp
        _fsync_file(tmp)
        with contextlib.suppress(FileNotFoundError):
            # A file saved again keeps who may read it (a private 0600 session stays private).
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)


@contextlib.contextmanager
def atomic_file(path: Path, what: str = "file") -> Iterator[BinaryIO]:
    """Open a temporary binary file beside ``path``; on success it replaces ``path``.

    Parameters
    ----------
    path, what
        As for :func:`atomic_path`.

    Yields
    ------
    BinaryIO
        The open temporary file. When the ``with`` block raises, the temporary file is deleted
        and ``path`` is left as it was.

    Raises
    ------
    FileNotFoundError
        When the folder of ``path`` does not exist.
    """
    try:
        # Created with the old file's bits, so a private file is never readable meanwhile.
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = 0o666   # a new file: the umask decides, as for any file
    with atomic_path(path, what) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     mode)
        with os.fdopen(fd, "wb") as handle:
            yield handle
