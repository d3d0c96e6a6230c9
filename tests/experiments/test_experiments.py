"""Experiment functions on small, fast configurations (the command: test_cli_experiments.py)."""

from __future__ import annotations

import numpy as np
import pytest

from sorn_studio import analysis as an
from sorn_studio import experiments as ex
from sorn_studio.params import MECHANISMS
from sorn_studio.presets import load_preset

# --- counting task ----------------------------------------------------------------------------


def test_counting_conditions_set_the_mechanisms():
    base = load_preset("lazar2009")
    sorn = ex.counting_params("sorn", 6)
    assert sorn.counting_n == 6 and sorn.input_kind == "counting"
    assert all(getattr(sorn, m) == getattr(base, m) for m in MECHANISMS)
    assert not any(getattr(ex.counting_params("static", 6), m) for m in MECHANISMS)
    ip_only = ex.counting_params("ip_only", 6)
    assert [getattr(ip_only, m) for m in MECHANISMS] == [m == "ip" for m in MECHANISMS]
    with pytest.raises(ValueError, match="condition"):
        ex.counting_params("plastic", 6)


def test_counting_trial_is_reproducible_and_counts_word_ends():
    kwargs = {"plastic_steps": 2000, "train_steps": 1200, "test_steps": 1200}
    first = ex.counting_trial("sorn", 4, seed=3, **kwargs)
    assert first == ex.counting_trial("sorn", 4, seed=3, **kwargs)
    assert first.n_test == 1200
    # Words have n + 2 = 6 symbols and exactly one C or F each.
    assert first.n_test_cf == pytest.approx(1200 / 6, abs=2)
    assert 0.0 <= first.accuracy_cf <= 1.0 and 0.0 < first.accuracy <= 1.0
    assert 0.0 < first.mean_rate < 0.5


def test_full_sorn_counts_better_than_static_and_ip_only_reservoirs():
    # The published ordering (Lazar et al. 2009) at n = 8, one seed, shortened plastic phase.
    trials = ex.run_counting([8], [0], plastic_steps=20_000, train_steps=3000, test_steps=3000)
    cf = {t.condition: t.accuracy_cf for t in trials}
    assert set(cf) == set(ex.COUNTING_CONDITIONS)
    assert cf["sorn"] > cf["static"] + 0.15
    assert cf["sorn"] > cf["ip_only"] + 0.15
    summary = ex.summarize_counting(trials)
    assert [s.condition for s in summary] == list(ex.COUNTING_CONDITIONS)
    assert all(s.n_seeds == 1 and s.accuracy_cf_std == 0.0 for s in summary)


# --- spontaneous ------------------------------------------------------------------------------


def test_spontaneous_bookkeeping_is_consistent():
    params = load_preset("zheng2013", ne=60, ni=12, lambda_ee=6, lambda_ei=3, lambda_ie=60)
    result = ex.run_spontaneous(
        20_000, seed=1, sample_every=5000, params=params
    )
    np.testing.assert_array_equal(result.steps, [0, 5000, 10_000, 15_000, 20_000])
    assert np.isnan(result.mean_rate[0]) and np.all(result.mean_rate[1:] > 0)
    life = result.lifetimes
    assert (life.start, life.end) == (0, 20_000)
    # Synapses alive at the end = survivors from the start + new ones still alive.
    alive_end = life.n_initial_surviving + life.censored.size
    assert alive_end == result.weights.size
    assert result.connection_fraction[-1] == pytest.approx(alive_end / (60 * 59))
    alive_start = life.n_initial_surviving + life.initial_lifetimes.size
    assert result.connection_fraction[0] == pytest.approx(alive_start / (60 * 59))
    assert life.n_created - life.n_pruned == alive_end - alive_start
    # Exact events: lifetimes at one-step resolution, some shorter than any mask spacing.
    assert np.all(life.lifetimes > 0) and life.lifetimes.size > 0
    assert np.any(life.lifetimes % 100 != 0)
    assert result.weight_fit.n + result.n_negligible == result.weights.size
    assert result.n_negligible == int((result.weights <= result.weight_threshold).sum())
    assert result.fit_floor == an.ANALYSIS_FLOOR == 0.01
    assert result.floor_fit.n == int((result.weights > result.fit_floor).sum())
    assert result.floor_fit.n < result.weight_fit.n
    assert result.phases.final == result.connection_fraction[-1]
    assert 2 <= result.periodicity_lag <= 20 and -1.0 <= result.periodicity <= 1.0
    assert result.input_log_spread >= 0.0


