"""The README's test command is exactly what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_block(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"{re.escape(title)}.*?```(?:bash|sh|python)?\n(.*?)```", text, re.S)
    assert match, f"README has no code block after {title!r}"
    return match.group(1).strip()


def test_ci_runs_the_readme_test_command():
    command = readme_block("Run the tests")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert command in ci.splitlines(), f"{command!r} is not a line of .ci/run"


def test_readme_python_api_example_runs():
    code = readme_block("## Python API")
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own example
    assert namespace["sim"].t > 0
