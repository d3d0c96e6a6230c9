"""A linear readout trained by ridge regression (closed form, numpy only).

Lazar et al. (2009) read the network state with a linear classifier; a one-hot least-squares
readout with a small ridge penalty is the standard, deterministic choice and needs no extra
dependency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from sorn_studio.analysis._validate import as_array

__all__ = ["LinearReadout", "next_symbol_accuracy", "train_readout"]


@dataclass(frozen=True)
class LinearReadout:
    """Trained weights of a one-vs-all linear classifier.

    Attributes
    ----------
    weights : numpy.ndarray, shape (n_features + 1, n_classes)
        Last row is the bias.
    classes : numpy.ndarray, shape (n_classes,)
        Label of each output column.
    """

    weights: np.ndarray
    classes: np.ndarray

    def scores(self, states: ArrayLike) -> np.ndarray:
        """Output of each class unit for each state, shape (n_samples, n_classes)."""
        x = as_array(states, "states", ndim=(2,)).astype(float)
        if x.shape[1] != self.weights.shape[0] - 1:
            raise ValueError(
                f"states has {x.shape[1]} features; the readout was trained on "
                f"{self.weights.shape[0] - 1}"
            )
        return x @ self.weights[:-1] + self.weights[-1]

    def predict(self, states: ArrayLike) -> np.ndarray:
        """The label with the highest score for each state."""
        return self.classes[np.argmax(self.scores(states), axis=1)]


def train_readout(states: ArrayLike, labels: ArrayLike, *, ridge: float = 1e-2) -> LinearReadout:
    """Fit one-hot targets by ridge regression: W = (X'X + ridge I)^-1 X'Y.

    Parameters
    ----------
    states : array_like, shape (n_samples, n_features)
        Network states (e.g. spikes as 0/1).
    labels : array_like, shape (n_samples,)
        Integer class labels.
    ridge : float
        L2 penalty (not applied to the bias); 0 gives ordinary least squares.

    Returns
    -------
    LinearReadout
    """
    x = as_array(states, "states", ndim=(2,)).astype(float)
    y = as_array(labels, "labels", ndim=(1,))
    if y.shape[0] != x.shape[0]:
        raise ValueError(f"labels has {y.shape[0]} entries for {x.shape[0]} states")
    if not math.isfinite(ridge) or ridge < 0:
        raise ValueError(f"ridge must be a finite number >= 0, got {ridge}")
    classes, index = np.unique(y, return_inverse=True)
    targets = np.eye(classes.size)[index]
    design = np.hstack([x, np.ones((x.shape[0], 1))])
    if ridge == 0:
        weights = np.linalg.lstsq(design, targets, rcond=None)[0]
    else:
        penalty = ridge * np.eye(design.shape[1])
        penalty[-1, -1] = 0.0  # the bias is not shrunk
        weights = np.linalg.solve(design.T @ design + penalty, design.T @ targets)
    return LinearReadout(weights=weights, classes=classes)


def next_symbol_accuracy(states: ArrayLike, symbols: ArrayLike, train_steps: int,
                         final_symbols: ArrayLike, *, ridge: float = 1e-2) -> tuple[float, float]:
    """Train a readout of the state at t to predict the symbol at t + 1, then test it.

    Row k of ``states`` is the state produced by the step that ``symbols[k]`` drove, so the
    readout pairs ``states[:-1]`` with ``symbols[1:]``; the first ``train_steps`` pairs train
    it and the rest test it.

    Parameters
    ----------
    states : array_like, shape (T, n)
        Network states, one row per step.
    symbols : array_like, shape (T,)
        Input symbol index of each step.
    train_steps : int
        Pairs used for training (the remaining ``T - 1 - train_steps`` test).
    final_symbols : array_like of int
        Symbols whose prediction is scored separately (the word-final C and F).
    ridge : float
        Ridge penalty of the readout.

    Returns
    -------
    accuracy, accuracy_final : float
        Fraction of test steps whose next symbol was predicted, overall and over the steps
        followed by one of ``final_symbols`` (NaN when none is).
    """
    x = as_array(states, "states", ndim=(2,))
    y = as_array(symbols, "symbols", ndim=(1,))
    if not 0 < train_steps < len(y) - 1:
        raise ValueError(f"train_steps = {train_steps} must be in [1, {len(y) - 2}]")
    x, target = x[:-1], y[1:]
    readout = train_readout(x[:train_steps], target[:train_steps], ridge=ridge)
    test_y = target[train_steps:]
    correct = readout.predict(x[train_steps:]) == test_y
    is_final = np.isin(test_y, np.asarray(final_symbols))
    return (float(correct.mean()),
            float(correct[is_final].mean()) if is_final.any() else float("nan"))
