"""Number options of the command line: parsed exactly, bounded, refused with a clear message.

``argparse`` reports a :class:`argparse.ArgumentTypeError` as
``argument --steps: <message>`` and exits with status 2, so each type only says what is wrong
with the text and what is allowed.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from sorn_studio.recording import MAX_STEPS

__all__ = ["whole_number", "finite_non_negative", "SEED"]


def whole_number(least: int, most: int | None = MAX_STEPS) -> Callable[[str], int]:
    """An argparse type for a whole number in ``[least, most]``.

    Parameters
    ----------
    least : int
        The smallest value allowed.
    most : int or None
        The largest; by default :data:`~sorn_studio.recording.MAX_STEPS`, the most steps a run
        may reach (so a step count of 10^23 is refused, not run for ever). ``None`` for no
        bound (random seeds may have any size).

    Returns
    -------
    callable
        Takes the option's text (``"1500"``; not ``"1.5"``, ``"1e3"`` or ``"nan"``) and returns
        the number.
    """
    allowed = f"[{least}, {most}]" if most is not None else f">= {least}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a whole number; allowed: {allowed}") from None
        if value < least or (most is not None and value > most):
            raise argparse.ArgumentTypeError(f"{value} is out of range; allowed: {allowed}")
        return value

    parse.__name__ = "whole number"
    return parse


def finite_non_negative(text: str) -> float:
    """An argparse type for a finite number >= 0 (``"0.01"``, ``"1e-3"``; not ``"nan"``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; allowed: a finite number "
                                         ">= 0") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text} is not a finite number >= 0")
    return value


#: A random seed: any whole number >= 0 (numpy takes seeds of any size).
SEED = whole_number(0, None)


def number_text(value: float, digits: int = 4) -> str:
    """``value`` with ``digits`` decimals for a table, or ``n/a`` for NaN (nothing measured)."""
    return "n/a" if math.isnan(value) else f"{value:.{digits}f}"
