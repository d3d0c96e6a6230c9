"""Bounded recording of a run, declared up front.

By default a :class:`Recorder` keeps the last ``window`` steps in ring buffers, so memory stays
flat however long a run is; ``full=True`` keeps every step (memory then grows by design, about
(ne + ni) / 8 bytes of spikes plus ~40 bytes of traces per step). Spikes are stored bit-packed:
one bit per neuron and step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["MAX_STEPS", "RecordingSpec", "Recorder", "StepBlock", "SeriesSpec", "SERIES",
           "resolve_shape", "series_layout", "count_set_bits"]


#: Most steps a run may reach: step numbers are int64 in the recordings and in session files,
#: and a run must be able to go on from any step it reached.
MAX_STEPS = 2**62

#: Set bits of every byte value: counting spikes in packed rows needs no unpacking (8x less
#: memory traffic, which the studio pays on every chunk).
_BITS_IN_BYTE = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1).sum(axis=1)


def count_set_bits(packed: np.ndarray) -> np.ndarray:
    """Set bits per row of bit-packed spikes: spikes per step, without unpacking them.

    Parameters
    ----------
    packed : numpy.ndarray of uint8, shape (..., bytes)
        Rows packed with ``numpy.packbits(..., axis=-1)``; padding bits must be zero.

    Returns
    -------
    numpy.ndarray of int64, shape (...)
        Set bits of each row (a 0-d array for a single row).
    """
    return _BITS_IN_BYTE[packed].sum(axis=-1, dtype=np.int64)


def _is_whole(value: object) -> bool:
    """An int or numpy integer, not a bool (True is an int to Python)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


@dataclass(frozen=True)
class SeriesSpec:
    """One recorded series: its dtype, the shape of one row, when it is kept, what it holds.

    Attributes
    ----------
    dtype : str
        numpy dtype name.
    row : tuple of str
        Shape of one row in symbols (see :func:`resolve_shape`): ``ne``, ``ni``, ``k`` (traced
        neurons), ``B(ne)`` = ceil(ne / 8) bytes of bit-packed flags, or a number.
    when : str
        ``""`` (always), or the :class:`RecordingSpec` switch that turns it on.
    meaning : str
        One line for the documentation (session files list it).
    """

    dtype: str
    row: tuple[str, ...]
    when: str
    meaning: str


#: Every series a :class:`Recorder` keeps, under its storage name: the one description of the
#: recorder's layout (the recorder allocates from it; session files document and check it).
SERIES: dict[str, SeriesSpec] = {
    "step": SeriesSpec("int64", (), "", "step number of each kept row (first step = 1)"),
    "x": SeriesSpec("uint8", ("B(ne)",), "", "excitatory spikes, numpy.packbits(x, axis=1): "
                    "one bit per neuron and step"),
    "y": SeriesSpec("uint8", ("B(ni)",), "", "inhibitory spikes, bit-packed the same way"),
    "n_ee": SeriesSpec("int32", (), "", "E->E synapse count after each step"),
    "n_ei": SeriesSpec("int32", (), "", "I->E synapse count after each step"),
    "te_stats": SeriesSpec("float64", ("3",), "", "mean, min, max of T^E after each step"),
    "te_sel": SeriesSpec("float64", ("k",), "", "T^E of the traced neurons (recording "
                         "'neurons')"),
    "symbols": SeriesSpec("int32", (), "", "input symbol that drove each step, -1 for none"),
    "drive": SeriesSpec("uint8", ("B(ne)",), "drive", "bit-packed recurrent-drive activation "
                        "H(R + xi - T^E)"),
    "t_e": SeriesSpec("float64", ("ne",), "t_e_full", "every T^E after each step"),
}


