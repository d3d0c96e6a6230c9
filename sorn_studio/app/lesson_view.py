"""The Lesson dock: a lesson's steps beside the live network, each ticked off as it is done.

Starting a lesson resets the network to the lesson's start and locks or hides the controls it
names (:meth:`~.window.MainWindow.restrict`). Each step shows its text, asks its prediction
question first when it has one, lists what it expects, and ticks its checks as they pass:
the worker evaluates them on every frame (``Runner.watch``) with
:func:`sorn_studio.lessons.headless.evaluate_checks`, on the analyses it already has. When
every check holds, the step is done and the lesson moves on. "Show me" does what the step
expects; "Restart step" goes back to where the step began (a checkpoint kept there) and
starts afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..lessons import Lesson, LessonError, bundled_lessons, load_lesson
from ..lessons.headless import CheckResult, evaluate_checks
from ..studio.frames import Frame
from ..studio.texts import step_text
from .file_dialogs import open_file_name
from .theme import Look, current_look, follow_look

if TYPE_CHECKING:
    from .controller import Controller

__all__ = ["LessonView", "ADVANCE_MS"]

#: How long a finished step stays on screen, its checks ticked, before the next one.
ADVANCE_MS = 1500
#: Most pixels the prediction choices and the checks take (at a scale of 1).
LIST_HEIGHTS = (90, 110)
_TICK, _CROSS = "\u2714", "\u2718"


class LessonView(QWidget):
    """The lessons, and the current lesson's step with its checks.

    Parameters
    ----------
    controller : Controller
        The studio's controller: resets, changes, steps and watches through it.
    restrict : callable
        ``restrict(locked, hidden, reason)`` locks and hides the window's controls.
    unless_unsaved : callable, optional
        ``unless_unsaved(action, then)`` does ``then`` once the user agreed to discard the
        run's unsaved steps (the window asks, as Reset does); by default ``then`` at once.

    Signals
    -------
    step_changed(int)
        A step began (its number, 1-based; 0 when the lesson ended or stopped).
    lesson_started(object)
        A lesson began (the :class:`~sorn_studio.lessons.format.Lesson`).
    """

    title = "Lesson"
    step_changed = Signal(int)
    lesson_started = Signal(object)

    def __init__(self, controller: Controller,
                 restrict: Callable[[tuple[str, ...], tuple[str, ...], str], None],
                 unless_unsaved: Callable[[str, Callable[[], None]], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.restrict = restrict
        self.unless_unsaved = unless_unsaved or (lambda _action, then: then())
        self.lesson: Lesson | None = None
        self.number = 0
        self.begun: int | None = None
        self.prediction: int | None = None
        self.results: tuple[CheckResult, ...] = ()
        self.done = False
        self._token = 0
        self._advance = QTimer(self)
        self._advance.setSingleShot(True)
        self._advance.setInterval(ADVANCE_MS)
        self._advance.timeout.connect(self.next_step)
        self._build()
        self._fill_lessons()
        self._show_idle()

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.choice = QComboBox()
        self.choice.setObjectName("lessonChoice")
        # Long lesson titles must not widen the dock: the list shows them whole.
        self.choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.choice.setMinimumContentsLength(6)
        self.start_button = QPushButton("Start")
        self.start_button.setObjectName("lessonStart")
        self.start_button.setToolTip("Reset the network to the lesson's start and begin")
        self.start_button.clicked.connect(self._start_chosen)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("lessonStop")
        self.stop_button.setToolTip("End the lesson and free the controls it locked")
        self.stop_button.clicked.connect(self.stop)
        self.open_button = QPushButton("Open\u2026")
        self.open_button.setObjectName("lessonOpen")
        self.open_button.setToolTip("Start a lesson file of your own (.toml, see "
                                    "docs/lessons.md); it is checked like the bundled ones")
        self.open_button.clicked.connect(self.open_file)
        # The list on a row of its own: with the buttons beside it, a narrow dock (or the
        # large text of presentation mode) cut the last button off.
        top = QGridLayout()
        top.addWidget(self.choice, 0, 0, 1, 4)
        top.addWidget(self.start_button, 1, 0)
        top.addWidget(self.open_button, 1, 1)
        top.addWidget(self.stop_button, 1, 2)
        top.setColumnStretch(3, 1)
        self.heading = QLabel()
        self.heading.setObjectName("lessonHeading")
        self.heading.setWordWrap(True)
        self.text = QTextBrowser()
        self.text.setObjectName("lessonText")
        self.text.setOpenExternalLinks(False)
        self.predict_box = QGroupBox("Predict first")
        self.predict_box.setObjectName("lessonPredict")
        predict = QVBoxLayout(self.predict_box)
        self.question = QLabel()
        self.question.setWordWrap(True)
        predict.addWidget(self.question)
        # A list rather than radio buttons: its items wrap in a narrow dock.
        self.choices = QListWidget()
        self.choices.setObjectName("lessonChoices")
        self.choices.setWordWrap(True)
        predict.addWidget(self.choices)
        self.answer_button = QPushButton("Answer")
        self.answer_button.setObjectName("lessonAnswer")
        self.answer_button.clicked.connect(self._answered)
        predict.addWidget(self.answer_button)
        self.expects = QLabel()
        self.expects.setObjectName("lessonExpects")
        self.expects.setWordWrap(True)
        self.checks = QListWidget()
        self.checks.setObjectName("lessonChecks")
        self.checks.setWordWrap(True)
        self._fit_lists(current_look().scale)
        follow_look(self)
        self.missing = QLabel()
        self.missing.setObjectName("lessonMissing")
        self.missing.setWordWrap(True)
        self.show_me = QPushButton("Show me")
        self.show_me.setObjectName("lessonShowMe")
        self.show_me.setToolTip("Do what this step expects")
        self.show_me.clicked.connect(self.perform)
        self.restart_button = QPushButton("Restart step")
        self.restart_button.setObjectName("lessonRestart")
        self.restart_button.setToolTip("Go back to where this step began and try again")
        self.restart_button.clicked.connect(self.restart_step)
        self.next_button = QPushButton("Next step")
        self.next_button.setObjectName("lessonNext")
        self.next_button.clicked.connect(self.next_step)
        buttons = QHBoxLayout()
        for button in (self.show_me, self.restart_button, self.next_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.heading)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.predict_box)
        layout.addWidget(self.expects)
        layout.addWidget(self.checks)
        layout.addWidget(self.missing)
        layout.addLayout(buttons)

    def _fit_lists(self, scale: float) -> None:
        # Heights in pixels: they grow with the text in presentation mode.
        self.choices.setMaximumHeight(round(LIST_HEIGHTS[0] * scale))
        self.checks.setMaximumHeight(round(LIST_HEIGHTS[1] * scale))

    def set_look(self, _old: Look, new: Look) -> None:
        """The look changed: the lists keep room for as many lines at the new scale."""
        self._fit_lists(new.scale)

    def _fill_lessons(self) -> None:
        for path in bundled_lessons():
            try:
                lesson = load_lesson(path)
            except LessonError:
                continue    # a broken bundled file is caught by the test suite
            self.choice.addItem(lesson.title, str(path))

    def _show_idle(self) -> None:
        self.heading.setText("Choose a lesson and press Start: the network is reset to the "
                             "lesson's start, and each step says what to try and checks it "
                             "on the live network.")
        self.text.clear()
        for widget in (self.predict_box, self.expects, self.checks, self.missing,
                       self.show_me, self.restart_button, self.next_button, self.stop_button):
            widget.setVisible(False)

    # -- the lesson --------------------------------------------------------------------------------
    def _start_chosen(self) -> None:
        path = self.choice.currentData()
        if path is not None:
            lesson = load_lesson(path)
            # Starting resets the network: a run with unsaved steps is not lost unasked.
            self.unless_unsaved("Start lesson", lambda: self.start(lesson))

    def start(self, lesson: Lesson) -> None:
        """Reset the network to ``lesson``'s start (or open its session file), lock its
        controls and begin step 1."""
        self._advance.stop()
        self.lesson = lesson
        self.restrict(lesson.locked, lesson.hidden, lesson.lock_reason)
        self.stop_button.setVisible(True)
        # The list shows the lesson running (a teacher's own file is not in it).
        index = self.choice.findData(str(lesson.path))
        if index >= 0:
            self.choice.setCurrentIndex(index)
        self.lesson_started.emit(lesson)
        if lesson.start.session is not None:
            # Step 1 begins once the file is loaded: its checkpoint must be of the new run.
            self.heading.setText(f"<b>{lesson.title}</b><br>Opening "
                                 f"{lesson.start.session.name}\u2026")
            self.controller.session_loaded.connect(self._session_opened)
            self.controller.open_session(lesson.start.session)
            return
        self.controller.preset = lesson.start.preset
        self.controller.reset(seed=lesson.start.seed, params=lesson.start.params())
        self._begin(1)

    def _session_opened(self, _meta: object) -> None:
        self.controller.session_loaded.disconnect(self._session_opened)
        if self.lesson is not None:
            self._begin(1)

    def open_file(self) -> None:
        """Ask for a lesson file (a teacher's own), check it and start it."""
        path, _filter = open_file_name(self, "Open a lesson", "", "Lessons (*.toml)")
        if path:
            self.start_file(path)

    def start_file(self, path: str) -> None:
        """Start the lesson file ``path``; a file that cannot be used is named, with why."""
        try:
            lesson = load_lesson(path)
        except (LessonError, OSError) as exc:
            self.heading.setText(f"<b>This lesson file cannot be used.</b><br>{exc}")
            return
        self.unless_unsaved("Start lesson", lambda: self.start(lesson))

    def stop(self) -> None:
        """End the lesson: stop watching, free the controls."""
        self._advance.stop()
        self.lesson, self.number, self.begun = None, 0, None
        self._token += 1
        self.controller.runner.watch(None)
        self.restrict((), (), "")
        self._show_idle()
        self.step_changed.emit(0)

    def _begin(self, number: int) -> None:
        lesson = self.lesson
        assert lesson is not None
        self.number, self.done, self.results = number, False, ()
        self.begun, self.prediction = None, None
        step = lesson.steps[number - 1]
        self._token += 1
        token = self._token
        goal = f"<br><i>Goal: {lesson.goal}</i>" if number == 1 else ""
        self.heading.setText(f"<b>{lesson.title}</b>{goal}<br>Step {number} of "
                             f"{len(lesson.steps)}: {step.title}")
        self.text.setMarkdown(step.text)
        self._show_prediction(step.prediction)
        self.expects.setText("What to do: " + "; ".join(a.text() for a in step.actions)
                             if step.actions else "Read, then go on.")
        self.expects.setVisible(True)
        self.checks.clear()
        for check in step.checks:
            self.checks.addItem(QListWidgetItem(f"{_CROSS}  {check.label}"))
        self.checks.setVisible(bool(step.checks))
        self.missing.setVisible(bool(step.checks))
        self.missing.setText("")
        for button in (self.show_me, self.restart_button):
            button.setVisible(bool(step.actions))
        self.next_button.setVisible(True)
        self.next_button.setEnabled(not step.checks)
        self._enable_step(step.prediction is None)
        checks = step.checks

        def watched(begun: int) -> None:
            if token != self._token:
                return
            self.begun = begun
            self.controller.runner.watch(
                lambda sim, analysis: (token, evaluate_checks(checks, sim, analysis,
                                                              sim.t - begun, number)))

        if checks:
            self.controller.keep_checkpoint(watched)
        self.step_changed.emit(number)

    def _show_prediction(self, prediction: Any) -> None:
        self.choices.clear()
        self.choices.setEnabled(True)
        self.predict_box.setVisible(prediction is not None)
        if prediction is None:
            return
        self.question.setText(prediction.question)
        self.choices.addItems(list(prediction.choices))
        self.answer_button.setEnabled(True)

    def answer(self, choice: int) -> None:
        """Answer the step's prediction question with choice ``choice`` (as choosing it and
        pressing Answer do)."""
        self.choices.setCurrentRow(choice)
        self._answered()

    def _answered(self) -> None:
        choice = self.choices.currentRow()
        if choice < 0 or not self.choices.currentItem().isSelected():
            self.missing.setText("Choose an answer first.")
            self.missing.setVisible(True)
            return
        self.prediction = choice
        self.choices.setEnabled(False)
        self.answer_button.setEnabled(False)
        self._enable_step(True)

    def _enable_step(self, enabled: bool) -> None:
        """Before the prediction is answered, the step's doing waits, and its checks are not
        shown (their labels would give the answer away)."""
        for widget in (self.show_me, self.restart_button):
            widget.setEnabled(enabled)
        step = self.lesson.steps[self.number - 1] if self.lesson and self.number else None
        self.checks.setVisible(enabled and step is not None and bool(step.checks))
        if not enabled:
            self.missing.setText("Answer the question above first: what do you expect?")
            self.missing.setVisible(True)

    def perform(self) -> None:
        """Do what the current step expects: its changes, then its runs ("Show me")."""
        if self.lesson is None or not self.number:
            return
        for action in self.lesson.steps[self.number - 1].actions:
            if action.set:
                self.controller.apply_live(dict(action.set))
                self.controller.flush_params()
            else:
                self.controller.step(action.run, full_speed=True)

    def restart_step(self) -> None:
        """Go back to where the step began and try again."""
        if self.begun is not None:
            self.done = False
            self.controller.restart_at(self.begun)

    def next_step(self) -> None:
        """Go on to the next step (or end the lesson after the last)."""
        self._advance.stop()
        if self.lesson is None:
            return
        if self.number < len(self.lesson.steps):
            self._begin(self.number + 1)
            return
        self.heading.setText(f"<b>{self.lesson.title}</b><br>Lesson complete. Well done!")
        for widget in (self.show_me, self.restart_button, self.next_button, self.checks,
                       self.missing, self.expects, self.predict_box):
            widget.setVisible(False)
        sources = "".join(f"\n- {ref}" for ref in self.lesson.references)
        self.text.setMarkdown("You did every step. Choose another lesson, or press Stop to "
                              "free the controls and go on exploring."
                              + (f"\n\nTo read more:\n{sources}" if sources else ""))
        self._token += 1
        self.controller.runner.watch(None)
        self.step_changed.emit(0)

    # -- frames ----------------------------------------------------------------------------------
    def update_frame(self, frame: Frame) -> None:
        """Tick the checks the worker evaluated for this frame."""
        watched = frame.watched
        if (self.lesson is None or self.done or not isinstance(watched, tuple)
                or len(watched) != 2 or watched[0] != self._token):
            return
        results = watched[1]
        self.results = results
        ran = frame.step - (self.begun or 0)
        for k, result in enumerate(results):
            item = self.checks.item(k)
            if item is not None:
                value = ("not yet" if result.value is None else
                         f"{result.value:.4g}" if isinstance(result.value, float)
                         else str(result.value))
                wait = (f"; read after {step_text(result.check.after)} steps, "
                        f"{step_text(max(ran, 0))} so far" if ran < result.check.after else "")
                item.setText(f"{_TICK if result.passed else _CROSS}  {result.check.label}  "
                             f"(now {value}{wait})")
        step = self.lesson.steps[self.number - 1]
        waiting = self.prediction is None and step.prediction is not None
        missing = [r.check.label for r in results if not r.passed]
        if waiting:
            return
        if missing:
            self.missing.setText("Still missing: " + "; ".join(missing))
            return
        self.done = True
        said = "Step done."
        if step.prediction is not None and step.prediction.answer is not None:
            right = step.prediction.choices[step.prediction.answer]
            said += (" Your prediction was right." if self.prediction == step.prediction.answer
                     else f" You predicted \u201c{step.prediction.choices[self.prediction]}"
                          f"\u201d; it was \u201c{right}\u201d.")
        self.missing.setText(said)
        self.next_button.setEnabled(True)
        self._advance.start()
