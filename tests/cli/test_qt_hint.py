"""The hint printed when Qt cannot load its platform plugin: which packages, which commands."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from sorn_studio.app.qt_platform import (
    XCB_LIBRARIES,
    install_hint,
    is_platform_failure,
    missing_xcb_libraries,
)

#: What a minimal Debian or Fedora lacks (issue 13).
USUAL = ("libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1")


def lacking(*sonames: str):
    return lambda name: name not in sonames


def test_missing_libraries_are_the_ones_that_do_not_load():
    missing = missing_xcb_libraries(lacking(*USUAL))
    assert [lib.soname for lib in missing] == list(USUAL)
    assert missing_xcb_libraries(lambda name: True) == []
    assert len(missing_xcb_libraries(lambda name: False)) == len(XCB_LIBRARIES)


def test_hint_names_the_packages_and_the_commands():
    hint = install_hint(missing_xcb_libraries(lacking(*USUAL)))
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1\n" in hint
    assert "sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms\n" in hint
    for soname in USUAL:
        assert soname in hint
    assert install_hint([]) == ""


def test_a_fedora_package_holding_several_libraries_is_named_once():
    hint = install_hint(missing_xcb_libraries(lacking("libxcb-shape.so.0", "libxcb-shm.so.0")))
    assert "sudo dnf install libxcb\n" in hint
    assert "sudo apt install libxcb-shape0 libxcb-shm0\n" in hint


def test_platform_failures_are_told_from_other_fatal_messages():
    assert is_platform_failure(
        "This application failed to start because no Qt platform plugin could be "
        "initialized. Reinstalling the application may fix this problem.")
    assert is_platform_failure('Could not load the Qt platform plugin "xcb" in "" even '
                               "though it was found.")
    assert not is_platform_failure("ASSERT: \"x\" in file qwidget.cpp")


def run_without_display(code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "xcb"
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux's")
def test_qt_failing_to_load_xcb_prints_the_hint_and_exits_with_1():
    # Qt really fails here (xcb without a display); the loader is told the usual three
    # libraries are missing, as on a minimal system.
    result = run_without_display(f"""
        from PySide6.QtWidgets import QApplication
        from sorn_studio.app.qt_platform import platform_failure_hint
        with platform_failure_hint(can_load=lambda name: name not in {USUAL!r}):
            QApplication([])
        print("window system ready")
        """)
    assert result.returncode == 1, result.stderr
    assert "window system ready" not in result.stdout
    assert "platform plugin" in result.stderr  # Qt's own message is still there
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in result.stderr
    assert "sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms" in result.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux's")
def test_no_hint_when_every_library_is_there():
    result = run_without_display("""
        from PySide6.QtWidgets import QApplication
        from sorn_studio.app.qt_platform import platform_failure_hint
        with platform_failure_hint(can_load=lambda name: True):
            QApplication([])
        """)
    assert result.returncode == 1, result.stderr
    assert "platform plugin" in result.stderr and "sudo" not in result.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux's")
def test_sorn_studio_gui_prints_what_this_system_lacks():
    result = run_without_display("""
        import sys
        from sorn_studio.cli import main
        sys.exit(main(["gui"]))
        """)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    missing = missing_xcb_libraries()
    assert ("sudo apt install" in result.stderr) == bool(missing)
    for lib in missing:
        assert lib.debian in result.stderr and lib.fedora in result.stderr
