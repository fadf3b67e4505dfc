"""Modes: data whose input-output correlation has chosen singular values (Saxe, McClelland &
Ganguli 2014, "Exact solutions to the nonlinear dynamics of learning in deep linear networks").

Items are the rows of a Sylvester-Hadamard matrix without its constant column, so the inputs
are +-1, have zero mean and are white (Sigma_xx = I). Mode k maps input feature k to the
output direction a_k (column k of a Hadamard matrix over the classes, a contrast between
classes). Each item carries class labels in proportions q_i = 1/C + sum_k s_k a_k h_ik, so
under the squared loss against one-hot targets Sigma_yx = E[onehot(y) x^T] = sum_k s_k a_k e_k^T:
its singular values are the chosen strengths s_k. Proportions are realised by `copies` copies
of each item; the strengths the data really has (after rounding) are `mode_svd(...)`'s.

`mode_strengths.ModeStrengthHook` follows each mode's strength u_k = e_k^T W1 W2 a_k during training and the
half-way time Saxe et al. predict for a one-hidden-layer linear network from a small start u0:
t = ln(s/u0 - 1) / (2 s lr) steps.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from playground.core.base.errors import ConfigError
from playground.core.tasks.base import Dataset, Option, TaskSpec

if TYPE_CHECKING:
    from playground.core.config import Config


def hadamard(size: int) -> np.ndarray:
    """Sylvester's Hadamard matrix of a power-of-two size: +-1 entries, orthogonal columns."""
    h = np.ones((1, 1))
    while h.shape[0] < size:
        h = np.block([[h, h], [h, -h]])
    return h


def parse_strengths(text: str) -> np.ndarray:
    try:
        values = np.array([float(v) for v in str(text).split(",") if v.strip()])
    except ValueError:
        raise ConfigError(f"task.strengths: expected numbers separated by commas, got {text!r}") from None
    if values.size == 0 or np.any(values <= 0) or not np.all(np.isfinite(values)):
        raise ConfigError(f"task.strengths: expected positive numbers separated by commas, got {text!r}")
    return values


def target_proportions(params: Mapping[str, Any]) -> np.ndarray:
    """Class proportions of each item, (items, classes), before rounding to copies."""
    s = parse_strengths(params["strengths"])
    classes, items = params["classes"], params["items"]
    h_items = hadamard(items)
    a = hadamard(classes) / math.sqrt(classes)
    q = np.full((items, classes), 1.0 / classes)
    for k, strength in enumerate(s, start=1):
        q += strength * np.outer(h_items[:, k], a[:, k])
    return q


def _check(params: Mapping[str, Any]) -> None:
    s = parse_strengths(params["strengths"])
    for key in ("classes", "items"):
        size = params[key]
        if size & (size - 1):
            raise ConfigError(f"task.{key}: must be a power of two, got {size}")
    if len(s) > params["classes"] - 1 or len(s) > params["items"] - 1:
        raise ConfigError(
            f"task.strengths: {len(s)} modes need at least {len(s) + 1} classes and items; "
            f"have {params['classes']} classes and {params['items']} items"
        )
    if target_proportions(params).min() < -1e-9:
        most = 1.0 / math.sqrt(params["classes"])
        raise ConfigError(
            f"task.strengths: too strong for {params['classes']} classes (a class share would be "
            f"negative); keep their sum at most {most:.3g}"
        )


def item_labels(params: Mapping[str, Any]) -> np.ndarray:
    """Labels of the `copies` copies of each item, (items, copies): each class as often as
    its proportion, rounded by largest remainders."""
    copies = params["copies"]
    q = np.clip(target_proportions(params), 0, None)
    labels = []
    for row in q:
        counts = np.floor(row * copies).astype(int)
        short = copies - counts.sum()
        counts[np.argsort(-(row * copies - counts), kind="stable")[:short]] += 1
        labels.append(np.repeat(np.arange(len(row)), counts))
    return np.stack(labels)


def build(params: Mapping[str, Any], seed: int) -> Dataset:
    items, copies = params["items"], params["copies"]
    x_items = hadamard(items)[:, 1:].astype(np.float32)
    x = np.repeat(x_items, copies, axis=0)
    y = item_labels(params).reshape(-1).astype(np.int64)
    # The data is the whole population: the test set is the same items and labels.
    return Dataset(
        x_train=x, y_train=y, x_test=x.copy(), y_test=y.copy(), n_classes=params["classes"],
        x_probe=x_items, y_probe=np.argmax(target_proportions(params), axis=1).astype(np.int64),
        feature_names=tuple(f"h{i}" for i in range(1, items)),
    )


