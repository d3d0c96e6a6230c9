"""The sorn 0.7.4-compatible API: sorn 0.7.4's examples, shapes and orientation, freezing,
determinism, no side effects, error messages, and long loops of one-step calls."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import tracemalloc

import numpy as np
import pytest

from sorn_studio import compat
from sorn_studio.compat import (
    CALLBACKS,
    STATE_KEYS,
    LegacySimulator,
    LegacyTrainer,
    Simulator,
    Trainer,
    simulate,
)
from sorn_studio.engine import Simulation
from sorn_studio.engine.kernels import run_chunk

SMALL = dict(ne=50, nu=5, lambda_ee=10, lambda_ei=20)   # ni = 10

# The two usage examples of the sorn 0.7.4 description, verbatim except the import lines.
EXAMPLE_PLASTICITY = '''
import sorn
from sorn import Simulator
import numpy as np
# Sample input
num_features = 10
time_steps = 200
inputs = np.random.rand(num_features,time_steps)
# Simulate the network with default hyperparameters under gaussian white noise
state_dict, sim_dict = Simulator.run(inputs=inputs, phase='plasticity',
state=None, noise=True,
timesteps=time_steps,
callbacks=["ExcitatoryActivation",
"WEE",
"EEConnectionCounts"])
'''
EXAMPLE_TRAINING = '''
from sorn import Trainer
# NOTE: During training phase, input to `sorn` should have second (time) dimension set to 1. ie., input shape should be (input_features,1).
inputs = np.random.rand(num_features,1)
# SORN network is frozen during training phase
state_dict, sim_dict = Trainer.run(inputs= inputs, phase='training',
state=state_dict, noise=False,
timesteps=1,
ne=100, nu=num_features,
lambda_ee=10, eta_stdp=0.001,
callbacks=["InhibitoryActivation",
"WEI",
"EIConnectionCounts"] )
'''  # noqa: E501 - verbatim


def _ported(example: str) -> str:
    """Change only the import lines, as a user porting a script would."""
    return (example.replace("import sorn\n", "import sorn_studio as sorn\n")
            .replace("from sorn import", "from sorn_studio import"))


def check_state_shapes(state: dict, ne: int, ni: int) -> None:
    assert list(state) == list(STATE_KEYS)
    expected = {"Wee": (ne, ne), "Wei": (ni, ne), "Wie": (ne, ni), "Te": (ne, 1),
                "Ti": (ni, 1), "X": (ne, 2), "Y": (ni, 2)}
    for key, shape in expected.items():
        assert state[key].shape == shape, key
        assert state[key].dtype == np.float64, key
    # sorn 0.7.4's orientation is pre x post: the incoming weights of a unit are a column, and
    # synaptic normalisation makes every non-empty column sum to 1.
    for key in ("Wee", "Wei", "Wie"):
        cols = state[key].sum(axis=0)
        np.testing.assert_allclose(cols[cols > 0], 1.0, atol=1e-9, err_msg=key)
    assert not np.diagonal(state["Wee"]).any()
    assert np.isin(state["X"], (0.0, 1.0)).all() and np.isin(state["Y"], (0.0, 1.0)).all()


def fresh(steps: int = 30, **kw):
    np.random.seed(kw.pop("seed", 0))
    args = dict(SMALL, **kw)
    return Simulator.run(inputs=np.random.rand(args["nu"], steps), timesteps=steps, **args)


# -- sorn 0.7.4's examples -------------------------------------------------------------------
def test_legacy_examples_run_verbatim_with_only_the_import_changed():
    ns: dict = {}
    np.random.seed(0)
    exec(_ported(EXAMPLE_PLASTICITY), ns)
    state, sims = ns["state_dict"], ns["sim_dict"]
    check_state_shapes(state, 200, 40)
    assert set(sims) == {"ExcitatoryActivation", "WEE", "EEConnectionCounts"}
    assert sims["ExcitatoryActivation"].shape == (200, 200)
    assert sims["ExcitatoryActivation"][0].shape == (200,)
    assert sims["WEE"].shape == (200, 200, 200) and sims["WEE"][-1].shape == (200, 200)
    np.testing.assert_array_equal(sims["WEE"][-1], state["Wee"])
    # Counts are taken at the start of each step, like sorn 0.7.4's.
    counts = sims["EEConnectionCounts"]
    assert counts.shape == (200,)
    assert [int(c) for c in counts[1:]] == [int((w > 0).sum()) for w in sims["WEE"][:-1]]
    # The last excitatory activation is the state's x(t); the one before is x(t-1).
    np.testing.assert_array_equal(sims["ExcitatoryActivation"][-1], state["X"][:, 1])
    np.testing.assert_array_equal(sims["ExcitatoryActivation"][-2], state["X"][:, 0])

    before = {k: v.copy() for k, v in state.items()}
    with pytest.warns(UserWarning, match="'ne' = 100 differs"):
        exec(_ported(EXAMPLE_TRAINING), ns)
    state, sims = ns["state_dict"], ns["sim_dict"]
    check_state_shapes(state, 200, 40)
    assert set(sims) == {"InhibitoryActivation", "WEI", "EIConnectionCounts"}
    assert sims["InhibitoryActivation"].shape == (1, 40)
    assert sims["WEI"].shape == (1, 40, 200)
    assert sims["EIConnectionCounts"].shape == (1,)
    # Training really froze the network: weights and thresholds are untouched.
    for key in ("Wee", "Wei", "Wie", "Te", "Ti"):
        np.testing.assert_array_equal(state[key], before[key], err_msg=key)
    np.testing.assert_array_equal(state["X"][:, 0], before["X"][:, 1])


def test_every_callback_has_the_legacy_per_step_shape():
    steps = 7
    state, sims = fresh(steps, callbacks=list(CALLBACKS))
    ne, ni = 50, 10
    check_state_shapes(state, ne, ni)
    per_step = {"ExcitatoryActivation": (ne,), "InhibitoryActivation": (ni,),
                "RecurrentActivation": (ne, 1), "EEConnectionCounts": (),
                "EIConnectionCounts": (), "TE": (ne, 1), "TI": (ni, 1), "WEE": (ne, ne),
                "WEI": (ni, ne), "WIE": (ne, ni)}
    assert list(sims) == list(CALLBACKS)
    for name, shape in per_step.items():
        assert len(sims[name]) == steps, name
        assert np.shape(sims[name][steps - 1]) == shape, name
    np.testing.assert_array_equal(sims["TE"][-1], state["Te"])
    np.testing.assert_array_equal(sims["TI"][3], state["Ti"])
    np.testing.assert_array_equal(sims["WEI"][-1], state["Wei"])
    np.testing.assert_array_equal(sims["WIE"][0], state["Wie"])
    np.testing.assert_array_equal(sims["InhibitoryActivation"][-1], state["Y"][:, 1])
    assert sims["EIConnectionCounts"][0] == np.count_nonzero(state["Wei"])
    # The recurrent activation leaves out the external input, so it is never more active.
    assert np.isin(sims["RecurrentActivation"], (0.0, 1.0)).all()


def test_no_callbacks_gives_an_empty_sim_dict():
    _, sims = fresh(5)
    assert sims == {}


def test_orientation_on_a_hand_built_network():
    """E0 -> E1 and E0 -> I0 -> E2, written in sorn 0.7.4's pre x post orientation."""
    ne, ni = 10, 2
    state = {"Wee": np.zeros((ne, ne)), "Wei": np.zeros((ni, ne)), "Wie": np.zeros((ne, ni)),
             "Te": np.full((ne, 1), 0.5), "Ti": np.full((ni, 1), 0.5),
             "X": np.zeros((ne, 2)), "Y": np.zeros((ni, 2))}
    state["Wee"][0, 1] = 1.0     # pre E0 -> post E1
    state["Wie"][0, 0] = 1.0     # pre E0 -> post I0
    state["Wei"][0, 2] = 1.0     # pre I0 -> post E2
    state["X"][0, 1] = 1.0       # E0 active now
    inputs = np.zeros((10, 2))
    inputs[2] = 0.6              # E2 driven above its threshold by the input alone
    out, sims = Trainer.run(inputs=inputs, state=state, noise=False, timesteps=2,
                            callbacks=["ExcitatoryActivation", "InhibitoryActivation",
                                       "RecurrentActivation"])
    exc, inh = sims["ExcitatoryActivation"], sims["InhibitoryActivation"]
    np.testing.assert_array_equal(np.flatnonzero(exc[0]), [1, 2])   # E1 from E0, E2 from input
    np.testing.assert_array_equal(np.flatnonzero(inh[0]), [0])      # I0 sees x(t): E0
    np.testing.assert_array_equal(np.flatnonzero(exc[1]), [])       # I0 now silences E2
    np.testing.assert_array_equal(np.flatnonzero(sims["RecurrentActivation"][0, :, 0]), [1])
    np.testing.assert_array_equal(out["X"][:, 0], exc[0])
    np.testing.assert_array_equal(out["X"][:, 1], exc[1])
    np.testing.assert_array_equal(out["Wee"], state["Wee"])


