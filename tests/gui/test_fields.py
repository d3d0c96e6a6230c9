"""Honest fields: refused values say why and change nothing; fields that do not apply are off."""

from __future__ import annotations

import math

import pytest
from helpers import WAIT_MS
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLabel, QLineEdit, QWidget

from sorn_studio.app.fields import FloatField, IntField, RefusalNote
from sorn_studio.app.param_panel import FieldEditor, field_tooltip
from sorn_studio.app.window import MainWindow
from sorn_studio.presets import get_preset


def type_into(widget: QWidget, text: str) -> None:
    """Select what the field shows, type ``text`` and press Return, as a user would."""
    assert widget.isEnabled(), f"{widget.objectName()} is disabled"
    widget.setFocus()
    widget.selectAll()
    if isinstance(widget, QAbstractSpinBox):
        # A spin box's selectAll leaves its suffix alone; what the user types replaces the rest.
        widget.lineEdit().setSelection(0, len(widget.cleanText()))
    QTest.keyClicks(widget, text)
    QTest.keyClick(widget, Qt.Key.Key_Return)


def shown(widget: QWidget) -> str:
    return widget.cleanText() if isinstance(widget, QAbstractSpinBox) else widget.text()


def steps_then_log(qtbot, win: MainWindow, n: int = 20) -> list:
    """Run ``n`` steps and return the simulation's change log (read in the worker)."""
    target = win.controller.last_frame.step + n
    win.controller.flush_params()
    win.step(n)
    qtbot.waitUntil(lambda: win.controller.last_frame.step >= target
                    and not win.controller.last_frame.running, timeout=WAIT_MS)
    return win.controller.runner.call(lambda sim: sim.change_log).result(WAIT_MS / 1000)


def assert_refused(widget: QWidget, note: RefusalNote, before: str, *words: str) -> None:
    """The field shows its old text, is marked red, and a visible message says why."""
    assert shown(widget) == before
    assert widget.property("refused") is True
    assert note.widget is widget and note.label.isVisible()
    for word in words:
        assert word in note.message(), (word, note.message())


def panel(win: MainWindow, name: str) -> FieldEditor:
    return win.param_panel.editors[name]


# What to type into each kind of field, and the words its refusal must contain.
BAD_FLOAT = [("abc", "not a number"), ("-0.5", "out of range"), ("1e9", "out of range"),
             ("nan", "not a finite number")]
BAD_INT = [("abc", "not a number"), ("-3", "out of range"), ("2.5", "not a whole number"),
           ("1e12", "out of range")]


def test_panel_and_control_fields_refuse_bad_values_and_apply_nothing(qtbot, window):
    params = window.model.pending
    window.model.offer("input_kind", "counting")  # so that Counting n applies
    cases = [
        # (widget, note, bad inputs, allowed range text)
        (panel(window, "eta_stdp").widget, panel(window, "eta_stdp").note, BAD_FLOAT,
         "[0, 1] per step"),
        (panel(window, "mu_ip").widget, panel(window, "mu_ip").note,
         BAD_FLOAT + [("0", "out of range")], "(0, 1] spikes/step"),
        (panel(window, "ne").widget, panel(window, "ne").note, BAD_INT, "[2, 5000] neurons"),
        (window.controls.findChild(FloatField, "noiseSpin"), window.controls_note, BAD_FLOAT,
         "[0, 10]"),
        (window.controls.findChild(IntField, "countingNSpin"), window.controls_note, BAD_INT,
         "[1, 1000] repeats"),
    ]
    for widget, note, bad, allowed in cases:
        before = shown(widget)
        for text, why in bad:
            type_into(widget, text)
            assert_refused(widget, note, before, why, allowed, f"Kept {before}")
    assert window.model.pending == params.replace(input_kind="counting")
    # The spin boxes did not clamp: nothing reached the running network.
    assert steps_then_log(qtbot, window) == []
    assert window.controller.last_frame.params == params
    # A good value clears the mark and goes live.
    eta = panel(window, "eta_stdp")
    type_into(eta.widget, "0.008")
    assert eta.widget.property("refused") is False and not eta.note.label.isVisible()
    (change,) = steps_then_log(qtbot, window)
    assert (change.name, change.old, change.new) == ("eta_stdp", 0.004, 0.008)


