"""The Qt-free run loop: commands at step boundaries, frames, bounded history, errors."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest

from sorn_studio import Simulation, load_preset
from sorn_studio.studio.defaults import UniformRawInput, make_simulation
from sorn_studio.studio.frames import Frame
from sorn_studio.studio.runner import Runner

#: Generous bound for waiting on the worker thread; a hang fails instead of blocking the suite.
WAIT = 60.0


def small_params(**changes):
    base = dict(ne=40, ni=8, lambda_ee=8, lambda_ei=4, lambda_ie=40)
    base.update(changes)
    return load_preset("zheng2013", **base)


class Harness:
    """A runner in a plain thread, with the frames it published."""

    def __init__(self, sim, **kwargs) -> None:
        self.frames: list[Frame] = []
        self.errors: list[tuple[str, str]] = []
        self.ready = threading.Event()
        self.ready.set()
        self.runner = Runner(sim, self.frames.append, ready=self.ready.is_set,
                             on_error=lambda m, d: self.errors.append((m, d)), **kwargs)
        self.thread = threading.Thread(target=self.runner.run, name="runner-test")
        self.thread.start()

    def idle(self) -> Frame:
        assert self.runner.wait_idle(WAIT), "runner did not become idle"
        return self.frames[-1]

    def close(self) -> None:
        self.runner.stop()
        self.thread.join(WAIT)
        assert not self.thread.is_alive()


@pytest.fixture
def harness() -> Iterator[Harness]:
    h = Harness(make_simulation(small_params(), seed=3, window=2000), raster_steps=500,
                raster_columns=100)
    yield h
    h.close()


def test_step_is_exact_and_publishes_a_final_frame(harness):
    harness.runner.step(7)
    frame = harness.idle()
    assert frame.step == 7 and not frame.running
    harness.runner.step(1234)
    frame = harness.idle()
    assert frame.step == 1241
    assert frame.status.pending_steps == 0 and frame.weights is not None


def test_play_then_pause_stops_at_a_step_boundary(harness):
    harness.runner.play()
    # Wait (without a time limit on speed) until it has clearly run, then pause.
    while not harness.frames or harness.frames[-1].step < 300:
        harness.runner.wait_idle(0.01)
    harness.runner.pause()
    frame = harness.idle()
    steps = frame.step
    assert not frame.status.playing
    assert harness.runner.call(lambda sim: sim.t).result(WAIT) == steps
    harness.runner.refresh()
    assert harness.idle().step == steps


def test_frames_are_immutable_and_decimated(harness):
    harness.runner.step(1500)
    frame = harness.idle()
    assert frame.raster.image_e.shape == (100, 40) and frame.raster.image_i.shape == (100, 8)
    assert frame.raster.bin == 5 and frame.raster.stop - frame.raster.start == 500
    assert frame.raster.image_e.dtype == np.uint8
    for arr in (frame.raster.image_e, frame.raster.rate_e, frame.history.n_ee,
                frame.raster.rate_counts, frame.weights.w_ee):
        assert not arr.flags.writeable
    with pytest.raises(AttributeError):
        frame.step = 3  # type: ignore[misc]
    # The raster agrees with the recorder: column k counts spikes of its 5 steps.
    spikes = harness.runner.call(
        lambda sim: sim.recorder.spikes_e(last=500)).result(WAIT)
    counts = spikes.reshape(100, 5, 40).sum(axis=1)
    np.testing.assert_array_equal(frame.raster.image_e, (counts * 255 // 5).astype(np.uint8))
    np.testing.assert_allclose(frame.raster.rate_e, spikes.reshape(100, 5, 40).mean(axis=(1, 2)),
                               rtol=1e-5)


def test_no_frame_is_built_while_the_consumer_is_busy(harness):
    harness.idle()  # the first frame (step 0) is out
    harness.ready.clear()
    before = len(harness.frames)
    harness.runner.step(50)
    # A call runs at the next step boundary, possibly before the 50 steps are done: poll.
    while harness.runner.call(lambda sim: sim.t).result(WAIT) < 50:
        harness.runner.wait_idle(0.01)
    assert len(harness.frames) == before
    harness.ready.set()
    assert harness.idle().step == 50


def test_changes_apply_at_a_step_boundary_and_replay_identically():
    """Same seed + same change log = same run, whatever the chunking and frame rate."""
    params = small_params()
    h = Harness(make_simulation(params, seed=11, window=2000), max_fps=7)
    try:
        h.runner.step(333)
        h.idle()
        h.runner.apply_params(eta_stdp=0.02, ip=False)
        h.runner.step(200)
        h.runner.step(300)  # adds to the pending steps
        h.idle()
        h.runner.apply_params(noise_sigma=0.1)
        h.runner.step(167)
        frame = h.idle()
        final = h.runner.call(lambda sim: (sim.w_ee.copy(), sim.t_e.copy(),
                                           list(sim.change_log))).result(WAIT)
    finally:
        h.close()
    w_ee, t_e, log = final
    assert frame.step == 1000
    assert [(c.step, c.name, c.new) for c in log] == [
        (333, "eta_stdp", 0.02), (333, "ip", False), (833, "noise_sigma", 0.1)]
    assert frame.changes == tuple(log) and frame.params.eta_stdp == 0.02
    replay = Simulation(params, seed=11)
    replay.step(333)
    replay.apply_params(eta_stdp=0.02, ip=False)
    replay.step(500)
    replay.apply_params(noise_sigma=0.1)
    replay.step(167)
    np.testing.assert_array_equal(replay.w_ee, w_ee)
    np.testing.assert_array_equal(replay.t_e, t_e)


def test_invalid_change_is_reported_and_the_loop_lives_on(harness):
    harness.runner.apply_params(ne=10)
    harness.runner.step(5)
    frame = harness.idle()
    assert frame.step == 5
    assert len(harness.errors) == 1 and "ne" in harness.errors[0][0]


def test_error_in_a_step_pauses_and_reports(harness):
    def broken(*args, **kwargs):
        raise RuntimeError("kernel exploded")

    original = harness.runner.call(lambda sim: sim.run).result(WAIT)
    harness.runner.call(lambda sim: setattr(sim, "run", broken)).result(WAIT)
    harness.runner.play()
    frame = harness.idle()
    assert not frame.running
    assert harness.errors and "kernel exploded" in harness.errors[0][0]
    assert "Traceback" in harness.errors[0][1]
    harness.runner.call(lambda sim: setattr(sim, "run", original)).result(WAIT)
    harness.runner.step(3)
    assert harness.idle().step == 3


def test_reset_with_a_new_size_starts_a_new_epoch(harness):
    harness.runner.step(20)
    first = harness.idle()
    harness.runner.reset(seed=5, params=small_params(ne=30, lambda_ie=30))
    frame = harness.idle()
    assert frame.epoch == first.epoch + 1
    assert frame.step == 0 and frame.status.seed == 5 and frame.params.ne == 30
    harness.runner.step(10)
    frame = harness.idle()
    assert frame.raster.image_e.shape[1] == 30 and len(frame.history.step) == 10
    assert max(frame.history.neurons) < 30


def test_call_runs_in_the_worker_thread(harness):
    ident = harness.runner.call(lambda sim: threading.get_ident()).result(WAIT)
    assert ident == harness.thread.ident
    failing = harness.runner.call(lambda sim: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        failing.result(WAIT)


def test_replace_simulation_and_speed_limit(harness):
    other = make_simulation(small_params(), seed=9, window=2000)
    other.step(40)
    harness.runner.replace_simulation(other)
    frame = harness.idle()
    assert frame.step == 40 and frame.status.seed == 9
    assert len(frame.history.step) == 40  # what the recorder still holds is shown
    harness.runner.set_speed(2000.0)
    harness.runner.step(20)
    frame = harness.idle()
    assert frame.step == 60 and frame.status.speed_limit == 2000.0
    with pytest.raises(ValueError):
        harness.runner.set_speed(0)
    with pytest.raises(ValueError):
        harness.runner.step(0)


def test_a_replaced_simulation_keeps_its_saved_history_or_says_where_it_starts(harness):
    # The first run's whole history, as the studio saves it with a session.
    harness.runner.step(3000)
    harness.idle()
    saved = harness.runner.call(lambda sim: harness.runner.history_points()).result(WAIT)
    assert saved["step"][0] == 1 and saved["step"][-1] <= 3000
    # Its twin, opened from a file with a 2 000-step window: with the saved history the
    # whole run shows; without it the history starts at the window and says so.
    twin = make_simulation(small_params(), seed=3, window=2000)
    twin.step(3000)
    harness.runner.replace_simulation(twin, saved)
    frame = harness.idle()
    np.testing.assert_array_equal(frame.history.step, saved["step"])
    np.testing.assert_array_equal(frame.history.n_ee, saved["n_ee"])
    assert frame.history.start == 0
    late = make_simulation(small_params(), seed=3, window=2000)
    late.step(3000)
    harness.runner.replace_simulation(late)
    frame = harness.idle()
    assert frame.history.start == 1000 and frame.history.step[0] == 1001
    # Steps run after opening extend it; a reset starts a whole new history.
    harness.runner.step(10)
    assert 3000 < harness.idle().history.step[-1] <= 3010
    harness.runner.reset()
    assert harness.idle().history.start == 0


def test_stop_ends_a_free_run():
    h = Harness(make_simulation(small_params(), seed=1, window=2000))
    h.runner.play()
    while not h.frames or h.frames[-1].step < 100:
        h.runner.wait_idle(0.01)
    h.close()
    assert h.runner.stopped


def test_tick_drives_the_loop_without_threads():
    frames: list[Frame] = []
    runner = Runner(make_simulation(small_params(), seed=2, window=500), frames.append,
                    max_fps=1000)
    runner.step(30)
    while not frames or frames[-1].step < 30 or frames[-1].running:
        runner.tick()
    assert frames[-1].step == 30




def test_raw_input_is_topped_up_from_the_source():
    params = load_preset("sorn-0.7.4", ne=40, ni=8, lambda_ee=8, lambda_ei=4, lambda_ie=40)
    assert params.input_kind == "raw"
    h = Harness(make_simulation(params, seed=2, window=2000), raw_source=UniformRawInput(5))
    try:
        h.runner.step(2500)
        assert h.idle().step == 2500 and not h.errors
    finally:
        h.close()
    bare = Harness(make_simulation(params, seed=2, window=2000))
    try:
        bare.runner.step(10)
        assert bare.idle().step == 0
        assert bare.errors and "raw input" in bare.errors[0][0]
    finally:
        bare.close()
