"""``--workers`` / ``--scheduler``: where a command's networks run (here or on Dask)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from sorn_studio.ensemble.tasks import MAX_LOCAL_WORKERS

from .numbers import whole_number

__all__ = ["add_cluster_options", "cluster_for", "note_connecting", "scheduler_address",
           "where_text"]


def scheduler_address(text: str) -> str:
    """An argparse type for a Dask scheduler's address, ``[PROTOCOL://]HOST:PORT``, checked
    for its form here (so that a typing error is named before anything runs)."""
    protocol, sep, rest = text.partition("://")
    if not sep:
        protocol, rest = "tcp", text
    host, colon, port = rest.rpartition(":")
    if (not protocol.isalnum() or not colon or not host or not (port.isascii() and port.isdigit())
            or not 0 < int(port) < 65536):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a scheduler address; allowed: [PROTOCOL://]HOST:PORT with a "
            "port from 1 to 65535, e.g. tcp://10.0.0.5:8786")
    return text


def add_cluster_options(parser: argparse.ArgumentParser) -> None:
    """Add the mutually exclusive ``--workers W`` and ``--scheduler ADDRESS``."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=whole_number(1, MAX_LOCAL_WORKERS), metavar="W",
                       help="1: here, one network after another, without Dask; W: a local "
                       "Dask cluster of W processes (default: one per core)")
    where.add_argument("--scheduler", type=scheduler_address, metavar="ADDRESS",
                       help="run on the Dask cluster of this scheduler, e.g. "
                       "tcp://10.0.0.5:8786")


def where_text(args: argparse.Namespace, n_networks: int) -> str:
    """Where ``n_networks`` networks run, in words."""
    if args.scheduler:
        return f"on {args.scheduler}"
    if args.workers == 1 or n_networks <= 1:
        return "here, one after another"
    return "on a local Dask cluster" + (f" of {args.workers}" if args.workers else "")


def note_connecting(args: argparse.Namespace, err: TextIO | None = None) -> None:
    """Say on ``err`` (standard error by default) that a ``--scheduler`` is being reached:
    Dask waits up to its connect timeout (30 s) for one that does not answer."""
    if args.scheduler is not None:
        (err or sys.stderr).write(f"connecting to the Dask scheduler at {args.scheduler}\u2026\n")


@contextlib.contextmanager
def cluster_for(args: argparse.Namespace, n_networks: int,
                err: TextIO | None = None) -> Iterator[dict[str, Any]]:
    """The where-to-run keyword arguments of :func:`sorn_studio.ensemble.tasks.run_tasks`
    for a command of ``n_networks`` networks: here for one network or ``--workers 1``,
    otherwise one client (a local cluster, or the ``--scheduler``'s) for the whole command,
    whose dashboard address is written to ``err`` when it has one."""
    if args.workers == 1 or (n_networks <= 1 and args.scheduler is None):
        yield {"workers": 1}
        return
    from sorn_studio.ensemble.tasks import cluster_client, dashboard_address

    note_connecting(args, err)
    with cluster_client(args.workers, args.scheduler) as client:
        dashboard = dashboard_address(client)
        if dashboard:
            (err or sys.stderr).write(f"Dask dashboard: {dashboard}\n")
        yield {"client": client}
