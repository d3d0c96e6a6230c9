"""The change log: every live change applied to the run, in a dock, each one a way to its step.

It lists what the time plots mark (the engine's change log, a reopened session's included),
newest last, with the same field labels and numbers as the markers' tooltips
(:func:`~.plots.change_summary`). Activating an entry (double-click or Enter) asks the
whole-run views to centre their step axis on the change and mark it
(:func:`connect_jumps`); "Whole run" (or a double-click on a plot) shows the whole run again.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..engine.snapshot import ParamChange
from ..studio.frames import Frame
from ..studio.texts import change_summary, change_text, step_text

__all__ = ["ChangeLogView", "connect_jumps"]

#: Item data role holding an entry's step.
STEP_ROLE = Qt.ItemDataRole.UserRole


class ChangeLogView(QWidget):
    """Every applied live change as a row "step | field: old -> new", newest last.

    Signals
    -------
    jump_requested(int)
        An entry was activated: show the change at this step.
    whole_run_requested()
        The "Whole run" button was pressed.
    branch_before_requested(int)
        "Branch from just before this change" was chosen for this entry (its index in the
        change log).
    """

    title = "Changes"
    jump_requested = Signal(int)
    whole_run_requested = Signal()
    branch_before_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setObjectName("changeLogTree")
        self.tree.setHeaderLabels(["step", "change"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setToolTip("Every live change applied to this run; double-click one (or press "
                             "Enter) to centre the Connections and Thresholds plots on it")
        self.tree.itemActivated.connect(self._activated)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._menu)
        self.hint = QLabel("No change yet: edit a live parameter and it is listed here.")
        self.hint.setWordWrap(True)
        self.whole_run = QPushButton("Whole run")
        self.whole_run.setObjectName("changeLogWholeRun")
        self.whole_run.setToolTip("Show the whole run again on the time plots")
        self.whole_run.setEnabled(False)
        self.whole_run.clicked.connect(self._show_whole_run)
        row = QHBoxLayout()
        row.addWidget(self.hint, 1)
        row.addWidget(self.whole_run)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        self._epoch: int | None = None
        self._seen = 0

    def update_frame(self, frame: Frame) -> None:
        """List the changes of ``frame`` not listed yet; start over after a reset or Open."""
        changes = frame.changes
        if frame.epoch != self._epoch or len(changes) < self._seen:
            self._epoch = frame.epoch
            self.tree.clear()
            self._seen = 0
            self.whole_run.setEnabled(False)
        if len(changes) == self._seen:
            return
        bar = self.tree.verticalScrollBar()
        # Follow the newest entry unless the user scrolled up to read older ones.
        at_end = bar.value() >= bar.maximum()
        self.tree.addTopLevelItems([self._item(c) for c in changes[self._seen:]])
        self._seen = len(changes)
        self.tree.resizeColumnToContents(0)
        count = len(changes)
        self.hint.setText(f"{count} change{'s' if count != 1 else ''}; double-click one to "
                          "see it on the time plots")
        if at_end:
            self.tree.scrollToBottom()

    @staticmethod
    def _item(change: ParamChange) -> QTreeWidgetItem:
        item = QTreeWidgetItem([step_text(change[0]), change_summary(change)])
        item.setData(0, STEP_ROLE, int(change[0]))
        item.setTextAlignment(0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setToolTip(1, change_text(change))
        return item

    def entries(self) -> list[str]:
        """The listed changes as the markers' tooltips word them (oldest first)."""
        return [self.tree.topLevelItem(i).toolTip(1) for i in range(self.tree.topLevelItemCount())]

    def activate(self, row: int) -> None:
        """Select entry ``row`` and jump to it, as a double-click does."""
        item = self.tree.topLevelItem(row)
        if item is None:
            raise IndexError(f"row {row} is not in the change log of "
                             f"{self.tree.topLevelItemCount()} entries")
        self.tree.setCurrentItem(item)
        self._activated(item)

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        self.whole_run.setEnabled(True)
        self.jump_requested.emit(int(item.data(0, STEP_ROLE)))

    def branch_menu(self, row: int) -> QMenu:
        """The context menu of entry ``row``: show it, or branch from just before it."""
        item = self.tree.topLevelItem(row)
        menu = QMenu(self)
        show = menu.addAction("Show on the time plots")
        show.triggered.connect(lambda: self._activated(item))
        branch = menu.addAction("Branch from just before this change")
        branch.setToolTip("Go back to the run as it was just before this change and go on "
                          "from there without it, as a new branch")
        branch.triggered.connect(lambda: self.branch_before_requested.emit(row))
        return menu

    def _menu(self, pos: Any) -> None:
        item = self.tree.itemAt(pos)
        if item is not None:
            row = self.tree.indexOfTopLevelItem(item)
            self.branch_menu(row).exec(self.tree.viewport().mapToGlobal(pos))

    def _show_whole_run(self) -> None:
        self.whole_run.setEnabled(False)
        self.whole_run_requested.emit()


def connect_jumps(log: ChangeLogView, *views: Any) -> None:
    """Let ``log`` centre the whole-run ``views`` on a change (``focus_step``) and back."""
    for view in views:
        log.jump_requested.connect(view.focus_step)
        log.whole_run_requested.connect(view.show_whole_run)
