"""`validate()`: the single gate for bad config values."""

from __future__ import annotations

from dataclasses import replace

from playground.core.base.errors import ConfigError
from playground.core.config.continual import check_continual
from playground.core.config.schema import SETTINGS, Config, TaskConfig, get_setting
from playground.core.config.stopping import StopTarget, parse_stop_at
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
    stop_target = parse_stop_at(cfg.train.stop_at)
    if spec.is_regression(params):
        check_regression(cfg, stop_target)
    if cfg.train.loss == "hinge" and spec.n_classes(params) != 2:
        raise ConfigError(
            f"train.loss: hinge needs a two-class task; {cfg.task.name} has "
            f"{spec.n_classes(params)} classes"
        )
    # The continual methods' Fisher runs its own standard forward pass.
    if cfg.continual.tasks > 1 and net.parameterisation != "standard":
        raise ConfigError("network.parameterisation: 'ntk' works only with continual.tasks = 1")
    check_continual(cfg, spec, params)
    return replace(cfg, task=TaskConfig(name=cfg.task.name, params=params))


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


def check_regression(cfg: Config, stop_target: StopTarget | None) -> None:
    """A regression task (a numeric target) trains one linear output unit on the mse loss."""
    name = cfg.task.name
    _check(cfg.train.loss == "mse", f"train.loss: {name} is a regression task (a numeric target); "
                                    f"it needs mse, not {cfg.train.loss!r}")
    _check(not cfg.probes.enabled, f"probes.enabled: the probes measure class labels; {name} is a regression task")
    _check(cfg.continual.tasks == 1, f"continual.tasks: sequences of tasks need classes; {name} is a regression task")
    _check(stop_target is None or stop_target.metric != "test_acc",
           f"train.stop_at: {name} is a regression task, with no accuracy; use \"train_loss <= ...\"")
