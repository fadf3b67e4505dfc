"""A few inputs of a task drawn as images, so a student sees what e.g. "permuted" does to a digit."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from playground.core.config import Config
    from playground.core.training.trainer import Trainer


class TaskExamples(NamedTuple):
    images: np.ndarray  # float32 (count, height, width): the inputs as the network sees them
    labels: np.ndarray  # int64 (count,): their labels as the network is trained on them
    name: str  # the task's name, e.g. "digits permuted #1"


def image_shape(features: int) -> tuple[int, int]:
    """A square image where the inputs make one (64 -> 8x8 for digits), else one row."""
    side = math.isqrt(features)
    return (side, side) if side * side == features and side > 1 else (1, features)


def example_images(source: "Trainer | Config", task_index: int, count: int = 8, member: int = 0) -> TaskExamples:
    """The first `count` test inputs of task `task_index` (0-based) of one member.

    `source` is a running Trainer (its own data) or a Config (the data are built for seed
    `train.seed`; member must then be 0). For the permuted family the same test images come
    first in every task, so the images of tasks 1, 2, ... show one digit under each permutation.
    A task's data never change during training, so the app may call this from its own thread.
    """
    from playground.core.config import Config, ConfigError, validate
    from playground.core.training.trainer import build_tasks

    if isinstance(source, Config):
        config = validate(source)
        if member != 0:
            raise ConfigError("example_images: with a config only member 0 (seed train.seed) is built")
        tasks = build_tasks(config, [config.train.seed], "cpu")
    else:
        tasks = source.tasks
    if not 0 <= task_index < len(tasks):
        raise ConfigError(f"example_images: task index {task_index} is outside 0..{len(tasks) - 1}")
    data = tasks[task_index]
    if not 0 <= member < data.members:
        raise ConfigError(f"example_images: member {member} is outside 0..{data.members - 1}")
    count = max(0, min(count, int(data.x_test.shape[1])))
    x = data.x_test[member, :count].detach().cpu().numpy().astype(np.float32)
    y = data.y_test[member, :count].detach().cpu().numpy().astype(np.int64)
    return TaskExamples(x.reshape(count, *image_shape(data.input_dim)), y, data.name)
