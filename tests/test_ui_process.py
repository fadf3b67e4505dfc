"""The window and its training process: Start->Reset cycles leave no process behind; nothing of
a reset run reaches the window; a killed process shows why, with its exit code, and Start
works again; Stop of a process that does not answer still ends the run and its folder."""

import json
import multiprocessing
import os
import signal
from pathlib import Path

import helpers_files
import pytest

from playground.ui import mainwindow as mw

TIMEOUT_MS = 60_000

pytestmark = pytest.mark.skipif(os.name != "posix", reason="sends POSIX signals to the training process")


@pytest.fixture
def window(qtbot):
    win = helpers_files.open_window(qtbot, helpers_files.small_config(epochs=1_000_000))
    yield win
    win.shutdown()
    assert not win.session.active


def wait_state(qtbot, win, *states):
    qtbot.waitUntil(lambda: win.state in states, timeout=TIMEOUT_MS)


def child_pids() -> set[int]:
    """Processes whose parent is this one (zombies included), from /proc where there is one;
    not multiprocessing's resource tracker (one per app, started with the first process)."""
    if not Path("/proc/self/stat").exists():
        return {p.pid for p in multiprocessing.active_children()}
    me, found = os.getpid(), set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(fields[1]) == me and b"resource_tracker" not in command:
                found.add(int(entry.name))
    return found


def test_twenty_start_reset_cycles_leave_one_warm_process(qtbot, window):
    for _ in range(20):
        window.start()
        qtbot.waitUntil(lambda: window.history.epoch >= 1, timeout=TIMEOUT_MS)
        window.reset()
        assert window.state == mw.READY and not window.session.active
    assert window.session.runner.settle(30)  # the last reset run has retired: its process is idle again
    pool = window.session.runner.pool
    qtbot.waitUntil(lambda: (pool.reap(), not pool.quitting)[1], timeout=TIMEOUT_MS)
    assert child_pids() == {child.pid for child in pool.idle} and len(pool.idle) == 1


def test_nothing_of_a_reset_run_reaches_the_window(qtbot, window):
    window.controls.set_config(helpers_files.small_config("train.ensemble=3", epochs=1_000_000))
    window.start()
    qtbot.waitUntil(lambda: window.history.epoch >= 3, timeout=TIMEOUT_MS)
    signals = []
    for name in ("run_started", "run_finished", "run_failed", "step_done"):
        getattr(window.session, name).connect(lambda *args, name=name: signals.append(name))
    window.reset()
    qtbot.wait(400)  # a late message would have arrived by now
    window.tick()
    assert signals == [] and window.state == mw.READY and window.history.epoch == 0
    window.controls.set_config(helpers_files.small_config("train.ensemble=1", epochs=5))
    window.start()
    wait_state(qtbot, window, mw.FINISHED)
    window.tick()
    members = window.history.columns("batch_loss")["member"]
    assert window.history.epoch == 5 and len(members) == 5 and members.max() == 0  # the new run's one member


def test_a_killed_training_process_says_why_and_start_works_again(qtbot, window):
    window.start()
    qtbot.waitUntil(lambda: window.history.epoch >= 2 and window.session.recorder.run_dir is not None,
                    timeout=TIMEOUT_MS)
    run_dir = window.session.recorder.run_dir
    os.kill(window.session.process_id, signal.SIGKILL)
    wait_state(qtbot, window, mw.FAILED)
    text = window.banner.text()
    assert window.banner.isVisible() and "SIGKILL" in text and "exit code -9" in text and "\n" not in text
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["stop_reason"].startswith("failed: ") and "exit code -9" in summary["stop_reason"]
    window.controls.set_config(helpers_files.small_config(epochs=4))
    window.start()
    wait_state(qtbot, window, mw.FINISHED, mw.FAILED)
    assert window.state == mw.FINISHED and window.history.epoch == 4 and not window.banner.isVisible()


def test_stop_ends_a_run_whose_process_does_not_answer_and_finishes_its_folder(qtbot, window):
    window.start()
    qtbot.waitUntil(lambda: window.history.epoch >= 2 and window.session.recorder.run_dir is not None,
                    timeout=TIMEOUT_MS)
    run_dir = window.session.recorder.run_dir
    pid = window.session.process_id
    os.kill(pid, signal.SIGSTOP)  # as deaf as a process in the middle of a minutes-long step
    try:
        window.stop()
        assert window.state == mw.STOPPING
        wait_state(qtbot, window, mw.STOPPED)
    finally:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
    window.tick()
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["stop_reason"] == "stopped by user" and summary["epochs_completed"] == window.history.epoch
    assert any("terminated" in note for note in summary["notes"])
    assert window.session.runner.wait_for_files(30) and (run_dir / "final_state.npz").exists()
    qtbot.waitUntil(lambda: (window.session.runner.pool.reap(), pid not in child_pids())[1], timeout=TIMEOUT_MS)
