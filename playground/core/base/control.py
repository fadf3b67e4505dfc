"""Pause, resume and stop for a run, safe to call from any thread."""

from __future__ import annotations

import threading


class StopRequested(Exception):
    """Raised inside the trainer at the next step boundary after `stop()`."""


class RunControl:
    def __init__(self) -> None:
        self._running = threading.Event()
        self._running.set()
        self._stop = threading.Event()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def stop(self) -> None:
        self._stop.set()
        self._running.set()  # wake a paused run so it can see the stop

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def checkpoint(self) -> None:
        """Block while paused; raise StopRequested if a stop was asked for."""
        if self._stop.is_set():
            raise StopRequested
        if not self._running.is_set():
            self._running.wait()
            if self._stop.is_set():
                raise StopRequested
