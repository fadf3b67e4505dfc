"""Kernel (KDE) bounds on I(X;T) and I(T;Y) (Kolchinsky & Tracey; Saxe et al. 2018).

The layer's activity h (P samples, d units) gets Gaussian noise of variance s2; T is then a
mixture of P Gaussians whose entropy is bounded (nats):
    upper: d/2 + (d/2) ln(2 pi s2) - (1/P) sum_i ln[(1/P) sum_j exp(-||h_i - h_j||^2 / (2 s2))]
    lower: the same with variance 4 s2, plus (d/2) ln(1/4)
H(T|X) = (d/2)(ln(2 pi s2) + 1), so I(X;T) = H(T) - H(T|X) and
I(T;Y) = H(T) - sum_y p(y) H(T|y), each bound using its own H; reported in bits.

Pairwise distances are computed in square blocks of `chunk` rows, only the blocks on and
above the diagonal (the kernel is symmetric), so memory stays O(chunk^2) for any P.
Samples are sorted by class first, so each class's kernel sums are sums over contiguous
slices of the same blocks: the class entropies cost no second pass.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from playground.core.measures.probes.targets import ProbeTargets

DEFAULT_CHUNK = 1024


def _segments(bounds: np.ndarray, span: slice) -> list[tuple[int, slice]]:
    """(class, local slice) of each class's run of samples that falls inside `span`."""
    out = []
    for c in range(len(bounds) - 1):
        low, high = max(bounds[c], span.start), min(bounds[c + 1], span.stop)
        if low < high:
            out.append((c, slice(low - span.start, high - span.start)))
    return out


def kernel_sums(h: np.ndarray, labels: np.ndarray, n_classes: int, noise_var: float,
                chunk: int = DEFAULT_CHUNK) -> tuple[np.ndarray, np.ndarray]:
    """For each sample i and class c: sum over samples j of class c of exp(-||h_i-h_j||^2/(2v)),
    with v = noise_var (first result) and v = 4 noise_var (second). Both (P, C) float64."""
    labels = np.asarray(labels, dtype=np.int64)
    # Samples sorted by class, so that a class's kernel sums are sums over a contiguous slice.
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(n_classes + 1))
    h = np.asarray(h, dtype=np.float64)[order]
    h = h - h.mean(axis=0)  # distances are unchanged; smaller norms, less round-off
    count = len(h)
    squares = np.einsum("ij,ij->i", h, h)
    rows_t = torch.from_numpy(np.ascontiguousarray(h))
    cols_t = torch.from_numpy(np.ascontiguousarray(h.T))
    sums = np.zeros((count, n_classes))
    sums_wide = np.zeros((count, n_classes))
    wide_scale = -1.0 / (8.0 * noise_var)  # exp(-D / (2 * 4 v)); its 4th power is exp(-D / (2 v))
    # Two reused blocks: fresh 8 MB arrays per block would cost page faults on every block.
    size = min(chunk, count)
    block_t = torch.empty((size, size), dtype=torch.float64)
    narrow_buffer = np.empty((size, size))
    for start in range(0, count, chunk):
        rows = slice(start, min(start + chunk, count))
        row_classes = _segments(bounds, rows)
        for other in range(start, count, chunk):
            cols = slice(other, min(other + chunk, count))
            # torch's product follows the trainer's thread count (numpy's BLAS would not).
            height, width = rows.stop - rows.start, cols.stop - cols.start
            out = block_t[:height, :width]
            torch.mm(rows_t[rows], cols_t[:, cols], out=out)
            block = out.numpy()
            block *= -2.0
            block += squares[rows, None]
            block += squares[None, cols]
            np.maximum(block, 0.0, out=block)
            if other == start:
                np.fill_diagonal(block, 0.0)
            # Floor the exponent: exp and its 4th power stay normal numbers (subnormals are slow);
            # a term below exp(-170)^4 changes no sum that holds its own exp(0) = 1.
            block *= wide_scale
            np.maximum(block, -170.0, out=block)
            wide = np.exp(block, out=block)
            narrow = np.square(wide, out=narrow_buffer[:height, :width])
            np.square(narrow, out=narrow)
            for kernel, target in ((wide, sums_wide), (narrow, sums)):
                for c, local in _segments(bounds, cols):
                    target[rows, c] += kernel[:, local].sum(axis=1)
                if other != start:
                    for c, local in row_classes:
                        target[cols, c] += kernel[local].sum(axis=0)
    restored_sums = np.empty_like(sums)
    restored_wide = np.empty_like(sums_wide)
    restored_sums[order] = sums
    restored_wide[order] = sums_wide
    return restored_sums, restored_wide


def _entropy_bound(per_class_sums: np.ndarray, labels: np.ndarray, d: int, var: float) -> tuple[float, np.ndarray]:
    """Kolchinsky-Tracey entropy (nats) of the whole mixture and of each class's mixture."""
    count, n_classes = per_class_sums.shape
    constant = d / 2 + (d / 2) * math.log(2 * math.pi * var)
    total = constant - float(np.mean(np.log(per_class_sums.sum(axis=1) / count)))
    by_class = np.full(n_classes, np.nan)
    own = per_class_sums[np.arange(count), labels]
    for c in range(n_classes):
        members = labels == c
        size = int(members.sum())
        if size:
            by_class[c] = constant - float(np.mean(np.log(own[members] / size)))
    return total, by_class


def kde_layer(h: np.ndarray, labels: np.ndarray, n_classes: int, noise_var: float,
              chunk: int = DEFAULT_CHUNK) -> dict[str, float]:
    """Upper and lower bounds (bits) on I(X;T), I(T;Y) of one network's layer h (P, d)."""
    labels = np.asarray(labels, dtype=np.int64)
    count, d = h.shape
    sums, sums_wide = kernel_sums(h, labels, n_classes, noise_var, chunk)
    p = np.bincount(labels, minlength=n_classes) / count
    present = p > 0
    h_t_given_x = (d / 2) * (math.log(2 * math.pi * noise_var) + 1)
    upper, upper_by_class = _entropy_bound(sums, labels, d, noise_var)
    lower, lower_by_class = _entropy_bound(sums_wide, labels, d, 4 * noise_var)
    lower += (d / 2) * math.log(0.25)
    lower_by_class = lower_by_class + (d / 2) * math.log(0.25)
    bits = 1 / math.log(2)
    return {
        "i_xt_upper": (upper - h_t_given_x) * bits,
        "i_ty_upper": (upper - float(np.sum(p[present] * upper_by_class[present]))) * bits,
        "i_xt_lower": (lower - h_t_given_x) * bits,
        "i_ty_lower": (lower - float(np.sum(p[present] * lower_by_class[present]))) * bits,
    }


def kde_information(activity: np.ndarray, targets: ProbeTargets, noise_var: float,
                    chunk: int = DEFAULT_CHUNK) -> dict[str, np.ndarray]:
    """The four bounds for every member of one layer's activity (E, N, U): each (E,) bits."""
    results = [kde_layer(activity[e], targets.y[e], targets.n_classes, noise_var, chunk)
               for e in range(activity.shape[0])]
    return {key: np.array([r[key] for r in results]) for key in results[0]}
