"""Temporary, removed at integration: ``cli.py`` still imports ``tracked_neurons`` from here."""

from .studio.defaults import tracked_neurons  # noqa: F401
