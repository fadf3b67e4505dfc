"""A task's data for a whole ensemble: each member's Dataset stacked on the device."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from playground.core.tasks.base import Dataset, Sampler


@dataclass
class TaskData:
    """Tensors of shape (members, samples, ...) for one task of a run."""

    name: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    x_probe: torch.Tensor
    y_probe: torch.Tensor
    n_classes: int
    samplers: list[Sampler] | None = None
    # Output units this task may use (task-incremental heads); None = all of them.
    class_mask: torch.Tensor | None = None
    datasets: Sequence[Dataset] = ()
    probe_is_full_input_set: bool = False
    # y holds float targets (one output unit, mse), not class labels.
    regression: bool = False

    @property
    def members(self) -> int:
        return int(self.x_train.shape[0])

    @property
    def input_dim(self) -> int:
        return int(self.x_train.shape[2])

    @property
    def n_train(self) -> int:
        return int(self.x_train.shape[1])


def stack_datasets(name: str, datasets: Sequence[Dataset], device: torch.device | str) -> TaskData:
    def stack(attr: str, dtype: torch.dtype) -> torch.Tensor:
        return torch.as_tensor(np.stack([getattr(d, attr) for d in datasets]), dtype=dtype, device=device)

    first = datasets[0]
    samplers = [d.sampler for d in datasets] if first.sampler is not None else None
    y_type = torch.float32 if first.regression else torch.int64
    return TaskData(
        name=name,
        x_train=stack("x_train", torch.float32),
        y_train=stack("y_train", y_type),
        x_test=stack("x_test", torch.float32),
        y_test=stack("y_test", y_type),
        x_probe=stack("x_probe", torch.float32),
        y_probe=stack("y_probe", y_type),
        n_classes=max(d.n_classes for d in datasets),
        samplers=samplers,
        datasets=list(datasets),
        probe_is_full_input_set=first.probe_is_full_input_set,
        regression=first.regression,
    )
