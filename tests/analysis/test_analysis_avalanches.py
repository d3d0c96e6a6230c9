"""The Del Papa et al. (2017) avalanche pipeline on hand-made traces and sampled power laws."""

from __future__ import annotations

import numpy as np
import pytest

from sorn_studio import analysis as an


def sample_power_law(rng, alpha: float, xmin: int, xmax: int, n: int) -> np.ndarray:
    """Draw from P(x) ~ x^-alpha on xmin..xmax by inverting the discrete CDF."""
    support = np.arange(xmin, xmax + 1)
    cdf = np.cumsum(support.astype(float) ** -alpha)
    cdf /= cdf[-1]
    return support[np.searchsorted(cdf, rng.random(n), side="right")]


def test_threshold_is_rounded_half_mean():
    assert an.avalanche_threshold([4, 4, 4, 4]) == 2.0
    assert an.avalanche_threshold([3, 4]) == 2.0  # 3.5 / 2 = 1.75 -> 2
    assert an.avalanche_threshold([1, 1, 1, 2]) == 1.0  # 1.25 / 2 = 0.625 -> 1


def test_detect_avalanches_exact_durations_and_sizes():
    # theta = 2: runs above 2 are [5, 3] at 1-2, [4] at 5 and [3, 6, 3] at 7-9.
    activity = np.array([2, 5, 3, 0, 2, 4, 1, 3, 6, 3, 0])
    found = an.detect_avalanches(activity, theta=2)
    np.testing.assert_array_equal(found.starts, [1, 5, 7])
    np.testing.assert_array_equal(found.durations, [2, 1, 3])
    np.testing.assert_array_equal(found.sizes, [3 + 1, 2, 1 + 4 + 1])
    assert found.sizes.dtype == np.int64 and len(found) == 3


def test_detect_avalanches_default_threshold_and_edges():
    activity = np.array([6, 6, 0, 0, 5, 0, 0, 7])  # mean 3 -> theta = round(1.5) = 2
    found = an.detect_avalanches(activity)
    assert found.theta == 2.0
    np.testing.assert_array_equal(found.durations, [1])  # the runs at both ends are cut off
    np.testing.assert_array_equal(found.sizes, [3])
    with_edges = an.detect_avalanches(activity, include_edges=True)
    np.testing.assert_array_equal(with_edges.starts, [0, 4, 7])
    np.testing.assert_array_equal(with_edges.sizes, [8, 3, 5])


def test_detect_avalanches_from_spike_raster():
    spikes = np.zeros((6, 4), bool)
    spikes[1, :3] = True
    spikes[2, :4] = True
    spikes[4, :2] = True
    found = an.detect_avalanches(spikes, theta=1)
    np.testing.assert_array_equal(found.durations, [2, 1])
    np.testing.assert_array_equal(found.sizes, [2 + 3, 1])


def test_detect_avalanches_rejects_negative_activity():
    with pytest.raises(ValueError, match="activity"):
        an.detect_avalanches([1, -1, 2])


@pytest.mark.parametrize(("alpha", "xmin", "xmax"), [(1.5, 1, 1000), (2.0, 2, 200), (0.8, 1, 300)])
def test_power_law_exponent_recovered(alpha, xmin, xmax):
    rng = np.random.default_rng(int(alpha * 10))
    values = sample_power_law(rng, alpha, xmin, xmax, 20_000)
    fit = an.fit_power_law(values, xmin, xmax)
    assert fit.exponent == pytest.approx(alpha, abs=0.05)
    assert abs(fit.exponent - alpha) < 4 * fit.stderr + 0.01
    assert fit.n == 20_000 and fit.n_excluded == 0
    assert fit.ks < 0.02


def test_power_law_fit_excludes_values_outside_range_and_rejects_bad_input():
    rng = np.random.default_rng(9)
    values = sample_power_law(rng, 1.7, 1, 500, 5000)
    fit = an.fit_power_law(values, 3, 100)
    inside = (values >= 3) & (values <= 100)
    assert fit.n == inside.sum() and fit.n_excluded == (~inside).sum()
    assert fit.exponent == pytest.approx(1.7, abs=0.1)
    with pytest.raises(ValueError, match="integers"):
        an.fit_power_law([1.5, 2.0, 3.0])
    with pytest.raises(ValueError, match="xmin"):
        an.fit_power_law([2, 3, 4], xmin=5, xmax=4)
    with pytest.raises(ValueError, match="distinct"):
        an.fit_power_law([3, 3, 3], 1, 10)


