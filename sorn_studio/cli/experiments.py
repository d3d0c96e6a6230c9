"""``sorn-studio experiment counting|spontaneous|avalanches``: the published experiments.

Results are written to ``--out`` as CSV and JSON tables (and ``.npz`` arrays), and a summary
table goes to standard output; progress goes to standard error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from sorn_studio.analysis.weights import ANALYSIS_FLOOR
from sorn_studio.experiments.avalanches import (
    AvalancheExperiment,
    check_fit_ranges,
    run_avalanches,
)
from sorn_studio.experiments.counting import (
    COUNTING_CONDITIONS,
    CountingTrial,
    run_counting,
    summarize_counting,
)
from sorn_studio.experiments.spontaneous import (
    SpontaneousResult,
    run_spontaneous,
    run_spontaneous_seeds,
)
from sorn_studio.experiments.tables import (
    format_table,
    rows_of,
    write_csv,
    write_json,
    write_npz,
)
from sorn_studio.params import MECHANISMS, Params, parse_assignments
from sorn_studio.presets import load_preset

from .cluster import add_cluster_options, cluster_for
from .errors import report
from .folders import check_out_folder
from .numbers import SEED, finite_non_negative, whole_number
from .progress import Progress

__all__ = ["add_parser", "experiment_command"]

POSITIVE, NON_NEGATIVE = whole_number(1), whole_number(0)


def _common(parser: argparse.ArgumentParser, preset: str) -> None:
    parser.add_argument(
        "--preset", default=preset, help=f"parameter preset to start from (default {preset})"
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change one parameter of the preset (repeatable)",
    )
    parser.add_argument("--out", type=Path, help="folder for the result tables (CSV, JSON, npz)")
    add_cluster_options(parser)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``experiment`` to ``subparsers`` (the ``sorn-studio`` commands), with its experiments.

    It sets ``func=experiment_command``; the experiment chosen lands in ``args.experiment``
    (None when none was).
    """
    parser = subparsers.add_parser("experiment", help="run a published experiment",
                                   description="Run one of the published experiments.")
    parser.set_defaults(func=experiment_command)
    sub = parser.add_subparsers(dest="experiment", metavar="EXPERIMENT")

    counting = sub.add_parser(
        "counting",
        help="Lazar 2009 counting task: full SORN vs static reservoir vs IP-only",
        description="Self-organise, freeze, train a linear next-symbol readout and test it; "
        "reports accuracy overall and on the word-final symbols C and F.",
    )
    counting.add_argument("--n", type=POSITIVE, nargs="+", default=[4, 8, 12], help="values of n")
    counting.add_argument("--seeds", type=POSITIVE, default=5, help="networks per n (seeds 0..)")
    counting.add_argument(
        "--conditions",
        nargs="+",
        choices=COUNTING_CONDITIONS,
        default=list(COUNTING_CONDITIONS),
        help="networks to compare (default all)",
    )
    counting.add_argument(
        "--plastic-steps", type=NON_NEGATIVE, default=50_000, help="self-organisation steps"
    )
    counting.add_argument(
        "--train-steps", type=POSITIVE, default=5_000, help="frozen steps to train the readout"
    )
    counting.add_argument(
        "--test-steps", type=POSITIVE, default=5_000, help="fresh frozen steps to test it"
    )
    counting.add_argument("--ridge", type=finite_non_negative, default=1e-2,
                          help="readout ridge penalty (finite, >= 0)")
    counting.add_argument(
        "--state",
        choices=("spikes", "drive"),
        default="spikes",
        help="readout input: x(t), or the recurrent drive without external input",
    )
    _common(counting, "lazar2009")

    spontaneous = sub.add_parser(
        "spontaneous",
        help="Zheng 2013: connection fraction, weight distribution, synapse lifetimes",
        description="Self-organisation without input: connection-fraction trajectory, "
        "lognormal vs normal weight fit and synapse lifetimes.",
    )
    spontaneous.add_argument("--steps", type=POSITIVE, default=1_000_000, help="steps to simulate")
    spontaneous.add_argument("--seed", type=SEED, default=0, help="simulation seed (the first)")
    spontaneous.add_argument("--seeds", type=POSITIVE, default=1, metavar="K",
                             help="networks: seeds SEED .. SEED+K-1 (default 1: here, with a bar "
                             "over its steps); each gets the tables of a single run, in "
                             "OUT/seed<S>/ when K > 1")
    spontaneous.add_argument(
        "--sample-every", type=POSITIVE, default=10_000, help="steps between samples"
    )
    spontaneous.add_argument(
        "--weight-threshold",
        type=finite_non_negative,
        default=1e-10,
        help="smallest weight in the distribution fit (default 1e-10: leaves out the "
        "numerically vanishing synapses of silent neurons)",
    )
    spontaneous.add_argument(
        "--fit-floor",
        type=finite_non_negative,
        default=ANALYSIS_FLOOR,
        help=f"smallest weight in the second fit (default {ANALYSIS_FLOOR}: the range the "
        "authors' analysis plots, without the synapses structural plasticity has just created)",
    )
    _common(spontaneous, "zheng2013")

    avalanches = sub.add_parser(
        "avalanches",
        help="Del Papa 2017: pooled avalanche distributions, with a no-plasticity contrast",
        description="Detect avalanches (theta = round(<a>/2)) in several networks, pool them "
        "and fit truncated power laws and <S>(T).",
    )
    avalanches.add_argument(
        "--networks", type=POSITIVE, default=4, help="networks pooled (default 4)"
    )
    avalanches.add_argument("--seed", type=SEED, default=0, help="first seed")
    avalanches.add_argument(
        "--transient", type=NON_NEGATIVE, default=1_000_000, help="steps discarded per network"
    )
    avalanches.add_argument(
        "--record", type=POSITIVE, default=1_000_000, help="steps recorded per network"
    )
    avalanches.add_argument(
        "--size-range", type=POSITIVE, nargs=2, metavar=("XMIN", "XMAX"), help="size fit range"
    )
    avalanches.add_argument(
        "--duration-range",
        type=POSITIVE,
        nargs=2,
        metavar=("XMIN", "XMAX"),
        help="duration fit range",
    )
    avalanches.add_argument(
        "--no-contrast",
        action="store_true",
        help="skip the contrast run with plasticity off from the start",
    )
    _common(avalanches, "delpapa2017")

    return parser


