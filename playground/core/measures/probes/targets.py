"""What every estimator needs besides the activity: the probe labels and the groups of equal
inputs, with their entropies, computed once per task."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def entropy_of_sorted(codes: np.ndarray) -> np.ndarray:
    """Entropy in bits of each row of (E, N) codes sorted along the row, each entry weight 1/N."""
    members, inputs = codes.shape
    new = np.empty(codes.shape, dtype=bool)
    new[:, 0] = True
    np.not_equal(codes[:, 1:], codes[:, :-1], out=new[:, 1:])
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, members * inputs)).astype(np.float64)
    member = starts // inputs
    # H = log2 N - (1/N) sum_t c_t log2 c_t
    weighted = np.bincount(member, weights=counts * np.log2(counts), minlength=members)
    return np.log2(inputs) - weighted / inputs


def entropy_of_codes(codes: np.ndarray) -> np.ndarray:
    return entropy_of_sorted(np.sort(np.asarray(codes, dtype=np.int64), axis=1))


@dataclass(frozen=True)
class ProbeTargets:
    """Labels and input groups of the probe inputs, per member (E, N)."""

    y: np.ndarray  # int64 (E, N), 0 <= y < n_classes
    n_classes: int
    h_y: np.ndarray  # (E,) bits
    h_x: np.ndarray  # (E,) bits: H of the empirical input distribution
    # Index of each row's group of equal inputs (E, N); None when all inputs are distinct.
    x_groups: np.ndarray | None
    n_x_groups: int

    @property
    def members(self) -> int:
        return int(self.y.shape[0])

    @property
    def inputs(self) -> int:
        return int(self.y.shape[1])


def input_groups(x: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Per member, the index of each row's group of identical input rows (E, N), and each
    member's number of groups."""
    groups = []
    distinct = []
    for rows in x:
        _, inverse = np.unique(rows.reshape(len(rows), -1), axis=0, return_inverse=True)
        inverse = inverse.reshape(-1).astype(np.int64)
        groups.append(inverse)
        distinct.append(int(inverse.max()) + 1 if inverse.size else 1)
    return np.stack(groups), distinct


def make_targets(x: np.ndarray, y: np.ndarray, n_classes: int | None = None) -> ProbeTargets:
    """Targets from probe inputs x (E, N, d) and labels y (E, N); also accepts one member's (N, d), (N,)."""
    x = np.asarray(x)
    y = np.asarray(y, dtype=np.int64)
    if y.ndim == 1:
        y, x = y[None, :], x[None, ...]
    if y.min() < 0:
        raise ValueError("probe labels must be >= 0")
    n_classes = int(max(n_classes or 0, int(y.max()) + 1))
    groups, distinct = input_groups(x)
    h_x = entropy_of_codes(groups)
    all_distinct = min(distinct) == y.shape[1]
    return ProbeTargets(
        y=y,
        n_classes=n_classes,
        h_y=entropy_of_codes(y),
        h_x=h_x,
        x_groups=None if all_distinct else groups,
        n_x_groups=max(distinct),
    )
