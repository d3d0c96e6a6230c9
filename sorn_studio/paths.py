"""Find the project's data folders (``ui/`` and ``resources/``) in a checkout or a wheel.

In a source checkout they sit beside the package; an installed wheel carries them inside the
package as ``sorn_studio/_data/`` (mapped by hatchling's ``force-include``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["data_dir", "ui_dir", "resources_dir", "presets_dir"]

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder ``name`` (``"ui"`` or ``"resources"``) wherever it is installed.

    Parameters
    ----------
    name : str
        Top-level data folder of the project.

    Raises
    ------
    FileNotFoundError
        When neither the wheel layout nor the checkout layout has the folder.
    """
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"data folder {name!r} not found inside the package ({_PACKAGE / '_data'}) nor in a "
        f"checkout ({_PACKAGE.parent}); reinstall sorn-studio"
    )


def ui_dir() -> Path:
    """Folder of the Qt Designer forms."""
    return data_dir("ui")


def resources_dir() -> Path:
    """Folder of icons, style sheet, presets and lessons."""
    return data_dir("resources")


def presets_dir() -> Path:
    """Folder of the preset parameter files."""
    return resources_dir() / "presets"
