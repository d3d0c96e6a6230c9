"""Say which system packages to install when Qt cannot load its X11 platform plugin.

On a minimal Linux, Qt's ``xcb`` plugin (the one that draws on X11) needs libraries that the
PySide6 wheel does not bring, such as ``libxcb-cursor0``. Without them Qt prints "Could not load
the Qt platform plugin "xcb" ... even though it was found" and aborts the process, without
naming the library. :func:`platform_failure_hint` wraps the creation of the ``QApplication``:
should Qt give up on its platform plugin, the studio checks which of those libraries the
system cannot load and prints the ``apt`` and ``dnf`` commands that install them, then exits
with status 1 instead of dumping core.

Only the hint itself needs Qt (to hear Qt's last message): the checks are plain functions,
testable with a fake loader.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

__all__ = ["XcbLibrary", "XCB_LIBRARIES", "missing_xcb_libraries", "install_hint",
           "is_platform_failure", "platform_failure_hint"]


@dataclass(frozen=True)
class XcbLibrary:
    """A library Qt's xcb plugin links to, and the packages that install it.

    Attributes
    ----------
    soname : str
        The file the dynamic loader looks for (e.g. ``libxcb-cursor.so.0``).
    debian : str
        Debian / Ubuntu package.
    fedora : str
        Fedora / RHEL package.
    """

    soname: str
    debian: str
    fedora: str


#: What ``libqxcb.so`` and ``libQt6XcbQpa.so.6`` need beyond Qt itself (their ELF ``NEEDED``
#: entries), the usual missing ones first. Fedora ships the core xcb extensions in ``libxcb``.
XCB_LIBRARIES: tuple[XcbLibrary, ...] = (
    XcbLibrary("libxcb-cursor.so.0", "libxcb-cursor0", "xcb-util-cursor"),
    XcbLibrary("libxcb-icccm.so.4", "libxcb-icccm4", "xcb-util-wm"),
    XcbLibrary("libxcb-keysyms.so.1", "libxcb-keysyms1", "xcb-util-keysyms"),
    XcbLibrary("libxcb-image.so.0", "libxcb-image0", "xcb-util-image"),
    XcbLibrary("libxcb-render-util.so.0", "libxcb-render-util0", "xcb-util-renderutil"),
    XcbLibrary("libxcb-util.so.1", "libxcb-util1", "xcb-util"),
    XcbLibrary("libxkbcommon-x11.so.0", "libxkbcommon-x11-0", "libxkbcommon-x11"),
    XcbLibrary("libxkbcommon.so.0", "libxkbcommon0", "libxkbcommon"),
    XcbLibrary("libX11-xcb.so.1", "libx11-xcb1", "libX11-xcb"),
    XcbLibrary("libX11.so.6", "libx11-6", "libX11"),
    XcbLibrary("libxcb.so.1", "libxcb1", "libxcb"),
    XcbLibrary("libxcb-randr.so.0", "libxcb-randr0", "libxcb"),
    XcbLibrary("libxcb-render.so.0", "libxcb-render0", "libxcb"),
    XcbLibrary("libxcb-shape.so.0", "libxcb-shape0", "libxcb"),
    XcbLibrary("libxcb-shm.so.0", "libxcb-shm0", "libxcb"),
    XcbLibrary("libxcb-sync.so.1", "libxcb-sync1", "libxcb"),
    XcbLibrary("libxcb-xfixes.so.0", "libxcb-xfixes0", "libxcb"),
    XcbLibrary("libxcb-xkb.so.1", "libxcb-xkb1", "libxcb"),
)


def _loads(soname: str) -> bool:
    # dlopen looks where Qt's own loading would look (LD_LIBRARY_PATH, the ld.so cache).
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_xcb_libraries(can_load: Callable[[str], bool] = _loads) -> list[XcbLibrary]:
    """The libraries of :data:`XCB_LIBRARIES` that cannot be loaded.

    Parameters
    ----------
    can_load : callable
        ``can_load(soname)`` tells whether the dynamic loader finds the library (by default it
        tries to load it).

    Returns
    -------
    list of XcbLibrary
        In the order of :data:`XCB_LIBRARIES`; empty when every one loads.
    """
    return [lib for lib in XCB_LIBRARIES if not can_load(lib.soname)]


def install_hint(missing: list[XcbLibrary]) -> str:
    """The message naming ``missing`` and the commands that install them ("" when none is).

    Parameters
    ----------
    missing : list of XcbLibrary
        Libraries the system lacks (see :func:`missing_xcb_libraries`).

    Returns
    -------
    str
        A few lines for the terminal, ending in a newline.
    """
    if not missing:
        return ""
    debian = list(dict.fromkeys(lib.debian for lib in missing))
    fedora = list(dict.fromkeys(lib.fedora for lib in missing))
    return (
        "sorn-studio: error: the studio cannot open a window because Qt's X11 platform plugin "
        "needs system libraries that are missing: "
        + ", ".join(lib.soname for lib in missing) + ".\n"
        "Install them, then start sorn-studio again:\n"
        f"  Debian / Ubuntu:  sudo apt install {' '.join(debian)}\n"
        f"  Fedora:           sudo dnf install {' '.join(fedora)}\n")


def is_platform_failure(message: str) -> bool:
    """Whether Qt's fatal ``message`` says that no platform plugin could be loaded."""
    text = message.lower()
    return "platform plugin" in text and ("could not" in text or "no qt platform" in text)


@contextmanager
def platform_failure_hint(stream: IO[str] | None = None,
                          can_load: Callable[[str], bool] = _loads,
                          exit: Callable[[int], None] = os._exit) -> Iterator[None]:
    """While the block creates the ``QApplication``, turn a platform-plugin failure into a hint.

    Qt's messages meanwhile go to ``stream`` as they would without this. Should Qt report
    that it cannot load a platform plugin (a fatal message, after which Qt aborts the
    process), the missing X11 libraries and the commands installing them are written too, and
    ``exit(1)`` ends the process. The default message handling comes back after the block.

    Parameters
    ----------
    stream : file, optional
        Where messages go (standard error by default).
    can_load : callable
        See :func:`missing_xcb_libraries`.
    exit : callable
        Ends the process; it must not return to Qt, which would abort.
    """
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    out = stream if stream is not None else sys.stderr

    def handler(kind: QtMsgType, context: object, message: str) -> None:
        # As Qt's own handler writes it: "category: message".
        category = getattr(context, "category", None)
        prefix = f"{category}: " if category and category != "default" else ""
        out.write(prefix + message + "\n")
        if kind == QtMsgType.QtFatalMsg and is_platform_failure(message):
            if sys.platform.startswith("linux"):
                out.write(install_hint(missing_xcb_libraries(can_load)))
            out.flush()
            exit(1)

    qInstallMessageHandler(handler)
    try:
        yield
    finally:
        qInstallMessageHandler(None)