def test_cross_field_and_list_refusals_speak_the_users_words(qtbot, window):
    editor = panel(window, "lambda_ee")
    type_into(editor.widget, "500")
    assert_refused(editor.widget, editor.note, "20", "E->E in-degree", "[0, 199]", "Kept 20")
    assert "lambda_ee" not in editor.note.message()
    probs = panel(window, "word_probs")
    window.model.offer("input_kind", "words")
    type_into(probs.widget, "0.5,0.4")
    assert_refused(probs.widget, probs.note, "0.666667,0.333333", "Word probabilities",
                   "sum to 1")
    assert "word_probs" not in probs.note.message()
    # A choice can clash with other fields too: 6 counting symbols x 40 units > 200 neurons.
    window.model.offer("input_kind", "none")
    window.model.offer("n_u", 40)
    inputs = window.controls.findChild(QComboBox, "inputCombo")
    index = inputs.findData("counting")
    inputs.setCurrentIndex(index)
    inputs.activated.emit(index)
    assert inputs.currentData() == "none" and window.model.pending.input_kind == "none"
    assert inputs.property("refused") is True
    assert "Units per symbol" in window.controls_note.message()


def test_words_change_with_a_single_message_in_the_words_shown(qtbot, window):
    window.model.offer("input_kind", "words")
    words = window.controls.findChild(QLineEdit, "wordsEdit")
    # Three words while the (hidden) probabilities have two: taken, with equal chances.
    type_into(words, "ABC,DEF,GHI")
    assert window.model.pending.words == ("ABC", "DEF", "GHI")
    assert window.model.pending.word_probs == pytest.approx((1 / 3,) * 3)
    assert "Words \u2192 ABC,DEF,GHI" in window.pending_label.text()
    # An empty word: one message, in the controls, naming the field the student sees.
    type_into(words, "ABC,,GHI")
    assert_refused(words, window.controls_note, "ABC,DEF,GHI", "Words")
    assert "word_probs" not in window.controls_note.message()
    shown_messages = [w.text() for w in window.findChildren(QLabel)
                      if w.isVisible() and "Words" in w.text() and "empty" in w.text()]
    assert len(shown_messages) == 1, shown_messages
    assert window.statusBar().currentMessage() == ""


def test_run_control_numbers_refuse_with_their_range(qtbot, window):
    window.speed_combo.setCurrentIndex(1)
    for name, bad, allowed in (("seedSpin", "-1", "[0, 2147483647]"),
                               ("speedSpin", "0.05", "[0.1, 1000000] steps/s"),
                               ("stepNSpin", "0", "[1, 100000000] steps")):
        widget = window.controls.findChild(FloatField if name == "speedSpin" else IntField,
                                           name)
        before = shown(widget)
        type_into(widget, bad)
        assert_refused(widget, window.controls_note, before, allowed)
        type_into(widget, "abc")
        assert_refused(widget, window.controls_note, before, "not a number", allowed)
    steps_then_log(qtbot, window, 5)
    assert window.controller.last_frame.status.speed_limit == 500
    window.speed_combo.setCurrentIndex(0)
    window.action("actionStepN").trigger()  # still 1000 steps, not 0
    qtbot.waitUntil(lambda: window.controller.last_frame.step == 1005
                    and not window.controller.last_frame.running, timeout=WAIT_MS)
    assert window.seed_spin.value() == 1


def test_retyping_what_a_field_shows_changes_nothing(qtbot, window):
    noise = window.controls.findChild(FloatField, "noiseSpin")
    assert window.model.pending.noise_sigma == math.sqrt(0.05)
    assert shown(noise) == "0.223607"
    changes = []
    window.model.pending_changed.connect(lambda: changes.append(window.model.pending))
    for widget in (noise, panel(window, "noise_sigma").widget, panel(window, "eta_stdp").widget,
                   panel(window, "ne").widget, panel(window, "lambda_ee").widget):
        type_into(widget, shown(widget))
    window.model.offer("input_kind", "words")
    changes.clear()
    for widget in (window.controls.findChild(QLineEdit, "wordsEdit"),
                   panel(window, "word_probs").widget):
        type_into(widget, shown(widget))
    assert changes == []
    assert window.model.pending.word_probs == (2 / 3, 1 / 3)
    assert steps_then_log(qtbot, window) == []
    assert window.controller.last_frame.params.noise_sigma == math.sqrt(0.05)


def test_stepping_a_field_stays_in_range(qtbot, window):
    eta = panel(window, "eta_stdp").widget
    eta.stepBy(1)
    assert eta.value() == pytest.approx(0.0041)
    eta.setValue(1.0)
    eta.stepBy(5)
    assert eta.value() == 1.0 and eta.property("refused") is not True
    count = panel(window, "n_symbols").widget
    window.model.offer("input_kind", "random")
    count.setValue(1)
    count.stepBy(-1)
    assert count.value() == 1


