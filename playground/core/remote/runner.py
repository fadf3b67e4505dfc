"""The parent side of training in a child process: one run at a time, read without waiting.

`start` hands a run to a warm process from the pool; `pump` returns what has arrived for the
current run (messages of any other run are dropped); `command` steers it. A stop keeps its
promise: the stop message, at most `grace_s` for the process to finish the run by itself, and
then the process is terminated and the parent finishes the run folder from what it has. `end`
does that and waits; `abandon` (Reset, closing the window) returns at once and leaves the run
to retire: `pump`, the next `start` and the app's exit see it through. A process that dies on
its own (a crash, out of memory, killed) ends its run as failed, with the reason and the exit
code. Either way a fresh process warms up for the next Start.
"""

from __future__ import annotations

import atexit
import time
from dataclasses import dataclass

from playground.core.remote import protocol
from playground.core.remote.folder import FolderKeeper
from playground.core.remote.pool import ChildPool, default_pool
from playground.core.remote.process import ChildProcess
from playground.core.remote.protocol import Message, StartRequest, WarmKey
from playground.core.training.trainer import STOPPED_BY_USER

# How long a stopped run may take to finish by itself before its process is terminated.
GRACE_S = 0.15
# Seconds of reading per pump: the GUI thread's share of a tick.
PUMP_BUDGET_S = 0.008


@dataclass
class Retiring:
    """A run that was abandoned while its process may still be finishing it."""

    run_id: int
    child: ChildProcess
    folder: FolderKeeper
    pool: ChildPool
    deadline: float
    grace_s: float

    def tend(self, budget_s: float = PUMP_BUDGET_S) -> bool:
        """Read what it sent, and end it if it is time; True once it is over."""
        for message in self.child.receive(budget_s):
            if message.run_id != self.run_id:
                continue
            self.folder.note(message)
            if message.kind == protocol.FINISHED:
                self.pool.release(self.child)
                return True
        if self.child.ended:
            finish_folder(self.folder, f"failed: {self.child.exit_reason()}")
        elif time.perf_counter() >= self.deadline:
            finish_folder(self.folder, STOPPED_BY_USER, note=terminated_note(self.grace_s))
        else:
            return False
        self.pool.replace(self.child)
        return True


_retiring: list[Retiring] = []
_exit_registered = False
_writing: list[FolderKeeper] = []  # folders whose final state is still being written


def finish_folder(folder: FolderKeeper, stop_reason: str, note: str | None = None) -> None:
    folder.finish(stop_reason, note)
    _writing.append(folder)
    poll_writing()


def poll_writing(timeout_s: float | None = 0) -> bool:
    """True once no final state is being written (waits up to `timeout_s`; None: for good)."""
    for folder in _writing:
        if timeout_s != 0:
            folder.wait(timeout_s)
    _writing[:] = [folder for folder in _writing if not folder.poll()]
    return not _writing


def tend_retiring(wait: bool = False) -> bool:
    """See abandoned runs through (every runner's pump does); with `wait`, until all are over
    (each within its grace period). True when none is left."""
    while True:
        _retiring[:] = [run for run in _retiring if not run.tend()]
        if not wait or not _retiring:
            return not _retiring
        remaining = min(run.deadline for run in _retiring) - time.perf_counter()
        _retiring[0].child.wait_readable(max(0.0, min(remaining, 0.01)))


def terminated_note(grace_s: float) -> str:
    return (f"the training process had not finished the run {grace_s:g} s after the stop and was "
            f"terminated; the app finished this folder")


class Runner:
    def __init__(self, pool: ChildPool | None = None, grace_s: float = GRACE_S):
        global _exit_registered
        self.pool = pool if pool is not None else default_pool()
        if not _exit_registered:  # after the pool's own: exit handlers run last-registered first
            _exit_registered = True
            atexit.register(_see_runs_through)
        self.grace_s = grace_s
        self.run_id = 0
        self.child: ChildProcess | None = None
        self.folder: FolderKeeper | None = None
        self.over = True
        self.pid: int | None = None  # the process that trains (or trained) the latest run
        self.stop_reason: str | None = None

    # ------------------------------------------------------------ steering

    def start(self, request: StartRequest) -> int:
        """Start a run (after ending the current one, and seeing abandoned ones through: their
        process may be the warm one); returns its run id."""
        self.end()
        tend_retiring(wait=True)
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

    @property
    def busy(self) -> bool:
        """A run is current, retiring, or its final state is being written."""
        return not self.over or bool(_retiring) or bool(_writing)

    # ------------------------------------------------------------ reading

    def pump(self, budget_s: float = PUMP_BUDGET_S) -> list[Message]:
        """The current run's messages that have arrived, in order (never waits)."""
        poll_writing()
        tend_retiring()
        self.pool.reap()
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
            reason = self.child.exit_reason()
            messages += [Message(protocol.FAILED, self.run_id, reason),
                         self._end_here(f"failed: {reason}", result="failed")]
        return messages

    # ------------------------------------------------------------ ending

    def end(self, grace_s: float | None = None) -> list[Message]:
        """Stop the current run and wait until it is over, at most `grace_s` (default `GRACE_S`);
        returns the run's messages read meanwhile, ending with its FINISHED."""
        if self.over:
            return []
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
            messages.append(self._end_here(STOPPED_BY_USER, note=terminated_note(grace)))
        return messages

    def abandon(self) -> None:
        """Stop the current run without waiting for it: nothing more of it is returned; its
        process has `grace_s` to finish it before it is terminated (by `pump`, `start`, or at exit)."""
        if self.over:
            return
        self.command(protocol.STOP)
        _retiring.append(Retiring(self.run_id, self.child, self.folder, self.pool,
                                  time.perf_counter() + self.grace_s, self.grace_s))
        self.child = None
        self.over = True
        self.stop_reason = STOPPED_BY_USER

    def _end_here(self, stop_reason: str, note: str | None = None, result: str | None = None) -> Message:
        """The run ends without its process: collect it (a fresh one warms up), finish the folder."""
        self.pool.replace(self.child)
        self.child = None
        self.over = True
        self.stop_reason = stop_reason
        finish_folder(self.folder, stop_reason, note)
        return Message(protocol.FINISHED, self.run_id, result or stop_reason)

    def settle(self, timeout_s: float | None = None) -> bool:
        """Wait until abandoned runs are over and final states written (tests; the app's exit)."""
        tend_retiring(wait=True)
        return poll_writing(timeout_s)

    def wait_for_files(self, timeout_s: float | None = None) -> bool:
        return self.settle(timeout_s)

    @property
    def run_dir(self):
        return self.folder.run_dir if self.folder is not None else None


def _see_runs_through() -> None:
    """At exit, abandoned runs are finished (within their grace) and their files written."""
    tend_retiring(wait=True)
    poll_writing(None)
