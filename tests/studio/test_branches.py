"""Time travel in the studio's runner: going back to a checkpoint, branches, and a branch
continued from a checkpoint equal to an uninterrupted run with the same changes, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import DrivenRunner

from sorn_studio import Simulation, load_preset
from sorn_studio.studio.branches import MAX_BRANCHES
from sorn_studio.studio.checkpoints import Checkpoint, Gathered
from sorn_studio.studio.defaults import UniformRawInput, make_simulation
from sorn_studio.studio.history import History

SMALL = dict(ne=40, ni=8, lambda_ee=8, lambda_ei=4, lambda_ie=40)
SEED = 5
WINDOW = 2000


def _params():
    return load_preset("zheng2013", **SMALL)


def Driven(**kwargs) -> DrivenRunner:  # noqa: N802 - reads like the class it makes
    """A ticked runner on this file's network."""
    return DrivenRunner(make_simulation(_params(), seed=SEED, window=WINDOW), **kwargs)


def straight(*calls) -> Simulation:
    """The uninterrupted run: ``("run", n)`` and ``("apply", {changes})`` in order."""
    sim = make_simulation(_params(), seed=SEED, window=WINDOW)
    for what, arg in calls:
        if what == "run":
            sim.run(arg)
        else:
            sim.apply_params(**arg)
    sim.run(0)
    return sim


def same_run(a: Simulation, b: Simulation) -> None:
    assert a.t == b.t
    assert a.state.equals(b.state)
    assert a.rng_state == b.rng_state
    assert a.change_log == b.change_log
    assert a.params == b.params


def test_going_back_and_playing_on_gives_the_same_run_again():
    d = Driven()
    d.do(("step", 1000))
    d.runner.apply_params(stdp=False)
    frame = d.do(("step", 1000))
    assert frame.timeline.checkpoints == (0, 500, 1000, 1500, 2000)
    first = d.sim().snapshot()
    frame = d.do(("go_to", 500))
    assert frame.step == 500 and frame.timeline.tip_step == 2000
    assert frame.changes == ()                      # stdp was switched off later, at 1 000
    frame = d.do(("step", 1500))
    sim = d.sim()
    again = sim.snapshot()
    assert again.rng == first.rng and again.change_log == first.change_log
    assert all(np.array_equal(again.state[k], first.state[k]) for k in first.state)
    same_run(sim, straight(("run", 1000), ("apply", {"stdp": False}), ("run", 1000)))
    assert len(frame.timeline.branches) == 1 and not d.errors


def test_a_change_after_going_back_starts_a_branch_that_equals_an_uninterrupted_run():
    d = Driven()
    d.do(("step", 1000))
    d.runner.apply_params(stdp=False)
    d.do(("step", 1000))
    d.do(("go_to", 500), ("step", 1000))            # the logged change is made again at 1 000
    d.runner.apply_params(eta_ip=0.02)             # behind the tip: a branch at 1 500
    frame = d.do(("step", 700))
    same_run(d.sim(), straight(("run", 1000), ("apply", {"stdp": False}), ("run", 500),
                               ("apply", {"eta_ip": 0.02}), ("run", 700)))
    rows = {row.id: row for row in frame.timeline.branches}
    assert sorted(rows) == [0, 1] and rows[1].current and not rows[0].current
    assert (rows[1].parent, rows[1].fork_step, rows[1].tip_step) == (0, 1500, 2200)
    assert rows[0].tip_step == 2000
    assert "eta IP" in rows[1].changes and "0.02" in rows[1].changes
    # Back to the first branch: its tip exactly, and on from there as if never left.
    frame = d.do(("switch_branch", 0))
    assert frame.step == 2000 and frame.timeline.current == 0
    frame = d.do(("step", 300))
    same_run(d.sim(), straight(("run", 1000), ("apply", {"stdp": False}), ("run", 1300)))
    # And to the new one again.
    frame = d.do(("switch_branch", 1))
    assert frame.step == 2200 and not d.errors