def test_fields_that_do_not_apply_are_disabled(qtbot, window):
    controls = window.controls
    counting = controls.findChild(IntField, "countingNSpin")
    words = controls.findChild(QLineEdit, "wordsEdit")
    assert window.model.pending.input_kind == "none"
    assert not counting.isEnabled() and not words.isEnabled()
    assert not controls.findChild(QLabel, "countingLabel").isEnabled()
    assert window.model.pending.ip_target == "normal"
    off = {"n_u", "pools", "input_gain", "n_symbols", "counting_n", "words", "word_probs", "nu",
           "ip_halfwidth"}
    for name, editor in window.param_panel.editors.items():
        assert editor.isEnabled() == (name not in off), name
    window.model.offer("input_kind", "counting")
    assert counting.isEnabled() and not words.isEnabled()
    assert panel(window, "counting_n").isEnabled() and not panel(window, "words").isEnabled()
    assert panel(window, "n_u").isEnabled() and not panel(window, "nu").isEnabled()
    window.model.offer("input_kind", "words")
    assert words.isEnabled() and not counting.isEnabled()
    assert panel(window, "word_probs").isEnabled()
    window.model.offer("ip_target", "uniform")
    assert panel(window, "ip_halfwidth").isEnabled() and not panel(window, "sigma_ip").isEnabled()
    # Running: structural fields are off even where they apply; live ones stay on.
    window.play()
    qtbot.waitUntil(lambda: window.controller.running, timeout=WAIT_MS)
    assert not words.isEnabled() and not panel(window, "word_probs").isEnabled()
    assert controls.findChild(FloatField, "noiseSpin").isEnabled()
    window.pause()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=WAIT_MS)
    assert words.isEnabled()


def test_modified_mark_and_reset_to_preset_values(qtbot, window):
    combo = window.preset_combo
    title = get_preset("zheng2013").title
    revert = window.action("actionRevertPreset")
    assert combo.currentText() == title and not revert.isEnabled()
    type_into(panel(window, "eta_stdp").widget, "0.01")
    type_into(panel(window, "t_e_max").widget, "0.9")
    assert [(c.name, c.new) for c in steps_then_log(qtbot, window)] == [("eta_stdp", 0.01)]
    assert combo.currentText() == f"{title} (modified)" and revert.isEnabled()
    assert "eta STDP" in combo.toolTip() and "T^E initial max" in combo.toolTip()
    assert revert in window.findChild(QWidget, "menuRun").actions()
    revert.trigger()
    preset = get_preset("zheng2013").params
    assert window.model.pending == preset
    assert combo.currentText() == title and not revert.isEnabled()
    assert shown(panel(window, "eta_stdp").widget) == "0.004"
    # eta STDP went live and came back; T^E max never left the pending set.
    log = steps_then_log(qtbot, window)
    assert [(c.name, c.new) for c in log] == [("eta_stdp", 0.01), ("eta_stdp", 0.004)]
    assert window.controller.last_frame.params == preset


def test_tooltips_name_what_each_field_allows(window):
    specs = window.model.specs
    for name, editor in window.param_panel.editors.items():
        tip = editor.widget.toolTip()
        assert tip == field_tooltip(name, specs[name])
        assert "inf, inf" not in tip, name
    assert "Allowed" not in panel(window, "stdp").widget.toolTip()
    assert "comma-separated list of words" in panel(window, "words").widget.toolTip()
    assert "Allowed: [0, 1] per step" in panel(window, "eta_stdp").widget.toolTip()


def test_leaving_a_field_refuses_like_return_while_the_network_runs(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    noise = window.controls.findChild(FloatField, "noiseSpin")
    seed = window.seed_spin
    window.play()
    qtbot.waitUntil(lambda: window.controller.running, timeout=WAIT_MS)
    assert noise.isEnabled()  # live: editable while the network runs
    noise.setFocus()
    qtbot.waitUntil(noise.hasFocus, timeout=WAIT_MS)
    noise.lineEdit().setSelection(0, len(noise.cleanText()))
    QTest.keyClicks(noise, "-2")
    seed.setFocus()  # clicking elsewhere ends the edit
    qtbot.waitUntil(lambda: noise.property("refused") is True, timeout=WAIT_MS)
    assert_refused(noise, window.controls_note, "0.223607", "[0, 10]")
    window.pause()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=WAIT_MS)
    assert steps_then_log(qtbot, window) == []


def test_speeds_below_one_step_per_second_reach_the_runner(qtbot, window):
    # A class follows single spikes at a step every two seconds.
    window.speed_combo.setCurrentIndex(1)
    speed = window.controls.findChild(FloatField, "speedSpin")
    type_into(speed, "0.5")
    assert speed.value() == 0.5
    window.controller.runner.refresh()
    qtbot.waitUntil(lambda: window.controller.last_frame.status.speed_limit == 0.5,
                    timeout=WAIT_MS)
