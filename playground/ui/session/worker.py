"""Training off the GUI thread: a worker that alone owns the Trainer, and a mailbox the GUI drains.

The worker runs in its own QThread and pushes every epoch record into a lock-guarded
`Mailbox`; it emits no signal per step or per epoch (only when a run starts, pauses after a
step, ends or fails). The GUI thread (`TrainingSession`) drains the mailbox on a timer.
Pause, resume and stop go through the core `RunControl`, checked between steps.
"""

from __future__ import annotations

import threading
import time
import traceback
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from playground.core.config import Config, ConfigError
from playground.core.base.control import RunControl, StopRequested
from playground.core.base.records import EpochRecord

# Seconds between the worker's snapshots of weights and the decision boundary (its own clock).
LIVE_INTERVAL_S = 0.15
# The worker waits while this many records are undrained (the GUI fell behind): backpressure,
# not dropped rows.
MAILBOX_LIMIT = 20_000


class Mailbox:
    """Records from the worker, taken in batches by the GUI thread."""

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

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)


class TrainingWorker(QObject):
    """Builds the Trainer inside its thread, then trains until done, stopped or diverged."""

    started_run = Signal(object)  # (device name, total epochs, members)
    paused_after_step = Signal(int)  # epoch
    finished = Signal(str)  # stop reason
    failed = Signal(str)  # a message for the user

    def __init__(self, config: Config, mailbox: Mailbox, control: RunControl,
                 steps: int | None = None, live_interval_s: float = LIVE_INTERVAL_S, recorder=None,
                 hook_settings=None):
        super().__init__()  # no parent: moveToThread refuses objects with one
        self.config = config
        # Optional: a lesson's hook tables, trained beside the config's own hooks.
        self.hook_settings = hook_settings
        # Optional: writes the run folder from this thread (open, write each record, finish).
        self.recorder = recorder
        self.mailbox = mailbox
        self.control = control
        self.trainer = None
        self.live_interval_s = live_interval_s
        self._lock = threading.Lock()
        self._pending_params: dict[str, float] = {}
        # Epochs left before pausing by itself (the Step button); None = run on.
        self._steps_left = steps

    # ------------------------------------------------------------ any thread

    def set_optimizer_params(self, **values: float) -> None:
        with self._lock:
            if self.trainer is not None:
                self.trainer.set_optimizer_params(**values)
            else:
                self._pending_params.update(values)

    def set_weight(self, member: int, layer: int, source: int, target: int, value: float) -> None:
        """One weight, applied and recorded before the next step (Trainer.set_weight)."""
        with self._lock:
            if self.trainer is not None:
                self.trainer.set_weight(member, layer, source, target, value)

    def step_epochs(self, count: int = 1) -> None:
        """Train `count` more epochs, then pause."""
        with self._lock:
            self._steps_left = count
        self.control.resume()

    def run_on(self) -> None:
        with self._lock:
            self._steps_left = None
        self.control.resume()

    # ------------------------------------------------------------ worker thread

    @Slot()
    def run(self) -> None:
        try:
            self._run()
        except Exception as exc:  # shown to the user; the app stays usable
            traceback.print_exc()
            if self.recorder is not None:
                self.recorder.finish(self.trainer, f"failed: {type(exc).__name__}: {exc}")
            self.failed.emit(f"training failed: {type(exc).__name__}: {exc}")
            self.finished.emit("failed")

    def _build(self) -> bool:
        from playground.core.experiments.assembly import build_trainer

        try:
            trainer = build_trainer(self.config, self.hook_settings)
        except ConfigError as exc:
            self.failed.emit(str(exc))
            self.finished.emit("failed")
            return False
        with self._lock:
            self.trainer = trainer
            if self._pending_params:
                trainer.set_optimizer_params(**self._pending_params)
                self._pending_params = {}
        self.started_run.emit((str(trainer.device), trainer.total_epochs, trainer.members))
        return True

    def _run(self) -> None:
        from playground.core.runs import final_state
        from playground.core.training.trainer import STOPPED_BY_USER

        if not self._build():
            return
        trainer = self.trainer
        if self.recorder is not None:
            self.recorder.open(trainer)
        snapshots = LiveSnapshots(trainer, self.live_interval_s)
        while trainer.stop_reason is None:
            try:
                self.control.checkpoint()  # paused between epochs after a step
                record = trainer.run_epoch(self.control)
            except StopRequested:
                trainer.stop_reason = STOPPED_BY_USER
                break
            snapshots.attach(record)
            self.mailbox.put(record, self.control)
            if self.recorder is not None:
                self.recorder.write(record)
            if record.stop_reason is None and self._count_step():
                self.control.pause()
                self.paused_after_step.emit(record.epoch)
        if trainer.last_record is not None:
            # The final state, so the views end on what the network learned.
            final = EpochRecord(epoch=trainer.epoch, step=trainer.step_count, task_index=trainer.task_index,
                                batch_loss=trainer.last_record.batch_loss[:0], elapsed=trainer.elapsed)
            snapshots.attach(final, force=True)
            arrays = final_state.hook_arrays(trainer)  # what the lesson's views draw: fooling images, ...
            if arrays:
                final.live["final_arrays"] = arrays
            final.stop_reason = trainer.stop_reason
            self.mailbox.put(final, self.control)  # never blocks a stop: the GUI may be waiting on us
        if self.recorder is not None:
            self.recorder.finish(trainer, trainer.stop_reason or STOPPED_BY_USER)
        self.finished.emit(trainer.stop_reason or STOPPED_BY_USER)

    def _count_step(self) -> bool:
        with self._lock:
            if self._steps_left is None:
                return False
            self._steps_left -= 1
            return self._steps_left <= 0


