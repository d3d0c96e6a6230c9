"""Each rule of model.md §2 on a hand-computed 3-5 neuron case, for both backends."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import sim_with_state, tiny_params

BACKENDS = ["numba", "numpy"]
FIRE, SILENT = -10.0, 10.0   # thresholds that force a unit on or off for one step


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("rule", "expected"), [(">=", [0, 1, 1]), (">", [0, 1, 0])])
def test_excitatory_update_and_firing_rule(backend, rule, expected):
    # drive_i = sum_j W_ij x_j - sum_k W^EI_ik y_k:  row0 .4, row1 1.0 - .25, row2 .5
    p = tiny_params(3, 1, firing_rule=rule)
    w_ee = np.array([[0.0, 0.6, 0.4], [1.0, 0.0, 0.0], [0.5, 0.5, 0.0]])
    w_ei = np.array([[0.0], [0.25], [0.0]])
    sim = sim_with_state(p, backend, x=[1, 0, 1], y=[1], w_ee=w_ee, w_ei=w_ei,
                         t_e=[0.5, 0.5, 0.5])
    sim.step(1)
    # row2: 0.5 - 0.5 = 0 fires only under ">="; row1: 0.75 > 0.5
    assert sim.x.astype(int).tolist() == expected


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("fast", "expected_y"), [(True, [1, 0]), (False, [0, 1])])
def test_inhibitory_update_fast_vs_paper(backend, fast, expected_y):
    # x(t) = [1, 0, 0]; x(t+1) = [0, 1, 1] (forced by thresholds).
    # I0 listens to units 1, 2 (weight .5 each), I1 to unit 0 (weight 1); T^I = 0.9.
    p = tiny_params(3, 2, fast_inhibition=fast, lambda_ei=2)
    w_ie = np.array([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]])
    sim = sim_with_state(p, backend, x=[1, 0, 0], t_e=[SILENT, FIRE, FIRE], w_ie=w_ie,
                         t_i=[0.9, 0.9])
    sim.step(1)
    assert sim.x.astype(int).tolist() == [0, 1, 1]
    assert sim.y.astype(int).tolist() == expected_y


@pytest.mark.parametrize("backend", BACKENDS)
def test_intrinsic_plasticity(backend):
    # T^E += eta_IP (x(t+1) - H^IP): unit 0 fires (T -10 -> -10 + .5*(1-.2)), unit 1 silent.
    p = tiny_params(3, 1, ip=True, eta_ip=0.5)
    sim = sim_with_state(p, backend, t_e=[FIRE, SILENT, 2.0], h_ip=[0.2, 0.1, 0.3])
    sim.step(1)
    np.testing.assert_allclose(sim.t_e, [FIRE + 0.4, SILENT - 0.05, 2.0 - 0.15], rtol=0,
                               atol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
def test_intrinsic_plasticity_clipping(backend):
    p = tiny_params(3, 1, ip=True, eta_ip=0.5, clip_t_e=True, t_e_min=0.0, t_e_max=1.0)
    sim = sim_with_state(p, backend, t_e=[0.9, 0.1, 0.5], h_ip=[0.1, 0.9, 0.1],
                         w_ee=np.zeros((3, 3)))
    # drive 0: units with T^E > 0 stay silent, so T^E moves by -eta*h: .9-.05, .1-.45 -> 0
    sim.step(1)
    np.testing.assert_allclose(sim.t_e, [0.85, 0.0, 0.45], atol=1e-12)


def _stdp_sim(backend, w_ee, x, t_e, **changes):
    p = tiny_params(4, 1, stdp=True, eta_stdp=0.01, **changes)
    return sim_with_state(p, backend, x=x, t_e=t_e, w_ee=w_ee)


@pytest.mark.parametrize("backend", BACKENDS)
def test_stdp_potentiation_and_depression(backend):
    # x(t) = [1, 0, 0, 0], x(t+1) = [0, 1, 0, 0]:
    # W[1,0] (0 -> 1, pre before post) gains eta; W[0,1] (1 -> 0, post before pre) loses eta;
    # W[2,0] (post silent) and W[3,2] (both silent) do not change.
    w = np.zeros((4, 4))
    w[1, 0], w[0, 1], w[2, 0], w[3, 2] = 0.5, 0.3, 0.2, 0.7
    sim = _stdp_sim(backend, w, [1, 0, 0, 0], [SILENT, FIRE, SILENT, SILENT])
    sim.step(1)
    expected = w.copy()
    expected[1, 0] += 0.01
    expected[0, 1] -= 0.01
    np.testing.assert_allclose(sim.w_ee, expected, atol=1e-15)
    assert sim.n_ee == 4


@pytest.mark.parametrize("backend", BACKENDS)
def test_stdp_prunes_at_zero_and_caps(backend):
    w = np.zeros((4, 4))
    w[0, 1] = 0.004            # loses 0.01 -> negative -> pruned
    w[1, 0] = 0.995            # gains 0.01 -> capped at w_max = 1
    w[2, 3] = 0.5              # untouched
    sim = _stdp_sim(backend, w, [1, 0, 0, 0], [SILENT, FIRE, SILENT, SILENT])
    sim.step(1)
    assert sim.w_ee[0, 1] == 0.0
    assert sim.w_ee[1, 0] == 1.0
    assert sim.w_ee[2, 3] == 0.5
    assert sim.n_ee == 2
    assert sim.recorder.n_ee()[-1] == 2
    # a pruned synapse stays gone: the same pattern again changes nothing at (0, 1)
    sim.load_state(sim.state)  # keep the state; recompute nothing else
    sim.step(1)
    assert sim.w_ee[0, 1] == 0.0


@pytest.mark.parametrize("backend", BACKENDS)
def test_synaptic_normalisation_rows_sum_to_one_and_empty_row_stays_zero(backend):
    # STDP changes row 1 and row 0; SN divides each changed row by its sum.
    w = np.zeros((4, 4))
    w[1, 0], w[1, 2] = 0.5, 0.5
    w[0, 1] = 0.005            # pruned: row 0 becomes empty and must stay 0, not NaN
    w[3, 2] = 0.7
    sim = _stdp_sim(backend, w, [1, 0, 0, 0], [SILENT, FIRE, SILENT, SILENT], sn=True)
    sim.step(1)
    np.testing.assert_allclose(sim.w_ee[1], [0.51 / 1.01, 0, 0.5 / 1.01, 0], atol=1e-15)
    assert (sim.w_ee[0] == 0).all()
    assert np.isfinite(sim.w_ee).all()
    np.testing.assert_allclose(sim.w_ee[3, 2], 1.0)  # any row SN touches sums to one


@pytest.mark.parametrize("backend", BACKENDS)
def test_istdp_rule_floor_and_cap(backend):
    # y(t) = [1, 0]; x(t+1) = [1, 0, 0]; mu_IP = 0.1, eta_inh = 0.01:
    # post 0 active: dW = -eta (1 - 1 * 11) = +0.1; posts 1, 2 silent: dW = -0.01.
    # I unit 1 was silent at t: its synapses do not change.
    p = tiny_params(3, 2, istdp=True, eta_inh=0.01, mu_ip=0.1, lambda_ei=2)
    w_ei = np.array([[0.3, 0.4], [0.0015, 0.4], [0.5, 0.4]])
    sim = sim_with_state(p, backend, y=[1, 0], t_e=[FIRE, SILENT, SILENT], w_ei=w_ei)
    sim.step(1)
    expected = np.array([[0.4, 0.4], [0.001, 0.4], [0.49, 0.4]])  # 0.0015 - .01 -> floor
    np.testing.assert_allclose(sim.w_ei, expected, atol=1e-15)


@pytest.mark.parametrize("backend", BACKENDS)
def test_stdp_prunes_below_the_prune_weight(backend):
    # ee_prune_below = 1e-10 (the authors' code): LTD of eta = 0.01 takes 0.01 + 5e-11 to
    # 5e-11 > 0, which the default keeps and this removes; 0.02 -> 0.01 stays either way.
    w = np.zeros((4, 4))
    w[0, 1] = 0.01 + 5e-11
    w[0, 2] = 0.02
    for below, kept in ((0.0, True), (1e-10, False)):
        sim = _stdp_sim(backend, w, [1, 0, 0, 0], [SILENT, FIRE, FIRE, SILENT],
                        ee_prune_below=below)
        sim.step(1)
        assert (sim.w_ee[0, 1] > 0) == kept
        assert sim.w_ee[0, 2] == pytest.approx(0.01, abs=1e-15)
        assert sim.n_ee == (2 if kept else 1)
        np.testing.assert_array_equal(sim.recorder.n_ee()[-1], sim.n_ee)


@pytest.mark.parametrize("backend", BACKENDS)
def test_istdp_floor_by_reset(backend):
    # ei_floor = "reset" (the authors' code): a weight iSTDP takes to <= 0 becomes w_ei_min
    # (0.001); one that stays positive below the floor is kept. Posts 1-3 silent at t+1,
    # I unit 0 active at t: dW = -0.01 on each of its synapses.
    p = tiny_params(4, 1, istdp=True, eta_inh=0.01, mu_ip=0.1, ei_floor="reset")
    w_ei = np.array([[0.3], [0.0104], [0.01], [0.004]])
    sim = sim_with_state(p, backend, y=[1], t_e=[FIRE, SILENT, SILENT, SILENT], w_ei=w_ei)
    sim.step(1)
    expected = np.array([[0.4], [0.0004], [0.001], [0.001]])
    np.testing.assert_allclose(sim.w_ei, expected, atol=1e-15)
    clamp = sim_with_state(p.replace(ei_floor="clamp"), backend, y=[1],
                           t_e=[FIRE, SILENT, SILENT, SILENT], w_ei=w_ei)
    clamp.step(1)
    np.testing.assert_allclose(clamp.w_ei[:, 0], [0.4, 0.001, 0.001, 0.001], atol=1e-15)


@pytest.mark.parametrize("backend", BACKENDS)
def test_istdp_cap(backend):
    p = tiny_params(3, 1, istdp=True, eta_inh=0.1, mu_ip=0.1)
    sim = sim_with_state(p, backend, y=[1], t_e=[FIRE, SILENT, SILENT],
                         w_ei=np.array([[0.5], [0.5], [0.5]]))
    sim.step(1)
    assert sim.w_ei[0, 0] == 1.0   # 0.5 + 1.0 capped at w_max


@pytest.mark.parametrize("backend", BACKENDS)
def test_structural_plasticity_creates_the_only_free_synapse(backend):
    # Every ordered pair but (2, 0) is connected; with p = 1 per step the new synapse must be
    # exactly (post 2, pre 0) with weight w_sp_init, and no self-connection appears.
    p = tiny_params(3, 1, sp=True, p_sp=1.0, sp_scaling=False, w_sp_init=0.001)
    w = np.full((3, 3), 0.5)
    np.fill_diagonal(w, 0.0)
    w[2, 0] = 0.0
    sim = sim_with_state(p, backend, w_ee=w)
    sim.step(1)
    assert sim.w_ee[2, 0] == 0.001
    assert (np.diagonal(sim.w_ee) == 0).all()
    assert sim.n_ee == 6
    sim.step(3)               # no free pair left: nothing happens, nothing fails
    assert sim.n_ee == 6 and (np.diagonal(sim.w_ee) == 0).all()


def test_structural_plasticity_probability_scales_with_network_size():
    small = tiny_params(200, 40, lambda_ee=20, lambda_ei=40, lambda_ie=200, p_sp=0.1)
    big = small.replace(ne=1000, ni=200, lambda_ie=1000)
    assert small.p_sp_effective == pytest.approx(0.1)
    assert big.p_sp_effective == pytest.approx(0.1 * 1000 * 999 / (200 * 199))
    assert big.replace(sp_scaling=False).p_sp_effective == pytest.approx(0.1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_structural_plasticity_rate(backend):
    # 4 units, 2 existing synapses, p = 0.25: about 0.25 new synapses per step until full.
    p = tiny_params(5, 1, sp=True, p_sp=0.25, sp_scaling=False)
    sim = sim_with_state(p, backend, w_ee=np.zeros((5, 5)))
    sim.step(40)
    created = sim.n_ee
    assert 3 <= created <= 20   # Binomial(40, 0.25): mean 10, far outside with p < 1e-3
    assert (np.diagonal(sim.w_ee) == 0).all()
    assert np.all(sim.w_ee[sim.w_ee > 0] == p.w_sp_init)


@pytest.mark.parametrize("backend", BACKENDS)
def test_symbol_input_drives_its_pool(backend):
    # Two disjoint pools of 2 units; gain 1 beats the threshold 0.5 of units in the pool.
    p = tiny_params(5, 1, input_kind="random", n_symbols=2, n_u=2, input_gain=1.0)
    sim = sim_with_state(p, backend, t_e=np.full(5, 0.5))
    sim.step(50)
    symbols = sim.recorder.symbols()
    spikes = sim.recorder.spikes_e()
    assert set(np.unique(symbols)) == {0, 1}
    for sym, row in zip(symbols, spikes, strict=True):
        expected = np.zeros(5, bool)
        expected[2 * sym: 2 * sym + 2] = True
        assert (row == expected).all()


@pytest.mark.parametrize("backend", BACKENDS)
def test_raw_input_columns_reach_units_0_to_nu_minus_1(backend):
    p = tiny_params(4, 1, input_kind="raw", nu=2)
    sim = sim_with_state(p, backend, t_e=np.full(4, 0.5))
    sim.feed_input(np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]))
    sim.step(3)
    assert sim.recorder.spikes_e().astype(int).tolist() == [[1, 0, 0, 0], [0, 1, 0, 0],
                                                           [1, 1, 0, 0]]
    with pytest.raises(ValueError, match="'n' = 1 exceeds the 0 columns of raw input"):
        sim.step(1)