def test_spontaneous_without_weights_above_the_floor_still_reports():
    params = load_preset("zheng2013", ne=60, ni=12, lambda_ee=6, lambda_ei=3, lambda_ie=60)
    result = ex.run_spontaneous(20_000, seed=1, sample_every=5000, params=params,
                                fit_floor=0.999)
    assert result.floor_fit is None and result.weight_fit.n == result.weights.size


def test_spontaneous_rejects_a_floor_below_the_threshold_or_at_one():
    for floor in (1e-12, 1.0):
        with pytest.raises(ValueError, match=f"fit_floor = {floor}"):
            ex.run_spontaneous(40_000, fit_floor=floor)


def test_spike_train_periodicity_finds_a_ring_and_not_noise():
    from sorn_studio.experiments.spontaneous import spike_train_periodicity

    # 10 groups of 5 neurons firing in turn: a synfire ring of period 10.
    t = np.arange(2000)[:, None]
    group = np.repeat(np.arange(10), 5)[None, :]
    lag, ac = spike_train_periodicity(t % 10 == group)
    assert lag == 10 and ac == pytest.approx(1.0, abs=0.01)
    rng = np.random.default_rng(3)
    _, ac_noise = spike_train_periodicity(rng.random((2000, 50)) < 0.1)
    assert abs(ac_noise) < 0.05
    lag, ac = spike_train_periodicity(np.ones((100, 4), dtype=bool))
    assert lag == 0 and np.isnan(ac)
    with pytest.raises(ValueError, match="max_lag"):
        spike_train_periodicity(np.zeros((10, 3)), max_lag=10)


def test_describe_trajectory_finds_decay_and_recovery():
    steps = np.arange(8) * 10
    phases = ex.describe_trajectory(
        steps, np.array([0.1, 0.05, 0.03, 0.06, 0.08, 0.09, 0.09, 0.09])
    )
    assert phases.minimum == 0.03 and phases.step_of_minimum == 20
    assert phases.decays_then_recovers and phases.final_change == 0.0
    assert not ex.describe_trajectory(steps, np.linspace(0.1, 0.05, 8)).decays_then_recovers


# --- avalanches -------------------------------------------------------------------------------


def test_avalanche_experiment_pools_per_network_results():
    params = load_preset("delpapa2017", ne=80, ni=16, lambda_ee=8, lambda_ei=4, lambda_ie=80)
    exp = ex.run_avalanches(2, seed=5, transient=2000, record_steps=6000, params=params)
    assert exp.seeds == (5, 6) and len(exp.per_network) == 2
    again = an.detect_avalanches(ex.network_activity(params, 6, 2000, 6000))
    np.testing.assert_array_equal(exp.per_network[1].sizes, again.sizes)
    assert len(exp.pooled.avalanches) == sum(len(a) for a in exp.per_network)
    assert np.all((exp.mean_rates > 0) & (exp.mean_rates < 1))
    alone = an.fit_avalanches(exp.per_network[1])
    assert exp.per_network_exponents.shape == (2, 2)
    assert exp.per_network_exponents[1, 0] == pytest.approx(alone.size_fit.exponent)
    frozen = ex.run_avalanches(
        1, seed=5, transient=0, record_steps=3000, params=params, plastic=False
    )
    assert not frozen.plastic
    with pytest.raises(ValueError, match="n_networks"):
        ex.run_avalanches(0)


