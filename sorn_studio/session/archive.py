"""Read the members of a session archive safely: known members only, sizes checked first.

A session file is untrusted input (people e-mail them and download them next to papers), so
reading one must not hang, crash or allocate more than the file's own schema allows:

- only regular files are opened (a named pipe would block ``open()`` for ever);
- every member must be a key of the schema (or of an older layout): an unknown member is
  refused without being read;
- before a member is decompressed, the size its zip entry declares is compared with what the
  schema allows for it (:func:`.schema.size_limit`): a member of a few kilobytes that inflates
  to gigabytes (a "decompression bomb") is refused, not inflated;
- nothing is ever unpickled (``allow_pickle=False``), and reading each member to its end makes
  zipfile verify its CRC, so a flipped byte in the data is caught here.
"""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType

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
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise SessionError(f"session file {path}: is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise SessionError(f"session file {path} is not a regular file (a pipe, a device or "
                               "a socket); sessions are read from regular files only")
        with open(path, "rb") as fh:
            magic = fh.read(4)
        if magic != b"PK\x03\x04":
            what = "is empty" if not magic else "is not a .npz archive"
            raise SessionError(f"session file {path} {what}; it is not a SORN Studio session")
        try:
            self._zip = zipfile.ZipFile(path)
        except Exception as exc:  # BadZipFile, NotImplementedError (a mangled version), ...
            raise SessionError(f"session file {path} is truncated or corrupted: "
                               f"{type(exc).__name__}: {exc}") from None
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in self._zip.infolist():
            key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                # numpy writes only these two; bzip2 and LZMA members inflate in blocks
                # before their declared size is enforced.
                self._zip.close()
                raise SessionError(f"session file {path}: item {key!r} is compressed with "
                                   f"method {info.compress_type}; sessions are stored or "
                                   "deflated")
            if not info.filename.endswith(".npy") or not known(key) or key in self.members:
                self._zip.close()
                raise SessionError(f"session file {path} holds an unknown item {key!r}; it is "
                                   "not a SORN Studio session of a version this program reads")
            self.members[key] = info

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._zip.close()

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
                arr = npy.read_array(member, allow_pickle=False)
                # Read to the end so that zipfile checks the CRC of every byte.
                if member.read(1):
                    raise ValueError("data after the array")
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
