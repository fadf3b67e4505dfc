"""Build the T tasks of a sequential run from the base task (`task.name`), per ensemble member.

Families
    permuted  task t = the base data with its input features shuffled by a fixed permutation
              (task 1 keeps the original order; each member draws its own permutations from its seed)
    split     task t = the base data's classes 2t and 2t+1 (pairs, in order)
    parity    task t = parity of a different hidden subset of the same bits (task.name = parity)

Scenarios (how labels and output units are laid out; C = classes of one task)
    task      one head of C units per task; the task is known at test time, so only its
              head's units compete (TaskData.class_mask); outputs T*C
    domain    one shared head of C units; labels within the task (e.g. 0/1 for every pair)
    class     one shared head of T*C units with global labels; nothing masked
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Mapping, Sequence

import numpy as np
import torch

from playground.core.config import Config, ConfigError
from playground.core.training.data import TaskData, stack_datasets
from playground.core.tasks import get_task
from playground.core.tasks.base import Dataset, Sampler


@dataclass(frozen=True)
class TaskPlan:
    """What task t is, the same for every member: its name, labels and output units."""

    index: int
    name: str
    n_outputs: int  # output units of the whole sequence for this scenario
    head: tuple[int, ...] | None  # the units this task may use (task scenario), else None
    label_offset: int  # added to the task's own labels (0..C-1)
    classes: tuple[int, ...] | None = None  # split: the base classes of this task


def permutations(seed: int, tasks: int, features: int) -> np.ndarray:
    """(tasks, features) fixed input permutations of one member; task 1 is the identity.

    Drawn one after another from one generator, so task t's permutation does not depend on
    how many tasks follow it.
    """
    rng = np.random.default_rng([seed, 40])
    perms = [np.arange(features)]
    for _ in range(1, tasks):
        perms.append(rng.permutation(features))
    return np.stack(perms)


def split_classes(tasks: int) -> list[tuple[int, int]]:
    return [(2 * t, 2 * t + 1) for t in range(tasks)]


def parity_subset_seeds(params: Mapping[str, Any], tasks: int) -> list[int]:
    """Subset seeds from task.subset_seed upwards, skipping any that repeat an earlier subset."""
    from playground.core.tasks.parity import hidden_subset, subset_size

    available = math.comb(params["n"], subset_size(params))
    if available < tasks:
        raise ConfigError(
            f"continual.tasks: parity with n={params['n']} has only {available} different hidden "
            f"subsets of size {subset_size(params)}, fewer than the {tasks} tasks asked for"
        )
    seeds, seen, seed = [], set(), params["subset_seed"]
    while len(seeds) < tasks:
        subset = tuple(hidden_subset({**params, "subset_seed": seed}).tolist())
        if subset not in seen:
            seen.add(subset)
            seeds.append(seed)
        seed += 1
    return seeds


def plan_tasks(config: Config) -> list[TaskPlan]:
    co = config.continual
    spec = get_task(config.task.name)
    params = config.task.params
    base = config.task.name
    if co.family == "split":
        per_task = 2
    else:
        per_task = spec.n_classes(params)
    total = per_task * co.tasks
    if co.family == "parity":
        from playground.core.tasks.parity import hidden_subset

        subsets = [hidden_subset({**params, "subset_seed": s}) for s in parity_subset_seeds(params, co.tasks)]
    plans = []
    for t in range(co.tasks):
        head = tuple(range(t * per_task, (t + 1) * per_task)) if co.scenario == "task" else None
        if co.family == "split":
            classes = split_classes(co.tasks)[t]
            name = f"{base} {classes[0]}/{classes[1]}"
            offset = 0 if co.scenario != "domain" else -2 * t
        elif co.family == "permuted":
            classes = None
            name = f"{base}" if t == 0 else f"{base} permuted #{t}"
            offset = 0 if co.scenario == "domain" else t * per_task
        else:
            classes = None
            name = "parity of " + ",".join(f"x{i}" for i in subsets[t])
            offset = t * per_task
        n_outputs = per_task if co.scenario == "domain" else total
        plans.append(TaskPlan(t, name, n_outputs, head, offset, classes))
    return plans


# ---------------------------------------------------------------- one member's datasets


def _relabel(y: np.ndarray, offset: int) -> np.ndarray:
    return (y + offset).astype(np.int64)


def _map_sampler(sampler: Sampler | None, perm: np.ndarray | None, offset: int) -> Sampler | None:
    if sampler is None:
        return None

    def draw(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        x, y = sampler(rng, n)
        return (x if perm is None else x[:, perm]), _relabel(y, offset)

    return draw


def _transformed(base: Dataset, plan: TaskPlan, perm: np.ndarray | None) -> Dataset:
    def inputs(x: np.ndarray) -> np.ndarray:
        return x if perm is None else np.ascontiguousarray(x[:, perm])

    names = base.feature_names
    if perm is not None and names:
        names = tuple(names[i] for i in perm)
    return replace(
        base,
        x_train=inputs(base.x_train), y_train=_relabel(base.y_train, plan.label_offset),
        x_test=inputs(base.x_test), y_test=_relabel(base.y_test, plan.label_offset),
        x_probe=inputs(base.x_probe), y_probe=_relabel(base.y_probe, plan.label_offset),
        n_classes=plan.n_outputs,
        sampler=_map_sampler(base.sampler, perm, plan.label_offset),
        feature_names=names,
    )


def _of_classes(base: Dataset, plan: TaskPlan) -> Dataset:
    keep = np.asarray(plan.classes)

    def pick(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        chosen = np.isin(y, keep)
        return x[chosen], _relabel(y[chosen], plan.label_offset)

    x_train, y_train = pick(base.x_train, base.y_train)
    x_test, y_test = pick(base.x_test, base.y_test)
    x_probe, y_probe = pick(base.x_probe, base.y_probe)
    return replace(
        base, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test,
        x_probe=x_probe, y_probe=y_probe, n_classes=plan.n_outputs,
        probe_is_full_input_set=False,
    )


def member_tasks(config: Config, plans: Sequence[TaskPlan], seed: int) -> list[Dataset]:
    """One member's datasets, one per task."""
    co = config.continual
    spec = get_task(config.task.name)
    params = config.task.params
    if co.family == "parity":
        return [
            _transformed(spec.build({**params, "subset_seed": s}, seed), plan, None)
            for s, plan in zip(parity_subset_seeds(params, co.tasks), plans)
        ]
    base = spec.build(params, seed)
    if co.family == "split":
        if base.sampler is not None:
            raise ConfigError(
                f"continual.family: split needs a fixed data set; task {config.task.name} draws fresh "
                f"samples (set its online option to false)"
            )
        return [_of_classes(base, plan) for plan in plans]
    perms = permutations(seed, co.tasks, base.input_dim)
    return [_transformed(base, plan, perm) for plan, perm in zip(plans, perms)]


