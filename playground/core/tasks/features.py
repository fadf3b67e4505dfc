"""Input features of the 2-D tasks (TensorFlow Playground's): the network sees any of
x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2) of each point, one input unit per feature,
while the plots stay in the (x1, x2) plane."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from playground.core.base.errors import ConfigError
from playground.core.tasks.base import Dataset, Option, finite_dataset

FORMULAS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}
NAMES = tuple(FORMULAS)
DEFAULT = ("x1", "x2")


def check_features(key: str, value: Any) -> tuple[str, ...]:
    """The features as a tuple of known, distinct names; ConfigError naming `key` otherwise."""
    if isinstance(value, str):  # --set task.features=x1,x2 without brackets
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(name, str) for name in value):
        raise ConfigError(f"{key}: expected a list of feature names, e.g. [\"x1\", \"x2\"], got {value!r}")
    names = tuple(name.strip() for name in value)
    if not names:
        raise ConfigError(f"{key}: needs at least one feature; allowed: {', '.join(NAMES)}")
    for name in names:
        if name not in FORMULAS:
            raise ConfigError(f"{key}: unknown feature {name!r}; allowed: {', '.join(NAMES)}")
    if len(set(names)) != len(names):
        raise ConfigError(f"{key}: a feature is listed twice in {list(names)}")
    return names


def feature_map(points: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """(N, 2) points of the plane -> (N, len(names)) float32 network inputs."""
    points = np.asarray(points, dtype=np.float64)
    x1, x2 = points[:, 0], points[:, 1]
    return np.stack([FORMULAS[name](x1, x2) for name in names], axis=1).astype(np.float32)


FEATURES = Option("features", DEFAULT, "the network's inputs, computed from each point (x1, x2)",
                  choices=NAMES, convert=check_features)


def plane_dataset(points: np.ndarray, y: np.ndarray, n_classes: int, params: dict[str, Any], seed: int,
                  regression: bool = False) -> Dataset:
    """A 2-D task's Dataset: the network's inputs are `params["features"]` of the points,
    which the Dataset also keeps (its plane) for the boundary and heatmaps."""
    names = params.get("features", DEFAULT)
    return finite_dataset(feature_map(points, names), y, n_classes, params, seed, plane=points,
                          regression=regression, feature_names=tuple(names))
