"""The lesson file: a TOML file that says what to start from, what to do and what to check.

A lesson (see ``docs/lessons.md`` for the format with an example) is read by
:func:`load_lesson`, which checks every field and refuses what it cannot use with a
:class:`LessonError` naming the file, the step and the field. A teacher's own file gets
exactly the same checks as the bundled ones in ``resources/lessons/``. Qt-free.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..params import Params, field_specs
from ..presets import get_preset, list_presets
from ..recording import MAX_STEPS
from ..session import SessionError, read_session
from ..studio.observables import OBSERVABLES
from ..studio.views import VIEW_NAMES

__all__ = ["Lesson", "LessonStep", "Action", "Check", "Prediction", "Start", "LessonError",
           "load_lesson", "OPERATORS", "CONTROLS", "MAX_RUN"]

#: How a check compares an observable with its value.
OPERATORS = ("<", "<=", ">", ">=", "==", "!=", "~")
#: Controls of the studio a lesson may lock or hide, besides the parameter fields.
CONTROLS = ("preset", "seed", "input", "reset", "speed")
#: Most steps one "run" action may ask for.
MAX_RUN = 10_000_000
#: Longest texts a lesson may hold (a step's text is a page, not a book).
_MAX_TEXT = 20_000
_MAX_SHORT = 300


class LessonError(ValueError):
    """A lesson file that cannot be used.

    Attributes
    ----------
    path : str
        The file.
    where : str
        Where in it, e.g. ``"step 2, check 1, field 'op'"``.
    problem : str
        What is wrong.
    """

    def __init__(self, path: str, where: str, problem: str) -> None:
        super().__init__(f"lesson file {path}, {where}: {problem}" if where
                         else f"lesson file {path}: {problem}")
        self.path, self.where, self.problem = path, where, problem


@dataclass(frozen=True)
class Start:
    """Where a lesson begins: a preset with changes and a seed, or a session file (the
    network as it was saved, with its own parameters and seed)."""

    preset: str | None
    seed: int
    changes: Mapping[str, Any]
    session: Path | None = None
    #: The session file's parameters (read with it), when the lesson starts from one.
    session_params: Params | None = None

    def params(self) -> Params:
        """The parameters to start from (those of the session file, when it starts one)."""
        if self.session_params is not None:
            return self.session_params
        assert self.preset is not None
        return get_preset(self.preset).params.replace(**dict(self.changes))


@dataclass(frozen=True)
class Prediction:
    """A question the student answers before the step goes on."""

    question: str
    choices: tuple[str, ...]
    answer: int | None


@dataclass(frozen=True)
class Action:
    """One thing a step expects the student to do: change live parameters, or run steps."""

    set: Mapping[str, Any] = field(default_factory=dict)
    run: int = 0

    def text(self) -> str:
        """How the dock lists it, e.g. ``"set ip = off"`` or ``"run 50 000 steps"``."""
        if self.run:
            return f"run {self.run:,} steps".replace(",", " ")
        shown = ", ".join(f"{k} = {_value_text(v)}" for k, v in self.set.items())
        return f"set {shown}"


@dataclass(frozen=True)
class Check:
    """A condition on an observable of the live network.

    Attributes
    ----------
    observable : str
        A name of :data:`~sorn_studio.studio.observables.OBSERVABLES`.
    op : str
        One of :data:`OPERATORS`; ``"~"`` is equal within ``tolerance``.
    value : float or bool
        What it is compared with.
    tolerance : float
        For ``"~"`` (and ``"=="`` of numbers): the largest difference that still counts.
    after : int
        The check is looked at only once this many steps ran since the step began.
    label : str
        What the dock shows.
    """

    observable: str
    op: str
    value: float | bool
    tolerance: float = 0.0
    after: int = 0
    label: str = ""

    def holds(self, seen: Any, steps_in_step: int) -> bool:
        """Whether the check passes for the observed value ``seen``."""
        if seen is None or steps_in_step < self.after:
            return False
        if isinstance(self.value, bool) or isinstance(seen, bool):
            same = bool(seen) == bool(self.value)
            return not same if self.op == "!=" else same   # switches take ==, ~ and != only
        seen, value = float(seen), float(self.value)
        if not math.isfinite(seen):
            return False
        near = abs(seen - value) <= self.tolerance
        return {"<": seen < value, "<=": seen <= value, ">": seen > value, ">=": seen >= value,
                "==": near, "~": near, "!=": not near}[self.op]


@dataclass(frozen=True)
class LessonStep:
    """One step of a lesson: its text, an optional prediction, actions and checks."""

    title: str
    text: str
    prediction: Prediction | None
    actions: tuple[Action, ...]
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class Lesson:
    """A lesson as read from its file."""

    name: str
    path: Path
    title: str
    goal: str
    minutes: int
    references: tuple[str, ...]
    start: Start
    locked: tuple[str, ...]
    hidden: tuple[str, ...]
    lock_reason: str
    steps: tuple[LessonStep, ...]
    #: The views the lesson works with: brought to the front, and the only ones presentation
    #: mode shows (with the run controls and the lesson).
    views: tuple[str, ...] = ()


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _at(where: str, key: str) -> str:
    """``"step 2, check 1, field 'op'"`` (``"field 'op'"`` at the top level)."""
    return f"{where}, field {key!r}" if where else f"field {key!r}"


class _Reader:
    """Field checks with the file and the place in it named in every error."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def fail(self, where: str, problem: str) -> LessonError:
        return LessonError(self.path, where, problem)

    def table(self, data: Any, where: str, known: set[str], required: set[str]
              ) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(where, f"must be a table, got {type(data).__name__}")
        unknown = sorted(set(data) - known)
        if unknown:
            raise self.fail(where, f"has unknown field(s) {', '.join(map(repr, unknown))}; "
                            f"allowed: {', '.join(sorted(known))}")
        missing = sorted(required - set(data))
        if missing:
            raise self.fail(where, f"misses field(s) {', '.join(map(repr, missing))}")
        return data

    def text(self, data: Mapping[str, Any], key: str, where: str, *, most: int = _MAX_SHORT,
             default: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not value.strip() or len(value) > most:
            raise self.fail(_at(where, key), f"must be a text of 1 to {most} "
                            f"characters, got {value!r:.60}")
        return value.strip()

    def whole(self, data: Mapping[str, Any], key: str, where: str, low: int, high: int,
              default: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(_at(where, key), f"= {value!r} must be a whole number in "
                            f"[{low}, {high}]")
        return value

    def names(self, data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = data.get(key, [])
        allowed = set(field_specs()) | set(CONTROLS)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(_at(where, key), "must be a list of names")
        wrong = [v for v in value if v not in allowed]
        if wrong:
            raise self.fail(_at(where, key), f"names {wrong}, which are neither "
                            f"parameters nor the controls {', '.join(CONTROLS)}")
        return tuple(value)

    def changes(self, data: Any, where: str, params: Params, *, live: bool) -> dict[str, Any]:
        if not isinstance(data, dict) or not data:
            raise self.fail(where, "must be a table of parameter = value")
        specs = field_specs()
        for name in data:
            if name not in specs:
                raise self.fail(where, f"{name!r} is not a parameter")
            if live and not specs[name].live:
                raise self.fail(where, f"{name!r} cannot change during a run (it is "
                                "structural); set it in [start] changes instead")
        try:
            params.replace(**data)
        except (TypeError, ValueError) as exc:
            raise self.fail(where, str(exc)) from None
        return dict(data)


def _start(r: _Reader, data: Any, folder: Path) -> Start:
    data = r.table(data, "[start]", {"preset", "seed", "changes", "session"}, set())
    if ("session" in data) == ("preset" in data):
        raise r.fail("[start]", "must name either a 'preset' (with optional 'seed' and "
                     "'changes') or a 'session' file, not both nor neither")
    if "session" in data:
        return _session_start(r, data, folder)
    preset = data["preset"]
    if preset not in list_presets():
        raise r.fail(_at("[start]", "preset"), f"{preset!r} is not a preset; the presets are "
                     f"{', '.join(list_presets())}")
    seed = r.whole(data, "seed", "[start]", 0, 2**63 - 1, 0)
    params = get_preset(preset).params
    changes = (r.changes(data["changes"], _at("[start]", "changes"), params, live=False)
               if "changes" in data else {})
    return Start(preset, seed, changes)


def _session_start(r: _Reader, data: Mapping[str, Any], folder: Path) -> Start:
    """A start from a session file beside the lesson (checked as any session is)."""
    if set(data) != {"session"}:
        raise r.fail("[start]", "with a 'session' takes nothing else: the file holds the "
                     "parameters and the seed")
    name = data["session"]
    if not isinstance(name, str) or not name.endswith(".npz"):
        raise r.fail(_at("[start]", "session"), f"= {name!r} must be the name of a .npz "
                     "session file beside the lesson")
    path = folder / name
    try:
        info = read_session(path).info
    except (SessionError, OSError) as exc:
        raise r.fail(_at("[start]", "session"), f"cannot be opened: {exc}") from None
    return Start(info.preset, info.seed, {}, path, info.params)


def _prediction(r: _Reader, data: Any, where: str) -> Prediction:
    data = r.table(data, where, {"question", "choices", "answer"}, {"question", "choices"})
    question = r.text(data, "question", where, most=1000)
    choices = data["choices"]
    if (not isinstance(choices, list) or not 2 <= len(choices) <= 6
            or not all(isinstance(c, str) and c.strip() and len(c) <= _MAX_SHORT
                       for c in choices)):
        raise r.fail(_at(where, "choices"), "must be a list of 2 to 6 short texts")
    answer = (r.whole(data, "answer", where, 0, len(choices) - 1, 0)
              if "answer" in data else None)
    return Prediction(question, tuple(c.strip() for c in choices), answer)


def _action(r: _Reader, data: Any, where: str, params: Params) -> Action:
    data = r.table(data, where, {"set", "run"}, set())
    if len(data) != 1:
        raise r.fail(where, "must hold exactly one of 'set' (parameter changes) or 'run' "
                     "(a number of steps)")
    if "run" in data:
        return Action(run=r.whole(data, "run", where, 1, MAX_RUN, 1))
    return Action(set=r.changes(data["set"], _at(where, "set"), params, live=True))


def _check(r: _Reader, data: Any, where: str) -> Check:
    data = r.table(data, where, {"observable", "op", "value", "tolerance", "after", "label"},
                   {"observable", "op", "value"})
    name = data["observable"]
    if name not in OBSERVABLES:
        raise r.fail(_at(where, "observable"), f"{name!r} is not an observable; see "
                     "docs/lessons.md for the list")
    op = data["op"]
    if op not in OPERATORS:
        raise r.fail(_at(where, "op"), f"= {op!r} is not one of {' '.join(OPERATORS)}")
    value = data["value"]
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not (isinstance(value, bool) or (number and math.isfinite(value))):
        raise r.fail(_at(where, "value"), f"= {value!r} must be a finite number or "
                     "true / false")
    if isinstance(value, bool) and op not in ("==", "!=", "~"):
        raise r.fail(_at(where, "op"), f"= {op!r} cannot compare a switch; use == or !=")
    tolerance = data.get("tolerance", 0.0)
    if (isinstance(tolerance, bool) or not isinstance(tolerance, (int, float))
            or not math.isfinite(tolerance) or tolerance < 0):
        raise r.fail(_at(where, "tolerance"), f"= {tolerance!r} must be a number >= 0")
    after = r.whole(data, "after", where, 0, MAX_STEPS, 0)
    label = (r.text(data, "label", where) if "label" in data
             else f"{name} {op} {_value_text(value)}")
    return Check(name, op, value if isinstance(value, bool) else float(value),
                 float(tolerance), after, label)


def _step(r: _Reader, data: Any, number: int, params: Params) -> LessonStep:
    where = f"step {number}"
    data = r.table(data, where, {"title", "text", "predict", "actions", "checks"}, {"text"})
    title = r.text(data, "title", where, default=f"Step {number}")
    text = r.text(data, "text", where, most=_MAX_TEXT)
    prediction = _prediction(r, data["predict"], f"{where}, predict") if "predict" in data \
        else None
    actions, checks = data.get("actions", []), data.get("checks", [])
    for key, value in (("actions", actions), ("checks", checks)):
        if not isinstance(value, list):
            raise r.fail(_at(where, key), "must be a list of tables ([[steps."
                         f"{key}]])")
    acted = tuple(_action(r, a, f"{where}, action {k}", params)
                  for k, a in enumerate(actions, 1))
    for action in acted:
        params = params.replace(**dict(action.set))
    checked = tuple(_check(r, c, f"{where}, check {k}") for k, c in enumerate(checks, 1))
    if checked and not acted:
        raise r.fail(where, "has checks but expects no action: a check must be about "
                     "something the student does in this step")
    return LessonStep(title, text, prediction, acted, checked)


def load_lesson(path: str | Path) -> Lesson:
    """Read and check a lesson file.

    Parameters
    ----------
    path : str or Path
        A ``.toml`` file.

    Returns
    -------
    Lesson

    Raises
    ------
    LessonError
        When the file is not valid TOML or a field is missing, unknown or out of range; the
        message names the file, the step and the field.
    OSError
        When it cannot be read.
    """
    path = Path(path)
    r = _Reader(path)
    raw = path.read_bytes()
    if len(raw) > 1_000_000:
        raise r.fail("", f"is {len(raw)} bytes; a lesson file holds at most 1 MB")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise r.fail("", f"is not valid TOML: {exc}") from None
    data = r.table(data, "top level", {"title", "goal", "minutes", "references", "start",
                                       "controls", "views", "steps"},
                   {"title", "goal", "start", "steps"})
    views = data.get("views", [])
    if not isinstance(views, list) or not all(isinstance(v, str) for v in views):
        raise r.fail(_at("", "views"), "must be a list of view names")
    unknown = [v for v in views if v not in VIEW_NAMES]
    if unknown:
        raise r.fail(_at("", "views"), f"names {unknown}, which are not views; the views are "
                     f"{', '.join(VIEW_NAMES)}")
    references = data.get("references", [])
    if not isinstance(references, list) or not all(isinstance(x, str) for x in references):
        raise r.fail(_at("", "references"), "must be a list of texts")
    start = _start(r, data["start"], path.parent)
    controls = r.table(data.get("controls", {}), "[controls]", {"locked", "hidden", "reason"},
                       set())
    steps = data["steps"]
    if not isinstance(steps, list) or not 1 <= len(steps) <= 30:
        raise r.fail(_at("", "steps"), "must be 1 to 30 steps ([[steps]] tables)")
    params = start.params()
    read = []
    for number, step in enumerate(steps, 1):
        read.append(_step(r, step, number, params))
        for action in read[-1].actions:
            params = params.replace(**dict(action.set))
    return Lesson(
        name=path.stem, path=path, title=r.text(data, "title", ""),
        goal=r.text(data, "goal", "", most=2000),
        minutes=r.whole(data, "minutes", "", 1, 120, 10), references=tuple(references),
        start=start, locked=r.names(controls, "locked", "[controls]"),
        hidden=r.names(controls, "hidden", "[controls]"),
        lock_reason=(r.text(controls, "reason", "[controls]", most=1000)
                     if "reason" in controls else "locked by this lesson"),
        steps=tuple(read), views=tuple(dict.fromkeys(views)))
