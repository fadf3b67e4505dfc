"""The 8x8 handwritten digits (UCI, Alpaydin & Kaynak; see resources/DIGITS_LICENSE.md).

1,797 images of 64 pixels scaled from 0..16 to [0, 1], ten classes. The split is stratified:
every class keeps the same share in training, so the number of training images of each digit
does not depend on the seed (sequences of class subsets then stack across ensemble members).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

import numpy as np

from playground.core.tasks.base import RANDOM_LABELS, TRAIN_FRACTION, Dataset, TaskSpec, randomise_labels

FILE = "digits.npz"
SIDE = 8
N_CLASSES = 10


@lru_cache(maxsize=1)
def digits_data() -> tuple[np.ndarray, np.ndarray]:
    """Pixels (1797, 64) float32 in [0, 1] and labels (1797,) int64, read-only."""
    from playground.core.base.resources import resource_path

    path = resource_path(FILE)
    with np.load(path) as archive:
        images, labels = archive["images"], archive["labels"]
    x = (images.reshape(len(images), SIDE * SIDE).astype(np.float32) / 16.0)
    y = labels.astype(np.int64)
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


def stratified_split(y: np.ndarray, train_fraction: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Per class, a shuffled `train_fraction` for training (at least one image each side)."""
    train, test = [], []
    for c in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == c))
        n_train = min(max(int(round(len(members) * train_fraction)), 1), len(members) - 1)
        train.append(members[:n_train])
        test.append(members[n_train:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def build(params: Mapping[str, Any], seed: int) -> Dataset:
    x, y = digits_data()
    rng = np.random.default_rng(seed)
    train, test = stratified_split(y, params["train_fraction"], rng)
    y_train = randomise_labels(y[train], params["random_labels"], N_CLASSES, rng)
    return Dataset(
        x_train=x[train].copy(),
        y_train=y_train,
        x_test=x[test].copy(),
        y_test=y[test].copy(),
        n_classes=N_CLASSES,
        x_probe=x.copy(),
        y_probe=y.copy(),
        feature_names=tuple(f"p{r}{c}" for r in range(SIDE) for c in range(SIDE)),
    )


SPEC = TaskSpec(
    name="digits",
    description="8x8 handwritten digits, 1,797 images of 64 pixels in [0, 1], 10 classes (UCI, Alpaydin & Kaynak)",
    options=(TRAIN_FRACTION, RANDOM_LABELS),
    build=build,
    classes=lambda params: N_CLASSES,
)
