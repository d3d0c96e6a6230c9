"""The ``sorn`` 0.7.4 API (``Simulator.run``, ``Trainer.run``) on top of the SORN Studio engine.

Scripts written for the published ``sorn`` package run after changing only their import line::

    from sorn_studio import Simulator, Trainer

    state_dict, sim_dict = Simulator.run(inputs=inputs, phase="plasticity", state=None,
                                         noise=True, timesteps=200,
                                         callbacks=["ExcitatoryActivation", "WEE"])
    state_dict, sim_dict = Trainer.run(inputs=inputs[:, :1], phase="training",
                                       state=state_dict, noise=False, timesteps=1)

Both take sorn 0.7.4's arguments, hyperparameter names and defaults (:data:`LEGACY_DEFAULTS`),
``freeze`` names (:data:`FREEZE_NAMES`) and callback names (:data:`CALLBACKS`), and return
sorn 0.7.4's ``state_dict`` (``Wee``, ``Wei``, ``Wie``, ``Te``, ``Ti``, ``X``, ``Y``) in its
shapes and orientation (weights pre x post, thresholds (n, 1), activity (n, 2) with columns
[t-1, t]) plus a ``sim_dict`` of the requested callbacks, where ``sim_dict[name][t]`` is
sorn 0.7.4's value for step ``t``.

Randomness: each call draws one random seed from numpy's global generator (``np.random``), so
``np.random.seed(k)`` before a script makes its runs repeat exactly, as users of sorn 0.7.4
expect (sorn 0.7.4 itself also used Python's ``random`` and was not reproducible). A call's
random numbers depend only on that draw, never on earlier calls.

Speed: ``Simulator`` and ``Trainer`` each keep the engine simulation of their last parameter
sets. When a call receives exactly the state the previous call returned (checked element by
element, so any edit is noticed), the network simply continues; any other state is validated
and loaded. Both follow the same equations and random numbers; with plasticity on they can
differ in the last bit of some weights, because a load renormalises every row once.

Differences from sorn 0.7.4 (validation, fixed defects, the few behaviour changes) are listed
in the README section "Coming from sorn 0.7.4".

Modules: :mod:`.arguments` (the accepted names and the argument and ``state_dict`` checks),
:mod:`.convert` (sorn 0.7.4 layout <-> engine state, hyperparameters -> ``Params``),
:mod:`.simulate` (stepping a simulation and collecting the callbacks), :mod:`.runners`
(``Simulator``, ``Trainer``), :mod:`.statistics` (``Statistics``), :mod:`.plotter`
(``Plotter``, sorn 0.7.4's figures; matplotlib is imported only when one is drawn).
"""

from .arguments import CALLBACKS, FREEZE_NAMES, LEGACY_DEFAULTS, PHASES, STATE_KEYS
from .plotter import Plotter
from .runners import LegacySimulator, LegacyTrainer, Simulator, Trainer
from .statistics import Statistics

__all__ = [
    "Simulator",
    "Trainer",
    "Statistics",
    "Plotter",
    "LegacySimulator",
    "LegacyTrainer",
    "LEGACY_DEFAULTS",
    "CALLBACKS",
    "FREEZE_NAMES",
    "PHASES",
    "STATE_KEYS",
]
