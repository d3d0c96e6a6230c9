"""Run a lesson without the window: perform every step's expected actions and check it.

:func:`check_lesson` starts the lesson's network, does what each step expects (the same
changes and runs the dock's "show me" makes), and evaluates the step's checks on the live
network with the studio's own analyses. With ``skipping=k`` it leaves out what step ``k``
expects (its parameter changes, or its runs when it has no changes) and stops after it: its
checks must then fail, which shows that none of them passes whatever the student does.
``sorn-studio lesson NAME --check`` and the test suite use it. Qt-free.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..paths import resources_dir
from ..session import read_session, simulation_of
from ..studio.defaults import UniformRawInput, make_simulation
from ..studio.live_analysis import LiveAnalysis
from ..studio.observables import observe
from .format import Check, Lesson, LessonError, load_lesson

if TYPE_CHECKING:
    from ..engine import Simulation
    from ..studio.live_analysis import Analysis

__all__ = ["CheckResult", "LessonReport", "check_lesson", "bundled_lessons", "find_lesson",
           "start_simulation", "advance", "evaluate_checks"]


@dataclass(frozen=True)
class CheckResult:
    """One check of one step, evaluated."""

    step: int
    check: Check
    value: Any
    passed: bool

    def text(self) -> str:
        """E.g. ``"step 2: rates spread across neurons (rate_e_spread = 0.031): passed"``."""
        shown = "not available" if self.value is None else (
            f"{self.value:.4g}" if isinstance(self.value, float) else str(self.value))
        return (f"step {self.step}: {self.check.label} ({self.check.observable} = {shown}): "
                f"{'passed' if self.passed else 'FAILED'}")


@dataclass(frozen=True)
class LessonReport:
    """What :func:`check_lesson` found."""

    lesson: Lesson
    results: tuple[CheckResult, ...]
    skipped: int | None = None

    @property
    def passed(self) -> bool:
        """Whether every check passed."""
        return all(r.passed for r in self.results)


def evaluate_checks(checks: tuple[Check, ...], sim: Simulation, analysis: Analysis | None,
                    steps_in_step: int, step: int = 0) -> tuple[CheckResult, ...]:
    """Each check on the live network now (call it from the thread that runs ``sim``: the
    studio's worker does, on the analyses it has for its frames)."""
    out = []
    for check in checks:
        value = observe(check.observable, sim, analysis, steps_in_step)
        out.append(CheckResult(step, check, value, check.holds(value, steps_in_step)))
    return tuple(out)


def bundled_lessons() -> list[Path]:
    """The lesson files shipped in ``resources/lessons/``, by name."""
    return sorted((resources_dir() / "lessons").glob("*.toml"))


def find_lesson(name: str | Path) -> Lesson:
    """A bundled lesson by name (``"intrinsic_plasticity"``) or any lesson file by path.

    Raises
    ------
    LessonError
        When there is no such lesson, or the file is invalid.
    """
    path = Path(name)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise LessonError(str(path), "", "is not a file")
        return load_lesson(path)
    known = {p.stem: p for p in bundled_lessons()}
    if str(name) not in known:
        raise LessonError(str(name), "", f"is neither a file nor a bundled lesson; the lessons "
                          f"are {', '.join(known)}")
    return load_lesson(known[str(name)])


def start_simulation(lesson: Lesson) -> Simulation:
    """The network the lesson starts from, recorded as the studio records it (or as its
    session file was)."""
    if lesson.start.session is not None:
        sim, _info = simulation_of(read_session(lesson.start.session))
    else:
        sim = make_simulation(lesson.start.params(), lesson.start.seed)
    sim.track_synapse_events(True)
    return sim


def advance(sim: Simulation, live: LiveAnalysis, steps: int,
            raw_source: Callable[[int, int, int], Any] | None = None) -> None:
    """Run ``steps`` steps in pieces no longer than the recording window, feeding ``live``
    (and topping up raw input from ``raw_source``, as the studio does)."""
    window = sim.recorder.spec.window
    left = steps
    while left > 0:
        n = min(left, window)
        if raw_source is not None and sim.params.input_kind == "raw":
            remaining = sim.input.remaining_raw()
            if remaining is not None and remaining < n:
                sim.feed_input(raw_source(sim.params.nu, sim.t + remaining, max(n, 1000)))
        sim.run(n)
        live.feed(sim, n)
        left -= n


def check_lesson(lesson: Lesson, *, skipping: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> LessonReport:
    """Run ``lesson`` headless, doing what each step expects, and evaluate its checks.

    Parameters
    ----------
    lesson : Lesson
    skipping : int, optional
        Leave out what step ``skipping`` (1-based) expects, evaluate only its checks and stop.
    progress : callable, optional
        ``progress(step, steps)`` as each step begins.

    Returns
    -------
    LessonReport
    """
    if skipping is not None and not 1 <= skipping <= len(lesson.steps):
        raise ValueError(f"argument 'skipping' = {skipping!r} must be a step of the lesson, 1 "
                         f"to {len(lesson.steps)}")
    sim = start_simulation(lesson)
    live = LiveAnalysis()
    raw = UniformRawInput(seed=lesson.start.seed)
    results = []
    for number, step in enumerate(lesson.steps, 1):
        if progress is not None:
            progress(number, len(lesson.steps))
        begun = sim.t
        actions = step.actions
        if number == skipping:
            changes = [a for a in actions if a.set]
            actions = tuple(a for a in actions if not a.set) if changes else ()
        for action in actions:
            if action.set:
                sim.apply_params(**dict(action.set))
                sim.run(0)
            else:
                advance(sim, live, action.run, raw)
        results.extend(evaluate_checks(step.checks, sim, live.compute(sim), sim.t - begun,
                                       number))
        if number == skipping:
            break
    return LessonReport(lesson, tuple(results), skipping)
