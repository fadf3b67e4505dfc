"""SIGTERM as a stop request: a run told to end (by `kill`, a logout, a scheduler) finishes its
files with stop_reason "terminated" instead of dying between two writes.

    with stop_on_sigterm(control) as termination:
        for record in trainer.epochs(control): ...
    if termination.received: stop_reason = TERMINATED

Python runs signal handlers in the main thread only, so outside it this installs nothing
(`installed` is False) and SIGTERM keeps its usual effect.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from playground.core.base.control import RunControl

TERMINATED = "terminated"


@dataclass
class Termination:
    installed: bool = False
    received: bool = False


@contextmanager
def stop_on_sigterm(control: RunControl) -> Iterator[Termination]:
    """While the block runs, SIGTERM asks `control` to stop at the next step boundary."""
    state = Termination()
    if threading.current_thread() is not threading.main_thread():
        yield state
        return

    def handler(signum, frame) -> None:
        state.received = True
        control.stop()

    previous = signal.signal(signal.SIGTERM, handler)
    state.installed = True
    try:
        yield state
    finally:
        signal.signal(signal.SIGTERM, previous)
