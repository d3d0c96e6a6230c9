"""``Simulation.snapshot()`` / ``restore()``: the one way to set a simulation's state."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from sorn_studio import RecordingSpec, Simulation, load_preset
from sorn_studio.engine import Snapshot, SnapshotError
from sorn_studio.engine.follow import LogMismatch, follow_change_log
from sorn_studio.engine.streams import RandomStreams

SMALL = dict(ne=30, ni=6, lambda_ee=5, lambda_ei=2, lambda_ie=30)


def counting_sim(backend: str = "numba") -> Simulation:
    params = load_preset("lazar2009", ne=30, ni=6, lambda_ee=5, lambda_ei=6, lambda_ie=30, n_u=3)
    return Simulation(params, seed=4, backend=backend, recording=RecordingSpec(window=50))


def same_run(a: Simulation, b: Simulation) -> None:
    assert a.t == b.t and a.seed == b.seed
    assert a.state.equals(b.state)
    assert a.rng_state == b.rng_state
    assert a.params == b.params and a.change_log == b.change_log
    assert np.array_equal(a.input.position, b.input.position)


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_a_restored_simulation_continues_exactly(backend):
    whole = counting_sim(backend)
    steps = 300 if backend == "numba" else 60
    whole.run(steps)
    whole.apply_params(eta_stdp=0.01, sp=False)
    whole.run(steps)
    whole.apply_params(eta_ip=0.02)   # still pending when the snapshot is taken
    snap = whole.snapshot()
    copy = Simulation.from_snapshot(snap, recording=whole.recording)
    assert copy.backend == backend and copy.pending_changes == {"eta_ip": 0.02}
    assert copy.recorder.total_steps == whole.t and len(copy.recorder.steps()) == 0
    same_run(whole, copy)
    whole.run(steps)
    copy.run(steps)
    same_run(whole, copy)
    assert np.array_equal(whole.recorder.spikes_e(), copy.recorder.spikes_e())
    assert np.array_equal(whole.recorder.steps(), copy.recorder.steps())


def test_a_snapshot_is_plain_data_and_independent_of_the_simulation():
    sim = counting_sim()
    sim.run(100)
    snap = sim.snapshot()
    before = {k: v.copy() for k, v in snap.state.items()}
    sim.run(100)
    for name, arr in before.items():
        assert np.array_equal(snap.state[name], arr), name
    json.dumps([snap.params, snap.initial_params, snap.change_log, snap.pending, snap.rng,
                snap.initial_rng])
    assert all(isinstance(v, np.ndarray) for v in (*snap.state.values(),
                                                   *snap.kernel_order.values()))


def test_restore_takes_another_simulation_back_in_time():
    sim = counting_sim()
    sim.run(200)
    checkpoint = sim.snapshot()
    sim.run(150)
    later = sim.snapshot()
    sim.restore(checkpoint)
    assert sim.t == 200
    sim.run(150)
    again = sim.snapshot()
    for name in later.state:
        assert np.array_equal(later.state[name], again.state[name]), name
    assert later.rng == again.rng


def test_restart_keeps_the_network_and_starts_a_run_with_a_new_generator():
    sim = counting_sim()
    sim.run(200)
    twin = Simulation.from_snapshot(sim.snapshot())
    fresh = RandomStreams.fresh(11, np.random.default_rng(11)).state()
    twin.restore(dataclasses.replace(twin.snapshot(), rng=fresh))
    sim.restart(11)
    assert sim.t == 0 and sim.seed == 11 and sim.change_log == []
    assert sim.initial_state.equals(sim.state) and sim.initial_params == sim.params
    sim.run(100)
    twin.run(100)
    assert sim.state.equals(twin.state)


def broken(snap: Snapshot, **changes) -> Snapshot:
    return dataclasses.replace(snap, **changes)


@pytest.mark.parametrize(("change", "fragment"), [
    (lambda s: {"state": {**s.state, "w_ei": np.full_like(s.state["w_ei"], np.nan)}},
     "'state/w_ei' holds NaN or inf"),
    (lambda s: {"initial_state": {**s.initial_state, "w_ee": np.eye(30)}},
     "'initial/w_ee' has self-connections"),
    (lambda s: {"state": {k: v for k, v in s.state.items() if k != "t_i"}},
     "'state/t_i' is missing"),
    (lambda s: {"rng": {"bit_generator": "PCG64", "state": 3}}, "'rng/current' is not a valid"),
    (lambda s: {"input_position": np.array([0, 99])}, "'input/position' = [0, 99]"),
    (lambda s: {"input_pools": s.input_pools + 100}, "'input/pools'"),
    (lambda s: {"kernel_order": {**s.kernel_order, "ee_in": s.kernel_order["ee_in"][::-1]}},
     "'engine/ee_in' does not list the synapses"),
    (lambda s: {"params": {**s.params, "ne": 31}}, "structural parameter(s) ['ne']"),
    (lambda s: {"params": {**s.params, "bogus": 1}}, "unknown parameter(s) 'bogus'"),
    (lambda s: {"change_log": ((50, "eta_ip", 0.01, 0.02), (10, "eta_ip", 0.02, 0.03))},
     "not a valid change log"),
    (lambda s: {"change_log": ((5, "ne", 30, 40),)}, "not a valid change log"),
    (lambda s: {"pending": {"ne": 40}}, "cannot change during a run"),
    (lambda s: {"step": -1}, "'step' = -1"),
])
def test_an_invalid_snapshot_is_refused_and_nothing_changes(change, fragment):
    sim = counting_sim()
    sim.run(120)
    sim.apply_params(eta_ip=0.02)
    sim.run(1)
    snap = sim.snapshot()
    before = sim.snapshot()
    with pytest.raises(ValueError) as err:
        sim.restore(broken(snap, **change(snap)))
    assert fragment in str(err.value), str(err.value)
    after = sim.snapshot()
    assert after.step == before.step and after.rng == before.rng
    for name in before.state:
        assert np.array_equal(before.state[name], after.state[name])


def test_a_kernel_order_that_borrows_across_rows_is_refused():
    # Row r, unit j + ne has the same key r * ne + j + ne as row r + 1, unit j: a check of the
    # keys alone would accept this order and the kernel would index outside the matrices.
    sim = counting_sim()
    w_ee = sim.w_ee.copy()
    shared = np.flatnonzero((w_ee[0] > 0) & (w_ee[1] > 0))
    if not shared.size:   # make unit j an input of rows 0 and 1
        w_ee[0, 5] = w_ee[1, 5] = 0.1
        sim.load_state(dataclasses.replace(sim.state, w_ee=w_ee))
        shared = np.array([5])
    j = int(shared[0])
    snap = sim.snapshot()
    order = snap.kernel_order["ee_in"].copy()
    n_row0 = int((w_ee[0] > 0).sum())
    in_row0 = int(np.flatnonzero(order[:n_row0] == j)[0])
    in_row1 = n_row0 + int(np.flatnonzero(order[n_row0:] == j)[0])
    order[in_row0] += 30
    order[in_row1] -= 30
    keys = np.repeat(np.arange(30), (w_ee > 0).sum(axis=1)) * 30
    assert np.array_equal(np.sort(keys + order), np.sort(keys + snap.kernel_order["ee_in"]))
    with pytest.raises(SnapshotError, match="'engine/ee_in' does not list the synapses"):
        sim.restore(broken(snap, kernel_order={**snap.kernel_order, "ee_in": order}))


def test_snapshot_errors_name_the_part():
    sim = counting_sim()
    snap = sim.snapshot()
    with pytest.raises(SnapshotError) as err:
        sim.restore(broken(snap, input_position=np.array([1.5, 0.0])))
    assert err.value.part == "input/position"


def test_raw_input_travels_with_the_snapshot():
    params = load_preset("sorn-0.7.4", **SMALL, nu=4)
    raw = np.random.default_rng(1).random((4, 300))
    sim = Simulation(params, seed=2, raw_input=raw)
    sim.run(120)
    snap = sim.snapshot()
    assert snap.raw_complete and snap.raw_cursor == 120
    copy = Simulation.from_snapshot(snap)
    sim.run(180)
    copy.run(180)
    same_run(sim, copy)
    with pytest.raises(SnapshotError, match="cursor 301 is outside the 300 raw columns"):
        copy.restore(broken(snap, raw_cursor=301))


def test_following_a_change_log_from_a_snapshot_gives_the_run_again():
    params = load_preset("zheng2013", ne=30, ni=6, lambda_ee=6, lambda_ei=3, lambda_ie=30)
    run = Simulation(params, 4)
    run.run(300)
    middle = run.snapshot()
    run.apply_params(stdp=False, eta_ip=0.02)
    run.run(200)
    run.apply_params(stdp=True)
    run.run(0)
    log = [tuple(c) for c in run.change_log]
    again = Simulation.from_snapshot(middle)
    assert follow_change_log(again, log, run.t)
    assert again.state.equals(run.state) and again.change_log == run.change_log
    # A log that does not fit the run is refused, naming the step and the parameter.
    other = Simulation.from_snapshot(middle)
    with pytest.raises(LogMismatch, match="at step 300 the log changes 'stdp' from False"):
        follow_change_log(other, [(300, "stdp", False, True)], 400)
    with pytest.raises(ValueError, match="past step 100"):
        follow_change_log(other, log, 100)
