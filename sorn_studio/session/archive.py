"""Read the members of a session archive safely: known members only, sizes checked first.

A session file is untrusted input (people e-mail them and download them next to papers), so
reading one must not hang, crash or allocate more than the file's own schema allows:

- only regular files are read, checked on the open descriptor (a named pipe would block a
  plain ``open()`` for ever);
- every member must be a key of the schema (or of an older layout): an unknown member is
  refused without being read;
- before a member is decompressed, the size its zip entry declares is compared with what the
  schema allows for it (:func:`.schema.size_limit`): a member of a few kilobytes that inflates
  to gigabytes (a "decompression bomb") is refused, not inflated; then its ``.npy`` header
  must account for exactly those bytes, so a header claiming a huge shape allocates nothing;
- nothing is ever unpickled (``allow_pickle=False``), and reading each member to its end makes
  zipfile verify its CRC, so a flipped byte in the data is caught here.
"""

from __future__ import annotations

import math
import os
import stat
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import IO

import numpy as np
from numpy.lib import format as npy

from .errors import SessionError

__all__ = ["Archive"]


class Archive:
    """An open session archive whose member names have been checked.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    known : callable
        ``known(key)`` tells whether a member name (without ``.npy``) may appear.

    Raises
    ------
    SessionError
        For a folder, a pipe or device, an empty or non-zip file, a damaged zip directory, or an
        unknown member.
    OSError
        When the file cannot be opened (missing, no permission).
    """

    def __init__(self, path: Path, known: Callable[[str], bool]) -> None:
        self.path = path
        self._file = _open_regular(path)
        try:
            magic = self._file.read(4)
            if magic != b"PK\x03\x04":
                what = "is empty" if not magic else "is not a .npz archive"
                raise SessionError(f"session file {path} {what}; it is not a SORN Studio "
                                   "session")
            self._file.seek(0)
            try:
                self._zip = zipfile.ZipFile(self._file)
            except Exception as exc:  # BadZipFile, NotImplementedError (a mangled version), ...
                raise SessionError(f"session file {path} is truncated or corrupted: "
                                   f"{type(exc).__name__}: {exc}") from None
        except BaseException:
            self._file.close()
            raise
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in self._zip.infolist():
            key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                # numpy writes only these two; bzip2 and LZMA members inflate in blocks
                # before their declared size is enforced.
                self.close()
                raise SessionError(f"session file {path}: item {key!r} is compressed with "
                                   f"method {info.compress_type}; sessions are stored or "
                                   "deflated")
            if not info.filename.endswith(".npy") or not known(key) or key in self.members:
                self.close()
                raise SessionError(f"session file {path} holds an unknown item {key!r}; it is "
                                   "not a SORN Studio session of a version this program reads")
            self.members[key] = info

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the archive and its file."""
        self._zip.close()
        self._file.close()

    def read(self, keys: Iterable[str], limit: Callable[[str], int]) -> dict[str, np.ndarray]:
        """The members ``keys`` that the archive holds, each refused if it declares more
        bytes than ``limit(key)``."""
        arrays: dict[str, np.ndarray] = {}
        for key in keys:
            info = self.members.get(key)
            if info is None:
                continue
            most = limit(key)
            if info.file_size > most:
                raise SessionError(f"session file {self.path}: item {key!r} declares "
                                   f"{info.file_size} bytes, more than the {most} its schema "
                                   "allows for this network; it is refused unread")
            arrays[key] = self._array(key, info)
        return arrays

    def _array(self, key: str, info: zipfile.ZipInfo) -> np.ndarray:
        path = self.path
        try:
            with self._zip.open(info) as member:
                arr = _read_npy(member, info.file_size)
        except ValueError as exc:
            if "pickle" in str(exc).lower():
                raise SessionError(f"session file {path}: item {key!r} holds pickled Python "
                                   "objects; session files never contain pickles, so it is "
                                   "refused") from None
            raise SessionError(f"session file {path} is damaged (item {key!r}: {exc})") from None
        except Exception as exc:  # zipfile.BadZipFile, EOFError, zlib.error, OSError, ...
            raise SessionError(f"session file {path} is truncated or corrupted (item {key!r}): "
                               f"{type(exc).__name__}: {exc}") from None
        return arr


def _open_regular(path: Path) -> IO[bytes]:
    """``path`` opened for reading when it is a regular file.

    It is opened without blocking and checked on the open descriptor, so a named pipe neither
    blocks ``open()`` nor can be swapped in between a check and the open.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError:
        raise SessionError(f"session file {path}: is a folder, not a file") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise SessionError(f"session file {path}: is a folder, not a file")
        raise SessionError(f"session file {path} is not a regular file (a pipe, a device or "
                           "a socket); sessions are read from regular files only")
    return os.fdopen(fd, "rb")


def _read_npy(member: IO[bytes], declared: int) -> np.ndarray:
    """The array in one ``.npy`` member whose zip entry declares ``declared`` bytes.

    The header is read and checked first: its shape and dtype must account for exactly the
    bytes the entry declares (which the caller has bounded), so a header claiming a huge shape
    is refused before anything of that size is allocated.
    """
    version = npy.read_magic(member)
    if version == (1, 0):
        shape, fortran, dtype = npy.read_array_header_1_0(member)
    elif version in ((2, 0), (3, 0)):
        shape, fortran, dtype = npy.read_array_header_2_0(member)
    else:
        raise ValueError(f"unsupported .npy format version {version}")
    if dtype.hasobject:
        raise ValueError("the array holds pickled objects")
    count = math.prod(shape)
    if count * dtype.itemsize != declared - member.tell():
        raise ValueError(f"its header declares shape {shape} of {dtype} "
                         f"({count * dtype.itemsize} bytes) but the member holds "
                         f"{declared - member.tell()} bytes of data")
    arr = np.empty(shape, dtype=dtype, order="F" if fortran else "C")
    view = memoryview(arr.reshape(-1, order="A").view(np.uint8))
    filled = 0
    while filled < len(view):
        got = member.readinto(view[filled:])
        if not got:
            raise EOFError(f"the data ends after {filled} of {len(view)} bytes")
        filled += got
    # Read to the end so that zipfile checks the CRC of every byte.
    if member.read(1):
        raise ValueError("data after the array")
    return arr
