"""The counting task of Lazar, Pipa & Triesch (2009).

Words ``A B^n C`` and ``D E^n F`` (each next word chosen with p = 0.5) drive pools of
excitatory units. The network self-organises with plasticity, is frozen, and a linear readout
trained on its state x(t) predicts the next symbol. The first symbol of a word is a coin
flip, but the word-final symbols C and F can be predicted only by a network that "counted"
the n repetitions of B or E; their accuracy is the discriminating measure. The full SORN is
compared with a static random reservoir (no plasticity at all) and an IP-only network of the
same size, as in the paper.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sorn_studio.analysis.readout import next_symbol_accuracy
from sorn_studio.params import MECHANISMS, Params
from sorn_studio.presets import load_preset
from sorn_studio.recording import RecordingSpec

__all__ = [
    "COUNTING_CONDITIONS",
    "CountingTrial",
    "CountingSummary",
    "counting_params",
    "counting_trial",
    "run_counting",
    "summarize_counting",
]

#: "sorn": the base parameters' mechanisms (STDP, IP, SN for the Lazar 2009 preset);
#: "static": no plasticity, a random reservoir; "ip_only": intrinsic plasticity alone.
COUNTING_CONDITIONS = ("sorn", "static", "ip_only")


@dataclass(frozen=True)
class CountingTrial:
    """Readout performance of one network.

    Attributes
    ----------
    condition : str
        One of :data:`COUNTING_CONDITIONS`.
    n : int
        Repetitions of the middle symbol.
    seed : int
        Simulation seed.
    accuracy : float
        Fraction of test steps whose next symbol was predicted correctly.
    accuracy_cf : float
        The same over the test steps whose next symbol is C or F.
    n_test, n_test_cf : int
        Number of test steps, and of those followed by C or F.
    mean_rate : float
        Mean excitatory rate during the test.
    """

    condition: str
    n: int
    seed: int
    accuracy: float
    accuracy_cf: float
    n_test: int
    n_test_cf: int
    mean_rate: float


def counting_params(condition: str, n: int, base: Params | None = None) -> Params:
    """Parameters of one condition of the counting task.

    Parameters
    ----------
    condition : str
        One of :data:`COUNTING_CONDITIONS`.
    n : int
        Repetitions of B and E.
    base : Params, optional
        Starting parameters (default the ``lazar2009`` preset); the input becomes the
        counting task with ``counting_n = n``.

    Returns
    -------
    Params
    """
    if condition not in COUNTING_CONDITIONS:
        raise ValueError(
            f"condition {condition!r} is not one of {', '.join(map(repr, COUNTING_CONDITIONS))}"
        )
    params = (base or load_preset("lazar2009")).replace(input_kind="counting", counting_n=n)
    if condition == "static":
        params = params.replace(**dict.fromkeys(MECHANISMS, False))
    elif condition == "ip_only":
        params = params.replace(**{m: m == "ip" for m in MECHANISMS})
    return params


def counting_trial(
    condition: str = "sorn",
    n: int = 4,
    seed: int = 0,
    *,
    plastic_steps: int = 50_000,
    train_steps: int = 5_000,
    test_steps: int = 5_000,
    ridge: float = 1e-2,
    state: str = "spikes",
    base: Params | None = None,
) -> CountingTrial:
    """Self-organise one network, freeze it, train and test the next-symbol readout.

    Parameters
    ----------
    condition : str
        One of :data:`COUNTING_CONDITIONS`.
    n : int
        Repetitions of B and E.
    seed : int
        Simulation seed (network, input sequence and noise).
    plastic_steps : int
        Steps with the condition's plasticity on (every condition runs them, so all see the
        same protocol).
    train_steps, test_steps : int
        Frozen steps used to fit the readout and then, on fresh steps, to test it.
    ridge : float
        Ridge penalty of the readout.
    state : {"spikes", "drive"}
        Readout input: the excitatory state x(t), or the recurrent-drive activation
        H(R + xi - T^E) that leaves out the external input.
    base : Params, optional
        Starting parameters (default the ``lazar2009`` preset).

    Returns
    -------
    CountingTrial
    """
    # Imported here so that importing the experiments package does not compile the kernels.
    from sorn_studio.engine import Simulation

    if state not in ("spikes", "drive"):
        raise ValueError(f"state must be 'spikes' or 'drive', got {state!r}")
    for name, value in (("train_steps", train_steps), ("test_steps", test_steps)):
        if value < 10:
            raise ValueError(f"{name} must be >= 10, got {value}")
    params = counting_params(condition, n, base)
    frozen = train_steps + test_steps + 1  # +1: the state at t predicts the symbol at t+1
    sim = Simulation(
        params,
        seed=seed,
        recording=RecordingSpec(window=frozen, drive=state == "drive"),
    )
    sim.run(plastic_steps)
    sim.apply_params(**dict.fromkeys(MECHANISMS, False))
    sim.run(frozen)
    states = sim.recorder.spikes_e() if state == "spikes" else sim.recorder.drive_e()
    symbols = sim.recorder.symbols()
    final = [params.alphabet.index("C"), params.alphabet.index("F")]
    accuracy, accuracy_cf = next_symbol_accuracy(states, symbols, train_steps, final,
                                                 ridge=ridge)
    test_y = symbols[1 + train_steps:]
    return CountingTrial(
        condition=condition,
        n=int(n),
        seed=int(seed),
        accuracy=accuracy,
        accuracy_cf=accuracy_cf,
        n_test=int(test_y.size),
        n_test_cf=int(np.isin(test_y, final).sum()),
        mean_rate=float(sim.recorder.spikes_e(last=test_steps).mean()),
    )


def run_counting(
    ns: Iterable[int] = (4, 8, 12),
    seeds: int | Sequence[int] = 5,
    conditions: Sequence[str] = COUNTING_CONDITIONS,
    *,
    on_trial: Callable[[CountingTrial], None] | None = None,
    workers: int | None = 1,
    scheduler: str | None = None,
    client: Any = None,
    **trial_options: Any,
) -> list[CountingTrial]:
    """Run :func:`counting_trial` for every n, seed and condition, here or on Dask.

    Parameters
    ----------
    ns : iterable of int
        Values of n.
    seeds : int or sequence of int
        A number of seeds (0, 1, ...) or the seeds themselves.
    conditions : sequence of str
        Conditions to compare.
    on_trial : callable, optional
        Called with each trial as it finishes (progress display), in the order they finish.
    workers, scheduler, client
        Where the trials run (:func:`sorn_studio.ensemble.tasks.run_tasks`): by default here,
        one after another; ``workers=None`` a local cluster with one process per core. The
        trials are the same wherever they run.
    **trial_options
        Passed on to :func:`counting_trial` (``plastic_steps``, ``state``, ...).

    Returns
    -------
    list of CountingTrial
        By n, then seed, then condition.
    """
    # Imported when run: the ensemble's output folder writes with this package's tables.
    from sorn_studio.ensemble.tasks import run_tasks

    seed_list = list(range(seeds)) if isinstance(seeds, int) else [int(s) for s in seeds]
    if not seed_list:
        raise ValueError("seeds is empty")
    items = [(condition, n, seed) for n in ns for seed in seed_list for condition in conditions]
    return run_tasks(
        functools.partial(counting_trial, **trial_options), items, workers=workers,
        scheduler=scheduler, client=client,
        keys=[f"counting-{c}-n{n}-seed{s}" for c, n, s in items],
        on_result=None if on_trial is None else lambda index, trial: on_trial(trial))


@dataclass(frozen=True)
class CountingSummary:
    """Mean and standard deviation over seeds of one (condition, n).

    Attributes
    ----------
    condition : str
    n : int
    n_seeds : int
    accuracy_mean, accuracy_std : float
    accuracy_cf_mean, accuracy_cf_std : float
    """

    condition: str
    n: int
    n_seeds: int
    accuracy_mean: float
    accuracy_std: float
    accuracy_cf_mean: float
    accuracy_cf_std: float


def summarize_counting(trials: Sequence[CountingTrial]) -> list[CountingSummary]:
    """Group trials by (n, condition), in order of first appearance, and average over seeds.

    Parameters
    ----------
    trials : sequence of CountingTrial

    Returns
    -------
    list of CountingSummary
    """
    groups: dict[tuple[int, str], list[CountingTrial]] = {}
    for trial in trials:
        groups.setdefault((trial.n, trial.condition), []).append(trial)
    rows = []
    for (n, condition), group in groups.items():
        acc = np.array([t.accuracy for t in group])
        cf = np.array([t.accuracy_cf for t in group])
        rows.append(
            CountingSummary(
                condition=condition,
                n=n,
                n_seeds=len(group),
                accuracy_mean=float(acc.mean()),
                accuracy_std=float(acc.std()),
                accuracy_cf_mean=float(cf.mean()),
                accuracy_cf_std=float(cf.std()),
            )
        )
    return rows
