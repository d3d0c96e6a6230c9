"""Input checks shared by the analysis modules.

Every public analysis function funnels its arrays through these helpers so that bad input
fails early with a message naming the offending argument, instead of producing NaN or a
numpy broadcasting error three calls later.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def as_array(value: ArrayLike, name: str, *, ndim: tuple[int, ...] | None = None,
             allow_empty: bool = False) -> np.ndarray:
    """Convert ``value`` to a non-empty (unless allowed), NaN-free numeric array.

    Parameters
    ----------
    value : array_like
        The user's input.
    name : str
        Argument name used in error messages.
    ndim : tuple of int, optional
        Accepted numbers of dimensions.
    allow_empty : bool
        Accept an array with no elements (a figure of a recording with no steps, say); its
        dtype is then not checked, since ``numpy.asarray([])`` is float and ``[[]]`` too.

    Returns
    -------
    numpy.ndarray
        The input as an array (a view when possible).

    Raises
    ------
    ValueError
        If the array has the wrong number of dimensions, is empty, is not numeric or contains
        NaN.
    """
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested lists, for example
        raise ValueError(f"{name} must be an array: {exc}") from exc
    if ndim is not None and arr.ndim not in ndim:
        wanted = " or ".join(str(d) for d in ndim)
        raise ValueError(f"{name} must be {wanted}-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        if allow_empty:
            return arr
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric or boolean, got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN")
    return arr


def as_finite(value: ArrayLike, name: str, *, ndim: tuple[int, ...] | None = None,
              allow_empty: bool = False) -> np.ndarray:
    """Convert ``value`` to a float array of finite numbers (no NaN, no infinity).

    Parameters
    ----------
    value : array_like
        The user's input (a list works).
    name : str
        Argument name used in error messages.
    ndim : tuple of int, optional
        Accepted numbers of dimensions.
    allow_empty : bool
        Accept an array with no elements.

    Returns
    -------
    numpy.ndarray of float
    """
    arr = as_array(value, name, ndim=ndim, allow_empty=allow_empty)
    if arr.size and arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric, got dtype {arr.dtype}")
    arr = arr.astype(float)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return arr


def as_spikes(
    value: ArrayLike, name: str = "spikes", *, ndim: tuple[int, ...] = (2,),
    allow_empty: bool = False,
) -> np.ndarray:
    """Convert a spike array (time first) to ``bool``, checking it holds only 0 and 1.

    Parameters
    ----------
    value : array_like
        Spike raster shaped ``(T, N)`` (or ``(T,)`` where ``ndim`` allows it), boolean or 0/1.
    name : str
        Argument name used in error messages.
    ndim : tuple of int
        Accepted numbers of dimensions.
    allow_empty : bool
        Accept a raster with no elements (no steps, for example).

    Returns
    -------
    numpy.ndarray of bool
    """
    arr = as_array(value, name, ndim=ndim, allow_empty=allow_empty)
    if arr.dtype == bool:
        return arr
    # Silently thresholding e.g. membrane potentials would hide a caller's mistake.
    binary = np.isin(arr, (0, 1))
    if not binary.all():
        bad = arr[~binary].flat[0].item()
        raise ValueError(f"{name} must contain only 0 and 1 (or booleans), found {bad!r}")
    return arr.astype(bool)


def check_positive_int(value: int, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as ``int`` after checking it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_finite_number(value: float, name: str) -> float:
    """Return ``value`` as ``float`` after checking it is a finite real number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating) \
            or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)
