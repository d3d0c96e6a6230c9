"""The studio's file dialogs: Qt's, with a detail view whose columns fit what they show.

Where the desktop offers no native dialog, Qt draws its own, and sizes its "Date Modified"
column for a short US date ("10/29/81 02:02PM") in the font it had before the style sheet
applied: the dates the file list really shows come out cut ("2 12 2..."). These dialogs widen
that column to a date written in the user's locale and the dialog to hold every column.
"""

from __future__ import annotations

from PySide6.QtCore import QDateTime, QLocale
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFileDialog, QHeaderView, QTreeView, QWidget

__all__ = ["FileDialog", "fit_columns", "open_file_name", "save_file_name"]

#: Room around a header's or a cell's text (padding, sort arrow, margins), in pixels.
_CELL_MARGIN = 28
#: Columns of Qt's detail view: name, size, type, date modified.
_DATE_COLUMN = 3


def fit_columns(dialog: QFileDialog) -> None:
    """Make the date column of ``dialog``'s detail view wide enough for a whole date.

    Does nothing for a native dialog (it has no Qt widgets to fit).
    """
    tree = dialog.findChild(QTreeView, "treeView")
    if tree is None:
        return
    tree.ensurePolished()
    header: QHeaderView = tree.header()
    if header.count() <= _DATE_COLUMN:
        return
    metrics = tree.fontMetrics()
    # The file model writes dates in the system locale's short format; a two-digit day and
    # month and a late hour are the widest.
    sample = QLocale.system().toString(QDateTime.fromString("2026-12-28T23:58:00",
                                                            "yyyy-MM-ddTHH:mm:ss"),
                                       QLocale.FormatType.ShortFormat)
    needed = max(metrics.horizontalAdvance(sample),
                 metrics.horizontalAdvance(header.model().headerData(
                     _DATE_COLUMN, header.orientation()) or "")) + _CELL_MARGIN
    header.resizeSection(_DATE_COLUMN, max(header.sectionSize(_DATE_COLUMN), needed))
    columns = sum(header.sectionSize(i) for i in range(header.count()))
    # What the list leaves to the sidebar, the frame and the scroll bar stays as it was.
    spare = dialog.width() - tree.viewport().width()
    dialog.resize(max(dialog.width(), columns + spare + _CELL_MARGIN), dialog.height())


class FileDialog(QFileDialog):
    """A file dialog to open (``save=False``) or save a file, its columns fitted when shown.

    ``directory`` may end in a file name, which is then proposed (as Qt's static functions do).
    """

    def __init__(self, parent: QWidget | None, caption: str, directory: str, filters: str, *,
                 save: bool) -> None:
        super().__init__(parent, caption, directory, filters)
        self.setAcceptMode(QFileDialog.AcceptMode.AcceptSave if save
                           else QFileDialog.AcceptMode.AcceptOpen)
        self.setFileMode(QFileDialog.FileMode.AnyFile if save
                         else QFileDialog.FileMode.ExistingFile)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        """Fit the columns once the layout knows the sizes of the list and its sidebar."""
        super().showEvent(event)
        fit_columns(self)


def _ask(dialog: QFileDialog) -> tuple[str, str]:
    if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return "", ""
    return dialog.selectedFiles()[0], dialog.selectedNameFilter()


def save_file_name(parent: QWidget | None, caption: str, directory: str = "",
                   filters: str = "") -> tuple[str, str]:
    """Ask for a file to save, as ``QFileDialog.getSaveFileName`` does.

    Returns
    -------
    tuple of str
        The chosen path ("" when cancelled) and the chosen filter.
    """
    return _ask(FileDialog(parent, caption, directory, filters, save=True))


def open_file_name(parent: QWidget | None, caption: str, directory: str = "",
                   filters: str = "") -> tuple[str, str]:
    """Ask for an existing file to open, as ``QFileDialog.getOpenFileName`` does.

    Returns
    -------
    tuple of str
        The chosen path ("" when cancelled) and the chosen filter.
    """
    return _ask(FileDialog(parent, caption, directory, filters, save=False))
