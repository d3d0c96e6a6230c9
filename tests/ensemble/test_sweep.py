"""Sweeps: cells named by what they are, run here or on a Dask cluster, resumed, a failing
cell recorded while the others go on, the same results on one worker and on two."""

from __future__ import annotations

import json

import pytest
from helpers import one_line_error

from sorn_studio.cli import main
from sorn_studio.ensemble import Cell, grid, run_sweep
from sorn_studio.ensemble import run as ensemble_run
from sorn_studio.ensemble.summary import parse_axis

#: A small network, so that a cell takes a fraction of a second.
SMALL = {"ne": 40, "ni": 8, "lambda_ee": 8, "lambda_ei": 4, "lambda_ie": 40}
STEPS = 300


def small_grid(seeds: int = 2) -> list[Cell]:
    return grid("zheng2013", STEPS, {"eta_stdp": [0.002, 0.004]}, seeds, changes=SMALL)


def test_a_cell_is_named_by_what_it_is_not_where_it_is():
    cells = small_grid()
    assert [(c.changes["eta_stdp"], c.seed) for c in cells] == [
        (0.002, 0), (0.002, 1), (0.004, 0), (0.004, 1)]
    assert len({c.key() for c in cells}) == 4
    again = grid("zheng2013", STEPS, {"eta_stdp": [0.004, 0.002]}, [1, 0], changes=SMALL)
    assert {c.key() for c in again} == {c.key() for c in cells}
    assert Cell("zheng2013", {**SMALL, "eta_stdp": 0.002}, 0, STEPS).key() == cells[0].key()
    assert Cell("zheng2013", {**SMALL, "eta_stdp": 0.002}, 0, STEPS + 1).key() != cells[0].key()
    assert cells[1].label() == ("eta_stdp=0.002 lambda_ee=8 lambda_ei=4 lambda_ie=40 ne=40 ni=8 "
                                "seed=1")


@pytest.mark.parametrize(("make", "message"), [
    (lambda: Cell("nope"), "unknown preset 'nope'"),
    (lambda: Cell("zheng2013", {"eta_stdp": -1.0}), "eta_stdp"),
    (lambda: Cell("zheng2013", {"colour": 1}), "colour"),
    (lambda: Cell("zheng2013", seed=-1), "seed must be a whole number >= 0, got -1"),
    (lambda: Cell("zheng2013", steps=0), "steps must be a whole number >= 1, got 0"),
    (lambda: Cell("zheng2013", metrics=("happiness",)), "metric(s) ['happiness'] cannot be"),
    (lambda: Cell("zheng2013", metrics=("isi_cv",)), "metric(s) ['isi_cv'] cannot be"),
    (lambda: grid("zheng2013", 10, {"eta_stdp": []}), "grid axis 'eta_stdp' has no values"),
    (lambda: grid("zheng2013", 10, seeds=[]), "seeds is empty"),
])
def test_a_bad_cell_is_refused_before_anything_runs(make, message):
    with pytest.raises(ValueError) as err:
        make()
    assert message in str(err.value)


def test_a_sweep_here_records_every_cell_and_a_second_run_skips_them(tmp_path):
    cells = small_grid()
    seen, states = [], []

    def note(record, progress):
        seen.append(record)
        states.append((progress.done, progress.running, progress.failed))

    records = run_sweep(cells, tmp_path, workers=1, on_record=note)
    # What the progress bar shows after each cell: done, running, failed.
    assert states == [(1, 1, 0), (2, 1, 0), (3, 1, 0), (4, 0, 0)]
    assert [r["key"] for r in records] == [c.key() for c in cells]
    assert all(r["status"] == "done" and r["steps"] == STEPS for r in records)
    assert all(0 < r["connection_fraction"] < 100 and r["rate_e"] > 0 for r in records)
    assert len(seen) == 4 and (tmp_path / "results.csv").read_text().count("\n") == 5
    assert json.loads((tmp_path / "results.json").read_text()) == records
    # Run again: nothing to do, the same table.
    again = run_sweep(cells, tmp_path, workers=1, on_record=lambda r, p: seen.append(r))
    assert len(seen) == 4 and again == records
    # A grid that grows runs only what is new.
    bigger = small_grid(seeds=3)
    run_sweep(bigger, tmp_path, workers=1, on_record=lambda r, p: seen.append(r))
    assert [r["seed"] for r in seen[4:]] == [2, 2]


def test_a_failing_cell_is_recorded_and_the_others_go_on(tmp_path, monkeypatch):
    real = ensemble_run.run_cell

    def flaky(cell, session_path=None):
        if cell.seed == 1:
            raise RuntimeError("the kernel exploded")
        return real(cell, session_path)

    monkeypatch.setattr(ensemble_run, "run_cell", flaky)
    records = run_sweep(small_grid(), tmp_path, workers=1)
    assert [r["status"] for r in records] == ["done", "failed", "done", "failed"]
    assert records[1]["error"] == "RuntimeError: the kernel exploded"
    assert "the kernel exploded" in records[1]["traceback"]
    # A failed cell is tried again on the next run; the done ones are not.
    monkeypatch.setattr(ensemble_run, "run_cell", real)
    seen = []
    records = run_sweep(small_grid(), tmp_path, workers=1,
                        on_record=lambda r, p: seen.append(r["seed"]))
    assert seen == [1, 1] and all(r["status"] == "done" for r in records)


