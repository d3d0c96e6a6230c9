"""The session schema is the one description of the file layout, and the README shows it."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from sorn_studio import RecordingSpec, Simulation, load_preset
from sorn_studio.recording import SERIES, series_layout
from sorn_studio.session import save_session
from sorn_studio.session.schema import ITEMS, KEYS_DOC, expected_items, markdown_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_table_of_session_keys_is_the_schema():
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- session-keys:[^>]*-->\n(.*?)\n<!-- /session-keys -->", text, re.S)
    assert match, "README has no generated session-key table"
    assert match.group(1) == markdown_table(), (
        "README's session-key table differs from sorn_studio/session/schema.py; paste the "
        "output of python -c 'from sorn_studio.session.schema import markdown_table; "
        "print(markdown_table())'")


def test_every_key_appears_once_with_a_meaning():
    keys = [item.key for item in ITEMS]
    assert len(keys) == len(set(keys)) == len(KEYS_DOC)
    assert all(item.meaning for item in ITEMS)
    assert {f"rec/{name}" for name in SERIES} <= set(keys)


def test_a_saved_file_holds_exactly_what_the_schema_expects(tmp_path):
    params = load_preset("sorn-0.7.4", ne=20, ni=4, lambda_ee=5, lambda_ei=2, lambda_ie=20, nu=4)
    spec = RecordingSpec(window=30, weights_every=10, drive=True, t_e_full=True, neurons=(2,))
    sim = Simulation(params, seed=1, recording=spec,
                     raw_input=np.random.default_rng(0).random((4, 60)))
    sim.run(45)
    path = save_session(sim, tmp_path / "s.npz")
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    dims = {"ne": 20, "ni": 4, "nu": 4, "k": 1, "T": 30, "S": 4, "T_raw": 60,
            "n_symbols": 0, "n_u": 0, "n_ee": sim.n_ee}
    expected = expected_items("raw", spec, dims, set(arrays))
    json_keys = {item.key for item in ITEMS if item.dtype == "json" and not item.when}
    assert set(arrays) == set(expected) | json_keys
    for key, (dtype, shape) in expected.items():
        assert arrays[key].dtype == np.dtype(dtype) and arrays[key].shape == shape, key


def test_the_recorder_allocates_the_layout_the_schema_documents():
    spec = RecordingSpec(window=5, drive=True, neurons=(0, 3))
    layout = series_layout(spec, 12, 3)
    assert set(layout) == set(SERIES) - {"t_e"}
    assert layout["x"] == ((2,), "uint8") and layout["y"] == ((1,), "uint8")
    assert layout["te_sel"] == ((2,), "float64")
