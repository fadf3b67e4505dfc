"""What a task is: declared options, and a seeded builder of a `Dataset`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from playground.core.base.errors import ConfigError

# A function that draws `n` fresh labelled samples: (rng, n) -> (x, y).
Sampler = Callable[[np.random.Generator, int], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Option:
    """One task option: its type, default, allowed range or choices, and help text."""

    name: str
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    # Open interval: the bounds themselves are not allowed.
    exclusive: bool = False
    # For values that are not one number or name (lists): (key, value) -> the checked value.
    convert: Callable[[str, Any], Any] | None = None

    def coerce(self, task: str, value: Any) -> Any:
        return self.check_value(f"task.{self.name}", value, f" for task {task}")

    def check_value(self, key: str, value: Any, context: str = "") -> Any:
        """`value` converted to the default's type and checked against the choices or range;
        ConfigError names `key` (and `context`) otherwise."""
        if self.convert is not None:
            return self.convert(key, value)
        kind = type(self.default)
        if kind is bool:
            if isinstance(value, str) and value.lower() in ("true", "false"):
                value = value.lower() == "true"
            if not isinstance(value, bool):
                raise ConfigError(f"{key}: expected true or false, got {value!r}")
        elif kind is int:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, str) and value.lstrip("-").isdigit():
                value = int(value)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ConfigError(f"{key}: expected an integer, got {value!r}")
        elif kind is float:
            try:
                if isinstance(value, bool):
                    raise TypeError
                value = float(value)
            except (TypeError, ValueError):
                raise ConfigError(f"{key}: expected a number, got {value!r}") from None
            if not np.isfinite(value):
                raise ConfigError(f"{key}: expected a finite number, got {value!r}")
        elif kind is str:
            if not isinstance(value, str):
                raise ConfigError(f"{key}: expected text, got {value!r}")
        if self.choices is not None and value not in self.choices:
            raise ConfigError(f"{key}: {value!r} is not one of {', '.join(self.choices)}")
        if self.low is not None and self.high is not None:
            if self.exclusive:
                ok = self.low < value < self.high
                allowed = f"strictly between {self.low:g} and {self.high:g}"
            else:
                ok = self.low <= value <= self.high
                allowed = f"between {self.low:g} and {self.high:g}"
            if not ok:
                raise ConfigError(f"{key}: must be {allowed}{context}, got {value!r}")
        return value


TRAIN_FRACTION = Option(
    "train_fraction", 0.8, "share of the data used for training", 0.0, 1.0, exclusive=True
)
RANDOM_LABELS = Option(
    "random_labels", 0.0, "share of training labels replaced by random ones", 0.0, 1.0
)


@dataclass
class Dataset:
    """One member's data. Arrays are float32 inputs (N, d) and int64 class labels (N,), or
    float32 targets (N,) for a regression task (then n_classes = 1, the one output unit)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    # The inputs the probes measure (all of them where the task is finite) and their labels.
    x_probe: np.ndarray
    y_probe: np.ndarray
    # Online tasks draw fresh training samples each batch.
    sampler: Sampler | None = None
    feature_names: tuple[str, ...] = ()
    # Probe inputs are an exact enumeration of a finite, uniform input set (the IB patterns).
    probe_is_full_input_set: bool = False
    regression: bool = False
    # The 2-D tasks' points in the (x1, x2) plane, where the inputs are features of them.
    plane_train: np.ndarray | None = None
    plane_test: np.ndarray | None = None

    @property
    def input_dim(self) -> int:
        return int(self.x_train.shape[1])

    def plane(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Train and test points in the (x1, x2) plane: the task's own, or the inputs
        themselves where there are two; None for other tasks."""
        if self.plane_train is not None and self.plane_test is not None:
            return self.plane_train, self.plane_test
        if self.input_dim == 2:
            return self.x_train, self.x_test
        return None


@dataclass(frozen=True)
class TaskSpec:
    name: str
    description: str
    options: tuple[Option, ...]
    build: Callable[[Mapping[str, Any], int], Dataset]
    # Classes as a function of the resolved params (csv needs to read its file).
    classes: Callable[[Mapping[str, Any]], int] = field(default=lambda params: 2)
    # Cross-option checks (e.g. parity's k <= n); raise ConfigError.
    check: Callable[[Mapping[str, Any]], None] = field(default=lambda params: None)
    # Whether the resolved params make it a regression task (a numeric target, mse loss).
    regression: Callable[[Mapping[str, Any]], bool] = field(default=lambda params: False)

    def resolve(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Fill defaults, coerce types, check ranges; unknown options are an error."""
        known = {opt.name: opt for opt in self.options}
        for key in params:
            if key not in known:
                allowed = ", ".join(sorted(known)) or "none"
                raise ConfigError(f"unknown key 'task.{key}' for task {self.name}; allowed: {allowed}")
        resolved = {}
        for opt in self.options:
            resolved[opt.name] = opt.coerce(self.name, params.get(opt.name, opt.default))
        self.check(resolved)
        return resolved

    def n_classes(self, params: Mapping[str, Any]) -> int:
        return self.classes(params)

    def is_regression(self, params: Mapping[str, Any]) -> bool:
        return bool(self.regression(params))


def split_indices(n: int, train_fraction: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A shuffled split with at least one sample on each side."""
    order = rng.permutation(n)
    n_train = int(round(n * train_fraction))
    n_train = min(max(n_train, 1), n - 1)
    return np.sort(order[:n_train]), np.sort(order[n_train:])


def randomise_labels(y: np.ndarray, fraction: float, n_classes: int, rng: np.random.Generator) -> np.ndarray:
    """Replace a `fraction` of labels (chosen at random) with uniformly random classes."""
    if fraction <= 0:
        return y
    y = y.copy()
    count = int(round(fraction * len(y)))
    chosen = rng.choice(len(y), size=count, replace=False)
    y[chosen] = rng.integers(0, n_classes, size=count)
    return y


def finite_dataset(
    x: np.ndarray,
    y: np.ndarray,
    n_classes: int,
    params: Mapping[str, Any],
    seed: int,
    plane: np.ndarray | None = None,
    regression: bool = False,
    **extra: Any,
) -> Dataset:
    """Split a fixed dataset by the seed and apply random labels to its training part.

    `plane`: each sample's (x1, x2) point where `x` holds features of it, split alike.
    `regression`: `y` is a numeric target (float32; random labels do not apply)."""
    rng = np.random.default_rng(seed)
    train, test = split_indices(len(x), params["train_fraction"], rng)
    if regression:
        y = y.astype(np.float32)
        y_train = y[train]
    else:
        y = y.astype(np.int64)
        y_train = randomise_labels(y[train], params.get("random_labels", 0.0), n_classes, rng)
    x = x.astype(np.float32)
    if plane is not None:
        plane = np.asarray(plane, dtype=np.float32)
        extra.update(plane_train=plane[train], plane_test=plane[test])
    return Dataset(
        x_train=x[train],
        y_train=y_train,
        x_test=x[test],
        y_test=y[test],
        n_classes=n_classes,
        x_probe=x,
        y_probe=y,
        regression=regression,
        **extra,
    )
