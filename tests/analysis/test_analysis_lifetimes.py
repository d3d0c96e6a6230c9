"""Synapse lifetimes from masks, weight snapshots and event logs, with censoring."""

from __future__ import annotations

import numpy as np
import pytest

from sorn_studio import analysis as an


def masks_from_lists(n: int, alive_per_step: list[list[tuple[int, int]]]) -> list[np.ndarray]:
    masks = []
    for alive in alive_per_step:
        m = np.zeros((n, n), bool)
        for i, j in alive:
            m[i, j] = True
        masks.append(m)
    return masks


# Hand-made history on a 3 x 3 matrix at steps 0, 10, 20, 30, 40:
#   (0, 1) present from the start, pruned at 20         -> initial lifetime 20 (lower bound)
#   (1, 0) created at 10, pruned at 30                   -> lifetime 20
#   (2, 0) created at 10, pruned at 20, re-created at 30 -> lifetime 10, then censored age 10
#   (1, 2) present throughout                            -> initial survivor
#   (0, 2) created at 20, alive at the end               -> censored age 20
HISTORY = [
    [(0, 1), (1, 2)],
    [(0, 1), (1, 2), (1, 0), (2, 0)],
    [(1, 2), (1, 0), (0, 2)],
    [(1, 2), (2, 0), (0, 2)],
    [(1, 2), (2, 0), (0, 2)],
]
STEPS = [0, 10, 20, 30, 40]


def check_history(result: an.SynapseLifetimes) -> None:
    assert sorted(result.lifetimes.tolist()) == [10, 20]
    assert sorted(result.censored.tolist()) == [10, 20]
    assert result.initial_lifetimes.tolist() == [20]
    assert result.n_initial_surviving == 1
    assert result.n_created == 4
    assert result.n_pruned == 3
    assert (result.start, result.end) == (0, 40)


def test_lifetimes_from_masks_exact():
    check_history(an.synapse_lifetimes(masks_from_lists(3, HISTORY), STEPS))


def test_lifetimes_from_weight_snapshots_exact():
    rng = np.random.default_rng(12)
    snapshots = [
        (step, np.where(m, rng.uniform(0.01, 1.0, m.shape), 0.0))
        for step, m in zip(STEPS, masks_from_lists(3, HISTORY), strict=True)
    ]
    check_history(an.synapse_lifetimes_from_snapshots(snapshots))


def test_lifetimes_from_events_exact():
    initial = masks_from_lists(3, HISTORY[:1])[0]
    events = [
        (30, 1, 0, "prune"),  # deliberately out of order: the function sorts by step
        (10, 1, 0, "create"),
        (10, 2, 0, "create"),
        (20, 0, 1, "prune"),
        (20, 2, 0, "prune"),
        (20, 0, 2, "create"),
        (30, 2, 0, 1),
    ]
    check_history(an.synapse_lifetimes_from_events(events, start=0, end=40, initial=initial))


def test_default_steps_are_indices_and_resolution_is_the_mask_spacing():
    masks = masks_from_lists(2, [[], [(0, 1)], [(0, 1)], []])
    result = an.synapse_lifetimes(masks)
    assert result.lifetimes.tolist() == [2]
    assert result.censored.size == 0


def test_inconsistent_input_is_rejected():
    masks = masks_from_lists(2, [[], [(0, 1)]])
    with pytest.raises(ValueError, match="increasing"):
        an.synapse_lifetimes(masks, [5, 5])
    with pytest.raises(ValueError, match="masks"):
        an.synapse_lifetimes(masks[:1])
    with pytest.raises(ValueError, match=r"masks\[1\]"):
        an.synapse_lifetimes([masks[0], np.zeros((3, 3), bool)])
    with pytest.raises(ValueError, match="does not exist"):
        an.synapse_lifetimes_from_events([(3, 0, 1, "prune")], start=0, end=5)
    with pytest.raises(ValueError, match="already exists"):
        an.synapse_lifetimes_from_events([(1, 0, 1, "create"), (2, 0, 1, "create")], start=0, end=5)
    with pytest.raises(ValueError, match="outside"):
        an.synapse_lifetimes_from_events([(9, 0, 1, "create")], start=0, end=5)


