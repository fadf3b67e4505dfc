"""Continual-learning measures from the accuracy matrix R.

R[..., i, j] = accuracy on task j after training task i (0-based here; the run files number
tasks from 1). Leading axes (e.g. ensemble members) are kept. Rows of tasks not yet trained
are NaN.
"""

from __future__ import annotations

import numpy as np

from playground.core.base.records import Table


def _after(R: np.ndarray, after: int | None) -> int:
    """The last finished task (the last row without NaN) unless given."""
    if after is not None:
        return after
    done = ~np.isnan(R).all(axis=tuple(range(R.ndim - 2)) + (R.ndim - 1,))
    rows = np.flatnonzero(done)
    if len(rows) == 0:
        raise ValueError("the accuracy matrix has no finished task yet")
    return int(rows[-1])


def average_accuracy(R: np.ndarray, after: int | None = None) -> np.ndarray:
    """Mean accuracy over tasks 0..i after training task i: mean_j<=i R[i, j], every task
    weighing the same (Avalanche instead pools the test samples of all tasks, so a task with
    more test samples weighs more; the two agree when the test sets are of equal size)."""
    i = _after(R, after)
    return R[..., i, : i + 1].mean(axis=-1)


def forgetting(R: np.ndarray, after: int | None = None) -> np.ndarray:
    """Per task j: its best accuracy after it was trained and before now, minus now
    (Chaudhry et al. 2018; the project's convention, `forgetting_max`).

    f_j = max_{j <= l < i} R[l, j] - R[i, j] for j < i; NaN for tasks j >= i (not yet old).
    """
    i = _after(R, after)
    T = R.shape[-1]
    out = np.full(R.shape[:-2] + (T,), np.nan)
    for j in range(i):
        best = R[..., j:i, j].max(axis=-1)
        out[..., j] = best - R[..., i, j]
    return out


def forgetting_last(R: np.ndarray, after: int | None = None) -> np.ndarray:
    """Per task j: its accuracy right after it was trained, minus now (Avalanche's convention).

    f_j = R[j, j] - R[i, j] for j < i; NaN for tasks j >= i. Its mean over the old tasks is
    minus the backward transfer; it never exceeds `forgetting`, which takes the best earlier
    accuracy instead of the one at the task's end.
    """
    i = _after(R, after)
    T = R.shape[-1]
    out = np.full(R.shape[:-2] + (T,), np.nan)
    old = np.arange(i)
    out[..., old] = R[..., old, old] - R[..., i, old]
    return out


CONVENTIONS = {"max": forgetting, "last": forgetting_last}


def average_forgetting(R: np.ndarray, after: int | None = None, convention: str = "max") -> np.ndarray:
    """Mean forgetting over the old tasks, by `convention` "max" (best earlier accuracy minus
    now) or "last" (accuracy right after training minus now). After the first task there is no
    old task and nothing forgotten: 0."""
    i = _after(R, after)
    if i == 0:
        return np.zeros(R.shape[:-2])
    return CONVENTIONS[convention](R, i)[..., :i].mean(axis=-1)


def backward_transfer(R: np.ndarray, after: int | None = None) -> np.ndarray:
    """BWT = mean_{j<i} (R[i, j] - R[j, j]) (Lopez-Paz & Ranzato 2017); negative = forgetting.
    0 after the first task (no earlier task to transfer to)."""
    i = _after(R, after)
    if i == 0:
        return np.zeros(R.shape[:-2])
    old = np.arange(i)
    return (R[..., i, old] - R[..., old, old]).mean(axis=-1)


def matrix_from_table(table: Table, tasks: int | None = None) -> np.ndarray:
    """(members, T, T) accuracy matrix from `accuracy_matrix` rows (after_task, task, member,
    accuracy; tasks 1-based); rows of tasks not yet finished are NaN."""
    after = np.asarray(table["after_task"], dtype=int)
    task = np.asarray(table["task"], dtype=int)
    member = np.asarray(table["member"], dtype=int)
    T = tasks or int(max(after.max(initial=0), task.max(initial=0)))
    E = int(member.max(initial=-1)) + 1
    R = np.full((E, T, T), np.nan)
    R[member, after - 1, task - 1] = np.asarray(table["accuracy"], dtype=float)
    return R
