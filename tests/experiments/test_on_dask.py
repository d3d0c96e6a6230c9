"""The experiments on a Dask cluster of two worker processes give exactly the tables they give
on one core, file for file; several spontaneous seeds give each seed's single-run tables."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from sorn_studio.cli import main
from sorn_studio.ensemble.tasks import cluster_client

SMALL = ["--set", "ne=60", "--set", "ni=12", "--set", "lambda_ee=6", "--set", "lambda_ei=3",
         "--set", "lambda_ie=60"]
COUNTING = ["experiment", "counting", "--n", "3", "4", "--seeds", "2", "--plastic-steps", "400",
            "--train-steps", "300", "--test-steps", "300"]
SPONTANEOUS = ["experiment", "spontaneous", "--steps", "4000", "--sample-every", "1000",
               *SMALL]
AVALANCHES = ["experiment", "avalanches", "--networks", "3", "--transient", "500",
              "--record", "3000", *SMALL]


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    """A client of the local cluster the package makes: two single-threaded worker processes."""
    with cluster_client(2) as client:
        yield client


@pytest.fixture
def scheduler(cluster) -> str:
    """The cluster's address."""
    return cluster.scheduler.address


def test_the_workers_of_a_local_cluster_do_not_profile():
    # Their sampling profiler would see only compiled kernels and cost the networks time.
    import dask

    setting = "distributed.worker.profile.enabled"
    with dask.config.set({setting: True}):
        with cluster_client(2) as client:
            enabled = client.run(lambda: dask.config.get(setting))
            # This process's configuration is left as it was.
            assert dask.config.get(setting) is True
    assert len(enabled) == 2 and not any(enabled.values())


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _same_files(a: Path, b: Path) -> None:
    files_a, files_b = _files(a), _files(b)
    assert sorted(files_a) == sorted(files_b) and files_a
    for name, data in files_a.items():
        if name.endswith(".npz"):
            # The same arrays; the zip entries carry the time they were written.
            with np.load(a / name) as x, np.load(b / name) as y:
                assert sorted(x.files) == sorted(y.files)
                for key in x.files:
                    np.testing.assert_array_equal(x[key], y[key], err_msg=f"{name}: {key}")
        else:
            assert data == files_b[name], name


@pytest.mark.parametrize("argv", [COUNTING, SPONTANEOUS + ["--seeds", "3"], AVALANCHES],
                         ids=["counting", "spontaneous", "avalanches"])
def test_one_worker_and_two_give_the_same_tables(argv, scheduler, tmp_path, capsys):
    assert main([*argv, "--workers", "1", "--out", str(tmp_path / "one")]) == 0
    here = capsys.readouterr().out
    assert main([*argv, "--scheduler", scheduler, "--out", str(tmp_path / "two")]) == 0
    there = capsys.readouterr().out
    assert here == there
    _same_files(tmp_path / "one", tmp_path / "two")


def test_several_spontaneous_seeds_give_each_seeds_single_run(scheduler, tmp_path, capsys):
    assert main([*SPONTANEOUS, "--seed", "4", "--seeds", "2", "--scheduler", scheduler,
                 "--out", str(tmp_path / "both")]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split()[1:] == ["seed", "4", "seed", "5"]
    assert (tmp_path / "both" / "spontaneous_seeds.csv").exists()
    for seed in (4, 5):
        assert main([*SPONTANEOUS, "--seed", str(seed), "--out", str(tmp_path / f"{seed}")]) == 0
        _same_files(tmp_path / f"{seed}", tmp_path / "both" / f"seed{seed}")
