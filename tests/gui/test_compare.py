"""The Compare window: variants picked from the switches, run live in a second worker, and a
network taken back into the studio."""

from __future__ import annotations

import numpy as np
from helpers import WAIT_MS

from sorn_studio.app.worker import live_threads


def _open(window, qtbot):
    window.action("actionCompare").trigger()
    compare = window.compare_window
    assert compare is not None and compare.isVisible()
    return compare


def test_variants_run_beside_the_baseline_and_a_twin_stays_identical(window, qtbot):
    window.step(500)
    qtbot.waitUntil(lambda: window.controller.last_frame.step == 500
                    and not window.controller.running, timeout=WAIT_MS)
    compare = _open(window, qtbot)
    compare.fill_one_per_rule()
    rows = compare.rows
    assert [r.display_name() for r in rows] == ["no STDP", "no IP", "no SP", "no iSTDP"]
    assert not rows[0].switches["stdp"].isChecked() and rows[0].switches["ip"].isChecked()
    # Row 4 becomes a twin: all its switches as the baseline's, no other change.
    rows[3].switches["istdp"].setChecked(True)
    rows[3].name.setText("twin")
    assert rows[3].variant().changes == {}
    assert compare.start() is not None
    qtbot.waitUntil(lambda: compare.last_frame is not None
                    and compare.last_frame.step >= 4500, timeout=WAIT_MS)
    compare.toggle_play()
    qtbot.waitUntil(lambda: not compare.last_frame.running, timeout=WAIT_MS)
    frame = compare.last_frame
    assert frame.start_step == 500
    assert [n.name for n in frame.networks] == ["baseline", "no STDP", "no IP", "no SP", "twin"]
    twin = frame.differences[3]
    assert len(twin.steps) and np.all(twin.hamming == 0) and np.all(twin.mean_abs_dw == 0)
    assert frame.differences[0].hamming[-1] > 0
    # The studio's own network waited at step 500 the whole time.
    assert window.controller.last_frame.step == 500
    # Each column shows its network; the traces carry on the studio's history from step 1.
    assert compare.view.names == [n.name for n in frame.networks]
    assert frame.networks[1].traces.step[0] == 1
    assert not compare.setup.isVisible()
    compare.close()
    assert not any(t.objectName() == "sorn-compare" for t in live_threads())


def test_a_network_of_the_comparison_continues_in_the_studio(window, qtbot):
    compare = _open(window, qtbot)
    compare.rows[0].switches["ip"].setChecked(False)
    compare.rows[0].name.setText("without IP")
    compare.start()
    qtbot.waitUntil(lambda: compare.runner is not None, timeout=WAIT_MS)
    compare.toggle_play()
    compare.step(1000)
    qtbot.waitUntil(lambda: compare.last_frame is not None and compare.last_frame.step >= 1000
                    and not compare.last_frame.running, timeout=WAIT_MS)
    at = compare.last_frame.step
    compare.continue_in_studio(1)
    qtbot.waitUntil(lambda: window.controller.last_frame.step == at, timeout=WAIT_MS)
    frame = window.controller.last_frame
    assert frame.params.ip is False
    assert [c[:2] for c in frame.changes] == [(0, "ip")]
    # Its steps are not saved anywhere: closing would ask.
    assert frame.status.unsaved_steps == at
    assert compare.runner is None and "Continued" in compare.status.text()
    window.step(200)
    qtbot.waitUntil(lambda: window.controller.last_frame.step == at + 200, timeout=WAIT_MS)


def test_changes_that_do_not_parse_or_apply_are_refused_in_the_status_line(window, qtbot):
    compare = _open(window, qtbot)
    compare.rows[0].more.setText("eta_ip=lots")
    compare.rows[0].use.setChecked(True)
    assert compare.start() is None
    assert "variant 1" in compare.last_error and "eta_ip" in compare.last_error
    compare.rows[0].more.setText("ne=100")
    compare.start()
    qtbot.waitUntil(lambda: compare.last_error is not None and "cannot change"
                    in compare.last_error, timeout=WAIT_MS)
    assert compare.runner is None
    for row in compare.rows:
        row.use.setChecked(False)
    assert compare.start() is None and "tick at least one" in compare.last_error
    # The message takes the red of a new theme at once.
    from sorn_studio.app import theme

    dark_red = theme.color_name(theme.I_COLOR)
    theme.apply_look(theme.Look(theme.LIGHT, 1.0))
    light_red = theme.color_name(theme.I_COLOR)
    assert light_red != dark_red and light_red in compare.status.text()
    assert "tick at least one" in compare.status.text()


def test_closing_the_studio_ends_a_running_comparison(qtbot):
    from sorn_studio.app.window import MainWindow

    win = MainWindow(preset="zheng2013", seed=2, remember_layout=False)
    qtbot.addWidget(win)
    win.show()
    compare = win.open_compare()
    compare.fill_one_per_rule()
    compare.start()
    qtbot.waitUntil(lambda: compare.last_frame is not None and compare.last_frame.step > 0,
                    timeout=WAIT_MS)
    win.close()
    qtbot.waitUntil(lambda: not live_threads(), timeout=WAIT_MS)
