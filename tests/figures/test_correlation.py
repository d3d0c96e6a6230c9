"""Correlation heatmap and graph drawers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from sorn_studio.figures import new_figure
from sorn_studio.figures.correlation import (
    draw_correlation_graph,
    draw_correlation_matrix,
    graph_edges,
)


def _axes():
    return new_figure((4, 4), pyplot=False).add_subplot()


def test_a_pair_counts_once_when_either_entry_exceeds_the_threshold():
    corr = np.array([[1.0, 0.5, 0.0],
                     [0.1, 1.0, 0.0],
                     [0.0, 0.3, 1.0]])
    pairs, values = graph_edges(corr, 0.2)
    assert pairs.tolist() == [[0, 1], [1, 2]] and values.tolist() == [0.5, 0.3]
    assert len(graph_edges(corr, 0.5)[0]) == 0                 # strictly above


def test_the_graph_keeps_unpartnered_neurons_on_the_circle():
    corr = np.eye(6)
    corr[0, 3] = corr[3, 0] = 0.9
    ax = _axes()
    drawn = draw_correlation_graph(ax, corr, 0.5)
    assert drawn.nodes.get_offsets().shape == (6, 2) and drawn.drawn == 1
    np.testing.assert_allclose(np.hypot(*drawn.nodes.get_offsets().T), 1.0)
    colours = drawn.nodes.get_facecolors()
    assert (colours[0] == colours[3]).all() and not (colours[0] == colours[1]).all()
    with pytest.raises(ValueError, match="threshold must be a finite number, got inf"):
        draw_correlation_graph(_axes(), corr, np.inf)


def test_the_heatmap_scale_is_symmetric_and_can_be_set():
    corr = np.array([[1.0, -0.2], [-0.2, 1.0]])
    drawn = draw_correlation_matrix(_axes(), corr)
    assert drawn.vmax == pytest.approx(0.2) and drawn.image.get_clim() == (-0.2, 0.2)
    assert draw_correlation_matrix(_axes(), corr, vmax=0.5).image.get_clim() == (-0.5, 0.5)
    with pytest.raises(ValueError, match="vmax must be a positive number, got 0"):
        draw_correlation_matrix(_axes(), corr, vmax=0)