def mode_svd(x: np.ndarray, y: np.ndarray, classes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SVD of Sigma_yx = E[onehot(y) (x - mean x)^T] of a data set: (U (C, r), s (r,), V (d, r)),
    strongest first, only the modes with s > 1e-9."""
    onehot = np.eye(classes)[y]
    sigma = onehot.T @ (x - x.mean(axis=0)) / len(x)
    u, s, vt = np.linalg.svd(sigma, full_matrices=False)
    keep = s > 1e-9
    # Flipping both singular vectors of a mode leaves its strength unchanged: no sign convention needed.
    return u[:, keep], s[keep], vt[keep].T


def halfway_time(s: float | np.ndarray, u0: float | np.ndarray, lr: float) -> np.ndarray:
    """Saxe et al.'s time (in steps) for a mode of strength s to reach s/2 from u0 << s:
    ln(s/u0 - 1) / (2 s lr). Zero where u0 >= s/2 already."""
    s, u0 = np.asarray(s, dtype=float), np.asarray(u0, dtype=float)
    ratio = np.maximum(s / np.maximum(u0, 1e-300) - 1.0, 1.0)
    return np.log(ratio) / (2.0 * s * lr)


def mode_strengths(w1: np.ndarray, w2: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """u_k = v_k^T W1 W2 u_k for each member: w1 (E, d, H), w2 (E, H, C) -> (E, r)."""
    a = np.einsum("edh,dr->erh", w1, v)  # the hidden-side vector of each input mode
    b = np.einsum("ehc,cr->erh", w2, u)  # the hidden-side vector of each output mode
    return np.einsum("erh,erh->er", a, b)


def effective_start(w1: np.ndarray, w2: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The small initial strength u0 a random start behaves like: |a0 + b0|^2 / 4.

    Early on (u << s) a + b grows as exp(s t) and a - b decays, so u = a.b follows the
    balanced solution started from |a0 + b0|^2 / 4."""
    a = np.einsum("edh,dr->erh", w1, v)
    b = np.einsum("ehc,cr->erh", w2, u)
    return np.sum((a + b) ** 2, axis=-1) / 4.0


def observed_halfway(steps: np.ndarray, strength: np.ndarray, s: float) -> float:
    """First step at which `strength` reaches s/2, interpolated linearly; NaN if never."""
    above = np.flatnonzero(strength >= s / 2)
    if above.size == 0:
        return float("nan")
    i = above[0]
    if i == 0:
        return float(steps[0])
    s0, s1 = strength[i - 1], strength[i]
    return float(steps[i - 1] + (s / 2 - s0) / (s1 - s0) * (steps[i] - steps[i - 1]))


def check_mode_network(config: Config) -> None:
    net = config.network
    activations = net.layer_activations or (net.activation,) * len(net.hidden)
    if config.task.name != "modes":
        raise ConfigError(f"hooks.modes: needs task.name = 'modes', got {config.task.name!r}")
    if len(net.hidden) != 1 or activations[0] != "linear":
        raise ConfigError("hooks.modes: the half-way prediction holds for one hidden layer with linear activation")
    if config.train.loss != "mse" or config.train.optimizer != "sgd" or config.train.momentum != 0:
        raise ConfigError("hooks.modes: the prediction is for plain gradient descent on the squared loss "
                          "(train.loss = 'mse', train.optimizer = 'sgd', train.momentum = 0)")


SPEC = TaskSpec(
    name="modes",
    description="Items with chosen singular modes of the input-output correlation (Saxe, McClelland & Ganguli)",
    options=(
        Option("strengths", "0.3,0.15,0.05", "singular values of the modes, strongest first, separated by commas"),
        Option("classes", 4, "number of classes (a power of two; at least modes + 1)", 2, 64),
        Option("items", 8, "number of distinct inputs (a power of two; inputs = items - 1)", 2, 1024),
        Option("copies", 40, "copies of each item, labelled in the target proportions", 1, 100_000),
    ),
    build=build,
    classes=lambda params: params["classes"],
    check=_check,
)
