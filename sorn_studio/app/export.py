"""Export a view as PNG or SVG that draws the same figure as the screen.

Both formats paint the view's scene with Qt (``QGraphicsScene.render``), as the screen does.
The SVG is written by ``QSvgGenerator`` at the screen's resolution: pyqtgraph caches its axes
as ``QPicture`` recordings, which Qt rescales by the ratio of the two devices' resolutions,
and font sizes in points are converted at the device's resolution too, so a generator left at
its default 72 dpi drew axes, ticks and text at three quarters of their size while images
and curves kept theirs (heatmaps "spilled" past their axes, colour-bar ticks were offset).
This is QTBUG-20361; Orange's widget base fixes it the same way (biolab/orange-widget-base
pull request 38). pyqtgraph's own ``SVGExporter`` works around the same scaling by rewriting
Qt's SVG output, and fails on the path data of recent Qt versions.

A PNG can be drawn at a larger scale (``scale=2``, or :func:`print_scale` for a print width at
a resolution such as 300 dpi) and either format in a light theme for papers and slides
(:func:`light_theme`), after which the view on screen is exactly as it was.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QAbstractGraphicsShapeItem

from ..atomic import atomic_path
from .plots import (
    ACCENT,
    BACKGROUND,
    E_COLOR,
    FOREGROUND,
    I_COLOR,
    MARKER_COLOR,
    NEURON_COLORS,
)

__all__ = [
    "EXPORT_SUFFIXES",
    "MAX_SCALE",
    "MIN_SCALE",
    "export_widget",
    "light_theme",
    "print_scale",
    "render_image",
]

#: File types :func:`export_widget` writes.
EXPORT_SUFFIXES = (".png", ".svg")
#: Largest PNG scale: 8x a full-screen view is already ~100 megapixels.
MAX_SCALE = 8.0
#: Smallest PNG scale.
MIN_SCALE = 0.125
LIGHT_BACKGROUND = "#ffffff"
LIGHT_FOREGROUND = "#1f2430"
LIGHT_PANEL = "#ffffffd8"
#: Dark-theme colours that would be faint on white, and their light-theme stand-ins.
LIGHT_COLORS = {
    FOREGROUND: LIGHT_FOREGROUND,
    E_COLOR: "#1e8a4c",
    I_COLOR: "#d03b3b",
    ACCENT: "#2f64c8",
    MARKER_COLOR: "#b8860b",
    NEURON_COLORS[0]: "#1b8fc0",
    "#ffffff": "#000000",
    "#3b4254": "#9aa3b5",
}
MM_PER_INCH = 25.4


def print_scale(view_width: int, width_mm: float, dpi: float) -> float:
    """The PNG scale that prints a view ``view_width`` pixels wide at ``width_mm`` and ``dpi``.

    E.g. a single journal column (85 mm) at 300 dpi needs 1004 pixels.

    Parameters
    ----------
    view_width : int
        Width of the view on screen, in pixels.
    width_mm : float
        Printed width, in millimetres.
    dpi : float
        Print resolution, in dots per inch.

    Returns
    -------
    float
    """
    if view_width <= 0 or not width_mm > 0 or not dpi > 0:
        raise ValueError("the view width, print width and dpi must be positive")
    return width_mm / MM_PER_INCH * dpi / view_width


def _light(color: QColor) -> QColor:
    """The light-theme stand-in for ``color``, keeping its transparency."""
    mapped = LIGHT_COLORS.get(color.name().lower())
    if mapped is None:
        return QColor(color)
    out = pg.mkColor(mapped)
    out.setAlpha(color.alpha())
    return out


def _light_pen(pen: object) -> object:
    pen = pg.mkPen(pen)
    pen.setColor(_light(pen.color()))
    return pen


def _light_brush(brush: object) -> object:
    brush = pg.mkBrush(brush)
    brush.setColor(_light(brush.color()))
    return brush


def _restyle_axis(axis: pg.AxisItem, undo: list[Callable[[], None]]) -> None:
    pen, text_pen, style = axis.pen(), axis.textPen(), dict(axis.labelStyle)

    def restore() -> None:
        axis.setPen(pen)
        axis.setTextPen(text_pen)
        axis.labelStyle = style
        axis._updateLabel()

    undo.append(restore)
    axis.setPen(_light_pen(pen))
    axis.setTextPen(_light_pen(text_pen))
    # setLabel replaces the style, so a label may carry no colour of its own.
    axis.labelStyle = {**style, "color": LIGHT_FOREGROUND}
    axis._updateLabel()


def _restyle_label(label: pg.LabelItem, undo: list[Callable[[], None]]) -> None:
    color = label.opts.get("color")

    def restore() -> None:
        label.opts["color"] = color
        label.setText(label.text)

    undo.append(restore)
    label.setText(label.text, color=_light(pg.mkColor(color or FOREGROUND)))


def _restyle_legend(legend: pg.LegendItem, undo: list[Callable[[], None]]) -> None:
    pen, brush = legend.opts["pen"], legend.opts["brush"]

    def restore() -> None:
        legend.opts["pen"], legend.opts["brush"] = pen, brush
        legend.update()

    undo.append(restore)
    legend.setPen(_light_pen(pen))
    legend.setBrush(LIGHT_PANEL)


def _restyle_curve(item: pg.PlotDataItem, undo: list[Callable[[], None]]) -> None:
    pen, brush = item.opts["pen"], item.opts["fillBrush"]

    def restore() -> None:
        item.setPen(pen)
        item.setFillBrush(brush)

    undo.append(restore)
    item.setPen(_light_pen(pen))
    if brush is not None:
        item.setFillBrush(_light_brush(brush))


def _restyle_image(image: pg.ImageItem, undo: list[Callable[[], None]]) -> None:
    lut = image.lut
    background = pg.mkColor(BACKGROUND).getRgb()[:3]
    # Only lookup tables that fade from the dark background (the raster); colour maps such
    # as viridis mean the same on either background.
    if not isinstance(lut, np.ndarray) or tuple(lut[0][:3]) != background:
        return
    top = _light(QColor(*(int(v) for v in lut[-1][:3]))).getRgb()[:3]
    ramp = np.linspace(0.0, 1.0, len(lut))[:, None]
    white = np.array(pg.mkColor(LIGHT_BACKGROUND).getRgb()[:3], float)
    light_lut = np.round(white + ramp * (np.array(top, float) - white)).astype(np.uint8)
    undo.append(lambda: image.setLookupTable(lut))
    image.setLookupTable(light_lut)


def _restyle_item(item: object, undo: list[Callable[[], None]]) -> None:
    if isinstance(item, pg.AxisItem):
        _restyle_axis(item, undo)
    elif isinstance(item, pg.LegendItem):
        _restyle_legend(item, undo)
    elif isinstance(item, pg.LabelItem):
        _restyle_label(item, undo)
    elif isinstance(item, pg.PlotDataItem):
        _restyle_curve(item, undo)
    elif isinstance(item, pg.ImageItem):
        _restyle_image(item, undo)
    elif isinstance(item, pg.InfiniteLine):
        pen = item.pen
        undo.append(lambda: item.setPen(pen))
        item.setPen(_light_pen(pen))
    elif isinstance(item, pg.TextItem):
        color = item.color
        undo.append(lambda: item.setColor(color))
        item.setColor(_light(color))
    elif isinstance(item, QAbstractGraphicsShapeItem) and not isinstance(item, pg.GraphicsObject):
        # Plain Qt shapes the views draw themselves (the threshold band).
        pen, brush = item.pen(), item.brush()
        undo.append(lambda: (item.setPen(pen), item.setBrush(brush)))
        item.setPen(_light_pen(pen))
        item.setBrush(_light_brush(brush))


@contextlib.contextmanager
def light_theme(view: pg.GraphicsLayoutWidget) -> Iterator[None]:
    """Restyle ``view`` for a white background while the block runs, then restore it.

    Axes, tick labels, titles and legends turn dark; curve colours that would be faint on
    white are darkened (:data:`LIGHT_COLORS`); the raster fades from white instead of from
    the dark background. Every change is undone afterwards, in reverse order.
    """
    undo: list[Callable[[], None]] = []
    try:
        # PlotDataItems before their child curves: a PlotDataItem passes its pen on to them.
        for item in view.scene().items():
            _restyle_item(item, undo)
        yield
    finally:
        for step in reversed(undo):
            step()


def _paint(view: pg.GraphicsLayoutWidget, painter: QPainter, light: bool) -> None:
    source = view.sceneRect()
    target = QRectF(0, 0, source.width(), source.height())
    painter.fillRect(target, pg.mkColor(LIGHT_BACKGROUND if light else BACKGROUND))
    view.scene().render(painter, target, source)


def render_image(view: pg.GraphicsLayoutWidget, scale: float = 1.0,
                 light: bool = False) -> QImage:
    """Draw ``view`` into an image ``scale`` times its size on screen.

    The image has a device pixel ratio of ``scale`` while it is painted, so line widths, text
    and markers grow with it (a 2x image is the screen's figure, twice as sharp), and is
    returned with a ratio of 1.

    Parameters
    ----------
    view : pyqtgraph.GraphicsLayoutWidget
    scale : float
        From 1/8 to :data:`MAX_SCALE`.
    light : bool
        Draw in the light theme (:func:`light_theme`).

    Returns
    -------
    PySide6.QtGui.QImage
    """
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise ValueError(f"scale {scale:g} is outside {MIN_SCALE:g} to {MAX_SCALE:g}")
    source = view.sceneRect()
    size = QSize(max(1, round(source.width() * scale)), max(1, round(source.height() * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(scale)
    with light_theme(view) if light else contextlib.nullcontext():
        painter = QPainter(image)
        try:
            _paint(view, painter, light)
        finally:
            painter.end()
    image.setDevicePixelRatio(1.0)
    return image


def _write_svg(view: pg.GraphicsLayoutWidget, path: Path, light: bool) -> None:
    from PySide6.QtSvg import QSvgGenerator

    source = view.sceneRect()
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(source.size().toSize())
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    # The screen's resolution, not the generator's default 72 dpi (see the module notes).
    generator.setResolution(view.logicalDpiX())
    generator.setTitle(getattr(view, "title", "") or "SORN Studio plot")
    with light_theme(view) if light else contextlib.nullcontext():
        painter = QPainter(generator)
        try:
            _paint(view, painter, light)
        finally:
            painter.end()


def export_widget(view: pg.GraphicsLayoutWidget, path: str | Path, *, scale: float = 1.0,
                  dpi: float | None = None, light: bool = False) -> Path:
    """Write ``view`` to ``path`` as PNG or SVG (chosen by the suffix), as it is on screen.

    Parameters
    ----------
    view : pyqtgraph.GraphicsLayoutWidget
    path : str or pathlib.Path
        A ``.png`` or ``.svg`` file; written atomically (a failed export leaves nothing).
    scale : float
        PNG only: pixels per screen pixel (2 for a sharp slide; :func:`print_scale` for print).
    dpi : float, optional
        PNG only: the resolution stored in the file, so that documents place it at its print
        size. By default the screen's resolution times ``scale`` (the figure's size on screen).
    light : bool
        White background with dark axes and text, for papers and slides.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        For a suffix other than ``.png`` or ``.svg``, or a scale or dpi out of range.
    OSError
        When the file cannot be written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise ValueError(f"cannot export to {path.name!r}: use a .png or .svg file name")
    if dpi is not None and not 1 <= dpi <= 10_000:
        raise ValueError(f"dpi {dpi:g} is outside 1 to 10000")
    image = render_image(view, scale, light) if suffix == ".png" else None
    # Drawn into a temporary file beside the target, then renamed: a failed export never
    # leaves a half-written figure under the chosen name.
    with atomic_path(path, "the plot") as tmp:
        if image is not None:
            # Stored only now: a resolution set before painting would rescale fonts and axes.
            dots = (dpi if dpi is not None else view.logicalDpiX() * scale) / MM_PER_INCH * 1000
            image.setDotsPerMeterX(round(dots))
            image.setDotsPerMeterY(round(dots))
            image.save(str(tmp), "PNG")
        else:
            _write_svg(view, tmp, light)
        # Qt's writers report failure by writing nothing rather than by raising.
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise OSError(f"could not write {path}")
    return path
