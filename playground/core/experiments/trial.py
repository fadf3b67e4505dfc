"""One value of a sweep: train its ensemble (into its run folder) and return its summary
columns, one entry per member."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from playground.core.base.control import RunControl
from playground.core.base.records import EpochRecord
from playground.core.config import Config


def _final_figures(trainer) -> dict[str, np.ndarray]:
    """Train and test loss and accuracy of every member at the end (evaluated afresh, so a
    stopped or diverged run reports where it really is)."""
    data = trainer.task
    train_loss, train_acc = trainer.evaluate(data.x_train, data.y_train, data)
    test_loss, test_acc = trainer.evaluate(data.x_test, data.y_test, data)
    return {"final_train_loss": train_loss, "final_train_acc": train_acc,
            "final_test_loss": test_loss, "final_test_acc": test_acc}


def _sequence_figures(trainer) -> dict[str, np.ndarray]:
    """For a sequence of tasks: the average test accuracy over all tasks at the end, and the
    average forgetting and backward transfer from the accuracy matrix of the finished tasks."""
    if len(trainer.tasks) < 2:
        return {}
    from playground.core.continual import metrics
    from playground.core.continual.evaluation import TaskEvaluation, task_accuracies

    figures = {"mean_task_acc": task_accuracies(trainer).mean(axis=1)}
    matrix = next((h.matrix for h in trainer.hooks if isinstance(h, TaskEvaluation)), None)
    finished = matrix is not None and not np.isnan(matrix).all(axis=(0, 2))[1:].all()
    nan = np.full(trainer.members, np.nan)
    figures["forgetting"] = metrics.average_forgetting(matrix) if finished else nan
    figures["backward_transfer"] = metrics.backward_transfer(matrix) if finished else nan
    return figures


def run_trial(
    config: Config,
    hook_settings: Mapping[str, Mapping[str, Any]],
    on_record: Callable[[EpochRecord], None] | None = None,
    control: RunControl | None = None,
    out: Path | None = None,
) -> tuple[dict[str, np.ndarray], str]:
    """Train one ensemble; return its summary columns (one entry per member) and stop reason."""
    from playground.core.experiments.assembly import build_trainer
    from playground.core.runs.runlog import RunWriter

    trainer = build_trainer(config, hook_settings)
    writer = RunWriter(out, trainer.config, device=str(trainer.device), hooks=trainer.hooks) if out is not None else None
    try:
        for record in trainer.epochs(control):
            if writer is not None:
                writer.write(record)
            if on_record is not None:
                on_record(record)
    finally:
        if writer is not None:
            writer.finish(trainer.stop_reason)
    members = trainer.members
    last = trainer.last_record
    diverged = np.zeros(members, dtype=np.int64)
    if last is not None and not np.all(np.isfinite(last.batch_loss)):
        diverged = (~np.isfinite(last.batch_loss)).astype(np.int64)
    columns: dict[str, np.ndarray] = {
        "seed": np.array(trainer.seeds),
        "member": np.arange(members),
        "epochs": np.full(members, trainer.epoch),
        "stop_reason": np.array([trainer.stop_reason or ""] * members, dtype=object),
        "diverged": diverged,
        **_final_figures(trainer),
    }
    columns.update(_sequence_figures(trainer))
    for hook in (h for h in trainer.hooks if hasattr(h, "lesson_hook")):  # the lesson's own
        summary = getattr(hook, "summary", None)
        if summary is not None:
            columns.update({k: np.asarray(v) for k, v in summary(trainer).items()})
    return columns, trainer.stop_reason or ""
