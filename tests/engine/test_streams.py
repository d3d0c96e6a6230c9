"""Common random numbers: networks of one seed share their input and noise whatever their
mechanisms (draw layout 2), while runs of layout 1 (older sessions) keep their old numbers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sorn_studio import RecordingSpec, Simulation, load_preset
from sorn_studio.engine import SnapshotError
from sorn_studio.engine.draws import DrawLayout
from sorn_studio.engine.streams import DRAW_LAYOUT, STREAMS, RandomStreams

SMALL = dict(ne=40, ni=8, lambda_ee=5, lambda_ei=2, lambda_ie=40)


def _symbols(layout: int, **changes) -> np.ndarray:
    # The counting task with structural plasticity and noise on, so that every part of the
    # row of draws is there to be switched off.
    base = dict(ne=60, ni=12, lambda_ee=6, lambda_ei=3, lambda_ie=40, sp=True,
                noise_sigma=0.05)
    params = load_preset("lazar2009", **{**base, **changes})
    sim = Simulation(params, 7, recording=RecordingSpec(window=3000), draw_layout=layout)
    sim.run(3000)
    return np.asarray(sim.recorder.symbols())


def test_the_input_sequence_does_not_depend_on_the_mechanisms():
    base = _symbols(2)
    for changes in ({"sp": False}, {"stdp": False, "ip": False}, {"noise_sigma": 0.0},
                    {"eta_stdp": 0.02}):
        np.testing.assert_array_equal(_symbols(2, **changes), base, err_msg=str(changes))
    # One stream (layout 1) shifts the input's draws with the width of the row: SP off gives
    # another input sequence. This is what layout 2 is for.
    assert not np.array_equal(_symbols(1, sp=False), _symbols(1))


def test_each_purpose_draws_from_its_own_stream_whatever_the_row_holds():
    params = load_preset("zheng2013", **SMALL)
    with_sp = DrawLayout.for_params(params, input_draw=True)
    without_sp = DrawLayout.for_params(params.replace(sp=False), input_draw=True)
    assert with_sp.n_sp > 0 and without_sp.sp_off == -1
    a = RandomStreams.fresh(5, np.random.default_rng(5)).block(50, with_sp)
    b = RandomStreams.fresh(5, np.random.default_rng(5)).block(50, without_sp)
    np.testing.assert_array_equal(a[:, with_sp.input_off], b[:, without_sp.input_off])
    np.testing.assert_array_equal(
        a[:, with_sp.noise_off:with_sp.noise_off + with_sp.n_noise],
        b[:, without_sp.noise_off:without_sp.noise_off + without_sp.n_noise])
    # The blocks of 50 steps are the numbers of 50 single steps (each copied: a block is
    # overwritten by the next).
    single = RandomStreams.fresh(5, np.random.default_rng(5))
    np.testing.assert_array_equal(
        np.vstack([single.block(1, with_sp).copy() for _ in range(50)]), a)


@pytest.mark.parametrize("layout", [1, 2])
def test_blocks_of_changing_lengths_give_the_numbers_of_one_long_block(layout):
    # The block's array is reused while its length stays; a new length makes a new one.
    params = load_preset("zheng2013", **SMALL)
    draws = DrawLayout.for_params(params, input_draw=True)
    whole = RandomStreams.fresh(5, np.random.default_rng(5), layout).block(101, draws).copy()
    parts = RandomStreams.fresh(5, np.random.default_rng(5), layout)
    pieces = [parts.block(n, draws).copy() for n in (50, 50, 1)]
    np.testing.assert_array_equal(np.vstack(pieces), whole)
    again = RandomStreams.fresh(5, np.random.default_rng(5), layout)
    pieces = [again.block(n, draws).copy() for n in (50, 1, 50)]
    np.testing.assert_array_equal(np.vstack(pieces), whole)


def test_a_twin_with_the_same_parameters_stays_identical_and_one_with_a_rule_off_departs():
    params = load_preset("zheng2013", **SMALL)
    base, twin, off = (Simulation(params, 3) for _ in range(3))
    off.apply_params(stdp=False)
    for _ in range(4):
        for sim in (base, twin, off):
            sim.run(500)
        assert np.array_equal(base.state.x, twin.state.x)
        assert base.rng_state == twin.rng_state
    assert not np.array_equal(base.state.w_ee, off.state.w_ee)
    # Its noise and input streams are where the baseline's are.
    assert off.rng_state["streams"]["noise"] == base.rng_state["streams"]["noise"]


def test_the_state_says_its_layout_and_a_bad_one_is_refused():
    sim = Simulation(load_preset("zheng2013", **SMALL), 1)
    assert sim.draw_layout == DRAW_LAYOUT == 2
    state = sim.rng_state
    assert state["draw_layout"] == 2 and set(state["streams"]) == set(STREAMS)
    old = Simulation(load_preset("zheng2013", **SMALL), 1, draw_layout=1)
    assert "draw_layout" not in old.rng_state and old.rng_state["bit_generator"] == "PCG64"
    for bad, message in (({"draw_layout": 3, "streams": state["streams"]}, "draw_layout must"),
                         ({"draw_layout": 2, "streams": {"input": {}}}, "draw_layout must"),
                         ({"draw_layout": 2, "streams": {**state["streams"], "sp": {"x": 1}}},
                          "stream 'sp'.* is not a valid generator state")):
        with pytest.raises(SnapshotError, match=message):
            RandomStreams.from_state(bad, "rng/current")
    snap = sim.snapshot()
    with pytest.raises(SnapshotError, match="'rng/initial' has draw layout 1"):
        sim.restore(dataclasses.replace(snap, initial_rng=old.initial_rng_state))
    with pytest.raises(ValueError, match="argument 'draw_layout' = 3"):
        Simulation(load_preset("zheng2013", **SMALL), 1, draw_layout=3)


def test_a_layout_1_run_continues_and_reports_its_layout_through_a_snapshot():
    params = load_preset("zheng2013", **SMALL)
    sim = Simulation(params, 2, draw_layout=1)
    sim.run(700)
    twin = Simulation.from_snapshot(sim.snapshot())
    assert twin.draw_layout == 1
    sim.run(300)
    twin.run(300)
    assert sim.state.equals(twin.state) and sim.rng_state == twin.rng_state
    twin.reset()
    assert twin.draw_layout == 1
