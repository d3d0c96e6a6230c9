"""SORN Studio: a Self-Organizing Recurrent Neural Network that learns in front of you.

The public names are imported lazily so that ``import sorn_studio.params`` stays light (no
compiled kernels, no Qt) and command-line start-up stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Params": "sorn_studio.params",
    "load_preset": "sorn_studio.presets",
    "list_presets": "sorn_studio.presets",
    "Simulation": "sorn_studio.engine",
    "RecordingSpec": "sorn_studio.recording",
    "Simulator": "sorn_studio.compat",
    "Trainer": "sorn_studio.compat",
    "Statistics": "sorn_studio.compat",
    "Plotter": "sorn_studio.compat",
    "save_session": "sorn_studio.session",
    "load_session": "sorn_studio.session",
    "replay_session": "sorn_studio.session",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sorn_studio' has no attribute {name!r}")
