"""The settings panel's decisions without Qt: which task options the simple panel shows (the
simple panel: the task and its main options, depth, width, activation, learning rate, batch
size; everything else is advanced), what the
hidden (advanced) ones are set to in one line, what the Width slider's caption says, and the
widths a Hidden layers or Width change makes."""

from __future__ import annotations

from playground.core.config import Config

# Task options that only the advanced panel shows: seeds and the finer points of a data file.
ADVANCED_TASK_OPTIONS = ("subset_seed", "test_samples", "standardize", "label_column")


def is_advanced_task_option(name: str) -> bool:
    return name in ADVANCED_TASK_OPTIONS or name.endswith("seed")


def advanced_summary(config: Config) -> str:
    """The advanced settings in one line, so that the simple panel hides nothing silently."""
    train, network = config.train, config.network
    parts = [f"{train.optimizer}", f"{train.epochs} epochs", f"seed {train.seed}"]
    if train.optimizer == "sgd" and train.momentum:
        parts.append(f"momentum {train.momentum:g}")
    if train.weight_decay:
        parts.append(f"weight decay {train.weight_decay:g}")
    if network.init == "meanfield":
        parts.append(f"σw² {network.sw2:g}, σb² {network.sb2:g}")
    elif network.init != "default":
        parts.append(f"init {network.init}")
    if train.ensemble > 1:
        parts.append(f"ensemble of {train.ensemble}")
    if train.loss != "cross_entropy":
        parts.append(f"{train.loss} loss")
    if config.continual.tasks > 1:
        parts.append(f"{config.continual.tasks} tasks in turn ({config.continual.method})")
    if config.probes.enabled:
        parts.append(f"probes ({config.probes.estimator})")
    if train.device != "cpu":
        parts.append(f"device {train.device}")
    return ", ".join(parts)


def width_caption(widths: tuple[int, ...]) -> str:
    """What the Width slider's caption says: the width of every layer, or their range when
    they differ; never the slider's end when the widths are beyond it."""
    if not widths:
        return "–"
    low, high = min(widths), max(widths)
    return str(low) if low == high else f"{low}–{high}"


def widths_for_depth(widths: tuple[int, ...], depth: int, fallback: int) -> tuple[int, ...]:
    """The widths after Hidden layers is set to `depth`: every layer as wide as the first
    (`fallback` when there was no layer), the true width even beyond the slider's end."""
    width = widths[0] if widths else fallback
    return (width,) * depth
