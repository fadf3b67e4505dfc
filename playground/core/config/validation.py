"""`validate()`: the single gate for bad config values."""

from __future__ import annotations

from dataclasses import replace

from playground.core.base.errors import ConfigError
from playground.core.config.continual import check_continual
from playground.core.config.schema import (
    ACTIVATIONS, DEVICES, ESTIMATORS, FAMILIES, INITS, LOSSES, METHODS, OPTIMIZERS, SCENARIOS, SCHEDULES,
    Config, TaskConfig,
)
from playground.core.config.schema import PARAMETERISATIONS
from playground.core.tasks import get_task


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


def _choice(key: str, value: str, allowed: tuple[str, ...]) -> None:
    _check(value in allowed, f"{key}: {value!r} is not one of {', '.join(allowed)}")


def _between(key: str, value: float, low: float, high: float) -> None:
    _check(low <= value <= high, f"{key}: must be between {low:g} and {high:g}, got {value:g}")


def validate(cfg: Config) -> Config:
    """Check every value; return the config with the task's defaults filled in."""
    net, tr, pr, co = cfg.network, cfg.train, cfg.probes, cfg.continual
    _check(len(net.hidden) <= 64, f"network.hidden: at most 64 layers, got {len(net.hidden)}")
    for width in net.hidden:
        _between("network.hidden (each width)", width, 1, 4096)
    _choice("network.activation", net.activation, ACTIVATIONS)
    if net.layer_activations:
        _check(
            len(net.layer_activations) == len(net.hidden),
            f"network.layer_activations: needs one name per hidden layer "
            f"({len(net.hidden)}), got {len(net.layer_activations)}",
        )
        for act in net.layer_activations:
            _choice("network.layer_activations", act, ACTIVATIONS)
    _choice("network.init", net.init, INITS)
    _between("network.sw2", net.sw2, 0.0, 100.0)
    _between("network.sb2", net.sb2, 0.0, 100.0)
    _choice("network.parameterisation", net.parameterisation, PARAMETERISATIONS)

    _choice("train.optimizer", tr.optimizer, OPTIMIZERS)
    _check(0 < tr.lr <= 100, f"train.lr: must be > 0 and <= 100, got {tr.lr:g}")
    _between("train.momentum", tr.momentum, 0.0, 0.999)
    _between("train.weight_decay", tr.weight_decay, 0.0, 10.0)
    _between("train.batch_size", tr.batch_size, 1, 1_000_000)
    _between("train.epochs", tr.epochs, 1, 10_000_000)
    _between("train.steps_per_epoch", tr.steps_per_epoch, 0, 1_000_000)
    _choice("train.loss", tr.loss, LOSSES)
    _between("train.seed", tr.seed, 0, 2**31 - 1)
    _between("train.ensemble", tr.ensemble, 1, 1000)
    _choice("train.device", tr.device, DEVICES)
    _between("train.threads", tr.threads, 1, 256)
    _choice("train.eval_schedule", tr.eval_schedule, SCHEDULES)
    _between("train.eval_points", tr.eval_points, 2, 1_000_000)
    _between("train.adversarial_eps", tr.adversarial_eps, 0.0, 1.0)

    _choice("probes.estimator", pr.estimator, ESTIMATORS)
    _between("probes.bins", pr.bins, 2, 10_000)
    _between("probes.adaptive_bins", pr.adaptive_bins, 2, 10_000)
    _check(pr.kde_noise_var > 0, f"probes.kde_noise_var: must be > 0, got {pr.kde_noise_var:g}")
    _choice("probes.schedule", pr.schedule, SCHEDULES)
    _between("probes.points", pr.points, 2, 1_000_000)
    _between("probes.histogram_bins", pr.histogram_bins, 2, 1000)

    _between("continual.tasks", co.tasks, 1, 100)
    _choice("continual.family", co.family, FAMILIES)
    _choice("continual.scenario", co.scenario, SCENARIOS)
    _between("continual.epochs_per_task", co.epochs_per_task, 0, 10_000_000)
    _choice("continual.method", co.method, METHODS)
    _check(co.ewc_lambda >= 0, f"continual.ewc_lambda: must be >= 0, got {co.ewc_lambda:g}")
    _check(co.si_c >= 0, f"continual.si_c: must be >= 0, got {co.si_c:g}")
    _between("continual.online_gamma", co.online_gamma, 0.0, 1.0)
    _between("continual.replay_size", co.replay_size, 0, 1_000_000)
    _between("continual.eval_every", co.eval_every, 1, 1_000_000)
    # The continual methods' Fisher runs its own standard forward pass.
    _check(co.tasks == 1 or net.parameterisation == "standard",
           "network.parameterisation: 'ntk' works only with continual.tasks = 1")

    spec = get_task(cfg.task.name)
    params = spec.resolve(cfg.task.params)
    if tr.loss == "hinge":
        _check(
            spec.n_classes(params) == 2,
            f"train.loss: hinge needs a two-class task; {cfg.task.name} has "
            f"{spec.n_classes(params)} classes",
        )
    check_continual(cfg, spec, params)
    return replace(cfg, task=TaskConfig(name=cfg.task.name, params=params))
