"""A CartPole agent on a SORN reservoir that learns (Gymnasium ``CartPole-v1``).

Run it with ``python examples/cartpole.py --seed 0 --plot cartpole.png`` (needs
``python -m pip install ".[examples]"``). It prints the random policy's mean return, the
agent's mean return over its last 20 episodes and their ratio, and saves the learning curve.

What the script does
--------------------
1. **Random policy, self-organisation.** A policy that picks left or right at random plays
   ``--random-episodes`` (100) episodes. Their mean return (about 22) is the baseline the
   agent is compared with, and their observations drive the SORN while all five plasticity
   mechanisms are on (sorn 0.7.4 defaults, the ``sorn-0.7.4`` preset, 200 E and 40 I units):
   the reservoir self-organises on the statistics of the task's observations (about 2 300
   steps).
2. **Frozen reservoir.** Plasticity and noise are switched off
   (``sim.apply_params(stdp=False, ip=False, sp=False, istdp=False, sn=False,
   noise_sigma=0.0)``), so the reservoir is a fixed, deterministic map from the observation
   history to its state, as the sorn 0.7.4 example intends (plasticity first, then training).
3. **Learning.** The agent plays ``--episodes`` (300) episodes. Each observation is encoded,
   fed to the SORN (``sim.feed_input`` then ``sim.step``, ``SORN_STEPS_PER_OBSERVATION``
   = 1 step per environment step), and a logistic readout of the new state gives the
   probability of pushing right; the action is drawn from it.

Encoding: population codes
--------------------------
Binary threshold units see a continuous value only through whether their drive exceeds the
threshold, so one unit per observation would say little more than "above or below". Each of
the four observations (cart position, cart velocity, pole angle, pole angular velocity)
therefore gets a pool of ``UNITS_PER_OBSERVATION`` (10) units with Gaussian tuning curves,
centres evenly spaced over a clipped range (position +-2.4 and angle +-0.21 rad are where an
episode ends; velocities +-3, rarely exceeded before that) and a width equal to the spacing:
a value excites the few units tuned near it (a place code). The code is scaled by
``INPUT_GAIN`` (2) and added to the drive of SORN units 0-39 (``input_kind="raw"``, nu = 40).
Thresholds in this preset stay within [0, 1], so the unit tuned nearest to the value nearly
always fires (in 97 % of the steps of a frozen network we checked; inhibition vetoes the
rest), and intrinsic plasticity decides how far along the curve its neighbours fire: the
input units turn the continuous observation into a binary bin code (about 2 active units
per observation). The 160 other units respond to it through the recurrent weights one step
later; once the noise is off they are sparse (about 4 active per step, 14 while plastic).

Readout and learner
-------------------
``--readout`` chooses what the readout sees: ``sorn+input`` (default) the SORN's excitatory
state x (200 binary units: the input-driven ones and the recurrent ones) concatenated with
the population code (40 values) and a bias; ``sorn`` x and a bias only; ``input`` the
population code and a bias, no SORN at all (for comparison). The readout is trained by
REINFORCE: returns discounted with 0.99^t, the mean return of the batch (2 episodes) as the
baseline and advantages divided by their standard deviation, an entropy bonus (0.01) that
keeps the policy from collapsing onto one action, and Adam (learning rate 0.01). An episode
cut off at 500 steps (not failed) is continued by the return of balancing for ever,
1 / (1 - 0.99), so the agent is not taught that its last moves before the cut were bad.

Measured on this project's 2-core machine
-----------------------------------------
Mean return over the last 20 of 300 episodes, seeds 0 / 1 / 2 (the random policy: 23.7 /
21.7 / 23.1 over 100 episodes):

- ``--readout sorn+input``: 424.6 / 298.6 / 447.4, that is 17.9 / 13.8 / 19.4 times the
  random policy, in 24 / 13 / 21 s;
- ``--readout sorn``: 222.6 / 173.7 / 280.6;
- ``--readout input`` (no SORN): 199.2 / 232.2 / 289.9;
- ``--readout sorn+input --no-plasticity`` (a reservoir that never self-organised): 479.1 /
  425.2 / 442.9.

So the readout learns on each kind of feature, and the SORN state with the code beats the code
alone in these seeds; self-organising before learning does not help on this task (the
never-plastic reservoir does as well or better). Single runs vary a lot: one SORN step more
or less before learning changed these numbers by up to 38 %.

Repeatability: ``--seed`` seeds everything (the environments, the SORN, the agent's action
draws) through one ``numpy.random.SeedSequence``; the same seed gives the same returns.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import gymnasium as gym
import numpy as np

from sorn_studio import RecordingSpec, Simulation, load_preset
from sorn_studio.figures import FIGURE_FORMATS, new_figure, save_figure

ENV_ID = "CartPole-v1"
#: Clipped range of each observation: cart position, cart velocity, pole angle, pole angular
#: velocity. Position and angle end the episode at these values.
OBS_LOW = np.array([-2.4, -3.0, -0.21, -3.0])
OBS_HIGH = -OBS_LOW
UNITS_PER_OBSERVATION = 10
#: The population code is multiplied by this before it drives the SORN's input units.
INPUT_GAIN = 2.0
SORN_STEPS_PER_OBSERVATION = 1
GAMMA = 0.99
LEARNING_RATE = 0.01
ENTROPY_BONUS = 0.01
EPISODES_PER_UPDATE = 2
#: Episodes over which the learning curve is averaged and the result measured.
LAST = 20
READOUTS = ("sorn+input", "sorn", "input")


def population_code(obs: np.ndarray, units: int = UNITS_PER_OBSERVATION) -> np.ndarray:
    """Gaussian tuning-curve responses of ``units`` units per observation dimension.

    Parameters
    ----------
    obs : numpy.ndarray, shape (4,)
        A CartPole observation; each value is clipped to ``[OBS_LOW, OBS_HIGH]``.
    units : int
        Units per dimension; their centres are evenly spaced over the clipped range and each
        curve's standard deviation is the spacing.

    Returns
    -------
    numpy.ndarray, shape (4 * units,)
        Responses in (0, 1], dimension by dimension (1 for a value at a unit's centre).
    """
    scaled = (np.clip(obs, OBS_LOW, OBS_HIGH) - OBS_LOW) / (OBS_HIGH - OBS_LOW)
    centres = np.linspace(0.0, 1.0, units)
    width = 1.0 / (units - 1)
    return np.exp(-0.5 * ((scaled[:, None] - centres[None, :]) / width) ** 2).ravel()


class Reservoir:
    """A SORN driven by population-coded observations through its raw input units.

    Parameters
    ----------
    seed : int
        Seed of the SORN (its network and noise).
    """

    def __init__(self, seed: int) -> None:
        nu = OBS_LOW.size * UNITS_PER_OBSERVATION
        params = load_preset("sorn-0.7.4", nu=nu)
        # Only the state x is read; a one-step recording window keeps the bookkeeping small.
        self.sim = Simulation(params, seed=seed, recording=RecordingSpec(window=1))

    def drive(self, code: np.ndarray) -> np.ndarray:
        """Run the SORN on one encoded observation; its excitatory state x afterwards.

        Parameters
        ----------
        code : numpy.ndarray, shape (nu,)
            The population code of the observation.

        Returns
        -------
        numpy.ndarray, shape (ne,)
            x after the last step, as 0.0 / 1.0.
        """
        columns = np.repeat(INPUT_GAIN * code[:, None], SORN_STEPS_PER_OBSERVATION, axis=1)
        self.sim.feed_input(columns)
        self.sim.step(SORN_STEPS_PER_OBSERVATION)
        return self.sim.x.astype(float)

    def freeze(self) -> None:
        """Switch every plasticity mechanism and the noise off (from the next step on)."""
        self.sim.apply_params(stdp=False, ip=False, sp=False, istdp=False, sn=False,
                              noise_sigma=0.0)


class Adam:
    """Adam (Kingma & Ba 2015) for gradient ascent on one parameter vector."""

    def __init__(self, size: int, lr: float, beta1: float = 0.9, beta2: float = 0.999) -> None:
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.m = np.zeros(size)
        self.v = np.zeros(size)
        self.t = 0

    def ascent_step(self, grad: np.ndarray) -> np.ndarray:
        """The step to add to the parameters for gradient ``grad``."""
        self.t += 1
        self.m = self.beta1 * self.m + (1 - self.beta1) * grad
        self.v = self.beta2 * self.v + (1 - self.beta2) * grad**2
        m_hat = self.m / (1 - self.beta1**self.t)
        v_hat = self.v / (1 - self.beta2**self.t)
        return self.lr * m_hat / (np.sqrt(v_hat) + 1e-8)


class LogisticPolicy:
    """P(push right | features f) = sigmoid(w . f), trained by REINFORCE with Adam.

    Parameters
    ----------
    size : int
        Length of the feature vector (a bias feature included).
    """

    def __init__(self, size: int) -> None:
        self.w = np.zeros(size)
        self.optimizer = Adam(size, LEARNING_RATE)

    def prob_right(self, features: np.ndarray) -> float:
        """Probability of action 1 (push right)."""
        return float(1.0 / (1.0 + np.exp(-features @ self.w)))

    def update(self, features: np.ndarray, actions: np.ndarray, probs: np.ndarray,
               returns: np.ndarray) -> None:
        """One REINFORCE step on a batch of steps.

        Parameters
        ----------
        features : numpy.ndarray, shape (T, size)
        actions : numpy.ndarray, shape (T,)
            0 or 1.
        probs : numpy.ndarray, shape (T,)
            P(action 1) when each action was chosen.
        returns : numpy.ndarray, shape (T,)
            Discounted return from each step on.
        """
        # Baseline: the batch's mean return; dividing by the spread keeps the step size the
        # same whether the episodes lasted 20 or 500 steps.
        advantage = (returns - returns.mean()) / (returns.std() + 1e-8)
        grad_log_prob = (actions - probs)[:, None] * features
        grad = (advantage[:, None] * grad_log_prob).mean(axis=0)
        logits = np.log(probs + 1e-12) - np.log(1 - probs + 1e-12)
        grad_entropy = (-logits * probs * (1 - probs))[:, None] * features
        grad += ENTROPY_BONUS * grad_entropy.mean(axis=0)
        self.w += self.optimizer.ascent_step(grad)


def discounted_returns(n_steps: int, truncated: bool) -> np.ndarray:
    """Return from each step of an episode of ``n_steps`` rewards of 1, discounted by GAMMA^t.

    A truncated episode (cut off, not failed) is continued by the value of balancing for
    ever, 1 / (1 - GAMMA).
    """
    tail = 1.0 / (1.0 - GAMMA) if truncated else 0.0
    returns = np.empty(n_steps)
    for t in range(n_steps - 1, -1, -1):
        tail = 1.0 + GAMMA * tail
        returns[t] = tail
    return returns


@dataclass
class Result:
    """What a run measured."""

    seed: int
    readout: str
    returns: list[int]
    random_returns: list[int]
    seconds: float
    plastic: bool = True

    @property
    def random_mean(self) -> float:
        """Mean return of the random policy."""
        return float(np.mean(self.random_returns))

    @property
    def final_mean(self) -> float:
        """Mean return of the agent over its last ``LAST`` episodes (all, if fewer)."""
        return float(np.mean(self.returns[-LAST:]))

    @property
    def ratio(self) -> float:
        """``final_mean / random_mean``."""
        return self.final_mean / self.random_mean


def _seed_of(seq: np.random.SeedSequence) -> int:
    return int(seq.generate_state(1)[0])


def play(env: gym.Env, choose: Callable[[np.ndarray], int], seed: int | None
         ) -> tuple[int, bool]:
    """Play one episode; ``choose(observation)`` gives each action.

    Parameters
    ----------
    env : gymnasium.Env
    choose : callable
        Called with each observation before the action it decides.
    seed : int or None
        Seed of the environment's reset (None continues its generator).

    Returns
    -------
    (int, bool)
        The return (number of steps balanced) and whether the episode was cut off rather
        than failed.
    """
    obs, _ = env.reset(seed=seed)
    total = 0
    while True:
        obs, reward, terminated, truncated, _ = env.step(choose(obs))
        total += int(reward)
        if terminated or truncated:
            return total, bool(truncated and not terminated)


def _agent_episode(env: gym.Env, features: Callable[[np.ndarray], np.ndarray],
                   policy: LogisticPolicy, rng: np.random.Generator, seed: int | None
                   ) -> tuple[int, bool, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """One episode of the agent: its return, whether it was cut off, and per step the
    features, the action (0.0 / 1.0) and the probability of action 1 it was drawn with."""
    seen: list[np.ndarray] = []
    actions: list[int] = []
    probs: list[float] = []

    def choose(obs: np.ndarray) -> int:
        f = features(obs)
        p_right = policy.prob_right(f)
        action = int(rng.random() < p_right)
        seen.append(f)
        actions.append(action)
        probs.append(p_right)
        return action

    total, truncated = play(env, choose, seed)
    return total, truncated, (np.array(seen), np.array(actions, dtype=float), np.array(probs))


def run(seed: int, episodes: int = 300, *, readout: str = "sorn+input",
        random_episodes: int = 100, plasticity: bool = True,
        make_env: Callable[[], gym.Env] = lambda: gym.make(ENV_ID),
        progress: Callable[[int, list[int]], None] | None = None) -> Result:
    """Measure the random policy, let the SORN self-organise, then train the agent.

    Parameters
    ----------
    seed : int
        Seeds the environments, the SORN and the agent.
    episodes : int
        Learning episodes.
    readout : {"sorn+input", "sorn", "input"}
        What the readout sees (see the module docstring).
    random_episodes : int
        Episodes of the random policy (the baseline; they also drive the plastic SORN).
    plasticity : bool
        False freezes the SORN from the start (a random reservoir, for comparison).
    make_env : callable
        Makes a CartPole environment (the tests wrap it to watch the actions).
    progress : callable, optional
        Called as ``progress(episode, returns)`` after each learning episode.

    Returns
    -------
    Result
    """
    if readout not in READOUTS:
        raise ValueError(f"argument 'readout' = {readout!r} is not allowed; use one of "
                         f"{', '.join(map(repr, READOUTS))}")
    started = time.perf_counter()
    random_env_seq, env_seq, sorn_seq, agent_seq = np.random.SeedSequence(seed).spawn(4)
    rng = np.random.default_rng(agent_seq)
    reservoir = Reservoir(_seed_of(sorn_seq)) if readout != "input" else None
    if reservoir is not None and not plasticity:
        reservoir.freeze()

    def random_choice(obs: np.ndarray) -> int:
        if reservoir is not None:
            reservoir.drive(population_code(obs))
        return int(rng.integers(2))

    random_env = make_env()
    random_returns = [play(random_env, random_choice,
                           _seed_of(random_env_seq) if episode == 0 else None)[0]
                      for episode in range(random_episodes)]
    random_env.close()
    if reservoir is not None:
        reservoir.freeze()

    def features(obs: np.ndarray) -> np.ndarray:
        code = population_code(obs)
        parts = [reservoir.drive(code)] if reservoir is not None else []
        if readout != "sorn":
            parts.append(code)
        parts.append(np.ones(1))
        return np.concatenate(parts)

    n_code = OBS_LOW.size * UNITS_PER_OBSERVATION
    n_features = ((reservoir.sim.params.ne if reservoir is not None else 0)
                  + (n_code if readout != "sorn" else 0) + 1)
    policy = LogisticPolicy(n_features)
    env = make_env()
    returns: list[int] = []
    batch: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for episode in range(episodes):
        total, truncated, steps = _agent_episode(env, features, policy, rng,
                                                 _seed_of(env_seq) if episode == 0 else None)
        returns.append(total)
        batch.append((*steps, discounted_returns(total, truncated)))
        if len(batch) == EPISODES_PER_UPDATE or episode == episodes - 1:
            policy.update(*(np.concatenate(part) for part in zip(*batch, strict=True)))
            batch = []
        if progress is not None:
            progress(episode + 1, returns)
    env.close()
    return Result(seed, readout, returns, random_returns, time.perf_counter() - started,
                  plastic=plasticity and reservoir is not None)


def plot_learning_curve(result: Result, path: str | Path) -> Path:
    """Save the returns per episode, their running mean and the random baseline.

    Parameters
    ----------
    result : Result
    path : str or pathlib.Path
        A ``.png``, ``.svg`` or ``.pdf`` file.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    fig = new_figure((7.0, 4.0), pyplot=False)
    ax = fig.add_subplot()
    episodes = np.arange(1, len(result.returns) + 1)
    returns = np.asarray(result.returns, dtype=float)
    running = np.array([returns[max(0, i - LAST + 1): i + 1].mean()
                        for i in range(returns.size)])
    ax.plot(episodes, returns, color="tab:blue", alpha=0.4, lw=0.8, label="return per episode")
    ax.plot(episodes, running, color="tab:blue", lw=2, label=f"mean of the last {LAST}")
    ax.axhline(result.random_mean, color="tab:red", ls="--",
               label=f"random policy ({result.random_mean:.1f})")
    ax.axhline(5 * result.random_mean, color="tab:red", ls=":", label="5 x random")
    ax.set_xlabel("episode")
    ax.set_ylabel("return (steps balanced)")
    ax.set_ylim(0, 510)
    never = ", SORN never plastic" if result.readout != "input" and not result.plastic else ""
    ax.set_title(f"CartPole-v1, readout '{result.readout}'{never}, seed {result.seed}: "
                 f"last {LAST} = {result.final_mean:.1f} ({result.ratio:.1f} x random)",
                 fontsize=9)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return save_figure(fig, path)


def _whole(low: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{value} is below {low}, the smallest allowed")
        return value
    return parse


def _figure_path(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in FIGURE_FORMATS:
        raise argparse.ArgumentTypeError(f"{text!r} must end in one of "
                                         f"{', '.join(FIGURE_FORMATS)}")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r}: folder {str(path.parent)!r} does not exist")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: train one agent, print the result, save the learning curve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=_whole(0), default=0, help="random seed (default 0)")
    parser.add_argument("--episodes", type=_whole(1), default=300,
                        help="learning episodes (default 300)")
    parser.add_argument("--random-episodes", type=_whole(1), default=100,
                        help="episodes of the random policy, which also drive the plastic "
                             "SORN (default 100)")
    parser.add_argument("--readout", choices=READOUTS, default="sorn+input",
                        help="what the readout sees (default sorn+input)")
    parser.add_argument("--no-plasticity", action="store_true",
                        help="freeze the SORN from the start (a random reservoir)")
    parser.add_argument("--plot", type=_figure_path, default=Path("cartpole.png"),
                        help="learning curve, .png, .svg or .pdf (default cartpole.png)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)

    def progress(episode: int, returns: list[int]) -> None:
        if episode % LAST == 0:
            print(f"episode {episode:4d}: mean return of the last {LAST} = "
                  f"{np.mean(returns[-LAST:]):6.1f}", flush=True)

    result = run(args.seed, args.episodes, readout=args.readout,
                 random_episodes=args.random_episodes, plasticity=not args.no_plasticity,
                 progress=None if args.quiet else progress)
    plot_learning_curve(result, args.plot)
    last = min(LAST, len(result.returns))
    print(f"random policy: mean return {result.random_mean:.1f} over "
          f"{len(result.random_returns)} episodes")
    print(f"agent (readout {result.readout}, seed {result.seed}): mean return "
          f"{result.final_mean:.1f} over the last {last} of {len(result.returns)} episodes, "
          f"{result.ratio:.1f} x random")
    print(f"learning curve: {args.plot}; wall time {result.seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
