"""Python's cyclic garbage collector, run only on the GUI thread.

Left automatic, a collection can start in whichever thread allocates next, which is usually the
training worker. When the garbage holds Qt wrappers (a closed window's widgets), their C++
destructors then run in the worker and wait for the GIL while holding Qt's locks, as the GUI
thread, holding the GIL, waits for those locks: the app freezes for good (seen here in a test
run). So automatic collection is switched off and a GUI-thread timer collects instead, with the
usual generation thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class MainThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect_due)
        self.timer.start(interval_ms)

    def collect_due(self) -> None:
        """Collect the generations whose allocation counts passed their thresholds."""
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
