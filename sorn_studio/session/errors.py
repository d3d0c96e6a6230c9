"""The one error a session file raises when it cannot be used."""

from __future__ import annotations

__all__ = ["SessionError"]


class SessionError(ValueError):
    """A session file is unreadable, damaged, of an unsupported version or inconsistent."""
