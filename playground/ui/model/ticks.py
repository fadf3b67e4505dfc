"""Tick marks of a log axis that can be read: labels that never overlap, at decades when the axis
spans several, at 1-2-5 or every digit when it spans less, and "0" at the floor where a plot draws
zeros (a log axis has no zero; see `series.log_floor`). No Qt: positions in log10 units, sizes in
pixels, the label's size measured by the caller.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
# Multiples of each decade labelled at each level of detail, coarsest first.
LEVELS = ((1,), (1, 2, 5), (1, 2, 3, 4, 5, 6, 7, 8, 9))
MIN_LABELS = 3  # a finer level is used until this many labels show
ZERO_LABEL = "0"


def tick_text(value: float) -> str:
    """0.001 .. 50000 as plain numbers, others as 2·10⁻⁵ (never "1e-05")."""
    if value <= 0 or not math.isfinite(value):
        return f"{value:g}"
    if 1e-3 <= value < 1e5:
        return f"{value:g}"
    exponent = int(math.floor(math.log10(value) + 1e-9))
    mantissa = round(value / 10 ** exponent)
    power = "10" + str(exponent).translate(SUPERSCRIPT)
    return power if mantissa == 1 else f"{mantissa}·{power}"


def _candidates(low: float, high: float, multiples: tuple[int, ...]) -> list[tuple[float, str]]:
    out = []
    for decade in range(int(math.floor(low)) - 1, int(math.ceil(high)) + 1):
        for m in multiples:
            pos = decade + math.log10(m)
            if low - 1e-9 <= pos <= high + 1e-9:
                out.append((pos, tick_text(10 ** pos)))
    return out


def fits(ticks: list[tuple[float, str]], low: float, high: float, length_px: float,
         label_px: Callable[[str], float], gap_px: float) -> bool:
    """True when no two labels' boxes come closer than `gap_px` along the axis."""
    scale = length_px / (high - low)
    for (a, text_a), (b, text_b) in zip(ticks, ticks[1:]):
        if (b - a) * scale < (label_px(text_a) + label_px(text_b)) / 2 + gap_px:
            return False
    return True


def log_ticks(low: float, high: float, length_px: float, label_px: Callable[[str], float],
              zero_at: float | None = None, gap_px: float = 6.0
              ) -> tuple[list[tuple[float, str]], list[float]]:
    """Labelled ticks [(log10 position, text)] and unlabelled ones [log10 position] for an axis
    from `low` to `high` (log10 units) drawn `length_px` long. `label_px(text)` is a label's size
    along the axis (its width on a horizontal axis, its height on a vertical one). `zero_at`: where
    zeros are drawn; it is labelled "0" and nothing is labelled below or too near it."""
    low, high = min(low, high), max(low, high)
    if not (math.isfinite(low) and math.isfinite(high)) or length_px <= 0 or high - low < 1e-12:
        return [], []
    floor = zero_at if zero_at is not None and low - 1e-9 <= zero_at <= high + 1e-9 else None
    start = low if floor is None else floor
    fixed = [] if floor is None else [(floor, ZERO_LABEL)]

    def above_floor(ticks):
        return [t for t in ticks if floor is None or t[0] > floor + 1e-9]

    chosen = None
    fitting = []
    for multiples in LEVELS:
        ticks = fixed + above_floor(_candidates(start, high, multiples))
        if not fits(ticks, low, high, length_px, label_px, gap_px):
            break  # finer levels only crowd more
        fitting.append(ticks)
        if len(ticks) >= MIN_LABELS:
            chosen = ticks
            break
    if chosen is None:
        chosen = fitting[-1] if fitting else _thinned(fixed, above_floor(_candidates(start, high, (1,))),
                                                      low, high, length_px, label_px, gap_px)
    if len([t for t in chosen if t[1] != ZERO_LABEL]) < 2:
        chosen = _with_ends(chosen, start, high, length_px / (high - low), label_px, gap_px)
    labelled = {round(pos, 9) for pos, _ in chosen}
    minor = [pos for pos, _ in above_floor(_candidates(start, high, LEVELS[-1])) if round(pos, 9) not in labelled]
    decades = max(high - start, 1e-9)
    if length_px / decades < 30:  # minor marks closer than ~3 px apart: decades only
        minor = [pos for pos in minor if abs(pos - round(pos)) < 1e-9]
    return chosen, minor


def _thinned(fixed, decades, low, high, length_px, label_px, gap_px) -> list[tuple[float, str]]:
    """Every k-th decade, the smallest k whose labels do not overlap (many decades, short axis)."""
    for step in (2, 3, 4, 5, 10, 20, 50, 100):
        kept = fixed + [t for t in decades if int(round(t[0])) % step == 0]
        if fits(kept, low, high, length_px, label_px, gap_px):
            return kept
    return fixed[:1] or decades[:1]


def _with_ends(ticks, low, high, scale, label_px, gap_px) -> list[tuple[float, str]]:
    """A short axis inside one decade (0.31 to 0.39) has few round values: label its ends too,
    rounded to two digits, where they do not crowd the others."""
    out = list(ticks)
    for end in (low, high):
        value = float(f"{10 ** end:.2g}")
        pos = math.log10(value)
        if not low - 1e-9 <= pos <= high + 1e-9:
            continue
        text = tick_text(value)
        if all(abs(pos - p) * scale >= (label_px(text) + label_px(t)) / 2 + gap_px for p, t in out):
            out.append((pos, text))
    return sorted(out)


def label_boxes(ticks: list[tuple[float, str]], low: float, high: float, length_px: float,
                label_px: Callable[[str], float]) -> np.ndarray:
    """(start, end) pixel extent of each label along the axis (for tests and callers that check)."""
    scale = length_px / (high - low)
    return np.array([((pos - low) * scale - label_px(text) / 2, (pos - low) * scale + label_px(text) / 2)
                     for pos, text in ticks]).reshape(-1, 2)