def legacy_equations_step(s: dict, u: np.ndarray, hp: dict) -> tuple[dict, np.ndarray]:
    """One step of sorn 0.7.4's equations, written here in its own pre x post orientation
    (noise off, no structural plasticity). Returns the new state and the recurrent activation."""
    wee, wei, wie = s["Wee"].copy(), s["Wei"].copy(), s["Wie"].copy()
    x, y, te, ti = s["X"][:, 1], s["Y"][:, 1], s["Te"][:, 0].copy(), s["Ti"][:, 0]
    recurrent = wee.T @ x - wei.T @ y - te
    x_new = (recurrent + u > 0).astype(float)
    y_new = (wie.T @ x - ti > 0).astype(float)          # inhibition sees x(t)
    te = np.clip(te + hp["eta_ip"] * (x_new - 2 * hp["nu"] / len(x)), 0.0, 1.0)
    exists = wee != 0
    wee[exists] += (hp["eta_stdp"] * (np.outer(x, x_new) - np.outer(x_new, x)))[exists]
    wee = np.clip(wee, 0.0, 1.0)
    exists = wei != 0
    wei[exists] += (-hp["eta_inhib"] * np.outer(y, 1 - x_new * (1 + 1 / hp["mu_ip"])))[exists]
    wei = np.clip(wei, 0.0, 1.0)
    wee, wei = wee / wee.sum(axis=0), wei / wei.sum(axis=0)
    state = {"Wee": wee, "Wei": wei, "Wie": wie, "Te": te[:, None], "Ti": s["Ti"],
             "X": np.column_stack([x, x_new]), "Y": np.column_stack([y, y_new])}
    return state, (recurrent > 0).astype(float)


