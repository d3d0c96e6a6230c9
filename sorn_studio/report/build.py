"""Writing a report: every figure in the asked formats, then the page that shows them."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..atomic import atomic_file
from ..figures import FIGURE_FORMATS, save_figure
from ..session import read_session
from .contents import STAGES, ReportContents, gather_contents
from .figures import FIGURES, Unavailable
from .page import DrawnFigure, report_page

__all__ = ["DEFAULT_FORMATS", "Report", "write_report"]

#: Formats written when none are asked for: PNG for the page and slides, SVG for editing.
DEFAULT_FORMATS = ("png", "svg")


@dataclass(frozen=True)
class Report:
    """What :func:`write_report` wrote.

    Attributes
    ----------
    folder : pathlib.Path
        The output folder.
    page : pathlib.Path
        Its ``index.html``.
    figures : tuple of DrawnFigure
        Every figure, drawn (``files``) or not (``missing`` says why).
    contents : ReportContents
        What was read from the session.
    """

    folder: Path
    page: Path
    figures: tuple[DrawnFigure, ...]
    contents: ReportContents


def _check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    allowed = tuple(f.lstrip(".") for f in FIGURE_FORMATS)
    if isinstance(formats, str):
        formats = (formats,)
    chosen: list[str] = []
    for fmt in formats:
        name = str(fmt).lower().lstrip(".")
        if name not in allowed:
            raise ValueError(f"argument 'formats' holds {fmt!r}; allowed: {', '.join(allowed)}")
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise ValueError(f"argument 'formats' is empty; give one or more of "
                         f"{', '.join(allowed)}")
    return tuple(chosen)


def write_report(session: str | os.PathLike[str], out: str | os.PathLike[str], *,
                 formats: Sequence[str] = DEFAULT_FORMATS,
                 progress: Callable[[int, int, str], None] | None = None) -> Report:
    """Draw the figures of a session file into ``out`` with an ``index.html`` that shows them.

    Parameters
    ----------
    session : str or os.PathLike
        The session ``.npz`` (untrusted: read with every check of
        :func:`~sorn_studio.session.read_session`).
    out : str or os.PathLike
        The output folder; created if missing (its parent must exist). An earlier report's
        figures there (``raster.png``, ...) are removed or replaced, each file atomically;
        other files are left alone.
    formats : sequence of str
        Any of ``"png"``, ``"svg"``, ``"pdf"``; the page shows the SVG or else the PNG (a
        PDF-only report links its files).
    progress : callable, optional
        Called as ``progress(done, total, what)`` as the work advances (``total`` counts
        the reading stages and the figures).

    Returns
    -------
    Report

    Raises
    ------
    SessionError
        When the session file is missing, damaged or not a session.
    ValueError
        For an unknown format.
    OSError
        When ``out`` cannot be made or written (nothing is half-written).
    """
    chosen = _check_formats(formats)
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"cannot write the report to {folder}: it is a file")
    if not folder.parent.is_dir():
        raise FileNotFoundError(f"cannot write the report to {folder}: folder "
                                f"{folder.parent} does not exist")
    # Reading, the stages of gathering, every figure and the page.
    total = 1 + len(STAGES) + len(FIGURES) + 1
    done = 0

    def step(what: str) -> None:
        nonlocal done
        if progress is not None:
            progress(done, total, what)
        done += 1

    step("reading the session")
    data = read_session(session)
    folder.mkdir(exist_ok=True)
    contents = gather_contents(data, step)
    drawn: list[DrawnFigure] = []
    for spec in FIGURES:
        step(f"figure {spec.stem}")
        # An earlier report's files of this figure go, so the folder holds only this
        # report's (a figure skipped now leaves no old picture behind).
        for suffix in FIGURE_FORMATS:
            (folder / f"{spec.stem}{suffix}").unlink(missing_ok=True)
        try:
            fig, caption = spec.draw(contents)
        except Unavailable as exc:
            drawn.append(DrawnFigure(spec.stem, spec.title, missing=str(exc)))
            continue
        except (ValueError, ArithmeticError) as exc:
            # One figure the data defeat (a fit that fails, say) costs that figure, not the
            # report: the page says what went wrong.
            drawn.append(DrawnFigure(spec.stem, spec.title,
                                     missing=f"it could not be drawn: {exc}"))
            continue
        # Lay the figure out once and keep that layout, so every format shows the same
        # figure and a report regenerated in other formats is byte for byte the same.
        fig.draw_without_rendering()
        fig.set_layout_engine("none")
        files = tuple(save_figure(fig, folder / f"{spec.stem}.{fmt}").name for fmt in chosen)
        drawn.append(DrawnFigure(spec.stem, spec.title, files=files, caption=caption))
    step("page")
    page = folder / "index.html"
    with atomic_file(page, "the report page") as handle:
        handle.write(report_page(contents, drawn).encode("utf-8"))
    if progress is not None:
        progress(total, total, "done")
    return Report(folder=folder, page=page, figures=tuple(drawn), contents=contents)
