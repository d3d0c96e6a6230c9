"""Designer forms, data files in the wheel and the binding work-around."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from sorn_studio.app import qtcompat
from sorn_studio.app.forms import FORMS, icon, load_form
from sorn_studio.app.theme import style_sheet
from sorn_studio.paths import resources_dir, ui_dir

ROOT = Path(__file__).resolve().parents[2]


def test_every_form_loads_with_the_names_the_code_needs(qapp):
    on_disk = {p.name for p in ui_dir().glob("*.ui")}
    assert on_disk == set(FORMS), "a form is missing from FORMS or from ui/"
    for name, objects in FORMS.items():
        widget = load_form(name)
        try:
            missing = [o for o in objects
                       if widget.findChild(QWidget, o) is None
                       and widget.findChild(QAction, o) is None
                       and widget.findChild(QMenu, o) is None]
            assert not missing, f"{name} lacks {missing}"
        finally:
            widget.deleteLater()


def test_a_broken_form_is_reported(qapp, tmp_path, monkeypatch):
    (tmp_path / "broken.ui").write_text("<ui><widget class=", encoding="utf-8")
    monkeypatch.setattr("sorn_studio.app.forms.ui_dir", lambda: tmp_path)
    with pytest.raises(RuntimeError, match="broken.ui"):
        load_form("broken.ui")
    with pytest.raises(RuntimeError, match="missing.ui"):
        load_form("missing.ui")


def test_icons_and_style_sheet_load(qapp):
    names = [p.stem for p in (resources_dir() / "icons").glob("*.svg")]
    assert {"play", "pause", "step", "step_n", "reset", "open", "save", "app"} <= set(names)
    for name in names:
        assert not icon(name).isNull(), name
    qss = style_sheet()
    assert "QDockWidget" in qss and "@ICONS@" not in qss


def test_wheel_carries_ui_and_resources(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path),
         str(ROOT)], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    (wheel,) = tmp_path.glob("sorn_studio-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for form in FORMS:
        assert f"sorn_studio/_data/ui/{form}" in names
    for path in (resources_dir() / "icons").glob("*.svg"):
        assert f"sorn_studio/_data/resources/icons/{path.name}" in names
    assert "sorn_studio/_data/resources/style.qss" in names
    assert any(n.startswith("sorn_studio/_data/resources/presets/") for n in names)
    assert "sorn_studio/app/main.py" in names and "sorn_studio/studio/runner.py" in names


class _Emitter(QObject):
    fired = Signal()


def test_signal_emits_cannot_exhaust_the_singletons(qapp):
    """PySide6 6.12 loses a reference to True per emit; the studio must survive many."""
    emitter = _Emitter()
    emitter.fired.connect(lambda: None)
    leaks = qtcompat.emit_leaks_true()
    assert qtcompat.protected() == (leaks and sys.version_info < (3, 12))
    before = sys.getrefcount(True)
    for _ in range(20_000):
        emitter.fired.emit()
    after = sys.getrefcount(True)
    if qtcompat.protected():
        # Without the work-around 20 000 emits would have aborted the interpreter.
        assert before - after >= 20_000 and after > 2**39
    else:
        assert after >= before - 100
