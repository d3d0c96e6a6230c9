"""The whole-run history: bounded memory, the whole run visible, read from the recorder."""

from __future__ import annotations

import numpy as np
import pytest

from sorn_studio import load_preset
from sorn_studio.studio.defaults import make_simulation, tracked_neurons
from sorn_studio.studio.history import History


def test_history_stays_bounded_and_keeps_the_whole_run():
    h = History(capacity=64, k=2)
    total = 10_000
    rng = np.random.default_rng(0)
    rate = rng.random(total)
    t_min = rng.random(total)
    for start in range(0, total, 777):
        stop = min(start + 777, total)
        n = stop - start
        h.extend({"step": np.arange(start, stop) + 1, "rate_e": rate[start:stop],
                  "rate_i": rate[start:stop], "n_ee": np.full(n, 5), "n_ei": np.full(n, 2),
                  "t_e_mean": rate[start:stop], "t_e_min": t_min[start:stop],
                  "t_e_max": t_min[start:stop], "t_i_mean": np.zeros(n),
                  "t_e_neurons": np.zeros((n, 2))})
    snap = h.snapshot()
    assert h.n <= 64 and len(snap["step"]) <= 65
    assert h.bin == 256  # 10 000 steps needed four halvings of 64 points
    assert snap["step"][0] == 1
    # Each full point is the mean / min of its 256 steps.
    np.testing.assert_allclose(snap["rate_e"][:h.n], rate[: h.n * 256].reshape(h.n, 256).mean(1))
    np.testing.assert_allclose(snap["t_e_min"][:h.n], t_min[: h.n * 256].reshape(h.n, 256).min(1))
    # The incomplete last bin is shown as one more point.
    np.testing.assert_allclose(snap["rate_e"][-1], rate[h.n * 256:].mean())
    with pytest.raises(ValueError):
        History(capacity=3)


def test_take_reads_the_newest_steps_from_the_recorder():
    params = load_preset("zheng2013", ne=40, ni=8, lambda_ee=8, lambda_ei=4, lambda_ie=40)
    sim = make_simulation(params, seed=1, window=1000)
    h = History(capacity=1024, k=len(tracked_neurons(params.ne)))
    for n in (120, 380):
        h.take(sim, sim.run(n))
    snap = h.snapshot()
    rec = sim.recorder
    np.testing.assert_array_equal(snap["step"], np.arange(1, 501))
    np.testing.assert_array_equal(snap["n_ee"], rec.n_ee(last=500))
    np.testing.assert_allclose(snap["t_e_neurons"], rec.t_e_neurons(last=500))
    # The recorder keeps no I thresholds per step: a chunk shows their mean at its end.
    assert snap["t_i_mean"][-1] == pytest.approx(float(np.mean(sim.t_i)))


def _filled(capacity: int, steps: int) -> History:
    h = History(capacity=capacity, k=1)
    rng = np.random.default_rng(1)
    h.extend({"step": np.arange(1, steps + 1), "rate_e": rng.random(steps),
              "rate_i": rng.random(steps), "n_ee": rng.random(steps), "n_ei": rng.random(steps),
              "t_e_mean": rng.random(steps), "t_e_min": rng.random(steps),
              "t_e_max": rng.random(steps), "t_i_mean": rng.random(steps),
              "t_e_neurons": rng.random((steps, 1))})
    return h


def test_points_restore_the_history_and_new_steps_follow_them():
    h = _filled(64, 1000)
    points = h.points()
    assert int(points["bin"]) == h.bin == 16
    again = History(capacity=64, k=1)
    again.restore(points)
    snap, back = h.snapshot(), again.snapshot()
    for name in snap:
        np.testing.assert_array_equal(back[name], snap[name], err_msg=name)
    assert again.start == 0 and again.bin == 16
    # New steps go on after the last restored point (the 8 steps of the unfinished last bin,
    # from 993 on), at the restored resolution.
    again.extend({name: (np.arange(1001, 1017) if name == "step" else
                         np.ones((16, 1)) if name == "t_e_neurons" else np.ones(16))
                  for name in snap})
    assert again.snapshot()["step"][-2:].tolist() == [993, 1001]
    assert again.n == 64 and again.snapshot()["rate_e"][-1] == 1.0


def test_restore_merges_points_into_a_smaller_history_and_keeps_where_it_starts():
    points = _filled(64, 1000).points()
    points["step"] = points["step"] + 5000   # a history that started late (step 5 001)
    small = History(capacity=16, k=1)
    small.restore(points)
    snap = small.snapshot()
    assert len(snap["step"]) <= 16 and small.bin == 16 * 4
    assert snap["step"][0] == points["step"][0] and small.start == 5000
    # Merged points keep their reduction: min of minima, mean of means (of equal bins).
    np.testing.assert_allclose(snap["t_e_min"][0], points["t_e_min"][:4].min())
    np.testing.assert_allclose(snap["n_ee"][0], points["n_ee"][:4].mean())
    small.clear()
    assert small.start == 0 and small.n == 0
