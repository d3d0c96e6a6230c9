"""Session files: save a simulation to one ``.npz``, load it back, continue it, replay it.

- :mod:`.archive`: reading the members safely (known members, sizes checked first);
- :mod:`.schema`: the one table of keys, dtypes, shapes and meanings (docs, checks, README);
- :mod:`.files`: :func:`save_session`, :func:`read_session` (checks in small steps),
  :func:`load_session`;
- :mod:`.migrations`: upgrades of older layouts;
- :mod:`.replay`: :func:`replay_session`;
- :mod:`.summary`: :func:`session_summary`.
"""

from __future__ import annotations

from .errors import SessionError
from .files import (
    SessionData,
    SessionInfo,
    load_session,
    read_session,
    save_session,
    saved_history,
    simulation_of,
)
from .migrations import MIGRATIONS
from .replay import ReplayResult, replay_session
from .schema import KEYS_DOC, SCHEMA_VERSION, STATE_FIELDS
from .summary import session_summary

__all__ = [
    "SCHEMA_VERSION",
    "MIGRATIONS",
    "KEYS_DOC",
    "STATE_FIELDS",
    "SessionError",
    "SessionInfo",
    "SessionData",
    "ReplayResult",
    "save_session",
    "read_session",
    "load_session",
    "simulation_of",
    "saved_history",
    "replay_session",
    "session_summary",
]
