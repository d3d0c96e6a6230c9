"""The studio's look: a colour theme (dark or light) and a scale for presentation mode.

The views are written in the *canonical* colours below (the dark theme's).
:func:`pen`, :func:`brush`, :func:`color` and :func:`lut` turn a canonical colour into the
current theme's, with line widths times the current scale, so whatever a view makes follows
the look it is made in. :func:`restyle` carries the items that exist already from one look to
another: colours through the canonical palette, line widths and symbol sizes by the ratio of
the scales. An export uses it for the length of one drawing (:mod:`.export`);
:func:`apply_look` uses it for good, on every view of every window (:func:`follow_look`).

Fonts, margins and axis widths are not restyled item by item: a view draws its whole scene
magnified by the scale (``_View.set_zoom`` in :mod:`.plots`), and the panels' style sheet has
its sizes multiplied (:func:`style_sheet`). Line widths and symbol sizes need the item walk
because pyqtgraph draws them in screen pixels, whatever the magnification.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import re
import tempfile
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QAbstractGraphicsShapeItem, QApplication, QWidget

from ..atomic import atomic_path
from ..figures import style as page
from ..paths import resources_dir

__all__ = [
    "ACCENT", "BACKGROUND", "E_COLOR", "FOREGROUND", "GREY", "I_COLOR", "MARKER_COLOR", "PINK",
    "MISSING_COLOR", "NEURON_COLORS", "NOW_COLOR", "OUT_COLOR", "SELECTION_COLOR",
    "DARK", "LIGHT", "THEMES", "Look", "Theme", "PRESENTATION_SCALES",
    "apply_look", "brush", "color", "color_name", "current_look", "error_html", "follow_look",
    "forget_followers", "icon_folder",
    "lut", "pen", "size",
    "recolor_html",
    "restyle", "set_current_look", "style_sheet", "temporary_look",
]

# -- the canonical palette (the dark theme's colours) ---------------------------------------
BACKGROUND = "#15171e"
FOREGROUND = "#aeb6c8"
E_COLOR = "#6fcf97"
I_COLOR = "#eb5757"
ACCENT = "#5b8def"
MARKER_COLOR = "#f2c94c"
SELECTION_COLOR = "#ffffffb0"
OUT_COLOR = "#f2994a"
#: The newest step on the raster (not the change markers' yellow).
NOW_COLOR = "#56ccf2"
NEURON_COLORS = ("#56ccf2", "#bb6bd9", "#f2994a", "#f2c94c", "#9b51e0")
#: Shade of the part of a whole-run plot whose history the opened session does not hold.
MISSING_COLOR = "#3b425460"
#: A quiet grey and a pink, for the attribution bands that need hues of their own.
GREY = "#9aa3b5"
PINK = "#ff8fb1"

#: Presentation scales offered in the View menu (1 is the desk).
PRESENTATION_SCALES = (1.25, 1.5, 1.75, 2.0)


@dataclass(frozen=True)
class Theme:
    """A colour theme.

    Attributes
    ----------
    name : str
        ``"dark"`` or ``"light"`` (what the settings store).
    title : str
        What the View menu says.
    plot_colors : Mapping[str, str]
        Canonical colour (``#rrggbb``, lower case) to this theme's; a colour not named stays.
    panel_colors : Mapping[str, str]
        Colour of the style sheet ``resources/style.qss`` (written for the dark theme) to
        this theme's.
    """

    name: str
    title: str
    plot_colors: Mapping[str, str]
    panel_colors: Mapping[str, str]

    def __post_init__(self) -> None:
        # Going back from this theme to the canonical colours must be unambiguous.
        if len(set(self.plot_colors.values())) != len(self.plot_colors):
            raise ValueError(f"theme {self.name!r} maps two colours to one")
        # Made once: a restyle asks it for every pen and brush of every view.
        object.__setattr__(self, "_canonical", {v: k for k, v in self.plot_colors.items()})

    def __hash__(self) -> int:
        return hash(self.name)

    def to_theme(self, canonical: str) -> str:
        """This theme's ``#rrggbb`` (or ``#rrggbbaa``) for a canonical one."""
        rgb, alpha = canonical[:7].lower(), canonical[7:]
        return self.plot_colors.get(rgb, rgb) + alpha

    def to_canonical(self, own: str) -> str:
        """The canonical ``#rrggbb`` of one of this theme's colours."""
        return self._canonical.get(own.lower(), own.lower())

    @property
    def background(self) -> str:
        """The plots' background."""
        return self.to_theme(BACKGROUND)

    @property
    def foreground(self) -> str:
        """Axes and text."""
        return self.to_theme(FOREGROUND)


DARK = Theme("dark", "Dark", {}, {})


def _palette(*pairs: tuple[str, str]) -> dict[str, str]:
    """A colour map from ``(canonical, own)`` pairs; a canonical colour given two stand-ins is
    refused (the palette's names share hues: the marker's yellow is a neuron's too)."""
    out: dict[str, str] = {}
    for canonical, own in pairs:
        if out.setdefault(canonical, own) != own:
            raise ValueError(f"{canonical} is given two colours, {out[canonical]} and {own}")
    return out


#: The hues for a white page are the figures' (one palette for the light theme, light
#: exports and the matplotlib figures); the panels have colours of their own.
LIGHT = Theme(
    "light", "Light (for projectors)",
    # The light background and the selection's stand-in are a shade off pure white and
    # black, which pyqtgraph draws by itself (colour-bar handles): those are no theme colour
    # and must not be taken for one when the theme changes again.
    plot_colors=_palette(
        (BACKGROUND, "#fefefe"), (FOREGROUND, "#1f2430"), (E_COLOR, page.E_COLOR),
        (I_COLOR, page.I_COLOR), (ACCENT, page.FIT_COLOR), (MARKER_COLOR, page.MARK_COLOR),
        *zip(NEURON_COLORS, page.NEURON_COLORS, strict=True),
        ("#ffffff", "#010101"), ("#3b4254", "#c5cad6"), (GREY, "#6b7386"), (PINK, "#d6457a"),
    ),
    panel_colors={
        "#1b1e26": "#f4f5f8", "#d8dce6": "#1f2430", "#2a2f3b": "#d5d9e2",
        "#252a35": "#e3e6ed", "#4a5060": "#b5bccb", "#222633": "#eceef3",
        "#2f3544": "#d9dde6", "#3b4254": "#c5cad6", "#384057": "#c9d6f2",
        "#5d6373": "#8a91a0", "#9fb3d9": "#2f64c8", "#12141a": "#ffffff",
        "#353b4a": "#b9bfcc", "#5b8def": "#2f64c8", "#aeb6c8": "#4a5060",
        "#ff8f8f": "#c62828", "#f2c94c": "#9a6b00", "#9aa3b5": "#5d6373",
        "#e8ebf2": "#1f2430", "#6b7386": "#7d8596", "#e05252": "#d03b3b",
        "#3a1c1f": "#fde8e8", "#2c3550": "#e3ebfb", "#3d5a99": "#9db8ec",
    },
)
THEMES = {theme.name: theme for theme in (DARK, LIGHT)}


@dataclass(frozen=True)
class Look:
    """A theme and a scale (1 at a desk, larger in presentation mode)."""

    theme: Theme = DARK
    scale: float = 1.0


_current = Look()


def current_look() -> Look:
    """The look new views and items are made in."""
    return _current


def set_current_look(look: Look) -> None:
    """Make ``look`` the one :func:`pen` and the others follow (see :func:`apply_look`)."""
    global _current
    _current = look
    # For what pyqtgraph makes by itself (a new view's background, an axis without a pen).
    pg.setConfigOptions(background=look.theme.background, foreground=look.theme.foreground)


# -- colours and pens in the current look ----------------------------------------------------
_HEX = re.compile(r"#([0-9a-fA-F]{6})([0-9a-fA-F]{2})?\b")


def color_name(canonical: str) -> str:
    """The current theme's colour for ``canonical``.

    Parameters
    ----------
    canonical : str
        ``#rrggbb`` or ``#rrggbbaa`` of the canonical palette (anything else is returned as
        it is).

    Returns
    -------
    str
    """
    if _HEX.fullmatch(canonical) is None:
        return canonical
    return _current.theme.to_theme(canonical)


def color(canonical: str) -> QColor:
    """:func:`color_name` as a ``QColor``."""
    return pg.mkColor(color_name(canonical))


def pen(canonical: str | None, width: float = 1.0,
        style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    """A pen in the current theme, ``width`` times the current scale.

    Parameters
    ----------
    canonical : str or None
        A colour of the canonical palette; ``None`` for no pen.
    width : float
        Width at a scale of 1, in screen pixels.
    style : Qt.PenStyle

    Returns
    -------
    PySide6.QtGui.QPen
    """
    if canonical is None:
        return pg.mkPen(None)
    return pg.mkPen(color_name(canonical), width=width * _current.scale, style=style)


def brush(canonical: str) -> object:
    """A brush of the canonical colour ``canonical`` in the current theme.

    Returns
    -------
    PySide6.QtGui.QBrush
    """
    return pg.mkBrush(color_name(canonical))


def size(pixels: float) -> float:
    """``pixels`` (a symbol's size at a scale of 1) at the current scale."""
    return pixels * _current.scale


def _ramp(low: QColor, high: QColor, n: int = 256) -> np.ndarray:
    """An ``n``-entry lookup table from ``low`` to ``high``."""
    return pg.ColorMap([0.0, 1.0], [low, high]).getLookupTable(nPts=n)


def lut(canonical: str) -> np.ndarray:
    """A 256-entry lookup table from the current background to ``canonical`` (the raster's:
    a pixel's brightness is how often its neurons fired).

    Parameters
    ----------
    canonical : str
        A colour of the canonical palette.

    Returns
    -------
    numpy.ndarray
        ``(256, 4)`` RGBA entries.
    """
    return _ramp(color(BACKGROUND), color(canonical))


def _recolored(text: str, swap: Callable[[str], str]) -> str:
    """``text`` with each ``#rrggbb`` colour (alpha kept) replaced by ``swap(colour)``."""
    return _HEX.sub(lambda m: swap("#" + m.group(1).lower()) + (m.group(2) or ""), text)


def error_html(message: str) -> str:
    """``message`` as rich text in the current theme's red, escaped (an error may quote
    ``<module>`` or a path)."""
    return f"<span style='color:{color_name(I_COLOR)}'>{html.escape(message)}</span>"


def recolor_html(text: str, old: Theme, new: Theme) -> str:
    """``text`` (a label's HTML) with each colour of theme ``old`` turned into ``new``'s.

    Parameters
    ----------
    text : str
    old, new : Theme

    Returns
    -------
    str
    """
    return _recolored(text, lambda own: new.to_theme(old.to_canonical(own)))


# -- carrying existing items from one look to another ------------------------------------------
class _Restyle:
    """The change from look ``old`` to look ``new``, applied to items with undo steps."""

    def __init__(self, old: Look, new: Look) -> None:
        self.old, self.new = old.theme, new.theme
        self.widen = new.scale / old.scale
        self.undo: list[Callable[[], None]] = []

    def color(self, value: QColor) -> QColor:
        canonical = self.old.to_canonical(value.name())
        out = pg.mkColor(self.new.to_theme(canonical))
        out.setAlpha(value.alpha())
        return out

    def pen(self, value: object) -> QPen:
        out = pg.mkPen(value)
        if out.style() == Qt.PenStyle.NoPen:
            return out
        out.setColor(self.color(out.color()))
        # Width 0 is Qt's one-pixel line; a width below 1 (a hairline) scales as it is.
        width = out.widthF()
        out.setWidthF((width if width > 0 else 1.0) * self.widen)
        return out

    def brush(self, value: object) -> object:
        out = pg.mkBrush(value)
        out.setColor(self.color(out.color()))
        return out

    def item(self, item: object) -> None:
        hook = getattr(item, "restyle", None)
        if callable(hook):
            # An item that holds colours of its own (a legend's entries) carries them itself.
            undo = hook(self.old, self.new)
            if undo is not None:
                self.undo.append(undo)
            return
        for kind, method in _RESTYLERS:
            if isinstance(item, kind):
                method(self, item)
                return
        if isinstance(item, QAbstractGraphicsShapeItem) and not isinstance(item,
                                                                            pg.GraphicsObject):
            # Plain Qt shapes the views draw themselves (the threshold band, stacked bands).
            old_pen, old_brush = item.pen(), item.brush()
            self.undo.append(lambda: (item.setPen(old_pen), item.setBrush(old_brush)))
            item.setPen(self.pen(old_pen))
            item.setBrush(self.brush(old_brush))

    def axis(self, axis: pg.AxisItem) -> None:
        old_pen, text_pen, style = axis.pen(), axis.textPen(), dict(axis.labelStyle)

        def restore() -> None:
            axis.setPen(old_pen)
            axis.setTextPen(text_pen)
            axis.labelStyle = style
            axis._updateLabel()

        self.undo.append(restore)
        axis.setPen(self.pen(old_pen))
        axis.setTextPen(self.pen(text_pen))
        # setLabel replaces the style, so a label may carry no colour of its own.
        label = pg.mkColor(style.get("color") or self.old.foreground)
        axis.labelStyle = {**style, "color": self.color(label).name()}
        axis._updateLabel()

    def label(self, label: pg.LabelItem) -> None:
        text, color_opt = label.text, label.opts.get("color")

        def restore() -> None:
            label.opts["color"] = color_opt
            label.setText(text)

        self.undo.append(restore)
        own = self.color(pg.mkColor(color_opt or self.old.foreground))
        label.setText(recolor_html(text, self.old, self.new), color=own)

    def legend(self, legend: pg.LegendItem) -> None:
        old_pen, old_brush = legend.opts["pen"], legend.opts["brush"]

        def restore() -> None:
            legend.opts["pen"], legend.opts["brush"] = old_pen, old_brush
            legend.update()

        self.undo.append(restore)
        legend.setPen(self.pen(old_pen))
        legend.setBrush(self.brush(old_brush))

    def curve(self, item: pg.PlotDataItem) -> None:
        opts = item.opts
        old = {key: opts[key] for key in ("pen", "fillBrush", "symbolPen", "symbolBrush",
                                          "symbolSize")}

        def restore() -> None:
            item.setPen(old["pen"])
            item.setFillBrush(old["fillBrush"])
            item.setSymbolPen(old["symbolPen"])
            item.setSymbolBrush(old["symbolBrush"])
            item.setSymbolSize(old["symbolSize"])

        self.undo.append(restore)
        item.setPen(self.pen(old["pen"]))
        if old["fillBrush"] is not None:
            item.setFillBrush(self.brush(old["fillBrush"]))
        if old["symbolPen"] is not None:
            item.setSymbolPen(self.pen(old["symbolPen"]))
        if old["symbolBrush"] is not None:
            item.setSymbolBrush(self.brush(old["symbolBrush"]))
        item.setSymbolSize(old["symbolSize"] * self.widen)

    def scatter(self, item: pg.ScatterPlotItem) -> None:
        if isinstance(item.parentItem(), pg.PlotDataItem):
            return  # its PlotDataItem passes its symbols on
        opts = item.opts
        old_pen, old_brush, size = opts["pen"], opts["brush"], opts["size"]

        def restore() -> None:
            item.setPen(old_pen)
            item.setBrush(old_brush)
            item.setSize(size)

        self.undo.append(restore)
        item.setPen(self.pen(old_pen))
        item.setBrush(self.brush(old_brush))
        item.setSize(size * self.widen)

    def bars(self, item: pg.BarGraphItem) -> None:
        old_pen, old_brush = item.opts.get("pen"), item.opts.get("brush")
        self.undo.append(lambda: item.setOpts(pen=old_pen, brush=old_brush))
        item.setOpts(pen=self.pen(old_pen) if old_pen is not None else None,
                     brush=self.brush(old_brush) if old_brush is not None else None)

    def image(self, image: pg.ImageItem) -> None:
        table = image.lut
        background = pg.mkColor(self.old.background).getRgb()[:3]
        # Only lookup tables that fade from the background (the raster); colour maps such
        # as viridis mean the same on either background.
        if not isinstance(table, np.ndarray) or tuple(table[0][:3]) != background:
            return
        top = self.color(QColor(*(int(v) for v in table[-1][:3])))
        new_table = _ramp(pg.mkColor(self.new.background), top, len(table))
        self.undo.append(lambda: image.setLookupTable(table))
        image.setLookupTable(new_table)

    def line(self, item: pg.InfiniteLine) -> None:
        old_pen, hover = item.pen, item.hoverPen

        def restore() -> None:
            item.hoverPen = hover
            item.setPen(old_pen)

        self.undo.append(restore)
        item.hoverPen = self.pen(hover)
        item.setPen(self.pen(old_pen))

    def region(self, item: pg.LinearRegionItem) -> None:
        old_brush, hover = item.brush, item.hoverBrush

        def restore() -> None:
            item.setBrush(old_brush)
            item.setHoverBrush(hover)

        self.undo.append(restore)
        item.setBrush(self.brush(old_brush))
        item.setHoverBrush(self.brush(hover))

    def text(self, item: pg.TextItem) -> None:
        old = item.color
        self.undo.append(lambda: item.setColor(old))
        item.setColor(self.color(old))


# Order matters: a LegendItem is a GraphicsWidget like a LabelItem; PlotDataItems come
# before the curves and scatters inside them.
_RESTYLERS: tuple[tuple[type, Callable[[_Restyle, object], None]], ...] = (
    (pg.AxisItem, _Restyle.axis),
    (pg.LegendItem, _Restyle.legend),
    (pg.LabelItem, _Restyle.label),
    (pg.PlotDataItem, _Restyle.curve),
    (pg.ScatterPlotItem, _Restyle.scatter),
    (pg.BarGraphItem, _Restyle.bars),
    (pg.ImageItem, _Restyle.image),
    (pg.InfiniteLine, _Restyle.line),
    (pg.LinearRegionItem, _Restyle.region),
    (pg.TextItem, _Restyle.text),
)


def restyle(view: pg.GraphicsView, old: Look, new: Look) -> Callable[[], None]:
    """Carry every item of ``view``'s scene from look ``old`` to look ``new``.

    Parameters
    ----------
    view : pyqtgraph.GraphicsView
    old, new : Look
        The look the items are drawn in, and the one to draw them in.

    Returns
    -------
    callable
        Undoes it, in reverse order (the view is then exactly as it was).
    """
    change = _Restyle(old, new)
    if old != new:
        # PlotDataItems before their child curves: a PlotDataItem passes its pen on to them.
        for item in view.scene().items():
            change.item(item)
        background = view.backgroundBrush().color()
        change.undo.append(lambda: view.setBackground(background))
        view.setBackground(new.theme.background)

    def undo() -> None:
        for step in reversed(change.undo):
            step()
    return undo


@contextlib.contextmanager
def temporary_look(view: pg.GraphicsView, look: Look) -> Iterator[None]:
    """Draw ``view`` in ``look`` while the block runs (an export), then restore it.

    Parameters
    ----------
    view : pyqtgraph.GraphicsView
    look : Look
    """
    undo = restyle(view, _current, look)
    try:
        yield
    finally:
        undo()


# -- the panels ------------------------------------------------------------------------------
_SIZE = re.compile(r"(\d+(?:\.\d+)?)(pt|px)\b")


@functools.cache
def _icons_of(theme: Theme) -> Path:
    """:func:`icon_folder` for a given theme (the icons do not change while the studio runs)."""
    source = resources_dir() / "icons"
    if not theme.panel_colors:
        return source
    files = sorted(source.glob("*.svg"))
    colors = theme.panel_colors
    drawn = {path.name: _recolored(path.read_text(encoding="utf-8"),
                                   lambda c: colors.get(c, c)) for path in files}
    digest = hashlib.sha256("".join(drawn.values()).encode()).hexdigest()[:12]
    cache = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.CacheLocation)
    folder = Path(cache or tempfile.gettempdir()) / "sorn-studio-icons" / f"{theme.name}-{digest}"
    if not all((folder / name).is_file() for name in drawn):
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in drawn.items():
            with atomic_path(folder / name, "the icon") as tmp:
                tmp.write_text(text, encoding="utf-8")
    return folder


def icon_folder(theme: Theme | None = None) -> Path:
    """The folder of the icons drawn for ``theme`` (the current one).

    The icons in ``resources/icons`` are drawn for the dark theme; another theme's are the
    same files with their colours mapped by :attr:`Theme.panel_colors`, written once into the
    user's cache folder (the style sheet names its icons by path).

    Parameters
    ----------
    theme : Theme, optional

    Returns
    -------
    pathlib.Path
    """
    return _icons_of(theme or _current.theme)


def style_sheet(look: Look | None = None) -> str:
    """The application style sheet (``resources/style.qss``) in ``look`` (the current one).

    The file is written for the dark theme at a scale of 1: its colours go through the
    theme's :attr:`Theme.panel_colors`, its font sizes and pixel sizes are multiplied by the
    scale. ``@ICONS@`` stands for the icon folder, wherever the package is installed (Qt
    resolves relative ``url()`` paths against the working folder, not the style sheet).

    Parameters
    ----------
    look : Look, optional

    Returns
    -------
    str
    """
    return _style_sheet_of(look or _current)


@functools.cache
def _style_sheet_of(look: Look) -> str:
    """:func:`style_sheet` for a given look (the file does not change while the studio runs)."""
    text = (resources_dir() / "style.qss").read_text(encoding="utf-8")
    colors = look.theme.panel_colors
    text = _recolored(text, lambda c: colors.get(c, c))
    text = text.replace("@ICONS@", icon_folder(look.theme).as_posix())
    if look.scale != 1:
        def grow(match: re.Match[str]) -> str:
            value = float(match.group(1)) * look.scale
            if match.group(2) == "px":
                return f"{max(1, round(value))}px" if float(match.group(1)) else "0px"
            return f"{value:.4g}pt"
        text = _SIZE.sub(grow, text)
    return text


def follow_look(widget: QWidget) -> None:
    """Have :func:`apply_look` call ``widget.set_look(old, new)`` whenever the look changes.

    Views and panels that hold colours or sizes of their own register themselves; the
    registry holds them weakly, and skips those Qt has already deleted.
    """
    _followers.add(widget)


def forget_followers(window: QWidget) -> None:
    """Stop carrying ``window`` (closing) and the widgets under it, those of the windows it
    owns included, to new looks."""
    for widget in list(_followers):
        owner = widget
        while owner is not None and shiboken6.isValid(owner) and owner is not window:
            owner = owner.parentWidget()
        if owner is window or not shiboken6.isValid(widget):
            _followers.discard(widget)


def apply_look(look: Look) -> None:
    """Make ``look`` the studio's: the style sheet, and every widget that follows it
    (:func:`follow_look`) in every window. Widgets that paint themselves read :func:`color`
    when they paint (the new style sheet repaints them).

    Parameters
    ----------
    look : Look
    """
    old = _current
    if look == old:
        return
    set_current_look(look)
    app = QApplication.instance()
    busy = isinstance(app, QApplication)
    if busy:
        # Qt re-polishes every widget for a new style sheet: a second or two in a full studio.
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        if busy:
            app.setStyleSheet(style_sheet(look))
        for widget in list(_followers):
            # A closed window's widgets may be gone on the C++ side before Python lets go.
            if shiboken6.isValid(widget):
                widget.set_look(old, look)
    finally:
        if busy:
            QApplication.restoreOverrideCursor()


_followers: weakref.WeakSet[QWidget] = weakref.WeakSet()


# pyqtgraph's own defaults (black, grey) until the studio's look is set.
set_current_look(_current)
