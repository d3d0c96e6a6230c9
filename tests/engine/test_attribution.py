"""Per-rule attribution: each rule's part on hand-computed 3-5 neuron cases, parts that
telescope (start + parts == end), rules off giving exact zeros, both backends agreeing, and
tracking that never changes the run."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from helpers import sim_with_state, tiny_params

from sorn_studio import RecordingSpec, Simulation, load_preset
from sorn_studio.engine import Attribution
from sorn_studio.engine.attribution import EE_NAMES, EI_NAMES, PART_NAMES, TE_NAMES

BACKENDS = ["numba", "numpy"]
FIRE, SILENT = -10.0, 10.0   # thresholds that force a unit on or off for one step
SMALL = dict(ne=40, ni=8, lambda_ee=5, lambda_ei=3, lambda_ie=40)


def _tracked(params, backend, **arrays):
    sim = sim_with_state(params, backend, **arrays)
    sim.track_attribution()
    return sim


def _start(sim):
    return sim.w_ee.copy(), sim.t_e.copy(), sim.w_ei.copy()


def _assert_telescopes_exactly(start, att, sim):
    w_ee, t_e, w_ei = start
    for before, total, after in ((w_ee, att.ee_total(), sim.w_ee), (t_e, att.te_total(), sim.t_e),
                                 (w_ei, att.ei_total(), sim.w_ei)):
        assert np.array_equal(before + total, after)


def _assert_only(att, expected):
    """Every part is exactly as ``expected`` says (name -> {index: value}), zero elsewhere."""
    for name, arr in att.parts().items():
        want = np.zeros_like(arr)
        for index, value in expected.get(name, {}).items():
            want[index] = value
        assert np.array_equal(arr, want), (name, arr, want)


# -- hand-computed cases -----------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_stdp_potentiation_depression_cap_and_pruning_by_hand(backend):
    # x(t) = [1, 0, 0, 1], x(t+1) = [0, 1, 0, 0] (forced), eta 0.25, w_max 1:
    # potentiated (post 1 after pre 0 or 3): W[1,0] .875 -> 1.125, capped to 1; W[1,3] .125 ->
    # .375. Depressed (post 0 or 3 before pre 1): W[3,1] .5 -> .25; W[0,1] .25 -> 0, pruned:
    # its whole weight is pruning's part. W[2,0] (post silent throughout) does not change.
    w = np.zeros((4, 4))
    w[1, 0], w[1, 3], w[3, 1], w[0, 1], w[2, 0] = 0.875, 0.125, 0.5, 0.25, 0.5
    p = tiny_params(4, 1, stdp=True, eta_stdp=0.25, w_max=1.0)
    sim = _tracked(p, backend, x=[1, 0, 0, 1], t_e=[SILENT, FIRE, SILENT, SILENT], w_ee=w)
    start = _start(sim)
    sim.step(1)
    att = sim.take_attribution()
    assert (att.start_step, att.end_step, att.steps) == (0, 1, 1)
    _assert_only(att, {"ee_stdp_ltp": {(1, 0): 0.25, (1, 3): 0.25},
                       "ee_stdp_ltd": {(3, 1): -0.25},
                       "ee_cap": {(1, 0): -0.125},
                       "ee_prune": {(0, 1): -0.25}})
    assert sim.w_ee[0, 1] == 0.0 and sim.n_ee == 4
    _assert_telescopes_exactly(start, att, sim)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("sn", [True, False])
def test_stdp_then_synaptic_normalisation_by_hand(backend, sn):
    # Same spikes, eta 0.5. Row 1: [.5, 0, .25, .25] -> STDP [1, 0, .25, .75] (sum 2) -> SN
    # [.5, 0, .125, .375]. Row 3: [0, .75, .25, 0] -> [0, .25, .25, 0] (sum .5) -> [0, .5, .5, 0].
    # Row 0: [0, .5, .5, 0] -> W[0,1] pruned -> [0, 0, 1, 0]. Row 2 sums to 1: SN leaves it.
    # With SN off its part is zero and the STDP parts are the same.
    w = np.zeros((4, 4))
    w[1, 0], w[1, 2], w[1, 3] = 0.5, 0.25, 0.25
    w[3, 1], w[3, 2] = 0.75, 0.25
    w[0, 1], w[0, 2] = 0.5, 0.5
    w[2, 3] = 1.0
    p = tiny_params(4, 1, stdp=True, eta_stdp=0.5, sn=sn)
    sim = _tracked(p, backend, x=[1, 0, 0, 1], t_e=[SILENT, FIRE, SILENT, SILENT], w_ee=w)
    start = _start(sim)
    sim.step(1)
    att = sim.take_attribution()
    sn_part = {(1, 0): -0.5, (1, 2): -0.125, (1, 3): -0.375, (3, 1): 0.25, (3, 2): 0.25,
               (0, 2): 0.5}
    _assert_only(att, {"ee_stdp_ltp": {(1, 0): 0.5, (1, 3): 0.5},
                       "ee_stdp_ltd": {(3, 1): -0.5},
                       "ee_prune": {(0, 1): -0.5},
                       "ee_sn": sn_part if sn else {}})
    np.testing.assert_array_equal(sim.w_ee[1], [0.5, 0.0, 0.125, 0.375] if sn
                                  else [1.0, 0.0, 0.25, 0.75])
    _assert_telescopes_exactly(start, att, sim)


@pytest.mark.parametrize("backend", BACKENDS)
def test_intrinsic_plasticity_and_its_clip_by_hand(backend):
    # eta_IP 0.5, T^E clipped to [0, 1]. Unit 1 fires (drive 1 from unit 0 beats .875):
    # .875 + .5 (1 - .25) = 1.25 -> 1. The others are silent: unit 0 .5 - .125 = .375,
    # unit 2 .75 - .0625 = .6875, unit 3 .125 - .375 = -.25 -> 0.
    w = np.zeros((4, 4))
    w[1, 0] = 1.0
    p = tiny_params(4, 1, ip=True, eta_ip=0.5, clip_t_e=True, t_e_min=0.0, t_e_max=1.0)
    sim = _tracked(p, backend, x=[1, 0, 0, 0], w_ee=w, t_e=[0.5, 0.875, 0.75, 0.125],
                   h_ip=[0.25, 0.25, 0.125, 0.75])
    start = _start(sim)
    sim.step(1)
    assert sim.x.tolist() == [False, True, False, False]
    att = sim.take_attribution()
    _assert_only(att, {"te_ip": {0: -0.125, 1: 0.375, 2: -0.0625, 3: -0.375},
                       "te_clip": {1: -0.25, 3: 0.25}})
    np.testing.assert_array_equal(sim.t_e, [0.375, 1.0, 0.6875, 0.0])
    _assert_telescopes_exactly(start, att, sim)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("sn", [True, False])
def test_istdp_its_floor_and_cap_and_normalisation_by_hand(backend, sn):
    # y(t) = [1, 0], x(t+1) = [1, 0, 1]; mu_IP .5 and eta_inh .25: an active post gains
    # -.25 (1 - 3) = .5, a silent one loses .25; I unit 1 was silent, its column stays.
    # Row 0: [.5, 1] -> [1, 1] -> SN [.5, .5]. Row 1: [.25, .375] -> 0, floored at .125 ->
    # [.125, .375] -> SN [.25, .75]. Row 2: [.75, 1] -> 1.25, capped at 1 -> SN [.5, .5].
    # With SN off its part is zero and the others are the same.
    p = tiny_params(3, 2, istdp=True, eta_inh=0.25, mu_ip=0.5, w_ei_min=0.125, w_max=1.0,
                    sn=sn, lambda_ei=2)
    w_ei = np.array([[0.5, 1.0], [0.25, 0.375], [0.75, 1.0]])
    sim = _tracked(p, backend, y=[1, 0], t_e=[FIRE, SILENT, FIRE], w_ei=w_ei)
    start = _start(sim)
    sim.step(1)
    att = sim.take_attribution()
    _assert_only(att, {"ei_istdp": {(0, 0): 0.5, (1, 0): -0.25, (2, 0): 0.5},
                       "ei_clamp": {(1, 0): 0.125, (2, 0): -0.25},
                       "ei_sn": {(0, 0): -0.5, (0, 1): -0.5, (1, 0): 0.125, (1, 1): 0.375,
                                 (2, 0): -0.5, (2, 1): -0.5} if sn else {}})
    np.testing.assert_array_equal(sim.w_ei, [[0.5, 0.5], [0.25, 0.75], [0.5, 0.5]] if sn
                                  else [[1.0, 1.0], [0.125, 0.375], [1.0, 1.0]])
    _assert_telescopes_exactly(start, att, sim)


@pytest.mark.parametrize("backend", BACKENDS)
def test_structural_growth_by_hand(backend):
    # Every ordered pair but (2, 0) is connected; p = 1 creates exactly that synapse.
    p = tiny_params(3, 1, sp=True, p_sp=1.0, sp_scaling=False, w_sp_init=0.125)
    w = np.full((3, 3), 0.5)
    np.fill_diagonal(w, 0.0)
    w[2, 0] = 0.0
    sim = _tracked(p, backend, w_ee=w)
    start = _start(sim)
    sim.step(3)        # no free pair after the first step: nothing more is created
    att = sim.take_attribution()
    _assert_only(att, {"ee_growth": {(2, 0): 0.125}})
    _assert_telescopes_exactly(start, att, sim)


#: A scripted spike pattern of 5 units: x(0), x(1), ... (raw input of +-10 forces it).
PATTERN = np.array([[1, 0, 1, 0, 1], [0, 1, 1, 0, 1], [1, 1, 0, 1, 0], [0, 0, 1, 1, 1],
                    [1, 0, 0, 1, 1], [0, 1, 0, 1, 0]], dtype=bool)


def _stdp_by_hand(w, pattern, eta):
    """The STDP parts of ``pattern`` on ``w``, one synapse and one step at a time."""
    w = w.copy()
    parts = {name: np.zeros_like(w) for name in ("ee_stdp_ltp", "ee_stdp_ltd", "ee_prune")}
    for x, x_new in zip(pattern, pattern[1:], strict=False):
        for i, j in zip(*np.nonzero(w), strict=True):
            d = eta * (int(x_new[i] and x[j]) - int(x[i] and x_new[j]))
            if d == 0:
                continue
            if w[i, j] + d <= 0:
                parts["ee_prune"][i, j] -= w[i, j]
                w[i, j] = 0.0
            else:
                parts["ee_stdp_ltp" if d > 0 else "ee_stdp_ltd"][i, j] += d
                w[i, j] += d
    return parts


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_hand_case_over_several_steps_telescopes_exactly(backend):
    # STDP, IP and iSTDP together for five steps of a scripted pattern, with dyadic numbers:
    # each part is the sum of its steps, and all parts add up to the change, exactly.
    p = tiny_params(5, 2, stdp=True, eta_stdp=0.0625, ip=True, eta_ip=0.25, istdp=True,
                    eta_inh=0.0625, mu_ip=0.5, w_ei_min=0.0625, lambda_ei=2,
                    input_kind="raw", nu=5)
    w = np.zeros((5, 5))
    w[1, 0], w[1, 2], w[0, 1], w[3, 4], w[4, 3], w[2, 1] = 0.5, 0.25, 0.0625, 0.5, 0.25, 0.5
    w[0, 4], w[2, 3], w[4, 1] = 0.125, 0.75, 0.375
    sim = _tracked(p, backend, x=PATTERN[0], y=[1, 1], w_ee=w, w_ei=np.full((5, 2), 0.5),
                   t_e=np.zeros(5), t_i=[-10.0, -10.0], h_ip=np.full(5, 0.5))
    sim.feed_input(np.where(PATTERN[1:], 10.0, -10.0).T)
    start = _start(sim)
    sim.step(len(PATTERN) - 1)
    assert np.array_equal(sim.recorder.spikes_e(), PATTERN[1:])
    att = sim.take_attribution()
    expected = _stdp_by_hand(w, PATTERN, 0.0625)
    for name, part in expected.items():
        assert np.array_equal(getattr(att, name), part), name
    assert expected["ee_prune"].any() and expected["ee_stdp_ltd"].any()
    # IP: 0.25 (x - 0.5) per step; iSTDP with both I units firing every step: +.125 for an
    # active post, -.0625 for a silent one, on both columns.
    np.testing.assert_array_equal(att.te_ip, 0.25 * (PATTERN[1:] - 0.5).sum(axis=0))
    gains = np.where(PATTERN[1:], 0.125, -0.0625).sum(axis=0)
    np.testing.assert_array_equal(att.ei_istdp, np.column_stack([gains, gains]))
    for name in ("ee_cap", "ee_growth", "ee_sn", "te_clip", "ei_clamp", "ei_sn"):
        assert not getattr(att, name).any(), name
    _assert_telescopes_exactly(start, att, sim)


# -- rules off, backends, the run itself ---------------------------------------------------------
def _rich(**changes):
    """A small network where every part has work: frequent SP, a low cap, a T^E clip."""
    return load_preset("zheng2013", **{**SMALL, "p_sp": 0.2, "sp_scaling": False,
                                       "w_max": 0.5, "clip_t_e": True, "t_e_min": 0.15,
                                       "t_e_max": 0.6, **changes})


def _window(params, backend="numba", steps=1500, seed=3):
    sim = Simulation(params, seed=seed, backend=backend)
    sim.run(200)
    start = _start(sim)
    sim.track_attribution()
    sim.run(steps)
    return sim, start, sim.take_attribution()


def _assert_telescopes(start, att, sim, atol=1e-12):
    w_ee, t_e, w_ei = start
    np.testing.assert_allclose(w_ee + att.ee_total(), sim.w_ee, rtol=0, atol=atol)
    np.testing.assert_allclose(t_e + att.te_total(), sim.t_e, rtol=0, atol=atol)
    np.testing.assert_allclose(w_ei + att.ei_total(), sim.w_ei, rtol=0, atol=atol)


def test_every_part_has_work_in_the_rich_network():
    sim, start, att = _window(_rich())
    assert all(att.totals()[f"{name}_abs"] > 0 for name in PART_NAMES), att.totals()
    _assert_telescopes(start, att, sim)


RULE_PARTS = {
    "stdp": ("ee_stdp_ltp", "ee_stdp_ltd", "ee_cap", "ee_prune"),
    "sp": ("ee_growth",),
    "sn": ("ee_sn", "ei_sn"),
    "ip": ("te_ip", "te_clip"),
    "istdp": ("ei_istdp", "ei_clamp"),
}
#: Parts that may have nothing to do once a rule is off: with iSTDP off, W^EI rows stay
#: normalised, and the compiled kernel normalises only rows that changed.
IDLE_WITHOUT = {"istdp": ("ei_sn",)}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("rule", list(RULE_PARTS))
def test_a_rule_off_has_exactly_zero_parts_and_the_rest_still_telescopes(backend, rule):
    steps = 1500 if backend == "numba" else 300
    sim, start, att = _window(_rich(**{rule: False}), backend, steps)
    totals = att.totals()
    for name in PART_NAMES:
        if name in RULE_PARTS[rule]:
            assert not getattr(att, name).any(), name
        elif name not in IDLE_WITHOUT.get(rule, ()):
            assert totals[f"{name}_abs"] > 0, name
    _assert_telescopes(start, att, sim)


def test_a_rule_switched_off_mid_window_stops_its_part_growing():
    # One network takes at the switch, its twin only at the end: the twin's STDP parts are
    # exactly the first one's first window, and the first one's second window has none.
    params = _rich()
    a, b = (Simulation(params, seed=4) for _ in range(2))
    for sim in (a, b):
        sim.track_attribution()
        sim.run(800)
        sim.apply_params(stdp=False)
    first = a.take_attribution()
    for sim in (a, b):
        sim.run(700)
    second, whole = a.take_attribution(), b.take_attribution()
    assert (first.end_step, second.start_step, whole.start_step, whole.end_step) == (
        800, 800, 0, 1500)
    for name in RULE_PARTS["stdp"]:
        assert not getattr(second, name).any()
        assert np.array_equal(getattr(whole, name), getattr(first, name))
    assert first.totals()["ee_stdp_ltp"] > 0 and second.totals()["ee_sn_abs"] > 0
    joined = first.joined(second)
    for name in PART_NAMES:
        np.testing.assert_allclose(getattr(joined, name), getattr(whole, name), atol=1e-12)


@pytest.mark.parametrize("params", [_rich(), load_preset("lazar2009", **{**SMALL,
                                                                          "lambda_ei": 8,
                                                                          "n_u": 4})],
                         ids=["rich", "lazar2009"])
def test_the_compiled_kernel_and_the_numpy_reference_measure_the_same(params):
    runs = [_window(params, backend, steps=400, seed=7) for backend in BACKENDS]
    (fast, _, att_fast), (ref, _, att_ref) = runs
    assert np.array_equal(fast.recorder.spikes_e(), ref.recorder.spikes_e())
    for name in PART_NAMES:
        np.testing.assert_allclose(getattr(att_fast, name), getattr(att_ref, name), rtol=0,
                                   atol=1e-12, err_msg=name)
    assert att_fast.totals()["ee_stdp_ltp"] > 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_tracking_does_not_change_the_run(backend):
    params = _rich()
    spec = RecordingSpec(window=600, t_e_full=True)
    sims = [Simulation(params, seed=9, backend=backend, recording=spec) for _ in range(2)]
    sims[0].track_attribution()
    for sim in sims:
        sim.run(600)
    sims[0].take_attribution()
    assert sims[0].state.equals(sims[1].state)
    assert np.array_equal(sims[0].recorder.spikes_e(), sims[1].recorder.spikes_e())
    assert np.array_equal(sims[0].recorder.t_e(), sims[1].recorder.t_e())


def test_a_long_run_at_full_size_telescopes():
    sim = Simulation(load_preset("zheng2013"), seed=1)
    sim.run(500)
    start = _start(sim)
    sim.track_attribution()
    for n in (1, 999, 3000):        # chunks of every size, taken once at the end
        sim.run(n)
    att = sim.take_attribution()
    assert (att.start_step, att.end_step) == (500, 4500)
    assert att.ee_stdp_ltp.shape == (200, 200) and att.te_ip.shape == (200,)
    assert att.ei_sn.shape == (200, 40)
    _assert_telescopes(start, att, sim)
    totals = att.totals()
    assert totals["ee_prune"] < 0 < totals["ee_growth"]
    # SN keeps every row at 1: what the other rules add to the rows it takes away again.
    assert ((sim.w_ee > 0).any(axis=1) == (start[0] > 0).any(axis=1)).all()
    others = sum(totals[name] for name in EE_NAMES if name != "ee_sn")
    assert others > 1 and totals["ee_sn"] == pytest.approx(-others, abs=1e-9)


# -- windows, the state and bad use ------------------------------------------------------------
def test_take_starts_a_new_window_and_windows_telescope_one_after_another():
    sim = Simulation(_rich(), seed=2)
    sim.track_attribution()
    start = _start(sim)
    sim.run(300)
    first = sim.take_attribution()
    middle = _start(sim)
    sim.run(200)
    second = sim.take_attribution()
    assert (first.start_step, first.end_step, second.start_step, second.end_step) == (
        0, 300, 300, 500)
    _assert_telescopes(middle, second, sim)
    _assert_telescopes(start, first.joined(second), sim)
    empty = sim.take_attribution()
    assert empty.steps == 0 and not any(arr.any() for arr in empty.parts().values())
    with pytest.raises(ValueError, match="must follow each other"):
        second.joined(first)


def test_the_attribution_is_read_only_and_documented_by_name():
    sim = Simulation(_rich(), seed=2)
    sim.track_attribution()
    sim.run(50)
    att = sim.take_attribution()
    assert isinstance(att, Attribution)
    assert list(att.parts()) == list(PART_NAMES) == [*EE_NAMES, *TE_NAMES, *EI_NAMES]
    assert list(att.totals())[:len(PART_NAMES)] == list(PART_NAMES)
    with pytest.raises(ValueError, match="read-only"):
        att.ee_sn[0, 0] = 1.0
    import sorn_studio.engine.attribution as module

    for name in PART_NAMES:
        assert f"``{name}``" in module.__doc__


def test_restore_reset_and_restart_start_a_new_window_and_snapshots_leave_it_out():
    sim = Simulation(_rich(), seed=2)
    sim.track_attribution()
    sim.run(300)
    snap = sim.snapshot()
    assert not any("attribution" in f.name for f in dataclasses.fields(snap))
    sim.run(200)
    sim.restore(snap)
    assert sim.tracks_attribution
    start = _start(sim)
    sim.run(100)
    att = sim.take_attribution()
    assert (att.start_step, att.end_step) == (300, 400)
    _assert_telescopes(start, att, sim)
    sim.run(50)
    sim.reset(params=_rich(ne=30, lambda_ie=30))
    att = sim.take_attribution()
    assert att.steps == 0 and att.ee_sn.shape == (30, 30) and not att.ee_sn.any()
    sim.run(50)
    sim.restart(5)
    assert sim.take_attribution().steps == 0
    sim.run(40)
    sim.load_state(sim.state)
    assert (sim.take_attribution().start_step, sim.t) == (40, 40)


def test_taking_without_tracking_names_what_to_call():
    sim = Simulation(_rich(), seed=2)
    with pytest.raises(RuntimeError, match=r"not being tracked: call track_attribution\(\)"):
        sim.take_attribution()
    sim.track_attribution()
    sim.run(10)
    sim.track_attribution(False)
    assert not sim.tracks_attribution
    with pytest.raises(RuntimeError, match="track_attribution"):
        sim.take_attribution()
    # Turning it on again starts afresh.
    sim.run(10)
    sim.track_attribution(True)
    assert sim.take_attribution().start_step == 20
