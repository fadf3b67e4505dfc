"""The one place a run's hooks are assembled from its config and a lesson's hook tables.

The CLI, the sweep, the app's training session and the scripts all call `run_hooks` (or
`build_trainer`), so a run trains the same plug-ins in the same order wherever it starts.
"""

from __future__ import annotations

from typing import Any, Mapping

from playground.core.config import Config, validate
from playground.core.continual.methods import continual_hooks
from playground.core.measures import hook_kinds
from playground.core.measures.probes import probe_hooks
from playground.core.training.hooks import TrainerHook
from playground.core.training.trainer import Trainer

HookSettings = Mapping[str, Mapping[str, Any]]


def run_hooks(config: Config, hook_settings: HookSettings | None = None) -> list[TrainerHook]:
    """The continual remedy and evaluation, the probes, then the lesson's hooks, in that order."""
    hooks: list[TrainerHook] = []
    if config.continual.tasks > 1:
        hooks.extend(continual_hooks(config))
    if config.probes.enabled:
        hooks.extend(probe_hooks(config))
    if hook_settings:
        hooks.extend(hook_kinds.build_hooks(hook_settings, config))
    return hooks


def build_trainer(config: Config, hook_settings: HookSettings | None = None) -> Trainer:
    """A trainer with every hook its config and lesson ask for."""
    config = validate(config)
    return Trainer(config, hooks=run_hooks(config, hook_settings))
