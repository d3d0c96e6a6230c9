"""Where each random number of a step comes from.

Every step consumes a row of standard-normal draws, laid out by :class:`DrawLayout`: the
input's word choice, then structural plasticity (a gate and one draw per possible new
synapse), then the noise of every neuron. Which generator fills which columns is
:mod:`.streams`' business (a stream per purpose, or one for the whole row in older runs).
The input and SP columns are turned into uniforms in [0, 1] with the normal CDF
(:func:`to_uniform`), which is exact in distribution and keeps one kind of draw for the whole
row. ``Generator.standard_normal`` fills arrays in C order with no state carried between calls,
so drawing an (n, k) block for n steps at once gives exactly the numbers n single steps would
get: a run does not depend on how its steps are grouped into chunks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from ..params import Params

__all__ = ["DrawLayout", "to_uniform"]


def to_uniform(z: np.ndarray) -> np.ndarray:
    """Map standard-normal draws to uniforms on [0, 1] through the normal CDF."""
    return ndtr(z)


@dataclass(frozen=True)
class DrawLayout:
    """Column offsets of one step's uniform draws (-1 where a part is absent)."""

    input_off: int
    sp_off: int
    n_sp: int
    noise_off: int
    n_noise: int
    width: int

    @classmethod
    def for_params(cls, params: Params, input_draw: bool) -> DrawLayout:
        """Layout for ``params``; ``input_draw`` says whether the input uses one draw a step."""
        col = 0
        input_off = -1
        if input_draw:
            input_off, col = col, col + 1
        sp_off, n_sp = -1, 0
        rate = params.p_sp_effective
        if params.sp and rate > 0:
            n_sp = math.floor(rate) + 2      # the gate plus at most floor(rate) + 1 synapses
            sp_off, col = col, col + n_sp
        noise_off, n_noise = -1, 0
        if params.noise_sigma > 0:
            n_noise = params.ne + params.ni
            noise_off, col = col, col + n_noise
        return cls(input_off, sp_off, n_sp, noise_off, n_noise, col)
