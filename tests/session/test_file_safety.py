"""Saving never loses or exposes a file (issue 12, item 5)."""

from __future__ import annotations

import os
import signal
import stat
import threading

import numpy as np
import pytest

from sorn_studio import Simulation, atomic, load_preset
from sorn_studio.cli import main
from sorn_studio.session import read_session, save_session

SMALL = dict(ne=30, ni=6, lambda_ee=5, lambda_ei=2, lambda_ie=30)


def test_saving_again_keeps_the_file_private(tmp_path):
    sim = Simulation(load_preset("zheng2013", **SMALL), 1)
    path = save_session(sim, tmp_path / "private.npz")
    os.chmod(path, 0o600)
    sim.run(10)
    save_session(sim, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_session(path).info.steps == 10


def test_run_refuses_an_out_that_is_a_folder_before_running(tmp_path, capsys):
    folder = tmp_path / "results.npz"
    folder.mkdir()
    assert main(["run", "--preset", "zheng2013", "--steps", "10_000_000", "--out",
                 str(folder)]) == 2
    assert "is a folder" in capsys.readouterr().err


@pytest.fixture
def unwritable_folders(monkeypatch):
    """Folders under test refuse new files, as a read-only file system does (for root too,
    whom permission bits do not stop)."""
    real_open = os.open

    def refusing(path, flags, *args, **kwargs):
        if flags & os.O_CREAT and "locked" in str(path):
            raise OSError(30, "Read-only file system")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(atomic.os, "open", refusing)


@pytest.mark.parametrize("argv", [
    ["run", "--preset", "zheng2013", "--steps", "10_000_000", "--out", "{folder}/run.npz"],
    ["experiment", "spontaneous", "--steps", "10_000_000", "--out", "{folder}/tables"],
], ids=["run", "experiment"])
def test_an_out_that_cannot_be_written_is_refused_before_any_step(tmp_path, capsys, monkeypatch,
                                                                  unwritable_folders, argv):
    # Ten million steps would take minutes: returning at once shows none of them ran.
    folder = tmp_path / "locked"
    folder.mkdir()
    ran = []
    monkeypatch.setattr(Simulation, "run", lambda *a, **k: ran.append(a))
    assert main([a.format(folder=folder) for a in argv]) == 2
    err = capsys.readouterr().err
    assert "--out: cannot save" in err and "cannot be written (Read-only file system)" in err
    assert not ran and [p.name for p in folder.rglob("*")] == (["tables"] if "tables" in
                                                                 argv[-1] else [])


def test_check_writable_leaves_nothing_behind(tmp_path):
    atomic.check_writable(tmp_path / "a.npz", "session")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(FileNotFoundError, match="folder .*missing does not exist"):
        atomic.check_writable(tmp_path / "missing" / "a.npz", "session")
    with pytest.raises(IsADirectoryError, match="is a folder"):
        atomic.check_writable(tmp_path, "session")


@pytest.mark.parametrize("signals", [[signal.SIGTERM], [signal.SIGINT, signal.SIGINT]])
def test_a_signal_during_the_save_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch,
                                                                       signals):
    out = tmp_path / "run.npz"
    assert main(["run", "--preset", "zheng2013", "--set", "ne=30", "--set", "ni=6", "--set",
                 "lambda_ee=5", "--set", "lambda_ei=2", "--set", "lambda_ie=30", "--steps",
                 "50", "--quiet", "--out", str(out)]) == 0
    before = out.read_bytes()
    real_savez = np.savez

    def interrupted(handle, **arrays):
        handle.write(b"half a session")
        for sig in signals:          # Ctrl-C twice, or a kill, while the file is written
            os.kill(os.getpid(), sig)
        real_savez(handle, **arrays)

    monkeypatch.setattr(np, "savez", interrupted)
    argv = ["run", "--preset", "zheng2013", "--set", "ne=30", "--set", "ni=6", "--set",
            "lambda_ee=5", "--set", "lambda_ei=2", "--set", "lambda_ie=30", "--steps", "80",
            "--quiet", "--out", str(out)]
    try:
        code = main(argv)
    except SystemExit as exc:   # SIGTERM ends the command as an exception: 128 + 15
        code = exc.code
    assert code == (143 if signals == [signal.SIGTERM] else 130)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.npz"]


def test_saving_a_simulation_that_another_thread_runs_is_refused(tmp_path):
    sim = Simulation(load_preset("zheng2013", **SMALL), 1)
    started, release = threading.Event(), threading.Event()

    def progress(done: int, total: int) -> None:
        started.set()
        release.wait(30)

    worker = threading.Thread(target=sim.run, args=(10_000,), kwargs={"progress": progress})
    worker.start()
    try:
        assert started.wait(30)
        with pytest.raises(RuntimeError, match="running in another thread"):
            save_session(sim, tmp_path / "s.npz")
        with pytest.raises(RuntimeError, match="running in another thread"):
            sim.reset()
    finally:
        release.set()
        worker.join(60)
    assert not (tmp_path / "s.npz").exists()
    save_session(sim, tmp_path / "s.npz")            # between runs it is fine
    assert read_session(tmp_path / "s.npz").info.steps == 10_000
