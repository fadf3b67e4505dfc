"""The memory a run needs, estimated from its shapes before anything is allocated, and the
check that refuses a run the machine cannot hold (a one-line ConfigError instead of an
allocator traceback minutes later).

Counted (float32 tensors, int64 labels; every member):
    weights      the ensemble's parameters
    gradients    one more copy (they persist between steps)
    optimizer    Adam's two moments and step counters, SGD's momentum buffer, a continual
                 remedy's anchors, importances and replay pool
    activations  one training step: what autograd saves for the backward pass (the batch,
                 every layer's output) plus the widest layer's transient output and gradient
    evaluation   a forward pass over the largest evaluated set (train, test, probe inputs,
                 the decision-boundary grid); all layers at once where the probes keep them
    data         the stacked data sets, the per-member arrays they were stacked from, and
                 one epoch's shuffled copy of the training inputs
Not counted: torch's own libraries, the lesson hooks' scratch space, the GUI's history.
The data's shapes come from building one member's data set at small sizes and scaling its
rows linearly in each size option, so estimating never builds a large data set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Mapping

from playground.core.base.errors import ConfigError
from playground.core.config import Config, TaskConfig

FLOAT_BYTES = 4
# Task options that scale the number of samples (rows grow linearly in each), and the value
# each takes while the data's shapes are measured (modes' copies multiply its items).
PROBE_SIZES = {"samples": 64, "test_samples": 64, "copies": 2}
BOUNDARY_POINTS = 64 * 64  # the decision-boundary grid (measures/boundary.py)
# State each continual remedy keeps, in copies of the parameters (continual/methods.py).
REMEDY_COPIES = {"none": 0, "ewc": 2, "online_ewc": 4, "si": 6, "replay": 0, "joint": 0}


@dataclass(frozen=True)
class MemoryEstimate:
    weights: int
    gradients: int
    optimizer: int
    activations: int
    evaluation: int
    data: int

    @property
    def total(self) -> int:
        # A training step and an evaluation never hold their activations at the same time.
        return (self.weights + self.gradients + self.optimizer + self.data
                + max(self.activations, self.evaluation))

    def describe(self) -> str:
        parts = ", ".join(f"{f.name} {format_bytes(getattr(self, f.name))}" for f in fields(self)
                          if getattr(self, f.name))
        return f"about {format_bytes(self.total)} ({parts})"


def format_bytes(count: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if abs(count) < 1000 or unit == "TB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1000
    raise AssertionError("unreachable")


# ---------------------------------------------------------------- the data's shapes


@dataclass(frozen=True)
class ArrayShape:
    rows: float
    row_bytes: int


def _member_arrays(config: Config, params: Mapping) -> tuple[dict[str, ArrayShape], int]:
    """Every array of one member's data sets (all tasks of a sequence), by name; the classes."""
    from playground.core.tasks import get_task

    config = replace(config, task=TaskConfig(config.task.name, dict(params)))
    if config.continual.tasks > 1:
        from playground.core.training.sequence import member_tasks, plan_tasks

        datasets = member_tasks(config, plan_tasks(config), config.train.seed)
    else:
        datasets = [get_task(config.task.name).build(config.task.params, config.train.seed)]
    shapes = {}
    for index, dataset in enumerate(datasets):
        for name in ("x_train", "y_train", "x_test", "y_test", "x_probe", "y_probe"):
            array = getattr(dataset, name)
            rows = int(array.shape[0])
            shapes[f"{index}.{name}"] = ArrayShape(rows, array.nbytes // rows if rows else 0)
    return shapes, max(dataset.n_classes for dataset in datasets)


def member_data_shapes(config: Config) -> tuple[dict[str, ArrayShape], int]:
    """One member's arrays at the config's sizes, measured at small sizes and scaled; the classes."""
    params = dict(config.task.params)
    large = {name: params[name] for name, probe in PROBE_SIZES.items()
             if isinstance(params.get(name), int) and params[name] > probe}
    small = {**params, **{name: PROBE_SIZES[name] for name in large}}
    base, n_classes = _member_arrays(config, small)
    rows = {name: shape.rows for name, shape in base.items()}
    for name, value in large.items():
        probe = PROBE_SIZES[name]
        doubled, _ = _member_arrays(config, {**small, name: 2 * probe})
        for key, shape in doubled.items():
            slope = (shape.rows - base[key].rows) / probe
            rows[key] += slope * (value - probe)
    return {key: ArrayShape(rows[key], shape.row_bytes) for key, shape in base.items()}, n_classes


# ---------------------------------------------------------------- the estimate


def layer_sizes(config: Config, input_dim: int, n_classes: int) -> list[int]:
    output = 1 if config.train.loss == "hinge" else n_classes
    return [input_dim, *config.network.hidden, output]


def estimate(config: Config) -> MemoryEstimate:
    """The memory `config` needs to train (see the module's docstring for what is counted)."""
    members = config.train.ensemble
    shapes, n_classes = member_data_shapes(config)
    row_bytes = shapes["0.x_train"].row_bytes
    input_dim = row_bytes // FLOAT_BYTES
    sizes = layer_sizes(config, input_dim, n_classes)
    parameters = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:])) * members
    weights = parameters * FLOAT_BYTES
    tensors = 2 * (len(sizes) - 1)

    tr, co = config.train, config.continual
    if tr.optimizer == "adam":
        optimizer = 2 * weights + tensors * FLOAT_BYTES  # two moments, one step counter per tensor
    else:
        optimizer = weights if tr.momentum > 0 else 0
    copies = REMEDY_COPIES.get(co.method, 0) * (co.tasks if co.method == "ewc" else 1)
    optimizer += copies * weights

    layers = sizes[1:]
    widest = max(layers)
    n_train = int(max(s.rows for k, s in shapes.items() if k.endswith("x_train")))
    batch = min(tr.batch_size, n_train) if n_train else tr.batch_size
    # Saved for backward: the batch and every layer's output; transient: the widest layer's
    # output and its gradient.
    activations = members * batch * (sum(sizes) + 2 * widest) * FLOAT_BYTES

    evaluated = max((s.rows for k, s in shapes.items() if k.split(".")[1].startswith("y_")), default=0)
    if input_dim == 2:
        evaluated = max(evaluated, BOUNDARY_POINTS)
    # A forward pass holds a layer's input, its pre-activation and its output at once.
    evaluation = int(members * evaluated * 3 * widest * FLOAT_BYTES)
    if config.probes.enabled:
        probe_rows = max(s.rows for k, s in shapes.items() if k.endswith("x_probe"))
        evaluation = max(evaluation, int(members * probe_rows * (sum(layers) + 2 * widest) * FLOAT_BYTES))

    stored = sum(s.rows * s.row_bytes for s in shapes.values())
    epoch_copy = max(shapes[k].rows * (shapes[k].row_bytes + 8) for k in shapes if k.endswith("x_train"))
    data = members * (2 * stored + epoch_copy)
    if co.method == "replay":
        data += members * co.replay_size * co.tasks * (row_bytes + 8)
    elif co.method == "joint":
        data += members * sum(s.rows * s.row_bytes for k, s in shapes.items() if k.endswith("_train"))
    return MemoryEstimate(weights=weights, gradients=weights, optimizer=int(optimizer),
                          activations=int(activations), evaluation=int(evaluation), data=int(data))