def test_plasticity_follows_the_legacy_equations_in_the_legacy_orientation():
    hp = dict(nu=3, eta_stdp=0.004, eta_inhib=0.001, eta_ip=0.01, mu_ip=0.1)
    start, _ = fresh(5, ne=30, nu=3, lambda_ee=6, network_type_ei="Dense")
    rng = np.random.default_rng(1)
    # Inhibitory weights well above iSTDP's floor (sorn 0.7.4 prunes at 0, we floor at
    # 0.001), so that both rules agree over this run.
    wei = np.where(start["Wei"] > 0, rng.uniform(0.5, 1.0, start["Wei"].shape), 0.0)
    start["Wei"] = wei / wei.sum(axis=0)
    steps = 25
    inputs = rng.random((3, steps)) * 0.6
    np.random.seed(0)
    out, sims = Simulator.run(inputs=inputs, state=start, timesteps=steps, noise=False,
                              freeze=["sp"], callbacks=["ExcitatoryActivation",
                                                        "RecurrentActivation", "TE"], nu=3)
    s = start
    for t in range(steps):
        u = np.zeros(30)
        u[:3] = inputs[:, t]
        s, recurrent = legacy_equations_step(s, u, hp)
        np.testing.assert_array_equal(sims["ExcitatoryActivation"][t], s["X"][:, 1])
        np.testing.assert_array_equal(sims["RecurrentActivation"][t][:, 0], recurrent)
        np.testing.assert_allclose(sims["TE"][t], s["Te"], rtol=0, atol=1e-12)
    assert sims["ExcitatoryActivation"].any()
    for key in ("Wee", "Wei", "Te"):           # every rule was at work
        assert not np.allclose(out[key], start[key]), key
    for key in STATE_KEYS:
        np.testing.assert_allclose(out[key], s[key], rtol=1e-10, atol=1e-12, err_msg=key)


# -- phases and freezing ----------------------------------------------------------------------
FROZEN_KEYS = ("Wee", "Wei", "Wie", "Te", "Ti")


@pytest.mark.parametrize("runner", [Simulator, Trainer])
def test_training_phase_freezes_everything(runner):
    start, _ = fresh(20)
    np.random.seed(1)
    out, _ = runner.run(inputs=np.random.rand(5, 100), phase="training", state=start,
                        timesteps=100, nu=5)
    for key in FROZEN_KEYS:
        np.testing.assert_array_equal(out[key], start[key], err_msg=key)
    assert not np.array_equal(out["X"], start["X"])   # the network still ran


