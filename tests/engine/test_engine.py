"""Simulation-level properties: invariants, determinism, chunking, backends, tuning, errors."""

from __future__ import annotations

import dataclasses
import threading

import numpy as np
import pytest

from sorn_studio import Params, RecordingSpec, Simulation, load_preset
from sorn_studio.engine import NetworkState
from sorn_studio.recording import MAX_STEPS

SMALL = dict(ne=60, ni=12, lambda_ee=10, lambda_ei=3, lambda_ie=60)


def small(preset: str = "zheng2013", **changes) -> Params:
    """A 60/12 version of ``preset`` (symbol tasks get 5 units per symbol, full I->E)."""
    size = dict(SMALL)
    if preset in ("lazar2009", "hartmann2015"):
        size.update(lambda_ei=12, n_u=5)
    return load_preset(preset, **{**size, **changes})


def state_of(sim: Simulation) -> NetworkState:
    return sim.state.copy()


@pytest.mark.parametrize("ei_floor", ["clamp", "reset"])
def test_invariants_after_many_steps(ei_floor):
    sim = Simulation(load_preset("zheng2013", ei_floor=ei_floor), seed=3)
    sim.step(20_000)
    p, w_ee, w_ei = sim.params, sim.w_ee, sim.w_ei
    assert np.isfinite(w_ee).all() and np.isfinite(w_ei).all() and np.isfinite(sim.t_e).all()
    assert (np.diagonal(w_ee) == 0).all(), "self-connections"
    assert (w_ee >= 0).all() and (w_ee <= p.w_max).all()
    rows = w_ee.sum(axis=1)
    np.testing.assert_allclose(rows[rows > 0], 1.0, atol=1e-12)
    rows_ei = w_ei.sum(axis=1)
    np.testing.assert_allclose(rows_ei[rows_ei > 0], 1.0, atol=1e-12)
    if ei_floor == "clamp":
        # Every existing I->E synapse is at least the floor before normalisation, and
        # normalisation only divides by sums <= the number of inputs.
        assert (w_ei[w_ei > 0] >= p.w_ei_min / sim.state.w_ei.shape[1]).all()
    # Either way iSTDP removes no I->E synapse: the initial ones are all there.
    assert ((w_ei > 0) == (sim.initial_state.w_ei > 0)).all()
    assert np.count_nonzero(w_ei) == sim.n_ei == sim.recorder.n_ei()[-1]
    # counts agree with the matrix and with the recording
    assert sim.n_ee == np.count_nonzero(w_ee) == sim.recorder.n_ee()[-1]
    # pruning happened and SP created synapses: the mask is not the initial one
    initial = sim.initial_state.w_ee > 0
    now = w_ee > 0
    assert (initial & ~now).any(), "no synapse was pruned"
    assert (~initial & now).any(), "no synapse was created"


def test_istdp_never_removes_inhibitory_synapses():
    sim = Simulation(load_preset("zheng2013", eta_inh=0.05), seed=1)
    before = sim.w_ei > 0
    sim.step(3000)
    assert ((sim.w_ei > 0) == before).all()


