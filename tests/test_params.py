"""The parameter model and the presets."""

from __future__ import annotations

import dataclasses
import json

import pytest

from sorn_studio import Params, list_presets, load_preset
from sorn_studio.params import (
    MECHANISMS,
    field_specs,
    live_fields,
    parse_assignments,
    parse_value,
)
from sorn_studio.paths import presets_dir
from sorn_studio.presets import get_preset


def test_every_field_has_complete_metadata():
    specs = field_specs()
    assert set(specs) == {f.name for f in dataclasses.fields(Params)}
    for name, spec in specs.items():
        assert spec.label and spec.help.endswith("."), name
        assert spec.group, name


def test_mechanism_switches_and_learning_rates_are_live_sizes_are_not():
    live = set(live_fields())
    assert set(MECHANISMS) <= live
    assert {"eta_stdp", "eta_ip", "eta_inh", "noise_sigma", "input_gain"} <= live
    assert not {"ne", "ni", "lambda_ee", "ee_connectivity", "input_kind"} & live


def test_params_are_immutable():
    p = Params()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.ne = 10


@pytest.mark.parametrize(("changes", "message"), [
    (dict(ne=0), r"'ne' = 0 is out of range; allowed: \[2, 5000\]"),
    (dict(ne=-5), r"'ne' = -5 is out of range"),
    (dict(ni=0), r"'ni' = 0 is out of range; allowed: \[1, 2000\]"),
    (dict(eta_stdp=1.5), r"'eta_stdp' = 1.5 is out of range; allowed: \[0, 1\]"),
    (dict(mu_ip=0.0), r"'mu_ip' = 0.0 is out of range; allowed: \(0, 1\]"),
    (dict(noise_sigma=float("nan")), "'noise_sigma' = nan must be a finite number"),
    (dict(firing_rule="=>"), "'firing_rule' = '=>' is not allowed; use one of '>=', '>'"),
    (dict(ne=2.5), "'ne' = 2.5 must be a whole number"),
    (dict(lambda_ee=250), "'lambda_ee' = 250 exceeds the 199 possible"),
    (dict(lambda_ei=41), "'lambda_ei' = 41 exceeds ni = 40"),
    (dict(input_kind="raw", nu=300), "'nu' = 300 exceeds ne = 200"),
    (dict(t_e_min=2.0, t_e_max=1.0), "'t_e_min' = 2 must not exceed 't_e_max' = 1"),
    (dict(input_kind="counting", n_u=40), "6 disjoint pools of 40 units need 240 > ne = 200"),
    (dict(input_kind="words", words=("AB", "CD"), word_probs=(0.5,)), "one probability per"),
    (dict(input_kind="words", word_probs=(0.5, 0.2)), "sums to 0.7"),
])
def test_invalid_values_name_field_value_and_range(changes, message):
    with pytest.raises(ValueError, match=message):
        Params(**changes)


@pytest.mark.parametrize("changes", [dict(stdp="yes"), dict(ne="200"), dict(ee_connectivity=3)])
def test_wrong_kinds_raise_type_error_naming_the_field(changes):
    name = next(iter(changes))
    with pytest.raises(TypeError, match=f"parameter '{name}'"):
        Params(**changes)


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match="unknown parameter.*'etaa'.*valid names are: ne, ni"):
        Params().replace(etaa=1)
    with pytest.raises(ValueError, match="unknown parameter"):
        Params.from_dict({"bogus": 1})


def test_round_trip_through_json():
    p = load_preset("hartmann2015")
    again = Params.from_dict(json.loads(p.to_json()))
    assert again == p
    assert p.diff(p.replace(eta_ip=0.5)) == {"eta_ip": (0.001, 0.5)}