def test_power_law_steeper_data_give_larger_exponent():
    rng = np.random.default_rng(10)
    shallow = an.fit_power_law(sample_power_law(rng, 1.2, 1, 100, 3000), 1, 100)
    steep = an.fit_power_law(sample_power_law(rng, 2.5, 1, 100, 3000), 1, 100)
    assert steep.exponent > shallow.exponent + 1


def test_size_duration_slope_exact():
    durations = np.array([1, 2, 2, 4, 8, 8])
    sizes = 3.0 * durations.astype(float) ** 1.5
    sizes[1], sizes[2] = sizes[1] * 0.5, sizes[2] * 1.5  # mean at T = 2 unchanged
    fit = an.size_duration_slope(durations, sizes)
    assert fit.slope == pytest.approx(1.5)
    assert fit.intercept == pytest.approx(np.log10(3.0))
    np.testing.assert_array_equal(fit.durations, [1, 2, 4, 8])
    np.testing.assert_array_equal(fit.counts, [1, 2, 1, 2])
    only_repeated = an.size_duration_slope(durations, sizes, min_count=2)
    np.testing.assert_array_equal(only_repeated.durations, [2, 8])
    with pytest.raises(ValueError, match="two distinct durations"):
        an.size_duration_slope([3, 3], [1, 2])


def test_avalanche_pipeline_on_synthetic_trace():
    # Build a trace of avalanches with power-law durations and sizes S = T^1.5 above theta=5.
    rng = np.random.default_rng(11)
    durations = sample_power_law(rng, 2.0, 1, 50, 3000)
    pieces = []
    for t in durations:
        pieces.append(np.full(3, 5))  # quiet gap at theta
        excess = np.full(t, 1)
        excess[0] += int(round(t**1.5)) - t  # total excess rounds T^1.5
        pieces.append(5 + excess)
    activity = np.concatenate([*pieces, np.full(3, 5)])
    result = an.avalanche_analysis(activity, theta=5, duration_range=(1, 50))
    np.testing.assert_array_equal(result.avalanches.durations, durations)
    assert result.duration_fit is not None and result.size_fit is not None
    assert result.duration_fit.exponent == pytest.approx(2.0, abs=0.1)
    assert result.scaling is not None and result.scaling.slope == pytest.approx(1.5, abs=0.02)
    np.testing.assert_array_equal(result.avalanches.sizes, np.rint(durations**1.5))


def test_predicted_slope_from_exponents():
    def fit(exponent: float) -> an.PowerLawFit:
        return an.PowerLawFit(exponent, 0.01, 1, 100, 100, 0, -1.0, 0.01)

    found = an.detect_avalanches([0, 3, 0], theta=1)
    result = an.AvalancheAnalysis(found, size_fit=fit(1.5), duration_fit=fit(2.0), scaling=None)
    assert result.predicted_slope == pytest.approx(2.0)
    assert np.isnan(an.AvalancheAnalysis(found, fit(1.0), fit(2.0), None).predicted_slope)


def test_avalanche_pipeline_without_avalanches_gives_no_fits():
    result = an.avalanche_analysis(np.zeros(20, dtype=int))
    assert len(result.avalanches) == 0
    assert result.size_fit is None and result.duration_fit is None and result.scaling is None
    assert np.isnan(result.predicted_slope)


def test_pool_avalanches_and_fit_pooled():
    first = an.detect_avalanches([0, 3, 4, 0, 2, 0], theta=1)  # durations 2, 1; sizes 5, 1
    second = an.detect_avalanches([0, 5, 0], theta=1)  # duration 1, size 4
    pooled = an.pool_avalanches([first, second])
    assert pooled.theta == 1.0
    np.testing.assert_array_equal(pooled.durations, [2, 1, 1])
    np.testing.assert_array_equal(pooled.sizes, [5, 1, 4])
    other = an.detect_avalanches([0, 5, 0], theta=2)
    assert np.isnan(an.pool_avalanches([first, other]).theta)
    result = an.fit_avalanches(pooled)
    assert result.scaling is not None
    # <S>(1) = 2.5, <S>(2) = 5: slope 1 exactly.
    assert result.scaling.slope == pytest.approx(1.0)
    with pytest.raises(ValueError, match="items"):
        an.pool_avalanches([])
