"""Training off the GUI: a child process trains (playground.core.remote), the GUI thread reads
what it sends into a mailbox the window drains.

`TrainingSession` is the GUI-thread side of one run at a time. Its timer reads the process's
pipe without ever waiting (a few milliseconds' worth per tick) and moves the records into the
`Mailbox`; the other messages become the session's signals (a run started, paused after a
step, failed, finished). Messages and signals of an earlier run never arrive: every message
carries its run id, and a Reset abandons the run before anything else happens. Reset and
closing return at once; Stop ends the run within the runner's grace period (0.15 s): a process
that has not finished by then is terminated and the run folder finished here.
No Python thread of the GUI process trains or reads, so nothing but the GUI thread ever
allocates, and a garbage collection never starts outside it.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Signal

from playground.core.base.control import RunControl
from playground.core.base.records import EpochRecord
from playground.core.config import Config, ConfigError
from playground.core.remote import protocol
from playground.core.remote.live import LIVE_PARAMS
from playground.core.remote.pool import ChildPool
from playground.core.remote.protocol import Message, StartRequest
from playground.core.remote.runner import Runner

# The worker waits while this many records are undrained (the GUI fell behind): backpressure,
# not dropped rows. The session leaves records in the pipe (the process then waits) instead.
MAILBOX_LIMIT = 20_000
# How often the GUI thread reads the training process's pipe.
PUMP_MS = 10


class Mailbox:
    """Records of the current run, taken in batches by the window's timer."""

    def __init__(self, limit: int = MAILBOX_LIMIT):
        self._items: list[EpochRecord] = []
        self._cond = threading.Condition()
        self.limit = limit

    def put(self, record: EpochRecord, control: RunControl | None = None) -> None:
        with self._cond:
            while len(self._items) >= self.limit and not (control and control.stop_requested):
                self._cond.wait(0.05)
            self._items.append(record)

    def take(self) -> list[EpochRecord]:
        with self._cond:
            items, self._items = self._items, []
            self._cond.notify_all()
        return items

    @property
    def full(self) -> bool:
        return len(self) >= self.limit

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)


