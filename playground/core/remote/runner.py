"""The parent side of training in a child process: one run at a time, read without waiting.

`start` hands a run to a warm process from the pool; `pump` returns what has arrived for the
current run (messages of any other run are dropped); `command` steers it. `end` is a stop that
keeps its promise: the stop message, at most `grace_s` for the process to finish the run, and
then it is terminated and the parent finishes the run folder from what it has. A process that
dies on its own (a crash, out of memory, killed) ends its run as failed, with the reason and
the exit code; either way a fresh process warms up for the next Start.
"""

from __future__ import annotations

import time

from playground.core.remote import protocol
from playground.core.remote.folder import FolderKeeper
from playground.core.remote.pool import ChildPool, default_pool
from playground.core.remote.protocol import Message, StartRequest, WarmKey

# How long a stopped run may take to finish by itself before its process is terminated.
GRACE_S = 0.15
# Seconds of reading per pump: the GUI thread's share of a tick.
PUMP_BUDGET_S = 0.008


class Runner:
    def __init__(self, pool: ChildPool | None = None, grace_s: float = GRACE_S):
        self.pool = pool if pool is not None else default_pool()
        self.grace_s = grace_s
        self.run_id = 0
        self.child = None
        self.folder: FolderKeeper | None = None
        self.over = True
        self.pid: int | None = None  # the process that trains (or trained) the latest run
        self.stop_reason: str | None = None
        self._writing: list[FolderKeeper] = []  # folders whose final state is still being written

    # ------------------------------------------------------------ steering

    def start(self, request: StartRequest) -> int:
        """Start a run (after ending the current one); returns its run id."""
        self.end()
        self.run_id = protocol.new_run_id()
        self.folder = FolderKeeper(request.config)
        self.over = False
        self.pid = None
        self.stop_reason = None
        self.child = self.pool.acquire(WarmKey.of(request.config))
        if not self.child.send(protocol.START, self.run_id, request):
            # It died while idle: a fresh one (a second failure shows up as a dead process in `pump`).
            self.pool.replace(self.child)
            self.child = self.pool.acquire(WarmKey.of(request.config))
            self.child.send(protocol.START, self.run_id, request)
        return self.run_id

    def command(self, kind: str, payload=None) -> None:
        """Pause, resume, step, stop or set_params for the current run (nothing once it is over)."""
        if not self.over:
            self.child.send(kind, self.run_id, payload)

    # ------------------------------------------------------------ reading

    def pump(self, budget_s: float = PUMP_BUDGET_S) -> list[Message]:
        """The current run's messages that have arrived, in order (never waits)."""
        self._writing = [folder for folder in self._writing if not folder.poll()]
        if self.over:
            return []
        messages = []
        for message in self.child.receive(budget_s):
            if self.over or message.run_id != self.run_id:
                continue  # an earlier run's, or the process's own (ready)
            self.folder.note(message)
            messages.append(message)
            if message.kind == protocol.STARTED:
                self.pid = message.payload["pid"]
            elif message.kind == protocol.FINISHED:
                self.over = True
                self.stop_reason = message.payload
                self.pool.release(self.child)
                self.child = None
        if not self.over and self.child.ended:
            messages += self._died()
        return messages

    def _died(self) -> list[Message]:
        reason = self.child.exit_reason()
        return [Message(protocol.FAILED, self.run_id, reason),
                self._end_here(f"failed: {reason}", result="failed")]

    # ------------------------------------------------------------ ending

    def end(self, grace_s: float | None = None) -> list[Message]:
        """Stop the current run and make sure it is over within `grace_s` (default `GRACE_S`);
        returns the run's messages read meanwhile, ending with its FINISHED."""
        if self.over:
            return []
        from playground.core.training.trainer import STOPPED_BY_USER

        grace = self.grace_s if grace_s is None else grace_s
        self.command(protocol.STOP)
        deadline = time.perf_counter() + grace
        messages = []
        while True:
            messages += self.pump()
            remaining = deadline - time.perf_counter()
            if self.over or remaining <= 0:
                break
            self.child.wait_readable(min(remaining, 0.01))
        if not self.over:
            note = (f"the training process had not finished the run {grace:g} s after the stop and was "
                    f"terminated; the app finished this folder")
            messages.append(self._end_here(STOPPED_BY_USER, note=note))
        return messages

    def _end_here(self, stop_reason: str, note: str | None = None, result: str | None = None) -> Message:
        """The run ends without its process: collect it (a fresh one warms up), finish the folder."""
        self.pool.replace(self.child)
        self.child = None
        self.over = True
        self.stop_reason = stop_reason
        self.folder.finish(stop_reason, note)
        if not self.folder.poll():
            self._writing.append(self.folder)
        return Message(protocol.FINISHED, self.run_id, result or stop_reason)

    def wait_for_files(self, timeout_s: float | None = None) -> bool:
        """Wait for final states still being written (tests, and the app before it exits)."""
        for folder in self._writing:
            folder.wait(timeout_s)
        self._writing = [folder for folder in self._writing if not folder.poll()]
        return not self._writing

    @property
    def run_dir(self):
        return self.folder.run_dir if self.folder is not None else None