def _counting(args: argparse.Namespace, base: Params, out: TextIO, err: TextIO) -> None:
    def on_trial(trial: CountingTrial) -> None:
        err.write(
            f"n={trial.n} seed={trial.seed} {trial.condition}: accuracy {trial.accuracy:.3f}, "
            f"C/F {trial.accuracy_cf:.3f}\n"
        )

    options = {
        "plastic_steps": args.plastic_steps,
        "train_steps": args.train_steps,
        "test_steps": args.test_steps,
        "ridge": args.ridge,
        "state": args.state,
    }
    with cluster_for(args, len(args.n) * args.seeds * len(args.conditions), err) as where:
        trials = run_counting(
            args.n, args.seeds, args.conditions, on_trial=on_trial, base=base, **where, **options
        )
    summary = rows_of(summarize_counting(trials))
    out.write(format_table(summary) + "\n")
    if args.out:
        write_csv(args.out / "counting_trials.csv", rows_of(trials))
        write_csv(args.out / "counting_summary.csv", summary)
        write_json(
            args.out / "counting.json",
            {
                "options": options,
                "n": args.n,
                "seeds": args.seeds,
                "preset": args.preset,
                "params": base.to_dict(),
                "summary": summary,
                "trials": rows_of(trials),
            },
        )


def _spontaneous(args: argparse.Namespace, params: Params, out: TextIO, err: TextIO) -> None:
    seeds = list(range(args.seed, args.seed + args.seeds))
    options = {"sample_every": args.sample_every, "weight_threshold": args.weight_threshold,
               "fit_floor": args.fit_floor, "params": params}
    if len(seeds) == 1:
        # One network runs here, with a bar over its steps.
        bar = Progress(args.steps, stream=err)
        results = [run_spontaneous(args.steps, seeds[0], progress=bar.update, **options)]
    else:
        bar = Progress(len(seeds), stream=err, label="networks")
        with cluster_for(args, len(seeds), err) as where:
            results = run_spontaneous_seeds(
                args.steps, seeds, on_result=lambda _: bar.update(bar.done + 1), **where,
                **options)
    bar.finish()
    tables = [_spontaneous_rows(result) for result in results]
    if len(results) == 1:
        out.write(format_table(tables[0]) + "\n")
        if args.out:
            _write_spontaneous(args, args.out, results[0])
        return
    # One column per seed, the quantities down the side.
    rows = [{"quantity": row["quantity"],
             **{f"seed {r.seed}": table[k]["value"] for r, table in zip(results, tables,
                                                                        strict=True)}}
            for k, row in enumerate(tables[0])]
    out.write(format_table(rows) + "\n")
    if args.out:
        for result in results:
            _write_spontaneous(args, args.out / f"seed{result.seed}", result)
        write_csv(args.out / "spontaneous_seeds.csv", rows)


