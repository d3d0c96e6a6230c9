"""Presets name the studio views that show their result."""

from __future__ import annotations

import json

import pytest

from sorn_studio import presets
from sorn_studio.presets import get_preset, list_presets


def test_experiment_presets_name_their_views():
    assert get_preset("lazar2009").views == ("readout",)
    assert get_preset("delpapa2017").views == ("avalanches",)
    for name in list_presets():
        assert all(isinstance(v, str) for v in get_preset(name).views)


@pytest.mark.parametrize("views", ["readout", [1, 2], {"a": 1}])
def test_bad_views_entry_is_refused_naming_the_file(tmp_path, monkeypatch, views):
    data = json.loads((presets.presets_dir() / "lazar2009.json").read_text(encoding="utf-8"))
    data["views"] = views
    (tmp_path / "broken.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(presets, "presets_dir", lambda: tmp_path)
    with pytest.raises(ValueError, match=r"broken\.json.*'views' must be a list"):
        get_preset("broken")