def test_a_kept_session_is_written_beside_the_results(tmp_path):
    from sorn_studio.session import read_session

    cells = grid("zheng2013", STEPS, None, 1, changes=SMALL, keep_session=True)
    (record,) = run_sweep(cells, tmp_path, workers=1)
    path = tmp_path / "sessions" / f"{cells[0].key()}.npz"
    assert record["status"] == "done", record.get("error")
    assert record["session"] == str(path) and read_session(path) is not None


def test_one_worker_and_two_dask_workers_give_the_same_results(tmp_path):
    cells = small_grid()
    here = run_sweep(cells, tmp_path / "one", workers=1)
    dask = run_sweep(cells, tmp_path / "two", workers=2)
    strip = ("seconds",)
    assert ([{k: v for k, v in r.items() if k not in strip} for r in dask]
            == [{k: v for k, v in r.items() if k not in strip} for r in here])


def test_the_sweep_command_prints_the_dashboard_address_of_its_cluster(tmp_path, capsys,
                                                                      monkeypatch):
    from sorn_studio.ensemble import tasks

    # Dask serves a dashboard only with bokeh, which is not installed here.
    link = "http://127.0.0.1:8799/status"
    monkeypatch.setattr(tasks, "dashboard_address", lambda client: link)
    small = [f"--set={k}={v}" for k, v in SMALL.items()]
    assert main(["sweep", "--preset", "zheng2013", "--steps", str(STEPS), *small,
                 "--seeds", "2", "--workers", "2", "--out", str(tmp_path / "out")]) == 0
    assert f"Dask dashboard: {link}" in capsys.readouterr().out


def test_the_sweep_command(tmp_path, capsys):
    assert parse_axis("eta_stdp=0.002, 0.004") == ("eta_stdp", [0.002, 0.004])
    assert parse_axis("ip=on,off") == ("ip", [True, False])
    out = tmp_path / "out"
    small = [f"--set={k}={v}" for k, v in SMALL.items()]
    code = main(["sweep", "--preset", "zheng2013", "--steps", str(STEPS), *small,
                 "--grid", "eta_stdp=0.002,0.004", "--seeds", "2", "--workers", "1",
                 "--out", str(out)])
    text, err = capsys.readouterr()
    assert code == 0
    # Not a terminal: the bar writes whole lines, the last one at the end.
    bar = [line for line in err.splitlines() if line.startswith("[")]
    assert bar and "4/4 networks" in bar[-1] and "4 done, 0 running, 0 failed" in bar[-1]
    assert "4 networks of 300 steps, 0 already done" in text
    assert text.count("] eta_stdp=") == 4 and "[4/4]" in text
    assert "Summary (mean \u00b1 standard deviation over seeds):" in text
    assert "eta_stdp=0.002  connection_fraction" in text and "(n=2)" in text
    assert main(["sweep", "--preset", "zheng2013", "--steps", "10", "--grid", "eta_stdp",
                 "--out", str(out)]) == 2
    assert "--grid 'eta_stdp' is not NAME=V1,V2,..." in capsys.readouterr().err
    assert main(["sweep", "--preset", "zheng2013", "--steps", "10", "--grid", "nope=1,2",
                 "--out", str(out)]) == 2


@pytest.mark.parametrize("command", [["sweep", "--preset", "zheng2013", "--steps", "10"],
                                     ["experiment", "avalanches", "--networks", "2"]],
                         ids=["sweep", "avalanches"])
