"""Raster and population-rate drawers: the marks, the axes, the rate on its own scale."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from sorn_studio.figures import new_figure
from sorn_studio.figures.spikes import (
    draw_population_rate,
    draw_raster,
    draw_raster_with_rate,
    spike_raster,
)


def _axes():
    return new_figure((6, 4), pyplot=False).add_subplot()


def _spikes(steps=200, neurons=20, p=0.1, seed=0):
    return np.random.default_rng(seed).random((steps, neurons)) < p


def test_ticks_sit_at_each_spike_with_the_step_numbers_given():
    spikes = _spikes()
    ax = _axes()
    steps = np.arange(1000, 1200)
    line = draw_raster(ax, spikes, steps=steps)
    t, n = np.nonzero(spikes)
    assert np.array_equal(line.get_xdata(), steps[t]) and np.array_equal(line.get_ydata(), n)
    assert line.get_marker() == "|"
    assert ax.get_xlabel() == "Time step" and ax.get_ylabel() == "Neuron"
    assert ax.get_xlim() == (999.5, 1199.5) and ax.get_ylim() == (-0.5, 19.5)


def test_dots_are_one_point_per_spike():
    spikes = _spikes()
    dots = draw_raster(_axes(), spikes.astype(float), marker=".")
    assert dots.get_offsets().shape == (int(spikes.sum()), 2)


def test_the_rate_is_the_fraction_active_on_its_own_axes():
    spikes = _spikes()
    ax = _axes()
    drawn = draw_raster_with_rate(ax, spikes)
    assert drawn.rate_ax is not ax and drawn.rate_ax.get_shared_x_axes().joined(ax,
                                                                                drawn.rate_ax)
    np.testing.assert_allclose(drawn.rate.get_ydata(), spikes.mean(axis=1))
    assert drawn.rate_ax.get_ylim()[1] < 1.0 < ax.get_ylim()[1]   # not in neuron units
    panel = ax.figure.add_subplot(212)
    below = draw_raster_with_rate(_axes(), spikes, rate_ax=panel)
    assert below.rate_ax is panel and panel.get_xlabel() == "Time step"


def test_an_empty_or_silent_raster_is_drawn_with_a_note():
    ax = _axes()
    assert draw_raster(ax, np.zeros((0, 5))) is None
    assert [t.get_text() for t in ax.texts] == ["no time steps"]
    ax = _axes()
    drawn = draw_raster_with_rate(ax, np.zeros((50, 5), bool))
    assert drawn.raster is None and [t.get_text() for t in ax.texts] == ["no spikes"]
    assert not drawn.rate.get_ydata().any()
    ax = _axes()
    assert draw_population_rate(ax, np.zeros((0, 3))) is None
    assert [t.get_text() for t in ax.texts] == ["no time steps"]


@pytest.mark.parametrize(("spikes", "message"), [
    (np.zeros(10), r"spikes must be 2-dimensional, got shape \(10,\)"),
    (np.zeros((10, 0)), r"spikes has no neurons \(shape \(10, 0\)\)"),
    (np.full((3, 2), 0.5), r"spikes must contain only 0 and 1 \(or booleans\), found 0\.5"),
    (np.array([[np.nan, 1.0]]), "spikes contains NaN"),
])
def test_bad_spikes_are_refused(spikes, message):
    with pytest.raises(ValueError, match=message):
        spike_raster(spikes)


def test_bad_steps_and_markers_are_refused():
    with pytest.raises(ValueError, match=r"steps must hold one step number per row of spikes "
                                         r"\(200\), got shape \(3,\)"):
        draw_raster(_axes(), _spikes(), steps=[1, 2, 3])
    with pytest.raises(ValueError, match=r"marker must be one of '\|', '\.', got 'o'"):
        draw_raster(_axes(), _spikes(), marker="o")