def resolve_shape(shape: tuple[str, ...], dims: dict[str, int]) -> tuple[int, ...]:
    """Turn a symbolic shape into numbers.

    Parameters
    ----------
    shape : tuple of str
        Symbols: a name in ``dims``, ``B(name)`` for ceil(dims[name] / 8), or a number.
    dims : dict of str to int
        Sizes by name.

    Returns
    -------
    tuple of int
    """
    out = []
    for symbol in shape:
        if symbol.startswith("B(") and symbol.endswith(")"):
            out.append((dims[symbol[2:-1]] + 7) // 8)
        elif symbol.isdigit():
            out.append(int(symbol))
        else:
            out.append(dims[symbol])
    return tuple(out)


def series_layout(spec: RecordingSpec, ne: int, ni: int) -> dict[str, tuple[tuple[int, ...], str]]:
    """Row shape and dtype of every series a recorder of ``spec`` keeps, by storage name."""
    dims = {"ne": ne, "ni": ni, "k": len(spec.neurons)}
    return {name: (resolve_shape(series.row, dims), series.dtype)
            for name, series in SERIES.items() if not series.when or getattr(spec, series.when)}


@dataclass(frozen=True)
class RecordingSpec:
    """What to record and how much of it to keep.

    Attributes
    ----------
    window : int
        Steps kept in the ring buffers (ignored when ``full``).
    full : bool
        Keep the whole history instead of a window.
    weights_every : int
        Store a copy of W^EE every this many steps (0: never). Snapshots are kept in a ring of
        ``max_snapshots`` unless ``full``.
    max_snapshots : int
        Snapshots kept when not ``full``.
    neurons : tuple of int
        Excitatory neurons whose thresholds are traced individually.
    drive : bool
        Also record the recurrent-drive activation H(R + xi - T^E) per step (sorn 0.7.4 callback
        ``RecurrentActivation``).
    t_e_full : bool
        Also record every excitatory threshold at every step (sorn 0.7.4 callback ``TE``).
    """

    window: int = 10_000
    full: bool = False
    weights_every: int = 0
    max_snapshots: int = 100
    neurons: tuple[int, ...] = ()
    drive: bool = False
    t_e_full: bool = False

    def __post_init__(self) -> None:
        for name in ("window", "weights_every", "max_snapshots"):
            value = getattr(self, name)
            if not _is_whole(value) or value < 0:
                raise ValueError(f"recording {name!r} = {value!r} must be a whole number >= 0")
            object.__setattr__(self, name, int(value))
        for name in ("full", "drive", "t_e_full"):
            value = getattr(self, name)
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"recording {name!r} = {value!r} must be True or False")
            object.__setattr__(self, name, bool(value))
        if not self.full and self.window < 1:
            raise ValueError(f"recording 'window' = {self.window} must be >= 1 (or full=True)")
        neurons = self.neurons
        # np.ndim is 0 for a number, a 0-d array or a string ("12" is not neurons 1 and 2).
        if np.ndim(neurons) != 1 or not all(_is_whole(n) for n in neurons):
            raise ValueError(f"recording 'neurons' = {neurons!r} must be a sequence of whole "
                             "numbers (excitatory neuron indices)")
        object.__setattr__(self, "neurons", tuple(int(n) for n in neurons))


@dataclass
class StepBlock:
    """Per-step outputs of a run of consecutive steps (what the kernel writes)."""

    first_step: int
    x: np.ndarray          # (n, ne) bool, x(t+1) of each step
    y: np.ndarray          # (n, ni) bool
    n_ee: np.ndarray       # (n,) E->E synapses after the step
    n_ei: np.ndarray       # (n,) I->E synapses after the step
    te_stats: np.ndarray   # (n, 3) mean, min, max of T^E after the step
    te_sel: np.ndarray     # (n, k) chosen neurons' T^E
    symbols: np.ndarray    # (n,) input symbol index driving the step, -1 for none
    drive: np.ndarray | None = None     # (n, ne) bool when recorded
    t_e: np.ndarray | None = None       # (n, ne) float when recorded

    @property
    def n(self) -> int:
        """Number of steps in the block."""
        return self.x.shape[0]


