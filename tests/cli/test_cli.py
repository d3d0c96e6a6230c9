"""The sorn-studio command: run, info, replay, presets, the gui arguments, errors."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from helpers import one_line_error

from sorn_studio.cli import EXIT_INTERRUPTED, StopFlag, main, run_steps
from sorn_studio.cli import run as run_command
from sorn_studio.engine import Simulation
from sorn_studio.presets import list_presets, load_preset
from sorn_studio.session import load_session, read_session, replay_session

SMALL = ["--set", "ne=40", "--set", "ni=8", "--set", "lambda_ee=5", "--set", "lambda_ei=2",
         "--set", "lambda_ie=40"]


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def session(tmp_path, capsys) -> Path:
    out = tmp_path / "s.npz"
    code, _, _ = run_cli(capsys, "run", "--preset", "zheng2013", "--steps", "1500", "--seed",
                         "4", *SMALL, "--set", "eta_stdp=0.002", "--out", str(out))
    assert code == 0
    return out


# -- run -----------------------------------------------------------------------------------------
def test_run_writes_a_session(session):
    sim, info = load_session(session)
    assert info.preset == "zheng2013" and info.seed == 4 and info.steps == 1500
    assert info.params == load_preset("zheng2013", ne=40, ni=8, lambda_ee=5, lambda_ei=2,
                                      lambda_ie=40, eta_stdp=0.002)
    assert info.extra["cli"] == {"steps_requested": 1500, "interrupted": False}
    # Headless runs are ordinary runs: the same params and seed give the same network.
    ref = Simulation(info.params, 4)
    ref.run(1500)
    assert ref.state.equals(sim.state)


def test_run_prints_progress_and_the_result(tmp_path, capsys):
    out = tmp_path / "p.npz"
    code, stdout, err = run_cli(capsys, "run", "--preset", "zheng2013", "--steps", "3000",
                                *SMALL, "--out", str(out))
    assert code == 0
    assert f"saved {out}" in stdout and "3000 steps" in stdout
    last = err.strip().splitlines()[-1]
    assert "100.0%" in last and "3000/3000 steps" in last and "steps/s" in last
    assert "left" in last
    # No seed given: a fresh one is drawn and stored, so the run can still be replayed.
    info = read_session(out).info
    assert info.seed >= 0
    # The thresholds the studio plots are traced, so the session opens with its traces.
    assert info.recording.neurons == (0, 20, 39)


def test_run_quiet_and_full_record(tmp_path, capsys):
    out = tmp_path / "f.npz"
    code, _, err = run_cli(capsys, "run", "--preset", "zheng2013", "--steps", "12000",
                           *SMALL, "--full-record", "--quiet", "--out", str(out))
    assert code == 0 and err == ""
    assert read_session(out).arrays["rec/x"].shape == (12000, 5)
    out2 = tmp_path / "w.npz"
    assert main(["run", "--preset", "zheng2013", "--steps", "300", *SMALL, "--window", "50",
                 "--quiet", "--out", str(out2)]) == 0
    assert read_session(out2).arrays["rec/x"].shape == (50, 5)


def test_run_with_raw_input(tmp_path, capsys):
    raw = tmp_path / "raw.npy"
    np.save(raw, np.random.default_rng(0).random((5, 400)))
    out = tmp_path / "raw.npz"
    code, _, _ = run_cli(capsys, "run", "--preset", "sorn-0.7.4", "--steps", "300", *SMALL,
                         "--set", "nu=5", "--raw", str(raw), "--quiet", "--out", str(out))
    assert code == 0
    assert replay_session(out).matched
    code, _, err = run_cli(capsys, "run", "--preset", "sorn-0.7.4", "--steps", "300", *SMALL,
                           "--set", "nu=5", "--out", str(out))
    assert code == 2 and "--raw" in err
    one_line_error(err)


# -- Ctrl-C --------------------------------------------------------------------------------------
def test_run_keeps_the_whole_run_history_however_small_its_window(tmp_path, capsys):
    from sorn_studio.recording import RecordingSpec
    from sorn_studio.session import saved_history
    from sorn_studio.studio.defaults import tracked_neurons
    from sorn_studio.studio.history import History

    out = tmp_path / "h.npz"
    code, _, err = run_cli(capsys, "run", "--preset", "zheng2013", "--steps", "5000", *SMALL,
                           "--seed", "3", "--window", "700", "--quiet", "--out", str(out))
    assert code == 0, err
    saved = saved_history(read_session(out))
    assert saved is not None and saved["step"][0] == 1
    # The same run in the studio's way, span by span: the same history, point for point.
    params = load_preset("zheng2013", ne=40, ni=8, lambda_ee=5, lambda_ei=2, lambda_ie=40)
    neurons = tracked_neurons(params.ne)
    sim = Simulation(params, 3, recording=RecordingSpec(window=700, neurons=neurons))
    history = History(k=len(neurons))
    while sim.t < 5000:
        history.take(sim, sim.run(min(700, 5000 - sim.t)))
    expected = history.points()
    assert set(saved) == set(expected)
    for name, values in expected.items():
        np.testing.assert_array_equal(saved[name], values, err_msg=name)


def test_run_keeps_weight_snapshots_when_asked(tmp_path, capsys, monkeypatch):
    out = tmp_path / "w.npz"
    code, _, err = run_cli(capsys, "run", "--preset", "zheng2013", "--steps", "3000", *SMALL,
                           "--seed", "3", "--weights-every", "1000", "--quiet", "--out",
                           str(out))
    assert code == 0, err
    arrays = read_session(out).arrays
    assert arrays["rec/snapshot_steps"].tolist() == [1000, 2000, 3000]
    # Snapshots that would not fit are refused before the first step, with or without a
    # full recording (100 copies of a 40 x 40 W^EE are 1.25 MB).
    monkeypatch.setattr("sorn_studio.memory.available_bytes", lambda: 2 * 2**20)
    for extra in ([], ["--full-record"]):
        code, _, err = run_cli(capsys, "run", "--preset", "zheng2013", "--steps", "1000",
                               *SMALL, "--weights-every", "1", *extra, "--out",
                               str(tmp_path / "big.npz"))
        assert code == 2 and "--weights-every 1 keeps" in err, err
        assert not (tmp_path / "big.npz").exists()


def test_run_steps_stops_at_a_step_boundary():
    sim = Simulation(load_preset("zheng2013", ne=40, ni=8, lambda_ee=5, lambda_ei=2,
                                 lambda_ie=40), 1)
    checks = []

    def should_stop() -> bool:
        checks.append(sim.t)
        return len(checks) >= 3

    done = run_steps(sim, 100_000, should_stop)
    assert done == sim.t < 100_000 and done > 0
    assert replay_session(sim).matched
    assert run_steps(sim, 10, lambda: True) == 0


def test_stop_flag_turns_the_first_sigint_into_a_stop():
    stream = io.StringIO()
    before = signal.getsignal(signal.SIGINT)
    with StopFlag(stream) as stop:
        signal.raise_signal(signal.SIGINT)
        assert stop() and "stopping" in stream.getvalue()
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before


def test_interrupted_run_still_saves(tmp_path, capsys, monkeypatch):
    original = run_command.run_steps

    def interrupted(sim, steps, should_stop, progress=None, **kwargs):
        # Ctrl-C arrives while the first chunk runs.
        def progress_then_sigint(done, n):
            if progress is not None:
                progress(done, n)
            signal.raise_signal(signal.SIGINT)
        return original(sim, steps, should_stop, progress_then_sigint, **kwargs)

    monkeypatch.setattr(run_command, "run_steps", interrupted)
    out = tmp_path / "i.npz"
    code, stdout, err = run_cli(capsys, "run", "--preset", "zheng2013", "--steps", "100000",
                                *SMALL, "--seed", "2", "--out", str(out))
    assert code == EXIT_INTERRUPTED
    assert "interrupted after" in stdout and "stopping" in err
    info = read_session(out).info
    assert 0 < info.steps < 100_000
    assert info.extra["cli"]["interrupted"] is True
    assert replay_session(out).matched


def test_sigint_to_a_running_cli_process_saves_what_was_done(tmp_path):
    out = tmp_path / "sig.npz"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sorn_studio.cli", "run", "--preset", "zheng2013", "--steps",
         "5000000", *SMALL, "--seed", "9", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The first progress line appears after the first chunk, once the handler is installed.
    first = proc.stderr.readline()
    assert "steps/s" in first, first
    proc.send_signal(signal.SIGINT)
    stdout, err = proc.communicate()
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert "Traceback" not in err and "interrupted after" in stdout
    info = read_session(out).info
    assert 0 < info.steps < 5_000_000
    assert replay_session(out).matched


# -- compare --attribution -----------------------------------------------------------------------
def test_compare_with_attribution_prints_and_writes_each_rules_part(session, tmp_path, capsys):
    code, out, err = run_cli(capsys, "compare", "--from", str(session), "--steps", "2000",
                             "--variant", "stdp=off", "--variant", "eta_stdp=0.002",
                             "--attribution", "--quiet", "--out", str(tmp_path / "cmp"))
    assert code == 0, err
    lines = out.splitlines()
    at = next(k for k, line in enumerate(lines) if line.startswith("attribution, steps"))
    assert "steps 1500-3500" in lines[at]
    assert lines[at + 1].split() == ["part", "baseline", "stdp=off", "eta_stdp=0.002"]
    table = {line.split()[0]: line.split()[1:] for line in lines[at + 2:at + 13]}
    assert list(table)[:2] == ["ee_stdp_ltp", "ee_stdp_ltd"] and "ei_sn" in table
    for part in ("ee_stdp_ltp", "ee_stdp_ltd", "ee_prune"):
        base, no_stdp, twin = map(float, table[part])
        assert base > 0 and no_stdp == 0 and twin == base   # the session's own eta_stdp
    assert float(table["ee_growth"][1]) > 0
    csv_lines = (tmp_path / "cmp" / "attribution.csv").read_text().splitlines()
    assert csv_lines[0].startswith("network,step,ee_stdp_ltp")
    assert {line.split(",")[0] for line in csv_lines[1:]} == {"baseline", "stdp=off",
                                                              "eta_stdp=0.002"}


def test_compare_without_attribution_prints_no_table(session, tmp_path, capsys):
    code, out, _ = run_cli(capsys, "compare", "--from", str(session), "--steps", "100",
                           "--variant", "ip=off", "--quiet", "--out", str(tmp_path / "cmp"))
    assert code == 0 and "attribution" not in out
    assert not (tmp_path / "cmp" / "attribution.csv").exists()


# -- info, replay, presets -----------------------------------------------------------------------
def test_info(session, capsys):
    sim, _ = load_session(session)
    sim.apply_params(eta_ip=0.02)
    sim.run(10)
    from sorn_studio.session import save_session
    save_session(sim, session, preset="zheng2013")
    code, out, _ = run_cli(capsys, "info", str(session))
    assert code == 0
    assert "preset:        zheng2013" in out
    assert "steps:         1510" in out
    rate = sim.recorder.rate_e().mean()
    assert f"E {rate:.4f}" in out
    fraction = np.count_nonzero(sim.w_ee) / (40 * 39)
    assert f"connection fraction {fraction:.4f}" in out
    assert "step 1500: eta_ip 0.01 -> 0.02" in out


def test_replay_exit_codes(session, capsys):
    code, out, _ = run_cli(capsys, "replay", "--quiet", str(session))
    assert code == 0 and out.startswith("match:")
    with np.load(session, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["rec/x"][-200, 0] ^= 1
    with open(session, "wb") as fh:
        np.savez(fh, **arrays)
    code, out, _ = run_cli(capsys, "replay", "--quiet", str(session))
    assert code == 1
    assert "MISMATCH" in out and "step 1301" in out and "'rec/x'" in out


def test_interrupted_replay(tmp_path, capsys, monkeypatch):
    # Interruption is checked between kernel calls: the run must be longer than one.
    from sorn_studio.engine.simulation import MAX_CHUNK

    long_session = tmp_path / "long.npz"
    assert run_cli(capsys, "run", "--preset", "zheng2013", "--steps", str(MAX_CHUNK + 500),
                   *SMALL, "--quiet", "--out", str(long_session))[0] == 0
    monkeypatch.setattr(StopFlag, "__call__", lambda self: True)
    code, out, _ = run_cli(capsys, "replay", "--quiet", str(long_session))
    assert code == EXIT_INTERRUPTED and out.startswith("interrupted:")


def test_compressed_run(tmp_path, capsys):
    out = tmp_path / "z.npz"
    code, _, _ = run_cli(capsys, "run", "--preset", "zheng2013", "--steps", "500", *SMALL,
                         "--seed", "1", "--compress", "--quiet", "--out", str(out))
    assert code == 0
    with zipfile.ZipFile(out) as z:
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_DEFLATED}
    assert run_cli(capsys, "replay", "--quiet", str(out))[0] == 0


def test_presets_one_line_each(capsys):
    code, out, _ = run_cli(capsys, "presets")
    assert code == 0
    lines = out.strip().splitlines()
    assert [line.split()[0] for line in lines] == list_presets()
    assert all(len(line.split()) > 2 for line in lines)


def test_help_and_version(capsys):
    assert main(["--help"]) == 0
    assert "run" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert "sorn-studio" in capsys.readouterr().out


# -- errors --------------------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [
    ["--bogus"],
    ["frobnicate"],
    ["run", "--steps", "10", "--out", "x.npz"],
    ["run", "--preset", "zheng2013", "--steps", "ten", "--out", "x.npz"],
    ["run", "--preset", "nope", "--steps", "10", "--out", "{tmp}/x.npz"],
    ["run", "--preset", "zheng2013", "--steps", "10", "--set", "bogus=1", "--out", "{tmp}/x.npz"],
    ["run", "--preset", "zheng2013", "--steps", "10", "--set", "eta_ip=fast",
     "--out", "{tmp}/x.npz"],
    ["run", "--preset", "zheng2013", "--steps", "10", "--set", "eta_ip=5", "--out", "{tmp}/x.npz"],
    ["run", "--preset", "zheng2013", "--steps", "10", "--set", "eta_ip", "--out", "{tmp}/x.npz"],
    ["run", "--preset", "zheng2013", "--steps", "10", "--set", "ne=10", "--out", "{tmp}/x.npz"],
    ["run", "--preset", "zheng2013", "--steps", "-5", "--out", "{tmp}/x.npz"],
    ["run", "--preset", "zheng2013", "--steps", "10", "--seed", "-1", "--out", "{tmp}/x.npz"],
    ["run", "--preset", "zheng2013", "--steps", "10", "--window", "0", "--out", "{tmp}/x.npz"],
    ["run", "--preset", "zheng2013", "--steps", "10", "--out", "{tmp}/no/such/folder/x.npz"],
    ["run", "--preset", "zheng2013", "--steps", "10", "--raw", "{tmp}/missing.npy",
     "--out", "{tmp}/x.npz"],
    ["info"],
    ["info", "{tmp}/missing.npz"],
    ["info", "{tmp}/junk.npz"],
    ["replay", "{tmp}/junk.npz"],
    ["info", "{tmp}"],
])
def test_bad_input_gets_a_one_line_error(tmp_path, capsys, argv):
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04 not really")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, _, err = run_cli(capsys, *argv)
    assert code == 2
    one_line_error(err)
    assert not (tmp_path / "x.npz").exists()


def test_a_damaged_session_is_named(session, capsys):
    session.write_bytes(session.read_bytes()[:1000])
    code, _, err = run_cli(capsys, "info", str(session))
    assert code == 2 and str(session) in err and "truncated" in err
    one_line_error(err)


# -- gui ------------------------------------------------------------------------------------------
def test_a_broken_studio_is_not_hidden(monkeypatch, capsys):
    # The studio is imported when gui runs: a failing import surfaces as itself, and the
    # headless commands work without it.
    monkeypatch.setitem(sys.modules, "sorn_studio.app.main", None)
    for argv in ([], ["gui"], ["gui", "x.npz", "--quit"]):
        with pytest.raises(ImportError, match="sorn_studio.app.main"):
            main(argv)
    assert run_cli(capsys, "presets")[0] == 0


def test_gui_arguments_are_passed_on(monkeypatch, capsys):
    from sorn_studio.app import main as studio

    calls = []
    monkeypatch.setattr(studio, "main", lambda options: calls.append(options) or 0)
    assert main([]) == 0
    assert main(["gui", "s.npz", "--preset", "lazar2009", "--steps", "50", "--screenshot",
                 "w.png", "--quit"]) == 0
    assert main(["gui", "--preset", "zheng2013", "--seed", "3"]) == 0
    assert calls == [
        studio.StudioOptions(),
        studio.StudioOptions(session=Path("s.npz"), preset="lazar2009", steps=50,
                             screenshot=Path("w.png"), quit=True),
        studio.StudioOptions(preset="zheng2013", seed=3)]
    assert not calls[0].scripted and calls[1].scripted
    code, _, err = run_cli(capsys, "gui", "--steps", "many")
    assert code == 2 and "argument --steps: 'many' is not a whole number" in err


@pytest.mark.parametrize(("argv", "message"), [
    (["gui", "--steps", "-1", "--quit"],
     "sorn-studio gui: error: argument --steps: -1 is out of range; allowed: [0, "),
    (["gui", "--steps", str(10**23), "--quit"], "argument --steps: 1000"),
    (["gui", "--screenshot", "x.jpg", "--quit"],
     "sorn-studio gui: error: --screenshot needs a .png file name"),
    (["gui", "--preset", "no-such-preset"], "invalid choice: 'no-such-preset'"),
])
def test_bad_gui_arguments_are_refused_before_the_studio_starts(monkeypatch, capsys, argv,
                                                                 message):
    from sorn_studio.app import main as studio

    monkeypatch.setattr(studio, "main", lambda options: pytest.fail("the studio started"))
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and message in err
    one_line_error(err)
