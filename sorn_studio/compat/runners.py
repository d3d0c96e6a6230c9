"""``Simulator`` and ``Trainer``: sorn 0.7.4's entry points.

One call checks its arguments (:mod:`.arguments`), takes a cached engine simulation for its
parameters or builds one, draws a fresh network, continues the previous one or loads the given
state (:mod:`.convert`), and runs it (:mod:`.simulate`).
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..engine import NetworkState, Simulation, Snapshot
from ..engine.network import init_state
from ..params import Params
from .arguments import (
    CALLBACKS,
    FREEZE_NAMES,
    _as_inputs,
    _check_input_shape,
    _check_names,
    _check_noise,
    _check_phase,
    _check_sizes,
    _check_state,
    _check_timesteps,
    _hyperparameters,
    _peek_sizes,
)
from .convert import _h_ip, _params, _state_matches, _to_engine
from .simulate import _simulate

__all__ = ["LegacySimulator", "LegacyTrainer", "Simulator", "Trainer"]

# A library must not configure logging; messages go to this logger only.
_log = logging.getLogger(__name__)


def _call_seed() -> int:
    """This call's seed, drawn from numpy's global state (``np.random.seed`` rules)."""
    return int(np.random.randint(0, 2**63 - 1, dtype=np.int64))


def _call_rng() -> np.random.Generator:
    """This call's generator, seeded by :func:`_call_seed`."""
    return np.random.default_rng(_call_seed())


def _start(sim: Simulation, net: NetworkState, rng: np.random.Generator) -> None:
    """Start a run of ``sim`` at step 0 with the network ``net`` and the generator ``rng``.

    It goes through the engine's snapshot / restore pair, which validates the network
    (shapes, finite values, weights, self-connections) and rebuilds the kernel's synapse lists.
    """
    # One generator's state: a sorn 0.7.4 call runs on one stream (draw layout 1), as it
    # always has, so a script's np.random.seed(k) repeats what it did before.
    arrays, generator, params = net.arrays(), rng.bit_generator.state, sim.params.to_dict()
    # Raw input is fed column by column with each call (feed_input), so none is carried.
    sim.restore(Snapshot(
        seed=sim.seed, step=0, backend=sim.backend, params=params, initial_params=params,
        change_log=(), pending={}, rng=generator, initial_rng=generator, state=arrays,
        initial_state=arrays, input_position=sim.input.position, input_pools=sim.input.pools))