class TrainingSession(QObject):
    """The GUI-thread side of one run: starts it in a training process, steers it, reads it."""

    run_started = Signal(object)  # (device name, total epochs, members)
    run_finished = Signal(str)  # stop reason ("failed" after run_failed)
    run_failed = Signal(str)  # a one-line message for the user
    step_done = Signal(int)  # the epoch a Step paused after

    def __init__(self, parent: QObject | None = None, pool: ChildPool | None = None):
        super().__init__(parent)
        self.mailbox = Mailbox()
        self.runner = Runner(pool)
        self.config: Config | None = None
        # Optional: config -> a RunRecorder; its parent_dir is where the process saves the run.
        self.recorder_factory = None
        self.recorder = None
        # Optional: a lesson's hook tables for the runs started from now on.
        self.hook_settings = None
        # The optimizer's live settings as the training process last reported them.
        self.optimizer_params: dict[str, float] = {}
        self._paused = False
        self.timer = QTimer(self)
        self.timer.setInterval(PUMP_MS)
        self.timer.timeout.connect(self.pump)
        self._grace = QTimer(self)
        self._grace.setSingleShot(True)
        self._grace.timeout.connect(self._enforce_stop)
        self._stopping_run = 0
        self.runner.pool.prewarm(protocol.DEFAULT_KEY)  # warm while the user looks at the window

    @property
    def active(self) -> bool:
        """A run has started and is not over."""
        return not self.runner.over

    @property
    def paused(self) -> bool:
        return self.active and self._paused

    @property
    def process_id(self) -> int | None:
        """The training process of the latest run (once it has reported)."""
        return self.runner.pid

    # ------------------------------------------------------------ steering

    def start(self, config: Config, steps: int | None = None) -> None:
        """Start a new run (an earlier one is ended first, with no signal of it afterwards)."""
        self.shutdown()
        self.config = config
        self.mailbox.take()  # nothing of an earlier run may leak into this one
        self.optimizer_params = {}
        self._paused = False
        self.recorder = self.recorder_factory(config) if self.recorder_factory is not None else None
        runs_dir = str(self.recorder.parent_dir) if self.recorder is not None else None
        self.runner.start(StartRequest(config, self.hook_settings, runs_dir, steps))
        self.timer.start()

    def pause(self) -> None:
        self.runner.command(protocol.PAUSE)
        self._paused = self.active

    def resume(self) -> None:
        self.runner.command(protocol.RESUME)
        self._paused = False

    def step(self, epochs: int = 1) -> None:
        self.runner.command(protocol.STEP, epochs)
        self._paused = False

    def stop(self) -> None:
        """Ask the run to stop; if it has not within the grace period, its process is terminated."""
        if not self.active:
            return
        self.runner.command(protocol.STOP)
        self._stopping_run = self.runner.run_id
        self._grace.start(int(self.runner.grace_s * 1000))

    def set_optimizer_params(self, **values: float) -> None:
        unknown = set(values) - set(LIVE_PARAMS)
        if unknown:
            raise ConfigError(f"cannot change {', '.join(sorted(unknown))} during training; "
                              f"allowed: {', '.join(LIVE_PARAMS)}")
        self.runner.command(protocol.SET_PARAMS, dict(values))

    def set_weight(self, member: int, layer: int, source: int, target: int, value: float) -> None:
        """One weight, applied and recorded by the training process before its next step."""
        self.runner.command(protocol.SET_WEIGHT, (member, layer, source, target, float(value)))

    def take(self) -> list[EpochRecord]:
        return self.mailbox.take()

    def shutdown(self) -> None:
        """End the run at once (Reset, closeEvent, aboutToQuit; safe to call more than once):
        nothing of it is signalled afterwards. Its process has the grace period to finish it by
        itself before it is terminated and its folder finished here (by the pump timer, the
        next start, or at exit)."""
        self._grace.stop()
        if self.active:
            self.runner.abandon()
            if self.recorder is not None:
                self.recorder.finished(self.runner.stop_reason)

    # ------------------------------------------------------------ reading

    def pump(self) -> None:
        """Read what has arrived (the timer, ~100 Hz); never waits for the process."""
        if not self.mailbox.full:  # else the GUI is behind: the rest waits in the pipe
            self._handle_all(self.runner.pump())
        if not self.runner.busy:
            self.timer.stop()

    def _enforce_stop(self) -> None:
        if self.active and self.runner.run_id == self._stopping_run:
            self._handle_all(self.runner.end(grace_s=0))

    def _handle_all(self, messages: list[Message]) -> None:
        run_id = self.runner.run_id
        for message in messages:
            if self.runner.run_id != run_id:
                return  # a signal's receiver started another run: the rest is stale
            self._handle(message)

    def _handle(self, message: Message) -> None:
        kind, payload = message.kind, message.payload
        recorder = self.recorder
        if kind == protocol.RECORD:
            self.mailbox.put(payload)
        elif kind == protocol.STARTED:
            self.run_started.emit((payload["device"], payload["total_epochs"], payload["members"]))
        elif kind == protocol.OPENED:
            if recorder is not None:
                recorder.opened_at(payload["run_dir"])
        elif kind == protocol.PROBLEM:
            if recorder is not None:
                recorder.failed(payload)
        elif kind == protocol.PARAMS:
            self.optimizer_params.update(payload)
        elif kind == protocol.PAUSED:
            self._paused = True
            self.step_done.emit(payload)
        elif kind == protocol.FAILED:
            self.run_failed.emit(payload)
        elif kind == protocol.FINISHED:
            self._grace.stop()
            if recorder is not None:
                recorder.finished(payload)
            self.run_finished.emit(payload)
