"""`playground bench` figures for the desktop app (offscreen), each beside a reference measured
in the same run: training throughput with the window open and every view redrawn live, as a
ratio to the same training headless (target >= 0.95); the GUI timer's tick interval p95 while
training (target <= 50 ms) beside the idle window's; the app's memory growth over 50
Start->Reset cycles of a mid-size run (target <= 50 MB) beside the same runs built headless in
one process; Reset and close latency during the largest run (width 128 x depth 64 x 100
members; target <= 0.2 s) beside the app's first screen; and the time from the first Start to
the first epoch drawn with the training process warm (target <= 0.5 s) beside a cold one."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from playground.core.bench.suite import Result, register
from playground.core.config import Config, apply_overrides, validate
from playground.core.experiments.catalog import get_preset


@contextmanager
def scratch_data_dir():
    """The window's autosave and settings go to a temporary folder, not to the user's."""
    import tempfile

    saved = os.environ.get("PLAYGROUND_DATA_DIR")
    with tempfile.TemporaryDirectory(prefix="playground-bench-") as scratch:
        os.environ["PLAYGROUND_DATA_DIR"] = scratch
        try:
            yield Path(scratch)
        finally:
            if saved is None:
                os.environ.pop("PLAYGROUND_DATA_DIR", None)
            else:
                os.environ["PLAYGROUND_DATA_DIR"] = saved


def load_note() -> str:
    """The machine's load, for the figures it changes."""
    return f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores" if hasattr(os, "getloadavg") else ""


LONG = ["train.epochs=1000000"]
# The app's first screen (spiral, no probes): the fastest epochs, so the GUI's share is largest.
PLAIN = LONG
# Every view fed: probes on every epoch (information plane, layer statistics) and a sequence of
# two tasks (forgetting), on a 2-D task (decision boundary).
ALL_VIEWS = LONG + ["probes.enabled=true", "probes.schedule=every", "continual.tasks=2",
                    "continual.epochs_per_task=500000"]


def bench_config(settings: list[str]) -> Config:
    return validate(apply_overrides(get_preset("spiral").config(), settings))


def headless_rate(config: Config, seconds: float, out_dir: Path) -> tuple[float, float]:
    """Epochs per second of `playground run` (the trainer writing its run folder), and per
    second of CPU time (which other programs on the machine do not change)."""
    from playground.core.runs.runlog import RunWriter
    from playground.core.experiments.assembly import build_trainer

    trainer = build_trainer(config)
    writer = RunWriter(out_dir, trainer.config)
    writer.write(trainer.run_epoch())
    start, cpu, first = time.perf_counter(), time.process_time(), trainer.epoch
    while time.perf_counter() - start < seconds:
        writer.write(trainer.run_epoch())
    epochs = trainer.epoch - first
    rate, cpu_rate = epochs / (time.perf_counter() - start), epochs / max(time.process_time() - cpu, 1e-9)
    writer.finish("stopped by user")
    return rate, cpu_rate


def process_cpu_s(pid: int | None) -> float | None:
    """CPU seconds (user + system) another process has used; None where that cannot be read."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, AttributeError, IndexError):
        try:
            import psutil

            times = psutil.Process(pid).cpu_times()
            return times.user + times.system
        except Exception:
            return None


def run_events(app, seconds: float) -> None:
    """Run the Qt event loop for `seconds`, idle-waiting between events as `app.exec()` does
    (a polling loop would wake the GUI thread, and contend for the GIL, a thousand times a second)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def p95_interval_ms(times: list[float]) -> float:
    return float(np.percentile(np.diff(times), 95) * 1000) if len(times) > 2 else float("nan")


