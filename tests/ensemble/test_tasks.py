"""run_tasks: the same results and the same errors here and on a Dask cluster."""

from __future__ import annotations

import concurrent.futures
import http.server
import threading
import time
import types
from collections.abc import Iterator

import pytest

from sorn_studio.ensemble.tasks import dashboard_address, run_tasks


def square(x: int) -> int:
    return x * x


def boom(x: int) -> int:
    if x == 2:
        raise RuntimeError(f"no {x}")
    return x


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    """A cluster of two worker threads in this process (the functions need no import); its
    web server on a free port (without a dashboard it still takes 8787, which another test
    process may hold)."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=":0") as cluster, Client(cluster) as made:
        yield made


@pytest.mark.parametrize("where", ["here", "cluster"])
def test_results_come_back_in_order_and_as_they_finish(where, client):
    seen = []
    kwargs = {"workers": 1} if where == "here" else {"client": client}
    results = run_tasks(square, [(k,) for k in range(5)], on_result=lambda i, r: seen.append(i),
                        **kwargs)
    assert results == [0, 1, 4, 9, 16] and sorted(seen) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("where", ["here", "cluster"])
def test_a_task_error_stops_the_call_or_becomes_a_result(where, client):
    kwargs = {"workers": 1} if where == "here" else {"client": client}
    items = [(k,) for k in range(4)]
    with pytest.raises(RuntimeError, match="no 2"):
        run_tasks(boom, items, **kwargs)
    results = run_tasks(boom, items, on_error=lambda i, exc: f"failed {i}: {exc}", **kwargs)
    assert results == [0, 1, "failed 2: no 2", 3]


def slow_square(x: int) -> int:
    time.sleep(0.5)
    return x * x


def test_two_calls_with_the_same_names_on_one_cluster_keep_their_own_tasks(client):
    # Two experiments at once on one scheduler, their tasks named alike: each gets its own.
    names = ["a", "b"]
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        squares = pool.submit(run_tasks, slow_square, [(3,), (4,)], client=client, keys=names)
        time.sleep(0.1)
        same = run_tasks(boom, [(3,), (4,)], client=client, keys=names)
        assert squares.result(timeout=60) == [9, 16] and same == [3, 4]


def test_repeated_or_missing_keys_are_refused():
    with pytest.raises(ValueError, match=r"repeated: \['a'\]"):
        run_tasks(square, [(1,), (2,)], workers=1, keys=["a", "a"])
    with pytest.raises(ValueError, match="1 for 2 items"):
        run_tasks(square, [(1,), (2,)], workers=1, keys=["a"])


def test_a_scheduler_without_bokeh_shows_no_dashboard_address():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        link = client.dashboard_link
        assert link.startswith("http://") and link.endswith("/status")
        # Its page says that the dashboard needs bokeh, unless a recent one is installed.
        try:
            import distributed.dashboard.scheduler  # noqa: F401 - only importable with bokeh
            served = True
        except ImportError:
            served = False
        assert dashboard_address(client) == (link if served else None)


class _Page(http.server.BaseHTTPRequestHandler):
    status = 200
    body = b""

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.send_response(self.status)
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(("status", "body", "shown"), [
    (200, b"<html>Dask dashboard</html>", True),
    (200, b"<p>Dask needs bokeh>=3.1.0 for the dashboard.</p>", False),
    (404, b"", False),
    (500, b"", True),   # a page that cannot be judged: the address is given
])
def test_a_dashboard_is_judged_by_its_page(status, body, shown, monkeypatch):
    # A proxy in the environment is not asked.
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9/")
    handler = type("Page", (_Page,), {"status": status, "body": body})
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        link = f"http://127.0.0.1:{server.server_address[1]}/status"
        client = types.SimpleNamespace(dashboard_link=link)
        try:
            assert dashboard_address(client) == (link if shown else None)
        finally:
            server.shutdown()
    # Nobody listens there any more.
    assert dashboard_address(client, timeout=1.0) is None
    # An address that is not a URL (a proxy prefix of a hub) is given as it is.
    relative = types.SimpleNamespace(dashboard_link="/user/me/proxy/8787/status")
    assert dashboard_address(relative) == "/user/me/proxy/8787/status"


@pytest.mark.parametrize("workers", [0, 1025, True, 2.0])
def test_a_bad_number_of_workers_is_refused_naming_what_is_allowed(workers):
    with pytest.raises(ValueError, match=r"argument 'workers' = .* use a whole number from 1 "
                                         r"to 1024"):
        run_tasks(square, [(1,), (2,)], workers=workers)
