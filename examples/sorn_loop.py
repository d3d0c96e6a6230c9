"""The sorn 0.7.4 state-feeding loop on CartPole, for people porting their own agents.

Run it with ``python examples/sorn_loop.py --episodes 10`` (needs
``python -m pip install ".[examples]"``); it prints the score of each episode.

This is the loop sorn 0.7.4 users write, with only the import changed: during a few
random-policy episodes ``Simulator.run(..., phase="plasticity", timesteps=1)`` lets a fresh
SORN self-organise, one step per environment step; then ``Trainer.run(...,
phase="training", timesteps=1)`` advances the frozen network the same way. Each call is fed
back the ``state_dict`` the previous one returned, and the agent reads
``sim_dict["ExcitatoryActivation"]``. The agent is like the one of sorn 0.7.4's documentation (a
softmax readout of the excitatory state trained by policy gradient) with its discount fixed
(``0.99**t``, not ``0.99**r``) and the returns of an episode normalised.

It does not learn well, and is not meant to: as in sorn 0.7.4's example, the four raw
observations drive four units directly, and a binary threshold unit tells little more than
whether a value is large, so the state says little about the pole. Over 300 episodes the
mean score goes from 21.5 over the first 20 episodes to 29.1 over the last 20 (seed 0; seed 1:
26.0 to 40.2), against about 22 for a random policy. For an agent that learns
(population-coded input, the engine's own ``Simulation`` API, a better learner) see
``examples/cartpole.py``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import gymnasium as gym
import numpy as np

from sorn_studio import Simulator, Trainer

NE = 200
NU = 4            # one input unit per observation, as in sorn 0.7.4's example
GAMMA = 0.99
LEARNING_RATE = 0.01


def self_organise(env: gym.Env, episodes: int) -> dict[str, np.ndarray]:
    """Let a fresh SORN self-organise, one step per environment step of random play.

    The first call starts the network (``state=None``); each later one continues the
    ``state_dict`` the previous call returned, with plasticity on.

    Returns
    -------
    dict
        sorn 0.7.4's ``state_dict`` of the network afterwards.
    """
    state_dict = None
    for _ in range(episodes):
        obs, _ = env.reset()
        done = False
        while not done:
            state_dict, _ = Simulator.run(inputs=obs[:, None], phase="plasticity",
                                          state=state_dict, noise=True, timesteps=1,
                                          callbacks=["ExcitatoryActivation"], ne=NE, nu=NU)
            obs, _, terminated, truncated, _ = env.step(np.random.randint(2))
            done = terminated or truncated
    return state_dict


def play_and_learn(seed: int, episodes: int) -> list[int]:
    """Self-organise, then play ``episodes`` episodes, training the readout after each.

    Parameters
    ----------
    seed : int
        Seeds numpy's global generator (which the sorn 0.7.4 API and the agent draw from)
        and the environment.
    episodes : int
        Episodes the agent plays.

    Returns
    -------
    list of int
        The score (steps balanced) of each episode.
    """
    np.random.seed(seed)
    env = gym.make("CartPole-v1")
    env.reset(seed=seed)
    state_dict = self_organise(env, episodes=5)
    w = np.zeros((NE, 2))                                # softmax readout of x
    scores = []
    for _ in range(episodes):
        obs, _ = env.reset()
        states, grads_log_prob, done = [], [], False
        while not done:
            state_dict, sim_dict = Trainer.run(inputs=obs[:, None], phase="training",
                                               state=state_dict, noise=False, timesteps=1,
                                               callbacks=["ExcitatoryActivation"], nu=NU)
            x = sim_dict["ExcitatoryActivation"][0]     # (ne,) 0.0 / 1.0
            z = x @ w
            probs = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
            action = np.random.choice(2, p=probs)
            obs, _, terminated, truncated, _ = env.step(action)
            states.append(x)
            grads_log_prob.append(np.eye(2)[action] - probs)   # d log p(action) / dz
            done = terminated or truncated
        # REINFORCE: the return from step t on, the k-th reward after t discounted by
        # GAMMA ** k; normalised over the episode (the mean is the baseline).
        returns = np.zeros(len(states))
        future = 0.0
        for t in reversed(range(len(states))):
            future = 1.0 + GAMMA * future
            returns[t] = future
        returns = (returns - returns.mean()) / (returns.std() + 1e-8)
        w += LEARNING_RATE * np.array(states).T @ (returns[:, None] * np.array(grads_log_prob))
        scores.append(len(states))
    env.close()
    return scores


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the score of each episode."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--episodes", type=int, default=10, help="episodes (default 10)")
    args = parser.parse_args(argv)
    if args.seed < 0 or args.episodes < 1:
        parser.error(f"--seed must be >= 0 and --episodes >= 1 (got {args.seed}, "
                     f"{args.episodes})")
    for episode, score in enumerate(play_and_learn(args.seed, args.episodes), 1):
        print(f"Episode {episode}  Score {score}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
