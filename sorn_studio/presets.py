"""Presets: published parameter sets stored as JSON files in ``resources/presets/``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .params import Params
from .paths import presets_dir
from .studio.views import VIEW_NAMES

__all__ = ["Preset", "DEFAULT_PRESET", "list_presets", "load_preset", "get_preset"]

#: The preset the studio opens with.
DEFAULT_PRESET = "zheng2013"


@dataclass(frozen=True)
class Preset:
    """A named parameter set with its provenance.

    Attributes
    ----------
    name : str
        Identifier used on the command line and in session files.
    title, summary, source, notes : str
        Human descriptions: a title, one line, the paper, and caveats.
    steps : int
        Steps of self-organisation the paper used.
    params : Params
        The validated parameters.
    views : tuple of str
        Studio views that show this preset's result, brought to the front when it is chosen
        (e.g. ``("readout",)`` for the counting task).
    """

    name: str
    title: str
    summary: str
    source: str
    notes: str
    steps: int
    params: Params
    views: tuple[str, ...] = ()


def _files() -> dict[str, Path]:
    return {p.stem: p for p in sorted(presets_dir().glob("*.json"))}


def list_presets() -> list[str]:
    """Names of the available presets, sorted."""
    return sorted(_files())


def get_preset(name: str) -> Preset:
    """Load the preset ``name`` with its description.

    Raises
    ------
    ValueError
        When no preset has that name (the message lists the valid names) or its file is invalid.
    """
    files = _files()
    if name not in files:
        raise ValueError(f"unknown preset {name!r}; available presets: {', '.join(sorted(files))}")
    try:
        data: dict[str, Any] = json.loads(files[name].read_text(encoding="utf-8"))
        params = Params.from_dict(data["params"])
        views = data.get("views", [])
        if not isinstance(views, list) or not all(isinstance(v, str) for v in views):
            raise ValueError(f"'views' must be a list of view names, got {views!r}")
        unknown = [v for v in views if v not in VIEW_NAMES]
        if unknown:
            raise ValueError(f"'views' names {unknown}, which are not views; the views are "
                             f"{', '.join(VIEW_NAMES)}")
    except (KeyError, json.JSONDecodeError, TypeError, ValueError) as exc:
        raise ValueError(f"preset file {files[name]} is invalid: {exc}") from exc
    return Preset(name=name, title=data.get("title", name), summary=data.get("summary", ""),
                  source=data.get("source", ""), notes=data.get("notes", ""),
                  steps=int(data.get("steps", 0)), params=params, views=tuple(views))


def load_preset(name: str, **changes: Any) -> Params:
    """Return the parameters of preset ``name``, optionally with ``changes`` applied.

    Parameters
    ----------
    name : str
        One of :func:`list_presets`.
    **changes
        Field overrides, validated like :meth:`Params.replace`.
    """
    params = get_preset(name).params
    return params.replace(**changes) if changes else params
