"""Help inside the studio: the model explained on one page, and what each view shows.

- :class:`ModelHelp`, Help -> The model (F1): ``resources/help/model.html``, one section per
  step of the update. F1 on a parameter field opens it at that field's rule
  (:data:`FIELD_SECTIONS`), and each field's tooltip names the section.
- :func:`view_help`: the two or three sentences of ``resources/help/views.toml`` that answer
  "What am I looking at?" for a view (its context menu, and Help -> What am I looking at?).
"""

from __future__ import annotations

import functools
import tomllib

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from ..paths import resources_dir

__all__ = ["ModelHelp", "FIELD_SECTIONS", "SECTION_TITLES", "view_help", "model_html"]

#: The page's sections (anchors) and how a tooltip names them.
SECTION_TITLES: dict[str, str] = {
    "network": "The network", "excitatory": "Excitatory units", "inhibitory": "Inhibitory units",
    "ip": "Intrinsic plasticity", "stdp": "STDP", "sp": "Structural plasticity",
    "istdp": "Inhibitory STDP", "sn": "Synaptic normalisation", "input": "Input",
    "noise": "Noise",
}
#: The section of the page that explains each parameter field.
FIELD_SECTIONS: dict[str, str] = {
    **dict.fromkeys(("ne", "ni", "ee_connectivity", "lambda_ee", "ei_connectivity",
                     "lambda_ei", "ie_connectivity", "lambda_ie"), "network"),
    **dict.fromkeys(("t_e_min", "t_e_max", "firing_rule"), "excitatory"),
    **dict.fromkeys(("t_i_min", "t_i_max", "fast_inhibition"), "inhibitory"),
    **dict.fromkeys(("ip", "eta_ip", "ip_target", "mu_ip", "sigma_ip", "ip_halfwidth",
                     "clip_t_e"), "ip"),
    **dict.fromkeys(("stdp", "eta_stdp", "w_max", "ee_prune_below"), "stdp"),
    **dict.fromkeys(("sp", "p_sp", "sp_scaling", "w_sp_init"), "sp"),
    **dict.fromkeys(("istdp", "eta_inh", "w_ei_min", "ei_floor"), "istdp"),
    "sn": "sn",
    **dict.fromkeys(("input_kind", "n_u", "input_gain", "pools", "n_symbols", "counting_n",
                     "words", "word_probs", "nu"), "input"),
    "noise_sigma": "noise",
}


@functools.cache
def model_html() -> str:
    """The text of the model page."""
    return (resources_dir() / "help" / "model.html").read_text(encoding="utf-8")


@functools.cache
def _views() -> dict[str, dict[str, str]]:
    with open(resources_dir() / "help" / "views.toml", "rb") as handle:
        return tomllib.load(handle)


def view_help(name: str) -> tuple[str, str]:
    """``(title, text)`` answering "What am I looking at?" for the view ``name``.

    Raises
    ------
    KeyError
        For a view the help file does not describe (the tests check that it describes all).
    """
    entry = _views()[name]
    return entry["title"], entry["text"]


class ModelHelp(QDialog):
    """Help -> The model: one page, each step of the update with its rule, its fields and
    the views that show it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelHelp")
        self.setWindowTitle("The model - SORN Studio")
        self.resize(760, 820)
        self.browser = QTextBrowser()
        self.browser.setObjectName("modelHelpText")
        self.browser.setOpenExternalLinks(False)
        self.browser.setHtml(model_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)

    def show_section(self, section: str | None = None) -> None:
        """Show the page at ``section`` (an anchor of :data:`SECTION_TITLES`; None: the top)."""
        self.show()
        self.raise_()
        if section is None:
            self.browser.verticalScrollBar().setValue(0)
        else:
            self.browser.scrollToAnchor(section)
