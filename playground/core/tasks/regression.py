"""Two-input regression sets in the manner of TensorFlow Playground: a tilted plane and a sum
of signed Gaussian bumps, on points uniform in the square [-1, 1]^2. The target is a number,
learned by one linear output unit with the mse loss."""

from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

from playground.core.tasks.base import Dataset, Option, TaskSpec
from playground.core.tasks.features import FEATURES, plane_dataset
from playground.core.tasks.toy2d import SAMPLES, TRAIN_FRACTION

OPTIONS = (
    SAMPLES,
    Option("noise", 0.1, "standard deviation of Gaussian noise added to the targets", 0.0, 1.0),
    TRAIN_FRACTION,
    FEATURES,
)

# TensorFlow Playground's six bumps (centres scaled from its [-6, 6] square to ours), with signs.
BUMPS = np.array([
    [-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
    [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1],
], dtype=np.float64) / np.array([6.0, 6.0, 1.0])
BUMP_WIDTH = 0.25  # the standard deviation of each bump


def plane_target(x: np.ndarray) -> np.ndarray:
    """The tilted plane (x1 + x2) / 2, from -1 to 1 over the square."""
    return (x[:, 0] + x[:, 1]) / 2


def gauss_target(x: np.ndarray) -> np.ndarray:
    """Sum over the bumps of sign * exp(-|x - centre|^2 / (2 width^2))."""
    offsets = x[:, None, :] - BUMPS[None, :, :2]
    return (BUMPS[:, 2] * np.exp(-(offsets ** 2).sum(axis=2) / (2 * BUMP_WIDTH ** 2))).sum(axis=1)


def _spec(name: str, description: str, target: Callable[[np.ndarray], np.ndarray]) -> TaskSpec:
    def build(params: Mapping[str, Any], seed: int) -> Dataset:
        rng = np.random.default_rng([seed, 2])
        x = rng.uniform(-1, 1, size=(params["samples"], 2))
        y = target(x) + params["noise"] * rng.normal(size=len(x))
        return plane_dataset(x.astype(np.float32), y, 1, params, seed, regression=True)

    return TaskSpec(name=name, description=description, options=OPTIONS, build=build,
                    classes=lambda params: 1, regression=lambda params: True)


SPECS = (
    _spec("reg-plane", "2-D regression: a tilted plane, target (x1 + x2) / 2 (train with train.loss = mse)",
          plane_target),
    _spec("reg-gauss", "2-D regression: six signed Gaussian bumps added up (train with train.loss = mse)",
          gauss_target),
)
