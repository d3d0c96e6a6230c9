"""A session keeps the studio's whole-run history: optional, small, checked like the rest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sorn_studio import load_preset
from sorn_studio.session import (
    SessionError,
    load_session,
    read_session,
    save_session,
    saved_history,
    simulation_of,
)
from sorn_studio.session.schema import HISTORY_KEYS, MAX_HISTORY_POINTS, size_limit
from sorn_studio.studio.defaults import make_simulation
from sorn_studio.studio.history import TRACES, History

DATA = Path(__file__).with_name("data")


def small_run(steps: int = 1500):
    params = load_preset("zheng2013", ne=40, ni=8, lambda_ee=8, lambda_ei=4, lambda_ie=40)
    sim = make_simulation(params, seed=2, window=500)
    history = History(64, len(sim.recording.neurons))
    for _ in range(steps // 250):
        history.take(sim, sim.run(250))
    sim.apply_params(eta_stdp=0.01)
    history.take(sim, sim.run(steps - steps // 250 * 250 + 10))
    return sim, history


def rewrite(path: Path, out: Path, **changes) -> Path:
    """``path`` with items replaced (``None`` drops one)."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    for key, value in changes.items():
        key = key.replace("__", "/")
        if value is None:
            arrays.pop(key)
        else:
            arrays[key] = value
    np.savez(out, **arrays)
    return out


def test_the_history_is_saved_and_read_back(tmp_path):
    sim, history = small_run()
    path = save_session(sim, tmp_path / "s.npz", history=history.points())
    data = read_session(path)
    back = saved_history(data)
    assert set(back) == {"bin", *TRACES}
    for name, values in history.points().items():
        np.testing.assert_array_equal(back[name], values, err_msg=name)
    assert back["step"].dtype == np.int64 and back["step"][0] == 1
    # It covers the whole run although the recording keeps only its last 500 steps.
    assert data.arrays["rec/step"][0] == sim.t - 499
    restored = History(1024, history.k)
    restored.restore(back)
    assert restored.start == 0
    # The simulation is the one load_session builds, change log included.
    loaded, info = simulation_of(data)
    assert loaded.t == sim.t and info.change_log == tuple(sim.change_log)
    again, _ = load_session(path)
    np.testing.assert_array_equal(again.w_ee, loaded.w_ee)


def test_files_without_a_history_still_load(tmp_path):
    sim, _ = small_run()
    for path in (save_session(sim, tmp_path / "plain.npz"),
                 *sorted(DATA.glob("schema1_*.npz"))):
        data = read_session(path)
        assert saved_history(data) is None
        assert not any(key.startswith("history/") for key in data.arrays), path.name


@pytest.mark.parametrize(("changes", "message"), [
    ({"history__n_ee": None}, "misses item(s) 'history/n_ee'"),
    ({"history__step": np.array([1, 5, 3], dtype=np.int64)}, "history/rate_e"),
    ({"history__bin": np.array(0, dtype=np.int64)}, "'history/bin' = 0"),
    ({"history__t_e_mean": np.full(9, np.nan)}, "history/t_e_mean"),
    ({"history__rate_e": np.zeros(9, dtype=np.float32)}, "history/rate_e"),
])
def test_a_damaged_history_is_refused_naming_its_item(tmp_path, changes, message):
    sim, history = small_run(steps=9 * 64)
    points = {name: values[:9] if values.ndim else values
              for name, values in history.points().items()}
    path = save_session(sim, tmp_path / "s.npz", history=points)
    bad = rewrite(path, tmp_path / "bad.npz", **changes)
    with pytest.raises(SessionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_session(bad)


def test_steps_out_of_order_or_beyond_the_run_are_refused(tmp_path):
    sim, history = small_run()
    path = save_session(sim, tmp_path / "s.npz", history=history.points())
    step = history.points()["step"].astype(np.int64)
    for bad_step in (step[::-1].copy(), step + sim.t):
        bad = rewrite(path, tmp_path / "bad.npz", history__step=bad_step)
        with pytest.raises(SessionError, match="'history/step' must number steps"):
            read_session(bad)


def test_the_history_has_a_size_limit(tmp_path):
    # Each item may declare no more than min(steps, MAX_HISTORY_POINTS) points (plus room for
    # its header): a history longer than the run could make is refused unread.
    sim, _ = small_run()
    assert size_limit("history/t_e_neurons", {"H": MAX_HISTORY_POINTS, "k": 3}) < 2**20
    path = save_session(sim, tmp_path / "s.npz")
    huge = 20_000
    points = {name: (np.arange(1, huge + 1) if name == "step" else
                     np.zeros((huge, 3)) if name == "t_e_neurons" else np.zeros(huge))
              for name in TRACES}
    bad = rewrite(path, tmp_path / "bad.npz", history__bin=np.array(1, dtype=np.int64),
                  **{k.replace("/", "__"): points[k.removeprefix("history/")]
                     for k in HISTORY_KEYS if k != "history/bin"})
    with pytest.raises(SessionError, match="declares .* bytes, more than"):
        read_session(bad)


def test_save_refuses_a_history_that_is_not_this_runs(tmp_path):
    sim, history = small_run()
    points = history.points()
    with pytest.raises(ValueError, match="must hold exactly"):
        save_session(sim, tmp_path / "a.npz", history={"step": points["step"]})
    with pytest.raises(ValueError, match="must number steps"):
        save_session(sim, tmp_path / "b.npz", history=points | {"step": points["step"] + 10**6})
    with pytest.raises(ValueError, match="whole numbers"):
        save_session(sim, tmp_path / "c.npz", history=points | {"step": points["step"] + 0.5})
    with pytest.raises(ValueError, match="shape"):
        save_session(sim, tmp_path / "d.npz", history=points | {"n_ee": points["n_ee"][:-1]})
    assert not list(tmp_path.iterdir())
    # An empty history (a run at step 0) writes no history items.
    fresh = make_simulation(sim.params, seed=1, window=500)
    path = save_session(fresh, tmp_path / "e.npz", history=History(64, 3).points())
    assert saved_history(read_session(path)) is None
