"""Sweep from here: the paused network continued over a grid on a local Dask cluster, in a
process of its own, while the studio stays usable; plots that fill in, a heatmap, and a
finished network opened in the studio."""

from __future__ import annotations

import numpy as np
import psutil
import pytest
from helpers import WAIT_MS

from sorn_studio.session import load_session

#: A sweep's process, its cluster and the networks take longer than a studio frame.
SWEEP_MS = max(WAIT_MS, 180_000)


def _open(window, qtbot, folder, steps=400, workers=1):
    window.step(300)
    qtbot.waitUntil(lambda: window.controller.last_frame.step == 300
                    and not window.controller.running, timeout=WAIT_MS)
    window.action("actionSweep").trigger()
    sweep = window.sweep_window
    assert sweep is not None and sweep.isVisible()
    sweep.param_combos[0].setCurrentIndex(sweep.param_combos[0].findData("eta_stdp"))
    sweep.value_edits[0].setText("0.002, 0.008")
    sweep.seeds_spin.setValue(2)
    sweep.steps_spin.setValue(steps)
    sweep.workers_spin.setValue(workers)
    sweep.folder_edit.setText(str(folder))
    return sweep


def test_a_sweep_from_here_fills_in_and_a_network_opens_in_the_studio(window, qtbot,
                                                                      tmp_path):
    sweep = _open(window, qtbot, tmp_path / "sweep", workers=2)
    assert sweep.count_label.text() == "4 networks of 400 steps"
    assert sweep.start()
    qtbot.waitUntil(lambda: sweep.process is not None, timeout=WAIT_MS)
    # The studio goes on while the sweep runs in its own process.
    window.step(7)
    qtbot.waitUntil(lambda: window.controller.last_frame.step == 307, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: sweep.process is None, timeout=SWEEP_MS)
    assert sweep.last_error is None, sweep.last_error
    assert "4 of 4 done" in sweep.status.text() and sweep.progress.value() == 4
    assert len(sweep.records) == 4
    assert all(r["status"] == "done" and len(r["trace"]["t"]) == 50
               for r in sweep.records.values())
    # Small multiples: per grid point a fraction and a rate plot, a curve per kind of noise.
    assert sorted(sweep.view.fraction_plots) == [(0.002,), (0.008,)]
    for plot in [*sweep.view.fraction_plots.values(), *sweep.view.rate_plots.values()]:
        assert len(plot.listDataItems()) == 2
    # The heatmap: the mean over both kinds of noise at each value, the faster STDP lower.
    sweep._show_heatmap()
    matrix = sweep.heatmap.matrix
    assert matrix.shape == (2, 1) and np.isfinite(matrix).all()
    expected = [np.mean([r["connection_fraction"] for r in sweep.records.values()
                         if r["eta_stdp"] == value]) for value in (0.002, 0.008)]
    np.testing.assert_allclose(matrix[:, 0], expected)
    # The table lists the grid in order; the own-noise network at eta 0.008 opens in the
    # studio at step 300 + 400, with the sweep's change applied.
    texts = [[sweep.table.item(r, c).text() for c in range(3)]
             for r in range(sweep.table.rowCount())]
    assert texts == [["0.002", "own", "done"], ["0.002", "seed 1", "done"],
                     ["0.008", "own", "done"], ["0.008", "seed 1", "done"]]
    path = sweep.session_of_row(2)
    sim, _ = load_session(path)
    window.confirm_discard = False
    sweep.open_row(2)
    qtbot.waitUntil(lambda: window.controller.last_frame.step == 700, timeout=WAIT_MS)
    frame = window.controller.last_frame
    assert frame.params.eta_stdp == 0.008 and sim.t == 700
    assert (tmp_path / "sweep" / "start.npz").exists()
    assert (tmp_path / "sweep" / "results.csv").exists()


def test_stopping_a_sweep_keeps_what_finished_and_leaves_no_process(window, qtbot, tmp_path):
    sweep = _open(window, qtbot, tmp_path / "sweep", steps=60_000, workers=2)
    assert sweep.start()
    qtbot.waitUntil(lambda: sweep._done >= 1, timeout=SWEEP_MS)
    process = psutil.Process(int(sweep.process.processId()))
    family = [process, *process.children(recursive=True)]
    sweep.stop()
    qtbot.waitUntil(lambda: sweep.process is None, timeout=SWEEP_MS)
    done, text = sweep._done, sweep.status.text()
    assert 1 <= done < 4 and text.startswith(f"Stopped: {done} of 4 "), (done, text)
    # A stop between a network's file and its record line leaves one file more.
    assert done <= len(list((tmp_path / "sweep" / "cells").glob("*.json"))) <= done + 1, text
    _, alive = psutil.wait_procs(family, timeout=30)
    assert not alive, alive
    assert sweep.start_button.isEnabled() and not sweep.stop_button.isEnabled()


def test_closing_the_window_stops_its_sweep_without_blocking(window, qtbot, tmp_path):
    sweep = _open(window, qtbot, tmp_path / "sweep", steps=400_000)
    assert sweep.start()
    qtbot.waitUntil(lambda: sweep.process is not None, timeout=WAIT_MS)
    sweep.close()
    assert not sweep.isVisible() and sweep.process is not None  # hidden, still stopping
    window.step(5)
    qtbot.waitUntil(lambda: window.controller.last_frame.step == 305, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: sweep.process is None, timeout=SWEEP_MS)


@pytest.mark.parametrize(("fill", "message"), [
    (lambda s: s.value_edits[0].setText("0.001, 0.001"), "a value is given twice"),
    (lambda s: s.value_edits[0].setText(",".join(str(0.001 * k) for k in range(1, 10))),
     "at most 8"),
    (lambda s: s.value_edits[0].setText("fast"), "eta_stdp"),
    (lambda s: (s.param_combos[1].setCurrentIndex(s.param_combos[1].findData("eta_stdp")),
                s.value_edits[1].setText("0.1")), "chosen twice"),
])
def test_a_bad_grid_is_named_before_anything_runs(window, qtbot, tmp_path, fill, message):
    sweep = _open(window, qtbot, tmp_path / "sweep")
    fill(sweep)
    assert message in sweep.count_label.text()
    assert not sweep.start() and message in sweep.last_error
    assert not (tmp_path / "sweep").exists()


def test_a_folder_in_use_is_refused(window, qtbot, tmp_path):
    (tmp_path / "sweep").mkdir()
    (tmp_path / "sweep" / "other.txt").write_text("mine")
    sweep = _open(window, qtbot, tmp_path / "sweep")
    assert not sweep.start() and "is not empty" in sweep.last_error
    # The message takes the red of a new theme at once.
    from sorn_studio.app import theme

    theme.apply_look(theme.Look(theme.LIGHT, 1.0))
    assert theme.color_name(theme.I_COLOR) in sweep.status.text()
    assert "is not empty" in sweep.status.text()
    assert (tmp_path / "sweep" / "other.txt").read_text() == "mine"
