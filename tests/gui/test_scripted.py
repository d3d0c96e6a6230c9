"""The studio's entry point and its scripted runs (``--steps N --screenshot FILE --quit``)."""

from __future__ import annotations

from helpers import WAIT_MS
from PySide6.QtGui import QImage

from sorn_studio.app.scripted import ScriptedRun
from sorn_studio.app.window import MainWindow
from sorn_studio.cli import main


def test_scripted_screenshot(qapp, tmp_path):
    shot = tmp_path / "shot.png"
    code = main(["gui", "--preset", "lazar2009", "--steps", "300", "--screenshot", str(shot),
                 "--quit"])
    assert code == 0
    image = QImage(str(shot))
    assert not image.isNull() and image.width() >= 800 and image.height() >= 600


def test_a_class_starts_from_the_command_line(qapp, tmp_path, capsys):
    import numpy as np
    from PySide6.QtCore import QSettings

    from sorn_studio.app.presentation import THEME_KEY
    from sorn_studio.app.window import SETTINGS_APP, SETTINGS_ORG

    shot = tmp_path / "class.png"
    code = main(["gui", "--lesson", "intrinsic_plasticity", "--theme", "light",
                 "--presentation", "--steps", "200", "--screenshot", str(shot), "--quit"])
    assert code == 0
    image = QImage(str(shot)).convertToFormat(QImage.Format.Format_RGB32)
    rgb = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1, 4)[..., :3]
    assert (rgb.min(axis=2) > 230).mean() > 0.4          # light, not the dark theme
    # A scripted run does not change what the user chose.
    assert QSettings(SETTINGS_ORG, SETTINGS_APP).value(THEME_KEY) is None
    assert main(["gui", "--lesson", "no_such_lesson", "--quit"]) == 2
    err = capsys.readouterr().err
    assert "--lesson" in err and "the lessons are" in err and "intrinsic_plasticity" in err


def test_gui_opens_a_session_and_rejects_bad_arguments(qapp, tmp_path, capsys):
    from sorn_studio.presets import load_preset
    from sorn_studio.session import save_session
    from sorn_studio.studio.defaults import make_simulation

    sim = make_simulation(load_preset("hartmann2015"), seed=4)
    sim.step(120)
    path = save_session(sim, tmp_path / "s.npz", preset="hartmann2015")
    assert main(["gui", str(path), "--steps", "130", "--quit"]) == 0
    assert main(["gui", str(tmp_path / "nope.npz"), "--quit"]) == 2
    assert "nope.npz" in capsys.readouterr().err
    assert main(["gui", "--steps", "-1", "--quit"]) == 2
    assert main(["gui", "--screenshot", str(tmp_path / "x.jpg"), "--quit"]) == 2
    assert main(["gui", "--preset", "no-such-preset"]) == 2
    assert "invalid choice: 'no-such-preset'" in capsys.readouterr().err


def break_the_engine(win: MainWindow) -> None:
    """Make the worker's next run raise, as a failing kernel would."""
    def broken(*args, **kwargs):
        raise RuntimeError("kernel exploded")

    win.controller.runner.call(lambda sim: setattr(sim, "run", broken)).result(WAIT_MS / 1000)


def test_a_scripted_run_that_quits_ends_an_error_with_exit_2_not_a_dialog(qtbot, window):
    script = ScriptedRun(window, 300, quit_after=True)
    break_the_engine(window)
    script.start()
    qtbot.waitUntil(lambda: script.result is not None, timeout=WAIT_MS)
    assert script.result == 2 and "kernel exploded" in script.error
    assert window.last_error == script.error and window.error_box is None
    assert not window.isVisible()


def test_a_scripted_run_that_stays_open_shows_the_error(qtbot, window):
    script = ScriptedRun(window, 300)
    break_the_engine(window)
    script.start()
    qtbot.waitUntil(lambda: window.error_box is not None and window.error_box.isVisible(),
                    timeout=WAIT_MS)
    assert "kernel exploded" in window.error_box.text()
    assert script.result is None and window.isVisible()
    window.error_box.close()


def test_a_screenshot_outside_an_existing_folder_is_refused_before_the_window_opens(
        qapp, tmp_path, capsys):
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    for shot in (tmp_path / "file" / "shot.png", tmp_path / "missing" / "shot.png"):
        assert main(["gui", "--preset", "lazar2009", "--screenshot", str(shot), "--quit"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"--screenshot {shot}: folder" in err
    assert not (tmp_path / "missing").exists()


def test_a_screenshot_that_cannot_be_written_is_exit_2(qapp, tmp_path, capsys):
    folder = tmp_path / "locked"
    folder.mkdir()
    shot = folder / "shot.png"
    shot.mkdir()   # a folder where the file should go: the save fails
    assert main(["gui", "--preset", "lazar2009", "--screenshot", str(shot), "--quit"]) == 2
    assert f"sorn-studio gui: error: could not write the screenshot {shot}" in (
        capsys.readouterr().err)


def test_a_scripted_run_of_a_loaded_session_does_its_steps_from_where_it_was(qtbot):
    from sorn_studio.presets import load_preset
    from sorn_studio.studio.defaults import make_simulation

    sim = make_simulation(load_preset("hartmann2015"), seed=4)
    sim.step(120)
    win = MainWindow(sim=sim, preset="hartmann2015", remember_layout=False)
    qtbot.addWidget(win)
    win.show()
    script = ScriptedRun(win, 30, start_step=120)
    script.start()
    qtbot.waitUntil(lambda: script.result is not None, timeout=WAIT_MS)
    assert script.result == 0 and win.controller.last_frame.step == 150
    win.close()