def test_kaplan_meier_hand_computed():
    # Deaths at 1, 2, 2 and censoring at 2 and 3 (5 units).
    times, survival = an.kaplan_meier([1, 2, 2, 2, 3], [True, True, True, False, False])
    np.testing.assert_array_equal(times, [1, 2])
    # S(1) = 4/5; at t = 2 four at risk, two die: S(2) = 4/5 * 2/4.
    np.testing.assert_allclose(survival, [0.8, 0.4])


def test_survival_uses_censored_lives():
    result = an.synapse_lifetimes(masks_from_lists(3, HISTORY), STEPS)
    times, survival = result.survival()
    # Durations 10*, 10c, 20*, 20c: S(10) = 3/4, S(20) = 3/4 * (1 - 1/2).
    np.testing.assert_array_equal(times, [10, 20])
    np.testing.assert_allclose(survival, [0.75, 0.375])


def test_geometric_lifetimes_recovered_from_random_pruning():
    # Each synapse dies with probability q per step: mean completed lifetime near 1/q.
    rng = np.random.default_rng(13)
    n, q, steps = 30, 0.05, 400
    mask = np.zeros((n, n), bool)
    masks = [mask.copy()]
    for _ in range(steps):
        mask = mask & (rng.random((n, n)) >= q)
        mask |= rng.random((n, n)) < 0.01
        masks.append(mask.copy())
    result = an.synapse_lifetimes(masks)
    assert result.lifetimes.size > 1000
    times, survival = result.survival()
    # Kaplan-Meier at lifetime k estimates (1 - q)^k.
    k = 10
    assert survival[times == k][0] == pytest.approx((1 - q) ** k, abs=0.04)


def test_tracker_streams_the_same_result_as_the_batch_function():
    tracker = an.SynapseLifetimeTracker()
    assert tracker.n_observed == 0
    with pytest.raises(ValueError, match="two masks"):
        tracker.result()
    for step, mask in zip(STEPS, masks_from_lists(3, HISTORY), strict=True):
        tracker.observe(step, mask)
    assert tracker.n_observed == 5
    check_history(tracker.result())
    with pytest.raises(ValueError, match="increasing"):
        tracker.observe(40, np.zeros((3, 3), bool))


def test_event_tracker_by_hand():
    # 3 neurons. At step 0 synapse (0, 1) exists. Events:
    #   step 2: create (1, 0); step 3: create (2, 1); step 5: prune (1, 0) -> lifetime 3;
    #   step 6: prune (0, 1) -> an initial synapse, at least 6 steps old;
    #   step 7: create (1, 0) again; end at step 10: (2, 1) aged 7 and (1, 0) aged 3 censored.
    initial = np.zeros((3, 3), bool)
    initial[0, 1] = True
    tracker = an.SynapseEventTracker(initial, start=0)
    tracker.apply(np.array([[2, 1, 0, 1], [3, 2, 1, 1], [5, 1, 0, -1]]))
    tracker.apply(np.empty((0, 4), np.int64))
    tracker.apply(np.array([[6, 0, 1, -1], [7, 1, 0, 1]]))
    result = tracker.result(10)
    assert result.lifetimes.tolist() == [3]
    assert result.initial_lifetimes.tolist() == [6]
    assert sorted(result.censored.tolist()) == [3, 7]
    assert (result.n_created, result.n_pruned, result.n_initial_surviving) == (3, 2, 0)
    assert (result.start, result.end) == (0, 10)


def test_event_tracker_matches_the_event_list_function_on_engine_events():
    from sorn_studio import Simulation, load_preset

    params = load_preset("zheng2013", ne=40, ni=8, lambda_ee=5, lambda_ei=2, lambda_ie=20)
    sim = Simulation(params, seed=3)
    sim.track_synapse_events(True)
    initial = sim.w_ee > 0
    tracker = an.SynapseEventTracker(initial, start=0)
    batches = []
    for _ in range(4):
        sim.run(1500)
        batches.append(sim.take_synapse_events())
        tracker.apply(batches[-1])
    events = np.concatenate(batches)
    assert len(events) > 50, "too few events to prove anything"
    exact = an.synapse_lifetimes_from_events(
        [tuple(int(v) for v in row) for row in events], start=0, end=sim.t, initial=initial)
    streamed = tracker.result(sim.t)
    for name in ("lifetimes", "censored", "initial_lifetimes"):
        assert sorted(getattr(streamed, name).tolist()) == sorted(getattr(exact, name).tolist())
    assert streamed.n_initial_surviving == exact.n_initial_surviving
    # Every synapse alive at the end is either an initial survivor or censored.
    assert streamed.n_initial_surviving + streamed.censored.size == int((sim.w_ee > 0).sum())


