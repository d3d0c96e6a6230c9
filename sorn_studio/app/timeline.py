"""Time travel in the window: the timeline bar that scrubs back to a checkpoint, and the
Branches panel that lists the tree of branches and switches between them.

Both only paint what frames carry (:class:`~sorn_studio.studio.branches.TimelineView`) and
ask for things through signals; the runner does the going back (:mod:`sorn_studio.studio.branches`).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QToolTip,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..studio.branches import TimelineView
from ..studio.frames import Frame
from ..studio.texts import step_text
from .theme import (
    ACCENT,
    BACKGROUND,
    FOREGROUND,
    MARKER_COLOR,
    NOW_COLOR,
    Look,
    color,
    current_look,
    follow_look,
)

__all__ = ["TimelineBar", "BranchesView", "memory_text", "where_text"]

#: Item data role holding a branch's number.
BRANCH_ROLE = Qt.ItemDataRole.UserRole
#: Pixels within which the pointer names the checkpoint under it.
SNAP_PX = 12


def memory_text(view: TimelineView) -> str:
    """E.g. ``"12 checkpoints on this branch, 24 MB of 256 MB"``."""
    n = len(view.checkpoints)
    mb = 2**20
    return (f"{n} checkpoint{'s' if n != 1 else ''} on this branch, "
            f"{view.nbytes / mb:.0f} MB of {view.max_bytes / mb:.0f} MB")


def where_text(view: TimelineView, step: int) -> str:
    """Where the run is on its branch, and what playing on or a change will do."""
    if step < view.tip_step:
        return (f"Back at step {step_text(step)} of {step_text(view.tip_step)}: playing on "
                f"repeats branch {view.current}; a change starts a new branch.")
    return (f"At the end of branch {view.current}. Go back to a checkpoint (the timeline, or "
            "right-click a time plot) to branch.")


class TimelineBar(QWidget):
    """The run's steps from 0 to the current branch's tip, its checkpoints as ticks and the
    step now as a handle; press or drag to pick a checkpoint, release to go back to it.

    Signals
    -------
    go_to_requested(int)
        Go to the checkpoint at this step.
    """

    go_to_requested = Signal(int)

    MARGIN = 10
    #: Height at a scale of 1 (presentation mode makes everything larger).
    HEIGHT = 26

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timelineBar")
        self.setMinimumSize(160, round(self.HEIGHT * current_look().scale))
        follow_look(self)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip("The run's checkpoints: press or drag to pick one, release to go back "
                        "to it; playing on gives the same run again, a change starts a branch")
        self.view: TimelineView | None = None
        self.step = 0
        #: The checkpoint picked while dragging (None when not dragging).
        self.picked: int | None = None

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(600, round(self.HEIGHT * current_look().scale))

    def set_look(self, _old: Look, new: Look) -> None:
        """The look changed: the bar takes the new scale's height."""
        self.setMinimumHeight(round(self.HEIGHT * new.scale))
        self.updateGeometry()

    def update_frame(self, frame: Frame) -> None:
        """Show the timeline of ``frame`` (repainted only when it changed)."""
        if frame.timeline is self.view and frame.step == self.step:
            return
        self.view, self.step = frame.timeline, int(frame.step)
        self.update()

    # -- geometry ----------------------------------------------------------------------------
    def span(self) -> int:
        """The last step the bar shows."""
        tip = self.view.tip_step if self.view is not None else 0
        return max(tip, self.step, 1)

    def x_of(self, step: float) -> float:
        """Where ``step`` lies on the bar, in pixels."""
        width = max(self.width() - 2 * self.MARGIN, 1)
        return self.MARGIN + width * step / self.span()

    def step_at(self, x: float) -> float:
        """The step under pixel ``x``."""
        width = max(self.width() - 2 * self.MARGIN, 1)
        return (x - self.MARGIN) / width * self.span()

    def checkpoint_at(self, x: float) -> int | None:
        """The checkpoint nearest pixel ``x`` (None when there is none)."""
        return self.view.nearest(self.step_at(x)) if self.view is not None else None

    # -- painting ----------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        k = current_look().scale
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        mid = self.height() / 2
        left, right = self.x_of(0), self.x_of(self.span())
        dim = color(FOREGROUND)
        dim.setAlpha(70)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(dim)
        painter.drawRoundedRect(QRectF(left, mid - 2 * k, right - left, 4 * k), 2 * k, 2 * k)
        now = self.x_of(self.step)
        painter.setBrush(color(ACCENT))
        painter.drawRoundedRect(QRectF(left, mid - 2 * k, max(now - left, 0), 4 * k),
                                2 * k, 2 * k)
        if self.view is not None:
            painter.setPen(QPen(color(FOREGROUND), k))
            for step in self.view.checkpoints:
                x = self.x_of(step)
                painter.drawLine(QPointF(x, mid - 6 * k), QPointF(x, mid + 6 * k))
            if self.view.tip_step > self.step:
                # Where the branch reached before going back: playing on goes there again.
                tip = self.x_of(self.view.tip_step)
                painter.setPen(QPen(color(MARKER_COLOR), 2 * k))
                painter.drawLine(QPointF(tip, mid - 8 * k), QPointF(tip, mid + 8 * k))
        painter.setPen(QPen(color(BACKGROUND), k))
        painter.setBrush(color(NOW_COLOR))
        painter.drawEllipse(QPointF(now, mid), 6 * k, 6 * k)
        if self.picked is not None:
            x = self.x_of(self.picked)
            painter.setBrush(color(MARKER_COLOR))
            painter.drawEllipse(QPointF(x, mid), 6 * k, 6 * k)
        painter.end()

    # -- mouse and keys ------------------------------------------------------------------------
    def _pick(self, x: float) -> None:
        picked = self.checkpoint_at(x)
        if picked != self.picked:
            self.picked = picked
            self.update()
        if picked is not None:
            where = self.mapToGlobal(QPoint(int(self.x_of(picked)), self.height()))
            QToolTip.showText(where, f"checkpoint at step {step_text(picked)}: release to go "
                              "back to it", self)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton:
            self._pick(event.position().x())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self.picked is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self._pick(event.position().x())
        else:
            near = self.checkpoint_at(event.position().x())
            if near is not None and abs(self.x_of(near) - event.position().x()) <= SNAP_PX:
                self.setToolTip(f"checkpoint at step {step_text(near)}: press to go back to it")
            else:
                self.setToolTip(f"step {step_text(self.step)} of {step_text(self.span())}; "
                                "press or drag to pick a checkpoint")

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton and self.picked is not None:
            picked, self.picked = self.picked, None
            self.update()
            QToolTip.hideText()
            if picked != self.step:
                self.go_to_requested.emit(picked)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        """Escape drops a pick; Left / Right go to the checkpoint before / after now."""
        key = event.key()
        if key == Qt.Key.Key_Escape and self.picked is not None:
            self.picked = None
            self.update()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and self.view is not None:
            steps = self.view.checkpoints
            target = ([s for s in steps if s < self.step][-1:] if key == Qt.Key.Key_Left
                      else [s for s in steps if s > self.step][:1])
            if target:
                self.go_to_requested.emit(target[0])
        else:
            super().keyPressEvent(event)