class _Series:
    """One recorded quantity: a ring of the last ``capacity`` rows, or an unbounded list.

    The ring's memory grows with the rows it holds (doubling, up to ``capacity``), so a large
    window costs only what is recorded: a window of 10^12 steps in a session file, say, does
    not allocate terabytes.
    """

    #: Rows a ring starts with.
    FIRST_ROWS = 1024

    def __init__(self, row_shape: tuple[int, ...], dtype: np.dtype, capacity: int | None) -> None:
        self.capacity = capacity
        self.row_shape = row_shape
        self.dtype = dtype
        self.count = 0    # rows appended since step 0 (including rows before a restore)
        self.stored = 0   # rows held (at most ``capacity``)
        self._head = 0    # where the next row goes in the ring
        if capacity is None:
            self._chunks: list[np.ndarray] = []
        else:
            self._ring = np.zeros((min(capacity, self.FIRST_ROWS), *row_shape), dtype=dtype)

    def clear(self) -> None:
        """Forget every row (the ring keeps its memory)."""
        self.count = self.stored = self._head = 0
        if self.capacity is None:
            self._chunks = []

    def _reserve(self, rows: int) -> None:
        """Make the ring hold at least ``rows`` rows (at most ``capacity``), keeping its data:
        it only grows while it has not wrapped, so the data sit at its start."""
        size = self._ring.shape[0]
        if rows <= size:
            return
        grown = np.zeros((min(self.capacity, max(rows, 2 * size)), *self.row_shape), self.dtype)
        grown[: self.stored] = self._ring[: self.stored]
        self._ring = grown

    def append(self, rows: np.ndarray) -> None:
        n = rows.shape[0]
        self.count += n
        if self.capacity is None:
            self._chunks.append(np.array(rows, dtype=self.dtype, copy=True))
            self.stored += n
            return
        cap = self.capacity
        if n >= cap:
            self._reserve(cap)
            self._ring[:] = rows[n - cap:]
            self.stored, self._head = cap, 0
            return
        self._reserve(min(cap, self.stored + n))
        first = min(n, cap - self._head)
        self._ring[self._head: self._head + first] = rows[:first]
        self._ring[: n - first] = rows[first:]
        self._head = (self._head + n) % cap
        self.stored = min(cap, self.stored + n)

    def get(self, last: int | None = None) -> np.ndarray:
        if self.capacity is None:
            if len(self._chunks) > 1:
                self._chunks = [np.concatenate(self._chunks)]
            data = self._chunks[0] if self._chunks else np.zeros((0, *self.row_shape),
                                                                 self.dtype)
            return data if last is None else data[max(data.shape[0] - last, 0):]
        kept = self.stored
        if last is not None:
            kept = min(kept, max(last, 0))
        # Gather only the rows asked for: the studio reads the newest few hundred steps of a
        # large window many times a second.
        start = (self._head - kept) % self.capacity
        if start + kept <= self.capacity:
            return self._ring[start: start + kept].copy()
        return np.concatenate([self._ring[start:], self._ring[: start + kept - self.capacity]])