def _spontaneous_rows(result: SpontaneousResult) -> list[dict[str, Any]]:
    """The summary table of one network."""
    phases, fit, life = result.phases, result.weight_fit, result.lifetimes
    floor, floor_fit = f"{result.fit_floor:g}", result.floor_fit
    median = _lifetimes_summary(result)["median_lifetime_km"]
    return [
        {"quantity": "connection fraction initial", "value": phases.initial},
        {"quantity": "connection fraction minimum", "value": phases.minimum},
        {"quantity": "step of minimum", "value": phases.step_of_minimum},
        {"quantity": "connection fraction final", "value": phases.final},
        {"quantity": "change over last quarter", "value": phases.final_change},
        {"quantity": "decays then recovers", "value": phases.decays_then_recovers},
        {"quantity": "mean rate, last sample", "value": float(result.mean_rate[-1])},
        {"quantity": "weights fitted", "value": fit.n},
        {"quantity": "weights <= threshold (not fitted)", "value": result.n_negligible},
        {
            "quantity": "lognormal mu, sigma of log w",
            "value": f"{fit.lognormal_mu:.3f}, {fit.lognormal_sigma:.3f}",
        },
        {
            "quantity": "normal mean, std of w",
            "value": f"{fit.normal_mean:.4f}, {fit.normal_std:.4f}",
        },
        {"quantity": "AIC normal - AIC lognormal", "value": fit.delta_aic},
        {"quantity": "best weight fit", "value": fit.best},
        {"quantity": f"weights > {floor} (fitted again)",
         "value": floor_fit.n if floor_fit else "fewer than 3 distinct"},
        {"quantity": f"lognormal sigma of log w, w > {floor}",
         "value": floor_fit.lognormal_sigma if floor_fit else "-"},
        {"quantity": f"AIC normal - AIC lognormal, w > {floor}",
         "value": floor_fit.delta_aic if floor_fit else "-"},
        {"quantity": f"best weight fit, w > {floor}",
         "value": floor_fit.best if floor_fit else "-"},
        {"quantity": "synapses created", "value": life.n_created},
        {"quantity": "median lifetime (Kaplan-Meier)", "value": median},
        # Synfire rings (README, Science): strong periodic activity with nearly equal inputs
        # per neuron is what makes the final weights narrow.
        {"quantity": "spike-train periodicity (lag)",
         "value": f"{result.periodicity:.2f} ({result.periodicity_lag} steps)"},
        {"quantity": "median spread of ln w per neuron", "value": result.input_log_spread},
    ]


def _lifetimes_summary(result: SpontaneousResult) -> dict[str, Any]:
    """What the synapse lifetimes come to, with the Kaplan-Meier median."""
    life = result.lifetimes
    times, survival = life.survival()
    median = float(times[np.argmax(survival <= 0.5)]) if (survival <= 0.5).any() else None
    return {
        "completed": int(life.lifetimes.size),
        "censored": int(life.censored.size),
        "created": life.n_created,
        "pruned": life.n_pruned,
        "initial_surviving": life.n_initial_surviving,
        "median_lifetime_km": median,
        "resolution_steps": 1,
    }


def _write_spontaneous(args: argparse.Namespace, folder: Path, result: SpontaneousResult) -> None:
    """One network's tables in ``folder`` (the files of a single-seed run)."""
    life = result.lifetimes
    times, survival = life.survival()
    write_csv(
        folder / "spontaneous_trajectory.csv",
        [
            {"step": int(s), "connection_fraction": float(f), "mean_rate": float(r)}
            for s, f, r in zip(
                result.steps, result.connection_fraction, result.mean_rate, strict=True
            )
        ],
    )
    write_json(
        folder / "spontaneous.json",
        {
            "preset": args.preset,
            "seed": result.seed,
            "steps": args.steps,
            "params": result.params.to_dict(),
            "phases": result.phases,
            "weight_fit": result.weight_fit,
            "fit_floor": result.fit_floor,
            "floor_fit": result.floor_fit,
            "lifetimes": _lifetimes_summary(result),
            "periodicity": {"lag": result.periodicity_lag, "value": result.periodicity},
            "input_log_spread": result.input_log_spread,
        },
    )
    write_npz(
        folder / "spontaneous_arrays.npz",
        weights=result.weights,
        lifetimes=life.lifetimes,
        censored=life.censored,
        initial_lifetimes=life.initial_lifetimes,
        survival_times=times,
        survival=survival,
    )


def _spread(values: np.ndarray) -> float:
    """Standard deviation of the finite values; NaN with fewer than two."""
    finite = values[np.isfinite(values)]
    return float(finite.std()) if finite.size > 1 else float("nan")


