"""Ask before a run is thrown away: Reset, a preset, Open and Quit replace the running network.

A run of millions of steps can take an afternoon; losing it to a stray Ctrl+R is worse than
one question. The question is asked only when steps would be lost (the frames count the steps
since the run was last saved, opened or reset), offers to save first, and can be turned off
(a checkbox in the question, and a checkable action in the Run menu).
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QCheckBox, QMessageBox, QWidget

from ..studio.texts import step_text

__all__ = ["Choice", "ask_to_discard", "ASK_SETTING", "asks_before_discarding",
           "set_asks_before_discarding"]

#: QSettings key: whether to ask before discarding unsaved steps (default: ask).
ASK_SETTING = "confirm/discard_runs"


class Choice(Enum):
    """What the user chose when a run was about to be discarded."""

    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


def asks_before_discarding(settings: QSettings) -> bool:
    """Whether the studio asks before discarding unsaved steps."""
    return bool(settings.value(ASK_SETTING, True, type=bool))


def set_asks_before_discarding(settings: QSettings, ask: bool) -> None:
    """Remember whether to ask before discarding unsaved steps."""
    settings.setValue(ASK_SETTING, bool(ask))


def _steps_text(steps: int) -> str:
    return step_text(steps) + (" step" if steps == 1 else " steps")


def ask_to_discard(parent: QWidget, unsaved_steps: int, action: str,
                   settings: QSettings) -> Choice:
    """Ask whether to save, discard or keep a run that ``action`` would replace.

    Parameters
    ----------
    parent : QWidget
        The window the question belongs to.
    unsaved_steps : int
        Steps simulated since the run was last saved, opened or reset.
    action : str
        What is about to happen, as a sentence start: "Reset", "Choosing a preset", ...
    settings : QSettings
        Where "don't ask again" is remembered.

    Returns
    -------
    Choice
        ``SAVE`` (save first, then go on), ``DISCARD`` or ``CANCEL``.
    """
    box = QMessageBox(QMessageBox.Icon.Warning, "Discard the run?",
                      f"The network has run {_steps_text(unsaved_steps)} since it was last "
                      f"saved.", parent=parent)
    box.setObjectName("discardDialog")
    box.setInformativeText(f"{action} replaces the running network. Save the run first?")
    save = box.addButton("Save\u2026", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    save.setObjectName("discardSave")
    discard.setObjectName("discardDiscard")
    box.setDefaultButton(save)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    again = QCheckBox("Do not ask again (Run \u2192 Ask before discarding a run)")
    box.setCheckBox(again)
    box.exec()
    clicked = box.clickedButton()
    choice = (Choice.SAVE if clicked is save else Choice.DISCARD if clicked is discard
              else Choice.CANCEL)
    if again.isChecked() and choice is not Choice.CANCEL:
        set_asks_before_discarding(settings, False)
    return choice
