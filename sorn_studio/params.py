"""The validated, immutable parameter set of one SORN.

Every field carries a :class:`FieldSpec` (label, unit, allowed values, whether it may change
during a run, and one sentence a student understands). That metadata drives validation here,
the studio's parameter panel, the CLI's ``--set name=value`` and the documentation, so a field
is described exactly once.

Symbols follow the papers (see ``shared/design/model.md``): ``ne``/``ni`` are N^E/N^I,
``lambda_ee`` the mean number of incoming E->E synapses, ``eta_*`` learning rates, ``mu_ip`` the
intrinsic-plasticity target rate H^IP.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

__all__ = ["FieldSpec", "Params", "MECHANISMS", "check_value", "field_specs", "live_fields",
           "parse_assignments", "parse_value"]

#: The plasticity switches, named as sorn 0.7.4's ``freeze`` list names them.
MECHANISMS: tuple[str, ...] = ("stdp", "ip", "sp", "istdp", "sn")

#: Reference network size at which ``p_sp`` is quoted (Zheng et al. 2013).
SP_REFERENCE_NE = 200


@dataclass(frozen=True)
class FieldSpec:
    """Metadata of one parameter.

    Attributes
    ----------
    label : str
        Short human name for forms and plots.
    unit : str
        Physical or conventional unit ("" when dimensionless).
    low, high : float or None
        Inclusive bounds for numbers; ``None`` means unbounded on that side.
    choices : tuple of str, optional
        Allowed values for text fields.
    live : bool
        Whether the field may change while a simulation runs.
    help : str
        One sentence a student understands.
    group : str
        Section of the parameter panel the field belongs to.
    low_open : bool
        The lower bound itself is not allowed (e.g. a rate must be > 0).
    """

    label: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    live: bool = False
    help: str = ""
    group: str = "Network"
    low_open: bool = False

    def allowed(self) -> str:
        """Describe the allowed values in words, for error messages and tooltips."""
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        lo = "-inf" if self.low is None else _bound_text(self.low)
        hi = "inf" if self.high is None else _bound_text(self.high)
        return f"{'(' if self.low_open else '['}{lo}, {hi}]"


def _bound_text(bound: float) -> str:
    # Whole bounds in full (a seed's 2147483647, not 2.14748e+09): the text must be typeable.
    return str(int(bound)) if float(bound).is_integer() and abs(bound) < 1e15 else f"{bound:g}"


def _f(default: Any, spec: FieldSpec) -> Any:
    return field(default=default, metadata={"spec": spec})


_NET, _CONN, _INIT, _PLAST, _IP, _BOUND, _DYN, _INPUT, _MECH = (
    "Network size",
    "Connectivity",
    "Initial state",
    "Learning rates",
    "Intrinsic plasticity target",
    "Weight bounds",
    "Dynamics and noise",
    "Input",
    "Mechanisms",
)
_CONNECTIVITY = ("fixed", "gaussian", "probability")
_CONN_HELP = (
    "'fixed': every neuron gets exactly this many inputs; 'gaussian': int(N(lambda, 1)) per neuron "
    "as sorn 0.7.4 does; 'probability': each possible synapse exists with p = lambda / candidates."
)


@dataclass(frozen=True)
class Params:
    """All parameters of one SORN; immutable and validated on construction.

    Build one with keyword arguments, from a preset (:func:`sorn_studio.presets.load_preset`) or
    from a mapping (:meth:`from_dict`); derive a changed copy with :meth:`replace`. Any invalid
    value raises ``ValueError`` (or ``TypeError`` for a value of the wrong kind) naming the field,
    the value and what is allowed.
    """

    # -- sizes ---------------------------------------------------------------------------------
    ne: int = _f(200, FieldSpec("Excitatory neurons", "neurons", 2, 5000, group=_NET,
                                help="How many excitatory (E) units the network has."))
    ni: int = _f(40, FieldSpec("Inhibitory neurons", "neurons", 1, 2000, group=_NET,
                               help="How many inhibitory (I) units; the papers use 0.2 x N^E."))
    # -- connectivity --------------------------------------------------------------------------
    ee_connectivity: str = _f("fixed", FieldSpec("E->E wiring", choices=_CONNECTIVITY,
                                                 group=_CONN, help=_CONN_HELP))
    lambda_ee: float = _f(20.0, FieldSpec("E->E in-degree", "synapses", 0, None, group=_CONN,
                                          help="Mean number of excitatory inputs per E neuron."))
    ei_connectivity: str = _f("fixed", FieldSpec("I->E wiring", choices=_CONNECTIVITY,
                                                 group=_CONN, help=_CONN_HELP))
    lambda_ei: float = _f(40.0, FieldSpec("I->E in-degree", "synapses", 0, None, group=_CONN,
                                          help="Mean number of inhibitory inputs per E neuron; "
                                               "N^I means all-to-all."))
    ie_connectivity: str = _f("fixed", FieldSpec("E->I wiring", choices=_CONNECTIVITY,
                                                 group=_CONN, help=_CONN_HELP))
    lambda_ie: float = _f(200.0, FieldSpec("E->I in-degree", "synapses", 0, None, group=_CONN,
                                           help="Mean number of excitatory inputs per I neuron; "
                                                "N^E means all-to-all."))
    # -- initial state -------------------------------------------------------------------------
    t_e_min: float = _f(0.0, FieldSpec("T^E initial min", "", -10, 10, group=_INIT,
                                       help="Excitatory thresholds start uniform in "
                                            "[T^E min, T^E max]."))
    t_e_max: float = _f(1.0, FieldSpec("T^E initial max", "", -10, 10, group=_INIT,
                                       help="Upper end of the initial excitatory thresholds."))
    t_i_min: float = _f(0.0, FieldSpec("T^I initial min", "", -10, 10, group=_INIT,
                                       help="Inhibitory thresholds start uniform in "
                                            "[T^I min, T^I max]; they never change."))
    t_i_max: float = _f(0.5, FieldSpec("T^I initial max", "", -10, 10, group=_INIT,
                                       help="Upper end of the inhibitory thresholds."))
    # -- learning rates ------------------------------------------------------------------------
    eta_stdp: float = _f(0.004, FieldSpec("eta STDP", "per step", 0, 1, live=True, group=_PLAST,
                                          help="How much one pre-before-post spike pair "
                                               "strengthens an E->E synapse."))
    eta_ip: float = _f(0.01, FieldSpec("eta IP", "per step", 0, 1, live=True, group=_PLAST,
                                       help="How fast each threshold moves to keep the neuron "
                                            "near its target rate."))
    eta_inh: float = _f(0.001, FieldSpec("eta iSTDP", "per step", 0, 1, live=True, group=_PLAST,
                                         help="How fast inhibitory synapses adapt to balance "
                                              "excitation."))
    # -- intrinsic plasticity targets ----------------------------------------------------------
    ip_target: str = _f("shared", FieldSpec("Target rate spread",
                                            choices=("shared", "normal", "uniform"), group=_IP,
                                            help="'shared': every neuron aims at mu_IP; 'normal': "
                                                 "per-neuron targets from N(mu_IP, sigma_IP); "
                                                 "'uniform': from U(mu_IP +- half-width)."))
    mu_ip: float = _f(0.1, FieldSpec("mu IP (target rate)", "spikes/step", 0, 1, live=True,
                                     low_open=True, group=_IP,
                                     help="The firing rate intrinsic plasticity steers each "
                                          "excitatory neuron to."))
    sigma_ip: float = _f(0.0, FieldSpec("sigma IP", "spikes/step", 0, 1, group=_IP,
                                        help="Spread of per-neuron target rates ('normal')."))
    ip_halfwidth: float = _f(0.01, FieldSpec("IP half-width", "spikes/step", 0, 1, group=_IP,
                                             help="Half-width of per-neuron target rates "
                                                  "('uniform')."))
    clip_t_e: bool = _f(False, FieldSpec("Clip T^E", group=_IP,
                                         help="Keep excitatory thresholds inside "
                                              "[T^E min, T^E max] (sorn 0.7.4 does)."))
    # -- weight bounds -------------------------------------------------------------------------
    w_max: float = _f(1.0, FieldSpec("Weight cap", "", 0, 100, low_open=True, group=_BOUND,
                                     help="No plastic weight grows beyond this value."))
    w_ei_min: float = _f(0.001, FieldSpec("I->E floor", "", 0, 1, group=_BOUND,
                                          help="Inhibitory synapses never fall below this, so "
                                               "iSTDP never removes them."))
    ei_floor: str = _f("clamp", FieldSpec("I->E floor rule", choices=("clamp", "reset"),
                                          group=_BOUND,
                                          help="'clamp': every weight iSTDP changes is held at "
                                               "or above the floor; 'reset': only a weight "
                                               "iSTDP takes to <= 0 is set to the floor, "
                                               "smaller positive ones stay (the authors' "
                                               "code)."))
    ee_prune_below: float = _f(0.0, FieldSpec("E->E prune weight", "", 0, 0.001, group=_BOUND,
                                              help="STDP removes an E->E synapse it takes to "
                                                   "<= 0, or below this weight (the authors' "
                                                   "code: 1e-10, over every synapse, also "
                                                   "those only normalisation shrank)."))
    w_sp_init: float = _f(0.001, FieldSpec("New synapse weight", "", 0, 1, low_open=True,
                                           group=_BOUND,
                                           help="Weight a synapse created by structural "
                                                "plasticity starts with."))
    # -- dynamics ------------------------------------------------------------------------------
    noise_sigma: float = _f(0.0, FieldSpec("Noise std", "", 0, 10, live=True, group=_DYN,
                                           help="Standard deviation of the Gaussian noise added "
                                                "to every neuron's input each step."))
    fast_inhibition: bool = _f(True, FieldSpec("Fast inhibition", live=True, group=_DYN,
                                               help="Inhibitory units see x(t+1) (the authors' "
                                                    "code) instead of x(t) (the paper's "
                                                    "equation)."))
    firing_rule: str = _f(">=", FieldSpec("Firing rule", choices=(">=", ">"), group=_DYN,
                                          help="A unit fires when drive minus threshold is >= 0 "
                                               "(authors' code) or > 0 (sorn 0.7.4)."))
    p_sp: float = _f(0.1, FieldSpec("p SP (at N^E=200)", "per step", 0, 1, live=True,
                                    group=_DYN,
                                    help="Chance per step that structural plasticity creates one "
                                         "new E->E synapse, quoted for 200 E neurons."))
    sp_scaling: bool = _f(True, FieldSpec("Scale p SP with N^E", group=_DYN,
                                          help="Scale p SP by N^E(N^E-1)/(200*199) so larger "
                                               "networks grow synapses at the same density rate."))
    # -- mechanisms ----------------------------------------------------------------------------
    stdp: bool = _f(True, FieldSpec("STDP", live=True, group=_MECH,
                                    help="Spike-timing-dependent plasticity of E->E synapses."))
    ip: bool = _f(True, FieldSpec("IP", live=True, group=_MECH,
                                  help="Intrinsic plasticity: thresholds adapt to the target "
                                       "rate."))
    sp: bool = _f(True, FieldSpec("SP", live=True, group=_MECH,
                                  help="Structural plasticity: new E->E synapses appear at "
                                       "random."))
    istdp: bool = _f(True, FieldSpec("iSTDP", live=True, group=_MECH,
                                     help="Inhibitory STDP of I->E synapses."))
    sn: bool = _f(True, FieldSpec("SN", live=True, group=_MECH,
                                  help="Synaptic normalisation: each neuron's incoming E->E and "
                                       "I->E weights sum to 1."))
    # -- input ---------------------------------------------------------------------------------
    input_kind: str = _f("none", FieldSpec("Input", choices=("none", "random", "counting",
                                                             "words", "raw"),
                                           group=_INPUT,
                                           help="'none': spontaneous; 'random': random symbols; "
                                                "'counting': words A B^n C / D E^n F; 'words': "
                                                "repeated words; 'raw': an array you supply."))
    n_u: int = _f(10, FieldSpec("Units per symbol", "neurons", 1, 20000, group=_INPUT,
                                help="How many excitatory units each input symbol drives."))
    input_gain: float = _f(1.0, FieldSpec("Input gain", "", 0, 100, live=True, group=_INPUT,
                                          help="How strongly a symbol drives its units."))
    pools: str = _f("disjoint", FieldSpec("Input pools", choices=("disjoint", "overlapping"),
                                          group=_INPUT,
                                          help="Whether symbols drive separate units or random, "
                                               "possibly shared ones."))
    n_symbols: int = _f(4, FieldSpec("Random symbols", "symbols", 1, 1000, group=_INPUT,
                                     help="Alphabet size of the 'random' input."))
    counting_n: int = _f(4, FieldSpec("Counting n", "repeats", 1, 1000, group=_INPUT,
                                      help="How often the middle letter repeats in A B^n C."))
    words: tuple[str, ...] = _f(("ABCD", "EFGH"),
                                FieldSpec("Words", group=_INPUT,
                                          help="Words of the 'words' input, e.g. ABCD,EFGH."))
    word_probs: tuple[float, ...] = _f((2 / 3, 1 / 3),
                                       FieldSpec("Word probabilities", group=_INPUT,
                                                 help="Chance of each word being next, e.g. "
                                                      "0.667,0.333."))
    nu: int = _f(10, FieldSpec("Raw input units", "neurons", 0, 20000, group=_INPUT,
                               help="Units 0..nu-1 receive the rows of a raw input array."))

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, _coerce(f.name, getattr(self, f.name), f.type))
        _check_cross_fields(self)

    # -- derived quantities --------------------------------------------------------------------
    @property
    def p_sp_effective(self) -> float:
        """Expected new E->E synapses per step after the N^E scaling (may exceed 1)."""
        if not self.sp_scaling:
            return self.p_sp
        scale = self.ne * (self.ne - 1) / (SP_REFERENCE_NE * (SP_REFERENCE_NE - 1))
        return self.p_sp * scale

    @property
    def alphabet(self) -> tuple[str, ...]:
        """The input symbols in pool order (empty for 'none' and 'raw')."""
        if self.input_kind == "random":
            return tuple(_symbol_name(k) for k in range(self.n_symbols))
        if self.input_kind == "counting":
            return ("A", "B", "C", "D", "E", "F")
        if self.input_kind == "words":
            seen: dict[str, None] = {}
            for word in self.words:
                seen.update(dict.fromkeys(word))
            return tuple(seen)
        return ()

    # -- conversion ----------------------------------------------------------------------------
    def replace(self, **changes: Any) -> Params:
        """Return a validated copy with ``changes`` applied.

        Raises
        ------
        ValueError
            For an unknown field name (the message lists the valid ones) or an invalid value.
        """
        _check_names(changes)
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready mapping of every field (tuples become lists)."""
        return {k: list(v) if isinstance(v, tuple) else v
                for k, v in dataclasses.asdict(self).items()}

    def to_json(self) -> str:
        """JSON text of :meth:`to_dict`, keys sorted."""
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Params:
        """Build from a mapping; unknown keys raise ``ValueError`` listing the valid ones."""
        _check_names(data)
        return cls(**dict(data))

    def diff(self, other: Params) -> dict[str, tuple[Any, Any]]:
        """Fields whose value differs, as ``name -> (self value, other value)``."""
        a, b = self.to_dict(), other.to_dict()
        return {k: (a[k], b[k]) for k in a if a[k] != b[k]}


