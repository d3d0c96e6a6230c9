"""Key figures of a session file, for ``sorn-studio info`` and the studio."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..analysis.weights import connection_fraction_from_count
from ..recording import count_set_bits
from .files import SessionData

__all__ = ["session_summary"]


def session_summary(data: SessionData) -> dict[str, Any]:
    """Key figures of a session, for ``sorn-studio info`` and the studio.

    Parameters
    ----------
    data : SessionData
        As returned by :func:`~sorn_studio.session.read_session`.

    Returns
    -------
    dict
        ``preset, seed, steps, ne, ni, recorded_steps, rate_e, rate_i`` (mean spikes per neuron
        and step over the kept recording; NaN when nothing was recorded), ``n_ee``,
        ``connection_fraction`` and ``initial_connection_fraction`` (E->E synapses over the
        ne (ne - 1) possible ones), ``n_ei``, ``changes`` (the change log) and the versions.
    """
    info, a = data.info, data.arrays
    p = info.params
    rows = a["rec/x"].shape[0]

    def rate(key: str, n: int) -> float:
        if rows == 0 or n == 0:
            return math.nan
        # Counted from the packed rows, chunk by chunk, so that a long recording is neither
        # unpacked (8x the memory) nor expanded all at once.
        packed = a[key]
        total = sum(int(count_set_bits(packed[start: start + 65536]).sum())
                    for start in range(0, rows, 65536))
        return total / (rows * n)

    n_ee = int(np.count_nonzero(a["state/w_ee"]))
    return {
        "preset": info.preset, "seed": info.seed, "steps": info.steps, "ne": p.ne, "ni": p.ni,
        "input_kind": p.input_kind, "recorded_steps": rows,
        "rate_e": rate("rec/x", p.ne), "rate_i": rate("rec/y", p.ni),
        "n_ee": n_ee, "connection_fraction": connection_fraction_from_count(n_ee, p.ne),
        "initial_connection_fraction": connection_fraction_from_count(
            int(np.count_nonzero(a["initial/w_ee"])), p.ne),
        "n_ei": int(np.count_nonzero(a["state/w_ei"])),
        "changes": list(info.change_log), "pending": dict(info.pending),
        "app_version": info.app_version, "schema_version": info.schema_version,
        "created": info.created, "backend": info.backend, "replayable": info.replayable,
        "replay_note": info.replay_note,
    }
