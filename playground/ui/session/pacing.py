"""Redraw pacing: the GUI thread's share of a core is kept under a budget while training.

The GUI and the training process share the machine's cores: where they are few or busy, every
millisecond spent drawing can be one the trainer waits. (When training ran in a thread of the
GUI process it also shared the GIL: a drawing loop cut a torch loop to a quarter of its speed.)
The timer still drains the mailbox on every tick (~30 Hz);
the views redraw on every k-th tick, with k raised when the GUI thread used more than `budget`
of the last second's wall time and lowered again when it used less than half of it.
"""

from __future__ import annotations

import time
from typing import Callable


class RedrawPacer:
    def __init__(self, budget: float = 0.15, max_every: int = 8, window_s: float = 1.0,
                 clock: Callable[[], float] = time.perf_counter,
                 cpu_clock: Callable[[], float] = time.thread_time):
        self.budget, self.max_every, self.window_s = budget, max_every, window_s
        self.clock, self.cpu_clock = clock, cpu_clock
        self.every = 1
        self.ticks = 0
        self._since = clock()
        self._cpu_since = cpu_clock()
        self.busy = 0.0  # the GUI thread's share of a core over the last window

    def due(self) -> bool:
        """Call once per tick (on the GUI thread); True when the views should redraw."""
        self.ticks += 1
        now, cpu = self.clock(), self.cpu_clock()
        if now - self._since >= self.window_s:
            self.busy = (cpu - self._cpu_since) / (now - self._since)
            if self.busy > self.budget and self.every < self.max_every:
                self.every += 1
            elif self.busy < self.budget / 2 and self.every > 1:
                self.every -= 1
            self._since, self._cpu_since = now, cpu
        return self.ticks % self.every == 0

    def reset(self) -> None:
        self.every = 1
        self._since, self._cpu_since = self.clock(), self.cpu_clock()
