"""What the sweep view draws besides the points, without Qt: axis ranges that fit the data with
room around it (never 99.5 to 100.5 for one point at 100 %), and each lesson's reference lines:
2 / lr for the sharpness (edge of stability), the critical sw2 of mean-field theory for a sweep
of the weights' scale, chance level for the accuracy. The gradient signal's bound 1/C(n, k) is a
column of the sweep table and is drawn from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from playground.core.measures.meanfield import critical_sw2
from playground.core.tasks import get_task

PAD = 0.08  # of the span, each side
ACCURACY_LIMITS = (0.0, 100.0)
ACCURACY_MIN_SPAN = 10.0  # percentage points
CHANCE_REACH = 25.0  # chance is drawn (and shown) when this close below the lowest accuracy


@dataclass(frozen=True)
class Reference:
    """A reference line: `plot` is "accuracy" or "measure"; `axis` "x" (a vertical line at x =
    value) or "y" (a horizontal one); for a curve, `xs` and `ys` (in values, not positions)."""

    plot: str
    axis: str
    value: float
    label: str
    xs: tuple[float, ...] = field(default=())
    ys: tuple[float, ...] = field(default=())
    in_range: bool = True  # the axis range is widened to show it


def padded_range(values: Sequence[float], pad: float = PAD, min_span: float | None = None,
                 limits: tuple[float, float] | None = None) -> tuple[float, float] | None:
    """(low, high) holding every finite value with `pad` of the span each side; a span under
    `min_span` is widened about its centre (kept inside `limits`, shifted rather than cut) before
    padding. None when no value is finite."""
    v = np.asarray([x for x in np.ravel(np.asarray(values, dtype=float)) if np.isfinite(x)])
    if v.size == 0:
        return None
    low, high = float(v.min()), float(v.max())
    if min_span is None:
        min_span = max(0.2 * max(abs(low), abs(high)), 1e-9)
    if high - low < min_span:
        centre = (low + high) / 2
        low, high = centre - min_span / 2, centre + min_span / 2
        if limits is not None:
            if low < limits[0]:
                low, high = limits[0], min(limits[0] + min_span, max(high, limits[1]))
            if high > limits[1]:
                low, high = max(limits[1] - min_span, min(low, limits[0])), limits[1]
    span = high - low
    return low - pad * span, high + pad * span


def x_range(positions: Sequence[float], log: bool, named: bool) -> tuple[float, float] | None:
    """The x range of a sweep's values: names half a slot beyond the first and last; numbers
    padded, one value given a decade (log) or a fifth of its size either side."""
    positions = np.asarray(positions, dtype=float)
    if positions.size == 0:
        return None
    if named:
        return float(positions.min()) - 0.5, float(positions.max()) + 0.5
    if log:
        return padded_range(positions, min_span=1.0)
    centre = float(np.max(np.abs(positions)))
    return padded_range(positions, min_span=max(0.4 * centre, 1.0))


def accuracy_range(values: Sequence[float], references: Sequence[Reference] = ()) -> tuple[float, float]:
    """The accuracy axis (%): the data and the accuracy plot's reference lines that are meant to
    be seen, at least 10 points tall, within 0..100 before padding."""
    shown = [*np.ravel(np.asarray(values, dtype=float))]
    shown += [r.value for r in references if r.plot == "accuracy" and r.axis == "y" and r.in_range]
    return padded_range(shown, min_span=ACCURACY_MIN_SPAN, limits=ACCURACY_LIMITS) or (0.0, 100.0)


def measure_range(values: Sequence[float], references: Sequence[Reference] = (), log: bool = False
                  ) -> tuple[float, float] | None:
    """The measure axis, in log10 units on a log axis (where values <= 0 cannot show)."""
    shown = list(np.ravel(np.asarray(values, dtype=float)))
    for r in references:
        if r.plot == "measure" and r.in_range:
            shown += list(r.ys) if r.xs else ([r.value] if r.axis == "y" else [])
    shown = np.asarray(shown, dtype=float)
    if log:
        shown = np.log10(shown[shown > 0])
        return padded_range(shown, min_span=1.0)
    return padded_range(shown)


def chance_level(config) -> float | None:
    """100 / classes (%) of the config's task; None where it is not one number (a sequence of
    tasks, a task whose classes cannot be read)."""
    if config is None or config.continual.tasks > 1:
        return None
    try:
        classes = 2 if config.train.loss == "hinge" else get_task(config.task.name).n_classes(config.task.params)
    except Exception:  # e.g. a CSV file that is gone: no chance line, the sweep still shows
        return None
    return 100.0 / classes if classes >= 2 else None


def references(param: str, measure: str, config, values: Sequence[Any], accuracy: Sequence[float] = ()
               ) -> list[Reference]:
    """The lesson's reference lines for a sweep of `param` showing `measure`, from the sweep's
    base `config` (None: only those the table itself gives)."""
    out: list[Reference] = []
    numeric = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if measure == "sharpness":
        if param == "train.lr" and numeric:
            xs = tuple(sorted(v for v in numeric if v > 0))
            out.append(Reference("measure", "y", float("nan"), "2 / lr", xs=xs, ys=tuple(2 / x for x in xs)))
        elif config is not None and config.train.lr > 0:
            two_over_lr = 2.0 / config.train.lr
            out.append(Reference("measure", "y", two_over_lr, f"2 / lr = {two_over_lr:g}"))
    if param == "network.sw2" and config is not None:
        sb2 = float(config.network.sb2)
        critical = critical_sw2(sb2)
        label = f"critical σw² {critical:.3g}"
        out += [Reference("accuracy", "x", critical, label), Reference("measure", "x", critical, "")]
    if param != "task.name":
        chance = chance_level(config)
        if chance is not None:
            finite = [a for a in np.ravel(np.asarray(accuracy, dtype=float)) if np.isfinite(a)]
            near = not finite or chance >= min(finite) - CHANCE_REACH
            out.append(Reference("accuracy", "y", chance, f"chance {chance:g} %", in_range=near))
    return out


def shown(reference: Reference, y_range: tuple[float, float] | None) -> bool:
    """Whether a horizontal line is drawn: only inside the axis range (a chance line far below
    the data is left out rather than stretching the axis)."""
    if reference.axis != "y" or reference.xs or y_range is None:
        return True
    return reference.in_range or y_range[0] <= reference.value <= y_range[1]
