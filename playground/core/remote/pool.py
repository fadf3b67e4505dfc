"""One warm training process kept between runs, so that Start is immediate.

A process is warm for a `WarmKey` (device, threads): a run that needs another key gets a fresh
process. When a run ends normally its process comes back here; one that was terminated or died
is replaced at once by a fresh one, which warms up while the user looks at the result. The
processes are daemonic: they end with the app, and end themselves if the app dies.
"""

from __future__ import annotations

import atexit

from playground.core.remote.process import ChildProcess
from playground.core.remote.protocol import WarmKey


class ChildPool:
    def __init__(self, context=None):
        self.context = context
        self.idle: list[ChildProcess] = []
        self.quitting: list[ChildProcess] = []
        self.closed = False  # shut down (the app is exiting): no process is started any more

    def prewarm(self, key: WarmKey) -> None:
        """Make sure a process warms up for `key` (started now if none is idle)."""
        self.reap()
        if not self.closed and not any(child.key == key and child.alive for child in self.idle):
            self.idle.append(ChildProcess(key, self.context))

    def acquire(self, key: WarmKey) -> ChildProcess:
        """A warm process for `key`, no longer idle (a fresh one if none is)."""
        self.reap()
        for child in list(self.idle):
            if not child.alive:
                self.idle.remove(child)
                child.kill()
                self.quitting.append(child)
            elif child.key == key:
                self.idle.remove(child)
                return child
        return ChildProcess(key, self.context)

    def release(self, child: ChildProcess) -> None:
        """A process whose run ended normally: the warm one from now on (others quit)."""
        self.reap()
        if not child.alive:
            self.replace(child)
            return
        if self.closed:
            self._quit(child)
            return
        for other in self.idle:
            self._quit(other)
        self.idle = [child]

    def replace(self, child: ChildProcess) -> None:
        """A process to end now (it would not stop, or it died): killed and collected later,
        and a fresh one warms up."""
        child.kill()
        self.quitting.append(child)
        self.prewarm(child.key)

    def _quit(self, child: ChildProcess) -> None:
        child.quit()
        self.quitting.append(child)

    def reap(self) -> None:
        self.quitting = [child for child in self.quitting if not child.reap()]

    def children(self) -> list[ChildProcess]:
        return [*self.idle, *self.quitting]

    def shutdown(self, timeout_s: float = 1.0) -> None:
        """End every idle process (at exit): quit, then terminate what lingers."""
        self.closed = True
        for child in self.idle:
            self._quit(child)
        self.idle = []
        for child in self.quitting:
            child.process.join(timeout_s)
            child.kill()
            child.process.join(timeout_s)
        self.quitting = []


_default: ChildPool | None = None


def default_pool() -> ChildPool:
    """The app's pool (one per process, shared by every window)."""
    global _default
    if _default is None:
        _default = ChildPool()
        atexit.register(_default.shutdown)
    return _default
