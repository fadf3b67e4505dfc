"""`validate()`: the single gate for bad config values."""

from __future__ import annotations

from dataclasses import replace

from playground.core.base.errors import ConfigError
from playground.core.config.continual import check_continual
from playground.core.config.schema import SETTINGS, Config, TaskConfig, get_setting
from playground.core.tasks import get_task


def validate(cfg: Config) -> Config:
    """Check every value; return the config with the task's defaults filled in."""
    for key, rule in SETTINGS.items():
        rule.check(key, get_setting(cfg, key))
    net = cfg.network
    if net.layer_activations and len(net.layer_activations) != len(net.hidden):
        raise ConfigError(
            f"network.layer_activations: needs one name per hidden layer "
            f"({len(net.hidden)}), got {len(net.layer_activations)}"
        )
    spec = get_task(cfg.task.name)
    params = spec.resolve(cfg.task.params)
    if cfg.train.loss == "hinge" and spec.n_classes(params) != 2:
        raise ConfigError(
            f"train.loss: hinge needs a two-class task; {cfg.task.name} has "
            f"{spec.n_classes(params)} classes"
        )
    check_continual(cfg, spec, params)
    return replace(cfg, task=TaskConfig(name=cfg.task.name, params=params))
