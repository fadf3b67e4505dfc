"""k-sparse parity (Shalev-Shwartz, Shamir & Shammah 2017): y = product of x over a hidden subset."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from playground.core.base.errors import ConfigError
from playground.core.tasks.base import RANDOM_LABELS, Dataset, Option, TaskSpec, randomise_labels

OPTIONS = (
    Option("n", 10, "number of input bits", 1, 200),
    Option("k", 0, "size of the hidden subset; 0 = about n/2", 0, 200),
    Option("subset_seed", 0, "seed that picks the hidden subset (shared by all ensemble members)", 0, 2**31 - 1),
    Option("online", True, "fresh samples every batch (as in the paper); false = a fixed sample set"),
    Option("samples", 2000, "training samples (fixed set, and the set train accuracy is measured on)", 2, 10_000_000),
    Option("test_samples", 1000, "test samples", 1, 10_000_000),
    RANDOM_LABELS,
)


def subset_size(params: Mapping[str, Any]) -> int:
    return params["k"] if params["k"] > 0 else max(1, params["n"] // 2)


def hidden_subset(params: Mapping[str, Any]) -> np.ndarray:
    rng = np.random.default_rng(params["subset_seed"])
    return np.sort(rng.choice(params["n"], size=subset_size(params), replace=False))


def parity_labels(x: np.ndarray, subset: np.ndarray) -> np.ndarray:
    """Class 1 where the product over the subset is +1, class 0 where it is -1."""
    product = np.prod(x[:, subset], axis=1)
    return (product > 0).astype(np.int64)


def _check(params: Mapping[str, Any]) -> None:
    if params["k"] > params["n"]:
        raise ConfigError(
            f"task.k: the parity subset ({params['k']}) cannot be larger than n ({params['n']})"
        )
    if params["online"] and params["random_labels"] > 0:
        raise ConfigError("task.random_labels: needs task.online = false (a fixed sample set)")


def build(params: Mapping[str, Any], seed: int) -> Dataset:
    n = params["n"]
    subset = hidden_subset(params)
    rng = np.random.default_rng(seed)

    def draw(generator: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
        x = generator.choice(np.array([-1.0, 1.0], dtype=np.float32), size=(count, n))
        return x, parity_labels(x, subset)

    x_train, y_train = draw(rng, params["samples"])
    x_test, y_test = draw(rng, params["test_samples"])
    y_train_used = randomise_labels(y_train, params["random_labels"], 2, rng)
    return Dataset(
        x_train=x_train,
        y_train=y_train_used,
        x_test=x_test,
        y_test=y_test,
        n_classes=2,
        x_probe=np.concatenate([x_train, x_test]),
        y_probe=np.concatenate([y_train, y_test]),
        sampler=draw if params["online"] else None,
        feature_names=tuple(f"x{i}" for i in range(n)),
    )


SPEC = TaskSpec(
    name="parity",
    description="k-sparse parity of n bits in {-1,+1}: where gradient descent fails as n grows",
    options=OPTIONS,
    build=build,
    check=_check,
)
