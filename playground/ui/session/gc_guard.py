"""Python's cyclic garbage collector, run only on the GUI thread.

Left automatic, a collection can start in whichever thread allocates next. When the garbage
holds Qt wrappers (a closed window's widgets), their C++ destructors then run in that thread
and wait for the GIL while holding Qt's locks, as the GUI thread, holding the GIL, waits for
those locks: the app freezes for good (seen in a test run, with training in a thread).

Training no longer runs in this process (playground.core.remote), and the session reads its
process on the GUI thread, so training alone would not need this guard. One Python thread
remains: a lesson's sweep (ui/panels/lessons_panel.SweepRunner) trains in a QThread. While it
does, this guard must stay; once the sweep runs in worker processes too, delete this module
and its line in ui/app.py.

So automatic collection is switched off and a GUI-thread timer collects instead, with the
usual generation thresholds. What exists once the window is up (~220,000 objects, mostly
torch's) is frozen out of the collector's sight (`gc.freeze`): a full collection then scans
only what came later (it took 150-180 ms, every tenth young collection, before).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class MainThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.frozen = False
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect_due)
        self.timer.start(interval_ms)

    def collect_due(self) -> None:
        """Collect the generations whose allocation counts passed their thresholds."""
        if not self.frozen:  # the first tick runs in the event loop, after the window was built
            self.frozen = True
            gc.freeze()
            return
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                return


GUARD_NAME = "playground-gc-guard"


def install(app: QObject) -> MainThreadGarbageCollector:
    """The app's guard (made once), with automatic collection off from now on."""
    guard = app.findChild(MainThreadGarbageCollector, GUARD_NAME)
    if guard is None:
        guard = MainThreadGarbageCollector(app)
        guard.setObjectName(GUARD_NAME)
    gc.disable()
    return guard
