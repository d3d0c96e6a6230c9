"""Lessons: data files that start a network, say what to try and check the live network.

* :mod:`.format`: the lesson file (TOML), read and checked by :func:`load_lesson`;
* :mod:`sorn_studio.studio.observables` (re-exported here): the named quantities a check
  looks at, which sweeps measure too;
* :mod:`.headless`: running a lesson without the window (``sorn-studio lesson NAME --check``).

The format is documented in ``docs/lessons.md``; the bundled lessons are in
``resources/lessons/``. Qt-free.
"""

from ..studio.observables import OBSERVABLES, observe
from .format import Lesson, LessonError, LessonStep, load_lesson
from .headless import LessonReport, bundled_lessons, check_lesson, find_lesson

__all__ = ["Lesson", "LessonError", "LessonStep", "LessonReport", "OBSERVABLES",
           "bundled_lessons", "check_lesson", "find_lesson", "load_lesson", "observe"]
