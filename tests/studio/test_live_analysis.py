"""The analyses the studio computes in its worker (sorn_studio.studio.live_analysis)."""

from __future__ import annotations

import numpy as np
import pytest

from sorn_studio import load_preset
from sorn_studio.analysis import (
    detect_avalanches,
    isi_statistics,
)
from sorn_studio.analysis.histograms import log_int_histogram
from sorn_studio.analysis.isi import inter_spike_intervals
from sorn_studio.studio.defaults import make_simulation
from sorn_studio.studio.live_analysis import LiveAnalysis


def test_isi_statistics_match_a_per_neuron_loop():
    rng = np.random.default_rng(3)
    spikes = rng.random((3000, 7)) < np.array([0.0, 0.001, 0.05, 0.1, 0.2, 0.5, 0.9])
    stats = isi_statistics(spikes)
    per_neuron = []
    for j in range(spikes.shape[1]):
        times = np.flatnonzero(spikes[:, j])
        per_neuron.append(np.diff(times))
    expected_cv = [d.std() / d.mean() if d.size >= 2 else np.nan for d in per_neuron]
    assert np.allclose(stats.cv_per_neuron, expected_cv, equal_nan=True)
    assert np.array_equal(stats.intervals, np.concatenate(per_neuron))
    for got, want in zip(inter_spike_intervals(spikes), per_neuron, strict=True):
        assert np.array_equal(got, want)


def _run_fed(preset: str, chunks: list[int], seed: int = 0, **options):
    params = load_preset(preset)
    sim = make_simulation(params, seed=seed, window=20_000)
    live = LiveAnalysis(**options)
    for n in chunks:
        done = sim.run(n)
        live.feed(sim, done)
    return sim, live


def test_avalanches_equal_the_offline_pipeline_on_the_same_steps():
    sim, live = _run_fed("zheng2013", [700, 1300, 2000, 999], avalanche_steps=4_000)
    analysis = live.compute(sim)
    activity = np.rint(sim.recorder.rate_e(last=4_000) * sim.params.ne).astype(int)
    offline = detect_avalanches(activity)
    av = analysis.avalanches
    assert av is not None and av.sizes.n == len(offline) == av.durations.n
    assert av.theta == offline.theta
    assert av.last_step == sim.t and av.first_step == sim.t - 3_999
    expected = log_int_histogram(offline.durations)
    assert np.array_equal(av.durations.edges, expected.edges)
    assert np.allclose(av.durations.density, expected.density)


def test_lifetimes_are_exact_from_the_engine_events():
    params = load_preset("zheng2013")
    sim = make_simulation(params, seed=0, window=20_000)
    sim.track_synapse_events()
    live = LiveAnalysis()
    masks = [sim.w_ee > 0]
    for n in [1, 249, 250] * 10:
        live.feed(sim, sim.run(n))
        masks.append(sim.w_ee > 0)
    panel = live.compute(sim).lifetimes
    # The same lifetimes by brute force: follow every synapse step by step.
    ref = make_simulation(params, seed=0, window=20_000)
    birth = np.full((params.ne, params.ne), -1)
    before = ref.w_ee > 0
    lives, created = [], 0
    for _ in range(sim.t):
        ref.run(1)
        after = ref.w_ee > 0
        born = after & ~before
        died = before & ~after
        created += int(born.sum())
        lives.extend((ref.t - birth[died & (birth >= 0)]).tolist())
        birth[died] = -1
        birth[born] = ref.t
        before = after
    assert np.array_equal(after, masks[-1])
    assert panel.since_step == 1
    assert panel.n_created == created > 0 and panel.n_pruned == len(lives) > 0
    assert panel.n_alive == created - len(lives)
    expected, _ = np.histogram(lives, bins=panel.histogram.edges)
    assert np.allclose(panel.histogram.density * np.diff(panel.histogram.edges) * len(lives),
                       expected)
    assert min(lives) < 250  # short lives are seen, whatever the chunk size
    k = np.searchsorted(panel.histogram.edges, np.median(lives)) - 1
    assert panel.histogram.edges[k] <= panel.median_lifetime <= panel.histogram.edges[k + 1]


def test_isi_panel_reports_the_recorded_window():
    sim, live = _run_fed("zheng2013", [3000, 3000], isi_steps=5_000)
    isi = live.compute(sim).isi
    stats = isi_statistics(sim.recorder.spikes_e(last=5_000))
    assert isi.first_step == sim.t - 4_999 and isi.last_step == sim.t
    assert isi.histogram.n == stats.intervals.size
    assert np.isclose(isi.cv, stats.cv) and np.isclose(isi.fit_rate, 1 / stats.mean)
    # Spontaneous SORN activity at rate 0.1 is close to Poisson (CV near 1).
    assert 0.7 < isi.cv < 1.3


def test_readout_only_with_counting_input_and_above_chance():
    sim, live = _run_fed("zheng2013", [2000])
    assert live.compute(sim).readout is None
    sim, live = _run_fed("lazar2009", [4000] * 5, readout_steps=3_000)
    readout = live.compute(sim).readout
    assert readout is not None and readout.steps.size == 1 and readout.steps[0] == sim.t
    assert readout.train_steps == 2_000 and readout.test_steps == 1_000
    # 6 symbols; even the first letter of a word is right half of the time.
    assert readout.accuracy[0] > 0.6
    assert 0.0 <= readout.accuracy_cf[0] <= 1.0
    # No new point until a quarter of the test span has passed.
    assert live.compute(sim).readout.steps.size == 1
    live.feed(sim, sim.run(300))
    assert live.compute(sim).readout.steps.size == 2


def test_clear_forgets_everything():
    sim, live = _run_fed("zheng2013", [2000, 2000])
    assert live.compute(sim).avalanches is not None
    live.clear()
    analysis = live.compute(sim)
    assert analysis.avalanches is None and analysis.lifetimes is None


@pytest.mark.parametrize("name, value", [("avalanche_steps", 5), ("isi_steps", 0),
                                         ("readout_steps", -1), ("train_fraction", 0.95)])
def test_bad_options_are_refused_by_name(name, value):
    with pytest.raises(ValueError, match=name):
        LiveAnalysis(**{name: value})
