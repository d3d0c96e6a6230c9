"""Lessons: data files that start a network, say what to try and check the live network.

* :mod:`.format`: the lesson file (TOML), read and checked by :func:`load_lesson`;
* :mod:`.observables`: the named quantities a check looks at;
* :mod:`.headless`: running a lesson without the window (``sorn-studio lesson NAME --check``).

The format is documented in ``docs/lessons.md``; the bundled lessons are in
``resources/lessons/``. Qt-free.
"""

from .format import Lesson, LessonError, LessonStep, load_lesson
from .headless import LessonReport, bundled_lessons, check_lesson, find_lesson
from .observables import OBSERVABLES, observe

__all__ = ["Lesson", "LessonError", "LessonStep", "LessonReport", "OBSERVABLES",
           "bundled_lessons", "check_lesson", "find_lesson", "load_lesson", "observe"]
