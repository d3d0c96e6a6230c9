"""A lesson driven from start to end through the Lesson dock: locked controls, a prediction
question, "show me", "restart step", checks ticked by the worker, the lesson complete."""

from __future__ import annotations

from helpers import WAIT_MS

from sorn_studio.lessons import find_lesson


def test_a_lesson_from_start_to_end_through_the_dock(qtbot, window):
    view = window.lesson
    lesson = find_lesson("intrinsic_plasticity")
    view.start(lesson)
    # The controls it locks are visibly locked, with the reason; the others are free.
    assert not window.preset_combo.isEnabled()
    assert window.preset_combo.toolTip() == f"Locked by the lesson: {lesson.lock_reason}"
    ne = window.param_panel.editors["ne"]
    assert not ne.isEnabled() and ne.label.text().endswith("(locked)")
    assert "Locked by the lesson" in ne.toolTip()
    assert window.param_panel.editors["eta_stdp"].isEnabled()
    qtbot.waitUntil(lambda: view.begun == 0, timeout=WAIT_MS)
    assert view.number == 1 and "Step 1 of 3" in view.heading.text()
    assert "Intrinsic plasticity" in view.text.toPlainText()
    assert view.checks.item(0).text().startswith("\u2718")
    # "Show me" does the step; the worker's checks tick it, and the lesson moves on.
    view.perform()
    qtbot.waitUntil(lambda: view.number == 2, timeout=WAIT_MS)
    # Step 2 asks first: nothing to do until answered.
    assert view.predict_box.isVisibleTo(view) and not view.show_me.isEnabled()
    assert not view.checks.isVisibleTo(view)           # its labels would give the answer away
    assert "Answer the question above first" in view.missing.text()
    view.answer(1)
    assert view.show_me.isEnabled() and view.checks.isVisibleTo(view)
    qtbot.waitUntil(lambda: view.begun is not None, timeout=WAIT_MS)
    begun = view.begun
    # A wrong try, then "Restart step": back where the step began, IP on again.
    window.controller.apply_live({"eta_stdp": 0.008})
    window.controller.step(500, full_speed=True)
    qtbot.waitUntil(lambda: window.controller.last_frame.step == begun + 500
                    and not window.controller.running, timeout=WAIT_MS)
    view.restart_step()
    qtbot.waitUntil(lambda: window.controller.last_frame.step == begun
                    and window.controller.last_frame.params.eta_stdp == 0.004, timeout=WAIT_MS)
    assert not view.done and all(not r.passed for r in view.results)
    view.perform()
    qtbot.waitUntil(lambda: view.done, timeout=WAIT_MS)
    assert "Your prediction was right" in view.missing.text()
    assert all(view.checks.item(k).text().startswith("\u2714") for k in range(2))
    # The last step only explains; Next ends the lesson, with its sources.
    qtbot.waitUntil(lambda: view.number == 3, timeout=WAIT_MS)
    assert view.next_button.isEnabled() and "What happened" in view.heading.text()
    view.next_step()
    assert "Lesson complete" in view.heading.text()
    assert "Lazar, Pipa & Triesch (2009)" in view.text.toPlainText()
    # Stopping frees the controls.
    view.stop()
    assert window.preset_combo.isEnabled() and ne.isEnabled()
    assert not ne.label.text().endswith("(locked)") and not window.last_error


def test_a_teachers_file_starting_from_a_session(qtbot, window, tmp_path):
    from sorn_studio import load_preset
    from sorn_studio.session import save_session
    from sorn_studio.studio.defaults import make_simulation

    sim = make_simulation(load_preset("zheng2013"), seed=4)
    sim.run(700)
    save_session(sim, tmp_path / "start.npz")
    (tmp_path / "mine.toml").write_text(
        'title = "Mine"\ngoal = "Switch STDP off."\n[start]\nsession = "start.npz"\n'
        '[[steps]]\ntext = "Untick STDP."\n[[steps.actions]]\nset = { stdp = false }\n'
        '[[steps.checks]]\nobservable = "stdp"\nop = "=="\nvalue = false\n',
        encoding="utf-8")
    view = window.lesson
    view.start_file(str(tmp_path / "nothing.toml"))
    assert "This lesson file cannot be used" in view.heading.text()
    view.start_file(str(tmp_path / "mine.toml"))
    qtbot.waitUntil(lambda: view.begun == 700 and window.controller.last_frame.step == 700,
                    timeout=WAIT_MS)
    view.perform()
    qtbot.waitUntil(lambda: "Lesson complete" in view.heading.text(), timeout=WAIT_MS)
    assert not window.last_error
