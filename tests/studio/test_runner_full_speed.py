"""Step N at full speed: the due steps ignore the speed limit, and only they do."""

from __future__ import annotations

import types

import pytest

from sorn_studio import load_preset
from sorn_studio.studio import runner as runner_module
from sorn_studio.studio.defaults import make_simulation
from sorn_studio.studio.frames import Frame
from sorn_studio.studio.runner import Runner

#: Seconds the test clock moves per tick: more than a frame interval (a frame every tick), and
#: at the test's limit of 1 step/s, 50 ticks allow an eighth of one step.
TICK = 0.0025
LIMIT = 1.0


class Clock:
    """A clock the test moves by hand, so the speed limit does not depend on the machine."""

    def __init__(self) -> None:
        self.now = 100.0

    def perf_counter(self) -> float:
        return self.now


@pytest.fixture
def clocked(monkeypatch: pytest.MonkeyPatch):
    clock = Clock()
    fake_time = types.SimpleNamespace(perf_counter=clock.perf_counter)
    monkeypatch.setattr(runner_module, "time", fake_time)
    frames: list[Frame] = []
    params = load_preset("zheng2013", ne=40, ni=8, lambda_ee=8, lambda_ei=4, lambda_ie=40)
    runner = Runner(make_simulation(params, seed=3, window=2000), frames.append,
                    max_fps=500, raster_steps=500, raster_columns=100)

    def ticks(n: int) -> None:
        for _ in range(n):
            clock.now += TICK
            runner.tick()

    return runner, frames, ticks




def test_step_n_at_full_speed_ignores_the_limit_and_counts_down(clocked):
    runner, frames, ticks = clocked
    runner.set_speed(LIMIT)
    runner.step(50)
    ticks(50)
    # Limited to 1 step/s, 125 ms of the test clock allow no whole step.
    assert frames[-1].step == 0
    runner.pause()
    ticks(1)
    first = len(frames)
    runner.step(3000, full_speed=True)
    ticks(60)
    assert frames[-1].step == 3000
    pending = [f.status.pending_steps for f in frames[first:] if f.status.pending_steps]
    # Frames told how many steps were still due, fewer and fewer (what the progress bar shows).
    assert len(pending) >= 3 and pending == sorted(pending, reverse=True)
    assert frames[-1].status.pending_steps == 0 and frames[-1].status.speed_limit == LIMIT


def test_the_limit_holds_again_after_a_full_speed_step(clocked):
    runner, frames, ticks = clocked
    runner.set_speed(LIMIT)
    runner.step(200, full_speed=True)
    ticks(40)
    assert frames[-1].step == 200
    runner.step(50)
    ticks(50)
    assert frames[-1].step == 200
    runner.play()
    ticks(50)
    assert frames[-1].step == 200


def test_the_newest_step_decides_the_speed_of_the_steps_due(clocked):
    runner, frames, ticks = clocked
    runner.set_speed(LIMIT)
    runner.step(5000, full_speed=True)
    ticks(2)
    done = frames[-1].step
    assert 0 < done < 5000
    # A plain Step N added to a full-speed one brings the limit back for every step due.
    runner.step(10)
    ticks(50)
    assert frames[-1].step == done
