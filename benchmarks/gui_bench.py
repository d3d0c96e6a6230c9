"""Benchmark the studio against the targets of issue 3; prints one JSON document.

1. Speed: simulation steps/s at N^E = 200 with the window open and every view visible, against
   the same simulation headless (target: >= 80 %).
2. Responsiveness: while the network runs flat out, a 10 ms ``QTimer`` on the GUI thread is late
   by less than 50 ms at the 99th percentile.
3. Memory: the resident set size stays flat over a 10^6-step run with the window open.

Run it with ``QT_QPA_PLATFORM=offscreen`` where there is no display::

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_bench.py [--seconds 2] [--rounds 15]
        [--memory-steps 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import threading
import time

import numpy as np


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux ``/proc``)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def schedstat(tid: int | None = None) -> tuple[float, float]:
    """Seconds a thread has run on a CPU and waited for one (Linux ``schedstat``).

    Waiting for a CPU means the machine is busy; time in neither (sleeping) is idling or
    waiting for the GIL. Together they tell CPU contention apart from lock contention.
    """
    tid = threading.get_native_id() if tid is None else tid
    try:
        with open(f"/proc/self/task/{tid}/schedstat", encoding="ascii") as f:
            run, wait, _ = (int(v) for v in f.read().split())
    except OSError:
        return float("nan"), float("nan")
    return run / 1e9, wait / 1e9


def bare_rate(sim, seconds: float) -> dict:
    """Steps/s of ``sim`` run in big chunks in this thread, nothing else going on."""
    t0, s0 = time.perf_counter(), sim.t
    cpu0 = schedstat()
    while time.perf_counter() - t0 < seconds:
        sim.run(10_000)
    elapsed = time.perf_counter() - t0
    cpu1 = schedstat()
    return {"steps_per_s": (sim.t - s0) / elapsed,
            "cpu_share": (cpu1[0] - cpu0[0]) / elapsed,
            "wait_for_cpu_share": (cpu1[1] - cpu0[1]) / elapsed}


def runner_rate(preset: str, seconds: float, fps: float, warm_steps: int) -> dict:
    """Steps/s of the runner in a thread, frames built but nobody painting."""
    from sorn_studio.presets import load_preset
    from sorn_studio.studio.defaults import make_simulation
    from sorn_studio.studio.runner import Runner

    frames: list = []
    runner = Runner(make_simulation(load_preset(preset), seed=0), frames.append, max_fps=fps)
    thread = threading.Thread(target=runner.run)
    thread.start()
    runner.step(warm_steps)
    runner.wait_idle(600)
    start = runner.call(lambda s: s.t).result()
    count0 = len(frames)
    t0 = time.perf_counter()
    runner.play()
    time.sleep(seconds)
    end = runner.call(lambda s: s.t).result()
    elapsed = time.perf_counter() - t0
    runner.stop()
    thread.join()
    return {"steps_per_s": (end - start) / elapsed,
            "frames_per_s": (len(frames) - count0) / elapsed}


def windowed(preset: str, seconds: float, rounds: int, memory_steps: int, fps: float,
             warm_steps: int) -> dict:
    """Speed, timer lateness and memory with the window open and every view on screen.

    The window's rate is compared with a bare simulation measured in alternation with it
    (``rounds`` times each), so a change in the machine's speed during the benchmark affects
    both sides alike. Each bare round starts from a copy of the window's network (saved and
    loaded as a session), because the cost of a step depends on the network's state (how many
    synapses, how many spikes), which keeps changing as it self-organises.
    """
    import tempfile

    from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from sorn_studio.app.theme import style_sheet
    from sorn_studio.app.window import TABBED_VIEWS, MainWindow
    from sorn_studio.session import load_session, save_session

    app = QApplication.instance() or QApplication(["gui_bench"])
    app.setStyleSheet(style_sheet())
    win = MainWindow(preset=preset, seed=0, remember_layout=False, frame_rate=fps)
    win.resize(1920, 1200)
    win.show()
    # Every view on screen: take the analysis tabs out into a row along the bottom.
    for name in TABBED_VIEWS:
        dock = win.docks[name]
        win.removeDockWidget(dock)
        win.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock, Qt.Orientation.Horizontal)
        dock.show()
    bottom = [win.docks[name] for name in TABBED_VIEWS]
    win.resizeDocks(bottom, [480] * len(bottom), Qt.Orientation.Horizontal)
    win.resizeDocks(bottom[:1], [260], Qt.Orientation.Vertical)
    ctl = win.controller

    def pump_until(ok, timeout: float = 600.0, poll_ms: int = 50) -> None:
        """Run the real event loop (as app.exec would) until ``ok()``; poll every poll_ms."""
        if ok():
            return
        loop = QEventLoop()
        end = time.perf_counter() + timeout
        timer = QTimer()
        timer.setInterval(poll_ms)
        timer.timeout.connect(lambda: (ok() or time.perf_counter() > end) and loop.quit())
        timer.start()
        loop.exec()
        timer.stop()
        if not ok():
            raise TimeoutError("the studio did not reach the expected state")

    # The network self-organises past its first, fastest-changing phase before measuring.
    win.step(warm_steps)
    pump_until(lambda: ctl.last_frame is not None and ctl.last_frame.step >= warm_steps
               and not ctl.last_frame.running)
    visible = {name: win.is_showing(name) for name in win.views}

    # A 10 ms timer on the GUI thread, recording how late each tick is.
    clock = QElapsedTimer()
    lateness: list[float] = []
    last = [0.0]
    ticker = QTimer()
    ticker.setTimerType(Qt.TimerType.PreciseTimer)
    ticker.setInterval(10)

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        if last[0]:
            lateness.append(max(0.0, now - last[0] - 10.0))
        last[0] = now

    ticker.timeout.connect(tick)
    worker_tid = ctl.runner.call(lambda s: threading.get_native_id()).result()
    def window_round() -> dict:
        start_step = ctl.runner.call(lambda s: s.t).result()
        painted0, paint0 = ctl.frames_painted, ctl.paint_seconds
        worker0, gui0 = schedstat(worker_tid), schedstat()
        last[0] = 0.0
        clock.start()
        ticker.start()
        t0 = time.perf_counter()
        win.play()
        pump_until(lambda: time.perf_counter() - t0 >= seconds)
        end_step = ctl.runner.call(lambda s: s.t).result()
        elapsed = time.perf_counter() - t0
        worker1, gui1 = schedstat(worker_tid), schedstat()
        ticker.stop()
        win.pause()
        pump_until(lambda: ctl.runner.wait_idle(0))
        return {
            "steps_per_s": (end_step - start_step) / elapsed,
            "worker_cpu_share": (worker1[0] - worker0[0]) / elapsed,
            "worker_wait_for_cpu_share": (worker1[1] - worker0[1]) / elapsed,
            "gui_cpu_share": (gui1[0] - gui0[0]) / elapsed,
            "frames_painted_per_s": (ctl.frames_painted - painted0) / elapsed,
            "paint_share": (ctl.paint_seconds - paint0) / elapsed,
        }

    bare_runs, window_runs = [], []
    copy_path = os.path.join(tempfile.mkdtemp(prefix="gui_bench_"), "state.npz")
    for i in range(rounds):
        ctl.runner.call(lambda s: save_session(s, copy_path)).result()
        bare_sim, _ = load_session(copy_path)
        # Alternate which side goes first, so a drift in the machine's speed within a pair
        # does not always favour the same side.
        if i % 2:
            window_runs.append(window_round())
            bare_runs.append(bare_rate(bare_sim, seconds))
        else:
            bare_runs.append(bare_rate(bare_sim, seconds))
            window_runs.append(window_round())
        del bare_sim

    # Memory over a long run with the window open (sampled every ~2 % of the run).
    end_step = ctl.runner.call(lambda s: s.t).result()
    samples = []
    target = end_step + memory_steps
    rss0 = rss_mb()
    win.play()
    t1 = time.perf_counter()
    next_sample = 0.0

    def sample() -> bool:
        nonlocal next_sample
        frame = ctl.last_frame
        step = frame.step if frame is not None else 0
        if step - end_step >= next_sample:
            samples.append((step - end_step, rss_mb()))
            next_sample += memory_steps / 50
        return step >= target

    pump_until(sample, timeout=3600, poll_ms=100)
    win.pause()
    pump_until(lambda: ctl.runner.wait_idle(0))
    long_elapsed = time.perf_counter() - t1
    samples.append((ctl.last_frame.step - end_step, rss_mb()))
    win.close()

    late = np.array(lateness)
    rss = np.array([r for _, r in samples])
    tail = rss[len(rss) // 5:]  # after the first fifth: buffers and caches are warm
    ratios = [w["steps_per_s"] / b["steps_per_s"]
              for w, b in zip(window_runs, bare_runs, strict=True)]
    per_cpu = [(w["steps_per_s"] / w["worker_cpu_share"]) / (b["steps_per_s"] / b["cpu_share"])
               for w, b in zip(window_runs, bare_runs, strict=True)]
    return {
        "views_on_screen": visible,
        "bare": bare_runs,
        "window": window_runs,
        "window_over_bare": ratios,
        "window_over_bare_median": float(np.median(ratios)),
        "window_over_bare_quartiles": [float(q) for q in np.percentile(ratios, [25, 75])],
        # Steps per second of CPU given to the simulating thread: separates what the studio
        # costs from what other processes on a busy machine take away.
        "window_over_bare_per_cpu_median": float(np.median(per_cpu)),
        "timer_ticks": int(late.size),
        "timer_late_ms_p50": float(np.percentile(late, 50)),
        "timer_late_ms_p99": float(np.percentile(late, 99)),
        "timer_late_ms_max": float(late.max()),
        "memory_steps": int(samples[-1][0]),
        "memory_run_s": long_elapsed,
        "memory_steps_per_s": samples[-1][0] / long_elapsed,
        "rss_mb_before_long_run": rss0,
        "rss_mb_after_first_fifth": float(tail[0]),
        "rss_mb_end": float(rss[-1]),
        "rss_mb_max": float(rss.max()),
        "rss_growth_after_first_fifth_mb": float(tail[-1] - tail[0]),
    }


def main() -> int:
    """Run the benchmark and print the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="zheng2013")
    parser.add_argument("--seconds", type=float, default=2.0,
                        help="length of each speed measurement")
    parser.add_argument("--rounds", type=int, default=15,
                        help="alternating bare / window measurements (medians reported)")
    parser.add_argument("--warm-steps", type=int, default=100_000,
                        help="steps each network runs before measuring")
    parser.add_argument("--memory-steps", type=int, default=1_000_000)
    parser.add_argument("--fps", type=float, default=None,
                        help="frame rate of the window (default: the studio's)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from sorn_studio.app.controller import FRAME_RATE

    fps = args.fps or FRAME_RATE
    load_before = os.getloadavg()
    gui = windowed(args.preset, args.seconds, args.rounds, args.memory_steps, fps,
                   args.warm_steps)
    runner = runner_rate(args.preset, args.seconds, fps, args.warm_steps)
    report = {
        "preset": args.preset,
        "frame_rate": fps,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "platform": {"python": sys.version.split()[0], "machine": platform.machine(),
                     "cpus": os.cpu_count(), "qpa": os.environ.get("QT_QPA_PLATFORM")},
        "runner_without_window": runner,
        "studio": gui,
        "targets": {
            "window_over_bare_median": gui["window_over_bare_median"],
            "window_rate_at_least_80_percent": gui["window_over_bare_median"] >= 0.8,
            "timer_p99_below_50_ms": gui["timer_late_ms_p99"] < 50.0,
            "memory_growth_mb_over_run": gui["rss_growth_after_first_fifth_mb"],
        },
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