def _symbol_name(k: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return letters[k] if k < len(letters) else f"S{k}"


def field_specs() -> dict[str, FieldSpec]:
    """Every field's :class:`FieldSpec`, in declaration order (a new dict each call)."""
    return dict(_field_specs())


@functools.cache
def _field_specs() -> dict[str, FieldSpec]:
    # Built once: validating a Params looks up every field's spec, and gathering them from
    # the dataclass fields each time made that quadratic in the number of fields.
    return {f.name: f.metadata["spec"] for f in dataclasses.fields(Params)}


def live_fields() -> tuple[str, ...]:
    """Names of the fields that may change during a run."""
    return tuple(n for n, s in field_specs().items() if s.live)


def _field_types() -> dict[str, Any]:
    return {f.name: f.type for f in dataclasses.fields(Params)}


def _check_names(names: Mapping[str, Any]) -> None:
    valid = _field_specs()
    unknown = [k for k in names if k not in valid]
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {', '.join(map(repr, unknown))}; valid names are: "
            + ", ".join(valid)
        )


def _scalar(name: str, value: Any) -> Any:
    """A 0-d numpy array as its scalar; any other array is refused (not squeezed)."""
    if isinstance(value, np.ndarray):
        if value.ndim:
            raise TypeError(f"parameter {name!r} must be a single value, got an array of shape "
                            f"{value.shape}")
        return value[()]
    return value


