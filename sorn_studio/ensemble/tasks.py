"""Independent tasks, run one after another here or on a Dask cluster, as they finish.

This is where every use of many networks meets Dask: sweeps (:mod:`.run`) and the published
experiments (:mod:`sorn_studio.experiments`) hand their networks to :func:`run_tasks`.
``workers=1`` runs them in this process without Dask; otherwise they go to the
``distributed`` client given, to one connected to a scheduler address, or to a
``LocalCluster`` of single-threaded worker processes made for the call and closed after it.
Dask itself is imported only then, never at import.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

__all__ = ["MAX_LOCAL_WORKERS", "SchedulerUnreachable", "TaskFailed", "check_where",
           "cluster_client", "dashboard_address", "run_tasks", "worker_slots"]


#: The most processes a local cluster may have (a cluster of more machines has a scheduler).
MAX_LOCAL_WORKERS = 1024


class TaskFailed(RuntimeError):
    """A task's worker was lost too often, or Dask could not run it; the cause is chained."""


class SchedulerUnreachable(ConnectionError):
    """No Dask scheduler answered at the address given; the cause is chained."""


@contextlib.contextmanager
def cluster_client(workers: int | None = None, scheduler: str | None = None,
                   client: Any = None) -> Iterator[Any]:
    """The ``distributed.Client`` to run on: ``client`` itself (left open), one connected to
    ``scheduler``, or one on a local cluster of ``workers`` processes (default: one per core),
    closed when the block ends.

    Raises
    ------
    ValueError
        For ``workers`` below 1, or both a scheduler and a client.
    SchedulerUnreachable
        When no scheduler answers at ``scheduler`` (within Dask's connect timeout).
    """
    check_where(workers, scheduler, client)
    if client is not None:
        yield client
        return
    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            connected = Client(scheduler)
        except OSError as exc:
            raise SchedulerUnreachable(
                f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        with connected:
            yield connected
        return
    n = workers or os.cpu_count() or 1
    # Processes, one thread each: a network runs its compiled kernel with the GIL released,
    # but its Python between kernels would serialise threads. The dashboard on a free port
    # (8787 may be another cluster's). The workers' sampling profiler (100 samples a second,
    # for the dashboard's profile page) would see only a compiled kernel, and it took 1-2 %
    # of the core a network runs on (benchmarks/worker_overhead.py); the workers take the
    # setting when they are made.
    cluster = None
    try:
        with _interrupt_when_made(), dask.config.set({"distributed.worker.profile.enabled":
                                                      False}):
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                   dashboard_address=":0")
    except KeyboardInterrupt:
        if cluster is not None:
            cluster.close()
        raise
    with cluster, Client(cluster) as made:
        yield made


