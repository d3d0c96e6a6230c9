"""Atomic writes: a file is either complete or untouched, and no temporary file is left."""

import json

import numpy as np
import pytest

from sorn_studio.atomic import atomic_file, atomic_path
from sorn_studio.experiments.tables import write_csv, write_json, write_npz


def _leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "table.csv"
    path.write_bytes(b"old contents\n")
    with pytest.raises(RuntimeError, match="disk full"), atomic_file(path) as handle:
        handle.write(b"half of the new")
        raise RuntimeError("disk full")
    assert path.read_bytes() == b"old contents\n"
    assert _leftovers(tmp_path) == []


def test_a_missing_folder_is_named_in_the_error(tmp_path):
    target = tmp_path / "nowhere" / "x.npz"
    with pytest.raises(FileNotFoundError, match="cannot save results .*nowhere"), \
            atomic_file(target, "results"):
        pass


def test_atomic_path_hands_out_a_name_with_the_suffix_and_renames_on_success(tmp_path):
    path = tmp_path / "figure.png"
    path.write_bytes(b"old")
    with atomic_path(path) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".png" and not tmp.exists()
        tmp.write_bytes(b"new")
    assert path.read_bytes() == b"new"
    with pytest.raises(RuntimeError, match="render"), atomic_path(path) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("render failed")
    with pytest.raises(FileNotFoundError), atomic_path(path):
        pass  # a writer that wrote nothing
    assert path.read_bytes() == b"new"
    assert _leftovers(tmp_path) == []


def test_table_writers_replace_whole_files(tmp_path):
    out = tmp_path / "results"
    csv_path = write_csv(out / "t.csv", [{"a": 1, "b": 2.5}, {"a": 3, "b": float("nan")}])
    assert csv_path.read_text(encoding="utf-8").splitlines() == ["a,b", "1,2.5", "3,nan"]
    json_path = write_json(out / "t.json", {"x": np.arange(3), "y": float("inf")})
    assert json.loads(json_path.read_text(encoding="utf-8")) == {"x": [0, 1, 2], "y": None}
    npz_path = write_npz(out / "t.npz", w=np.array([0.5, 0.25]))
    with np.load(npz_path, allow_pickle=False) as data:
        np.testing.assert_array_equal(data["w"], [0.5, 0.25])
    write_csv(out / "t.csv", [{"a": 7}])
    assert (out / "t.csv").read_text(encoding="utf-8").splitlines() == ["a", "7"]
    assert _leftovers(out) == []
