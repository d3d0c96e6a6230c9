"""Our Zheng 2013 networks against the authors' own code, on one Dask cluster.

The question (issue 17, point 9): at 10^6 steps our E->E connection fraction looked lower than
that of the authors' code (chrhartm/SORN, run by ``authors_code_zheng2013.py``). Two semantic
differences are known, and each is a parameter:

- ``ei_floor``: ours ``"clamp"`` holds every weight iSTDP changes at or above ``w_ei_min``;
  the authors' ``"reset"`` sets only a weight taken to <= 0 to 0.001.
- ``ee_prune_below``: ours removes an E->E synapse STDP takes to <= 0; the authors' code
  removes every weight below 1e-10.

This runs ``--ours`` seeds of each of the four combinations of the two switches and
``--theirs`` seeds of the authors' code as tasks on the same cluster (a local one, or the
scheduler at ``--scheduler``), all resumable in ``--out``: ``ours/`` is a sweep folder,
``theirs/seed<k>.json`` the authors' runs. It then compares the final connection fractions
with a two-sided Mann-Whitney U test and writes ``summary.json``.

Usage::

    python benchmarks/fidelity_zheng2013.py --sorn-checkout ~/src/SORN --out fidelity \
        [--ours 20] [--theirs 8] [--steps 1000000] [--workers 2 | --scheduler ADDRESS]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
from pathlib import Path
from typing import Any

import cloudpickle
from scipy.stats import mannwhitneyu

sys.path.insert(0, str(Path(__file__).parent))
import authors_code_zheng2013 as authors  # noqa: E402 - next to this script

from sorn_studio.ensemble import grid, run_sweep  # noqa: E402
from sorn_studio.ensemble.store import SweepStore  # noqa: E402
from sorn_studio.ensemble.tasks import cluster_client  # noqa: E402

#: The switches and the values each takes: ours first, the authors' code's second.
SWITCHES = {"ei_floor": ("clamp", "reset"), "ee_prune_below": (0.0, 1e-10)}


def _theirs(checkout: Path, seed: int, steps: int, out: Path) -> dict[str, Any]:
    """One run of the authors' code, written to ``out`` (a worker's task)."""
    result = authors.run(checkout, seed, steps)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    tmp.replace(out)
    return result


def _describe(values: list[float]) -> dict[str, Any]:
    return {"n": len(values), "median": statistics.median(values),
            "min": min(values), "max": max(values), "values": values}


def _compare(a: list[float], b: list[float]) -> dict[str, Any]:
    test = mannwhitneyu(a, b, alternative="two-sided")
    return {"u": float(test.statistic), "p": float(test.pvalue),
            "median_difference": statistics.median(a) - statistics.median(b)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sorn-checkout", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--ours", type=int, default=20, help="seeds per switch setting")
    parser.add_argument("--theirs", type=int, default=8, help="seeds of the authors' code")
    parser.add_argument("--steps", type=int, default=1_000_000)
    cluster = parser.add_mutually_exclusive_group()
    cluster.add_argument("--workers", type=int)
    cluster.add_argument("--scheduler")
    args = parser.parse_args()
    if not (args.sorn_checkout / "common" / "sorn.py").is_file():
        parser.error(f"--sorn-checkout {args.sorn_checkout}: no common/sorn.py there")
    theirs_dir = args.out / "theirs"
    theirs_dir.mkdir(parents=True, exist_ok=True)
    # The workers cannot import a script: its module travels with the tasks.
    cloudpickle.register_pickle_by_value(authors)
    cells = grid("zheng2013", args.steps, dict(SWITCHES), args.ours,
                 metrics=("connection_fraction", "rate_e", "w_ee_lognormal_daic"))

    def report(record: dict[str, Any], progress: Any) -> None:
        print(f"[{progress.finished}/{progress.total - progress.skipped}] ours "
              f"ei_floor={record['ei_floor']} ee_prune_below={record['ee_prune_below']} "
              f"seed={record['seed']}: {record.get('connection_fraction')} %", flush=True)

    with cluster_client(args.workers, args.scheduler) as client:
        # Lower priority: ours (about 20 s each) finish first, then the authors' (13 min).
        pending = {
            client.submit(_theirs, args.sorn_checkout, seed, args.steps,
                          theirs_dir / f"seed{seed}.json", priority=-1, pure=False): seed
            for seed in range(args.theirs) if not (theirs_dir / f"seed{seed}.json").exists()}
        # Ctrl-C stops both (what finished is kept, and a second run goes on from it).
        run_sweep(cells, args.out / "ours", client=client, on_record=report)
        from distributed import as_completed

        for future in as_completed(pending):
            result = future.result()
            print(f"theirs seed={pending[future]}: "
                  f"{100 * result['connection_fraction'][-1][1]:.2f} %", flush=True)
    records = list(SweepStore(args.out / "ours").records(cells).values())
    ours: dict[str, list[float]] = {}
    for floor, prune in itertools.product(*SWITCHES.values()):
        ours[f"ei_floor={floor} ee_prune_below={prune:g}"] = [
            r["connection_fraction"] for r in records
            if r.get("status") == "done" and r["ei_floor"] == floor
            and r["ee_prune_below"] == prune]
    theirs = [100 * json.loads(path.read_text())["connection_fraction"][-1][1]
              for path in sorted(theirs_dir.glob("seed*.json"))]
    summary = {"steps": args.steps, "theirs": _describe(theirs),
               "ours": {name: _describe(values) for name, values in ours.items()},
               "ours_vs_theirs": {name: _compare(values, theirs)
                                  for name, values in ours.items()}}
    default = next(iter(ours.values()))
    summary["switch_effect"] = {name: _compare(values, default)
                                for name, values in list(ours.items())[1:]}
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n",
                                           encoding="utf-8")
    print(json.dumps({k: v for k, v in summary.items() if k != "ours"}, indent=2))


if __name__ == "__main__":
    main()
