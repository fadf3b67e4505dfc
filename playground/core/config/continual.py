"""Checks of `config.continual` against the task, run by `config.validate` (no torch here)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Mapping

from playground.core.base.errors import ConfigError

if TYPE_CHECKING:
    from playground.core.config import Config
    from playground.core.tasks.base import TaskSpec


def check_continual(cfg: "Config", spec: "TaskSpec", params: Mapping[str, Any]) -> None:
    co = cfg.continual
    if co.tasks == 1:
        if co.method != "none":
            raise ConfigError(
                f"continual.method: {co.method!r} needs a sequence of tasks; set continual.tasks to 2 or more"
            )
        return
    if co.method == "replay" and co.replay_size < 1:
        raise ConfigError("continual.replay_size: replay needs a buffer of at least 1 sample")
    if co.scenario != "domain" and cfg.train.loss == "hinge":
        raise ConfigError(
            f"train.loss: hinge has a single output unit; the {co.scenario!r} scenario needs "
            f"cross_entropy (or use continual.scenario = domain)"
        )
    if co.scenario == "task" and cfg.train.loss == "mse":
        raise ConfigError(
            "train.loss: mse scores every output unit, so the 'task' scenario (one head per task) "
            "needs cross_entropy"
        )
    classes = spec.n_classes(params)
    if co.family == "split" and classes < 2 * co.tasks:
        raise ConfigError(
            f"continual.tasks: the split family gives each task a pair of classes, so {co.tasks} tasks "
            f"need {2 * co.tasks} classes; task {cfg.task.name} has {classes} "
            f"(at most {classes // 2} tasks)"
        )
    if co.family == "parity":
        if cfg.task.name != "parity":
            raise ConfigError(
                f"continual.family: 'parity' needs task.name = parity (a different hidden subset per "
                f"task), got {cfg.task.name!r}; use family 'permuted' or 'split' for other tasks"
            )
        if co.scenario != "task":
            raise ConfigError(
                f"continual.scenario: the parity tasks share their inputs and their labels 0/1, so only "
                f"the 'task' scenario (one head per task, the task known) can tell them apart, "
                f"not {co.scenario!r}"
            )
        k = params["k"] if params["k"] > 0 else max(1, params["n"] // 2)
        if math.comb(params["n"], k) < co.tasks:
            raise ConfigError(
                f"continual.tasks: parity with n={params['n']}, k={k} has only {math.comb(params['n'], k)} "
                f"different hidden subsets, fewer than {co.tasks} tasks"
            )
