"""Every number option converts its text exactly or is refused naming the option (issue 12)."""

from __future__ import annotations

import pytest
from helpers import one_line_error

from sorn_studio.cli import main
from sorn_studio.recording import MAX_STEPS

TINY = ["--set", "ne=20", "--set", "ni=4", "--set", "lambda_ee=3", "--set", "lambda_ei=2",
        "--set", "lambda_ie=4"]
RUN = ["run", "--preset", "zheng2013", "--quiet", *TINY]
COUNTING = ["experiment", "counting", "--seeds", "1", "--plastic-steps", "10",
            "--train-steps", "10", "--test-steps", "10"]
SPONTANEOUS = ["experiment", "spontaneous", "--steps", "100", "--sample-every", "25"]
AVALANCHES = ["experiment", "avalanches", "--networks", "1", "--transient", "10",
              "--record", "100"]

#: (command line before the option, option, the least value allowed)
WHOLE_OPTIONS = [
    (RUN + ["--out", "o.npz"], "--steps", 0),
    (RUN + ["--out", "o.npz", "--steps", "5"], "--window", 1),
    (["gui", "--quit"], "--steps", 0),
    (COUNTING, "--n", 1),
    (COUNTING, "--seeds", 1),
    (COUNTING, "--plastic-steps", 0),
    (COUNTING, "--train-steps", 1),
    (SPONTANEOUS, "--steps", 1),
    (SPONTANEOUS, "--sample-every", 1),
    (AVALANCHES, "--networks", 1),
    (AVALANCHES, "--transient", 0),
    (AVALANCHES, "--record", 1),
]
NOT_WHOLE = ["nan", "inf", "1e400", "1.5", "1e3", "abc", "", "True", "0x10"]


@pytest.mark.parametrize(("argv", "option", "least"), WHOLE_OPTIONS,
                         ids=[f"{a[0]}-{a[1] if a[0] == 'experiment' else ''}{o}"
                              for a, o, _ in WHOLE_OPTIONS])
def test_whole_number_options_refuse_other_text_and_values_out_of_range(capsys, tmp_path,
                                                                       monkeypatch, argv,
                                                                       option, least):
    monkeypatch.chdir(tmp_path)
    for text in [*NOT_WHOLE, str(least - 1), str(MAX_STEPS + 1), str(10**23)]:
        assert main([*argv, option, text]) == 2, (option, text)
        err = capsys.readouterr().err
        one_line_error(err)
        assert f"argument {option}: " in err and f"[{least}, {MAX_STEPS}]" in err, err
    assert not list(tmp_path.iterdir()), "a refused command wrote a file"


@pytest.mark.parametrize("argv", [RUN + ["--out", "o.npz", "--steps", "5"], ["gui", "--quit"],
                                  SPONTANEOUS, AVALANCHES], ids=["run", "gui", "spontaneous",
                                                                 "avalanches"])
def test_seed_options_take_any_whole_number_from_zero(capsys, tmp_path, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    for text in [*NOT_WHOLE, "-1"]:
        assert main([*argv, "--seed", text]) == 2, text
        err = capsys.readouterr().err
        one_line_error(err)
        assert "argument --seed: " in err and "allowed: >= 0" in err, err


@pytest.mark.parametrize(("argv", "option"), [
    (COUNTING, "--ridge"),
    (SPONTANEOUS, "--weight-threshold"),
    (SPONTANEOUS, "--fit-floor"),
])
def test_real_number_options_refuse_non_finite_and_negative_values(capsys, argv, option):
    for text in ["nan", "inf", "1e400", "-1", "abc", ""]:
        assert main([*argv, option, text]) == 2, (option, text)
        err = capsys.readouterr().err
        one_line_error(err)
        assert f"argument {option}: " in err and "finite number >= 0" in err, err


def test_whole_numbers_are_read_exactly(monkeypatch):
    # Large seeds are kept digit for digit, not rounded through a float.
    from sorn_studio.app import main as studio

    calls = []
    monkeypatch.setattr(studio, "main", lambda options: calls.append(options) or 0)
    assert main(["gui", "--seed", str(10**22 + 1), "--steps", "1_000"]) == 0
    assert calls[0].seed == 10**22 + 1 and calls[0].steps == 1000
