"""Saving a figure atomically, in the format its file name asks for."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import atomic_path

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FIGURE_FORMATS", "save_figure"]

#: File suffixes a figure can be saved as, with matplotlib's name for each format.
FIGURE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}

#: Resolution of PNG files: sharp on a slide and in print at a column's width.
PNG_DPI = 150


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: float = PNG_DPI) -> Path:
    """Save ``fig`` to ``path``: complete or not at all, in the format of its suffix.

    The figure is written to a temporary file beside ``path`` and renamed over it, so a failed
    or interrupted save never leaves a half-written file nor damages an existing one.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to save.
    path : str or os.PathLike
        The file; its suffix (``.png``, ``.svg`` or ``.pdf``, any case) chooses the format.
        Its folder must exist.
    dpi : float
        Resolution of a PNG (SVG and PDF are vector formats and keep the figure's inches).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValueError
        When the suffix is not one of :data:`FIGURE_FORMATS`.
    FileNotFoundError
        When the folder of ``path`` does not exist.
    """
    path = Path(path)
    fmt = FIGURE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        allowed = ", ".join(FIGURE_FORMATS)
        raise ValueError(f"cannot save a figure as {str(path)!r}: the file name must end in "
                         f"one of {allowed}")
    import matplotlib

    # No date and fixed SVG element ids keep the files of identical figures identical, so a
    # report regenerated from the same session changes nothing under version control.
    metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt)
    with atomic_path(path, "the figure") as tmp, matplotlib.rc_context(
            {"svg.hashsalt": "sorn-studio"}):
        fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata)
    return path
