"""SteadyRange: the axis limits of the whole-run views, which move rarely."""

import pytest

from sorn_studio.app.ranges import SteadyRange


def test_limits_hold_while_the_data_stay_inside():
    r = SteadyRange(pad_low=0.0, pad_high=0.25)
    assert r.fit(0, 100) == (0.0, 125.0)
    # The run grows into the room left ahead: no change, so the axis is not redrawn.
    assert r.fit(0, 110) is None
    assert r.fit(0, 125) is None
    # Past the end: one jump, again with a quarter of room ahead.
    assert r.fit(0, 130) == (0.0, 162.5)


def test_a_growing_run_moves_its_axis_logarithmically_often():
    r = SteadyRange(pad_low=0.0, pad_high=0.25)
    moves = sum(r.fit(0, t) is not None for t in range(1, 1_000_001, 500))
    assert moves < 40


def test_limits_shrink_when_the_data_collapse_inside_them():
    r = SteadyRange()
    assert r.fit(0, 100) == (-10.0, 110.0)
    assert r.fit(10, 60) is None            # still uses 50/120 of the span
    assert r.fit(40, 60) == (38.0, 62.0)    # a reset: 20/120 is below shrink_below


def test_flat_and_non_finite_data():
    r = SteadyRange()
    low, high = r.fit(5, 5)
    assert low < 5 < high
    assert r.fit(5, 5) is None              # the same flat trace: no change
    assert r.fit(float("nan"), 3) is None


def test_tight_fit_drops_the_room_ahead():
    r = SteadyRange(pad_low=0.0, pad_high=0.25)
    r.fit(0, 100)
    low, high = r.fit(0, 110, tight=True)
    assert low == 0.0 and 110 <= high <= 110 * 1.02 + 1e-9


def test_bad_arguments_are_refused_with_their_value():
    with pytest.raises(ValueError, match="pad_low = -1"):
        SteadyRange(pad_low=-1)
    with pytest.raises(ValueError, match="shrink_below = 1"):
        SteadyRange(shrink_below=1)
