"""The studio's Qt-free layer: everything the window shows, computed without Qt.

* :mod:`.runner`: the run loop in the worker thread (commands, pacing, chunks, errors);
* :mod:`.commands`: the commands the runner's inbox carries;
* :mod:`.frames`: the immutable frames the window paints, and the pure functions that build
  them from a simulation;
* :mod:`.history`: the whole-run traces at a resolution that halves as they fill;
* :mod:`.live_analysis`: ISI, lifetime, avalanche and readout analyses of the running network;
* :mod:`.defaults`: how the studio builds and feeds its simulations;
* :mod:`.pacing`: chunk sizes and measured speed, shared by the run loops;
* :mod:`.comparison`: the Compare mode's run loop (a lockstep comparison) and its frames;
* :mod:`.checkpoints`: checkpoints of a run and the memory-capped store that keeps them;
* :mod:`.branches`: time travel, going back to a checkpoint, and the tree of branches.
* :mod:`.observables`: the named quantities of a live network that lesson checks look at
  and sweeps measure.

The GUI (:mod:`sorn_studio.app`) only paints frames and sends commands; nothing here imports
Qt, so all of it runs and is tested headless.
"""