def _shape(view: TimelineView) -> tuple:
    """What the branches tree's layout depends on: each branch, its parent, which is now."""
    return tuple((row.id, row.parent, row.fork_step, row.current) for row in view.branches)


class BranchesView(QWidget):
    """The tree of branches: where each left its parent, how far it went, what it changed.

    Signals
    -------
    switch_requested(int)
        Go to the tip of this branch (double-click or Enter, or the context menu).
    delete_requested(int)
        Forget this branch (context menu).
    """

    title = "Branches"
    switch_requested = Signal(int)
    delete_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setObjectName("branchesTree")
        self.tree.setHeaderLabels(["branch", "from step", "to step", "changes"])
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setToolTip("Each branch of this run: where it left its parent, how far it "
                             "went and what it changed; double-click one to go to its end")
        self.tree.itemActivated.connect(self._activated)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._menu)
        self.where = QLabel("")
        self.where.setObjectName("branchesWhere")
        self.where.setWordWrap(True)
        self.switch = QPushButton("Go to branch")
        self.switch.setObjectName("branchesSwitch")
        self.switch.setToolTip("Go to the end of the selected branch")
        self.switch.clicked.connect(self._switch_selected)
        row = QHBoxLayout()
        row.addWidget(self.where, 1)
        row.addWidget(self.switch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        self.view: TimelineView | None = None

    def update_frame(self, frame: Frame) -> None:
        """Show the branches of ``frame`` (rebuilt only when they changed)."""
        view = frame.timeline
        if view is None:
            return
        where = where_text(view, frame.step)
        if where != self.where.text():
            self.where.setText(where)
        if view is self.view:
            return
        old = self.view
        self.view = view
        if old is not None and old.branches == view.branches:
            return
        if old is not None and _shape(old) == _shape(view):
            # The same tree, a tip moved on (every frame while the run grows): texts only.
            for row in view.branches:
                item = self.item_of(row.id)
                if item is not None:
                    item.setText(2, step_text(row.tip_step))
                    item.setText(3, row.changes)
                    item.setToolTip(3, row.changes)
            return
        items: dict[int, QTreeWidgetItem] = {}
        self.tree.clear()
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for row in view.branches:
            item = QTreeWidgetItem([f"{row.id}" + ("  (now)" if row.current else ""),
                                    step_text(row.fork_step), step_text(row.tip_step),
                                    row.changes])
            item.setData(0, BRANCH_ROLE, row.id)
            item.setToolTip(3, row.changes)
            for column in (1, 2):
                item.setTextAlignment(column,
                                      Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if row.current:
                for column in range(4):
                    item.setFont(column, bold)
            parent = items.get(row.parent) if row.parent is not None else None
            if parent is None:
                self.tree.addTopLevelItem(item)
            else:
                parent.addChild(item)
            items[row.id] = item
        self.tree.expandAll()
        for column in range(3):
            self.tree.resizeColumnToContents(column)

    def rows(self) -> list[tuple[int, int | None]]:
        """``(branch, parent)`` of every listed branch, as the tree nests them."""
        out: list[tuple[int, int | None]] = []

        def walk(item: QTreeWidgetItem, parent: int | None) -> None:
            number = int(item.data(0, BRANCH_ROLE))
            out.append((number, parent))
            for k in range(item.childCount()):
                walk(item.child(k), number)

        for k in range(self.tree.topLevelItemCount()):
            walk(self.tree.topLevelItem(k), None)
        return out

    def item_of(self, number: int) -> QTreeWidgetItem | None:
        """The row of branch ``number``."""
        for item in self.tree.findItems("*", Qt.MatchFlag.MatchWildcard
                                        | Qt.MatchFlag.MatchRecursive):
            if int(item.data(0, BRANCH_ROLE)) == number:
                return item
        return None

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        self.switch_requested.emit(int(item.data(0, BRANCH_ROLE)))

    def _switch_selected(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self._activated(item)

    def _menu(self, pos: Any) -> None:
        item = self.tree.itemAt(pos)
        if item is None:
            return
        number = int(item.data(0, BRANCH_ROLE))
        menu = QMenu(self)
        go = menu.addAction("Go to the end of this branch")
        go.triggered.connect(lambda: self.switch_requested.emit(number))
        forget = menu.addAction("Delete this branch")
        forget.setEnabled(item.childCount() == 0 and item.parent() is not None
                          and not any(r.current and r.id == number
                                      for r in (self.view.branches if self.view else ())))
        forget.triggered.connect(lambda: self.delete_requested.emit(number))
        menu.exec(self.tree.viewport().mapToGlobal(pos))