@contextlib.contextmanager
def _interrupt_when_made() -> Iterator[None]:
    """Hold a Ctrl-C back while the block runs (in the main thread) and raise it after.

    A cluster interrupted while it starts is left half made: it cannot be closed, and Dask's
    exit handler then fails with a traceback. Held back, the interrupt comes once the cluster
    can be closed.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if held and callable(previous):
        previous(signal.SIGINT, None)
    elif held and previous == signal.SIG_DFL:
        raise KeyboardInterrupt


def check_where(workers: int | None, scheduler: str | None, client: Any) -> None:
    """Refuse a bad ``workers`` or both a scheduler and a client (:class:`ValueError`)."""
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool)
                                or not 1 <= workers <= MAX_LOCAL_WORKERS):
        raise ValueError(f"argument 'workers' = {workers!r} is not allowed; use a whole number "
                         f"from 1 to {MAX_LOCAL_WORKERS}")
    if scheduler is not None and client is not None:
        raise ValueError("give a scheduler address or a client, not both")


def dashboard_address(client: Any, timeout: float = 2.0) -> str | None:
    """The address of the cluster's dashboard, unless it is known not to show one.

    A scheduler always answers on its web port, but the dashboard needs bokeh (which Dask does
    not install), in a recent enough version; without it the page only says so. The page is
    fetched directly (not through a proxy), with ``timeout`` seconds for each step of the
    connection. The address is left out when the page says that the dashboard needs bokeh,
    is not found (404) or nothing listens there; it is given when the page could not be judged
    (a relative address, a certificate of the cluster's own, a slow network).
    """
    try:
        link = client.dashboard_link
    except Exception:  # noqa: BLE001 - a scheduler that cannot say has none to show
        return None
    if not link:
        return None
    if not link.startswith(("http://", "https://")):
        return link
    import http.client
    import urllib.error
    import urllib.request

    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with direct.open(link, timeout=timeout) as response:
            page = response.read(4096)
    except urllib.error.HTTPError as exc:
        return None if exc.code == 404 else link
    except urllib.error.URLError as exc:
        return None if isinstance(exc.reason, ConnectionRefusedError) else link
    except (OSError, ValueError, http.client.HTTPException):
        return link
    return None if b"needs bokeh" in page else link


def worker_slots(client: Any) -> int:
    """How many tasks ``client``'s cluster runs at once (its worker threads; at least 1)."""
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:  # noqa: BLE001 - a cluster that cannot say runs at least one
        return 1


def run_tasks(function: Callable[..., Any], items: Sequence[tuple[Any, ...]], *,
              workers: int | None = None, scheduler: str | None = None, client: Any = None,
              keys: Sequence[str] | None = None,
              on_start: Callable[[str | None, int], None] | None = None,
              on_result: Callable[[int, Any], None] | None = None,
              on_error: Callable[[int, BaseException], Any] | None = None) -> list[Any]:
    """``function(*item)`` for every item: here (``workers=1``) or on a Dask cluster.

    Parameters
    ----------
    function : callable
        Importable by the workers (a module-level function of the package, or one whose
        module is pickled by value).
    items : sequence of tuple
        The arguments of each task.
    workers, scheduler, client
        Where to run (:func:`cluster_client`); ``workers=1``, or a single task, without a
        scheduler or client: in this process.
    keys : sequence of str, optional
        Names of the tasks, distinct (shown on the dashboard, each with a token of this
        call, so that two calls on one cluster never share a task); default ``task-<index>``.
    on_start : callable, optional
        ``on_start(dashboard, slots)`` once the tasks are handed out: the dashboard's address
        or None, and how many run at once.
    on_result : callable, optional
        ``on_result(index, result)`` in this process as each task finishes (in the order they
        finish).
    on_error : callable, optional
        ``on_error(index, error)`` gives the result of a task that failed (raised, here or on
        the cluster, was cancelled, or lost its workers too often) instead of stopping the
        others.

    Returns
    -------
    list
        The results, in the order of ``items``.

    Raises
    ------
    ValueError
        For a bad ``workers``, both a scheduler and a client, or keys that repeat.
    Exception
        Without ``on_error``: what a task raised (the others are cancelled first), or
        :class:`TaskFailed` when it could not be run.
    KeyboardInterrupt
        After cancelling the tasks not finished.
    """
    check_where(workers, scheduler, client)
    names = list(keys) if keys is not None else [f"task-{i}" for i in range(len(items))]
    if len(names) != len(items) or len(set(names)) != len(names):
        repeated = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"keys must be one distinct name per item; {len(names)} for "
                         f"{len(items)} items" + (f", repeated: {repeated}" if repeated else ""))
    results: list[Any] = [None] * len(items)

    def finish(index: int, result: Any) -> None:
        results[index] = result
        if on_result is not None:
            on_result(index, result)

    if not items:
        return results
    if (workers == 1 or len(items) == 1) and scheduler is None and client is None:
        # One network is never worth starting a cluster for.
        if on_start is not None:
            on_start(None, 1)
        for index, item in enumerate(items):
            try:
                result = function(*item)
            except Exception as exc:
                if on_error is None:
                    raise
                result = on_error(index, exc)
            finish(index, result)
        return results
    from distributed import as_completed

    # A token of this call in every key: another call on the same cluster (another sweep,
    # another experiment) never gets this call's tasks back for its own.
    token = uuid.uuid4().hex[:8]
    with cluster_client(workers, scheduler, client) as dask:
        futures: dict[Any, int] = {}
        try:
            for index, (item, name) in enumerate(zip(items, names, strict=True)):
                futures[dask.submit(function, *item, key=f"{name}-{token}", pure=False)] = index
            if on_start is not None:
                on_start(dashboard_address(dask), worker_slots(dask))
            for future in as_completed(futures):
                index = futures[future]
                if future.status == "finished":
                    finish(index, future.result())
                    continue
                error = _error_of(future)
                if on_error is not None:
                    finish(index, on_error(index, error))
                elif isinstance(error, TaskFailed):
                    raise error
                else:
                    future.result()  # raises the task's own error, with its traceback
        except BaseException:
            dask.cancel(list(futures))
            raise
    return results


def _error_of(future: Any) -> BaseException:
    """Why a future did not finish: its task's error, or :class:`TaskFailed` when it was
    cancelled or its workers kept dying."""
    from distributed.scheduler import KilledWorker

    if future.status == "cancelled":
        return TaskFailed(f"task {future.key} was cancelled")
    error = future.exception()
    if isinstance(error, KilledWorker):
        failed = TaskFailed(f"task {future.key} could not be run: {error}")
        failed.__cause__ = error
        return failed
    return error