def test_a_branch_whose_tip_was_not_kept_is_rebuilt_by_its_log():
    probe = make_simulation(_params(), seed=SEED, window=WINDOW)
    probe.run(WINDOW)                               # a checkpoint with a full window
    one = Checkpoint.take(probe, Gathered(History(64, 3)), WINDOW).nbytes
    # Room for about four checkpoints: the tips of left branches are thinned away too.
    d = Driven(every=200, checkpoint_bytes=4 * one + one // 2)
    d.do(("step", 600))
    d.runner.apply_params(eta_stdp=0.01)
    d.do(("step", 600))
    d.do(("go_to", d.frames[-1].timeline.checkpoints[0]), ("step", 300))
    d.runner.apply_params(stdp=False)
    frame = d.do(("step", 2000))
    assert frame.timeline.nbytes <= frame.timeline.max_bytes
    frame = d.do(("switch_branch", 0))
    assert frame.step == 1200 and not d.errors
    same_run(d.sim(), straight(("run", 600), ("apply", {"eta_stdp": 0.01}), ("run", 600)))


def test_branch_from_just_before_a_change():
    d = Driven()
    d.do(("step", 1000))
    d.runner.apply_params(stdp=False)
    d.do(("step", 500))
    d.runner.apply_params(eta_ip=0.02)
    d.do(("step", 800))
    frame = d.do(("branch_before", 1))              # before eta IP at 1 500
    assert frame.step == 1500 and frame.timeline.current == 1
    row = frame.timeline.branches[1]
    assert row.fork_step == 1500 and row.parent == 0 and row.changes.startswith("before eta IP")
    d.do(("step", 400))
    same_run(d.sim(), straight(("run", 1000), ("apply", {"stdp": False}), ("run", 900)))
    # Before the first change: the run as it was at 1 000, no change at all.
    frame = d.do(("switch_branch", 0), ("branch_before", 0))
    assert frame.step == 1000 and frame.changes == ()
    assert frame.timeline.branches[-1].parent == 0 and not d.errors


def test_bad_requests_are_refused_and_the_run_stays_usable():
    d = Driven()
    d.do(("step", 1000))
    d.do(("go_to", 700))                            # no checkpoint there
    assert "no checkpoint at step 700" in d.errors[-1] and "[0, 500, 1000]" in d.errors[-1]
    d.do(("switch_branch", 4))
    assert "there is no branch 4" in d.errors[-1]
    d.do(("branch_before", 0))
    assert "argument 'index' = 0" in d.errors[-1]
    d.do(("delete_branch", 0))
    assert "cannot be deleted" in d.errors[-1]
    assert d.do(("step", 10)).step == 1010


def test_branches_are_bounded_and_can_be_deleted():
    d = Driven(every=100)
    d.do(("step", 200))
    for k in range(MAX_BRANCHES - 1):
        d.do(("go_to", 100))
        d.runner.apply_params(eta_ip=0.02 + 0.001 * k)
        d.settle()
    frame = d.do(("step", 1))
    assert len(frame.timeline.branches) == MAX_BRANCHES and not d.errors
    d.do(("go_to", 100))
    d.runner.apply_params(eta_ip=0.5)
    d.settle()
    assert "the most it may have" in d.errors[-1]
    assert d.sim().params.eta_ip == _params().eta_ip   # the refused change is not made
    d.do(("delete_branch", 3))
    frame = d.do(("refresh",))
    assert 3 not in [row.id for row in frame.timeline.branches]
    assert len(frame.timeline.branches) == MAX_BRANCHES - 1


def test_reset_starts_a_new_timeline():
    d = Driven()
    d.do(("step", 1000))
    d.do(("go_to", 500))
    d.runner.apply_params(stdp=False)
    frame = d.do(("step", 10))
    assert len(frame.timeline.branches) == 2
    frame = d.do(("reset",))
    assert frame.timeline.branches[0].tip_step == 0 and len(frame.timeline.branches) == 1
    assert frame.timeline.checkpoints == (0,)


def test_attribution_traces_over_the_run_and_through_time_travel():
    d = Driven()
    d.do(("step", 500))
    assert d.frames[-1].attribution is None                   # not measured unless asked
    start = d.sim().w_ee.sum()
    d.runner.measure_attribution(True)
    d.runner.apply_params(stdp=False)
    frame = d.do(("step", 1500))
    points = frame.attribution
    assert points.step[-1] == 2000 and np.all(np.diff(points.step) > 0)
    steps = np.diff(np.concatenate([[500], points.step]))
    totals = {name: float((rates * steps).sum()) for name, rates in points.rates.items()}
    assert totals["ee_stdp_ltp"] == 0.0 and totals["ee_stdp_ltd"] == 0.0   # STDP was off
    assert totals["ee_growth"] > 0 and totals["ee_sn"] != 0
    ee = sum(v for k, v in totals.items() if k.startswith("ee_"))
    assert ee == pytest.approx(d.sim().w_ee.sum() - start, abs=1e-9)
    # Back at a checkpoint the traces are those of that step, and go on from there.
    frame = d.do(("go_to", 1500))
    assert frame.attribution.step[-1] <= 1500
    frame = d.do(("step", 200))
    assert frame.attribution.step[-1] == 1700
    # The change of every synapse between two checkpoints, and up to now.
    delta = d.runner.weight_change(1000, 1500)
    d.settle()
    change = delta.result(0)
    assert change.shape == (SMALL["ne"], SMALL["ne"]) and np.abs(change).max() > 0
    d.runner.measure_attribution(False)
    assert d.do(("step", 10)).attribution is None and not d.errors


def test_raw_input_from_the_studio_comes_again_after_going_back():
    params = load_preset("sorn-0.7.4", **SMALL)
    source = UniformRawInput(5)

    def runner(**kwargs) -> DrivenRunner:
        return DrivenRunner(make_simulation(params, seed=2, window=WINDOW),
                            raw_source=UniformRawInput(5), **kwargs)

    d = runner()
    d.do(("step", 1700))
    first = d.sim().snapshot()
    d.do(("go_to", 1000), ("step", 700))             # fed again from the same columns
    again = d.sim().snapshot()
    assert again.rng == first.rng
    assert all(np.array_equal(again.state[k], first.state[k]) for k in first.state)
    # Chunks of another size see the same columns too: the input is a function of the column.
    other = runner(every=300)
    other.do(("step", 1700))
    assert np.array_equal(other.sim().state.w_ee, first.state["w_ee"])
    assert np.array_equal(source(params.nu, 1000, 50), source(params.nu, 0, 1050)[:, 1000:])


def test_a_run_taken_over_late_branches_before_its_first_changes():
    sim = make_simulation(_params(), seed=SEED, window=WINDOW)
    sim.run(200)
    sim.apply_params(stdp=False)
    sim.run(300)
    sim.apply_params(eta_ip=0.02, eta_stdp=0.01)       # asked for, not made yet
    d = DrivenRunner(sim)
    frame = d.do(("step", 100))
    assert [c[1] for c in frame.changes] == ["stdp", "eta_ip", "eta_stdp"]
    first = d.sim().snapshot()
    frame = d.do(("go_to", 500), ("step", 100))       # the takeover step, changes included
    assert d.sim().snapshot().digest() == first.digest() and not d.errors
    # Before a change made before the takeover: rebuilt from step 0.
    frame = d.do(("branch_before", 0))
    assert frame.step == 200 and frame.changes == () and not d.errors
    d.do(("step", 100))
    same_run(d.sim(), straight(("run", 300)))


def test_a_branch_that_cannot_be_rebuilt_is_refused_and_nothing_changes():
    params = load_preset("sorn-0.7.4", **SMALL)
    columns = UniformRawInput(3)
    sim = make_simulation(params, seed=2, window=WINDOW)
    sim.feed_input(columns(params.nu, 0, 300))
    sim.run(200)
    sim.apply_params(stdp=False)
    sim.run(50)
    sim.feed_input(columns(params.nu, 300, 300))      # the used columns are dropped
    d = DrivenRunner(sim, raw_source=UniformRawInput(3))
    before = d.do(("step", 100))
    frame = d.do(("branch_before", 0))
    assert "no checkpoint lies on the run before that change" in d.errors[-1]
    assert frame.timeline.branches == before.timeline.branches and frame.step == 350
    assert d.do(("step", 10)).step == 360 and len(d.errors) == 1
