"""Every Params and RecordingSpec field takes a value exactly or refuses it by name (issue 12)."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sorn_studio import Params, RecordingSpec
from sorn_studio.params import field_specs

#: Values of the kinds people pass by accident: numpy scalars, 0-d and 1-element arrays,
#: numpy bools, bools, huge ints, NaN and inf, strings that look like numbers, None.
ODD_VALUES = st.one_of(
    st.integers(-10**30, 10**30), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.text(max_size=6), st.none(),
    st.integers(-10**6, 10**6).map(np.int64), st.floats(-1e6, 1e6).map(np.float64),
    st.booleans().map(np.bool_), st.floats(-1e6, 1e6).map(np.array),
    st.floats(-1e6, 1e6).map(lambda v: np.array([v])),
    st.sampled_from(["1", "0.5", "nan", "true", "1e400"]),
    # Exact numbers from the standard library.
    st.fractions(max_denominator=8), st.decimals(allow_nan=True, allow_infinity=True,
                                                 places=3),
    st.sampled_from([Fraction(10**400), Decimal("NaN"), Decimal("1e400")]),
)
NUMERIC = [name for name, spec in field_specs().items() if spec.low is not None
           or spec.high is not None]


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(field_specs())), value=ODD_VALUES)
def test_a_params_field_converts_exactly_or_refuses_by_name(name, value):
    try:
        got = getattr(Params(**{name: value}), name)
    except (ValueError, TypeError) as exc:
        # The field is named: quoted, or as a word in a check that involves several fields
        # ("lambda_ee = 20 exceeds ... (ne - 1)").
        assert re.search(rf"\b{name}\b", str(exc)), str(exc)
        return
    if isinstance(got, bool):
        assert isinstance(value, (bool, np.bool_)) or (isinstance(value, np.ndarray)
                                                       and value.dtype == bool)
        assert got == bool(value)
    elif isinstance(got, (int, float)):
        assert not isinstance(value, (bool, np.bool_, str)) and math.isfinite(got)
        if isinstance(value, (Fraction, Decimal)):
            assert got == float(value) and (isinstance(got, float) or got == value)
        else:
            assert got == float(np.asarray(value))   # exactly the value given


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(["window", "weights_every", "max_snapshots", "full", "drive",
                             "t_e_full", "neurons"]), value=ODD_VALUES)
def test_a_recording_field_converts_exactly_or_refuses_by_name(name, value):
    try:
        got = getattr(RecordingSpec(**{"full": name == "window" and False, name: value}), name)
    except (ValueError, TypeError) as exc:
        assert repr(name) in str(exc), str(exc)
        return
    if name in ("full", "drive", "t_e_full"):
        assert isinstance(value, (bool, np.bool_)) and got == bool(value)
    elif name == "neurons":
        assert got == tuple(int(n) for n in value)
    else:
        assert not isinstance(value, (bool, np.bool_)) and got == value and got >= 0
