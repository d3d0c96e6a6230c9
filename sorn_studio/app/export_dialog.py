"""The options step of plot export: PNG size (screen, 2x..4x, or a print width at a dpi) and
the theme; :func:`~sorn_studio.app.export.export_widget` does the drawing."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from .export import MAX_SCALE, MIN_SCALE, print_scale
from .theme import THEMES, current_look

__all__ = ["ExportOptions", "ExportOptionsDialog"]

#: One journal column, the width most figures are printed at.
DEFAULT_PRINT_MM = 85.0
DEFAULT_DPI = 300
#: The size choices: label and scale; ``None`` is the print width at a dpi.
SIZES: tuple[tuple[str, float | None], ...] = (
    ("As on screen (1\u00d7)", 1.0), ("2\u00d7 (sharp on slides)", 2.0),
    ("3\u00d7", 3.0), ("4\u00d7", 4.0), ("For print: width and dpi", None))
#: How the theme choice names each theme.
EXPORT_THEME_TITLES = {"light": "Light: white background, dark axes and text",
                       "dark": "Dark, as the studio's dark theme"}


@dataclass(frozen=True)
class ExportOptions:
    """How to draw an export: PNG scale and stored dpi (``None``: the screen's), theme
    (a name of :data:`~.theme.THEMES`; ``None``: the one on screen)."""

    scale: float = 1.0
    dpi: float | None = None
    theme_name: str | None = None


class ExportOptionsDialog(QDialog):
    """Ask for the export options of one view; the size rows are shown for PNG only.

    Parameters
    ----------
    view_size : tuple of int
        The view's width and height on screen, in pixels, to show the exported size.
    png : bool
        PNG (size and theme) or SVG (theme only: it is vector).
    """

    def __init__(self, view_size: tuple[int, int], png: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportOptionsDialog")
        self.setWindowTitle("Export options")
        self._view_size = view_size
        form = QFormLayout(self)
        self.size_combo = QComboBox(objectName="exportSizeCombo")
        for label, scale in SIZES:
            self.size_combo.addItem(label, scale)
        self.width_spin = QDoubleSpinBox(objectName="exportWidthSpin", decimals=1,
                                         minimum=10.0, maximum=1000.0, suffix=" mm",
                                         value=DEFAULT_PRINT_MM)
        self.width_spin.setToolTip("Printed width: one journal column is about 85 mm, "
                                   "a full page width about 180 mm")
        self.dpi_spin = QSpinBox(objectName="exportDpiSpin", minimum=72, maximum=2400,
                                 suffix=" dpi", value=DEFAULT_DPI)
        self.pixels_label = QLabel(objectName="exportPixelsLabel")
        self.theme_combo = QComboBox(objectName="exportThemeCombo")
        for option in THEMES.values():
            self.theme_combo.addItem(EXPORT_THEME_TITLES[option.name], option.name)
        self.theme_combo.setCurrentIndex(self.theme_combo.findData(current_look().theme.name))
        self.theme_combo.setToolTip("The studio's theme by default; the light one is for "
                                    "papers and slides. The view on screen is unchanged.")
        if png:
            form.addRow("Size", self.size_combo)
            form.addRow("Print width", self.width_spin)
            form.addRow("Resolution", self.dpi_spin)
            form.addRow("", self.pixels_label)
        else:
            for widget in (self.size_combo, self.width_spin, self.dpi_spin, self.pixels_label):
                widget.hide()
        form.addRow("Theme", self.theme_combo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.size_combo.currentIndexChanged.connect(self._update)
        self.width_spin.valueChanged.connect(self._update)
        self.dpi_spin.valueChanged.connect(self._update)
        self._update()

    def _print(self) -> bool:
        return self.size_combo.currentData() is None

    def options(self) -> ExportOptions:
        """The options as chosen."""
        chosen = self.theme_combo.currentData()
        if self._print():
            dpi = float(self.dpi_spin.value())
            return ExportOptions(print_scale(self._view_size[0], self.width_spin.value(), dpi),
                                 dpi, chosen)
        return ExportOptions(float(self.size_combo.currentData()), None, chosen)

    def _update(self) -> None:
        printing = self._print()
        self.width_spin.setEnabled(printing)
        self.dpi_spin.setEnabled(printing)
        scale = self.options().scale
        width, height = (round(n * scale) for n in self._view_size)
        # The dialog refuses what render_image would refuse, before the user saves.
        if scale > MAX_SCALE:
            text = (f"Too large: at most {MAX_SCALE:g}\u00d7 the view "
                    f"({self._view_size[0]} px wide)")
        elif scale < MIN_SCALE:
            text = (f"Too small: at least {MIN_SCALE:g}\u00d7 the view "
                    f"({self._view_size[0]} px wide)")
        else:
            text = f"{width} \u00d7 {height} pixels"
        self.pixels_label.setText(text)
        save = self.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(MIN_SCALE <= scale <= MAX_SCALE)
