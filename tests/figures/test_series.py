"""A quantity against time step."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from sorn_studio.figures import new_figure
from sorn_studio.figures.series import draw_trace, time_series


def test_the_trace_spans_the_steps_given():
    ax = new_figure((4, 3), pyplot=False).add_subplot()
    line = draw_trace(ax, [3, 1, 2], steps=[10, 20, 30], ylabel="count")
    assert line.get_xdata().tolist() == [10, 20, 30] and ax.get_xlim() == (10, 30)
    assert ax.get_xlabel() == "Time step" and ax.get_ylabel() == "count"
    with pytest.raises(ValueError, match=r"steps must hold one step number per value \(3\)"):
        draw_trace(ax, [3, 1, 2], steps=[1, 2])


@pytest.mark.parametrize(("values", "message"), [
    ([1, np.inf], r"v must be finite \(no NaN or infinity\)"),
    ([1, np.nan], "v contains NaN"),
    ([[1, 2]], "v must be 1-dimensional"),
    ([1, -2], r"v must be >= 0 \(it counts something\), found -2"),
])
def test_bad_series_are_refused(values, message):
    with pytest.raises(ValueError, match=message):
        time_series(values, "v", non_negative=True)
