"""``sorn-studio compare``: a baseline and variants of it, step for step on the same input and
noise, and how far each variant departs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .errors import EXIT_INTERRUPTED, UsageError
from .folders import check_out_folder
from .numbers import SEED, number_text, whole_number
from .progress import NullProgress, Progress
from .signals import StopFlag

__all__ = ["add_parser", "compare_command"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``compare`` to ``subparsers`` (the ``sorn-studio`` commands):
    ``func=compare_command``."""
    compare = subparsers.add_parser(
        "compare", help="run a baseline and variants in lockstep and compare them",
        description="Run a baseline network and up to four variants of it (each a set of live "
        "parameter changes) together, step for step, on the same input and noise, from a "
        "fresh network or a saved session. Prints one line per network: the mean Hamming "
        "distance of x to the baseline over the last 10 %% of steps, the final rate, "
        "connection fraction and E->E synapse count; with --attribution, also what each "
        "rule of each network changed.")
    compare.add_argument("--preset", metavar="NAME", help="preset of a fresh network "
                         "(see 'sorn-studio presets'); or --from")
    compare.add_argument("--from", dest="source", metavar="SESSION.npz",
                         help="start every network from this session's state")
    compare.add_argument("--steps", required=True, type=whole_number(1), metavar="N",
                         help="steps to run")
    compare.add_argument("--seed", type=SEED, metavar="S", help="random seed of a fresh "
                         "network (default 0)")
    compare.add_argument("--variant", action="append", required=True,
                         metavar="NAME=VALUE[,NAME=VALUE...]",
                         help="a variant: live parameter changes (repeat for up to four), "
                         "e.g. --variant stdp=false --variant eta_ip=0.02,sp=off")
    compare.add_argument("--attribution", action="store_true",
                         help="measure what each rule of each network changes (W^EE by STDP "
                         "potentiation and depression, the cap, pruning, growth and SN; T^E by "
                         "IP and its clip; W^EI by iSTDP, its clamp and SN): print each part's "
                         "sum over synapses of |net change| over the run, and with --out write "
                         "attribution.csv")
    compare.add_argument("--quiet", action="store_true", help="no progress bar")
    compare.add_argument("--out", metavar="DIR", help="write traces.csv, comparison.json and "
                         "each network's session here")
    compare.set_defaults(func=compare_command)
    return compare


def compare_command(args: argparse.Namespace) -> int:
    """Run ``sorn-studio compare``; 0, or 130 after Ctrl-C (what ran is still printed and
    written)."""
    from sorn_studio.compare import Lockstep, Variant, write_comparison
    from sorn_studio.engine import Simulation
    from sorn_studio.params import parse_assignments
    from sorn_studio.presets import get_preset
    from sorn_studio.session import read_session
    from sorn_studio.session.files import snapshot_of

    if (args.preset is None) == (args.source is None):
        raise UsageError("give either --preset NAME (a fresh network) or --from SESSION.npz")
    if args.source is not None and args.seed is not None:
        raise UsageError("--seed is for a fresh network; a session keeps its own")
    variants = []
    for text in args.variant:
        try:
            changes = parse_assignments(part for part in text.split(",") if part.strip())
        except ValueError as exc:
            raise UsageError(f"--variant {text}: {exc}") from None
        variants.append(Variant(text, changes))
    out = Path(args.out) if args.out else None
    if out is not None:
        check_out_folder(out)
    if args.source is not None:
        data = read_session(args.source)
        start, preset = snapshot_of(data), data.info.preset
    else:
        preset = args.preset
        start = Simulation(get_preset(preset).params, 0 if args.seed is None else args.seed
                           ).snapshot()
    lockstep = Lockstep(start, variants, attribution=args.attribution)
    bar: Progress = NullProgress(args.steps) if args.quiet else Progress(args.steps)
    with StopFlag() as stop:
        done = lockstep.run(args.steps, progress=bar.update, should_stop=stop)
    bar.finish()
    interrupted = done < args.steps
    print(f"{'network':<28} {'Hamming (last 10%)':>18} {'rate':>8} {'fraction':>9} "
          f"{'E->E':>6}")
    rows = lockstep.summary()
    for row in rows:
        print(f"{row['name']:<28} {number_text(row['hamming_tail'], 2):>18} "
              f"{number_text(row['rate']):>8} {number_text(row['connection_fraction']):>9} "
              f"{row['n_ee']:>6}")
    if args.attribution:
        _print_attribution(rows, lockstep.start_step, lockstep.step)
    if out is not None:
        write_comparison(lockstep, out, preset=preset)
        print(f"wrote {out}")
    if interrupted:
        print(f"interrupted after {done} of {args.steps} steps")
        return EXIT_INTERRUPTED
    return 0


def _print_attribution(rows: list[dict[str, Any]], start: int, end: int) -> None:
    """A row per part, a column per network (``rows``, from ``Lockstep.summary``): the part's
    sum over synapses of |net change| over steps ``start``-``end``."""
    from sorn_studio.engine.attribution import PART_NAMES

    widths = [max(10, len(row["name"])) for row in rows]
    print(f"attribution, steps {start}-{end}: sum over synapses (neurons for te_*) of "
          "|net change| by each rule")
    print(f"{'part':<12}" + "".join(f" {row['name']:>{w}}" for row, w in
                                    zip(rows, widths, strict=True)))
    for name in PART_NAMES:
        print(f"{name:<12}" + "".join(f" {number_text(row['attribution'][name + '_abs']):>{w}}"
                                      for row, w in zip(rows, widths, strict=True)))
