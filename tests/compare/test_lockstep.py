"""Lockstep comparison: a variant identical to the baseline stays identical (Hamming 0 for the
whole run), one with a rule off departs, and the traces, files and command say so."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sorn_studio import Simulation, load_preset
from sorn_studio.cli import main
from sorn_studio.compare import Lockstep, Variant, lockstep, write_comparison
from sorn_studio.session import read_session, replay_session

SMALL = dict(ne=40, ni=8, lambda_ee=5, lambda_ei=2, lambda_ie=40)


def _start(steps: int = 0):
    sim = Simulation(load_preset("zheng2013", **SMALL), 5)
    sim.run(steps)
    return sim.snapshot()


def test_a_twin_stays_identical_and_a_variant_with_a_rule_off_departs():
    run = Lockstep(_start(), [Variant("twin"), Variant("same value", {"eta_stdp": 0.004}),
                              Variant("no STDP", {"stdp": False})])
    assert run.run(6000) == 6000
    run.finish()
    twin, same, no_stdp = run.traces
    for traces in (twin, same):
        assert traces.hamming and max(traces.hamming) == 0.0
        assert max(map(abs, traces.rate_diff + traces.n_ee_diff + traces.mean_abs_dw)) == 0
    for sim in run.networks[:2]:
        assert sim.state.equals(run.baseline.state)
    assert run.tail_hamming()[:2] == [0.0, 0.0]
    assert run.tail_hamming()[2] > 1 and no_stdp.mean_abs_dw[-1] > 0
    rows = run.summary()
    assert [r["name"] for r in rows] == ["baseline", "twin", "same value", "no STDP"]
    assert rows[1]["n_ee"] == rows[0]["n_ee"] != rows[3]["n_ee"]


def test_the_hamming_trace_is_that_of_the_unpacked_spikes():
    from sorn_studio import RecordingSpec
    from sorn_studio.analysis import hamming_distance

    run = Lockstep(_start(), [Variant("no IP", {"ip": False})])
    run.run(1000)
    run.finish()
    # The same two networks again, with their spikes kept unpacked.
    a = Simulation.from_snapshot(_start(), recording=RecordingSpec(window=1000))
    b = Simulation.from_snapshot(_start(), recording=RecordingSpec(window=1000))
    b.apply_params(ip=False)
    a.run(1000)
    b.run(1000)
    expected = hamming_distance(a.recorder.spikes_e(), b.recorder.spikes_e()).mean()
    assert expected > 0 and run.traces[0].hamming == [pytest.approx(expected)]


def test_from_any_moment_of_a_run_the_variants_start_there():
    start = _start(1500)
    run = Lockstep(start, [Variant("no SP", {"sp": False})])
    run.run(2500)
    run.finish()
    assert run.start_step == 1500 and run.step == 4000
    assert run.traces[0].steps[0] > 1500 and run.traces[0].steps[-1] == 4000
    assert run.networks[0].change_log[-1][:2] == (1500, "sp")


def test_traces_are_bounded_however_long_the_run(monkeypatch):
    monkeypatch.setattr(lockstep, "MAX_POINTS", 3)
    run = Lockstep(_start(), [Variant("no IP", {"ip": False})])
    run.run(9000)
    run.finish()
    assert len(run.traces[0].steps) <= 4 and run.traces[0].steps[-1] == 9000


@pytest.mark.parametrize(("variants", "message"), [
    ([], "holds 0 variants; give 1 to 4"),
    ([Variant(str(k)) for k in range(5)], "holds 5 variants"),
    ([Variant("a"), Variant("a")], "must differ"),
    ([Variant("big", {"ne": 100})], "variant 'big': parameter 'ne' cannot change"),
    ([Variant("fast", {"eta_stdp": 5.0})], "variant 'fast': .*eta_stdp.*out of range"),
])
def test_bad_variants_are_refused_naming_them(variants, message):
    with pytest.raises(ValueError, match=message):
        Lockstep(_start(), variants)


def test_the_files_hold_the_traces_and_sessions_that_replay(tmp_path):
    run = Lockstep(_start(), [Variant("no STDP", {"stdp": False})])
    run.run(lockstep.SPAN + 500)           # two points: a full span and the rest
    written = write_comparison(run, tmp_path / "out", preset="zheng2013")
    names = sorted(p.name for p in written)
    assert names == ["baseline.npz", "comparison.json", "traces.csv", "variant1_no_STDP.npz"]
    doc = json.loads((tmp_path / "out" / "comparison.json").read_text())
    assert doc["summary"][1]["name"] == "no STDP" and doc["step"] == lockstep.SPAN + 500
    lines = (tmp_path / "out" / "traces.csv").read_text().splitlines()
    assert lines[0].startswith("variant,step,hamming") and len(lines) == 1 + 2
    for name in ("baseline.npz", "variant1_no_STDP.npz"):
        assert replay_session(tmp_path / "out" / name).matched
    info = read_session(tmp_path / "out" / "variant1_no_STDP.npz").info
    assert info.extra["compare"]["network"] == "no STDP"


def test_the_command_prints_a_line_per_network(tmp_path, capsys):
    code = main(["compare", "--preset", "zheng2013", "--steps", "3000", "--seed", "2",
                 "--variant", "stdp=off", "--variant", "eta_ip=0.01", "--quiet",
                 "--out", str(tmp_path / "cmp")])
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[0] == "network" and [ln.split()[0] for ln in lines[1:4]] == [
        "baseline", "stdp=off", "eta_ip=0.01"]
    assert lines[3].split()[1] == "0.00"            # the preset's own value: no difference
    assert float(lines[2].split()[1]) > 0
    assert (tmp_path / "cmp" / "traces.csv").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--steps", "10", "--variant", "sp=off"], "either --preset"),
    (["--preset", "zheng2013", "--steps", "10", "--variant", "x"], "--variant x"),
    (["--preset", "zheng2013", "--steps", "10", "--variant", "ne=50"], "structural"),
])
def test_the_command_refuses_bad_input_in_one_line(capsys, args, message):
    assert main(["compare", *args]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and message in err


def test_a_start_of_the_old_draw_layout_is_compared_with_a_warning():
    old = Simulation(load_preset("zheng2013", **SMALL), 5, draw_layout=1).snapshot()
    with pytest.warns(UserWarning, match="draw layout 1"):
        run = Lockstep(old, [Variant("twin")])
    run.run(500)
    assert run.tail_hamming() == [0.0]


def test_a_run_advanced_piecemeal_keeps_bounded_traces_with_weighted_means(monkeypatch):
    monkeypatch.setattr(lockstep, "MAX_POINTS", 8)
    run = Lockstep(_start(), [Variant("no IP", {"ip": False})])
    whole = Lockstep(_start(), [Variant("no IP", {"ip": False})])
    for n in (50, 70, 30, 90) * 10:          # like the studio: a chunk per frame, uneven
        run.run(n)
    whole.run(2400)
    run.finish()
    whole.finish()
    trace = run.traces[0]
    assert len(trace.steps) <= 8 and trace.steps[-1] == 2400 and sum(trace.counts) == 2400
    # The step-weighted mean over the whole run is the same however the points were merged.
    mean = np.dot(trace.hamming, trace.counts) / 2400
    assert mean == pytest.approx(np.dot(whole.traces[0].hamming, whole.traces[0].counts) / 2400)
    assert trace.n_ee_diff[-1] == whole.traces[0].n_ee_diff[-1]


# -- attribution ---------------------------------------------------------------------------------
def test_attribution_per_network_a_twin_equals_the_baseline_and_stdp_off_has_none():
    start = _start(300)
    run = Lockstep(start, [Variant("twin"), Variant("no STDP", {"stdp": False})],
                   attribution=True)
    run.run(lockstep.SPAN + 700)
    run.finish()
    base, twin, no_stdp = run.attribution_traces
    assert base.steps == run.traces[0].steps == [300 + lockstep.SPAN, 300 + lockstep.SPAN + 700]
    assert twin.parts == base.parts and base.counts == [lockstep.SPAN, 700]
    stdp_parts = ("ee_stdp_ltp", "ee_stdp_ltd", "ee_cap", "ee_prune")
    assert all(v == 0.0 for name in stdp_parts for v in no_stdp.parts[name])
    assert all(v > 0 for v in base.parts["ee_stdp_ltp"]) and no_stdp.parts["ee_sn"][0] != 0
    # The whole comparison's parts lead from the start to each network's state now, and the
    # points add up to them.
    for sim, att, trace in zip(run.all_networks, run.attribution(), run.attribution_traces,
                               strict=True):
        assert (att.start_step, att.end_step) == (300, run.step)
        np.testing.assert_allclose(start.state["w_ee"] + att.ee_total(), sim.w_ee, atol=1e-12)
        np.testing.assert_allclose(start.state["t_e"] + att.te_total(), sim.t_e, atol=1e-12)
        np.testing.assert_allclose(start.state["w_ei"] + att.ei_total(), sim.w_ei, atol=1e-12)
        totals = att.totals()
        for name, values in trace.parts.items():
            assert sum(values) == pytest.approx(totals[name], abs=1e-9)
    rows = run.summary()
    assert rows[0]["attribution"] == rows[1]["attribution"]
    assert rows[0]["attribution"]["ee_stdp_ltp_abs"] > 0
    assert rows[2]["attribution"]["ee_stdp_ltp_abs"] == 0.0
    assert rows[2]["attribution"]["ee_growth_abs"] > 0


def test_without_attribution_nothing_is_tracked_and_asking_says_how():
    run = Lockstep(_start(), [Variant("no IP", {"ip": False})])
    run.run(500)
    assert not run.tracks_attribution and run.attribution_traces == []
    assert not any(sim.tracks_attribution for sim in run.all_networks)
    assert "attribution" not in run.summary()[0]
    with pytest.raises(RuntimeError, match=r"Lockstep\(\.\.\., attribution=True\)"):
        run.attribution()


def test_attribution_traces_stay_bounded_and_keep_their_sums(monkeypatch):
    monkeypatch.setattr(lockstep, "MAX_POINTS", 4)
    run = Lockstep(_start(), [Variant("no IP", {"ip": False})], attribution=True)
    for n in (50, 70, 30, 90) * 10:
        run.run(n)
    run.finish()
    totals = run.attribution()[1].totals()
    trace = run.attribution_traces[1]
    assert len(trace.steps) <= 4 and trace.steps == run.traces[0].steps
    assert trace.counts == run.traces[0].counts and sum(trace.counts) == 2400
    assert all(v == 0.0 for v in trace.parts["te_ip"])
    for name, values in trace.parts.items():
        assert sum(values) == pytest.approx(totals[name], abs=1e-9)


def test_the_files_hold_the_attribution(tmp_path):
    run = Lockstep(_start(), [Variant("stdp=off,sp=off", {"stdp": False, "sp": False})],
                   attribution=True)
    run.run(lockstep.SPAN + 500)
    written = write_comparison(run, tmp_path / "out")
    assert tmp_path / "out" / "attribution.csv" in written
    lines = (tmp_path / "out" / "attribution.csv").read_text().splitlines()
    assert lines[0].startswith("network,step,ee_stdp_ltp,ee_stdp_ltd,") and len(lines) == 1 + 4
    assert lines[3].startswith('"stdp=off,sp=off",')
    doc = json.loads((tmp_path / "out" / "comparison.json").read_text())
    assert list(doc["attribution"]) == ["baseline", "stdp=off,sp=off"]
    assert doc["attribution"]["stdp=off,sp=off"]["ee_growth"] == [0.0, 0.0]
    assert doc["summary"][1]["attribution"]["ee_stdp_ltd_abs"] == 0.0
    assert doc["summary"][0]["attribution"]["ee_stdp_ltd_abs"] > 0
    plain = Lockstep(_start(), [Variant("twin")])
    plain.run(100)
    assert "attribution.csv" not in {p.name for p in write_comparison(plain, tmp_path / "p")}
