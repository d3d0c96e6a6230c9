"""Help inside the studio: the model page with a section per rule, F1 at a field's rule,
"What am I looking at?" for every view, the keyboard shortcuts."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QMessageBox

from sorn_studio.app.help import FIELD_SECTIONS, SECTION_TITLES, model_html, view_help
from sorn_studio.app.param_panel import field_tooltip
from sorn_studio.app.window import VIEW_DOCKS
from sorn_studio.params import field_specs


def test_the_model_page_has_every_section_and_every_field_has_one():
    anchors = set(re.findall(r'<a name="([a-z]+)"', model_html()))
    assert anchors == set(SECTION_TITLES)
    assert set(FIELD_SECTIONS) == set(field_specs())
    tip = field_tooltip("eta_stdp", field_specs()["eta_stdp"])
    assert "Help \u2192 The model \u2192 STDP (F1 in the field)" in tip
    for name in VIEW_DOCKS:
        title, text = view_help(name)
        assert title and len(text.split(".")) >= 2, name


def test_f1_in_a_field_opens_the_model_at_its_rule(qtbot, window):
    field = window.param_panel.editors["eta_ip"].widget
    window.activateWindow()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=5000)
    window.action("actionModelHelp").trigger()
    dialog = window.model_help
    assert dialog is not None and dialog.isVisible()
    assert "Intrinsic plasticity" in dialog.browser.toPlainText()
    assert dialog.browser.verticalScrollBar().value() > 0      # scrolled to the IP section
    dialog.close()


def test_what_am_i_looking_at_and_the_shortcuts(qtbot, window):
    view = window.views["weights"]
    menu = view.context_menu(view.rect().center())
    explain = [a for a in menu.actions() if a.text() == "What am I looking at?"]
    assert len(explain) == 1
    explain[0].trigger()
    boxes = [b for b in window.findChildren(QMessageBox) if b.objectName() == "explainView"]
    assert [b.text() for b in boxes] == [view_help("weights")[1]]
    assert boxes[0].windowTitle() == "What am I looking at? " + view_help("weights")[0]
    boxes[0].done(0)
    lines = window.shortcut_lines()
    assert any(line.startswith("Play: F5") for line in lines)
    assert any(line.startswith("The model: F1") for line in lines)
