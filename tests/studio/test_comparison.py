"""The Compare mode's run loop and frames, headless (the window is tested in tests/gui)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from sorn_studio import Simulation, load_preset
from sorn_studio.compare import Variant
from sorn_studio.studio.comparison import CompareRunner, changes_text

SMALL = dict(ne=40, ni=8, lambda_ee=5, lambda_ei=2, lambda_ie=40)


def _start(steps: int = 0):
    sim = Simulation(load_preset("zheng2013", **SMALL), 3)
    sim.run(steps)
    return sim.snapshot()


def _settle(runner: CompareRunner, frames: list) -> None:
    for _ in range(10_000):
        runner.tick()
        if runner.wait_idle(0):
            return
    raise AssertionError("the comparison never went idle")


def test_step_n_advances_every_network_and_a_frame_shows_them_all():
    frames: list = []
    runner = CompareRunner(_start(300), [Variant("twin"), Variant("no STDP", {"stdp": False})],
                           frames.append, max_fps=50)
    runner.step(2500)
    _settle(runner, frames)
    frame = frames[-1]
    assert frame.step == 2800 and frame.start_step == 300 and not frame.running
    assert [n.name for n in frame.networks] == ["baseline", "twin", "no STDP"]
    assert [n.changes for n in frame.networks] == ["no changes", "no changes", "stdp=false"]
    twin, no_stdp = frame.differences
    assert twin.steps[-1] == 2800 and np.all(twin.hamming == 0) and np.all(twin.mean_abs_dw == 0)
    assert no_stdp.hamming[-1] > 0 and no_stdp.mean_abs_dw[-1] > 0
    for network in frame.networks:
        # Every raster ends at the networks' step; the traces start where the comparison did.
        assert network.raster.stop - 1 <= 2800 < network.raster.stop + network.raster.bin
        assert network.traces.step[0] == 301
        assert network.raster.image_e.shape[1] == 40
    assert frame.networks[0].n_ee == frame.networks[1].n_ee
    assert not frame.networks[0].raster.image_e.flags.writeable


def test_the_first_frame_before_any_step_is_empty_but_whole():
    frames: list = []
    runner = CompareRunner(_start(), [Variant("no IP", {"ip": False})], frames.append)
    runner.tick()
    frame = frames[-1]
    assert frame.step == 0 and len(frame.differences[0].steps) == 0
    assert frame.networks[1].raster.image_e.shape[0] == 0


def test_it_runs_in_its_own_thread_and_stops_cleanly():
    frames: list = []
    runner = CompareRunner(_start(), [Variant("no SP", {"sp": False})], frames.append,
                           max_fps=200)
    thread = threading.Thread(target=runner.run)
    thread.start()
    runner.play()
    got = threading.Event()
    while not got.wait(0.01):
        if frames and frames[-1].step >= 2000:
            got.set()
    runner.pause()
    assert runner.wait_idle(10)
    paused_at = frames[-1].step
    assert not frames[-1].running and paused_at >= 2000
    assert runner.call(lambda r: r.lockstep.step).result(5) == paused_at
    runner.stop()
    thread.join(10)
    assert not thread.is_alive()


def test_a_failing_step_is_reported_and_pauses(monkeypatch):
    errors: list = []
    runner = CompareRunner(_start(), [Variant("no IP", {"ip": False})], lambda f: None,
                           on_error=lambda message, details: errors.append(message))

    def broken(steps, **_):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(runner.lockstep, "run", broken)
    runner.play()
    runner.tick()
    assert errors == ["RuntimeError: disk on fire"]
    runner.tick()
    assert runner.wait_idle(0)


def test_bad_variants_are_refused_before_anything_runs():
    with pytest.raises(ValueError, match="variant 'big': parameter 'ne' cannot change"):
        CompareRunner(_start(), [Variant("big", {"ne": 100})], lambda f: None)


def test_changes_read_as_the_command_line_takes_them():
    assert changes_text({"stdp": False, "eta_ip": 0.02}) == "stdp=false, eta_ip=0.02"
    assert changes_text({}) == "no changes"
