"""``sorn-studio lesson``: list the lessons, or run one headless and check it."""

from __future__ import annotations

import argparse
import sys

from .errors import UsageError

__all__ = ["add_parser", "lesson_command"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``lesson`` to ``subparsers`` (the sorn-studio commands): ``func=lesson_command``."""
    lesson = subparsers.add_parser(
        "lesson", help="list the lessons, or run one headless and check it",
        description="List the bundled lessons (--list), or run the lesson NAME (a bundled "
                    "lesson's name or a lesson file) without the window, doing what each step "
                    "expects, and print each check's result (--check). Exits 0 only when every "
                    "check passes.")
    lesson.add_argument("name", nargs="?", help="a bundled lesson's name, or a .toml file")
    lesson.add_argument("--list", action="store_true", help="list the bundled lessons")
    lesson.add_argument("--check", action="store_true",
                        help="run the lesson headless and check every step")
    lesson.set_defaults(func=lesson_command)
    return lesson


def lesson_command(args: argparse.Namespace) -> int:
    """List lessons, or check one; 0 when every check passes, 1 when one fails."""
    from sorn_studio.lessons import bundled_lessons, check_lesson, find_lesson, load_lesson

    if args.list:
        lessons = [load_lesson(path) for path in bundled_lessons()]
        width = max((len(lesson.name) for lesson in lessons), default=0)
        for lesson in lessons:
            print(f"{lesson.name:<{width}}  {lesson.title} ({lesson.minutes} min, "
                  f"{len(lesson.steps)} steps)")
        return 0
    if args.name is None:
        raise UsageError("lesson: give a lesson's name or file, or --list")
    lesson = find_lesson(args.name)
    if not args.check:
        print(f"{lesson.title}: {lesson.goal}")
        for number, step in enumerate(lesson.steps, 1):
            expects = "; ".join(a.text() for a in step.actions) or "read"
            print(f"  {number}. {step.title}: {expects}")
        print("(--check runs it headless and checks every step)")
        return 0
    report = check_lesson(lesson, progress=lambda k, n: print(
        f"step {k} of {n}: {lesson.steps[k - 1].title}", file=sys.stderr))
    for result in report.results:
        print(result.text())
    passed = sum(r.passed for r in report.results)
    print(f"{lesson.name}: {passed} of {len(report.results)} checks passed")
    return 0 if report.passed else 1
