"""The training process: warm up, then train each run the parent starts, one at a time.

Its main thread trains and writes what it sends (records in batches: one write per ~20 ms, not
one per epoch, and no second thread contending for the GIL). A listener thread reads the
parent's commands and applies those of the current run at once (pause, resume, step, stop
through the run's `RunControl`; live settings through `trainer.set_optimizer_params`);
commands of any other run are dropped. The child owns the run folder's `RunWriter`; when a run ends
it finishes the summary first (cheap), then the final snapshot and final_state.npz (costly), so
a parent that stops waiting after its grace period has the least left to do.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
import traceback
from pathlib import Path

from playground.core.base.control import RunControl, StopRequested
from playground.core.base.records import EpochRecord
from playground.core.config import ConfigError
from playground.core.remote import protocol
from playground.core.remote.protocol import Message
from playground.core.remote.wire import encode

# Records wait at most this long to travel together (one write, one message, for many epochs).
FLUSH_S = 0.02


class Outbox:
    """Messages to the parent, written by the training thread itself: records in batches (at
    most `FLUSH_S` old, or at once with a snapshot), every other message at once, in order. A
    write waits only when the parent has fallen a full pipe behind (backpressure)."""

    def __init__(self, connection, clock=time.perf_counter):
        self.connection = connection
        self.clock = clock
        self.broken = False  # the parent is gone: everything is dropped from now on
        self._records: list[EpochRecord] = []
        self._run_id = 0
        self._flushed = -float("inf")

    def send(self, kind: str, run_id: int, payload=None) -> None:
        self.flush()
        self._write(Message(kind, run_id, payload))

    def send_record(self, run_id: int, record: EpochRecord) -> None:
        if self._records and run_id != self._run_id:
            self.flush()
        self._run_id = run_id
        self._records.append(record)
        if "weights" in record.live or self.clock() - self._flushed >= FLUSH_S:
            self.flush()

    def flush(self) -> None:
        if self._records:
            records, self._records = self._records, []
            self._write(Message(protocol.RECORDS, self._run_id, records))
        self._flushed = self.clock()

    def _write(self, message: Message) -> None:
        if self.broken:
            return
        try:
            for frame in encode(message):
                self.connection.send_bytes(frame)
        except OSError:
            self.broken = True


class FlushingControl(RunControl):
    """A RunControl that sends the records still batched before the run waits in a pause."""

    def __init__(self, outbox: Outbox):
        super().__init__()
        self.outbox = outbox

    def checkpoint(self) -> None:
        if self.paused:
            self.outbox.flush()
        super().checkpoint()


class RunState:
    """One run as the listener thread steers it (made by the listener, so that commands sent
    right after the start already find it)."""

    def __init__(self, run_id: int, request: protocol.StartRequest, control: RunControl):
        self.run_id = run_id
        self.request = request
        self.control = control
        self.lock = threading.Lock()
        self.trainer = None
        self.pending_params: dict[str, float] = {}
        self.steps_left = request.steps  # epochs before pausing by itself (Step); None: run on

    def apply(self, command: Message) -> None:
        kind = command.kind
        if kind == protocol.PAUSE:
            self.control.pause()
        elif kind == protocol.RESUME:
            with self.lock:
                self.steps_left = None
            self.control.resume()
        elif kind == protocol.STEP:
            with self.lock:
                self.steps_left = int(command.payload or 1)
            self.control.resume()
        elif kind == protocol.STOP:
            self.control.stop()
        elif kind == protocol.SET_PARAMS:
            self.set_params(command.payload)
        elif kind == protocol.SET_WEIGHT:
            self.set_weight(*command.payload)

    def set_weight(self, member: int, layer: int, source: int, target: int, value: float) -> None:
        """One weight set by hand (the network drawing's editor): applied and recorded before the next step."""
        with self.lock:
            if self.trainer is None:
                return  # the editor is offered only while a run is paused, so its trainer exists
            try:
                self.trainer.set_weight(member, layer, source, target, value)
            except ConfigError:
                traceback.print_exc()  # the parent checks the shape; this thread must live on

    def set_params(self, values: dict[str, float]) -> None:
        with self.lock:
            if self.trainer is None:
                self.pending_params.update(values)
                return
            try:
                self.trainer.set_optimizer_params(**values)
            except ConfigError:
                traceback.print_exc()  # the parent checks the names; this thread must live on

    def adopt(self, trainer) -> None:
        with self.lock:
            self.trainer = trainer
            if self.pending_params:
                trainer.set_optimizer_params(**self.pending_params)
                self.pending_params = {}

    def count_step(self) -> bool:
        """True when the epochs of a Step are done (then the run pauses)."""
        with self.lock:
            if self.steps_left is None:
                return False
            self.steps_left -= 1
            return self.steps_left <= 0


class Inbox:
    """The listener thread: starts queued for the main thread, the rest applied to the current run."""

    def __init__(self, connection, outbox: Outbox):
        self.connection = connection
        self.outbox = outbox
        self.current: RunState | None = None
        self._starts: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._listen, name="inbox", daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        while True:
            try:
                command = self.connection.recv()
            except (EOFError, OSError):  # the parent is gone: end the run, then the process
                command = Message(protocol.QUIT, 0)
            if command.kind == protocol.START:
                self.current = RunState(command.run_id, command.payload, FlushingControl(self.outbox))
                self._starts.put(self.current)
            elif command.kind == protocol.QUIT:
                if self.current is not None:
                    self.current.control.stop()
                self._starts.put(None)
                return
            elif self.current is not None and command.run_id == self.current.run_id:
                self.current.apply(command)
            # else: a command of an earlier run, dropped

    def next_run(self) -> RunState | None:
        """The next run to train (waits for it); None when the process should end."""
        return self._starts.get()


class ChildRun:
    """Trains one run, sending its records and writing its folder."""

    def __init__(self, state: RunState, outbox: Outbox):
        self.state = state
        self.outbox = outbox
        self.run_id = state.run_id
        self.trainer = None
        self.writer = None
        self.run_dir: Path | None = None
        self._sent_params: dict[str, float] = {}

    def send(self, kind: str, payload=None) -> None:
        self.outbox.send(kind, self.run_id, payload)

    def run(self) -> None:
        try:
            self._run()
        except Exception as exc:  # shown to the user; the process stays, warm, for the next run
            traceback.print_exc()
            self._close(f"failed: {type(exc).__name__}: {exc}")
            self.send(protocol.FAILED, f"training failed: {type(exc).__name__}: {exc}")
            self.send(protocol.FINISHED, "failed")

    def _build(self) -> bool:
        from playground.core.experiments.assembly import build_trainer
        from playground.core.remote.live import run_meta

        request = self.state.request
        try:
            trainer = build_trainer(request.config, request.hook_settings)
        except ConfigError as exc:
            self.send(protocol.FAILED, str(exc))
            self.send(protocol.FINISHED, "failed")
            return False
        self.trainer = trainer
        self.state.adopt(trainer)
        self.send(protocol.STARTED, {"device": str(trainer.device), "total_epochs": trainer.total_epochs,
                                     "members": trainer.members, "pid": os.getpid(), **run_meta(trainer)})
        return True

    def _open(self) -> None:
        from playground.core.remote.folder import make_unique_dir, run_folder_name
        from playground.core.runs.runlog import RunWriter
        from playground.core.base.fileio import RunFileError

        runs_dir = self.state.request.runs_dir
        if runs_dir is None:
            return
        trainer = self.trainer
        try:
            self.run_dir = make_unique_dir(Path(runs_dir), run_folder_name(trainer.config))
            self.writer = RunWriter(self.run_dir, trainer.config, device=str(trainer.device), hooks=trainer.hooks)
        except (RunFileError, OSError) as exc:
            self._problem(exc)
            return
        self.send(protocol.OPENED, {"run_dir": str(self.run_dir), "device": str(trainer.device),
                                    "started": self.writer.started})

    def _problem(self, exc: Exception) -> None:
        self.writer = None
        self.send(protocol.PROBLEM, f"Autosave stopped: {exc}")

    def _run(self) -> None:
        from playground.core.remote.live import LiveSnapshots
        from playground.core.runs import final_state
        from playground.core.training.trainer import STOPPED_BY_USER

        control = self.state.control
        if control.stop_requested:  # stopped before it began: nothing to build or save
            self.send(protocol.FINISHED, STOPPED_BY_USER)
            return
        if not self._build():
            return
        trainer = self.trainer
        self._open()
        snapshots = LiveSnapshots(trainer)
        while trainer.stop_reason is None:
            try:
                control.checkpoint()  # paused between epochs after a step
                record = trainer.run_epoch(control)
            except StopRequested:
                trainer.stop_reason = STOPPED_BY_USER
                break
            snapshots.attach(record)
            self._write(record)
            self.outbox.send_record(self.run_id, record)
            self._report_params()
            if record.stop_reason is None and self.state.count_step():
                control.pause()
                self.send(protocol.PAUSED, record.epoch)
        reason = trainer.stop_reason or STOPPED_BY_USER
        self._close(reason)
        if trainer.last_record is not None:
            # The final state, so the views end on what the network learned.
            final = EpochRecord(epoch=trainer.epoch, step=trainer.step_count, task_index=trainer.task_index,
                                batch_loss=trainer.last_record.batch_loss[:0], elapsed=trainer.elapsed)
            snapshots.attach(final, force=True)
            arrays = final_state.hook_arrays(trainer)  # what the lesson's views draw: fooling images, ...
            if arrays:
                final.live["final_arrays"] = arrays
            final.stop_reason = trainer.stop_reason
            self.outbox.send_record(self.run_id, final)
            self._write_final_state()
        self.send(protocol.FINISHED, reason)

    def _write(self, record: EpochRecord) -> None:
        from playground.core.base.fileio import RunFileError

        if self.writer is None:
            return
        try:
            self.writer.write(record)
        except (RunFileError, OSError) as exc:
            self._problem(exc)

    def _report_params(self) -> None:
        from playground.core.remote.live import optimizer_params

        params = optimizer_params(self.trainer)
        if params != self._sent_params:
            self._sent_params = params
            self.send(protocol.PARAMS, params)

    def _close(self, stop_reason: str) -> None:
        """The summary with the stop reason (first: it is what a terminated run would miss most)."""
        if self.writer is None:
            return
        try:
            self.writer.finish(stop_reason)
        except Exception as exc:  # a failing save must not turn a finished run into a failed one
            self._problem(exc)
            return
        self.send(protocol.CLOSED)

    def _write_final_state(self) -> None:
        from playground.core.runs import final_state

        if self.writer is None or self.run_dir is None:
            return
        try:
            final_state.write(self.trainer, self.run_dir)
        except Exception as exc:
            self._problem(exc)
            return
        self.send(protocol.FINAL_STATE)


def warm_up(key: protocol.WarmKey) -> None:
    """Import torch and the training code, build and step a tiny network with each optimizer
    (Adam's fused kernel alone imports torch._dynamo and sympy: 3-4 s), take a snapshot and
    encode a record, so that the first run's first epoch arrives within a fraction of a second."""
    import torch

    from playground.core.config import Config, apply_overrides, validate
    from playground.core.experiments.assembly import build_trainer
    from playground.core.remote.live import LiveSnapshots

    torch.set_num_threads(key.threads)
    base = Config()
    for optimizer in ("adam", "sgd"):
        config = validate(apply_overrides(base, [
            "task.name=spiral", "network.hidden=[2]", "train.epochs=1", "train.batch_size=64",
            f"train.optimizer={optimizer}", f"train.device={key.device}", f"train.threads={key.threads}"]))
        trainer = build_trainer(config)
        record = trainer.run_epoch()
        LiveSnapshots(trainer).attach(record, force=True)
        encode(Message(protocol.RECORD, 0, record))


def serve(commands, results, key: protocol.WarmKey) -> None:
    """The child process's main (the target of the spawned Process)."""
    for name in ("stdout", "stderr"):  # a windowed frozen app starts without them
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))
    outbox = Outbox(results)
    inbox = Inbox(commands, outbox)
    started = time.perf_counter()
    try:
        warm_up(key)
    except ConfigError:
        pass  # a device that is not there: each run then says why it cannot train
    except Exception:
        traceback.print_exc()
    outbox.send(protocol.READY, 0, {"pid": os.getpid(), "warm_up_s": time.perf_counter() - started})
    while (state := inbox.next_run()) is not None:
        ChildRun(state, outbox).run()