def _run_frozen(start: dict, freeze: list[str], steps: int = 150) -> dict:
    np.random.seed(2)
    out, _ = Simulator.run(inputs=np.random.rand(5, steps), state=start, timesteps=steps,
                           freeze=freeze, nu=5)
    return out


ALL = ["stdp", "ip", "sp", "istdp", "ss"]


def test_freeze_each_mechanism():
    start, _ = fresh(20)
    wee0, nz0 = start["Wee"], start["Wee"] > 0

    # ip alone changes the thresholds and nothing else; frozen ip keeps them.
    out = _run_frozen(start, [m for m in ALL if m != "ip"])
    assert not np.array_equal(out["Te"], start["Te"])
    for key in ("Wee", "Wei"):
        np.testing.assert_array_equal(out[key], start[key])
    np.testing.assert_array_equal(_run_frozen(start, ["ip"])["Te"], start["Te"])

    # stdp alone changes existing E->E weights, creates none, and (without ss) leaves the
    # columns unnormalised; frozen stdp and sp (ss on) leave W^EE as it was.
    out = _run_frozen(start, [m for m in ALL if m != "stdp"])
    assert not np.allclose(out["Wee"], wee0)
    assert not (out["Wee"] > 0)[~nz0].any()
    assert not np.allclose(out["Wee"].sum(axis=0)[out["Wee"].sum(axis=0) > 0], 1.0)
    np.testing.assert_allclose(_run_frozen(start, ["stdp", "sp"])["Wee"], wee0, atol=1e-12)

    # sp alone only adds synapses (weight 0.001); frozen sp never adds one.
    out = _run_frozen(start, [m for m in ALL if m != "sp"])
    new = (out["Wee"] > 0) & ~nz0
    assert new.any() and np.allclose(out["Wee"][new], 0.001)
    np.testing.assert_array_equal(out["Wee"][nz0], wee0[nz0])
    out = _run_frozen(start, ["sp"])
    assert not ((out["Wee"] > 0) & ~nz0).any()

    # istdp alone changes W^EI; frozen istdp leaves it (ss only rescales sums of 1).
    out = _run_frozen(start, [m for m in ALL if m != "istdp"])
    assert not np.allclose(out["Wei"], start["Wei"])
    np.testing.assert_allclose(_run_frozen(start, ["istdp"])["Wei"], start["Wei"], atol=1e-12)

    # ss normalises incoming weights (columns); frozen ss does not.
    cols = _run_frozen(start, [])["Wee"].sum(axis=0)
    np.testing.assert_allclose(cols[cols > 0], 1.0, atol=1e-12)
    cols = _run_frozen(start, ["ss"])["Wee"].sum(axis=0)
    assert not np.allclose(cols[cols > 0], 1.0)


# -- reproducibility and isolation ------------------------------------------------------------
def test_np_random_seed_makes_runs_repeat():
    a_state, a_sims = fresh(40, seed=5, callbacks=["ExcitatoryActivation", "TE"])
    b_state, b_sims = fresh(40, seed=5, callbacks=["ExcitatoryActivation", "TE"])
    c_state, _ = fresh(40, seed=6)
    for key in STATE_KEYS:
        np.testing.assert_array_equal(a_state[key], b_state[key])
    for name in a_sims:
        np.testing.assert_array_equal(a_sims[name], b_sims[name])
    assert not np.array_equal(a_state["Wee"], c_state["Wee"])


def _chain(start: dict, phase: str, fresh_runner: bool, calls: int = 30) -> list[dict]:
    inputs = np.random.default_rng(0).random((5, calls))
    np.random.seed(9)
    out, s = [], start
    for t in range(calls):
        runner = LegacyTrainer() if fresh_runner else Trainer
        s, sims = runner.run(inputs=inputs[:, t:t + 1], phase=phase, state=s, timesteps=1, nu=5,
                             callbacks=["ExcitatoryActivation"])
        out.append({**s, "spikes": sims["ExcitatoryActivation"]})
    return out


def test_continuing_equals_reloading():
    """Feeding back the returned state (the runner continues its network) gives what a brand-new
    runner loading that state gives: bit for bit when frozen; with plasticity the spikes agree
    and the weights up to rounding (a reload renormalises every row once)."""
    start, _ = fresh(20)
    for a, b in zip(_chain(start, "training", False), _chain(start, "training", True),
                    strict=True):
        for key in a:
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    for a, b in zip(_chain(start, "plasticity", False), _chain(start, "plasticity", True),
                    strict=True):
        for key in ("spikes", "X", "Y", "Ti", "Wie"):
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
        for key in ("Wee", "Wei", "Te"):
            np.testing.assert_allclose(a[key], b[key], rtol=1e-12, atol=1e-15, err_msg=key)


