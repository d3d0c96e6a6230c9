"""``sorn-studio report``: the figures of a session file and a page that shows them."""

from __future__ import annotations

import argparse

from .progress import NullProgress, Progress

__all__ = ["add_parser", "report_command"]

_FORMATS = ("png", "svg", "pdf")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``report`` to ``subparsers`` (the ``sorn-studio`` commands):
    ``func=report_command``."""
    report = subparsers.add_parser(
        "report", help="draw the figures of a session file, with a page",
        description="Draw the figures of a session file without a window (raster with rates, "
        "connections, thresholds, weight distribution with its fits, firing rates, "
        "inter-spike intervals, and when the recording allows synapse lifetimes and "
        "avalanches) into a folder, with an index.html that shows them beside the session's "
        "summary and changes. A figure the session cannot give is skipped and the page says "
        "why.")
    report.add_argument("file", metavar="SESSION.npz")
    report.add_argument("--out", required=True, metavar="DIR",
                        help="folder to write (created if missing; its parent must exist)")
    report.add_argument("--format", action="append", choices=_FORMATS, dest="formats",
                        metavar="FORMAT", help="png, svg or pdf; repeat for several "
                        "(default: png and svg)")
    report.add_argument("--progress", action="store_true",
                        help="show a progress bar on stderr (for long sessions)")
    report.set_defaults(func=report_command)
    return report


def report_command(args: argparse.Namespace) -> int:
    """Write the report of ``args.file`` into ``args.out``; 0 (a bad file raises
    ``SessionError``, a folder that cannot be written ``OSError``, each naming it)."""
    from sorn_studio.report import DEFAULT_FORMATS, write_report

    bar: Progress = (Progress(1, label="parts", title="report") if args.progress
                     else NullProgress(1))

    def progress(done: int, total: int, _what: str) -> None:
        bar.total = total
        bar.update(done)

    report = write_report(args.file, args.out, formats=args.formats or DEFAULT_FORMATS,
                          progress=progress)
    bar.finish()
    for fig in report.figures:
        if fig.missing:
            print(f"skipped {fig.stem}: {fig.missing}")
        else:
            print(f"{fig.stem}: {', '.join(fig.files)}")
    drawn = sum(1 for fig in report.figures if not fig.missing)
    print(f"wrote {report.page} ({drawn} of {len(report.figures)} figures)")
    return 0