@pytest.mark.parametrize(("option", "message"), [
    (["--workers", "0"], "argument --workers: 0 is out of range; allowed: [1, 1024]"),
    (["--workers", "many"], "argument --workers: 'many' is not a whole number"),
    (["--scheduler", "nonsense"], "argument --scheduler: 'nonsense' is not a scheduler "
                                  "address; allowed: [PROTOCOL://]HOST:PORT"),
    (["--scheduler", "tcp://10.0.0.5:99999"], "'tcp://10.0.0.5:99999' is not a scheduler"),
    (["--workers", "2", "--scheduler", "tcp://10.0.0.5:8786"],
     "argument --scheduler: not allowed with argument --workers"),
])
def test_where_to_run_is_checked_before_anything_runs(command, option, message, tmp_path,
                                                      capsys):
    out = tmp_path / "out"
    assert main([*command, *option, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err
    one_line_error(err)
    assert not out.exists()


def test_a_scheduler_that_does_not_answer_or_a_folder_that_cannot_be_written_is_named(
        tmp_path, capsys):
    import dask

    # Dask tries to connect for its connect timeout (30 s by default).
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        assert main(["sweep", "--preset", "zheng2013", "--steps", "10", "--seeds", "2",
                     "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err
        assert main(["experiment", "avalanches", "--networks", "2", "--scheduler",
                     "tcp://127.0.0.1:1", "--out", str(tmp_path / "avalanches")]) == 2
        err_experiment = capsys.readouterr().err
    for text in (err, err_experiment):
        assert text.startswith("connecting to the Dask scheduler at tcp://127.0.0.1:1")
        assert "error: cannot reach the Dask scheduler at tcp://127.0.0.1:1: " in text
        assert "Traceback" not in text
    (tmp_path / "a file").write_text("")
    assert main(["sweep", "--preset", "zheng2013", "--steps", "10", "--workers", "1",
                 "--out", str(tmp_path / "a file" / "out")]) == 2
    err = capsys.readouterr().err
    assert f"error: cannot run the sweep into {tmp_path / 'a file' / 'out'}: " in err
    one_line_error(err)


@pytest.fixture
def paused_session(tmp_path):
    """A small network run 500 steps and saved, as the studio saves the network it pauses."""
    from sorn_studio.presets import get_preset
    from sorn_studio.session import save_session
    from sorn_studio.studio.defaults import make_simulation

    sim = make_simulation(get_preset("zheng2013").params.replace(**SMALL), 3)
    sim.run(500)
    return sim, save_session(sim, tmp_path / "start.npz", preset="zheng2013")


def test_cells_from_a_session_go_on_from_it(tmp_path, paused_session):
    from sorn_studio.session import load_session

    sim, start = paused_session
    cells = grid("zheng2013", 400, {"eta_stdp": [0.002, 0.004]}, 2, start=start,
                 trace_points=4, keep_session=True)
    assert [c.label() for c in cells] == ["eta_stdp=0.002 own noise", "eta_stdp=0.002 seed=1",
                                          "eta_stdp=0.004 own noise", "eta_stdp=0.004 seed=1"]
    records = run_sweep(cells, tmp_path / "out", workers=1)
    assert all(r["status"] == "done" for r in records)
    assert all(r["trace"]["t"] == [100, 200, 300, 400] for r in records)
    assert all(len(r["trace"]["rate_e"]) == 4 for r in records)
    assert "trace" not in (tmp_path / "out" / "results.csv").read_text().splitlines()[0]
    finished = [load_session(r["session"])[0] for r in records]
    # Its own noise: the network the studio would have after 400 more steps (with the
    # change); another seed: the same network at the start, other noise after it.
    sim.apply_params(eta_stdp=0.004)
    sim.run(400)
    assert finished[2].t == 900 and finished[2].state.equals(sim.state)
    assert finished[3].t == 400 and not finished[3].state.equals(sim.state)
    assert finished[3].initial_state.equals(load_session(start)[0].state)


def test_a_session_start_is_refused_a_structural_change_and_named_by_its_file(
        tmp_path, paused_session):
    sim, start = paused_session
    with pytest.raises(ValueError, match="only live parameters; ne cannot change"):
        Cell("zheng2013", {"ne": 50}, None, 100, start=str(start))
    with pytest.raises(ValueError, match="needs a start session"):
        Cell("zheng2013", {}, None, 100)
    first = Cell("zheng2013", {}, None, 100, start=str(start)).key()
    sim.run(1)
    from sorn_studio.session import save_session

    save_session(sim, start, preset="zheng2013")
    assert Cell("zheng2013", {}, None, 100, start=str(start)).key() != first


def test_the_sweep_command_from_a_session_in_json_lines(tmp_path, paused_session, capsys):
    _, start = paused_session
    code = main(["sweep", "--start", str(start), "--steps", "200", "--grid",
                 "eta_ip=0.005,0.01", "--trace", "2", "--workers", "1", "--jsonl",
                 "--out", str(tmp_path / "out")])
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0
    assert [e["event"] for e in events] == ["start", "record", "record", "end"]
    assert events[0]["total"] == 2 and events[-1] == {"event": "end", "records": 2,
                                                       "failed": 0}
    assert [e["record"]["eta_ip"] for e in events[1:3]] == [0.005, 0.01]
    assert events[1]["record"]["trace"]["t"] == [100, 200]
    assert main(["sweep", "--start", str(tmp_path / "nope.npz"), "--steps", "10",
                 "--out", str(tmp_path / "o")]) == 2
    assert "nope.npz" in capsys.readouterr().err


def test_a_trace_has_as_many_samples_as_asked_spread_over_the_run(tmp_path):
    cell = Cell("zheng2013", SMALL, 0, 10, trace_points=3)
    record = ensemble_run.run_cell(cell)
    assert record["trace"]["t"] == [3, 7, 10]
    assert len(record["trace"]["connection_fraction"]) == len(record["trace"]["rate_e"]) == 3
    assert record["trace"]["connection_fraction"][-1] == record["connection_fraction"]