def paired_rounds(app, config: Config, seconds: float, rounds: int, scratch: Path) -> dict[str, float]:
    """Headless and GUI runs taken in turn, so a machine whose load drifts (other programs)
    affects both alike; medians over the rounds. The window autosaves its runs as the app
    does, and the headless reference writes its run folder as `playground run` does."""
    from playground.ui.app import build_window

    window = build_window(config)
    window.resize(1600, 960)
    window.show()
    window.update_hidden_views = True  # redraw every view, on screen or not
    run_events(app, 0.5)
    window.tick_times.clear()
    run_events(app, min(seconds, 2.0))
    idle_p95 = p95_interval_ms(list(window.tick_times))
    ratios, gui_rates, headless_rates, busy, efficiency = [], [], [], [], []
    for round_ in range(rounds):
        headless, headless_cpu_rate = headless_rate(config, seconds, scratch / f"headless{round_}")
        window.start()
        run_events(app, 1.0)  # warm up: first epochs, first draws
        window.tick_times.clear()
        pid = window.session.process_id
        start_epoch, start, cpu = window.history.epoch, time.perf_counter(), process_cpu_s(pid)
        run_events(app, seconds)
        window.tick()
        epochs = window.history.epoch - start_epoch
        gui = epochs / (time.perf_counter() - start)
        used = process_cpu_s(pid)
        if cpu is not None and used is not None and used > cpu:
            efficiency.append(epochs / (used - cpu) / headless_cpu_rate)
        busy.append(p95_interval_ms(list(window.tick_times)))
        window.stop()
        while not window.state.over:
            run_events(app, 0.05)
        ratios.append(gui / headless)
        gui_rates.append(gui)
        headless_rates.append(headless)
    window.close()
    return {"ratio": float(np.median(ratios)), "gui": float(np.median(gui_rates)),
            "headless": float(np.median(headless_rates)), "busy_p95": float(np.median(busy)), "idle_p95": idle_p95,
            "efficiency": float(np.median(efficiency)) if efficiency else float("nan")}


def gui_benchmarks(quick: bool) -> list[Result]:

    import torch

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from playground.ui.app import make_app

    torch.set_num_threads(1)
    app = make_app()
    seconds, rounds = (2.0, 2) if quick else (4.0, 3)
    # The window and its training process each need a core: when other programs keep the cores
    # busy, the trainer gets less of one than headless did. The load is printed beside the
    # figures, and the training process's epochs per CPU second, which the load does not change.
    load = load_note()
    results = []
    with scratch_data_dir() as scratch:
        for label, settings in (("spiral, app's first screen", PLAIN),
                                ("spiral + probes + 2 tasks, all views fed", ALL_VIEWS)):
            m = paired_rounds(app, bench_config(settings), seconds, rounds, scratch)
            results.append(Result(f"GUI training, {label}", m["gui"], "epochs/s", m["headless"], m["ratio"],
                                  f"reference: the same training headless (writing its run folder); median of "
                                  f"{rounds} paired rounds: ratio {m['ratio']:.3f} (target >= 0.95); per CPU "
                                  f"second of the training process {m['efficiency']:.3f} of headless{load}"))
            results.append(Result(f"GUI timer tick p95 while training, {label}", m["busy_p95"], "ms", m["idle_p95"],
                                  m["idle_p95"] / m["busy_p95"] if m["busy_p95"] else None,
                                  "reference: the same window idle; timer 33 ms; target <= 50 ms"))
    return results


register("gui", gui_benchmarks)


# ---------------------------------------------------------------- the training process

# The mid-size run of the memory figure and the largest run of the latency figure.
MID_SIZE = ["train.epochs=1000000", "network.width=128", "network.depth=8", "train.ensemble=20"]
LARGEST = ["train.epochs=1000000", "network.width=128", "network.depth=64", "train.ensemble=100"]


