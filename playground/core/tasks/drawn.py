"""Points drawn by hand: a 2-D task whose data live in the config itself (`task.points`, one
[x1, x2, label] per point, or [x1, x2, target] with `task.regression = true`), so a saved config
or run folder reproduces it and `playground run --config` trains on it headless."""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from playground.core.base.errors import ConfigError
from playground.core.tasks.base import TRAIN_FRACTION, Dataset, Option, TaskSpec
from playground.core.tasks.features import FEATURES, plane_dataset

MAX_CLASSES = 8
MAX_POINTS = 100_000
Point = tuple[float, float, float | int]


def check_points(key: str, value: Any) -> tuple[Point, ...]:
    """[[x1, x2, label], ...] as a tuple of triples of finite numbers (labels stay integers
    where they were written as integers, so a saved config reads back the same)."""
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"{key}: expected a list of [x1, x2, label] points, got {value!r}")
    if len(value) > MAX_POINTS:
        raise ConfigError(f"{key}: at most {MAX_POINTS} points, got {len(value)}")
    points = []
    for number, point in enumerate(value, start=1):
        if (not isinstance(point, (list, tuple)) or len(point) != 3
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in point)):
            raise ConfigError(f"{key}: point {number} should be [x1, x2, label] (three numbers), got {point!r}")
        if not all(math.isfinite(v) for v in point):
            raise ConfigError(f"{key}: point {number} has a value that is not a finite number: {point!r}")
        x1, x2, label = point
        points.append((float(x1), float(x2), label if isinstance(label, int) else float(label)))
    return tuple(points)


OPTIONS = (
    Option("points", (), "the points, each [x1, x2, label] (or [x1, x2, target] for regression)",
           convert=check_points),
    Option("regression", False, "the third number of each point is a numeric target, not a class"),
    TRAIN_FRACTION,
    FEATURES,
)


def check(params: Mapping[str, Any]) -> None:
    points = params["points"]
    if len(points) < 2:
        raise ConfigError(f"task.points: the drawn task needs at least 2 points, has {len(points)} "
                          f"(task.points = [[x1, x2, label], ...])")
    if params["regression"]:
        return
    for number, (_, _, label) in enumerate(points, start=1):
        if label != int(label) or not 0 <= label < MAX_CLASSES:
            raise ConfigError(f"task.points: point {number} has label {label!r}; labels are classes 0 to "
                              f"{MAX_CLASSES - 1} (or set task.regression = true for numeric targets)")


def n_classes(params: Mapping[str, Any]) -> int:
    if params.get("regression", False):
        return 1
    return max(2, 1 + max((int(label) for _, _, label in params.get("points", ())), default=1))


def build(params: Mapping[str, Any], seed: int) -> Dataset:
    table = np.asarray(params["points"], dtype=np.float64).reshape(-1, 3)
    regression = bool(params["regression"])
    y = table[:, 2] if regression else table[:, 2].astype(np.int64)
    return plane_dataset(table[:, :2].astype(np.float32), y, n_classes(params), params, seed, regression=regression)


SPEC = TaskSpec(
    name="drawn",
    description="2-D: points drawn by hand, kept in the config (task.points)",
    options=OPTIONS,
    build=build,
    classes=n_classes,
    check=check,
    regression=lambda params: bool(params.get("regression", False)),
)
