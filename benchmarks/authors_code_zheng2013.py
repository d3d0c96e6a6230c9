"""Run the authors' own SORN code on the Zheng 2013 no-input parameters and measure it as we do.

This checks that what ``sorn-studio experiment spontaneous`` reports for the ``zheng2013``
preset (synfire rings, narrow weights, a lognormal-versus-normal comparison that goes either
way) is what the authors' code does too, not an artefact of our engine.

It needs a local clone of https://github.com/chrhartm/SORN (Python 2). The script converts
``common/synapses.py`` and ``common/sorn.py`` mechanically to Python 3 in a temporary folder
(print statements, ``has_key``, ``range`` lists, ``np.float``; the unused 2-D matrix class is
dropped), builds the parameters of ``examples/zheng2013/param_noinput.py`` over
``common/defaults.py``, and steps the authors' ``Sorn`` object. Nothing of that code is
stored in this project. It runs at 1 260-1 400 steps/s here (two runs side by side on a
2-core machine), so 10^6 steps take 12-13 minutes.

Usage::

    python benchmarks/authors_code_zheng2013.py --sorn-checkout ~/src/SORN --seed 0 \
        --steps 1000000 --out authors_0.json

The JSON holds the connection fraction every 10^5 steps, the spike-train periodicity of the
last 10 000 steps, the median within-neuron spread of ln w, and the weight fits over all
synapses and above :data:`sorn_studio.analysis.ANALYSIS_FLOOR`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from sorn_studio.analysis import (
    ANALYSIS_FLOOR,
    fit_above_floor,
    fit_weight_distribution,
    input_log_spread,
)
from sorn_studio.experiments.spontaneous import spike_train_periodicity

RECORD_STEPS = 10_000


def _to_python3(source: str) -> str:
    source = source.replace(
        "from pylab import *",
        "from numpy import *\nfrom numpy.random import rand, randn, shuffle\nimport numpy as np",
    )
    source = source.replace("import cPickle as pickle", "import pickle")
    source = source.replace("utils.backup(__file__)", "")
    source = source.replace("dtype=np.float)", "dtype=float)")
    source = re.sub(r"j_s = range\((N-1|N)\)", r"j_s = list(range(\1))", source)
    source = re.sub(r"(\w[\w\.]*)\.has_key\(([^)]*)\)", r"(\2 in \1)", source)
    # The 2-D sheet variant mixes tabs and spaces and is not used here.
    cut = source.find('"""\nSheet Topology by Dan')
    if cut >= 0:
        source = source[:cut]
    lines = []
    for line in source.splitlines():
        match = re.match(r"^(\s*)print (.*)$", line)
        if match:
            # One-line Python 2 prints become calls; a statement spread over lines (only in
            # Sorn.simulation, which is not used) is replaced by pass.
            text = match.group(2)
            ok = text.count("(") == text.count(")")
            line = f"{match.group(1)}print({text})" if ok else f"{match.group(1)}pass"
        lines.append(line)
    text = "\n".join(lines) + "\n"
    # The continuation lines of that multi-line print would be left dangling.
    return re.sub(r"pass\n(\s+self\.noise_spikes/float\(N\).*\n\s+self\.noise_spikes.*\n)",
                  "pass\n", text)


