"""Small builders and checks shared by the tests."""

from __future__ import annotations

import re

import numpy as np

from sorn_studio import Params, Simulation
from sorn_studio.engine import NetworkState
from sorn_studio.studio.frames import Frame
from sorn_studio.studio.runner import Runner

#: Upper bound on waiting for the studio's worker (ms); a hang fails the test instead of blocking.
WAIT_MS = 60_000

#: Every mechanism off, no noise, no input: a blank slate on which one rule is switched on.
QUIET = dict(stdp=False, ip=False, sp=False, istdp=False, sn=False, noise_sigma=0.0,
             input_kind="none")


def tiny_params(ne: int = 3, ni: int = 1, **changes) -> Params:
    """A fully connected tiny network with every mechanism off unless ``changes`` say so."""
    base = dict(ne=ne, ni=ni, lambda_ee=ne - 1, lambda_ei=ni, lambda_ie=ne, **QUIET)
    base.update(changes)
    return Params(**base)


def sim_with_state(params: Params, backend: str, **arrays) -> Simulation:
    """A Simulation whose state is replaced by ``arrays`` (others keep their defaults)."""
    sim = Simulation(params, seed=0, backend=backend)
    ne, ni = params.ne, params.ni
    defaults = dict(
        x=np.zeros(ne, bool), y=np.zeros(ni, bool), t_e=np.full(ne, 10.0),
        t_i=np.full(ni, 10.0), h_ip=np.full(ne, 0.1),
        w_ee=np.zeros((ne, ne)), w_ei=np.zeros((ne, ni)), w_ie=np.zeros((ni, ne)),
    )
    defaults.update({k: np.asarray(v) for k, v in arrays.items()})
    sim.load_state(NetworkState(**defaults))
    return sim


def one_line_error(err: str) -> None:
    """``err`` (a command's standard error) ends in one ``sorn-studio ...: error:`` line and
    holds no traceback."""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and re.match(r"sorn-studio( \w+)*: error: ", lines[-1]), lines
    # argparse puts its usage before the error; our own errors are a single line.
    assert lines[0].startswith("usage:") or len(lines) == 1, lines


class DrivenRunner:
    """A studio runner ticked by the test itself (checkpoints every ``every`` steps), with
    the frames it published and the errors it reported."""

    def __init__(self, sim: Simulation, **kwargs) -> None:
        self.frames: list[Frame] = []
        self.errors: list[str] = []
        self.runner = Runner(sim, self.frames.append, max_fps=1000,
                             on_error=lambda m, d: self.errors.append(m),
                             checkpoint_every=kwargs.pop("every", 500), **kwargs)

    def settle(self) -> Frame:
        for _ in range(100_000):
            self.runner.tick()
            if self.runner.wait_idle(0):
                return self.frames[-1]
        raise AssertionError("the runner did not settle")

    def do(self, *calls) -> Frame:
        """Each ``(method, args...)`` in turn, settling after each."""
        for name, *args in calls:
            getattr(self.runner, name)(*args)
            frame = self.settle()
        return frame

    def sim(self) -> Simulation:
        """The runner's simulation (the test's thread is the runner's thread here)."""
        future = self.runner.call(lambda sim: sim)
        self.settle()
        return future.result(0)