def _coerce(name: str, value: Any, type_name: str) -> Any:
    """Convert ``value`` to the field's type and check it against the field's spec."""
    spec = _field_specs()[name]
    type_name = str(type_name)
    value = _scalar(name, value)
    if type_name == "bool":
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        raise TypeError(f"parameter {name!r} must be true or false, got {value!r}")
    if type_name == "str":
        if not isinstance(value, str):
            raise TypeError(f"parameter {name!r} must be text, got {value!r}")
        if spec.choices and value not in spec.choices:
            raise ValueError(f"parameter {name!r} = {value!r} is not allowed; use "
                             f"{spec.allowed()}")
        return value
    if type_name.startswith("tuple[") and not isinstance(value, str) and np.ndim(value) != 1:
        raise TypeError(f"parameter {name!r} must be a list, got {value!r}")
    if type_name.startswith("tuple[str"):
        items = value.split(",") if isinstance(value, str) else value
        out = tuple(items)
        if not out or not all(isinstance(w, str) and w.strip() for w in out):
            raise ValueError(f"parameter {name!r} = {value!r} must be a non-empty list of "
                             "non-empty words")
        return tuple(w.strip() for w in out)
    if type_name.startswith("tuple[float"):
        items = value.split(",") if isinstance(value, str) else value
        try:
            out = tuple(float(v) for v in items)
        except (TypeError, ValueError):
            raise ValueError(f"parameter {name!r} = {value!r} must be a list of numbers") from None
        if not out or any(not math.isfinite(v) or v < 0 for v in out):
            raise ValueError(f"parameter {name!r} = {value!r} must be non-negative finite numbers")
        return out
    # Booleans are numbers to Python and numpy, but True where a rate is expected is a mistake.
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, Decimal)):
        raise TypeError(f"parameter {name!r} must be a number, got {value!r}")
    if isinstance(value, (int, np.integer)):
        whole: int | None = int(value)
    else:
        # Floats, numpy floats, Fraction and Decimal: finite, and whole for an int field.
        try:
            real = float(value)
        except OverflowError:   # a Fraction or Decimal beyond any float
            raise ValueError(f"parameter {name!r} = {value!r} is out of range; allowed: "
                             f"{spec.allowed()}") from None
        except ValueError:      # Decimal("sNaN")
            real = math.nan
        if not math.isfinite(real):
            raise ValueError(f"parameter {name!r} = {value!r} must be a finite number in "
                             f"{spec.allowed()}")
        whole = int(value) if value == int(value) else None
    if type_name == "int":
        if whole is None:
            raise ValueError(f"parameter {name!r} = {value!r} must be a whole number in "
                             f"{spec.allowed()}")
        number: float = whole
    else:
        try:
            number = float(value)
        except OverflowError:   # an int beyond any float, e.g. 10**400
            raise ValueError(f"parameter {name!r} = {value!r} is out of range; allowed: "
                             f"{spec.allowed()}") from None
    too_low = spec.low is not None and (number < spec.low or (spec.low_open and number <= spec.low))
    too_high = spec.high is not None and number > spec.high
    if too_low or too_high:
        raise ValueError(f"parameter {name!r} = {value!r} is out of range; allowed: "
                         f"{spec.allowed()}")
    return number


