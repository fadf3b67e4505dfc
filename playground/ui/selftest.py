"""`python main.py --selftest`: train briefly in the training process, check that it was a process
of its own and that every live view received data, save a PNG of the window, print SELFTEST OK
(exit 0) or the reason (exit 1)."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from playground.core.config import Config, apply_overrides, validate
from playground.core.experiments.catalog import get_preset
from playground.ui.model.run_state import RunState

TIMEOUT_S = 60.0
# One short run that feeds every view: a 2-D task (boundary), probes (information plane,
# layer statistics) and two sequential tasks (forgetting).
SELFTEST_SETTINGS = [
    "network.hidden=[8, 8]", "train.epochs=16", "train.batch_size=64",
    "probes.enabled=true", "probes.points=12",
    "continual.tasks=2", "continual.family=permuted", "continual.epochs_per_task=8",
]


def selftest_config() -> Config:
    return validate(apply_overrides(get_preset("spiral").config(), SELFTEST_SETTINGS))


def wait_until(app, condition, timeout_s: float) -> bool:
    from PySide6.QtCore import QEventLoop

    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            return False
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.005)
    return True


def check_window(window) -> list[str]:
    """The problems a finished self-test run shows; empty when all is well."""
    problems = []
    if window.state is not RunState.FINISHED:
        problems.append(f"the run ended in state '{window.state}': {window.banner.text() or 'no message'}")
    pid = window.session.process_id
    if pid is None or pid == os.getpid():
        problems.append(f"the run did not train in a process of its own (process {pid}, the app's {os.getpid()})")
    for view in window.views:
        view.update_from(window.history, force=True)
        if not view.holds_data():
            problems.append(f"view {view.title!r} received no data ({view.message.text() or 'empty'})")
    return problems


def run_selftest(app, window, screenshot: str | None = None, timeout_s: float = TIMEOUT_S) -> int:
    started = time.perf_counter()
    window.update_hidden_views = True  # every view redraws, on screen or not
    window.session.recorder_factory = None  # a check of the installation leaves no run in the user's folder
    window.controls.set_config(selftest_config())
    window.start()
    done = wait_until(app, lambda: window.state.over, timeout_s)
    window.tick()
    problems = [] if done else [f"training did not finish within {timeout_s:g} s (state '{window.state}')"]
    if done:
        problems += check_window(window)
    path = Path(screenshot) if screenshot else Path(tempfile.gettempdir()) / "playground-selftest.png"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(path)):
            problems.append(f"could not save the screenshot {path}")
    except OSError as exc:
        problems.append(f"could not save the screenshot {path}: {exc}")
    window.close()
    if problems:
        for problem in problems:
            print(f"SELFTEST FAILED: {problem}", file=sys.stderr)
        return 1
    print(f"screenshot: {path}")
    print(f"trained in its own process (pid {window.session.process_id}; the app's is {os.getpid()})")
    print(f"SELFTEST OK ({window.history.epoch} epochs, {len(window.views)} views, "
          f"{time.perf_counter() - started:.1f} s)")
    return 0
