"""The Gymnasium examples in examples/ run: episodes end, actions are valid, runs repeat.

These check the loops, not the learning (examples/cartpole.py measures that itself, over
hundreds of episodes).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import gymnasium as gym
import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MAX_RETURN = 500   # CartPole-v1 cuts an episode off after 500 steps


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module   # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cartpole() -> ModuleType:
    return load_example("cartpole")


@pytest.fixture(scope="module")
def sorn_loop() -> ModuleType:
    return load_example("sorn_loop")


@pytest.fixture
def global_numpy_generator():
    """sorn_loop seeds numpy's global generator, as sorn 0.7.4 scripts do; put it back."""
    state = np.random.get_state()
    yield
    np.random.set_state(state)


class ActionLog(gym.Wrapper):
    """Keeps every action the agent sends to the environment."""

    def __init__(self, env: gym.Env, actions: list) -> None:
        super().__init__(env)
        self.actions = actions

    def step(self, action):
        self.actions.append(action)
        return self.env.step(action)


def check_returns(returns: list, episodes: int) -> None:
    assert len(returns) == episodes
    for value in returns:
        assert isinstance(value, int) and 1 <= value <= MAX_RETURN, returns


@pytest.mark.parametrize("readout", ["sorn+input", "sorn", "input"])
def test_cartpole_episodes_end_with_valid_actions(cartpole, readout):
    actions: list = []
    result = cartpole.run(3, episodes=4, readout=readout, random_episodes=3,
                          make_env=lambda: ActionLog(gym.make(cartpole.ENV_ID), actions))
    check_returns(result.returns, 4)
    check_returns(result.random_returns, 3)
    # One action per step of every episode, each a plain 0 or 1.
    assert len(actions) == sum(result.returns) + sum(result.random_returns)
    assert {type(a) for a in actions} == {int}
    assert set(actions) == {0, 1}
    assert result.final_mean == pytest.approx(np.mean(result.returns))
    assert result.ratio == pytest.approx(result.final_mean / result.random_mean)


def test_cartpole_same_seed_same_returns(cartpole):
    first = cartpole.run(5, episodes=6, random_episodes=4)
    again = cartpole.run(5, episodes=6, random_episodes=4)
    other = cartpole.run(6, episodes=6, random_episodes=4)
    assert (again.returns, again.random_returns) == (first.returns, first.random_returns)
    assert (other.returns, other.random_returns) != (first.returns, first.random_returns)


def test_cartpole_refuses_an_unknown_readout(cartpole):
    with pytest.raises(ValueError, match=r"'readout' = 'x'.*'sorn\+input', 'sorn', 'input'"):
        cartpole.run(0, episodes=1, readout="x")


def test_cartpole_command_prints_the_result_and_writes_the_curve(cartpole, tmp_path, capsys):
    plot = tmp_path / "curve.png"
    code = cartpole.main(["--seed", "1", "--episodes", "3", "--random-episodes", "2",
                          "--plot", str(plot), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and plot.stat().st_size > 10_000
    assert "random policy: mean return" in out and "over 2 episodes" in out
    assert "over the last 3 of 3 episodes" in out and "x random" in out
    assert not any(line.startswith("episode") for line in out.splitlines())   # --quiet


@pytest.mark.parametrize(("args", "message"), [
    (["--plot", "curve.jpg"], "must end in one of .png, .svg, .pdf"),
    (["--plot", "no/such/folder/curve.png"], "does not exist"),
    (["--episodes", "0"], "argument --episodes: 0 is below 1"),
    (["--seed", "1.5"], "argument --seed: '1.5' is not a whole number"),
])
def test_cartpole_command_refuses_bad_arguments(cartpole, capsys, args, message):
    with pytest.raises(SystemExit) as exit_info:
        cartpole.main(args)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_population_code_places_each_value_on_its_units(cartpole):
    units = cartpole.UNITS_PER_OBSERVATION
    code = cartpole.population_code(cartpole.OBS_LOW.copy()).reshape(4, units)
    # At the low end of every range the first unit of each pool responds fully, the last
    # hardly at all.
    np.testing.assert_allclose(code[:, 0], 1.0)
    assert (code[:, -1] < 1e-6).all()
    # Values beyond the clipped range are coded as its edge.
    np.testing.assert_array_equal(cartpole.population_code(10 * cartpole.OBS_HIGH),
                                  cartpole.population_code(cartpole.OBS_HIGH))
    # A pole leaning slightly right excites angle units right of the centre.
    angle = cartpole.population_code(np.array([0.0, 0.0, 0.05, 0.0])).reshape(4, units)[2]
    assert angle.argmax() > (units - 1) / 2


def test_discounted_returns_use_gamma_to_the_step(cartpole):
    g = cartpole.GAMMA
    np.testing.assert_allclose(cartpole.discounted_returns(3, truncated=False),
                               [1 + g + g**2, 1 + g, 1])
    # A cut-off episode goes on as if balanced for ever.
    np.testing.assert_allclose(cartpole.discounted_returns(2, truncated=True),
                               [1 + g + g**2 / (1 - g), 1 + g / (1 - g)])


def test_sorn_loop_plays_repeatable_episodes(sorn_loop, global_numpy_generator):
    scores = sorn_loop.play_and_learn(0, 3)
    check_returns(scores, 3)
    assert sorn_loop.play_and_learn(0, 3) == scores


def test_sorn_loop_command_prints_each_score(sorn_loop, global_numpy_generator, capsys):
    assert sorn_loop.main(["--episodes", "2", "--seed", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:3] for line in lines] == [["Episode", "1", "Score"],
                                                    ["Episode", "2", "Score"]]
    assert all(1 <= int(line.split()[3]) <= MAX_RETURN for line in lines)
