"""``sorn-studio experiment ...``: the published experiments from the command line."""

from __future__ import annotations

import csv
import json

import numpy as np

from sorn_studio import experiments as ex
from sorn_studio.cli import main

#: A network small enough for a test, as --set options.
SMALL = ["--set", "ne=60", "--set", "ni=12", "--set", "lambda_ee=6", "--set", "lambda_ei=3",
         "--set", "lambda_ie=60"]
#: A counting task short enough for a test.
SHORT_COUNTING = ["experiment", "counting", "--n", "3", "--seeds", "1", "--plastic-steps", "500",
                  "--train-steps", "300", "--test-steps", "300", "--workers", "1"]


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_counting_writes_tables(tmp_path, capsys):
    code, out, _ = run_cli(capsys, *SHORT_COUNTING, "--out", str(tmp_path))
    assert code == 0
    assert "accuracy_cf_mean" in out
    with (tmp_path / "counting_trials.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["condition"] for r in rows] == list(ex.COUNTING_CONDITIONS)
    data = json.loads((tmp_path / "counting.json").read_text())
    assert data["options"]["plastic_steps"] == 500 and len(data["trials"]) == 3


def test_counting_with_one_condition(capsys):
    code, out, _ = run_cli(capsys, *SHORT_COUNTING, "--conditions", "static")
    assert code == 0
    assert "static" in out and "accuracy_cf_mean" in out
    assert "sorn" not in out.split() and "ip_only" not in out


def test_cli_spontaneous_and_avalanches_write_tables(tmp_path, capsys):
    code, out, err = run_cli(capsys, "experiment", "spontaneous", "--steps", "4000",
                             "--sample-every", "1000", "--fit-floor", "0.02",
                             "--out", str(tmp_path), *SMALL)
    assert code == 0 and "best weight fit" in out and "best weight fit, w > 0.02" in out
    # Not a terminal: whole progress lines, no carriage returns, ending at the last step.
    bars = [line for line in err.splitlines() if line.startswith("[")]
    assert "\r" not in err and bars and bars[-1].split()[2] == "4000/4000"
    assert err.splitlines()[-1] == f"results written to {tmp_path}"
    saved = json.loads((tmp_path / "spontaneous.json").read_text(encoding="utf-8"))
    assert saved["fit_floor"] == 0.02
    assert saved["floor_fit"]["n"] < saved["weight_fit"]["n"]
    with (tmp_path / "spontaneous_trajectory.csv").open() as handle:
        assert len(list(csv.DictReader(handle))) == 5
    arrays = np.load(tmp_path / "spontaneous_arrays.npz", allow_pickle=False)
    assert arrays["weights"].size > 0
    code, out, _ = run_cli(capsys, "experiment", "avalanches", "--networks", "1",
                           "--transient", "500", "--record", "3000", "--out", str(tmp_path),
                           "--workers", "1",
                           *SMALL)
    assert code == 0 and "frozen" in out and "plastic" in out
    assert (tmp_path / "avalanches_plastic.npz").exists()
    assert (tmp_path / "avalanches_frozen.npz").exists()


def test_cli_spontaneous_without_weights_above_the_floor_still_reports(capsys):
    code, out, _ = run_cli(capsys, "experiment", "spontaneous", "--steps", "4000",
                           "--sample-every", "1000", "--fit-floor", "0.999", *SMALL)
    assert code == 0 and "fewer than 3 distinct" in out


def test_cli_reports_bad_parameters(capsys):
    code, _, err = run_cli(capsys, "experiment", "counting", "--set", "eta_ip=-1", "--seeds", "1")
    assert code == 2 and "eta_ip" in err
    assert err.startswith("sorn-studio experiment counting: error: ")
    code, _, err = run_cli(capsys, "experiment", "counting", "--set", "eta_ip")
    assert code == 2 and "NAME=VALUE" in err


def test_an_experiment_must_be_chosen(capsys):
    code, _, err = run_cli(capsys, "experiment")
    assert code == 2
    assert err == "sorn-studio: error: choose an experiment: counting, spontaneous, avalanches\n"
    code, _, err = run_cli(capsys, "experiment", "nope")
    assert code == 2 and "invalid choice: 'nope'" in err
