"""`train.stop_at`: a target that ends a run early, written as the comparison it means,
"test_acc >= 0.95" or "train_loss <= 0.05" (empty = train all epochs).

Checked after every epoch on the ensemble's mean: the test accuracy over the test set, or the
loss over the whole training set (not the epoch's batches, so batch order does not matter)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from playground.core.base.errors import ConfigError

# Each metric with the one comparison that makes sense for it.
TARGETS = {"test_acc": ">=", "train_loss": "<="}
TARGET_REACHED = "target reached"
_PATTERN = re.compile(r"^\s*([a-z_]+)\s*([<>]=?)\s*(\S+)\s*$")
EXAMPLE = '"test_acc >= 0.95" or "train_loss <= 0.05"'


@dataclass(frozen=True)
class StopTarget:
    metric: str  # "test_acc" or "train_loss"
    threshold: float

    def reached(self, value: float) -> bool:
        return value >= self.threshold if self.metric == "test_acc" else value <= self.threshold


def parse_stop_at(text: str) -> StopTarget | None:
    """The target that `train.stop_at` names, None when empty; ConfigError when unclear."""
    if not text.strip():
        return None
    match = _PATTERN.match(text)
    if not match:
        raise ConfigError(f"train.stop_at: {text!r} is not a target; write {EXAMPLE} (empty = no target)")
    metric, op, number = match.groups()
    if metric not in TARGETS:
        raise ConfigError(f"train.stop_at: unknown metric {metric!r}; allowed: {', '.join(TARGETS)} ({EXAMPLE})")
    if op != TARGETS[metric]:
        raise ConfigError(f"train.stop_at: {metric} takes {TARGETS[metric]}, not {op} ({EXAMPLE})")
    try:
        threshold = float(number)
    except ValueError:
        raise ConfigError(f"train.stop_at: {number!r} is not a number ({EXAMPLE})") from None
    if metric == "test_acc" and not 0 < threshold <= 1:
        raise ConfigError(f"train.stop_at: a test accuracy is a fraction, between 0 (excluded) and 1, got {number}")
    if metric == "train_loss" and not (math.isfinite(threshold) and threshold > 0):
        raise ConfigError(f"train.stop_at: the train loss target must be a number > 0, got {number}")
    return StopTarget(metric, threshold)
