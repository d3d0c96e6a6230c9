"""``sorn-studio presets``: list the presets, one line each."""

from __future__ import annotations

import argparse

__all__ = ["add_parser", "presets_command"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``presets`` to ``subparsers`` (the sorn-studio commands): ``func=presets_command``."""
    presets = subparsers.add_parser("presets", help="list the presets",
                                    description="List the presets, one line each.")
    presets.set_defaults(func=presets_command)
    return presets


def presets_command(_args: argparse.Namespace) -> int:
    """Print each preset's name and summary; 0."""
    from sorn_studio.presets import get_preset, list_presets

    names = list_presets()
    width = max((len(n) for n in names), default=0)
    for name in names:
        print(f"{name:<{width}}  {get_preset(name).summary}")
    return 0