def check_value(name: str, value: Any) -> Any:
    """``value`` as field ``name`` takes it, checked against the field's type and range.

    Raises
    ------
    ValueError, TypeError
        For an unknown field, or a value the field does not allow (the message names both).
    """
    _check_names({name: value})
    return _coerce(name, value, str(_field_types()[name]))


def _check_cross_fields(p: Params) -> None:
    """Checks that involve more than one field; each message names the fields."""

    def fail(msg: str) -> None:
        raise ValueError(msg)

    if p.lambda_ee > p.ne - 1:
        fail(f"parameter 'lambda_ee' = {p.lambda_ee:g} exceeds the {p.ne - 1} possible "
             f"presynaptic E neurons (ne - 1); allowed: [0, {p.ne - 1}]")
    if p.lambda_ei > p.ni:
        fail(f"parameter 'lambda_ei' = {p.lambda_ei:g} exceeds ni = {p.ni}; allowed: [0, {p.ni}]")
    if p.lambda_ie > p.ne:
        fail(f"parameter 'lambda_ie' = {p.lambda_ie:g} exceeds ne = {p.ne}; allowed: [0, {p.ne}]")
    if p.t_e_min > p.t_e_max:
        fail(f"parameter 't_e_min' = {p.t_e_min:g} must not exceed 't_e_max' = {p.t_e_max:g}")
    if p.t_i_min > p.t_i_max:
        fail(f"parameter 't_i_min' = {p.t_i_min:g} must not exceed 't_i_max' = {p.t_i_max:g}")
    if p.input_kind == "raw" and p.nu > p.ne:
        fail(f"parameter 'nu' = {p.nu} exceeds ne = {p.ne}: raw input drives units 0..nu-1; "
             f"allowed: [0, {p.ne}]")
    if p.input_kind in ("random", "counting", "words"):
        n_sym = len(p.alphabet)
        if p.n_u > p.ne:
            fail(f"parameter 'n_u' = {p.n_u} exceeds ne = {p.ne}; allowed: [1, {p.ne}]")
        if p.pools == "disjoint" and n_sym * p.n_u > p.ne:
            fits = (f"allowed: [1, {p.ne // n_sym}] or pools='overlapping'" if p.ne >= n_sym
                    else f"no pool size fits {n_sym} disjoint pools; use pools='overlapping'")
            fail(f"parameter 'n_u' = {p.n_u}: {n_sym} disjoint pools of {p.n_u} units need "
                 f"{n_sym * p.n_u} > ne = {p.ne} units; {fits}")
    if p.input_kind == "words":
        if len(p.word_probs) != len(p.words):
            fail(f"parameter 'word_probs' has {len(p.word_probs)} entries but 'words' has "
                 f"{len(p.words)}; give one probability per word")
        if not math.isclose(sum(p.word_probs), 1.0, abs_tol=1e-3):
            fail(f"parameter 'word_probs' = {list(p.word_probs)} sums to "
                 f"{sum(p.word_probs):.4g}; the probabilities must sum to 1")