# ---------------------------------------------------------------- the ensemble


def _equal_sizes(datasets: list[Dataset], seeds: Sequence[int], task: int) -> list[Dataset]:
    """Trim every member's sets to the smallest member's size, so they stack.

    Only class subsets of a split whose class counts depend on the seed need it (digits'
    stratified split does not); each member keeps a random subset drawn from its own seed.
    """
    out = list(datasets)
    for attr_x, attr_y in (("x_train", "y_train"), ("x_test", "y_test"), ("x_probe", "y_probe")):
        sizes = [len(getattr(d, attr_y)) for d in out]
        smallest = min(sizes)
        if smallest == 0:
            raise ConfigError(
                f"continual: task {task + 1} has no {attr_y[2:]} samples for some ensemble member; "
                f"use a task with more samples of each class"
            )
        if smallest == max(sizes):
            continue
        for k, (d, seed) in enumerate(zip(out, seeds)):
            n = len(getattr(d, attr_y))
            if n > smallest:
                keep = np.sort(np.random.default_rng([seed, 42, task]).permutation(n)[:smallest])
                out[k] = replace(d, **{attr_x: getattr(d, attr_x)[keep], attr_y: getattr(d, attr_y)[keep]})
    return out


def head_mask(plan: TaskPlan, device: torch.device | str) -> torch.Tensor | None:
    if plan.head is None:
        return None
    mask = torch.zeros(plan.n_outputs, dtype=torch.bool, device=device)
    mask[list(plan.head)] = True
    return mask


def build_sequence(config: Config, seeds: Sequence[int], device: torch.device | str) -> list[TaskData]:
    """The T tasks of `config.continual` for every member (seed), stacked on `device`."""
    plans = plan_tasks(config)
    per_member = [member_tasks(config, plans, seed) for seed in seeds]
    tasks = []
    for plan in plans:
        datasets = _equal_sizes([member[plan.index] for member in per_member], seeds, plan.index)
        data = stack_datasets(plan.name, datasets, device)
        data.n_classes = plan.n_outputs
        data.class_mask = head_mask(plan, device)
        tasks.append(data)
    return tasks