def rss_mb() -> float | None:
    """This process's resident memory in MB (None where it cannot be read)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError, AttributeError):
        try:
            import psutil
        except ImportError:
            return None
        return psutil.Process().memory_info().rss / 1e6


def wait_until(app, condition, timeout_s: float) -> bool:
    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            return False
        run_events(app, 0.005)
    return True


def new_window(app, config: Config | None = None):
    from playground.ui.mainwindow import MainWindow

    window = MainWindow(config)
    window.resize(1600, 960)
    window.show()
    window.confirm_reset = lambda question: True
    run_events(app, 0.2)
    return window


def first_epoch_drawn(window) -> bool:
    loss = next(view for view in window.views if view.key == "loss")
    return window.history.epoch >= 1 and loss.holds_data()


def first_start_s(app, warm: bool) -> float:
    """Seconds from Start to the first epoch drawn, on a process pool of its own: warmed up as
    at launch (the window shown, the process ready), or cold (the process spawned by Start)."""
    from playground.core.remote import protocol
    from playground.core.remote.pool import ChildPool

    pool = ChildPool()
    window = new_window(app)
    window.session.runner.pool = pool
    try:
        if warm:
            pool.prewarm(protocol.DEFAULT_KEY)
            child = pool.idle[0]
            wait_until(app, lambda: (child.receive(0.001), child.ready)[1], 120)
        started = time.perf_counter()
        window.start()
        wait_until(app, lambda: first_epoch_drawn(window), 120)
        return time.perf_counter() - started
    finally:
        window.close()
        pool.shutdown()


def memory_growth_mb(app, cycles: int) -> tuple[float, float]:
    """(GUI, headless) growth of this process's memory over `cycles` Start->Reset cycles of the
    mid-size run; the headless reference builds, trains one epoch of and drops as many trainers."""
    import gc

    from playground.core.experiments.assembly import build_trainer
    from playground.core.remote.live import LiveSnapshots

    config = bench_config(MID_SIZE)
    window = new_window(app, config)

    def cycle() -> None:
        window.start()
        wait_until(app, lambda: window.history.epoch >= 1, 120)
        window.reset()

    for _ in range(3):  # first allocations: buffers, fonts, caches
        cycle()
    gc.collect()
    before = rss_mb()
    for _ in range(cycles):
        cycle()
    run_events(app, 0.5)
    gc.collect()
    gui = rss_mb() - before
    window.close()
    gc.collect()
    before = rss_mb()
    for _ in range(cycles):
        trainer = build_trainer(config)
        record = trainer.run_epoch()
        LiveSnapshots(trainer).attach(record, force=True)
        del trainer, record
    gc.collect()
    return gui, rss_mb() - before


def latency_s(app, config: Config, action: str) -> float:
    """Seconds from Reset (or closing the window) mid-run until the window handles events again."""
    window = new_window(app, config)
    window.start()
    # Training for a second: a large run is then deep in a step, a small one in its epochs.
    wait_until(app, lambda: window.session.process_id is not None, 120)
    run_events(app, 1.0)
    responded: list[float] = []
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, lambda: responded.append(time.perf_counter()))
    started = time.perf_counter()
    window.reset() if action == "reset" else window.close()
    wait_until(app, lambda: bool(responded), 60)
    if action == "reset":
        window.close()
    window.session.runner.wait_for_files(120)
    return responded[0] - started


def process_benchmarks(quick: bool) -> list[Result]:

    import torch

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from playground.ui.app import make_app

    torch.set_num_threads(1)
    app = make_app()
    load = load_note()
    results = []
    with scratch_data_dir():
        warm, cold = first_start_s(app, warm=True), first_start_s(app, warm=False)
        results.append(Result("first Start to first epoch drawn, warm process", warm, "s", cold, cold / warm,
                              f"reference: the same with the process cold (spawned by Start); "
                              f"target <= 0.5 s{load}"))
        small, largest = bench_config(PLAIN), bench_config(LARGEST)
        for action in ("reset", "close"):
            big, plain = latency_s(app, largest, action), latency_s(app, small, action)
            results.append(Result(f"{action} latency during the largest run", big, "s", plain, plain / big,
                                  f"width 128 x depth 64 x 100 members; reference: the app's first screen; "
                                  f"target <= 0.2 s{load}"))
        cycles = 10 if quick else 50
        gui, headless = memory_growth_mb(app, cycles)
        results.append(Result(f"app memory growth, {cycles} Start->Reset cycles", gui, "MB", headless,
                              headless / max(gui, 1.0),
                              f"width 128 x depth 8 x 20 members; reference: {cycles} such trainers built, "
                              f"trained an epoch and dropped headless in one process (ratio: reference over "
                              f"growth, at least 1 MB); target <= 50 MB{load}"))
    return results


register("gui-process", process_benchmarks)
