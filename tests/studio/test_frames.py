"""Frames built from a simulation without a runner (sorn_studio.studio.frames)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sorn_studio import load_preset
from sorn_studio.analysis import ANALYSIS_FLOOR, fit_weight_distribution
from sorn_studio.studio.defaults import make_simulation, tracked_neurons
from sorn_studio.studio.frames import (
    WEIGHT_LOG_EDGES,
    Frame,
    build_frame,
    build_raster,
    take_weights,
    weight_fit_curves,
)
from sorn_studio.studio.history import History


def small_sim(steps: int, window: int = 2000):
    params = load_preset("zheng2013", ne=40, ni=8, lambda_ee=8, lambda_ei=4, lambda_ie=40)
    sim = make_simulation(params, seed=5, window=window)
    history = History(64, len(tracked_neurons(params.ne)))
    if steps:
        history.take(sim, sim.run(steps))
    return sim, history


def frame_of(sim, history, **changes) -> Frame:
    options = dict(index=3, epoch=2, playing=False, pending_steps=0, sim_rate=0.0,
                   speed_limit=None, raster_steps=500, raster_columns=100,
                   weights=take_weights(sim), analysis=None)
    options.update(changes)
    return build_frame(sim, history, **options)


def test_build_frame_snapshots_the_simulation_without_changing_it():
    sim, history = small_sim(1234)
    before = (sim.t, sim.w_ee.copy(), history.n)
    weights = take_weights(sim)
    frame = frame_of(sim, history, playing=True, sim_rate=1e4, speed_limit=500.0,
                     weights=weights)
    assert (sim.t, history.n) == (before[0], before[2])
    np.testing.assert_array_equal(sim.w_ee, before[1])
    assert (frame.index, frame.epoch, frame.step, frame.params) == (3, 2, 1234, sim.params)
    assert frame.weights is weights and frame.analysis is None and frame.running
    s = frame.status
    assert (s.seed, s.playing, s.pending_steps, s.sim_rate, s.speed_limit) == (
        5, True, 0, 1e4, 500.0)
    assert (s.n_ee, s.n_ei) == (sim.n_ee, sim.n_ei)
    assert s.conn_fraction == pytest.approx(sim.n_ee / (40 * 39))
    h = frame.history
    assert h.neurons == tracked_neurons(40) and h.t_e_neurons.shape == (len(h.step), 3)
    np.testing.assert_allclose(h.frac_ee, h.n_ee / (40 * 39))
    for arr in (frame.raster.image_e, frame.raster.rate_counts, h.step, h.frac_ee):
        assert not arr.flags.writeable
    with pytest.raises(dataclasses.FrozenInstanceError):
        frame.status.seed = 1  # type: ignore[misc]
    assert not frame_of(sim, history).running
    assert frame_of(sim, history, pending_steps=3).running


def test_raster_columns_align_to_absolute_steps():
    sim, _ = small_sim(1234)
    r = build_raster(sim.recorder, sim.t, 40, 8, steps=500, columns=100)
    # Steps 735..1234 recorded; 5 per column, column k holding 5k+1..5k+5: the first whole
    # column starts at 736 and the newest, partly filled one (1231..1235) waits.
    assert (r.bin, r.start, r.stop, r.window) == (5, 736, 1231, 500)
    assert r.image_e.shape == (99, 40) and r.image_i.shape == (99, 8)
    np.testing.assert_array_equal(r.steps, np.arange(736, 1231, 5))
    spikes = np.asarray(sim.recorder.spikes_e(last=500))[1:496]
    counts = spikes.reshape(99, 5, 40).sum(axis=1)
    np.testing.assert_array_equal(r.image_e, (counts * 255 // 5).astype(np.uint8))
    np.testing.assert_allclose(r.rate_e, counts.mean(axis=1) / 5, rtol=1e-6)
    per_neuron = spikes.mean(axis=0)
    assert r.mean_rate == pytest.approx(per_neuron.mean())
    assert r.rate_counts.sum() == 40 and r.rate_edges[0] == 0.0


def test_an_empty_recording_gives_an_empty_raster_at_the_current_step():
    sim, history = small_sim(0)
    frame = frame_of(sim, history)
    r = frame.raster
    assert (r.start, r.stop, r.bin) == (0, 0, 1) and r.image_e.shape == (0, 40)
    assert r.mean_rate == 0.0 and len(frame.history.step) == 0


def test_take_weights_copies_and_bins_the_matrices():
    sim, _ = small_sim(300)
    w = take_weights(sim)
    assert w.step == 300 and w.w_ee.dtype == np.float32 and not w.w_ee.flags.writeable
    np.testing.assert_array_equal(w.w_ee, sim.w_ee.astype(np.float32))
    assert w.log_edges is WEIGHT_LOG_EDGES
    ee = w.w_ee[w.w_ee > 0]
    np.testing.assert_array_equal(w.ee_counts, np.histogram(np.log10(ee), WEIGHT_LOG_EDGES)[0])
    ei = w.w_ei[w.w_ei > 0]
    np.testing.assert_array_equal(w.ei_counts, np.histogram(np.log10(ei), WEIGHT_LOG_EDGES)[0])
    # Every synapse in the bins' range is counted (the authors' iSTDP floor lets a few I->E
    # weights fall below 1e-6, off the plot's scale).
    in_range = lambda v: ((v >= 10 ** WEIGHT_LOG_EDGES[0]) & (v <= 1)).sum()  # noqa: E731
    assert w.ee_counts.sum() == in_range(ee) and w.ei_counts.sum() == in_range(ei)
    assert ee.size == sim.n_ee and ei.size == sim.n_ei
    assert w.ee_fit is not None and w.ee_fit.fit.n == ee.size


def test_weight_fit_curves_follow_the_fits():
    rng = np.random.default_rng(0)
    w = np.zeros((60, 60))
    mask = rng.random(w.shape) < 0.3
    w[mask] = rng.lognormal(mean=-3.0, sigma=0.8, size=int(mask.sum()))
    edges = np.linspace(-6.0, 0.0, 61)
    curves = weight_fit_curves(w, edges)
    fit = fit_weight_distribution(w)
    assert curves is not None and curves.fit == fit and curves.fit.delta_aic > 0
    # The lognormal puts nearly all its mass inside [1e-6, 1]; its peak is at log10 e^mu.
    assert np.isclose(curves.lognormal.sum(), fit.n, rtol=1e-3)
    peak = (edges[:-1] + edges[1:])[np.argmax(curves.lognormal)] / 2
    assert abs(peak - fit.lognormal_mu / np.log(10)) <= 0.1
    assert curves.floor_fit == fit_weight_distribution(w, threshold=ANALYSIS_FLOOR)
    assert curves.floor_fit.n == int((w > ANALYSIS_FLOOR).sum()) < fit.n
    tiny = weight_fit_curves(w * 1e-3, edges)  # every weight below the floor
    assert tiny is not None and tiny.floor_fit is None
    assert weight_fit_curves(np.zeros((3, 3)), edges) is None
    assert weight_fit_curves(np.full((3, 3), 0.2), edges) is None  # nothing to fit
