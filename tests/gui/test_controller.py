"""The controller alone knows whether the network runs, and says so with one signal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import WAIT_MS

from sorn_studio import load_preset
from sorn_studio.app.controller import Controller
from sorn_studio.studio.defaults import make_simulation


@pytest.fixture
def controller(qtbot) -> Iterator[tuple[Controller, list[bool]]]:
    params = load_preset("zheng2013", ne=40, ni=8, lambda_ee=8, lambda_ei=4, lambda_ie=40)
    ctl = Controller(make_simulation(params, seed=2, window=2000))
    changes: list[bool] = []
    ctl.running_changed.connect(changes.append)
    ctl.start()
    qtbot.waitUntil(lambda: ctl.last_frame is not None, timeout=WAIT_MS)
    yield ctl, changes
    assert ctl.shutdown()


def settle(qtbot, ctl: Controller) -> None:
    qtbot.waitUntil(lambda: ctl.runner.wait_idle(0) and ctl.mailbox.empty(), timeout=WAIT_MS)


def signalled(changes: list[bool]) -> bool:
    """Whether the signal fired on changes only (never twice with the same value)."""
    return all(a != b for a, b in zip(changes, changes[1:], strict=False))


def test_play_and_pause_switch_running_at_once_and_frames_keep_it(qtbot, controller):
    ctl, changes = controller
    assert not ctl.running and changes == []
    ctl.play()
    assert ctl.running and changes == [True]  # at once, before any frame says so
    qtbot.waitUntil(lambda: ctl.last_frame.step > 200, timeout=WAIT_MS)
    assert ctl.running and changes == [True]  # running frames change nothing
    ctl.pause()
    assert not ctl.running and changes == [True, False]
    settle(qtbot, ctl)
    # A frame built before the pause reached the worker may still say "running" for a moment;
    # once the frames catch up the network shows stopped.
    assert not ctl.running and changes[-1] is False and signalled(changes)


def test_a_step_runs_until_the_frame_that_says_it_is_done(qtbot, controller):
    ctl, changes = controller
    ctl.step(500)
    assert ctl.running and changes == [True]
    qtbot.waitUntil(lambda: ctl.last_frame.step == 500 and not ctl.last_frame.running,
                    timeout=WAIT_MS)
    assert not ctl.running and changes[-1] is False and signalled(changes)
    settle(qtbot, ctl)
    assert not ctl.running


def test_reset_and_a_worker_error_stop_running(qtbot, controller):
    ctl, changes = controller
    ctl.play()
    ctl.reset(seed=4)
    assert not ctl.running and changes == [True, False]
    settle(qtbot, ctl)
    assert not ctl.running and ctl.last_frame.step == 0 and ctl.last_frame.status.seed == 4
    changes.clear()

    def broken(*args, **kwargs):
        raise RuntimeError("kernel exploded")

    ctl.runner.call(lambda sim: setattr(sim, "run", broken)).result(WAIT_MS / 1000)
    with qtbot.waitSignal(ctl.error, timeout=WAIT_MS):
        ctl.play()
    assert not ctl.running and changes == [True, False]