# ---------------------------------------------------------------- the machine


def _cgroup_room() -> int | None:
    """What a container's memory limit leaves (cgroup v2), or None where there is none."""
    base = Path("/sys/fs/cgroup")
    try:
        limit = (base / "memory.max").read_text().strip()
        if limit == "max":
            return None
        return int(limit) - int((base / "memory.current").read_text().strip())
    except (OSError, ValueError):
        return None


def _system_available() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    if os.name == "nt":
        import ctypes

        class Status(ctypes.Structure):
            _fields_ = [("length", ctypes.c_ulong), ("load", ctypes.c_ulong),
                        ("total", ctypes.c_ulonglong), ("available", ctypes.c_ulonglong),
                        ("page_total", ctypes.c_ulonglong), ("page_available", ctypes.c_ulonglong),
                        ("virtual_total", ctypes.c_ulonglong), ("virtual_available", ctypes.c_ulonglong),
                        ("extended", ctypes.c_ulonglong)]

        status = Status(length=ctypes.sizeof(Status))
        if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
            return int(status.available)
        return None
    try:  # macOS and other Unixes: physical memory (free pages are not reported)
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def available_memory(device: str = "cpu") -> int | None:
    """Bytes a new run can use on `device` now; None where it cannot be told."""
    if device == "cuda":
        import torch

        if not torch.cuda.is_available():
            return None
        free, _total = torch.cuda.mem_get_info()
        return int(free)
    room = [r for r in (_system_available(), _cgroup_room()) if r is not None]
    return min(room) if room else None


def check_memory(config: Config, copies: int = 1) -> MemoryEstimate:
    """The estimate, or ConfigError if `copies` such runs at once exceed the available memory."""
    needed = estimate(config)
    available = available_memory(config.train.device)
    if available is not None and needed.total * copies > available:
        times = f"{copies} runs at once of " if copies > 1 else ""
        raise ConfigError(
            f"memory: {times}this run needs {needed.describe()}, but {format_bytes(available)} is available; "
            f"use fewer members (train.ensemble), narrower or fewer layers, or fewer samples"
        )
    return needed
