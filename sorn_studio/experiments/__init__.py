"""The published SORN experiments as functions (the CLI and the studio call these).

``sorn-studio experiment ...`` is :mod:`sorn_studio.cli.experiments`.

* :mod:`.counting`: the counting task of Lazar et al. (2009), full SORN vs static reservoir
  vs IP-only, with a linear readout (:mod:`sorn_studio.analysis.readout`).
* :mod:`.spontaneous`: spontaneous self-organisation of Zheng et al. (2013).
* :mod:`.avalanches`: neuronal avalanches of Del Papa et al. (2017).

Importing this package does not load the compiled engine; running an experiment does.
"""

from __future__ import annotations

from sorn_studio.analysis.readout import LinearReadout, train_readout
from sorn_studio.experiments.avalanches import (
    AvalancheExperiment,
    network_activity,
    run_avalanches,
)
from sorn_studio.experiments.counting import (
    COUNTING_CONDITIONS,
    CountingSummary,
    CountingTrial,
    counting_params,
    counting_trial,
    run_counting,
    summarize_counting,
)
from sorn_studio.experiments.spontaneous import (
    SpontaneousResult,
    TrajectoryPhases,
    describe_trajectory,
    run_spontaneous,
    run_spontaneous_seeds,
    spike_train_periodicity,
)

__all__ = [
    "COUNTING_CONDITIONS",
    "AvalancheExperiment",
    "CountingSummary",
    "CountingTrial",
    "LinearReadout",
    "SpontaneousResult",
    "TrajectoryPhases",
    "counting_params",
    "counting_trial",
    "describe_trajectory",
    "network_activity",
    "run_avalanches",
    "run_counting",
    "run_spontaneous",
    "run_spontaneous_seeds",
    "spike_train_periodicity",
    "summarize_counting",
    "train_readout",
]