def test_parse_value_for_each_kind():
    assert parse_value("stdp", "off") is False
    assert parse_value("ne", "300") == 300
    assert parse_value("eta_ip", "1e-3") == 0.001
    assert parse_value("firing_rule", ">") == ">"
    with pytest.raises(ValueError, match="'ne' = '3.5' must be a whole number"):
        parse_value("ne", "3.5")
    with pytest.raises(ValueError, match="'eta_ip' = 'fast' is not a number"):
        parse_value("eta_ip", "fast")
    with pytest.raises(ValueError, match="'stdp' = 'maybe' must be true or false"):
        parse_value("stdp", "maybe")


def test_parse_assignments():
    assert parse_assignments([]) == {}
    assert parse_assignments([" ne = 300", "stdp=off", "eta_ip=1e-3", "ne=400"]) == {
        "ne": 400, "stdp": False, "eta_ip": 0.001}
    assert parse_assignments(["words=AB,CD"]) == {"words": "AB,CD"}
    for item in ("eta_ip", "=3", " =3"):
        with pytest.raises(ValueError, match=f"{item!r} is not a parameter assignment NAME=VALUE"):
            parse_assignments(["ne=300", item])
    with pytest.raises(ValueError, match="unknown parameter.*'bogus'"):
        parse_assignments(["bogus=1"])
    with pytest.raises(ValueError, match="'eta_ip' = 'fast' is not a number"):
        parse_assignments(["eta_ip=fast"])


def test_the_five_presets_exist_and_load():
    assert list_presets() == ["delpapa2017", "hartmann2015", "lazar2009", "sorn-0.7.4",
                              "zheng2013"]
    for name in list_presets():
        preset = get_preset(name)
        assert preset.summary and preset.source and preset.steps > 0
        assert preset.params.ne == 200 and preset.params.ni == 40


@pytest.mark.parametrize(("name", "expected"), [
    ("lazar2009", dict(input_kind="counting", lambda_ee=10, eta_stdp=0.001, eta_ip=0.001,
                       istdp=False, sp=False, noise_sigma=0.0, t_e_max=0.5, t_i_max=0.5,
                       fast_inhibition=True, lambda_ei=40)),
    ("zheng2013", dict(input_kind="none", ee_connectivity="probability", lambda_ee=20,
                       lambda_ei=8, eta_stdp=0.004, eta_ip=0.01, eta_inh=0.001, sp=True,
                       t_e_max=1.0, t_i_max=0.5, fast_inhibition=False, ip_target="normal")),
    ("hartmann2015", dict(input_kind="words", input_gain=0.5, lambda_ee=20, eta_stdp=0.001,
                          istdp=False, sp=False, t_e_max=0.5, t_i_max=0.35,
                          fast_inhibition=True, ip_target="uniform", ip_halfwidth=0.01)),
    ("delpapa2017", dict(input_kind="none", lambda_ee=20, lambda_ei=8, eta_stdp=0.004,
                         eta_ip=0.01, sp=True, t_e_max=1.0, fast_inhibition=True)),
    ("sorn-0.7.4", dict(input_kind="raw", nu=10, ee_connectivity="gaussian", noise_sigma=0.04,
                        sp_scaling=False, p_sp=0.1, clip_t_e=True, firing_rule=">",
                        fast_inhibition=False)),
])
def test_preset_values_follow_model_md(name, expected):
    p = load_preset(name)
    for key, value in expected.items():
        assert getattr(p, key) == value, key
    if name in ("zheng2013", "delpapa2017"):
        assert p.noise_sigma == pytest.approx(0.05 ** 0.5)


def test_unknown_preset_lists_the_available_ones():
    with pytest.raises(ValueError, match="unknown preset 'lazar'; available presets: "
                                         "delpapa2017, hartmann2015"):
        load_preset("lazar")


def test_preset_overrides_are_validated():
    assert load_preset("lazar2009", counting_n=8).counting_n == 8
    with pytest.raises(ValueError, match="'counting_n' = 0 is out of range"):
        load_preset("lazar2009", counting_n=0)


def test_preset_files_are_plain_json_with_params():
    for path in presets_dir().glob("*.json"):
        data = json.loads(path.read_text())
        assert data["name"] == path.stem
        Params.from_dict(data["params"])
