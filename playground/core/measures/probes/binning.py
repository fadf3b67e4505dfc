"""Binning estimators of I(X;T) and I(T;Y): exact counting of binned activity patterns.

Each activation is replaced by its bin index; each row of a layer's bin indices is one symbol
t. Rows are packed into one int64 code (mixed radix), so counting symbols is one sort of N
integers per layer instead of a dictionary of tuples. All functions work on a whole ensemble
at once: arrays are (members E, inputs N, units U).

Fixed and adaptive bins follow `np.digitize(a, edges)` (right=False): index i where
edges[i-1] <= a < edges[i], 0 below the first edge, len(edges) at or above the last.
Fixed-width bins (Saxe et al.'s code, `simplebinmi`) are `floor(a / width)`, unbounded.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from playground.core.measures.probes.targets import ProbeTargets, entropy_of_sorted

# Codes stay below this so that code * radix + digit never overflows int64.
CODE_LIMIT = 2**62


def fixed_edges(bins: int) -> np.ndarray:
    """The original study's edges: linspace(-1, 1, bins), giving bins + 1 possible indices."""
    return np.linspace(-1.0, 1.0, bins)


def _ceil_to_dtype(edges: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """The smallest value of `dtype` >= each float64 edge, so that for any value a of that
    dtype, `a >= edge` holds exactly when `a >= result` (comparisons stay in the narrow type)."""
    narrow = edges.astype(dtype)
    below = narrow.astype(np.float64) < edges
    return np.where(below, np.nextafter(narrow, np.asarray(np.inf, dtype)), narrow).astype(dtype)


def digitize(a: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Exact `np.digitize(a, edges)` for evenly spaced edges, several times faster.

    a: (E, N, U) float32 or float64. edges: (K,) shared, or (E, K) one row per member.
    Arithmetic gives each value's bin to within one; two comparisons with the real edges
    make it exact (also on the edges themselves and for values far outside).
    """
    a = np.asarray(a)
    if a.dtype not in (np.float32, np.float64):
        a = a.astype(np.float64)
    edges = np.asarray(edges, dtype=np.float64)
    per_member = edges.ndim == 2
    table = edges if per_member else edges[None, :]
    members, count = table.shape
    if a.ndim != 3 or (per_member and a.shape[0] != members):
        raise ValueError("digitize: expected activity (members, inputs, units) and edges (K,) or (members, K)")
    low, high = table[:, 0], table[:, -1]
    step = (high - low) / max(count - 1, 1)
    if count < 2 or np.any(step <= 0) or not np.all(np.isfinite(table)):
        return _digitize_searchsorted(a, table, per_member)
    dtype = a.dtype
    # Guess: floor((a - low) / step) + 1, clipped to [0, count] before the cast to int.
    scale = (1.0 / step).astype(dtype)[:, None, None] if per_member else dtype.type(1.0 / step[0])
    offset = low.astype(dtype)[:, None, None] if per_member else dtype.type(low[0])
    guess = (a - offset) * scale
    np.clip(guess, -1.0, count, out=guess)
    index = np.floor(guess).astype(np.int64)
    index += 1
    np.clip(index, 0, count, out=index)
    # Extended edges: -inf, edges, +inf; bin i is [ext[i], ext[i+1]).
    ext = np.empty((members, count + 2), dtype=dtype)
    ext[:, 0], ext[:, -1] = -np.inf, np.inf
    ext[:, 1:-1] = _ceil_to_dtype(table, dtype)
    flat_ext = ext.ravel()
    base = (np.arange(members) * (count + 2))[:, None, None] if per_member else 0
    position = index + base if per_member else index
    index -= a < flat_ext[position]
    position = index + base + 1 if per_member else index + 1
    index += a >= flat_ext[position]
    np.minimum(index, count, out=index)  # a = +inf passes the +inf sentinel
    return index


def _digitize_searchsorted(a: np.ndarray, table: np.ndarray, per_member: bool) -> np.ndarray:
    """Slow, general path (degenerate or uneven edges)."""
    values = a.astype(np.float64)
    if not per_member:
        return np.searchsorted(table[0], values, side="right").astype(np.int64)
    return np.stack([np.searchsorted(row, v, side="right") for row, v in zip(table, values)]).astype(np.int64)


def dense_rank(codes: np.ndarray) -> tuple[np.ndarray, int]:
    """Replace each member's codes (E, N) by 0..distinct-1, same order; returns the bound."""
    order = np.argsort(codes, axis=1, kind="stable")
    ordered = np.take_along_axis(codes, order, axis=1)
    new = np.zeros(codes.shape, dtype=np.int64)
    new[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    ids = np.cumsum(new, axis=1)
    ranks = np.empty_like(ids)
    np.put_along_axis(ranks, order, ids, axis=1)
    return ranks, int(ids[:, -1].max()) + 1 if ids.size else 1


def pack_rows(index: np.ndarray, radix: int | Sequence[int]) -> tuple[np.ndarray, int]:
    """One int64 code per row of bin indices (E, N, U) with 0 <= index[..., u] < radix[u]
    (one radix for all units, or one per unit).

    Mixed radix: code = sum index[u] * prod_{v > u} radix[v]. Where that would pass CODE_LIMIT
    the codes so far are replaced by their dense ranks (< N), which keeps equal rows equal and
    different rows different. Returns the codes and an exclusive upper bound on them.
    """
    members, inputs, units = index.shape
    radices = [int(radix)] * units if np.isscalar(radix) else [int(r) for r in radix]
    codes = np.zeros((members, inputs), dtype=np.int64)
    bound = 1
    for unit, base in enumerate(radices):
        if bound * base >= CODE_LIMIT:
            codes, bound = dense_rank(codes)
        codes *= base
        codes += index[:, :, unit]
        bound *= base
    return codes, bound


def combine(codes: np.ndarray, bound: int, digit: np.ndarray, radix: int) -> np.ndarray:
    """Codes of the pairs (code, digit), digit last: sorted pairs stay sorted by code."""
    if bound * radix >= CODE_LIMIT:
        codes, bound = dense_rank(codes)
    return codes * radix + digit


def information(codes: np.ndarray, bound: int, targets: ProbeTargets) -> tuple[np.ndarray, np.ndarray]:
    """I(X;T) and I(T;Y) in bits, per member, for symbols t given as codes (E, N).

    I(T;Y) = H(T) + H(Y) - H(T,Y); one sort of the (t, y) codes gives both H(T,Y) and,
    dropping y, H(T). I(X;T) = H(T) - H(T|X) with H(T|X) = H(T,X) - H(X) from the groups
    of equal inputs; where every input is distinct each group is one row and H(T|X) = 0.
    """
    joint = np.sort(combine(codes, bound, targets.y, targets.n_classes), axis=1)
    h_ty = entropy_of_sorted(joint)
    h_t = entropy_of_sorted(joint // targets.n_classes)
    i_ty = h_t + targets.h_y - h_ty
    if targets.x_groups is None:
        i_xt = h_t
    else:
        h_tx = entropy_of_sorted(np.sort(combine(codes, bound, targets.x_groups, targets.n_x_groups), axis=1))
        i_xt = h_t - (h_tx - targets.h_x)
    # Clamp round-off (|error| ~ 1e-15) so that exact zeros stay zero.
    return np.maximum(i_xt, 0.0), np.maximum(i_ty, 0.0)


def binned_information(index: np.ndarray, radix: int | Sequence[int],
                       targets: ProbeTargets) -> tuple[np.ndarray, np.ndarray]:
    """I(X;T), I(T;Y) (each (E,)) of a layer's bin indices (E, N, U), 0 <= index < radix
    (one radix, or one per unit)."""
    codes, bound = pack_rows(index, radix)
    return information(codes, bound, targets)


def fixed_information(activity: np.ndarray, bins: int, targets: ProbeTargets) -> tuple[np.ndarray, np.ndarray]:
    """Fixed-range binning (edges linspace(-1, 1, bins)) of one layer's activity (E, N, U)."""
    return binned_information(digitize(activity, fixed_edges(bins)), bins + 1, targets)


def width_bins(activity: np.ndarray, width: float) -> np.ndarray:
    """Each value's fixed-width bin, floor(a / width), as int64 (E, N, U), unbounded.

    The division is done in the activity's own dtype (float32 for the probes), as in Saxe et
    al.'s `np.floor(d / binsize)` on Keras' float32 activity. Values beyond +-2**61 bins share
    the outermost bin; NaN (a diverged network) gets a bin of its own above all others.
    """
    a = np.asarray(activity)
    if a.dtype not in (np.float32, np.float64):
        a = a.astype(np.float64)
    quotient = np.floor(a / a.dtype.type(width))
    limit = a.dtype.type(2.0**61)  # a power of two: exact in float32 and float64
    np.clip(quotient, -limit, limit, out=quotient)
    missing = np.isnan(quotient)
    if not missing.any():
        return quotient.astype(np.int64)
    quotient[missing] = 0.0
    index = quotient.astype(np.int64)
    index[missing] = 2**61 + 1
    return index


def width_information(activity: np.ndarray, width: float, targets: ProbeTargets) -> tuple[np.ndarray, np.ndarray]:
    """Fixed-width bins (floor(a / width) per unit, unbounded) of one layer's activity (E, N, U).

    Each unit's bins are shifted to start at 0 and packed with that unit's own radix (the
    number of its bins between its lowest and highest occupied one, over all members); a unit
    spanning more bins than there are inputs is first replaced by its dense ranks (< N).
    """
    index = width_bins(activity, width)
    members, inputs, units = index.shape
    if index.size == 0:
        return binned_information(index, 1, targets)
    low = index.min(axis=(0, 1))
    index -= low
    spans = [int(s) + 1 for s in index.max(axis=(0, 1))]
    for unit, span in enumerate(spans):
        if span > inputs:
            index[:, :, unit], spans[unit] = dense_rank(index[:, :, unit])
    return binned_information(index, spans, targets)


def adaptive_edges(low: np.ndarray, high: np.ndarray, bins: int) -> np.ndarray:
    """Interior edges (E, bins - 1) of `bins` equal bins between each member's low and high."""
    fractions = np.linspace(0.0, 1.0, bins + 1)[1:-1]
    return low[:, None] + (high - low)[:, None] * fractions[None, :]


def adaptive_information(
    activity: np.ndarray, low: np.ndarray, high: np.ndarray, bins: int, targets: ProbeTargets
) -> tuple[np.ndarray, np.ndarray]:
    """`bins` equal bins between each member's low and high (E,): indices 0..bins-1 for values
    inside; a layer whose range is a single value falls into one bin."""
    edges = adaptive_edges(np.asarray(low, np.float64), np.asarray(high, np.float64), bins)
    index = digitize(activity, edges)
    np.clip(index, 0, bins - 1, out=index)
    return binned_information(index, bins, targets)


class AdaptiveRange:
    """Each member's smallest and largest activation of one layer seen so far in the run."""

    def __init__(self) -> None:
        self.low: np.ndarray | None = None
        self.high: np.ndarray | None = None

    def update(self, activity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        low = activity.min(axis=(1, 2)).astype(np.float64)
        high = activity.max(axis=(1, 2)).astype(np.float64)
        if self.low is None or self.low.shape != low.shape:
            self.low, self.high = low, high
        else:
            self.low = np.minimum(self.low, low)
            self.high = np.maximum(self.high, high)
        return self.low, self.high