class _LegacyRunner:
    """Shared implementation of ``Simulator`` and ``Trainer`` (they differ in default phase).

    Holds no parameters between calls. What it keeps are up to :attr:`cache_size` engine
    :class:`~sorn_studio.engine.Simulation` objects, one per parameter set, so that thousands
    of one-step calls neither rebuild a simulation nor reload a state that is exactly the one
    the previous call returned. Every call draws a fresh random generator, so a call's random
    numbers never depend on earlier calls.
    """

    #: Simulations kept between calls (each holds its network: about 1 MB at N^E = 200).
    cache_size = 2

    def __init__(self) -> None:
        self._sims: OrderedDict[Params, Simulation] = OrderedDict()
        self._lock = threading.Lock()

    def release(self) -> None:
        """Drop the cached simulations (frees their memory; the next call rebuilds one)."""
        with self._lock:
            self._sims.clear()

    def _take(self, params: Params) -> Simulation:
        """Remove and return the cached Simulation for ``params``, or build one.

        Taking it out of the cache means a second thread calling at the same time builds its
        own, and a call that fails half-way never leaves a half-run simulation behind.
        """
        with self._lock:
            sim = self._sims.pop(params, None)
        if sim is None:
            # Random seed 0 only draws a throw-away network: every call loads its own state.
            sim = Simulation(params, seed=0)
        return sim

    def _give_back(self, params: Params, sim: Simulation) -> None:
        with self._lock:
            self._sims[params] = sim
            while len(self._sims) > self.cache_size:
                self._sims.popitem(last=False)

    def _run(self, inputs: Any, phase: Any, state: Any, timesteps: Any, noise: Any,
             freeze: Any, callbacks: Any, hyperparameters: dict[str, Any]
             ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        phase = _check_phase(phase)
        frozen = _check_names("freeze", freeze, tuple(FREEZE_NAMES))
        wanted = _check_names("callbacks", callbacks, CALLBACKS)
        noise = _check_noise(noise)
        hp = _hyperparameters(hyperparameters)
        arrays: dict[str, np.ndarray] | None = None
        if state is None:
            ne, ni = hp["ne"], int(0.2 * hp["ne"])
        else:
            sizes = _peek_sizes(state)
            if sizes is None:
                arrays, ne, ni = _check_state(state)
            else:
                ne, ni = sizes
            if "ne" in hyperparameters and hyperparameters["ne"] != ne:
                # sorn 0.7.4's own README passes ne=100 with a 200-unit state; honour the state.
                warnings.warn(f"hyperparameter 'ne' = {hyperparameters['ne']} differs from the "
                              f"{ne} excitatory units of 'state'; the state's size is used",
                              UserWarning, stacklevel=3)
        _check_sizes(hp, ne, from_state=state is not None)
        u = _as_inputs(inputs)
        steps = _check_timesteps(timesteps, u)
        _check_input_shape(u, hp["nu"], steps)
        params = _params(hp, ne, ni, phase, noise, frozen, fresh=state is None)
        raw = u[:, :steps] if u is not None else np.zeros((hp["nu"], steps))

        sim = self._take(params)
        # On any error the simulation is dropped (not given back): it may be half-way.
        if state is None:
            rng = _call_rng()
            net = init_state(params, rng)   # draws the network; the run goes on from rng
            net.h_ip[:] = _h_ip(hp, ne)
            _start(sim, net, rng)
            _log.info("Network initialized: connections Wee %d, Wei %d, Wie %d",
                      sim.n_ee, sim.n_ei, int(np.count_nonzero(sim.state.w_ie)))
        elif arrays is None and _state_matches(sim, state):
            # Continue the very network the last call returned, with this call's generator.
            sim.restart(_call_seed())
        else:
            if arrays is None:
                arrays, _, _ = _check_state(state)
            rng = _call_rng()
            _start(sim, _to_engine(arrays, _h_ip(hp, ne)), rng)
        result = _simulate(sim, raw, steps, wanted)
        self._give_back(params, sim)
        return result


class LegacySimulator(_LegacyRunner):
    """sorn 0.7.4's ``Simulator``: run a fresh or given network, plasticity on by default."""

    def run(self, inputs: Any = None, phase: str = "plasticity",
            state: Mapping[str, Any] | None = None, timesteps: int | None = None,
            noise: bool = True, freeze: Sequence[str] | None = None,
            callbacks: Sequence[str] = (), **hyperparameters: Any
            ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Simulate a SORN (the ``sorn`` 0.7.4 ``Simulator.run``).

        Parameters
        ----------
        inputs : array_like, optional
            External input, shape (nu, T) with T >= ``timesteps``; column t is added to
            excitatory units 0..nu-1 at step t. ``None`` means no input.
        phase : {"plasticity", "training"}
            ``"training"`` freezes every plasticity mechanism (weights and thresholds stay
            exactly as they are); ``"plasticity"`` applies all except those in ``freeze``.
        state : dict, optional
            A ``state_dict`` returned by an earlier call (or built in the same shapes) to
            continue from; ``None`` draws a fresh network from the hyperparameters.
        timesteps : int, optional
            Steps to simulate; defaults to the number of input columns.
        noise : bool
            Add Gaussian noise of standard deviation 0.04 to every unit's drive.
        freeze : list of str, optional
            Mechanisms to switch off: ``"stdp"``, ``"ip"``, ``"sp"``, ``"istdp"``, ``"ss"``.
        callbacks : list of str
            Per-step values to return, any of :data:`CALLBACKS`.
        **hyperparameters
            Any of :data:`LEGACY_DEFAULTS`; unknown names raise ``ValueError``. With a ``state``
            the state's size wins over ``ne`` (a differing ``ne`` warns), and the
            connectivity hyperparameters have no effect.

        Returns
        -------
        state_dict : dict
            ``Wee`` (ne, ne), ``Wei`` (ni, ne), ``Wie`` (ne, ni), all pre x post; ``Te``
            (ne, 1), ``Ti`` (ni, 1); ``X`` (ne, 2), ``Y`` (ni, 2) with columns [t-1, t].
            Fresh arrays: modifying them never affects the simulator.
        sim_dict : dict
            One time-first numpy array per requested callback, ``sim_dict[name][t]`` being
            the value at step t: activations (ne,) / (ni,) / (ne, 1) of 0.0 and 1.0,
            connection counts at the start of each step (ints), ``TE`` (ne, 1), ``TI``
            (ni, 1), ``WEE`` (ne, ne), ``WEI`` (ni, ne), ``WIE`` (ne, ni). ``TI`` and ``WIE``
            never change and are read-only views of one array.

        Raises
        ------
        ValueError, TypeError
            For any invalid argument; the message names it.

        Notes
        -----
        Each call draws its random seed from ``np.random``: call ``np.random.seed(k)`` first
        to make a script's results repeat exactly.
        """
        return self._run(inputs, phase, state, timesteps, noise, freeze, callbacks,
                         hyperparameters)


class LegacyTrainer(_LegacyRunner):
    """sorn 0.7.4's ``Trainer``: like ``Simulator`` but frozen (``phase="training"``) by default."""

    def run(self, inputs: Any = None, phase: str = "training",
            state: Mapping[str, Any] | None = None, timesteps: int | None = None,
            noise: bool = True, freeze: Sequence[str] | None = None,
            callbacks: Sequence[str] = (), **hyperparameters: Any
            ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Run a trained (or fresh) SORN (the ``sorn`` 0.7.4 ``Trainer.run``).

        Identical to :meth:`LegacySimulator.run` except that ``phase`` defaults to
        ``"training"``, which freezes all plasticity. Cheap to call with ``timesteps=1`` in a
        loop, feeding back the returned ``state_dict`` (sorn 0.7.4's reinforcement-learning use).

        Parameters
        ----------
        inputs, phase, state, timesteps, noise, freeze, callbacks, **hyperparameters
            As for :meth:`LegacySimulator.run`.

        Returns
        -------
        state_dict, sim_dict : dict
            As for :meth:`LegacySimulator.run`.
        """
        return self._run(inputs, phase, state, timesteps, noise, freeze, callbacks,
                         hyperparameters)


#: Drop-in for ``from sorn import Simulator``.
Simulator = LegacySimulator()
#: Drop-in for ``from sorn import Trainer``.
Trainer = LegacyTrainer()
