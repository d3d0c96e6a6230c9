"""Sessions written before the restructure of issue 11 still load, continue and replay.

The files in ``tests/session/data/`` were written by the code of commit 135ebd9 (schema 1) with
``tests/session/data/make_schema1_fixtures.py``: for each run, a session at step k and the same run,
uninterrupted, at step k + m. Loading the first and running m steps must give the second bit
for bit, and both must replay.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sorn_studio.session import load_session, read_session, replay_session

DATA = Path(__file__).parent / "data"
CASES = [("schema1_zheng2013_step1500.npz", "schema1_zheng2013_step2500.npz"),
         ("schema1_raw_step400.npz", "schema1_raw_step900.npz")]


@pytest.mark.parametrize(("early", "late"), CASES)
def test_an_old_session_continues_bit_for_bit(early, late):
    sim, info = load_session(DATA / early)
    assert info.schema_version == 1
    target = read_session(DATA / late)
    sim.run(target.info.steps - sim.t)
    arrays = target.arrays
    assert sim.t == target.info.steps
    assert sim.params == target.info.params
    assert list(sim.change_log) == list(target.info.change_log)
    for name in ("x", "y", "t_e", "t_i", "h_ip", "w_ee", "w_ei", "w_ie"):
        assert np.array_equal(getattr(sim.state, name), arrays[f"state/{name}"]), name
    for name, data in sim.recorder.series().items():
        assert np.array_equal(data, arrays[f"rec/{name}"]), name
    assert np.array_equal(sim.input.position, arrays["input/position"])


@pytest.mark.parametrize("name", [name for case in CASES for name in case])
def test_an_old_session_replays(name):
    result = replay_session(DATA / name)
    assert result.matched, result.message


def test_the_old_session_keeps_its_log_and_pending_change():
    info = read_session(DATA / CASES[0][0]).info
    assert [(c.step, c.name) for c in info.change_log] == [
        (700, "eta_stdp"), (1000, "stdp"), (1000, "mu_ip")]
    assert info.pending == {"eta_ip": 0.02}
    assert info.preset == "zheng2013" and info.seed == 3
