"""Where to put things on a plot so they hide nothing, and which point the mouse is on. No Qt:
coordinates are the plot's own (log10 units on a log axis), sizes are fractions of the plot or
pixels, as each function says.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

# Corners in the order they are preferred when several are free (the usual place first).
CORNERS = ("top-right", "top-left", "bottom-right", "bottom-left")
MAX_SEGMENTS = 4000  # per curve: longer ones are thinned before the corner test


def corner_box(corner: str, width: float, height: float) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) of a key `width` x `height` (fractions of the plot) in that corner, with
    y = 1 at the top."""
    right, top = corner.endswith("right"), corner.startswith("top")
    x0 = 1 - width if right else 0.0
    y0 = 1 - height if top else 0.0
    return x0, x0 + width, y0, y0 + height


def segments_in_box(x: np.ndarray, y: np.ndarray, box: tuple[float, float, float, float],
                    connect: np.ndarray | None = None) -> int:
    """How many points of the polyline (x, y) lie in `box`, plus how many of its segments cross
    it (Liang-Barsky clipping), so a curve sampled sparsely still counts where it runs through.
    `connect[i]` False breaks the line after point i (several members in one curve)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    x0, x1, y0, y1 = box
    finite = np.isfinite(x) & np.isfinite(y)
    inside = finite & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    count = int(inside.sum())
    if len(x) < 2:
        return count
    ax, ay, bx, by = x[:-1], y[:-1], x[1:], y[1:]
    keep = finite[:-1] & finite[1:]
    if connect is not None:
        keep &= np.asarray(connect[:-1], dtype=bool)
    ax, ay, bx, by = ax[keep], ay[keep], bx[keep], by[keep]
    dx, dy = bx - ax, by - ay
    t0, t1 = np.zeros(len(ax)), np.ones(len(ax))
    crosses = np.ones(len(ax), dtype=bool)
    for p, q in ((-dx, ax - x0), (dx, x1 - ax), (-dy, ay - y0), (dy, y1 - ay)):
        parallel = p == 0
        crosses &= ~(parallel & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(parallel, 0.0, q / np.where(parallel, 1.0, p))
        entering = ~parallel & (p < 0)
        leaving = ~parallel & (p > 0)
        t0 = np.where(entering, np.maximum(t0, r), t0)
        t1 = np.where(leaving, np.minimum(t1, r), t1)
    crosses &= t0 <= t1
    return count + int(crosses.sum())


def normalised(x: np.ndarray, y: np.ndarray, x_range: Sequence[float], y_range: Sequence[float]
               ) -> tuple[np.ndarray, np.ndarray]:
    """Plot coordinates as fractions of the visible range (0 = left / bottom, 1 = right / top)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    span_x = (x_range[1] - x_range[0]) or 1.0
    span_y = (y_range[1] - y_range[0]) or 1.0
    return (x - x_range[0]) / span_x, (y - y_range[0]) / span_y


def thinned(x: np.ndarray, y: np.ndarray, connect: np.ndarray | None, limit: int = MAX_SEGMENTS):
    """At most about `limit` points of a long curve, keeping each stretch's extremes (a spike
    into a corner still counts)."""
    n = len(x)
    if n <= limit:
        return x, y, connect
    step = int(np.ceil(n / limit))
    # The highest and the lowest point of every stretch of `step` points.
    cut = (n // step) * step
    yy = np.asarray(y[:cut], dtype=float).reshape(-1, step)
    rows = np.arange(len(yy))
    hi = rows * step + np.nanargmax(np.nan_to_num(yy, nan=-np.inf), axis=1)
    lo = rows * step + np.nanargmin(np.nan_to_num(yy, nan=np.inf), axis=1)
    index = np.sort(np.unique(np.concatenate([hi, lo, np.arange(cut, n)])))
    return x[index], y[index], (None if connect is None else connect[index])


def coverage(curves: Iterable[tuple], x_range, y_range, corner: str, width: float, height: float) -> int:
    """How much of the data (points and crossing segments) a key in `corner` would hide."""
    box = corner_box(corner, width, height)
    total = 0
    for curve in curves:
        x, y = curve[0], curve[1]
        connect = curve[2] if len(curve) > 2 else None
        if x is None or len(x) == 0:
            continue
        x, y, connect = thinned(np.asarray(x), np.asarray(y), None if connect is None else np.asarray(connect))
        nx, ny = normalised(x, y, x_range, y_range)
        total += segments_in_box(nx, ny, box, connect)
    return total


def choose_corner(curves: Iterable[tuple], x_range, y_range, width: float, height: float,
                  current: str | None = None, corners: Sequence[str] = CORNERS) -> str:
    """The corner where a key of `width` x `height` (fractions of the plot) hides the least data:
    the first free corner in `corners`' order, except that the `current` one is kept while it is
    free (a key does not hop about as a curve grows)."""
    curves = list(curves)
    hidden = {corner: coverage(curves, x_range, y_range, corner, width, height) for corner in corners}
    if current in hidden and hidden[current] == 0:
        return current
    return min(corners, key=lambda corner: (hidden[corner], corners.index(corner)))


def nearest_point(curves: Sequence[tuple[np.ndarray, np.ndarray]], x: float, y: float,
                  pixel: tuple[float, float]) -> tuple[int, int, float] | None:
    """The point nearest to (x, y) on screen: (curve index, point index, distance in pixels).
    `pixel` is the size of one pixel in plot units (x, y); None when no curve has a point."""
    best = None
    px, py = (abs(pixel[0]) or 1.0), (abs(pixel[1]) or 1.0)
    for index, (cx, cy) in enumerate(curves):
        if cx is None or len(cx) == 0:
            continue
        dx = (np.asarray(cx, dtype=float) - x) / px
        dy = (np.asarray(cy, dtype=float) - y) / py
        distance = np.hypot(dx, dy)
        if not np.isfinite(distance).any():
            continue
        point = int(np.nanargmin(distance))
        if best is None or distance[point] < best[2]:
            best = (index, point, float(distance[point]))
    return best
