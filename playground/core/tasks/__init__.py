"""The task registry: name -> TaskSpec."""

from __future__ import annotations

from playground.core.base.errors import ConfigError
from playground.core.tasks import csvdata, digits, drawn, ib, modes, parity, regression, toy2d
from playground.core.tasks.base import Dataset, Option, TaskSpec

TASKS: dict[str, TaskSpec] = {}


def register(spec: TaskSpec) -> TaskSpec:
    TASKS[spec.name] = spec
    return spec


for _spec in (ib.SPEC, parity.SPEC, *toy2d.SPECS, *regression.SPECS, drawn.SPEC, csvdata.SPEC,
              csvdata.REGRESSION_SPEC, digits.SPEC, modes.SPEC):
    register(_spec)


def get_task(name: str) -> TaskSpec:
    if name not in TASKS:
        raise ConfigError(f"task.name: unknown task {name!r}; allowed: {', '.join(sorted(TASKS))}")
    return TASKS[name]


__all__ = ["TASKS", "Dataset", "Option", "TaskSpec", "get_task", "register"]
