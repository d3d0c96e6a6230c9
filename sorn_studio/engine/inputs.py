"""External input u(t) (model.md §4).

Every symbol task is a stream of words: the counting task is the words ``A B^n C`` and
``D E^n F`` with p = 0.5 each, the Hartmann task the words ``ABCD``/``EFGH``, and random
symbols are one-letter words with equal probability. A single mechanism therefore serves all
three: at the start of each word one uniform draw picks the next word. One uniform is reserved
per step whether or not a word starts, so the random stream -- and hence the run -- does not
depend on how steps are grouped into chunks.

Raw input ([PKG]) is an array of shape (nu, T) whose column t is added to units 0..nu-1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit

from ..params import Params
from .network import is_real_dtype
from .snapshot import SnapshotError

__all__ = ["InputSource", "build_pools", "word_table", "check_raw_input", "pool_shape"]


def check_raw_input(raw: Any, nu: int, name: str = "inputs") -> np.ndarray:
    """A raw input array checked and converted to float64.

    Parameters
    ----------
    raw : array_like
        ``(nu, T)`` real numbers; column t is added to excitatory units 0..nu-1 at step t.
    nu : int
        Input units.
    name : str
        The argument's name in errors.

    Raises
    ------
    ValueError
        For another shape or a NaN / inf (the message names the row and column).
    TypeError
        For non-real values.
    """
    arr, error, problem = _raw_checked(raw, nu)
    if problem:
        raise error(f"argument {name!r} {problem}")
    return arr


def _raw_checked(raw: Any, nu: int) -> tuple[np.ndarray, type[Exception], str]:
    """``raw`` as float64 and, when it is unfit, the exception type and what is wrong."""
    try:
        arr = raw if isinstance(raw, np.ndarray) else np.asarray(raw)
    except ValueError:   # ragged nested lists
        return np.zeros((0, 0)), ValueError, "is not a rectangular (nu, T) array"
    if not is_real_dtype(arr.dtype):
        return arr, TypeError, f"must hold real numbers, got dtype {arr.dtype}"
    if arr.ndim != 2 or arr.shape[0] != nu:
        return arr, ValueError, f"has shape {arr.shape}; expected (nu, T) = ({nu}, T)"
    arr = arr.astype(float)
    if not np.isfinite(arr).all():
        row, col = np.argwhere(~np.isfinite(arr))[0]
        return arr, ValueError, (f"holds {arr[row, col]} at row {row}, column {col}; every "
                                 "value must be finite")
    return arr, ValueError, ""


def pool_shape(params: Params) -> tuple[int, int]:
    """Shape of :func:`build_pools`'s array: ``(n_symbols, n_u)``, ``(0, 0)`` without symbols."""
    n_sym = len(params.alphabet)
    return (n_sym, params.n_u) if n_sym else (0, 0)


def word_table(params: Params) -> tuple[list[str], np.ndarray]:
    """Words and their probabilities for a symbol input kind.

    Returns
    -------
    words : list of str
        Each word as a string of symbols of ``params.alphabet``.
    probs : numpy.ndarray
        Probability that each word comes next.
    """
    kind = params.input_kind
    if kind == "random":
        words = list(params.alphabet)
        probs = np.full(len(words), 1.0 / len(words))
    elif kind == "counting":
        n = params.counting_n
        words = ["A" + "B" * n + "C", "D" + "E" * n + "F"]
        probs = np.array([0.5, 0.5])
    elif kind == "words":
        words = list(params.words)
        probs = np.asarray(params.word_probs, dtype=float)
        probs = probs / probs.sum()
    else:
        return [], np.zeros(0)
    return words, probs


def build_pools(params: Params, rng: np.random.Generator) -> np.ndarray:
    """Indices of the excitatory units each symbol drives, shape (n_symbols, n_u).

    Disjoint pools are consecutive blocks (symbol s drives units s*n_u .. (s+1)*n_u - 1);
    overlapping pools are drawn at random, independently per symbol.
    """
    n_sym = len(params.alphabet)
    if n_sym == 0:
        return np.zeros((0, 0), dtype=np.int32)
    if params.pools == "disjoint":
        return np.arange(n_sym * params.n_u, dtype=np.int32).reshape(n_sym, params.n_u)
    return np.stack([np.sort(rng.permutation(params.ne)[: params.n_u]) for _ in range(n_sym)]
                    ).astype(np.int32)


@njit(cache=True, nogil=True)
def _symbols(u: np.ndarray, table: np.ndarray, lengths: np.ndarray, cumprob: np.ndarray,
             pos: np.ndarray, out: np.ndarray) -> None:
    """Fill ``out`` with one symbol per step; ``pos`` = [current word, position] is updated."""
    n_words = lengths.shape[0]
    for t in range(u.shape[0]):
        if pos[1] == 0:
            w = 0
            while w < n_words - 1 and u[t] >= cumprob[w]:
                w += 1
            pos[0] = w
        out[t] = table[pos[0], pos[1]]
        pos[1] += 1
        if pos[1] == lengths[pos[0]]:
            pos[1] = 0