class LiveSnapshots:
    """Weights and the decision boundary, added to a record at most every `interval_s`."""

    def __init__(self, trainer, interval_s: float):
        from playground.core.measures.boundary import supports_boundary

        self.trainer = trainer
        self.interval_s = interval_s
        self.last = -float("inf")
        self.boundary = supports_boundary(trainer)
        self.examples_task: int | None = None  # the task whose example images were last sent

    def attach(self, record: EpochRecord, force: bool = False) -> None:
        if len(self.trainer.tasks) > 1 and self.trainer.task_index != self.examples_task:
            self.examples_task = self.trainer.task_index
            examples = task_examples(self.trainer)
            if examples is not None:
                record.live["examples"] = examples
        now = time.perf_counter()
        if not force and now - self.last < self.interval_s:
            return
        self.last = now
        record.live.update(self.snapshot())

    def snapshot(self) -> dict[str, Any]:
        from playground.core.measures.boundary import compute_boundary
        from playground.core.measures.confusion import live_confusion
        from playground.core.measures.neurons import compute_neuron_maps

        trainer = self.trainer
        live: dict[str, Any] = {
            "weights": trainer.weights(),
            "biases": [b.detach().cpu().numpy().reshape(trainer.members, -1).copy() for b in trainer.model.biases],
            "layer_sizes": list(trainer.model.sizes),
            "activations": list(trainer.model.activation_names),
            "feature_names": _feature_names(trainer),
            "task_inputs": trainer.task.input_dim,
        }
        if self.boundary:
            live["boundary"] = compute_boundary(trainer)
            live["neurons"] = compute_neuron_maps(trainer, 0)  # the network drawing's heatmaps
        confusion = live_confusion(trainer)  # None for a regression
        if confusion is not None:
            live["confusion"] = confusion
        return live


def task_examples(trainer) -> dict[str, Any] | None:
    """A few inputs of the current task as images (image-like tasks only, e.g. digits)."""
    from playground.core.continual.examples import example_images

    examples = example_images(trainer, trainer.task_index)
    if examples.images.ndim != 3 or examples.images.shape[1] < 2:
        return None
    return {"images": examples.images, "labels": examples.labels, "name": examples.name,
            "task_index": trainer.task_index}


def _feature_names(trainer) -> list[str]:
    datasets = getattr(trainer.task, "datasets", ())
    if datasets and datasets[0].feature_names:
        return list(datasets[0].feature_names)
    return [f"x{i}" for i in range(trainer.task.input_dim)]


class TrainingSession(QObject):
    """The GUI-thread side of one run: owns the QThread, the worker and the mailbox."""

    run_started = Signal(object)
    run_finished = Signal(str)
    run_failed = Signal(str)
    step_done = Signal(int)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.mailbox = Mailbox()
        self.control: RunControl | None = None
        self.thread: QThread | None = None
        self.worker: TrainingWorker | None = None
        self.config: Config | None = None
        # Optional: config -> a recorder the worker writes the run folder with (autosave).
        self.recorder_factory = None
        self.recorder = None
        # Optional: a lesson's hook tables for the runs started from now on.
        self.hook_settings = None

    @property
    def active(self) -> bool:
        """A worker thread exists and has not finished."""
        return self.thread is not None and self.thread.isRunning()

    @property
    def paused(self) -> bool:
        return self.control is not None and self.control.paused

    def start(self, config: Config, steps: int | None = None) -> None:
        """Start a new run in a fresh thread (an earlier one is stopped and joined first)."""
        self.shutdown()
        self.config = config
        self.mailbox.take()  # nothing of an earlier run may leak into this one
        self.control = RunControl()
        self.thread = QThread()
        self.thread.setObjectName("training")
        self.recorder = self.recorder_factory(config) if self.recorder_factory is not None else None
        self.worker = TrainingWorker(config, self.mailbox, self.control, steps=steps, recorder=self.recorder,
                                     hook_settings=self.hook_settings)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.started_run.connect(self.run_started)
        self.worker.paused_after_step.connect(self.step_done)
        self.worker.failed.connect(self.run_failed)
        self.worker.finished.connect(self._on_finished)
        self.worker.finished.connect(self.thread.quit)
        self.thread.start()

    def _on_finished(self, reason: str) -> None:
        # The worker's last act was to emit this: join its thread so "over" means over.
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()
        self.run_finished.emit(reason)

    def pause(self) -> None:
        if self.control is not None:
            self.control.pause()

    def resume(self) -> None:
        if self.worker is not None:
            self.worker.run_on()

    def step(self, epochs: int = 1) -> None:
        if self.worker is not None:
            self.worker.step_epochs(epochs)

    def stop(self) -> None:
        if self.control is not None:
            self.control.stop()

    def set_optimizer_params(self, **values: float) -> None:
        if self.worker is not None:
            self.worker.set_optimizer_params(**values)

    def set_weight(self, member: int, layer: int, source: int, target: int, value: float) -> None:
        if self.worker is not None:
            self.worker.set_weight(member, layer, source, target, value)

    def take(self) -> list[EpochRecord]:
        return self.mailbox.take()

    def shutdown(self) -> None:
        """Stop the run and join its thread; safe to call more than once (closeEvent, aboutToQuit)."""
        if self.control is not None:
            self.control.stop()
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()
            self.thread.deleteLater()
        self.thread = None
        if self.worker is not None:
            self.worker.deleteLater()
        self.worker = None