def test_no_parameter_leaks_between_calls():
    fresh(5, ne=30, nu=3, lambda_ee=5, eta_stdp=0.5)
    state, _ = Simulator.run(inputs=np.zeros((10, 2)), timesteps=2)
    assert state["Wee"].shape == (200, 200)     # back to the defaults
    state, _ = Simulator.run(timesteps=3, ne=20, nu=2, lambda_ee=5, lambda_ei=10)
    assert state["Wee"].shape == (20, 20) and state["Wei"].shape == (4, 20)


def test_returned_arrays_belong_to_the_caller():
    start, _ = fresh(10)
    np.random.seed(3)
    a, _ = Trainer.run(inputs=np.ones((5, 1)), phase="plasticity", state=start, timesteps=1,
                       nu=5)
    a_copy = {k: v.copy() for k, v in a.items()}
    np.random.seed(4)
    Trainer.run(inputs=np.ones((5, 1)), phase="plasticity", state=a, timesteps=1, nu=5)
    for key in STATE_KEYS:                        # the next call did not write into them
        np.testing.assert_array_equal(a[key], a_copy[key])
    a["Te"][:] = 1.0                              # the user's edit is what runs next
    a["Wee"][:, 0] = 0.0
    out, _ = Trainer.run(inputs=np.zeros((5, 1)), state=a, timesteps=1, nu=5)
    np.testing.assert_array_equal(out["Te"], 1.0)
    assert not out["Wee"][:, 0].any()


def test_nothing_written_and_no_logging_configured_at_import_or_run(tmp_path):
    code = textwrap.dedent("""
        import logging, os
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        import numpy as np
        import sorn_studio.compat
        from sorn_studio import Simulator, Trainer
        s, _ = Simulator.run(inputs=np.random.rand(10, 5), timesteps=5,
                             callbacks=["ExcitatoryActivation"])
        Trainer.run(inputs=np.random.rand(10, 1), state=s, timesteps=1)
        assert root.handlers == handlers and root.level == level, root.handlers
        assert os.listdir(".") == [], os.listdir(".")
    """)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and "Network" not in done.stderr