@dataclass
class InputSource:
    """The input of one simulation and where it stands.

    Attributes
    ----------
    kind : str
        ``params.input_kind``.
    pools : numpy.ndarray
        (n_symbols, n_u) unit indices per symbol.
    position : numpy.ndarray
        [current word, position in the word] for symbol tasks.
    raw : numpy.ndarray or None
        (nu, T) raw input for kind ``"raw"``; ``raw_cursor`` is the next column.
    """

    kind: str
    pools: np.ndarray
    table: np.ndarray
    lengths: np.ndarray
    cumprob: np.ndarray
    position: np.ndarray
    raw: np.ndarray | None = None
    raw_cursor: int = 0

    @classmethod
    def create(cls, params: Params, rng: np.random.Generator,
               raw: np.ndarray | None = None) -> InputSource:
        """Build the input for ``params``; ``raw`` is required for kind ``"raw"``."""
        return cls._build(params, build_pools(params, rng), raw)

    @classmethod
    def restore(cls, params: Params, pools: Any, position: Any, raw: Any,
                raw_cursor: Any) -> InputSource:
        """The input as a snapshot describes it, checked part by part.

        Raises
        ------
        SnapshotError
            Naming ``input/pools``, ``input/position`` or ``input/raw``: a wrong shape or
            type, a unit outside the network, a position outside the words, raw input for
            another input kind, or a cursor outside the raw columns.
        """
        pools = np.asarray(pools)
        if (pools.shape != pool_shape(params) or pools.dtype.kind not in "iu"
                or (pools.size and (pools.min() < 0 or pools.max() >= params.ne))):
            raise SnapshotError("input/pools", f"must be {pool_shape(params)} integer indices "
                                f"of excitatory units, found {pools.dtype} {pools.shape}")
        source = cls._build(params, pools.astype(np.int32), None)
        position = np.asarray(position)
        if position.shape != (2,) or position.dtype.kind not in "iu":
            raise SnapshotError("input/position", f"must be 2 integers, found {position.dtype} "
                                f"{position.shape}")
        word, at = int(position[0]), int(position[1])
        # The compiled symbol generator indexes the word table with these: out-of-range
        # values from a damaged file must be refused here, not read out of bounds.
        if not (0 <= word < len(source.lengths) and 0 <= at < source.lengths[word]):
            raise SnapshotError("input/position", f"= [{word}, {at}] is outside the words of "
                                f"input kind {params.input_kind!r}")
        source.position[:] = (word, at)
        if params.input_kind != "raw":
            if raw is not None:
                raise SnapshotError("input/raw", f"given for input kind {params.input_kind!r}")
            return source
        if raw is not None:
            source.raw, _, problem = _raw_checked(raw, params.nu)
            if problem:
                raise SnapshotError("input/raw", problem)
        columns = 0 if source.raw is None else source.raw.shape[1]
        if isinstance(raw_cursor, bool) or not isinstance(raw_cursor, (int, np.integer)) or \
                not 0 <= raw_cursor <= columns:
            raise SnapshotError("input/raw", f"cursor {raw_cursor!r} is outside the {columns} "
                                "raw columns")
        source.raw_cursor = int(raw_cursor)
        return source

    @classmethod
    def _build(cls, params: Params, pools: np.ndarray, raw: np.ndarray | None) -> InputSource:
        words, probs = word_table(params)
        index = {s: k for k, s in enumerate(params.alphabet)}
        longest = max((len(w) for w in words), default=1)
        table = np.zeros((max(len(words), 1), longest), dtype=np.int32)
        for r, word in enumerate(words):
            table[r, : len(word)] = [index[s] for s in word]
        lengths = np.array([len(w) for w in words] or [1], dtype=np.int32)
        cumprob = np.cumsum(probs) if len(words) else np.ones(1)
        return cls(kind=params.input_kind, pools=pools, table=table,
                   lengths=lengths, cumprob=cumprob, position=np.zeros(2, dtype=np.int64),
                   raw=raw)

    @property
    def uses_draws(self) -> bool:
        """Whether the input consumes one uniform per step."""
        return self.kind in ("random", "counting", "words")

    def remaining_raw(self) -> int | None:
        """Columns of raw input left, or None when the input is not raw."""
        if self.kind != "raw":
            return None
        return 0 if self.raw is None else self.raw.shape[1] - self.raw_cursor

    def next_symbols(self, u: np.ndarray) -> np.ndarray:
        """Symbol index per step for the uniforms ``u`` (one per step); -1 when no symbols."""
        out = np.full(u.shape[0], -1, dtype=np.int32)
        if self.uses_draws:
            _symbols(u, self.table, self.lengths, self.cumprob, self.position, out)
        return out

    def next_raw(self, n: int, nu: int) -> np.ndarray:
        """The next ``n`` raw input columns as an (n, nu) array (zero-width when not raw)."""
        if self.kind != "raw" or self.raw is None:
            return np.zeros((n, 0))
        block = np.ascontiguousarray(self.raw[:nu, self.raw_cursor: self.raw_cursor + n].T)
        self.raw_cursor += n
        return block
