"""The ridge readout of the network state (sorn_studio.analysis.readout)."""

from __future__ import annotations

import numpy as np
import pytest

from sorn_studio import analysis as an
from sorn_studio import experiments as ex


def test_readout_separates_linearly_separable_classes():
    rng = np.random.default_rng(30)
    labels = rng.integers(0, 3, 600)
    states = np.eye(3)[labels] + 0.1 * rng.normal(size=(600, 3))
    for ridge in (0.0, 1e-2):
        readout = an.train_readout(states[:300], labels[:300], ridge=ridge)
        assert (readout.predict(states[300:]) == labels[300:]).mean() > 0.99
    np.testing.assert_array_equal(readout.classes, [0, 1, 2])
    with pytest.raises(ValueError, match="features"):
        readout.predict(states[:, :2])
    with pytest.raises(ValueError, match="labels"):
        an.train_readout(states, labels[:10])


def test_readout_bias_is_not_shrunk():
    # A constant-only problem: with a huge ridge the weights vanish but the bias still predicts.
    states = np.zeros((50, 4))
    labels = np.full(50, 7)
    readout = an.train_readout(states, labels, ridge=1e6)
    assert (readout.predict(states) == 7).all()


def test_next_symbol_accuracy_scores_a_predictable_sequence_and_refuses_bad_splits():
    symbols = np.tile([0, 1, 2], 100)
    states = np.eye(3)[symbols]  # the state names the current symbol: the next one follows
    assert an.next_symbol_accuracy(states, symbols, 150, [2]) == (1.0, 1.0)
    with pytest.raises(ValueError, match="train_steps = 299"):
        an.next_symbol_accuracy(states, symbols, 299, [2])


def test_experiments_keep_exporting_the_readout():
    assert ex.LinearReadout is an.LinearReadout and ex.train_readout is an.train_readout
