"""Lessons: every bundled lesson passes when its steps are done and fails when one is left out
(no check is vacuous); lesson files are checked field by field; the command line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sorn_studio.cli import main
from sorn_studio.lessons import LessonError, bundled_lessons, check_lesson, load_lesson
from sorn_studio.lessons.format import Check
from sorn_studio.studio.observables import markdown_table

DOCS = Path(__file__).resolve().parents[2] / "docs" / "lessons.md"
LESSONS = bundled_lessons()


def test_there_are_lessons_and_the_docs_list_every_observable():
    assert LESSONS, "no lesson in resources/lessons"
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(r"<!-- observables:[^>]*-->\n(.*?)\n<!-- /observables -->", text, re.S)
    assert match and match.group(1) == markdown_table(), (
        "docs/lessons.md's observable table differs from sorn_studio/studio/observables.py")


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_a_lesson_passes_when_done_and_each_step_fails_when_left_out(path):
    lesson = load_lesson(path)
    report = check_lesson(lesson)
    assert report.results, f"{lesson.name} has no checks"
    assert report.passed, "\n".join(r.text() for r in report.results if not r.passed)
    for number, step in enumerate(lesson.steps, 1):
        if not step.checks:
            continue
        skipped = check_lesson(lesson, skipping=number)
        mine = [r for r in skipped.results if r.step == number]
        assert len(mine) == len(step.checks)
        passing = [r.text() for r in mine if r.passed]
        assert not passing, f"{lesson.name}: passes without step {number}'s actions: {passing}"


def _write(tmp_path, text: str) -> Path:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = '''
title = "A lesson"
goal = "Learn."
[start]
preset = "zheng2013"
[[steps]]
text = "Switch STDP off."
[[steps.actions]]
set = { stdp = false }
[[steps.checks]]
observable = "stdp"
op = "=="
value = false
'''


def test_a_teachers_file_is_checked_like_a_bundled_one(tmp_path, capsys):
    path = _write(tmp_path, GOOD)
    lesson = load_lesson(path)
    assert lesson.name == "mine" and lesson.steps[0].title == "Step 1"
    assert main(["lesson", str(path), "--check"]) == 0
    out = capsys.readouterr().out
    assert "step 1: stdp == off (stdp = False): passed" in out
    assert "mine: 1 of 1 checks passed" in out
    failing = _write(tmp_path, GOOD.replace("value = false", "value = true"))
    assert main(["lesson", str(failing), "--check"]) == 1
    assert "FAILED" in capsys.readouterr().out


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace('preset = "zheng2013"', 'preset = "nope"'),
     "[start], field 'preset': 'nope' is not a preset"),
    (lambda t: t.replace('op = "=="', 'op = "=>"'),
     "step 1, check 1, field 'op': = '=>' is not one of"),
    (lambda t: t.replace('observable = "stdp"', 'observable = "happiness"'),
     "step 1, check 1, field 'observable': 'happiness' is not an observable"),
    (lambda t: t.replace("set = { stdp = false }", "set = { ne = 100 }"),
     "step 1, action 1, field 'set': 'ne' cannot change during a run"),
    (lambda t: t.replace("set = { stdp = false }", "set = { eta_stdp = -1.0 }"),
     "step 1, action 1, field 'set'"),
    (lambda t: t.replace("set = { stdp = false }", "run = 0"),
     "step 1, action 1, field 'run': = 0 must be a whole number in [1, 10000000]"),
    (lambda t: t.replace('goal = "Learn."', 'goal = "Learn."\ncolour = "red"'),
     "top level: has unknown field(s) 'colour'"),
    (lambda t: t.replace("[[steps.actions]]\nset = { stdp = false }\n", ""),
     "step 1: has checks but expects no action"),
    (lambda t: t.replace('title = "A lesson"', 'title = "A lesson'),
     "is not valid TOML"),
    (lambda t: t.replace("value = false", 'value = "no"'),
     "step 1, check 1, field 'value': = 'no' must be a finite number or true / false"),
    (lambda t: t.replace("value = false", "value = 1.0\nop2 = 1"),
     "step 1, check 1: has unknown field(s) 'op2'"),
    (lambda t: t + '\n[controls]\nlocked = ["everything"]\n',
     "[controls], field 'locked': names ['everything']"),
    (lambda t: t.replace('goal = "Learn."', 'goal = "Learn."\nviews = ["raster", "movie"]'),
     "field 'views': names ['movie'], which are not views; the views are raster, weights"),
    (lambda t: t.replace('goal = "Learn."', 'goal = "Learn."\nviews = "raster"'),
     "field 'views': must be a list of view names"),
])
def test_a_bad_lesson_file_is_refused_naming_the_file_step_and_field(tmp_path, change,
                                                                       message, capsys):
    path = _write(tmp_path, change(GOOD))
    with pytest.raises(LessonError) as err:
        load_lesson(path)
    assert str(err.value).startswith(f"lesson file {path}")
    assert message in str(err.value), str(err.value)
    assert main(["lesson", str(path), "--check"]) == 2
    assert message in capsys.readouterr().err


def test_list_and_unknown_names(capsys):
    assert main(["lesson", "--list"]) == 0
    out = capsys.readouterr().out
    assert all(p.stem in out for p in LESSONS)
    assert main(["lesson", "no_such_lesson"]) == 2
    assert "is neither a file nor a bundled lesson" in capsys.readouterr().err


@pytest.mark.parametrize(("check", "seen", "steps", "expected"), [
    (Check("rate_e", "<", 0.2), 0.1, 0, True),
    (Check("rate_e", "<", 0.2), 0.3, 0, False),
    (Check("rate_e", ">=", 0.1), 0.1, 0, True),
    (Check("rate_e", "~", 0.1, tolerance=0.01), 0.105, 0, True),
    (Check("rate_e", "~", 0.1, tolerance=0.01), 0.12, 0, False),
    (Check("rate_e", "!=", 0.1, tolerance=0.01), 0.12, 0, True),
    (Check("rate_e", ">", 0.0, after=100), 0.5, 99, False),
    (Check("rate_e", ">", 0.0, after=100), 0.5, 100, True),
    (Check("rate_e", ">", 0.0), None, 0, False),
    (Check("rate_e", ">", 0.0), float("nan"), 0, False),
    (Check("ip", "==", False), False, 0, True),
    (Check("ip", "!=", False), False, 0, False),
    (Check("ip", "==", True), False, 0, False),
])
def test_checks_compare_as_written(check, seen, steps, expected):
    assert check.holds(seen, steps) is expected


def test_the_readme_lists_every_bundled_lesson():
    readme = (DOCS.parents[1] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- lessons:[^>]*-->\n(.*?)\n<!-- /lessons -->", readme, re.S)
    assert block, "README has no lesson table"
    listed = re.findall(r"^\| `([a-z_]+)` \|", block.group(1), re.M)
    assert listed == [p.stem for p in LESSONS]


def test_a_lesson_may_start_from_a_session_file_beside_it(tmp_path, capsys):
    from sorn_studio import load_preset
    from sorn_studio.session import save_session
    from sorn_studio.studio.defaults import make_simulation

    sim = make_simulation(load_preset("zheng2013", ne=40, ni=8, lambda_ee=8, lambda_ei=4,
                                      lambda_ie=40), seed=3)
    sim.run(1000)
    save_session(sim, tmp_path / "start.npz")
    text = GOOD.replace('preset = "zheng2013"', 'session = "start.npz"')
    lesson = load_lesson(_write(tmp_path, text))
    assert lesson.start.session == tmp_path / "start.npz" and lesson.start.params().ne == 40
    report = check_lesson(lesson)
    assert report.passed
    for bad, message in (('session = "missing.npz"', "field 'session': cannot be opened"),
                         ('session = "start.npz"\npreset = "zheng2013"', "not both"),
                         ('session = "start.npz"\nseed = 4', "takes nothing else")):
        path = _write(tmp_path, GOOD.replace('preset = "zheng2013"', bad))
        with pytest.raises(LessonError, match=re.escape(message)):
            load_lesson(path)
