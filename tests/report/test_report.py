"""``sorn-studio report``: every figure and the page for a session, skipped figures explained,
the same numbers as the studio's builders, bad input refused."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import html

import numpy as np
import pytest

from sorn_studio import RecordingSpec, Simulation, load_preset
from sorn_studio.analysis import detect_avalanches, isi_statistics
from sorn_studio.cli import main
from sorn_studio.report import FIGURES, write_report
from sorn_studio.report import figures as report_figures
from sorn_studio.report.contents import gather_contents
from sorn_studio.session import SessionError, read_session, save_session
from sorn_studio.studio.history import History

SMALL = dict(ne=40, ni=8, lambda_ee=5, lambda_ei=2, lambda_ie=40)
PNG = b"\x89PNG\r\n\x1a\n"


def _session(path, steps=6000, *, weights_every=500, changes=True, history=False, **recording):
    sim = Simulation(load_preset("zheng2013", **SMALL), 4,
                     recording=RecordingSpec(weights_every=weights_every, neurons=(0, 1),
                                             **recording))
    kept = History(k=2) if history else None
    for part, change in ((steps // 2, {"eta_stdp": 0.008}), (steps - steps // 2, {})):
        for _ in range(part // 500):
            sim.run(500)
            if kept is not None:
                kept.take(sim, 500)
        if changes and change:
            sim.apply_params(**change)
    save_session(sim, path, preset="zheng2013",
                 history=kept.points() if kept is not None else None)
    return sim


@pytest.fixture(scope="module")
def full_session(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "run.npz"
    _session(path, steps=6000, window=6000)
    return path


@pytest.fixture(scope="module")
def full_report(full_session, tmp_path_factory):
    seen: list[tuple[int, int]] = []
    report = write_report(full_session, tmp_path_factory.mktemp("report") / "out",
                          progress=lambda done, total, what: seen.append((done, total)))
    return report, seen


def test_every_figure_and_the_page_are_written(full_report):
    report, seen = full_report
    tmp_path = report.folder.parent
    assert [f.stem for f in report.figures] == [f.stem for f in FIGURES]
    missing = {f.stem: f.missing for f in report.figures if f.missing}
    assert missing == {}
    for fig in report.figures:
        assert fig.files == (f"{fig.stem}.png", f"{fig.stem}.svg")
        png = (tmp_path / "out" / fig.files[0]).read_bytes()
        assert png.startswith(PNG) and len(png) > 5_000
        assert b"<svg" in (tmp_path / "out" / fig.files[1]).read_bytes()[:2000]
    page = report.page.read_text(encoding="utf-8")
    for fig in report.figures:
        assert f'<img src="{fig.stem}.svg"' in page and html.escape(fig.caption) in page
    assert "zheng2013" in page and "6 000" in page
    assert "eta STDP: 0.004 -&gt; 0.008" in page          # the change, escaped
    # Progress counts up to its total and ends there.
    dones = [d for d, _ in seen]
    assert dones == sorted(dones) and seen[-1][0] == seen[-1][1]


def test_a_report_regenerated_from_the_same_session_is_byte_for_byte_the_same(
        full_session, full_report, tmp_path):
    # SVG here; that PDFs carry no date either is checked in tests/figures/test_save.py.
    first, _ = full_report
    again = write_report(full_session, tmp_path / "again", formats=("svg",))
    names = sorted(p.name for p in again.folder.glob("*.svg"))
    assert len(names) == len(FIGURES)
    for name in names:
        assert (first.folder / name).read_bytes() == (again.folder / name).read_bytes(), name


def test_a_session_without_steps_skips_what_needs_them_and_says_why(tmp_path):
    sim = Simulation(load_preset("zheng2013", **SMALL), 1)
    save_session(sim, tmp_path / "empty.npz")
    report = write_report(tmp_path / "empty.npz", tmp_path / "out", formats=["pdf"])
    missing = {f.stem: f.missing for f in report.figures if f.missing}
    assert set(missing) == {"raster", "connections", "thresholds", "rates", "isi",
                            "lifetimes", "avalanches"}
    assert missing["raster"] == "the session recorded no steps"
    assert "nothing ran yet" in missing["connections"]
    assert "W^EE snapshots" in missing["lifetimes"]
    # The weights exist from step 0, so their figure is drawn.
    assert (tmp_path / "out" / "weights.pdf").read_bytes().startswith(b"%PDF")
    page = report.page.read_text(encoding="utf-8")
    assert page.count('class="missing"') == 7 and "Not drawn: the session recorded no steps" in page
    assert '<object data="weights.pdf"' in page


def test_without_snapshots_the_lifetimes_are_skipped_with_how_to_get_them(tmp_path):
    _session(tmp_path / "s.npz", steps=2000, weights_every=0)
    report = write_report(tmp_path / "s.npz", tmp_path / "out", formats=("png",))
    missing = {f.stem: f.missing for f in report.figures if f.missing}
    assert list(missing) == ["lifetimes"]
    assert "weights_every" in missing["lifetimes"]


def test_the_connection_figure_draws_the_saved_history_or_the_recording(tmp_path):
    _session(tmp_path / "h.npz", steps=4000, window=1000, history=True)
    data = read_session(tmp_path / "h.npz")
    contents = gather_contents(data)
    assert contents.history_saved and contents.traces.start == 0
    fig, caption = report_figures.connections_figure(contents)
    line = fig.axes[0].lines[0]
    np.testing.assert_array_equal(line.get_ydata(), data.arrays["history/n_ee"])
    assert "whole-run history the studio saved" in caption

    _session(tmp_path / "r.npz", steps=4000, window=1000)
    data = read_session(tmp_path / "r.npz")
    contents = gather_contents(data)
    assert not contents.history_saved and contents.traces.start == 3000
    fig, caption = report_figures.connections_figure(contents)
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), data.arrays["rec/n_ee"])
    assert "first 3 000 steps are not in the file" in caption
    # The file keeps step 0, so the first point is drawn even without the history.
    step0 = fig.axes[0].lines[2]
    assert step0.get_xdata()[0] == 0
    assert step0.get_ydata()[0] == np.count_nonzero(data.arrays["initial/w_ee"])


def test_the_weight_figure_reports_the_studio_fits(full_session):
    from sorn_studio.session import load_session
    from sorn_studio.studio.frames import take_weights

    contents = gather_contents(read_session(full_session))
    studio = take_weights(load_session(full_session)[0])
    fig, caption = report_figures.weights_figure(contents)
    delta = studio.ee_fit.fit.delta_aic
    assert f"\u0394AIC {delta:+.0f}" in fig.axes[0].get_legend().get_title().get_text()
    assert f"\u0394AIC = {delta:+.0f}" in caption
    floor = studio.ee_fit.floor_fit.delta_aic
    assert f"\u0394AIC = {floor:+.0f}" in caption.split("Above")[1]
    assert fig.axes[0].get_xlabel() == "Weight" and fig.axes[0].get_xscale() == "log"


def test_isi_and_avalanche_figures_show_their_statistics(full_session):
    contents = gather_contents(read_session(full_session))
    fig, caption = report_figures.isi_figure(contents)
    cv = isi_statistics(contents.spikes_e).cv
    assert f"coefficient of variation is {cv:.2f}" in caption
    assert f"CV {cv:.2f}" in fig.axes[0].get_legend().get_title().get_text()
    assert fig.axes[0].get_yscale() == "log"
    fig, caption = report_figures.avalanches_figure(contents)
    theta = detect_avalanches(contents.spikes_e).theta
    assert f"round(<a>/2) = {theta:g}" in caption
    assert [ax.get_xscale() for ax in fig.axes] == ["log", "log"]


def test_bad_formats_and_outputs_are_refused_before_anything_is_written(full_session,
                                                                         tmp_path):
    with pytest.raises(ValueError, match=r"argument 'formats' holds 'jpg'; allowed: png, svg"):
        write_report(full_session, tmp_path / "out", formats=["png", "jpg"])
    with pytest.raises(ValueError, match="argument 'formats' is empty"):
        write_report(full_session, tmp_path / "out", formats=[])
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError, match="it is a file"):
        write_report(full_session, tmp_path / "file")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_report(full_session, tmp_path / "no" / "out")
    assert not (tmp_path / "out").exists()
    (tmp_path / "bad.npz").write_bytes(b"not a session")
    with pytest.raises(SessionError):
        write_report(tmp_path / "bad.npz", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_command_writes_the_report_and_names_what_it_skipped(tmp_path, capsys):
    _session(tmp_path / "s.npz", steps=2000, weights_every=0)
    code = main(["report", str(tmp_path / "s.npz"), "--out", str(tmp_path / "out"),
                 "--format", "svg", "--progress"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "raster: raster.svg" in out
    assert "skipped lifetimes: the session keeps fewer than two W^EE snapshots" in out
    assert f"wrote {tmp_path / 'out' / 'index.html'} (7 of 8 figures)" in out
    assert "100.0%" in err
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir()) == [".html"] + [".svg"] * 7


@pytest.mark.parametrize("args, message", [
    (["missing.npz", "--out", "out"], "missing.npz"),
    (["s.npz", "--out", "s.npz"], "it is a file"),
    (["s.npz", "--out", "nowhere/out"], "does not exist"),
])
def test_the_command_refuses_bad_input_in_one_line(tmp_path, capsys, monkeypatch, args,
                                                   message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.npz").write_bytes(b"x")
    code = main(["report", *args])
    _, err = capsys.readouterr()
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and message in err


def test_what_the_session_file_says_reaches_the_page_escaped(tmp_path):
    # A counting-task session whose preset name is markup: the file is untrusted input.
    sim = Simulation(load_preset("lazar2009"), 2, recording=RecordingSpec(window=2000))
    sim.run(1500)
    sim.apply_params(eta_ip=0.02)
    sim.run(500)
    hostile = '<script>alert("x")</script>'
    save_session(sim, tmp_path / "c.npz", preset=hostile)
    report = write_report(tmp_path / "c.npz", tmp_path / "out", formats=("png",))
    page = report.page.read_text(encoding="utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "input counting" in page and "at step 1 500" in page
    assert not [f.stem for f in report.figures if f.missing and f.stem != "lifetimes"]


def test_a_new_report_replaces_the_old_figures_and_survives_a_figure_that_fails(
        tmp_path, monkeypatch):
    from sorn_studio.report import build

    _session(tmp_path / "s.npz", steps=1000, weights_every=0)
    out = tmp_path / "out"
    out.mkdir()
    (out / "lifetimes.png").write_bytes(b"an old picture")
    (out / "notes.txt").write_text("mine")

    def broken(contents):
        raise ValueError("the fit did not converge")

    figures = tuple(f if f.stem != "rates" else report_figures.ReportFigure(
        f.stem, f.title, broken) for f in FIGURES)
    monkeypatch.setattr(build, "FIGURES", figures)
    report = write_report(tmp_path / "s.npz", out, formats=("svg",))
    missing = {f.stem: f.missing for f in report.figures if f.missing}
    assert missing["rates"] == "it could not be drawn: the fit did not converge"
    assert not (out / "lifetimes.png").exists() and (out / "notes.txt").read_text() == "mine"
    assert not list(out.glob("*.png"))
    assert "Not drawn: it could not be drawn: the fit did not converge." in \
        report.page.read_text(encoding="utf-8")