def _avalanche_row(label: str, exp: AvalancheExperiment) -> dict[str, Any]:
    fit = exp.pooled
    nan = float("nan")
    return {
        "condition": label,
        "networks": len(exp.seeds),
        "avalanches": len(fit.avalanches),
        "mean_rate": float(exp.mean_rates.mean()),
        "alpha_size": fit.size_fit.exponent if fit.size_fit else nan,
        "alpha_size_se": fit.size_fit.stderr if fit.size_fit else nan,
        "alpha_duration": fit.duration_fit.exponent if fit.duration_fit else nan,
        "alpha_duration_se": fit.duration_fit.stderr if fit.duration_fit else nan,
        "ks_size": fit.size_fit.ks if fit.size_fit else nan,
        "ks_duration": fit.duration_fit.ks if fit.duration_fit else nan,
        "alpha_size_spread": _spread(exp.per_network_exponents[:, 0]),
        "alpha_duration_spread": _spread(exp.per_network_exponents[:, 1]),
        "slope_S_of_T": fit.scaling.slope if fit.scaling else nan,
        "predicted_slope": fit.predicted_slope,
    }


def _avalanches(args: argparse.Namespace, params: Params, out: TextIO, err: TextIO) -> None:
    conditions = [("plastic", True)] + ([] if args.no_contrast else [("frozen", False)])
    size_range = tuple(args.size_range) if args.size_range else (None, None)
    duration_range = tuple(args.duration_range) if args.duration_range else (None, None)
    check_fit_ranges(size_range, duration_range)  # before a cluster is started for nothing
    rows, experiments = [], {}
    with cluster_for(args, args.networks * len(conditions), err) as where:
        for label, plastic in conditions:
            bar = Progress(args.networks, stream=err, label="networks", title=label)
            exp = run_avalanches(
                args.networks,
                seed=args.seed,
                transient=args.transient,
                record_steps=args.record,
                plastic=plastic,
                params=params,
                size_range=size_range,
                duration_range=duration_range,
                progress=bar.update,
                **where,
            )
            bar.finish()
            experiments[label] = exp
            rows.append(_avalanche_row(label, exp))
    out.write(format_table(rows) + "\n")
    if args.out:
        write_csv(args.out / "avalanches_summary.csv", rows)
        write_json(
            args.out / "avalanches.json",
            {
                "preset": args.preset,
                "params": params.to_dict(),
                "networks": args.networks,
                "seed": args.seed,
                "transient": args.transient,
                "record": args.record,
                "summary": rows,
                "fits": {
                    k: {
                        "size": e.pooled.size_fit,
                        "duration": e.pooled.duration_fit,
                        "scaling_slope": e.pooled.scaling.slope if e.pooled.scaling else None,
                    }
                    for k, e in experiments.items()
                },
            },
        )
        for label, exp in experiments.items():
            write_npz(
                args.out / f"avalanches_{label}.npz",
                durations=exp.pooled.avalanches.durations,
                sizes=exp.pooled.avalanches.sizes,
                thresholds=np.array([a.theta for a in exp.per_network]),
            )


#: Parameters an experiment sets itself, so a --set of them would be ignored: why, per name.
SET_BY_THE_EXPERIMENT: dict[str, dict[str, str]] = {
    "counting": {
        "input_kind": "the counting experiment always drives the network with the counting "
                      "task",
        "counting_n": "the counting experiment takes n from --n",
        **{m: "the static and ip_only conditions set the plasticity switches themselves (give "
              "--conditions sorn to switch a mechanism off in the full SORN)"
           for m in MECHANISMS},
    },
}


def experiment_command(args: argparse.Namespace) -> int:
    """Run the experiment named by ``args.experiment``.

    The summary table goes to stdout, the progress to stderr.

    Returns
    -------
    int
        Exit status: 0 on success, 2 when no experiment was chosen or for invalid parameters.
    """
    runners = {"counting": _counting, "spontaneous": _spontaneous, "avalanches": _avalanches}
    name = args.experiment
    if name is None:
        return report("choose an experiment: " + ", ".join(runners))
    try:
        changes = parse_assignments(args.overrides)
        overridden = sorted(set(changes) & set(SET_BY_THE_EXPERIMENT.get(name, {})))
        if name == "counting" and set(args.conditions) == {"sorn"}:
            # The full-SORN condition keeps the switches it is given (an ablation).
            overridden = [key for key in overridden if key not in MECHANISMS]
        if overridden:
            # Refused rather than silently replaced by the experiment's own value.
            raise ValueError("; ".join(f"--set {key}: {SET_BY_THE_EXPERIMENT[name][key]}"
                                       for key in overridden))
        params = load_preset(args.preset, **changes)
        if args.out:
            check_out_folder(args.out)
        runners[name](args, params, sys.stdout, sys.stderr)
    except ValueError as exc:
        return report(str(exc), f"experiment {name}")
    if args.out:
        print(f"results written to {args.out}", file=sys.stderr)
    return 0
