"""The report's ``index.html``: the session's summary, its changes, and every figure."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from ..studio.texts import change_summary, step_text, value_text
from .contents import ReportContents

__all__ = ["DrawnFigure", "report_page"]

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 62rem; margin: 2rem auto;
       padding: 0 1rem; color: #1d2230; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #dde1ea; }
table { border-collapse: collapse; }
td, th { padding: .15rem .9rem .15rem 0; text-align: left; vertical-align: top; }
th { font-weight: 600; color: #4a5268; }
img { width: 100%; height: auto; }
figure { margin: 0; }
figcaption { color: #3b4256; font-size: .93rem; }
.missing { color: #8a4b00; background: #fff6e5; padding: .4rem .7rem; border-radius: 4px; }
.files { font-size: .85rem; color: #4a5268; }
"""


@dataclass(frozen=True)
class DrawnFigure:
    """One figure as the page shows it.

    Attributes
    ----------
    stem, title : str
        File name without suffix, and heading.
    files : tuple of str
        File names written for it, in the order of the requested formats (empty when the
        figure could not be drawn).
    caption : str
        What it shows; empty when not drawn.
    missing : str
        Why it was not drawn; empty when it was.
    """

    stem: str
    title: str
    files: tuple[str, ...] = ()
    caption: str = ""
    missing: str = ""


def _number(value: float, digits: int = 4) -> str:
    return "n/a" if isinstance(value, float) and math.isnan(value) else f"{value:.{digits}f}"


def _summary_rows(c: ReportContents) -> list[tuple[str, str]]:
    s: dict[str, Any] = c.summary
    p = c.params
    rows = [
        ("preset", s["preset"] or "(none)"),
        ("seed", str(s["seed"])),
        ("steps", step_text(s["steps"])),
        ("network", f"{p.ne} excitatory, {p.ni} inhibitory units; input {p.input_kind}"),
        ("mechanisms", ", ".join(f"{name.upper()} {value_text(getattr(p, name))}"
                                 for name in ("stdp", "ip", "sp", "istdp", "sn"))),
        ("recorded", f"the newest {step_text(c.recorded_steps)} steps"),
        ("mean rate", f"E {_number(s['rate_e'])}, I {_number(s['rate_i'])} spikes per unit "
                      "and step (recorded steps)"),
        ("E\u2192E synapses", f"{s['n_ee']} now, connection fraction "
                              f"{100 * s['connection_fraction']:.2f} % (at step 0 "
                              f"{100 * s['initial_connection_fraction']:.2f} %)"),
        ("I\u2192E synapses", str(s["n_ei"])),
        ("file", f"{c.info.path.name}: sorn-studio {s['app_version']}, schema "
                 f"{s['schema_version']}, saved {s['created']}, backend {s['backend']}"),
    ]
    if not s["replayable"]:
        rows.append(("replay", f"not possible: {s['replay_note']}"))
    return rows


def _figure_html(fig: DrawnFigure) -> str:
    head = f'<h2 id="{escape(fig.stem)}">{escape(fig.title)}</h2>'
    if fig.missing:
        return f'{head}\n<p class="missing">Not drawn: {escape(fig.missing)}.</p>'
    # SVG stays sharp at any zoom; PNG where no SVG was asked for; else the first file.
    shown = next((f for suffix in (".svg", ".png") for f in fig.files if f.endswith(suffix)),
                 fig.files[0])
    links = " \u00b7 ".join(f'<a href="{escape(f)}">{escape(f)}</a>' for f in fig.files)
    if shown.endswith(".pdf"):
        # A PDF-only report: browsers show a PDF in an object, others get the link.
        image = (f'<object data="{escape(shown)}" type="application/pdf" width="100%" '
                 f'height="520"><a href="{escape(shown)}">{escape(shown)}</a></object>')
    else:
        image = f'<img src="{escape(shown)}" alt="{escape(fig.title)}">'
    return (f"{head}\n<figure>{image}\n<figcaption>{escape(fig.caption)}</figcaption>"
            f'</figure>\n<p class="files">{links}</p>')


def report_page(c: ReportContents, figures: Sequence[DrawnFigure]) -> str:
    """The HTML page of a report.

    Parameters
    ----------
    c : ReportContents
        What the session holds.
    figures : sequence of DrawnFigure
        The figures in page order, drawn or not.

    Returns
    -------
    str
        A complete, self-contained HTML document (styles inline, figures by file name).
    """
    name = c.info.path.name
    rows = "\n".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>"
                     for k, v in _summary_rows(c))
    changes = c.info.change_log
    if changes:
        items = "\n".join(f"<tr><td>at step {step_text(ch.step)}</td>"
                          f"<td>{escape(change_summary(ch))}</td></tr>" for ch in changes)
        change_html = ("<p>Live changes, each made after the step given (as the studio's "
                       "change log and the figures' markers say):</p>\n"
                       f"<table>{items}</table>")
    else:
        change_html = "<p>None: the parameters stayed as they started.</p>"
    pending = "".join(f"<li>{escape(k)} \u2192 {escape(value_text(v))} (requested, not yet "
                      "applied)</li>" for k, v in c.info.pending.items())
    if pending:
        change_html += f"\n<ul>{pending}</ul>"
    contents = " \u00b7 ".join(f'<a href="#{escape(f.stem)}">{escape(f.title)}</a>'
                               for f in figures)
    body = "\n".join(_figure_html(f) for f in figures)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>SORN Studio report: {escape(name)}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>SORN Studio report: {escape(name)}</h1>
<p>{contents}</p>
<h2 id="summary">Session</h2>
<table>
{rows}
</table>
<h2 id="changes">Changes</h2>
{change_html}
{body}
</body>
</html>
"""