def parse_value(name: str, text: str) -> Any:
    """Parse the text form of a field's value (as typed in the CLI or a form).

    Parameters
    ----------
    name : str
        A field name of :class:`Params`.
    text : str
        ``"true"``/``"false"`` for switches, a number, a choice, or a comma-separated list.

    Returns
    -------
    object
        A value of the field's type; range checks happen when a ``Params`` is built.
    """
    types = _field_types()
    if name not in types:
        _check_names({name: text})
    type_name = str(types[name])
    text = text.strip()
    if type_name == "bool":
        low = text.lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"parameter {name!r} = {text!r} must be true or false")
    if type_name == "str" or type_name.startswith("tuple"):
        return text
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"parameter {name!r} = {text!r} is not a number; allowed: "
                         f"{field_specs()[name].allowed()}") from None
    if type_name == "int":
        if not number.is_integer():
            raise ValueError(f"parameter {name!r} = {text!r} must be a whole number")
        return int(number)
    return number


def parse_assignments(items: Iterable[str]) -> dict[str, Any]:
    """Parse ``NAME=VALUE`` texts (the CLI's ``--set`` options) into field values.

    Parameters
    ----------
    items : iterable of str
        E.g. ``["eta_stdp=0.002", "ip=off"]``. A name given twice keeps its last value.

    Returns
    -------
    dict
        Field name -> value parsed with :func:`parse_value`, ready for :meth:`Params.replace`
        (which checks the ranges).

    Raises
    ------
    ValueError
        When an item is not ``NAME=VALUE`` (the message quotes the item), names no field, or
        its value does not parse.
    """
    changes: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ValueError(f"{item!r} is not a parameter assignment NAME=VALUE")
        changes[name] = parse_value(name, text)
    return changes
