"""Benchmark the studio against the targets of issue 3; prints one JSON document.

1. Speed: simulation steps/s at N^E = 200 with the window open and every view visible, against
   the same simulation headless (target: >= 80 %).
2. Responsiveness: while the network runs flat out, a 10 ms ``QTimer`` on the GUI thread is late
   by less than 50 ms at the 99th percentile.
3. Memory: the resident set size stays flat over a 10^6-step run with the window open.

Run it with ``QT_QPA_PLATFORM=offscreen`` where there is no display::

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_bench.py [--seconds 20] [--memory-steps 1000000]
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


def headless_rate(preset: str, seconds: float, fps: float) -> dict:
    """Steps/s of a bare simulation and of the runner (frames built, nobody painting)."""
    from sorn_studio.presets import load_preset
    from sorn_studio.runner import Runner, make_simulation

    sim = make_simulation(load_preset(preset), seed=0)
    sim.run(5_000)  # compile and warm up
    t0, s0 = time.perf_counter(), sim.t
    cpu0 = schedstat()
    while time.perf_counter() - t0 < seconds:
        sim.run(10_000)
    elapsed = time.perf_counter() - t0
    cpu1 = schedstat()
    bare = (sim.t - s0) / elapsed

    frames = []
    runner = Runner(make_simulation(load_preset(preset), seed=0), frames.append, max_fps=fps)
    thread = threading.Thread(target=runner.run)
    thread.start()
    runner.step(5_000)
    runner.wait_idle(120)
    start = runner.call(lambda s: s.t).result()
    t0 = time.perf_counter()
    runner.play()
    time.sleep(seconds)
    end = runner.call(lambda s: s.t).result()
    elapsed = time.perf_counter() - t0
    runner.stop()
    thread.join()
    return {"bare_steps_per_s": bare,
            "bare_cpu_share": (cpu1[0] - cpu0[0]) / elapsed,
            "bare_wait_for_cpu_share": (cpu1[1] - cpu0[1]) / elapsed,
            "runner_steps_per_s": (end - start) / elapsed,
            "runner_frames_per_s": len(frames) / elapsed}


def windowed(preset: str, seconds: float, memory_steps: int, fps: float) -> dict:
    """Speed, timer lateness and memory with the window open and every view visible."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from sorn_studio.app.forms import style_sheet
    from sorn_studio.app.window import MainWindow

    app = QApplication.instance() or QApplication(["gui_bench"])
    app.setStyleSheet(style_sheet())
    win = MainWindow(preset=preset, seed=0, remember_layout=False, frame_rate=fps)
    win.resize(1600, 1000)
    win.show()
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

    win.step(5_000)  # warm up: compile, fill the raster window
    pump_until(lambda: ctl.last_frame is not None and ctl.last_frame.step >= 5_000
               and not ctl.last_frame.running)
    visible = {name: view.isVisible() for name, view in win.views.items()}

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
    start_step = ctl.runner.call(lambda s: s.t).result()
    painted0 = ctl.frames_painted
    worker0, gui0 = schedstat(worker_tid), schedstat()
    clock.start()
    ticker.start()
    t0 = time.perf_counter()
    win.play()
    pump_until(lambda: time.perf_counter() - t0 >= seconds)
    end_step = ctl.runner.call(lambda s: s.t).result()
    elapsed = time.perf_counter() - t0
    worker1, gui1 = schedstat(worker_tid), schedstat()
    ticker.stop()
    painted = ctl.frames_painted - painted0
    win.pause()
    pump_until(lambda: ctl.runner.wait_idle(0))

    # Memory over a long run with the window open (sampled every ~2 % of the run).
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
    return {
        "views_visible": visible,
        "steps_per_s": (end_step - start_step) / elapsed,
        "worker_cpu_share": (worker1[0] - worker0[0]) / elapsed,
        "worker_wait_for_cpu_share": (worker1[1] - worker0[1]) / elapsed,
        "gui_cpu_share": (gui1[0] - gui0[0]) / elapsed,
        "frames_painted_per_s": painted / elapsed,
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
    parser.add_argument("--seconds", type=float, default=20.0,
                        help="length of each speed measurement")
    parser.add_argument("--memory-steps", type=int, default=1_000_000)
    parser.add_argument("--fps", type=float, default=None,
                        help="frame rate of the window (default: the studio's)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from sorn_studio.app.controller import FRAME_RATE

    fps = args.fps or FRAME_RATE
    load_before = os.getloadavg()
    headless = headless_rate(args.preset, args.seconds, fps)
    gui = windowed(args.preset, args.seconds, args.memory_steps, fps)
    report = {
        "preset": args.preset,
        "frame_rate": fps,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "platform": {"python": sys.version.split()[0], "machine": platform.machine(),
                     "cpus": os.cpu_count(), "qpa": os.environ.get("QT_QPA_PLATFORM")},
        "headless": headless,
        "window": gui,
        "targets": {
            "window_rate_over_headless": gui["steps_per_s"] / headless["bare_steps_per_s"],
            "window_rate_at_least_80_percent": gui["steps_per_s"]
            >= 0.8 * headless["bare_steps_per_s"],
            # Steps per second of CPU actually given to the simulating thread: separates what
            # the studio costs from what other processes on a busy machine take away.
            "window_rate_per_cpu_over_headless": (gui["steps_per_s"] / gui["worker_cpu_share"])
            / (headless["bare_steps_per_s"] / headless["bare_cpu_share"]),
            "timer_p99_below_50_ms": gui["timer_late_ms_p99"] < 50.0,
            "memory_growth_mb_over_run": gui["rss_growth_after_first_fifth_mb"],
        },
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
