"""Saving figures: the format follows the suffix, saving is atomic, bad names are refused."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest

from sorn_studio.figures import new_figure, save_figure


def _figure():
    fig = new_figure((3, 2), pyplot=False)
    ax = fig.add_subplot()
    ax.plot([0, 1, 4])
    return fig


@pytest.mark.parametrize(("name", "magic"), [("f.png", b"\x89PNG"), ("f.svg", b"<?xml"),
                                             ("f.pdf", b"%PDF"), ("F.SVG", b"<?xml")])
def test_the_suffix_chooses_the_format(tmp_path, name, magic):
    path = save_figure(_figure(), tmp_path / name)
    assert path.read_bytes().startswith(magic)
    assert [p.name for p in tmp_path.iterdir()] == [name]   # no temporary file left behind


def test_an_unknown_suffix_is_refused_naming_the_file_and_the_formats(tmp_path):
    with pytest.raises(ValueError, match=r"f\.jpg.*\.png, \.svg, \.pdf"):
        save_figure(_figure(), tmp_path / "f.jpg")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_save_leaves_the_old_file_as_it_was(tmp_path, monkeypatch):
    target = tmp_path / "f.png"
    target.write_bytes(b"old")
    fig = _figure()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(fig, "savefig", broken)
    with pytest.raises(OSError, match="disk full"):
        save_figure(fig, target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.png"]


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save_figure(_figure(), tmp_path / "nowhere" / "f.png")


@pytest.mark.parametrize("suffix", [".svg", ".pdf"])
def test_vector_files_are_identical_for_identical_figures(tmp_path, suffix):
    a = save_figure(_figure(), tmp_path / f"a{suffix}").read_bytes()
    b = save_figure(_figure(), tmp_path / f"b{suffix}").read_bytes()
    assert a == b


def test_free_standing_figures_are_not_held_by_pyplot():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    new_figure((2, 2), pyplot=False)
    assert plt.get_fignums() == before
    fig = new_figure((2, 2), pyplot=True)
    assert fig.number in plt.get_fignums()
    plt.close(fig)
