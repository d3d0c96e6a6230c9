"""Options that would be ignored are refused, and bad arguments are named (issue 12, 7 and 9)."""

from __future__ import annotations

import numpy as np
import pytest

from sorn_studio import Simulation, load_preset
from sorn_studio.cli import main
from sorn_studio.session import save_session

RAW = load_preset("sorn-0.7.4", ne=20, ni=4, lambda_ee=5, lambda_ei=2, lambda_ie=20, nu=2)


def test_raw_input_for_a_network_without_raw_input_is_refused():
    with pytest.raises(ValueError, match="'raw_input' is given but input_kind = 'none'"):
        Simulation(load_preset("zheng2013"), raw_input=np.zeros((10, 5)))


@pytest.mark.parametrize(("raw", "error", "message"), [
    ([[1.0, 2.0], [3.0]], ValueError, "'raw_input' is not a rectangular"),
    ([["a", "b"], ["c", "d"]], TypeError, "'raw_input' must hold real numbers"),
    (np.full((2, 3), np.inf), ValueError, "'raw_input' holds inf at row 0, column 0"),
])
def test_bad_raw_input_is_named(raw, error, message):
    with pytest.raises(error, match=message):
        Simulation(RAW, raw_input=raw)


def test_run_checks_its_callbacks_before_any_step():
    sim = Simulation(load_preset("zheng2013", ne=20, ni=4, lambda_ee=5, lambda_ei=2,
                                 lambda_ie=20))
    with pytest.raises(TypeError, match="'should_stop' must be a function"):
        sim.run(10, should_stop=True)
    with pytest.raises(TypeError, match="'progress' must be a function"):
        sim.run(10, progress="yes")
    assert sim.t == 0


def test_save_session_names_a_wrong_argument(tmp_path):
    sim = Simulation(RAW)
    with pytest.raises(TypeError, match=r"the order is save_session\(sim, path"):
        save_session(tmp_path / "s.npz", sim)
    with pytest.raises(TypeError, match="'extra' must be a dict"):
        save_session(sim, tmp_path / "s.npz", extra=[1, 2])
    assert not list(tmp_path.iterdir())


def test_run_refuses_raw_input_for_a_preset_without_it_and_an_npz(tmp_path, capsys):
    raw = tmp_path / "raw.npy"
    np.save(raw, np.zeros((10, 50)))
    out = tmp_path / "o.npz"
    assert main(["run", "--preset", "zheng2013", "--steps", "5", "--raw", str(raw), "--out",
                 str(out)]) == 2
    assert "--raw drives only raw-input presets" in capsys.readouterr().err
    archive = tmp_path / "raw.npz"
    np.savez(archive, raw=np.zeros((10, 50)))
    assert main(["run", "--preset", "sorn-0.7.4", "--steps", "5", "--raw", str(archive),
                 "--out", str(out)]) == 2
    assert "is a .npz archive; give a .npy file" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(("option", "fragment"), [
    ("input_kind=none", "always drives the network with the counting task"),
    ("counting_n=3", "takes n from --n"),
    ("stdp=false", "set the plasticity switches themselves"),
])
def test_the_counting_experiment_refuses_settings_it_would_override(capsys, option, fragment):
    code = main(["experiment", "counting", "--n", "8", "--set", option, "--seeds", "1"])
    err = capsys.readouterr().err
    assert code == 2 and fragment in err and err.count("\n") == 1


@pytest.mark.parametrize(("argv", "fragment"), [
    (["experiment", "counting", "--ridge", "nan", "--seeds", "1"], "nan is not a finite number"),
    (["experiment", "avalanches", "--size-range", "100", "10", "--networks", "1"],
     "'size_range' = (100, 10) must have 1 <= XMIN < XMAX"),
    (["experiment", "avalanches", "--duration-range", "5", "5", "--networks", "1"],
     "'duration_range' = (5, 5) must have"),
])
def test_experiment_values_that_could_only_give_nan_are_refused(capsys, argv, fragment):
    assert main(argv) == 2
    assert fragment in capsys.readouterr().err


def test_a_ridge_penalty_must_be_finite():
    from sorn_studio.analysis import train_readout

    with pytest.raises(ValueError, match="ridge must be a finite number >= 0, got nan"):
        train_readout(np.eye(3), [0, 1, 2], ridge=float("nan"))


def test_the_full_sorn_condition_keeps_a_switch_it_is_given(capsys):
    code = main(["experiment", "counting", "--n", "3", "--conditions", "sorn", "--set",
                 "sp=false", "--seeds", "1", "--plastic-steps", "200", "--train-steps", "200",
                 "--test-steps", "200"])
    assert code == 0, capsys.readouterr().err
