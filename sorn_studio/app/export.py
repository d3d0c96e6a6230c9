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
a resolution such as 300 dpi) and either format in the light theme for papers and slides or
the dark one, whichever the screen shows (:func:`~.theme.temporary_look`), after which the
view on screen is exactly as it was.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QImage, QPainter

from ..atomic import atomic_path
from . import theme

__all__ = [
    "EXPORT_SUFFIXES",
    "MAX_SCALE",
    "MIN_SCALE",
    "export_widget",
    "print_scale",
    "render_image",
]

#: File types :func:`export_widget` writes.
EXPORT_SUFFIXES = (".png", ".svg")
#: Largest PNG scale: 8x a full-screen view is already ~100 megapixels.
MAX_SCALE = 8.0
#: Smallest PNG scale.
MIN_SCALE = 0.125
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


def _drawn_in(view: pg.GraphicsLayoutWidget, name: str | None) -> contextlib.AbstractContextManager:
    """Draw ``view`` in the theme ``name`` (``None``: the screen's) at a scale of 1 for a
    while: a view magnified for presentation is exported as large as it shows by the image's
    pixel ratio, which would widen its already widened lines a second time."""
    if name is not None and name not in theme.THEMES:
        raise ValueError(f"theme {name!r} is not one of {', '.join(theme.THEMES)}")
    chosen = theme.THEMES[name] if name is not None else theme.current_look().theme
    return theme.temporary_look(view, theme.Look(chosen, 1.0))


def _paint(view: pg.GraphicsLayoutWidget, painter: QPainter) -> None:
    source = view.sceneRect()
    target = QRectF(0, 0, source.width(), source.height())
    painter.fillRect(target, view.backgroundBrush().color())
    view.scene().render(painter, target, source)


def render_image(view: pg.GraphicsLayoutWidget, scale: float = 1.0,
                 theme_name: str | None = None) -> QImage:
    """Draw ``view`` into an image ``scale`` times its size on screen.

    The image has a device pixel ratio of ``scale`` times the view's zoom while it is
    painted, so line widths, text and markers grow with it (a 2x image is the screen's
    figure, twice as sharp), and is returned with a ratio of 1.

    Parameters
    ----------
    view : pyqtgraph.GraphicsLayoutWidget
    scale : float
        From 1/8 to :data:`MAX_SCALE`.
    theme_name : str, optional
        ``"light"`` or ``"dark"`` (:data:`~.theme.THEMES`); by default the theme on screen.

    Returns
    -------
    PySide6.QtGui.QImage
    """
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise ValueError(f"scale {scale:g} is outside {MIN_SCALE:g} to {MAX_SCALE:g}")
    source = view.sceneRect()
    # A scene drawn magnified on screen (presentation mode) is exported as large as it shows.
    ratio = scale * getattr(view, "zoom", 1.0)
    size = QSize(max(1, round(source.width() * ratio)), max(1, round(source.height() * ratio)))
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(ratio)
    with _drawn_in(view, theme_name):
        painter = QPainter(image)
        try:
            _paint(view, painter)
        finally:
            painter.end()
    image.setDevicePixelRatio(1.0)
    return image


def _write_svg(view: pg.GraphicsLayoutWidget, path: Path, theme_name: str | None) -> None:
    from PySide6.QtSvg import QSvgGenerator

    source = view.sceneRect()
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(source.size().toSize())
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    # The screen's resolution, not the generator's default 72 dpi (see the module notes).
    generator.setResolution(view.logicalDpiX())
    generator.setTitle(getattr(view, "title", "") or "SORN Studio plot")
    with _drawn_in(view, theme_name):
        painter = QPainter(generator)
        try:
            _paint(view, painter)
        finally:
            painter.end()


def export_widget(view: pg.GraphicsLayoutWidget, path: str | Path, *, scale: float = 1.0,
                  dpi: float | None = None, theme_name: str | None = None) -> Path:
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
    theme_name : str, optional
        ``"light"`` (white background with dark axes and text, for papers and slides) or
        ``"dark"``; by default the theme on screen.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        For a suffix other than ``.png`` or ``.svg``, a scale or dpi out of range, or an
        unknown theme.
    OSError
        When the file cannot be written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise ValueError(f"cannot export to {path.name!r}: use a .png or .svg file name")
    if dpi is not None and not 1 <= dpi <= 10_000:
        raise ValueError(f"dpi {dpi:g} is outside 1 to 10000")
    image = render_image(view, scale, theme_name) if suffix == ".png" else None
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
            _write_svg(view, tmp, theme_name)
        # Qt's writers report failure by writing nothing rather than by raising.
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise OSError(f"could not write {path}")
    return path
