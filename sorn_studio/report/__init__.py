"""``sorn-studio report``: a headless figure set and page for a saved session.

The figures are the studio's views drawn with matplotlib from the same builders and
:mod:`sorn_studio.analysis` functions: raster with rates, connection counts and fraction,
thresholds, the weight distribution with both fits (all synapses and above 0.01), firing
rates, inter-spike intervals with the CV, and, when the recording allows, synapse lifetimes
and avalanches. A figure the session cannot give is skipped and the page says why.

Modules: :mod:`.contents` (what is read and computed), :mod:`.figures` (one function per
figure), :mod:`.page` (the HTML page), :mod:`.build` (:func:`write_report`).
"""

from __future__ import annotations

from .build import DEFAULT_FORMATS, Report, write_report
from .figures import FIGURES, ReportFigure, Unavailable
from .page import DrawnFigure

__all__ = ["DEFAULT_FORMATS", "FIGURES", "DrawnFigure", "Report", "ReportFigure", "Unavailable",
           "write_report"]
