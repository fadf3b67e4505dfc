"""`playground bench` figures for the desktop app (offscreen): training throughput with the window
open and every view redrawn live, as a ratio to the same training headless (target >= 0.7), and
the GUI timer's tick interval p95 while training at full speed (target <= 50 ms), beside the
same figure with the GUI idle."""

from __future__ import annotations

import os
import time

import numpy as np

from playground.core.bench import Result, register
from playground.core.config import Config, apply_overrides, validate
from playground.core.presets import get_preset

LONG = ["train.epochs=1000000"]
# The app's first screen (spiral, no probes): the fastest epochs, so the GUI's share is largest.
PLAIN = LONG
# Every view fed: probes on every epoch (information plane, layer statistics) and a sequence of
# two tasks (forgetting), on a 2-D task (decision boundary).
ALL_VIEWS = LONG + ["probes.enabled=true", "probes.schedule=every", "continual.tasks=2",
                    "continual.epochs_per_task=500000"]


def bench_config(settings: list[str]) -> Config:
    return validate(apply_overrides(get_preset("spiral").config(), settings))


def headless_rate(config: Config, seconds: float) -> float:
    from playground.core.trainer import Trainer

    trainer = Trainer(config)
    trainer.run_epoch()
    start, first = time.perf_counter(), trainer.epoch
    while time.perf_counter() - start < seconds:
        trainer.run_epoch()
    return (trainer.epoch - first) / (time.perf_counter() - start)


def run_events(app, seconds: float) -> None:
    from PySide6.QtCore import QEventLoop

    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.001)


def p95_interval_ms(times: list[float]) -> float:
    return float(np.percentile(np.diff(times), 95) * 1000) if len(times) > 2 else float("nan")


def gui_rate(app, config: Config, seconds: float) -> tuple[float, float, float]:
    """(epochs/s with every view live, tick p95 while training, tick p95 idle) in one window."""
    from playground.ui.mainwindow import MainWindow

    window = MainWindow(config)
    window.resize(1600, 960)
    window.show()
    window.update_hidden_views = True  # redraw every view, on screen or not
    run_events(app, 0.5)
    window.tick_times.clear()
    run_events(app, min(seconds, 2.0))
    idle_p95 = p95_interval_ms(list(window.tick_times))
    window.start()
    run_events(app, 1.0)  # warm up: first epochs, first draws
    window.tick_times.clear()
    start_epoch, start = window.history.epoch, time.perf_counter()
    run_events(app, seconds)
    window.tick()
    rate = (window.history.epoch - start_epoch) / (time.perf_counter() - start)
    busy_p95 = p95_interval_ms(list(window.tick_times))
    window.close()
    return rate, busy_p95, idle_p95


def gui_benchmarks(quick: bool) -> list[Result]:
    import torch

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from playground.ui.app import make_app

    torch.set_num_threads(1)
    app = make_app()
    seconds = 3.0 if quick else 8.0
    results = []
    for label, settings in (("spiral, app's first screen", PLAIN), ("spiral + probes + 2 tasks, all views fed", ALL_VIEWS)):
        config = bench_config(settings)
        headless = headless_rate(config, seconds)
        gui, busy_p95, idle_p95 = gui_rate(app, config, seconds)
        results.append(Result(f"GUI training, {label}", gui, "epochs/s", headless, gui / headless,
                              "reference: the same training headless; target ratio >= 0.7"))
        results.append(Result(f"GUI timer tick p95 while training, {label}", busy_p95, "ms", idle_p95,
                               idle_p95 / busy_p95 if busy_p95 else None,
                               "reference: the same window idle; timer 33 ms; target <= 50 ms"))
    return results


register("gui", gui_benchmarks)