def test_nothing_written_in_process(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    handlers = list(logging.getLogger().handlers)
    fresh(5, callbacks=["ExcitatoryActivation", "TE"])
    assert list(tmp_path.iterdir()) == []
    assert logging.getLogger().handlers == handlers


def _peak_bytes(steps: int, callbacks: list[str]) -> int:
    inputs = np.random.rand(10, steps)
    tracemalloc.start()
    try:
        Simulator.run(inputs=inputs, timesteps=steps, callbacks=callbacks)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_grows_only_for_matrix_callbacks():
    """Per step, activations and counts cost a few kB; only WEE costs a matrix per step."""
    cheap = ["ExcitatoryActivation", "InhibitoryActivation", "RecurrentActivation",
             "EEConnectionCounts", "EIConnectionCounts", "TI", "WIE"]
    Simulator.run(inputs=np.random.rand(10, 5), timesteps=5)   # warm up caches and kernels
    per_step = (_peak_bytes(3000, cheap) - _peak_bytes(1000, cheap)) / 2000
    one_matrix = 200 * 200 * 8          # what sorn 0.7.4 keeps per step for W^EE alone
    # Three float activation rows (480 values) are about 4 kB a step.
    assert per_step < 8_000, per_step
    per_step_wee = (_peak_bytes(60, ["WEE"]) - _peak_bytes(20, ["WEE"])) / 40
    assert 0.9 * one_matrix < per_step_wee < 1.5 * one_matrix, per_step_wee


# -- errors -----------------------------------------------------------------------------------
def _state(**override):
    state, _ = fresh(3)
    state.update(override)
    return state


@pytest.mark.parametrize("kwargs, exc, words", [
    (dict(inputs=np.zeros((4, 5)), timesteps=5), ValueError, ["'inputs'", "(5, 5)"]),
    (dict(inputs=np.zeros(5), timesteps=1), ValueError, ["'inputs'", "(nu, timesteps)"]),
    (dict(inputs=np.zeros((5, 3)), timesteps=5), ValueError, ["'inputs'"]),
    (dict(inputs=np.full((5, 2), np.nan), timesteps=2), ValueError, ["'inputs'", "finite"]),
    (dict(inputs=np.full((5, 2), np.inf), timesteps=2), ValueError, ["'inputs'", "finite"]),
    (dict(inputs=np.array([["a"] * 2] * 5), timesteps=2), TypeError, ["'inputs'"]),
    (dict(timesteps=0), ValueError, ["'timesteps'"]),
    (dict(timesteps=-3), ValueError, ["'timesteps'"]),
    (dict(timesteps=2.5), ValueError, ["'timesteps'"]),
    (dict(), ValueError, ["'timesteps'"]),
    (dict(timesteps=2, ne=0), ValueError, ["'ne'"]),
    (dict(timesteps=2, ne=-10), ValueError, ["'ne'"]),
    (dict(timesteps=2, ne=4), ValueError, ["'ne'"]),
    (dict(timesteps=2, ne=50.0), TypeError, ["'ne'"]),
    (dict(timesteps=2, nu=0), ValueError, ["'nu'"]),
    (dict(timesteps=2, ne=50, nu=60), ValueError, ["'nu'", "ne = 50"]),
    (dict(timesteps=2, ne=50, lambda_ee=80), ValueError, ["'lambda_ee'"]),
    (dict(timesteps=2, lambda_ei=-1), ValueError, ["'lambda_ei'"]),
    (dict(timesteps=2, eta_stdp=float("nan")), ValueError, ["'eta_stdp'"]),
    (dict(timesteps=2, eta_ip=2.0), ValueError, ["'eta_ip'"]),
    (dict(timesteps=2, te_min=0.8, te_max=0.2), ValueError, ["'te_min'", "'te_max'"]),
    (dict(timesteps=2, mu_ip=0.0), ValueError, ["'mu_ip'"]),
    (dict(timesteps=2, sigma_ip=0.05), ValueError, ["'sigma_ip'"]),
    (dict(timesteps=2, network_type_ee="sparse"), ValueError, ["'network_type_ee'", "Sparse"]),
    (dict(timesteps=2, eta_inh=0.1), ValueError, ["'eta_inh'", "eta_inhib", "lambda_ee"]),
    (dict(timesteps=2, seed=1), ValueError, ["'seed'", "valid names"]),
    (dict(timesteps=2, callbacks=["ExcitatoryActivations"]), ValueError,
     ["'ExcitatoryActivations'", "ExcitatoryActivation", "WIE"]),
    (dict(timesteps=2, callbacks="WEE"), TypeError, ["'callbacks'"]),
    (dict(timesteps=2, freeze=["STDP"]), ValueError, ["'STDP'", "stdp", "ss"]),
    (dict(timesteps=2, phase="train"), ValueError, ["'phase'", "plasticity", "training"]),
    (dict(timesteps=2, noise="yes"), TypeError, ["'noise'"]),
])
def test_bad_arguments_name_the_argument(kwargs, exc, words):
    kwargs = {"nu": 5, **kwargs} if "nu" not in kwargs else kwargs
    with pytest.raises(exc) as info:
        Simulator.run(**kwargs)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


@pytest.mark.parametrize("change, exc, words", [
    (lambda s: s.pop("Wee"), ValueError, ["'Wee'", "lacks"]),
    (lambda s: s.pop("Y"), ValueError, ["'Y'", "lacks"]),
    (lambda s: s.update(Wee=s["Wee"][:, :-1]), ValueError, ["'Wee'", "(ne, ne)"]),
    (lambda s: s.update(Wei=s["Wei"].T), ValueError, ["'Wei'", "(ni, ne)"]),
    (lambda s: s.update(Wie=s["Wie"].T), ValueError, ["'Wie'", "(50, 10)"]),
    (lambda s: s.update(Te=np.zeros((49, 1))), ValueError, ["'Te'", "(50, 1)"]),
    (lambda s: s.update(X=np.zeros(50)), ValueError, ["'X'", "(50, 2)"]),
    (lambda s: s["Wee"].__setitem__((0, 1), np.nan), ValueError, ["'Wee'", "NaN"]),
    (lambda s: s["Wei"].__setitem__((0, 1), -0.5), ValueError, ["'Wei'", "negative"]),
    (lambda s: s["Wee"].__setitem__((3, 3), 0.5), ValueError, ["'Wee'", "self-connections"]),
    (lambda s: s["X"].__setitem__((3, 1), 0.5), ValueError, ["'X'", "0 and 1"]),
    (lambda s: s.update(Te="hot"), TypeError, ["'Te'"]),
])
def test_bad_state_names_the_key(change, exc, words):
    state = _state()
    change(state)
    with pytest.raises(exc) as info:
        Trainer.run(inputs=np.zeros((5, 1)), state=state, timesteps=1, nu=5)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_state_of_the_wrong_kind():
    with pytest.raises(TypeError, match="'state'"):
        Trainer.run(inputs=np.zeros((10, 1)), state=[1, 2], timesteps=1)


def test_an_error_leaves_the_runner_usable():
    runner = LegacySimulator()
    start, _ = fresh(5)
    with pytest.raises(ValueError):
        runner.run(inputs=np.zeros((5, 1)), state=_state(Ti=np.zeros((10, 3))), timesteps=1,
                   nu=5)
    out, _ = runner.run(inputs=np.zeros((5, 2)), state=start, timesteps=2, nu=5)
    check_state_shapes(out, 50, 10)


# -- sorn 0.7.4's reinforcement-learning loop ------------------------------------------------
def test_two_thousand_one_step_calls():
    np.random.seed(11)
    state, _ = Simulator.run(inputs=np.random.rand(10, 50), timesteps=50)
    signatures = len(run_chunk.signatures)
    # Arrays in Fortran order (loaded, because Te was edited) must not make the compiled
    # kernel specialise again.
    state = {k: np.asfortranarray(v) for k, v in state.items()}
    state["Te"][0] = 0.5
    counts = []
    for t in range(2000):
        previous = state
        state, sims = Trainer.run(inputs=np.random.rand(10, 1), phase="plasticity",
                                  state=state, noise=True, timesteps=1,
                                  callbacks=["ExcitatoryActivation", "EEConnectionCounts"])
        # Continuity: x(t-1) of this call is x(t) of the last, counts start where it ended.
        np.testing.assert_array_equal(state["X"][:, 0], previous["X"][:, 1])
        assert sims["EEConnectionCounts"][0] == np.count_nonzero(previous["Wee"])
        np.testing.assert_array_equal(sims["ExcitatoryActivation"][0], state["X"][:, 1])
        counts.append(sims["EEConnectionCounts"][0])
        if t == 1000:
            state["Te"][:] = 1.0      # a user's edit mid-loop takes effect
            state["X"][:, 1] = 0.0
    assert len(run_chunk.signatures) == signatures
    check_state_shapes(state, 200, 40)
    assert (state["Te"] >= 0).all() and (state["Te"] <= 1).all()
    assert len(set(counts)) > 1          # structural plasticity and pruning were at work


def test_defaults_of_the_two_runners():
    start, _ = fresh(5)
    np.random.seed(0)
    out, _ = Trainer.run(inputs=np.random.rand(5, 20), state=start, timesteps=20, nu=5)
    np.testing.assert_array_equal(out["Wee"], start["Wee"])     # Trainer: training phase
    np.random.seed(0)
    out, _ = Simulator.run(inputs=np.random.rand(5, 20), state=start, timesteps=20, nu=5)
    assert not np.array_equal(out["Wee"], start["Wee"])         # Simulator: plasticity
    assert compat.LEGACY_DEFAULTS["ne"] == 200 and compat.LEGACY_DEFAULTS["eta_stdp"] == 0.004


def test_inputs_none_and_extra_columns():
    np.random.seed(0)
    a, _ = Simulator.run(timesteps=4, **SMALL)
    np.random.seed(0)
    b, _ = Simulator.run(inputs=np.zeros((5, 4)), timesteps=4, **SMALL)
    np.random.seed(0)
    c, _ = Simulator.run(inputs=np.zeros((5, 9)), timesteps=4, **SMALL)
    np.random.seed(0)
    d, _ = Simulator.run(inputs=np.zeros((5, 4)), **SMALL)       # timesteps from inputs
    for key in STATE_KEYS:
        np.testing.assert_array_equal(a[key], b[key])
        np.testing.assert_array_equal(a[key], c[key])
        np.testing.assert_array_equal(a[key], d[key])


def test_a_loop_reuses_one_simulation_and_reloads_only_changed_states(monkeypatch):
    state, _ = fresh(5)
    built, loads = [], []
    real_init, real_restore = Simulation.__init__, Simulation.restore

    def counting_init(self, *args, **kwargs):
        built.append(1)
        real_init(self, *args, **kwargs)

    def counting_restore(self, snapshot):
        # A reloaded network comes without the kernel's synapse order (rebuilt from w_ee);
        # a continued one keeps it.
        if not snapshot.kernel_order:
            loads.append(1)
        real_restore(self, snapshot)

    monkeypatch.setattr(Simulation, "__init__", counting_init)
    monkeypatch.setattr(Simulation, "restore", counting_restore)
    runner = LegacyTrainer()
    for _ in range(50):
        state, _ = runner.run(inputs=np.ones((5, 1)), phase="plasticity", state=state,
                              timesteps=1, nu=5)
    assert (len(built), len(loads)) == (1, 1)
    state = {k: v.copy() for k, v in state.items()}       # equal copies still continue
    state, _ = runner.run(inputs=np.ones((5, 1)), phase="plasticity", state=state, timesteps=1,
                          nu=5)
    assert (len(built), len(loads)) == (1, 1)
    state["Wei"][0, 0] += 0.25                            # any edit means a reload
    runner.run(inputs=np.ones((5, 1)), phase="plasticity", state=state, timesteps=1, nu=5)
    assert (len(built), len(loads)) == (1, 2)
    state["X"][0, 0] = 0.5                                # and is validated like any state
    with pytest.raises(ValueError, match="'X'"):
        runner.run(inputs=np.ones((5, 1)), phase="plasticity", state=state, timesteps=1, nu=5)


def test_default_network_matches_the_legacy_connection_counts():
    """sorn 0.7.4's README reports Wee 3909, Wei 1574, Wie 8000 connections for its defaults."""
    np.random.seed(0)
    state, _ = Simulator.run(timesteps=1, phase="training")
    assert 3700 <= np.count_nonzero(state["Wee"]) <= 4100      # int(N(20, 1)) per unit
    assert 1400 <= np.count_nonzero(state["Wei"]) <= 1800      # each synapse with p = 40/200
    assert np.count_nonzero(state["Wie"]) == 8000             # dense
    assert ((state["Te"] >= 0) & (state["Te"] <= 1)).all()
    assert ((state["Ti"] >= 0) & (state["Ti"] <= 0.5)).all()


def test_network_types():
    np.random.seed(0)
    state, _ = Simulator.run(timesteps=1, phase="training", ne=50, nu=5, lambda_ie=30,
                             network_type_ee="Dense", network_type_ei="Dense",
                             network_type_ie="Sparse")
    assert (np.count_nonzero(state["Wee"], axis=0) == 49).all()
    assert np.count_nonzero(state["Wei"]) == 10 * 50
    per_i = np.count_nonzero(state["Wie"], axis=0)               # inputs of each I unit
    assert 25 <= per_i.mean() <= 31 and per_i.max() < 50


def test_legacy_defaults_are_read_only_and_state_size_is_checked():
    with pytest.raises(TypeError):
        compat.LEGACY_DEFAULTS["ne"] = 10
    tiny = {"Wee": np.zeros((3, 3)), "Wei": np.zeros((1, 3)), "Wie": np.zeros((3, 1)),
            "Te": np.zeros((3, 1)), "Ti": np.zeros((1, 1)), "X": np.zeros((3, 2)),
            "Y": np.zeros((1, 2))}
    with pytest.raises(ValueError, match="state 'Wee' has 3 excitatory units"):
        Trainer.run(timesteps=1, state=tiny, nu=1)


def test_matrix_callbacks_that_cannot_fit_are_refused_up_front(monkeypatch):
    monkeypatch.setattr(simulate, "available_bytes", lambda: 10**8)
    with pytest.raises(MemoryError, match="'WEE'.*2000 steps need 0.6 GB"):
        Simulator.run(timesteps=2000, callbacks=["WEE"], phase="training")
    state, sims = Simulator.run(timesteps=5, callbacks=["WEE"], phase="training")
    assert sims["WEE"].shape == (5, 200, 200)


def test_concurrent_calls_from_two_threads():
    import threading

    start, _ = fresh(5)
    errors: list[BaseException] = []

    def loop():
        try:
            s = start
            for _ in range(30):
                s, _ = Trainer.run(inputs=np.ones((5, 1)), phase="plasticity", state=s,
                                   timesteps=1, nu=5)
            check_state_shapes(s, 50, 10)
        except BaseException as exc:   # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=loop) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


@pytest.mark.parametrize("bad", [True, [0.1], np.array([0.1])])
def test_remembered_checks_still_reject_wrong_kinds(bad):
    fresh(2, eta_stdp=1)                   # a valid value that equals True
    with pytest.raises(TypeError, match="'eta_stdp'"):
        fresh(2, eta_stdp=bad)
