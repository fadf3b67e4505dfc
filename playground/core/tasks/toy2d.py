"""Two-dimensional sets in the manner of TensorFlow Playground: circle, xor, gauss, spiral."""

from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

from playground.core.tasks.base import RANDOM_LABELS, Dataset, Option, TaskSpec
from playground.core.tasks.features import FEATURES, plane_dataset

SAMPLES = Option("samples", 500, "number of points", 4, 100_000)
TRAIN_FRACTION = Option("train_fraction", 0.5, "share of the points used for training", 0.0, 1.0, exclusive=True)
COMMON = (
    SAMPLES,
    Option("noise", 0.1, "noise added to the points (0 = clean, 0.5 = very noisy)", 0.0, 1.0),
    TRAIN_FRACTION,
    RANDOM_LABELS,
    FEATURES,
)
CLASSES = Option("classes", 2, "number of classes", 2, 8)


def circle(rng: np.random.Generator, n: int, noise: float, classes: int) -> tuple[np.ndarray, np.ndarray]:
    y = rng.integers(0, 2, size=n)
    radius = np.where(y == 1, rng.uniform(0, 0.5, n), rng.uniform(0.7, 1.0, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return x + noise * rng.normal(size=x.shape), y


def xor(rng: np.random.Generator, n: int, noise: float, classes: int) -> tuple[np.ndarray, np.ndarray]:
    x = rng.uniform(-1, 1, size=(n, 2))
    # Keep points off the axes so the clean labels are unambiguous.
    x += np.sign(x) * 0.05
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    return x + noise * rng.normal(size=x.shape), y


def gauss(rng: np.random.Generator, n: int, noise: float, classes: int) -> tuple[np.ndarray, np.ndarray]:
    y = rng.integers(0, classes, size=n)
    angles = 2 * np.pi * np.arange(classes) / classes + np.pi / 4
    centres = 0.6 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    spread = 0.1 + noise
    return centres[y] + spread * rng.normal(size=(n, 2)), y


def spiral(rng: np.random.Generator, n: int, noise: float, classes: int) -> tuple[np.ndarray, np.ndarray]:
    y = rng.integers(0, classes, size=n)
    t = rng.uniform(0, 1, size=n)
    angle = 1.75 * 2 * np.pi * t + 2 * np.pi * y / classes
    radius = 0.05 + 0.95 * t
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return x + noise * 0.5 * rng.normal(size=x.shape), y


def _spec(name: str, description: str, make: Callable, with_classes: bool) -> TaskSpec:
    options = COMMON + ((CLASSES,) if with_classes else ())

    def build(params: Mapping[str, Any], seed: int) -> Dataset:
        classes = params.get("classes", 2)
        # The points depend on the seed too: each member sees its own sample, as a rerun would.
        rng = np.random.default_rng([seed, 2])
        x, y = make(rng, params["samples"], params["noise"], classes)
        return plane_dataset(x.astype(np.float32), y.astype(np.int64), classes, params, seed)

    return TaskSpec(name=name, description=description, options=options, build=build,
                    classes=lambda params: params.get("classes", 2))


SPECS = (
    _spec("circle", "2-D: a disc inside a ring (TensorFlow Playground's circle)", circle, False),
    _spec("xor", "2-D: the four quadrants, xor of the signs", xor, False),
    _spec("gauss", "2-D: Gaussian clusters, one per class", gauss, True),
    _spec("spiral", "2-D: interleaved spiral arms, one per class", spiral, True),
)