@dataclass
class Recorder:
    """Recordings of one simulation, bounded as its :class:`RecordingSpec` says.

    Every accessor returns time-first arrays of the kept steps; ``last`` limits them to the
    most recent ``last`` steps. ``steps()`` gives the step number each row belongs to (the
    step that produced x(t+1), counting from 1).
    """

    spec: RecordingSpec
    ne: int
    ni: int
    _series: dict[str, _Series] = field(init=False)
    _snapshots: list[tuple[int, np.ndarray]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        cap = None if self.spec.full else self.spec.window
        shapes = series_layout(self.spec, self.ne, self.ni)
        self._series = {name: _Series(shape, np.dtype(dt), cap)
                        for name, (shape, dt) in shapes.items()}

    # -- writing -------------------------------------------------------------------------------
    def append(self, block: StepBlock) -> None:
        """Add the steps of ``block``."""
        s = self._series
        s["step"].append(np.arange(block.first_step, block.first_step + block.n, dtype=np.int64))
        s["x"].append(np.packbits(block.x, axis=1))
        s["y"].append(np.packbits(block.y, axis=1))
        s["n_ee"].append(block.n_ee)
        s["n_ei"].append(block.n_ei)
        s["te_stats"].append(block.te_stats)
        s["te_sel"].append(block.te_sel)
        s["symbols"].append(block.symbols)
        if "drive" in s and block.drive is not None:
            s["drive"].append(np.packbits(block.drive, axis=1))
        if "t_e" in s and block.t_e is not None:
            s["t_e"].append(block.t_e)

    def add_snapshot(self, step: int, w_ee: np.ndarray) -> None:
        """Keep a copy of W^EE taken after ``step``."""
        self._snapshots.append((step, w_ee.copy()))
        if not self.spec.full and len(self._snapshots) > self.spec.max_snapshots:
            del self._snapshots[0]

    # -- reading -------------------------------------------------------------------------------
    @property
    def total_steps(self) -> int:
        """Steps recorded since the start, including those that left the window."""
        return self._series["step"].count

    def steps(self, last: int | None = None) -> np.ndarray:
        """Step number of each kept row."""
        return self._series["step"].get(last)

    def packed_spikes_e(self, last: int | None = None) -> np.ndarray:
        """Excitatory spikes bit-packed along neurons (``numpy.packbits(x, axis=1)``)."""
        return self._series["x"].get(last)

    def packed_spikes_i(self, last: int | None = None) -> np.ndarray:
        """Inhibitory spikes bit-packed along neurons."""
        return self._series["y"].get(last)

    def spikes_e(self, last: int | None = None) -> np.ndarray:
        """Excitatory spikes, (T, ne) bool."""
        return np.unpackbits(self.packed_spikes_e(last), axis=1, count=self.ne).astype(bool)

    def spikes_i(self, last: int | None = None) -> np.ndarray:
        """Inhibitory spikes, (T, ni) bool."""
        return np.unpackbits(self.packed_spikes_i(last), axis=1, count=self.ni).astype(bool)

    def drive_e(self, last: int | None = None) -> np.ndarray:
        """Recurrent-drive activation H(R + xi - T^E), (T, ne) bool (needs ``spec.drive``)."""
        if "drive" not in self._series:
            raise ValueError("the recurrent drive was not recorded; use RecordingSpec(drive=True)")
        return np.unpackbits(self._series["drive"].get(last), axis=1, count=self.ne).astype(bool)

    def t_e(self, last: int | None = None) -> np.ndarray:
        """Every excitatory threshold per step, (T, ne) (needs ``spec.t_e_full``)."""
        if "t_e" not in self._series:
            raise ValueError("full thresholds were not recorded; use RecordingSpec(t_e_full=True)")
        return self._series["t_e"].get(last)

    def active_e(self, last: int | None = None) -> np.ndarray:
        """Number of excitatory units active at each step, (T,) int64."""
        return count_set_bits(self.packed_spikes_e(last))

    def active_i(self, last: int | None = None) -> np.ndarray:
        """Number of inhibitory units active at each step, (T,) int64."""
        return count_set_bits(self.packed_spikes_i(last))

    def rate_e(self, last: int | None = None) -> np.ndarray:
        """Fraction of excitatory units active at each step."""
        return self.active_e(last) / self.ne

    def rate_i(self, last: int | None = None) -> np.ndarray:
        """Fraction of inhibitory units active at each step."""
        return self.active_i(last) / self.ni

    def n_ee(self, last: int | None = None) -> np.ndarray:
        """E->E synapse count after each step."""
        return self._series["n_ee"].get(last)

    def n_ei(self, last: int | None = None) -> np.ndarray:
        """I->E synapse count after each step."""
        return self._series["n_ei"].get(last)

    def t_e_mean(self, last: int | None = None) -> np.ndarray:
        """Mean excitatory threshold after each step."""
        return self._series["te_stats"].get(last)[:, 0]

    def t_e_min(self, last: int | None = None) -> np.ndarray:
        """Smallest excitatory threshold after each step."""
        return self._series["te_stats"].get(last)[:, 1]

    def t_e_max(self, last: int | None = None) -> np.ndarray:
        """Largest excitatory threshold after each step."""
        return self._series["te_stats"].get(last)[:, 2]

    def t_e_neurons(self, last: int | None = None) -> np.ndarray:
        """Thresholds of ``spec.neurons`` after each step, (T, k)."""
        return self._series["te_sel"].get(last)

    def symbols(self, last: int | None = None) -> np.ndarray:
        """Input symbol index that drove each step (-1: none)."""
        return self._series["symbols"].get(last)

    def weight_snapshots(self) -> list[tuple[int, np.ndarray]]:
        """Kept ``(step, W^EE)`` snapshots, oldest first."""
        return list(self._snapshots)

    def series(self, last: int | None = None) -> dict[str, np.ndarray]:
        """Every kept series under its storage name (packed spikes stay packed); with
        ``last``, only its newest ``last`` rows."""
        return {name: s.get(last) for name, s in self._series.items()}

    def restore(self, series: dict[str, np.ndarray], total_steps: int,
                snapshots: list[tuple[int, np.ndarray]]) -> None:
        """Start again from :meth:`series` output (a loaded session): what was recorded goes."""
        for name, s in self._series.items():
            s.clear()
            if name not in series:
                s.count = total_steps   # starts empty at total_steps
                continue
            rows = np.asarray(series[name], dtype=s.dtype)
            # Start the count where these rows began so ring positions line up.
            s.count = total_steps - rows.shape[0]
            s.append(rows)
        self._snapshots = [(int(k), np.array(w)) for k, w in snapshots]
