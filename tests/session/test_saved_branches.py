"""A session keeps the studio run's tree of branches: replay re-runs every branch from step 0
and checks its end, a reopened run has its branches back (rebuilt by their logs), and a
damaged tree is refused with a message naming the branch and the field."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import DrivenRunner

from sorn_studio import load_preset
from sorn_studio.cli import main
from sorn_studio.session import SessionError, read_session, replay_session, save_session
from sorn_studio.session.files import simulation_of
from sorn_studio.studio.defaults import make_simulation

SMALL = dict(ne=40, ni=8, lambda_ee=8, lambda_ei=4, lambda_ie=40)


def _branched() -> DrivenRunner:
    """Branch 0 to step 2 000 (STDP off at 1 000); branch 1 from its step 1 500 with eta_ip
    0.02, to 2 200; the run back on branch 0, at step 1 000 (behind its end)."""
    d = DrivenRunner(make_simulation(load_preset("zheng2013", **SMALL), seed=8, window=2000))
    d.do(("step", 1000))
    d.runner.apply_params(stdp=False)
    d.do(("step", 1000), ("go_to", 1500))
    d.runner.apply_params(eta_ip=0.02)
    d.do(("step", 700), ("switch_branch", 0), ("go_to", 1000))
    return d


def _save(d: DrivenRunner, path):
    future = d.runner.call(lambda sim: save_session(sim, path, history=d.runner.history_points(),
                                                    branches=d.runner.branch_tree()))
    d.settle()
    return future.result(0)


def _rewrite(path, change) -> None:
    """Rewrite the file's branches item through ``change(tree_json)``."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    tree = json.loads(str(arrays["branches"][()]))
    change(tree)
    arrays["branches"] = np.array(json.dumps(tree))
    np.savez(path, **arrays)


def test_replay_verifies_every_branch_of_a_saved_run(tmp_path, capsys):
    path = _save(_branched(), tmp_path / "tree.npz")
    tree = read_session(path).info.branches
    assert tree.current == 0 and [b.id for b in tree.branches] == [0, 1]
    b0, b1 = tree.branches
    assert (b0.tip_step, b1.parent, b1.fork_step, b1.tip_step) == (2000, 0, 1500, 2200)
    assert [e[1] for e in b1.log] == ["stdp", "eta_ip"] and b0.digest and b1.digest
    result = replay_session(path)
    assert result.matched, result.message
    assert [(c.branch, c.matched) for c in result.branches] == [(0, True), (1, True)]
    assert main(["replay", str(path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "branch 1: replayed 2200 steps, it ends exactly where it ended" in out
    # A branch whose end was not the one recorded fails the replay, and says which.
    _rewrite(path, lambda t: t["branches"][1].update(digest="0" * 64))
    result = replay_session(path)
    assert not result.matched and "branch(es) [1] end elsewhere" in result.message
    assert main(["replay", str(path), "--quiet"]) == 1


def test_a_reopened_run_has_its_branches_and_rebuilds_them(tmp_path):
    path = _save(_branched(), tmp_path / "tree.npz")
    data = read_session(path)
    sim, _meta = simulation_of(data)
    d = DrivenRunner(make_simulation(load_preset("zheng2013", **SMALL), seed=1, window=2000))
    d.runner.replace_simulation(sim, branches=data.info.branches)
    frame = d.settle()
    assert frame.step == 1000 and frame.timeline.tip_step == 2000
    assert [(r.id, r.parent) for r in frame.timeline.branches] == [(0, None), (1, 0)]
    # Branch 1 was never in memory here: it is rebuilt from step 0 by its log.
    frame = d.do(("switch_branch", 1))
    assert frame.step == 2200 and not d.errors
    rebuilt = d.sim().snapshot().digest()
    assert rebuilt == data.info.branches.branches[1].digest
    # Playing on from the reopened step gives branch 0 again.
    frame = d.do(("switch_branch", 0))
    assert d.sim().snapshot().digest() == data.info.branches.branches[0].digest


def test_one_branch_at_its_end_saves_no_tree(tmp_path):
    d = DrivenRunner(make_simulation(load_preset("zheng2013", **SMALL), seed=8, window=2000))
    d.do(("step", 700))
    assert read_session(_save(d, tmp_path / "plain.npz")).info.branches is None


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.update(version=7), "has version 7"),
    (lambda t: t.update(current=5), "'current' = 5 is not one of the branches [0, 1]"),
    (lambda t: t["branches"][1].update(parent=1), "branch 1: parent 1 must be a branch listed"),
    (lambda t: t["branches"][0].update(parent=0), "the first, must have parent null"),
    (lambda t: t["branches"][1].update(tip_step=10), "tip_step 10 comes before fork_step"),
    (lambda t: t["branches"][1].update(fork_step=-1), "'fork_step' = -1 must be a whole"),
    (lambda t: t["branches"][1].update(digest="xyz"), "'digest' must be null or 64 hex"),
    (lambda t: t["branches"][1]["log"].append([10, "ne", 1, 2]), "branch 1: its log is not"),
    (lambda t: t["branches"][1].pop("note"), "branch entry 1 must be an object with exactly"),
    (lambda t: t["branches"].extend([t["branches"][1]] * 40), "list of 1 to 32 branches"),
    (lambda t: (t.update(current=1), t["branches"][1].update(fork_step=900, tip_step=900,
                                                           log=[])),
     "the current branch 1 does not pass through the saved run"),
    (lambda t: t["branches"][0].update(tip_step=1200, log=[]),
     "branch 1: fork_step 1500 lies beyond the tip of its parent 0 (step 1200)"),
    (lambda t: t.update(branches="all"), "'branches' must be a list"),
    (lambda t: t["branches"].extend([dict(t["branches"][1], id=3),
                                     dict(t["branches"][1], id=2, parent=3)]),
     "branch 2: parent 3 must be a branch listed before it, with a smaller number"),
    (lambda t: t["branches"][0].update(log=[[500, "stdp", True, False]] + t["branches"][0]["log"]),
     "has a change before step 1000 the run did not make"),
])
def test_a_damaged_tree_is_refused_naming_the_branch_and_field(tmp_path, change, message):
    path = _save(_branched(), tmp_path / "tree.npz")
    _rewrite(path, change)
    with pytest.raises(SessionError, match="item 'branches'") as err:
        read_session(path)
    assert message in str(err.value)


def test_stopping_a_replay_while_it_checks_the_branches_is_no_match(tmp_path, monkeypatch):
    import sorn_studio.engine.simulation as simulation

    path = _save(_branched(), tmp_path / "tree.npz")
    monkeypatch.setattr(simulation, "MAX_CHUNK", 100)   # checked for stopping every 100 steps
    asked = []
    seen = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 15                          # the run itself needs about 10

    result = replay_session(path, should_stop=stop, progress=lambda d, n: seen.append((d, n)))
    assert result.stopped and not result.matched
    assert "while checking the branches" in result.message
    assert result.branches[-1].stopped and result.branches[-1].matched is None
    # One count over the run and the branches: 1 000 + 2 000 + 2 200 steps.
    assert {n for _d, n in seen} == {5200} and seen[-1][0] > 1000