class _Bunch(dict):
    """The attribute dictionary the authors' ``utils.Bunch`` provides."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value


def _load(checkout: Path, folder: Path) -> tuple[ModuleType, ModuleType]:
    for name in ("synapses", "sorn"):
        source = (checkout / "common" / f"{name}.py").read_text(encoding="utf-8")
        (folder / f"{name}.py").write_text(_to_python3(source), encoding="utf-8")
    utils = ModuleType("utils")
    utils.Bunch = _Bunch  # type: ignore[attr-defined]
    utils.backup = lambda *args, **kwargs: None  # type: ignore[attr-defined]
    stats = ModuleType("stats")
    stats.StatsCollection = object  # type: ignore[attr-defined]
    sys.modules["utils"], sys.modules["stats"] = utils, stats
    sys.path.insert(0, str(folder))
    return importlib.import_module("synapses"), importlib.import_module("sorn")


def _parameters() -> _Bunch:
    c = _Bunch()
    c.N_e = 200
    c.N_i = int(np.floor(0.2 * c.N_e))
    c.N_u = 0
    c.N = c.N_e + c.N_i
    c.W_ee = _Bunch(use_sparse=True, lamb=0.1 * c.N_e, avoid_self_connections=True,
                    eta_stdp=0.004, sp_prob=0.1, sp_initial=0.001)
    c.W_ei = _Bunch(use_sparse=False, lamb=0.2 * c.N_e, avoid_self_connections=False,
                    eta_istdp=0.001, h_ip=0.1)
    c.W_ie = _Bunch(use_sparse=False, lamb=np.inf, avoid_self_connections=False)
    c.eta_ip, c.h_ip = 0.01, 0.1
    c.T_e_max, c.T_e_min, c.T_i_max, c.T_i_min = 1.0, 0.0, 0.5, 0.0
    c.noise_sig = np.sqrt(0.05)
    c.fast_inhibit = False
    c.k_winner_take_all = False
    c.ordered_thresholds = False
    # common/defaults.py values that param_noinput.py does not override.
    c.double_synapses = False
    c.synaptic_scaling = True
    c.inhibitory_scaling = True
    c.ff_inhibition = False
    c.ff_inhibition_broad = 0.0
    c.input_gain = 0.5
    return c


def run(checkout: Path, seed: int, steps: int) -> dict[str, Any]:
    """Step the authors' network ``steps`` times and measure it."""
    with tempfile.TemporaryDirectory() as folder:
        synapses, sorn = _load(checkout, Path(folder))

        class NoSource:
            """No input: a zero input matrix, as the authors' ``NoSource`` builds it."""

            def next(self) -> np.ndarray:
                return np.zeros(1)

            def update_W_eu(self, w: Any) -> None:
                return None

            def _zero(self, n: int) -> Any:
                spec = _Bunch(use_sparse=False, lamb=np.inf, avoid_self_connections=False)
                matrix = synapses.create_matrix((n, 1), spec)
                matrix.set_synapses(matrix.get_synapses() * 0)
                return matrix

            generate_connection_e = generate_connection_i = _zero

        class LastSpikes:
            """Keeps the excitatory spikes of the last RECORD_STEPS steps."""

            def __init__(self, net: Any) -> None:
                self.net, self.count = net, 0
                self.buffer = np.zeros((RECORD_STEPS, net.c.N_e), dtype=bool)

            def add(self) -> None:
                self.buffer[self.count % RECORD_STEPS] = self.net.x
                self.count += 1

        np.random.seed(seed)
        net = sorn.Sorn(_parameters(), NoSource())
        net.stats = LastSpikes(net)
        fractions, start = [], time.perf_counter()
        for t in range(1, steps + 1):
            net.step(np.zeros(1))
            if t % 100_000 == 0 or t == steps:
                w = np.asarray(net.W_ee.get_synapses())
                fractions.append((t, float((w > 0).sum() / (200 * 199))))
        elapsed = time.perf_counter() - start
    w = np.asarray(net.W_ee.get_synapses())
    spikes = np.roll(net.stats.buffer, -(net.stats.count % RECORD_STEPS), axis=0)
    lag, periodicity = spike_train_periodicity(spikes, max_lag=20)
    return {
        "seed": seed,
        "steps": steps,
        "steps_per_s": steps / elapsed,
        "connection_fraction": fractions,
        "mean_rate_last": float(spikes.mean()),
        "periodicity": {"lag": lag, "value": periodicity},
        "input_log_spread": input_log_spread(w, threshold=1e-10),
        "fit_all": asdict(fit_weight_distribution(w)),
        "fit_floor": ANALYSIS_FLOOR,
        "fit_above_floor": asdict(above) if (above := fit_above_floor(w)) else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sorn-checkout", type=Path, required=True,
                        help="a clone of github.com/chrhartm/SORN")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, help="also write the result here as JSON")
    args = parser.parse_args()
    if not (args.sorn_checkout / "common" / "sorn.py").is_file():
        parser.error(f"--sorn-checkout {args.sorn_checkout}: no common/sorn.py there")
    if args.steps < RECORD_STEPS:
        parser.error(f"--steps {args.steps}: at least {RECORD_STEPS} are needed")
    result = json.dumps(run(args.sorn_checkout, args.seed, args.steps), indent=2)
    print(result)
    if args.out:
        args.out.write_text(result + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
