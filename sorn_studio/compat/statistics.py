"""sorn 0.7.4's ``Statistics`` class, rebuilt on :mod:`sorn_studio.analysis`.

Code written for ``sorn`` 0.7.4 keeps working: the method names, argument names, argument
order and the ``(timesteps, neurons)`` orientation of ``spike_train`` are sorn 0.7.4's. The
defects listed in ``shared/design/model.md`` section 7 are fixed, and every method validates
its input (``ValueError`` naming the argument). Each method's docstring lists what differs
from sorn 0.7.4.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .. import analysis
from ..analysis._validate import as_array, as_spikes, check_positive_int

__all__ = ["Statistics"]


def _neuron_column(spike_train: ArrayLike, neuron: int) -> np.ndarray:
    x = as_spikes(spike_train, "spike_train")
    if isinstance(neuron, bool) or not isinstance(neuron, int | np.integer):
        raise ValueError(f"neuron must be an integer, got {neuron!r}")
    if not -x.shape[1] <= neuron < x.shape[1]:
        raise ValueError(f"neuron {neuron} out of range for {x.shape[1]} neurons")
    return x[:, neuron]


def _series(firing_rates: ArrayLike, minimum: int) -> np.ndarray:
    s = as_array(firing_rates, "firing_rates", ndim=(1,)).astype(float)
    if s.size < minimum:
        raise ValueError(f"firing_rates needs at least {minimum} values, got {s.size}")
    return s


class Statistics:
    """Statistical analysis of spike trains, with sorn 0.7.4's interface.

    All methods are static, as in sorn 0.7.4; ``spike_train`` is shaped
    ``(timesteps, neurons)``, boolean or 0/1.
    """

    @staticmethod
    def firing_rate_neuron(
        spike_train: ArrayLike, neuron: int, bin_size: int
    ) -> tuple[int, int, float]:
        """Mean number of spikes of one neuron per bin of ``bin_size`` steps.

        Parameters
        ----------
        spike_train : array_like, shape (timesteps, neurons)
        neuron : int
            Column of the neuron.
        bin_size : int
            Bin length in steps.

        Returns
        -------
        time_period : int
            Number of time steps.
        bin_size : int
        spike_rate : float
            Total spikes of the neuron * bin_size / time_period.

        Notes
        -----
        Same value as sorn 0.7.4; ``neuron`` and ``bin_size`` are checked.
        """
        column = _neuron_column(spike_train, neuron)
        bin_size = check_positive_int(bin_size, "bin_size")
        time_period = column.shape[0]
        return time_period, bin_size, float(column.sum() * bin_size / time_period)

    @staticmethod
    def firing_rate_network(spike_train: ArrayLike) -> np.ndarray:
        """Number of active neurons at each time step.

        Parameters
        ----------
        spike_train : array_like, shape (timesteps, neurons)

        Returns
        -------
        numpy.ndarray of int64, shape (timesteps,)

        Notes
        -----
        Same as sorn 0.7.4.
        """
        return analysis.population_activity(as_spikes(spike_train, "spike_train"))

    @staticmethod
    def scale_dependent_smoothness_measure(firing_rates: ArrayLike) -> float:
        """Standard deviation of the step-to-step changes; smaller means smoother.

        Parameters
        ----------
        firing_rates : array_like, shape (timesteps,)
            E.g. the output of :meth:`firing_rate_network`.

        Returns
        -------
        float

        Notes
        -----
        Same as sorn 0.7.4; at least two values are required.
        """
        return float(np.std(np.diff(_series(firing_rates, 2))))

    @staticmethod
    def scale_independent_smoothness_measure(firing_rates: ArrayLike) -> float:
        """Coefficient of variation of the step-to-step changes, std / abs(mean).

        Parameters
        ----------
        firing_rates : array_like, shape (timesteps,)

        Returns
        -------
        float

        Notes
        -----
        sorn 0.7.4 divides by zero (a RuntimeWarning, then inf or NaN) when the changes average
        to zero. Here a constant series returns 0.0 (perfectly smooth) and a series whose
        changes average to zero but vary returns inf, without a warning.
        """
        diff = np.diff(_series(firing_rates, 2))
        sd, mean = float(np.std(diff)), float(abs(np.mean(diff)))
        if mean == 0:
            return 0.0 if sd == 0 else float("inf")
        return sd / mean

    @staticmethod
    def autocorr(firing_rates: ArrayLike, t: int = 2) -> np.ndarray:
        """Correlation between the series and itself shifted by ``t`` steps.

        Scores near 1 mean a smoothly varying series, near 0 no linear relation between a
        value and the one ``t`` steps later, near -1 a jagged series.

        Parameters
        ----------
        firing_rates : array_like, shape (timesteps,)
        t : int
            Lag in steps, 1 <= t <= timesteps - 2.

        Returns
        -------
        numpy.ndarray, shape (2, 2)
            The correlation matrix [[1, r], [r, 1]], as ``numpy.corrcoef`` gives it.

        Notes
        -----
        Same as sorn 0.7.4 for a varying series. When a segment is constant, r is NaN (it is
        undefined) but the diagonal stays 1 and no RuntimeWarning is raised.
        """
        series = _series(firing_rates, 3)
        r = analysis.lagged_autocorrelation(series, t)
        return np.array([[1.0, r], [r, 1.0]])

    @staticmethod
    def avg_corr_coeff(spike_train: ArrayLike) -> tuple[np.ndarray, float]:
        """Pearson correlation matrix between neurons and its mean over pairs.

        Parameters
        ----------
        spike_train : array_like, shape (timesteps, neurons)

        Returns
        -------
        corr_mat : numpy.ndarray, shape (neurons, neurons)
            Correlation coefficients; rows and columns of neurons that never change state are
            0 (sorn 0.7.4 has NaN there).
        corr_coeff : float
            Mean correlation over the distinct pairs of active neurons; NaN when fewer than
            two neurons are active.

        Notes
        -----
        sorn 0.7.4 divides sums by a hard-coded 200, so its mean is wrong for any other number of
        neurons, includes the diagonal (adding about 1/N), and becomes NaN as soon as one
        neuron is silent. Here the mean is over off-diagonal pairs for any number of neurons,
        and silent neurons are left out.
        """
        result = analysis.pairwise_correlation(as_spikes(spike_train, "spike_train"))
        return result.matrix, result.mean

    @staticmethod
    def spike_times(spike_train: ArrayLike) -> tuple[np.ndarray, ...]:
        """Indices of the spikes, as ``numpy.nonzero`` returns them.

        Parameters
        ----------
        spike_train : array_like, shape (timesteps, neurons) or (timesteps,)

        Returns
        -------
        tuple of numpy.ndarray
            ``(times, neurons)`` for a 2-D train, ``(times,)`` for a 1-D train.

        Notes
        -----
        Same as sorn 0.7.4, which compares with 1.0; boolean trains work too.
        """
        return np.nonzero(as_spikes(spike_train, "spike_train", ndim=(1, 2)))

    @staticmethod
    def spike_time_intervals(spike_train: ArrayLike) -> np.ndarray:
        """Inter-spike intervals.

        Parameters
        ----------
        spike_train : array_like, shape (timesteps,) or (timesteps, neurons)

        Returns
        -------
        numpy.ndarray of int64
            For one neuron (1-D), the intervals between its successive spikes. For a
            population (2-D), every neuron's intervals, concatenated neuron by neuron.

        Notes
        -----
        Same as sorn 0.7.4 for a 1-D train. For a 2-D train sorn 0.7.4 returned the
        differences of the neuron indices of the spikes, which are not intervals; here each
        neuron's own intervals are returned (see
        :func:`sorn_studio.analysis.inter_spike_intervals` for them separately).
        """
        x = as_spikes(spike_train, "spike_train", ndim=(1, 2))
        per_neuron = analysis.inter_spike_intervals(x)
        return np.concatenate(per_neuron).astype(np.int64)

    @staticmethod
    def hamming_distance(
        actual_spike_train: ArrayLike, perturbed_spike_train: ArrayLike
    ) -> list[int]:
        """Number of neurons whose state differs between two runs, at each time step.

        Parameters
        ----------
        actual_spike_train, perturbed_spike_train : array_like, shape (timesteps, neurons)

        Returns
        -------
        list of int

        Notes
        -----
        Same as sorn 0.7.4, except that trains of different shapes raise ``ValueError`` instead
        of being compared over the first one's length.
        """
        actual = as_spikes(actual_spike_train, "actual_spike_train")
        perturbed = as_spikes(perturbed_spike_train, "perturbed_spike_train")
        if actual.shape != perturbed.shape:
            raise ValueError(
                "actual_spike_train and perturbed_spike_train must have the same shape, got "
                f"{actual.shape} and {perturbed.shape}"
            )
        return analysis.hamming_distance(actual, perturbed).tolist()

    @staticmethod
    def fanofactor(
        spike_train: ArrayLike, neuron: int, window_size: int
    ) -> tuple[float, float, float]:
        """Fano factor of one neuron's spike counts in windows of ``window_size`` steps.

        Parameters
        ----------
        spike_train : array_like, shape (timesteps, neurons)
        neuron : int
            Column of the neuron.
        window_size : int
            Window length in steps; at least two complete windows must fit.

        Returns
        -------
        mean_firing_rate : float
            Mean spike count per window.
        variance_firing_rate : float
            Variance of the spike counts (ddof 0, as sorn 0.7.4).
        fano_factor : float
            variance / mean; NaN for a neuron that never fires.

        Notes
        -----
        sorn 0.7.4 passed ``window_size`` to ``numpy.split`` as the number of sections, so it
        failed unless the number of steps was divisible by it, and it actually used
        timesteps / window_size steps per window. Here ``window_size`` is the window length its
        name says, any number of steps works, and the incomplete last window is left out.
        """
        column = _neuron_column(spike_train, neuron)
        window_size = check_positive_int(window_size, "window_size")
        if 2 * window_size > column.size:
            raise ValueError(
                f"window_size ({window_size}) leaves fewer than two complete windows in "
                f"{column.size} steps"
            )
        counts = analysis.spike_counts(column, window_size).astype(float)
        mean, var = float(counts.mean()), float(counts.var())
        return mean, var, float(analysis.fano_factor(column, window_size))

    @staticmethod
    def spike_source_entropy(spike_train: ArrayLike, num_neurons: int | None = None) -> float:
        """Normalised entropy of which neuron emitted a spike.

        Parameters
        ----------
        spike_train : array_like, shape (timesteps, neurons)
        num_neurons : int, optional
            Number of neurons the normalisation log(num_neurons) refers to; default the number
            of columns.

        Returns
        -------
        float
            In [0, 1]: 1 when all neurons fire equally often, 0 when one neuron fires alone.

        Notes
        -----
        sorn 0.7.4 returned NaN as soon as one neuron never fired (0 log 0) and when there were
        no spikes. Here 0 log 0 = 0, no spikes give 0.0, and ``num_neurons`` is optional.
        """
        x = as_spikes(spike_train, "spike_train")
        if num_neurons is not None:
            num_neurons = check_positive_int(num_neurons, "num_neurons")
            if num_neurons < x.shape[1]:
                raise ValueError(
                    f"num_neurons ({num_neurons}) is smaller than the {x.shape[1]} columns of "
                    "spike_train"
                )
        return analysis.spike_source_entropy(x, num_neurons)
