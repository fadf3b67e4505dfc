"""Garbage collection runs on the GUI thread only (a collection in a training thread froze the
app: Qt destructors waiting for the GIL while holding Qt's locks); a lesson's sweep still trains
in a thread. What exists when the window is up is frozen out of later collections."""

import gc
import threading

from playground.ui.app import make_app
from playground.ui.session.gc_guard import MainThreadGarbageCollector


def test_the_app_switches_automatic_collection_off(qtbot):
    gc.enable()
    make_app()
    assert not gc.isenabled()


def test_the_guard_collects_cyclic_garbage_on_the_gui_thread(qtbot):
    collected_in = []

    class Cycle:
        def __init__(self):
            self.me = self

        def __del__(self):
            collected_in.append(threading.current_thread().name)

    guard = MainThreadGarbageCollector(interval_ms=20)
    guard.thresholds = (0, 0, 0)  # any allocation makes a collection due
    qtbot.waitUntil(lambda: guard.frozen, timeout=2000)  # its first tick froze what existed
    assert gc.get_freeze_count() > 0
    Cycle()
    worker = threading.Thread(target=lambda: [[] for _ in range(10_000)], name="trainer")  # tracked objects
    worker.start()
    worker.join()
    assert collected_in == []  # allocating in another thread collected nothing
    qtbot.waitUntil(lambda: bool(collected_in), timeout=2000)
    assert collected_in == [threading.main_thread().name]
    guard.timer.stop()
