"""The confusion matrix of a classification run on its test set: counts[e, t, p] is how many
test samples of true class t member e predicts as class p (rows sum to the class counts)."""

from __future__ import annotations

import numpy as np
import torch


def confusion_counts(true: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """(E, N) labels and predictions -> (E, C, C) int64 counts."""
    true, predicted = np.asarray(true, dtype=np.int64), np.asarray(predicted, dtype=np.int64)
    members = true.shape[0]
    flat = (np.arange(members)[:, None] * n_classes + true) * n_classes + predicted
    return np.bincount(flat.ravel(), minlength=members * n_classes * n_classes).reshape(
        members, n_classes, n_classes)


@torch.no_grad()
def confusion_on_test_set(trainer) -> np.ndarray | None:
    """Every member's confusion counts (E, C, C) on the current task's test set; None for a regression."""
    if trainer.regression:
        return None
    data = trainer.task
    predicted = trainer.predictions(trainer.model(data.x_test), data)
    classes = max(trainer.n_classes, 2)
    return confusion_counts(data.y_test.cpu().numpy(), predicted.cpu().numpy(), classes)


def mean_confusion(counts: np.ndarray) -> np.ndarray:
    """The mean over members (C, C) of the counts (E, C, C)."""
    return np.asarray(counts, dtype=np.float64).mean(axis=0)


def row_fractions(counts: np.ndarray) -> np.ndarray:
    """Each row (true class) divided by its total: the share of that class given each prediction
    (recall on the diagonal). A class with no test samples gives a row of NaN."""
    counts = np.asarray(counts, dtype=np.float64)
    totals = counts.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, counts / np.where(totals > 0, totals, 1.0), np.nan)


def live_confusion(trainer) -> dict[str, np.ndarray] | None:
    """The test confusion as the views read it, live["confusion"] = {"counts": (E, C, C),
    "mean": (C, C)} (the same as final_state.read gives a reopened run); None for a regression.
    The app's training session calls it at the decision boundary's throttled rate: one forward
    pass of the test set."""
    counts = confusion_on_test_set(trainer)
    if counts is None:
        return None
    return {"counts": counts, "mean": mean_confusion(counts)}