@pytest.mark.parametrize("preset", ["zheng2013", "lazar2009", "hartmann2015", "delpapa2017"])
def test_compiled_kernel_matches_numpy_reference(preset):
    params = small(preset)
    spec = RecordingSpec(window=2000, drive=True, t_e_full=True, neurons=(0, 5))
    fast = Simulation(params, seed=11, recording=spec)
    ref = Simulation(params, seed=11, recording=spec, backend="numpy")
    fast.step(700)
    ref.step(700)
    r1, r2 = fast.recorder, ref.recorder
    assert np.array_equal(r1.spikes_e(), r2.spikes_e())
    assert np.array_equal(r1.spikes_i(), r2.spikes_i())
    assert np.array_equal(r1.drive_e(), r2.drive_e())
    assert np.array_equal(r1.n_ee(), r2.n_ee())
    assert np.array_equal(r1.symbols(), r2.symbols())
    np.testing.assert_allclose(r1.t_e(), r2.t_e(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(r1.t_e_neurons(), r2.t_e_neurons(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(r1.t_e_mean(), r2.t_e_mean(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(fast.w_ee, ref.w_ee, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fast.w_ei, ref.w_ei, rtol=0, atol=1e-12)
    assert r1.spikes_e().any(), "a silent network proves nothing"


@pytest.mark.parametrize("preset", ["zheng2013", "lazar2009", "hartmann2015", "delpapa2017"])
def test_the_authors_floor_and_prune_agree_across_backends_bit_for_bit(preset):
    # Under "reset" a weight that lands at +1e-19 rather than -1e-19 is kept rather than reset:
    # the last bit of a W^EI row's sum decides, so the reference normalises W^EI exactly as
    # the kernel does (the same rows, summed in the same order).
    params = small(preset).replace(ei_floor="reset", ee_prune_below=1e-10)
    fast, ref = (Simulation(params, seed=11, backend=b) for b in ("numba", "numpy"))
    for sim in (fast, ref):
        sim.step(3000)
    assert np.array_equal(fast.recorder.spikes_e(), ref.recorder.spikes_e())
    assert np.array_equal(fast.recorder.n_ee(), ref.recorder.n_ee())
    assert np.array_equal(fast.w_ei, ref.w_ei)
    np.testing.assert_allclose(fast.w_ee, ref.w_ee, rtol=0, atol=1e-12)


def test_authors_floor_and_prune_switches_matter():
    # The authors' code's iSTDP floor (reset at <= 0) and W^EE pruning (below 1e-10).
    params = small("zheng2013", eta_inh=0.01).replace(ei_floor="reset", ee_prune_below=1e-10)
    fast = Simulation(params, seed=3)
    default = Simulation(params.replace(ei_floor="clamp", ee_prune_below=0.0), seed=3)
    for sim in (fast, default):
        sim.step(2000)
    assert not np.array_equal(fast.w_ei, default.w_ei)
    # Without normalisation (which rescales rows below the floor either way), "clamp" keeps
    # every I->E weight at or above the floor and "reset" leaves some below it.
    unscaled = {rule: Simulation(params.replace(sn=False, ei_floor=rule), seed=3)
                for rule in ("clamp", "reset")}
    for sim in unscaled.values():
        sim.step(2000)
    below = {rule: ((sim.w_ei > 0) & (sim.w_ei < 0.001)).sum() for rule, sim in unscaled.items()}
    assert below["clamp"] == 0 and below["reset"] > 0


def test_raw_input_kernel_matches_reference():
    params = load_preset("sorn-0.7.4", **SMALL)
    raw = np.random.default_rng(0).random((10, 400))
    runs = [Simulation(params, seed=2, raw_input=raw, backend=b) for b in ("numba", "numpy")]
    for sim in runs:
        sim.step(400)
    assert np.array_equal(runs[0].recorder.spikes_e(), runs[1].recorder.spikes_e())
    np.testing.assert_allclose(runs[0].w_ee, runs[1].w_ee, atol=1e-12)


def test_same_seed_same_run_and_other_seed_other_run():
    a, b, c = (Simulation(small(), seed=s) for s in (5, 5, 6))
    for sim in (a, b, c):
        sim.step(500)
    assert a.state.equals(b.state)
    assert np.array_equal(a.recorder.spikes_e(), b.recorder.spikes_e())
    assert not np.array_equal(a.recorder.spikes_e(), c.recorder.spikes_e())


@pytest.mark.parametrize("preset", ["zheng2013", "lazar2009"])
def test_single_steps_equal_one_long_step(preset):
    params = small(preset)
    whole = Simulation(params, seed=9)
    whole.step(1500)              # crosses the kernel's internal chunk size (1024)
    single = Simulation(params, seed=9)
    for _ in range(1500):
        single.step(1)
    mixed = Simulation(params, seed=9)
    for n in (1, 7, 300, 1024, 168):
        mixed.step(n)
    for other in (single, mixed):
        assert other.t == whole.t == 1500
        assert other.state.equals(whole.state)
        assert np.array_equal(other.recorder.spikes_e(), whole.recorder.spikes_e())
        assert np.array_equal(other.recorder.symbols(), whole.recorder.symbols())


def test_reset_reproduces_and_new_seed_differs():
    sim = Simulation(small(), seed=4)
    sim.step(300)
    first = state_of(sim)
    sim.reset()
    assert sim.t == 0 and sim.state.equals(sim.initial_state)
    sim.step(300)
    assert sim.state.equals(first)
    sim.reset(seed=5)
    sim.step(300)
    assert not sim.state.equals(first)
    assert sim.seed == 5


def test_reset_with_new_structural_params():
    sim = Simulation(small(), seed=1)
    sim.reset(params=small(ne=80, lambda_ie=80))
    assert sim.w_ee.shape == (80, 80) and sim.recorder.ne == 80
    sim.step(10)


def test_apply_params_waits_for_step_boundary_and_is_logged():
    sim = Simulation(small(), seed=2)
    sim.step(100)
    sim.apply_params(eta_stdp=0.01, stdp=False)
    assert sim.params.eta_stdp == 0.004, "applied before the next step"
    assert sim.pending_changes == {"eta_stdp": 0.01, "stdp": False}
    sim.step(1)
    assert sim.params.eta_stdp == 0.01 and sim.params.stdp is False
    assert [(c.step, c.name, c.old, c.new) for c in sim.change_log] == [
        (100, "eta_stdp", 0.004, 0.01), (100, "stdp", True, False)]


def test_toggling_stdp_off_freezes_ee_weights_without_sp_or_sn():
    sim = Simulation(small(), seed=2)
    sim.step(50)
    sim.apply_params(stdp=False, sp=False, sn=False)
    sim.step(1)
    frozen = sim.w_ee.copy()
    sim.step(200)
    assert np.array_equal(sim.w_ee, frozen)


def test_live_change_equals_run_started_with_that_value():
    # Changing a live parameter at step k is the same as having had it from step k on.
    a = Simulation(small(), seed=8)
    a.step(200)
    a.apply_params(noise_sigma=0.1, eta_ip=0.02)
    a.step(200)
    b = Simulation(small(), seed=8)
    b.step(200)
    snap = b.snapshot()
    b.restore(dataclasses.replace(snap, params={**snap.params, "noise_sigma": 0.1,
                                                "eta_ip": 0.02}))
    b.step(200)
    assert a.state.equals(b.state)


def test_apply_params_from_another_thread_during_run():
    sim = Simulation(small(), seed=3)
    started = threading.Event()

    def progress(done: int, total: int) -> None:
        started.set()

    worker = threading.Thread(target=sim.run, args=(20_000,), kwargs={"progress": progress})
    worker.start()
    started.wait(30)
    sim.apply_params(eta_ip=0.02)
    worker.join(60)
    assert not worker.is_alive()
    assert sim.params.eta_ip == 0.02
    assert sim.change_log[0].name == "eta_ip" and 0 < sim.change_log[0].step <= 20_000


def test_apply_params_rejects_structural_unknown_and_invalid():
    sim = Simulation(small(), seed=0)
    with pytest.raises(ValueError, match="'ne' cannot change during a run"):
        sim.apply_params(ne=100)
    with pytest.raises(ValueError, match="unknown parameter.*'eta_sdtp'.*valid names"):
        sim.apply_params(eta_sdtp=0.1)
    with pytest.raises(ValueError, match=r"'eta_ip' = -0.5 is out of range; allowed: \[0, 1\]"):
        sim.apply_params(eta_ip=-0.5)
    assert sim.pending_changes == {}


def test_run_stops_cooperatively_at_a_chunk_boundary():
    sim = Simulation(small(), seed=0)
    calls = []
    done = sim.run(10_000, progress=lambda d, n: calls.append(d), should_stop=lambda: True)
    assert done == sim.t == calls[0] < 10_000


def test_kernel_calls_are_long_but_their_draws_bounded():
    from sorn_studio.engine.draws import DrawLayout
    from sorn_studio.engine.simulation import MAX_CHUNK, MAX_DRAW_BYTES

    calls = []
    sim = Simulation(small(), seed=0)
    sim.run(2 * MAX_CHUNK + 5, progress=lambda d, n: calls.append(d))
    assert calls == [MAX_CHUNK, 2 * MAX_CHUNK, 2 * MAX_CHUNK + 5]
    big = Simulation(small(ne=1500, ni=300), seed=0)
    steps = big._steps_per_call()
    width = DrawLayout.for_params(big.params, big.input.uses_draws).width
    assert 1 <= steps < MAX_CHUNK and steps * width * 8 <= MAX_DRAW_BYTES


def test_homeostasis_mean_rate_settles_at_ip_target():
    # IP moves T^E by eta (x - H^IP) each step, so over the last 20 000 steps the mean rate
    # can only miss the target by (change of T^E) / (eta * steps).
    sim = Simulation(load_preset("zheng2013", ip_target="shared"), seed=0,
                     recording=RecordingSpec(window=20_000))
    sim.step(30_000)
    rate = sim.recorder.rate_e().mean()
    assert abs(rate - 0.1) < 0.005


def test_weight_snapshots_every_k_steps():
    sim = Simulation(small(), seed=0, recording=RecordingSpec(weights_every=250,
                                                              max_snapshots=3))
    sim.step(1100)
    steps = [s for s, _ in sim.recorder.weight_snapshots()]
    assert steps == [500, 750, 1000]
    last_step, last_w = sim.recorder.weight_snapshots()[-1]
    check = Simulation(small(), seed=0)
    check.step(last_step)
    assert np.array_equal(check.w_ee, last_w)


def test_ring_window_keeps_the_last_steps_and_memory_bounded():
    sim = Simulation(small(), seed=0, recording=RecordingSpec(window=300))
    sim.step(1000)
    assert sim.recorder.steps().tolist() == list(range(701, 1001))
    assert sim.recorder.spikes_e().shape == (300, 60)
    assert sim.recorder.packed_spikes_e().shape == (300, 8)   # one bit per neuron and step
    full = Simulation(small(), seed=0, recording=RecordingSpec(full=True))
    full.step(1000)
    assert np.array_equal(full.recorder.spikes_e()[700:], sim.recorder.spikes_e())


def test_active_counts_and_rates_come_from_the_packed_spikes():
    # 60 excitatory units fill 8 bytes with 4 padding bits, which must not be counted.
    sim = Simulation(small(), seed=0)
    sim.step(400)
    rec = sim.recorder
    assert rec.spikes_e().any() and rec.spikes_i().any(), "a silent network proves nothing"
    np.testing.assert_array_equal(rec.active_e(), rec.spikes_e().sum(axis=1))
    np.testing.assert_array_equal(rec.active_i(last=50), rec.spikes_i()[-50:].sum(axis=1))
    np.testing.assert_array_equal(rec.rate_e(), rec.spikes_e().mean(axis=1))
    np.testing.assert_array_equal(rec.rate_i(), rec.spikes_i().mean(axis=1))


def test_state_views_are_read_only():
    sim = Simulation(small(), seed=0)
    with pytest.raises(ValueError):
        sim.w_ee[0, 1] = 1.0


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(seed=-1), "argument 'seed' = -1"),
    (dict(seed=1.5), "argument 'seed' = 1.5"),
    (dict(backend="gpu"), "argument 'backend' = 'gpu'"),
    (dict(recording=RecordingSpec(neurons=(70,))), r"'neurons' = \[70\]"),
])
def test_constructor_errors_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Simulation(small(), **kwargs)


def test_params_must_be_params():
    with pytest.raises(TypeError, match="argument 'params'"):
        Simulation({"ne": 200})


@pytest.mark.parametrize(("bad", "message"), [
    (np.zeros((3, 5)), r"shape \(3, 5\); expected \(nu, T\) = \(10, T\)"),
    (np.zeros(10), r"shape \(10,\)"),
    (np.full((10, 4), np.nan), "holds nan at row 0, column 0"),
    (np.full((10, 4), np.inf), "holds inf"),
])
def test_raw_input_errors(bad, message):
    params = load_preset("sorn-0.7.4", **SMALL)
    with pytest.raises(ValueError, match=message):
        Simulation(params, raw_input=bad)
    sim = Simulation(params)
    with pytest.raises(ValueError, match=message):
        sim.feed_input(bad)


def test_raw_input_needs_input_and_kind():
    sim = Simulation(small(), seed=0)
    with pytest.raises(ValueError, match="feed_input needs input_kind='raw'"):
        sim.feed_input(np.zeros((10, 3)))
    raw_sim = Simulation(load_preset("sorn-0.7.4", **SMALL))
    with pytest.raises(ValueError, match="exceeds the 0 columns of raw input left"):
        raw_sim.step(1)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("w_ee", np.zeros((5, 5)), r"'state/w_ee' has shape \(5, 5\); expected \(60, 60\)"),
    ("t_e", np.full(60, np.nan), "'state/t_e' holds NaN or inf"),
    ("w_ei", -np.ones((60, 12)), "'state/w_ei' holds negative weights"),
    ("w_ee", np.eye(60), "'state/w_ee' has self-connections"),
])
def test_load_state_errors(name, value, message):
    sim = Simulation(small(), seed=0)
    state = sim.state.copy()
    setattr(state, name, value)
    with pytest.raises(ValueError, match=message):
        sim.load_state(state)
    assert sim.w_ee.shape == (60, 60)   # nothing was changed


def test_step_count_errors():
    sim = Simulation(small(), seed=0)
    for bad in (-1, 2.5, "10", MAX_STEPS + 1, 10**23):
        with pytest.raises(ValueError, match="argument 'n'"):
            sim.step(bad)
    sim.step(1)
    with pytest.raises(ValueError, match=f"past step {MAX_STEPS}.*at step 1"):
        sim.run(MAX_STEPS)
    assert sim.t == 1


def test_kernels_release_the_gil():
    # A GUI thread beside the simulation only stays responsive if the kernel drops the GIL.
    from sorn_studio.engine.inputs import _symbols
    from sorn_studio.engine.kernels import run_chunk

    assert run_chunk.targetoptions["nogil"] is True
    assert _symbols.targetoptions["nogil"] is True


def test_set_recording_replaces_the_recorder_and_keeps_the_state():
    sim = Simulation(small(), seed=0)
    sim.step(50)
    before = sim.state.copy()
    sim.set_recording(RecordingSpec(window=20, neurons=(3,)))
    assert sim.recorder.total_steps == 50 and sim.recorder.steps().size == 0
    assert sim.state.equals(before)
    sim.step(30)
    assert sim.recorder.t_e_neurons().shape == (20, 1)
    assert sim.recorder.steps().tolist() == list(range(61, 81))
    with pytest.raises(ValueError, match=r"'neurons' = \[99\]"):
        sim.set_recording(RecordingSpec(neurons=(99,)))


@pytest.mark.parametrize("last", [0, 1, 57, 299, 300, 5000])
def test_ring_window_last_rows_across_the_wrap(last):
    sim = Simulation(small(), seed=0, recording=RecordingSpec(window=300))
    for n in (130, 250, 7, 400):          # 787 steps: the ring wrapped twice, mid-buffer
        sim.step(n)
    expected = list(range(788 - min(last, 300), 788))
    assert sim.recorder.steps(last=last).tolist() == expected
    assert np.array_equal(sim.recorder.spikes_e(last=last),
                          sim.recorder.spikes_e()[300 - min(last, 300):])


def test_count_set_bits_counts_the_spikes_of_packed_rows():
    from sorn_studio.recording import count_set_bits

    spikes = np.random.default_rng(4).random((50, 13)) < 0.3  # 13 bits: padding in the last byte
    packed = np.packbits(spikes, axis=-1)
    np.testing.assert_array_equal(count_set_bits(packed), spikes.sum(axis=1))
    assert count_set_bits(np.packbits(np.ones(9, bool))) == 9
