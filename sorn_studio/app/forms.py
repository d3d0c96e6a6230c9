"""Load the Designer forms of ``ui/`` and the icons of ``resources/`` (the style sheet is the
theme's: :func:`~sorn_studio.app.theme.style_sheet`)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFile, QIODevice
from PySide6.QtGui import QIcon
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QWidget

from ..paths import ui_dir
from .fields import FloatField, IntField
from .theme import icon_folder

__all__ = ["load_form", "icon", "FORMS"]

#: Every form and the object names the code looks up in it (checked by a test).
FORMS: dict[str, tuple[str, ...]] = {
    "main_window.ui": (
        "menubar", "menuFile", "menuExportPlot", "menuRun", "menuView", "menuHelp",
        "mainToolBar", "statusbar",
        "actionPlay", "actionPause", "actionStep", "actionStepN", "actionReset",
        "actionOpenSession", "actionExportSession", "actionQuit", "actionResetLayout",
        "actionAbout",
        "dockControls", "dockParams", "dockRaster", "dockWeights", "dockConnections",
        "dockThresholds", "dockDistributions", "dockChanges",
        "controlsHost", "paramsHost", "rasterHost", "weightsHost", "connectionsHost",
        "thresholdsHost", "distributionsHost", "changesHost",
    ),
    "run_controls.ui": (
        "playButton", "pauseButton", "stepButton", "stepNButton", "stepNSpin", "presetCombo",
        "presetSummary", "presetRevertButton", "seedSpin", "resetButton", "speedCombo",
        "speedSpin", "inputCombo", "countingNSpin", "wordsEdit", "noiseSpin", "pendingLabel",
        "messageLabel",
    ),
}


class _Loader(QUiLoader):
    """A loader that fills an existing top-level widget instead of creating a new one.

    Designer's code generator does this with ``setupUi(self)``; at run time ``QUiLoader`` only
    creates new widgets, so the top-level widget it asks for is replaced by ``base``.
    """

    def __init__(self, base: QWidget | None) -> None:
        super().__init__()
        self._base = base
        # Forms promote number fields to these (see ui/run_controls.ui).
        for cls in (IntField, FloatField):
            self.registerCustomWidget(cls)

    def createWidget(self, class_name: str, parent: QWidget | None = None,  # noqa: N802
                     name: str = "") -> QWidget:
        if parent is None and self._base is not None:
            return self._base
        return super().createWidget(class_name, parent, name)


def form_path(name: str) -> Path:
    """Path of the form ``name`` (e.g. ``"main_window.ui"``)."""
    return ui_dir() / name


def load_form(name: str, base: QWidget | None = None) -> QWidget:
    """Load a Designer form.

    Parameters
    ----------
    name : str
        File name inside ``ui/``.
    base : QWidget, optional
        Fill this widget (of the form's top-level class) instead of creating a new one.

    Returns
    -------
    QWidget
        ``base``, or the new top-level widget.

    Raises
    ------
    RuntimeError
        When the file is missing or not a valid form.
    """
    path = form_path(name)
    file = QFile(str(path))
    if not file.open(QIODevice.OpenModeFlag.ReadOnly):
        raise RuntimeError(f"cannot open the form {path}: {file.errorString()}")
    loader = _Loader(base)
    try:
        widget = loader.load(file)
    except RuntimeError as exc:  # PySide raises instead of returning None on a parse error
        raise RuntimeError(f"cannot load the form {path}: {loader.errorString() or exc}") from exc
    finally:
        file.close()
    if widget is None:
        raise RuntimeError(f"cannot load the form {path}: {loader.errorString()}")
    return widget


def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg``, drawn for the current theme."""
    return QIcon(str(icon_folder() / f"{name}.svg"))
