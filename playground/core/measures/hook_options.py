"""Small helpers the measures' hooks share: list options given as text, and when to measure.

Hook options are scalars (see hook_kinds.HookOption), so a list of values is written as text,
"0, 0.05, 0.1", and checked here into numbers or names with the key named on error."""

from __future__ import annotations

from playground.core.config import ConfigError

# The ways on after pruning (measures/pruning.py), here so that checking a lesson needs no torch.
PRUNING_METHODS = ("none", "finetune", "rewind", "reinit")


def parse_numbers(key: str, text: str, low: float, high: float) -> tuple[float, ...]:
    """"0, 0.05, 0.1" -> (0.0, 0.05, 0.1), each within [low, high]; ConfigError names `key`."""
    parts = [p.strip() for p in str(text).split(",") if p.strip()]
    if not parts:
        raise ConfigError(f"{key}: expected numbers separated by commas, got {text!r}")
    values = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            raise ConfigError(f"{key}: {part!r} is not a number (in {text!r})") from None
        if not low <= value <= high:
            raise ConfigError(f"{key}: {value:g} is not between {low:g} and {high:g}")
        values.append(value)
    return tuple(values)


def parse_names(key: str, text: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """"none, rewind" -> ("none", "rewind"), each one of `allowed`."""
    names = tuple(p.strip() for p in str(text).split(",") if p.strip())
    if not names:
        raise ConfigError(f"{key}: expected names separated by commas, from {', '.join(allowed)}")
    for name in names:
        if name not in allowed:
            raise ConfigError(f"{key}: {name!r} is not one of {', '.join(allowed)}")
    return names


def due(trainer, record, every: int) -> bool:
    """At the run's last epoch, and every `every` epochs when `every` > 0."""
    return record.epoch >= trainer.total_epochs or bool(every and record.epoch % every == 0)
