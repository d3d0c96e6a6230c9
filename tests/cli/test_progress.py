"""The command line's progress bar: whole lines in a log, one redrawn line on a terminal."""

from __future__ import annotations

import io

from sorn_studio.cli import Progress


def test_progress_text():
    stream = io.StringIO()
    bar = Progress(1000, stream=stream)
    bar.update(0)
    bar.update(500)
    bar.finish()
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("[") and "0/1000 steps" in lines[0]
    assert "100.0%" not in lines[-1] and "500/1000" in lines[-1] and " 50.0%" in lines[-1]
    assert "steps/s" in lines[-1] and "left" in lines[-1]
    assert "\r" not in stream.getvalue()


def test_progress_of_slow_units_has_a_title_and_decimals():
    stream = io.StringIO()
    bar = Progress(4, stream=stream, label="networks", title="plastic")
    bar.start -= 100.0  # one network done after 100 s
    bar.update(1)
    line = stream.getvalue().splitlines()[-1]
    assert line.startswith("plastic [") and "1/4 networks" in line
    assert "0.01 networks/s" in line and "left 05:00" in line


def test_progress_on_a_terminal_redraws_one_line():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    bar = Progress(10, stream=stream)
    bar.update(10)
    bar.finish()
    text = stream.getvalue()
    assert text.startswith("\r[") and text.endswith("\n") and text.count("\n") == 1
