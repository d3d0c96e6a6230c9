"""Statistics of SORN activity and connectivity, shared by the studio, the CLI and the API.

Pure numpy/scipy functions on arrays, free of Qt and of the engine, so they work as well on a
live recording as on a saved session or on synthetic data.

Conventions
-----------
* Spike arrays are shaped ``(T, N)``: time first, one column per neuron, boolean or 0/1.
* Weight matrices are ``(post, pre)``; a synapse exists where the weight is > 0.
* Bad input (wrong number of dimensions, empty, NaN, non-binary spikes) raises ``ValueError``
  naming the argument.
* Results with several parts are small frozen dataclasses.

Modules: :mod:`.rates` (rates, counts, Fano factor), :mod:`.isi` (inter-spike intervals),
:mod:`.correlation` (pairwise correlation, spike-source entropy, Hamming distance),
:mod:`.weights` (connection fraction, weight distribution fits), :mod:`.lifetimes` (synapse
lifetimes under structural plasticity), :mod:`.avalanches` (Del Papa et al. 2017 pipeline),
:mod:`.histograms` (log-axis histograms of integers and of positive reals), :mod:`.readout`
(the ridge readout of the network state).
"""

from __future__ import annotations

from sorn_studio.analysis.avalanches import (
    AvalancheAnalysis,
    Avalanches,
    PowerLawFit,
    SizeDurationFit,
    avalanche_analysis,
    avalanche_threshold,
    detect_avalanches,
    fit_avalanches,
    fit_power_law,
    pool_avalanches,
    size_duration_slope,
)
from sorn_studio.analysis.correlation import (
    Correlation,
    hamming_distance,
    pairwise_correlation,
    spike_source_entropy,
)
from sorn_studio.analysis.histograms import (
    Histogram,
    binned_median,
    int_log_edges,
    log10_counts,
    log_histogram,
    log_int_histogram,
    unit_histogram,
)
from sorn_studio.analysis.isi import (
    ExponentialFit,
    ISIStatistics,
    fit_exponential,
    inter_spike_intervals,
    isi_statistics,
)
from sorn_studio.analysis.lifetimes import (
    SynapseEventTracker,
    SynapseLifetimes,
    SynapseLifetimeTracker,
    kaplan_meier,
    synapse_lifetimes,
    synapse_lifetimes_from_events,
    synapse_lifetimes_from_snapshots,
)
from sorn_studio.analysis.rates import (
    fano_factor,
    firing_rates,
    lagged_autocorrelation,
    population_activity,
    population_rate,
    spike_counts,
    windowed_rates,
)
from sorn_studio.analysis.readout import LinearReadout, next_symbol_accuracy, train_readout
from sorn_studio.analysis.weights import (
    ANALYSIS_FLOOR,
    WeightFit,
    connection_fraction,
    connection_fraction_from_count,
    connection_fraction_trajectory,
    fit_above_floor,
    fit_weight_distribution,
    input_log_spread,
)

__all__ = [
    "ANALYSIS_FLOOR",
    "AvalancheAnalysis",
    "Avalanches",
    "Correlation",
    "ExponentialFit",
    "Histogram",
    "LinearReadout",
    "ISIStatistics",
    "PowerLawFit",
    "SizeDurationFit",
    "SynapseLifetimes",
    "SynapseEventTracker",
    "SynapseLifetimeTracker",
    "WeightFit",
    "avalanche_analysis",
    "avalanche_threshold",
    "binned_median",
    "connection_fraction",
    "connection_fraction_from_count",
    "connection_fraction_trajectory",
    "detect_avalanches",
    "fano_factor",
    "firing_rates",
    "fit_avalanches",
    "fit_exponential",
    "fit_power_law",
    "fit_above_floor",
    "fit_weight_distribution",
    "input_log_spread",
    "hamming_distance",
    "int_log_edges",
    "inter_spike_intervals",
    "isi_statistics",
    "kaplan_meier",
    "lagged_autocorrelation",
    "log10_counts",
    "log_histogram",
    "log_int_histogram",
    "next_symbol_accuracy",
    "pairwise_correlation",
    "pool_avalanches",
    "population_activity",
    "population_rate",
    "size_duration_slope",
    "spike_counts",
    "spike_source_entropy",
    "synapse_lifetimes",
    "synapse_lifetimes_from_events",
    "synapse_lifetimes_from_snapshots",
    "train_readout",
    "unit_histogram",
    "windowed_rates",
]