def test_event_tracker_refuses_inconsistent_events():
    tracker = an.SynapseEventTracker(np.eye(3, dtype=bool)[:, ::-1], start=0)
    with pytest.raises(ValueError, match=r"synapse \(0, 2\) created but already exists at step 4"):
        tracker.apply(np.array([[4, 0, 2, 1]]))
    with pytest.raises(ValueError, match=r"synapse \(0, 0\) pruned but does not exist"):
        tracker.apply(np.array([[5, 0, 0, -1]]))
    with pytest.raises(ValueError, match="expected"):
        tracker.apply(np.zeros((2, 3), np.int64))
    with pytest.raises(ValueError, match="must increase"):
        tracker.apply(np.array([[1, 0, 1, 1]]))
    with pytest.raises(ValueError, match=r"in \[0, 3\)"):
        tracker.apply(np.array([[9, 0, 3, 1]]))
    with pytest.raises(ValueError, match="kind"):
        tracker.apply(np.array([[9, 0, 1, 2]]))
    with pytest.raises(ValueError, match="before the last event"):
        tracker.result(2)


def test_event_tracker_returns_each_batch_lifetimes_and_can_keep_none():
    initial = np.zeros((3, 3), bool)
    initial[0, 1] = True
    tracker = an.SynapseEventTracker(initial, start=0, keep_lifetimes=False)
    lives = tracker.apply(np.array([[2, 1, 0, 1], [3, 2, 1, 1], [5, 1, 0, -1]]))
    assert lives.tolist() == [3] and not lives.flags.writeable
    assert tracker.apply(np.empty((0, 4), np.int64)).size == 0
    # The initial synapse's lower bound is not a completed lifetime of a new synapse.
    assert tracker.apply(np.array([[6, 0, 1, -1], [8, 2, 1, -1]])).tolist() == [5]
    assert (tracker.n_created, tracker.start, tracker.shape) == (2, 0, (3, 3))
    with pytest.raises(ValueError, match="keep_lifetimes"):
        tracker.result(10)


def test_a_tracker_joining_a_running_network_times_only_synapses_it_sees_made():
    # Every synapse is "initial" (state unknown); without strict checks a creation over one
    # is simply new, and pruning one it never saw counts as no lifetime.
    tracker = an.SynapseEventTracker(np.ones((2, 2), bool), start=10, strict=False)
    lives = tracker.apply(np.array([[11, 0, 1, -1], [12, 0, 1, 1], [15, 0, 1, -1],
                                    [15, 0, 1, -1], [16, 1, 0, 1]]))
    assert lives.tolist() == [3]
    result = tracker.result(20)
    assert result.initial_lifetimes.tolist() == [1] and result.censored.tolist() == [4]
    assert (result.n_created, result.n_pruned) == (2, 2)


def test_event_tracker_checks_each_index_against_its_own_axis():
    tracker = an.SynapseEventTracker(np.zeros((2, 5), bool))
    assert tracker.apply(np.array([[1, 1, 4, 1]])).size == 0
    with pytest.raises(ValueError, match=r"\[0, 2\) \(post\)"):
        tracker.apply(np.array([[2, 2, 0, 1]]))


def test_lifetimes_from_events_without_initial_synapses():
    result = an.synapse_lifetimes_from_events([(4, 2, 0, "create"), (9, 2, 0, "pruned")],
                                              start=0, end=12)
    assert result.lifetimes.tolist() == [5] and result.censored.size == 0
    empty = an.synapse_lifetimes_from_events([], start=0, end=3)
    assert (empty.n_created, empty.n_pruned, empty.n_initial_surviving) == (0, 0, 0)
    with pytest.raises(ValueError, match="unknown kind"):
        an.synapse_lifetimes_from_events([(1, 0, 0, "grow")], start=0, end=3)
