"""The trainer: owns model, optimizer and data of one run, and hands out one record per epoch.

It is driven step by step (the GUI worker) or as a generator of epochs (the CLI); pause,
resume and stop are honoured between steps through a `RunControl`.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import replace
from typing import Iterator, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from playground.core.config import Config, ConfigError, from_dict, validate
from playground.core.config.schema import LIVE_KEYS, WEIGHT_KEY, weight_key
from playground.core.config.stopping import TARGET_REACHED, parse_stop_at
from playground.core.base.control import RunControl, StopRequested
from playground.core.training.data import TaskData, stack_datasets
from playground.core.training.hooks import TrainerHook
from playground.core.training.model import EnsembleMLP
from playground.core.base.records import EpochRecord, LiveChange
from playground.core.training.perturb import fgsm, input_range
from playground.core.base.schedule import Schedule
from playground.core.tasks import get_task

STOPPED_BY_USER = "stopped by user"
COMPLETED = "completed"


def resolve_device(name: str) -> torch.device:
    if name == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError("train.device: 'cuda' was asked for, but torch sees no CUDA GPU here; use 'cpu'")
        return torch.device("cuda")
    return torch.device("cpu")


def member_seeds(config: Config) -> list[int]:
    return [config.train.seed + k for k in range(config.train.ensemble)]


def build_single_task(config: Config, seeds: Sequence[int], device: torch.device) -> list[TaskData]:
    spec = get_task(config.task.name)
    datasets = [spec.build(config.task.params, seed) for seed in seeds]
    return [stack_datasets(config.task.name, datasets, device)]


def build_tasks(config: Config, seeds: Sequence[int], device: torch.device) -> list[TaskData]:
    if config.continual.tasks > 1:
        from playground.core.training.sequence import build_sequence

        return build_sequence(config, seeds, device)
    return build_single_task(config, seeds, device)


def live_value(config: Config, key: str, value) -> float:
    """`value` as the type of live key `key`, checked against the config's ranges, or ConfigError."""
    if key not in LIVE_KEYS:
        raise ConfigError(f"{key}: cannot change during training; allowed: {', '.join(LIVE_KEYS)}")
    section, name = key.split(".", 1)
    changed = validate(from_dict({section: {name: value}}, base=config))
    return getattr(getattr(changed, section), name)


class Trainer:
    def __init__(self, config: Config, hooks: Sequence[TrainerHook] | None = None):
        self.config = config = validate(config)
        torch.set_num_threads(config.train.threads)
        self.device = resolve_device(config.train.device)
        self.seeds = member_seeds(config)
        self.members = len(self.seeds)
        self.tasks = build_tasks(config, self.seeds, self.device)
        self.task_index = 0
        first = self.tasks[0]
        self.n_classes = max(t.n_classes for t in self.tasks)
        # A numeric target: one linear output unit (n_classes = 1), the mse loss, no accuracy.
        self.regression = first.regression
        self.stop_target = parse_stop_at(config.train.stop_at)
        self.output_dim = 1 if config.train.loss == "hinge" else self.n_classes
        hidden = list(config.network.hidden)
        activations = list(config.network.layer_activations) or [config.network.activation] * len(hidden)
        self.model = EnsembleMLP(
            [first.input_dim, *hidden, self.output_dim], activations, self.seeds,
            init=config.network.init, sw2=config.network.sw2, sb2=config.network.sb2,
            parameterisation=config.network.parameterisation,
        ).to(self.device)
        self.optimizer = self._make_optimizer()
        # Each member's own streams: numpy for online samplers, torch for batch order
        # (torch.randperm is ~3x faster than numpy's permutation here).
        self.batch_rngs = [np.random.default_rng([seed, 1]) for seed in self.seeds]
        self.order_generators = [
            torch.Generator().manual_seed(int(np.random.SeedSequence([seed, 2]).generate_state(1)[0]))
            for seed in self.seeds
        ]
        self.epochs_per_task = config.continual.epochs_per_task or config.train.epochs
        self.total_epochs = self.epochs_per_task * len(self.tasks)
        self.eval_schedule = Schedule(config.train.eval_schedule, self.total_epochs, config.train.eval_points)
        self.hooks = list(hooks or ())
        self.epoch = 0
        self.step_count = 0
        self.elapsed = 0.0
        self.stop_reason: str | None = None
        self.last_record: EpochRecord | None = None
        self._pending: dict[str, float] = {}  # live key -> value, applied before the next step
        self._pending_lock = threading.Lock()
        self.changes: list[LiveChange] = []  # every live change applied, in order
        self._epoch_changes: list[LiveChange] = []
        self._scheduled_epochs: dict[int, dict[str, float]] = {}  # `run --change`: epoch -> key -> value
        self._scheduled_steps: list[LiveChange] = []  # a replayed changes.csv, by step
        self.lr_scale = 1.0  # set by a schedule such as the lr_decay hook
        self._started = False
        # Per-sample head masks (members, batch, C) for this step's batch, set by a
        # transform_batch hook that mixes in samples of other task-incremental tasks (replay).
        self.batch_class_mask: torch.Tensor | None = None

    # ------------------------------------------------------------ optimizer

    def _make_optimizer(self) -> torch.optim.Optimizer:
        tr = self.config.train
        params = list(self.model.parameters())
        # The fused kernels update all parameters in one call: ~3x faster for these tiny tensors.
        if tr.optimizer == "sgd":
            return torch.optim.SGD(params, lr=tr.lr, momentum=tr.momentum, weight_decay=tr.weight_decay, fused=True)
        return torch.optim.Adam(params, lr=tr.lr, weight_decay=tr.weight_decay, fused=True)

    # ------------------------------------------------------------ live changes

    def set_param(self, key: str, value: float) -> None:
        """Change one of LIVE_KEYS (e.g. "train.lr"); applied and recorded before the next step (any thread)."""
        value = live_value(self.config, key, value)
        with self._pending_lock:
            self._pending[key] = value

    def set_weight(self, member: int, layer: int, source: int, target: int, value: float) -> None:
        """Set one weight (layer 1-based, as in the tables); applied and recorded before the next step."""
        key = weight_key(member, layer, source, target)
        value = self._checked(key, value)
        with self._pending_lock:
            self._pending[key] = value

    def _checked(self, key: str, value) -> float:
        """A live setting checked by the config, or a weight checked against the network's shape."""
        match = WEIGHT_KEY.match(key)
        if match is None:
            return live_value(self.config, key, value)
        member, layer, source, target = map(int, match.groups())
        if not 1 <= layer <= len(self.model.weights):
            raise ConfigError(f"{key}: the network has layers 1 to {len(self.model.weights)}")
        members, inputs, outputs = self.model.weights[layer - 1].shape
        if member >= members or source >= inputs or target >= outputs:
            raise ConfigError(f"{key}: layer {layer} has members 0-{members - 1}, "
                              f"inputs 0-{inputs - 1} and outputs 0-{outputs - 1}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{key}: {value!r} is not a number") from None
        if not math.isfinite(number):
            raise ConfigError(f"{key}: must be a finite number, got {number}")
        return number

    def set_optimizer_params(self, **values: float) -> None:
        """`set_param` by short names: lr, momentum, weight_decay."""
        checked = {f"train.{name}": live_value(self.config, f"train.{name}", v) for name, v in values.items()}
        with self._pending_lock:
            self._pending.update(checked)

    def schedule_change(self, epoch: int, key: str, value: float) -> None:
        """Change a setting before the first step of `epoch` (1-based, as in metrics.csv)."""
        if not 1 <= epoch <= self.total_epochs:
            raise ConfigError(f"epoch {epoch}: outside this run, whose epochs are 1 to {self.total_epochs}")
        self._scheduled_epochs.setdefault(epoch, {})[key] = self._checked(key, value)

    def replay(self, changes: Sequence[LiveChange]) -> None:
        """Apply recorded changes at the steps they took effect (a run folder's changes.csv)."""
        checked = [replace(c, value=self._checked(c.key, c.value)) for c in changes]
        self._scheduled_steps = sorted(self._scheduled_steps + checked, key=lambda c: c.step)

    def set_lr_scale(self, scale: float) -> None:
        """The optimizer's lr is train.lr * scale (a schedule's factor); a live lr change keeps the scale."""
        self.lr_scale = scale
        for group in self.optimizer.param_groups:
            group["lr"] = self.config.train.lr * scale

    def _queue_epoch_changes(self) -> None:
        with self._pending_lock:
            self._pending.update(self._scheduled_epochs.pop(self.epoch + 1, {}))

    def _apply_pending(self) -> None:
        with self._pending_lock:
            while self._scheduled_steps and self._scheduled_steps[0].step <= self.step_count:
                change = self._scheduled_steps.pop(0)
                self._pending[change.key] = change.value
            pending, self._pending = self._pending, {}
        if not pending:
            return
        weights = {key: pending.pop(key) for key in list(pending) if WEIGHT_KEY.match(key)}
        self._apply_weights(weights)
        if not pending:
            return
        train = self.config.train
        # The app sends every live value on each drag: only real changes are applied and recorded.
        pending = {key: v for key, v in pending.items() if v != getattr(train, key.split(".", 1)[1])}
        if not pending:
            return
        values = {key.split(".", 1)[1]: value for key, value in pending.items()}
        self.config = replace(self.config, train=replace(train, **values))
        for group in self.optimizer.param_groups:
            for name, value in values.items():
                if name in group:  # Adam has no momentum setting
                    group[name] = value * self.lr_scale if name == "lr" else value
        for key, value in pending.items():
            self._record_change(key, value)

    @torch.no_grad()
    def _apply_weights(self, weights: dict[str, float]) -> None:
        for key, value in weights.items():
            member, layer, source, target = map(int, WEIGHT_KEY.match(key).groups())
            self.model.weights[layer - 1][member, source, target] = value
            self._record_change(key, value)

    def _record_change(self, key: str, value: float) -> None:
        change = LiveChange(self.epoch + 1, self.step_count, key, value)
        self.changes.append(change)
        self._epoch_changes.append(change)

    # ------------------------------------------------------------ data

    @property
    def task(self) -> TaskData:
        return self.tasks[self.task_index]

    def _batch_indices(self) -> list[np.ndarray]:
        """One epoch of mini-batch indices, each (members, batch), from each member's own rng."""
        data = self.task
        n = data.n_train
        batch = min(self.config.train.batch_size, n)
        steps = self.config.train.steps_per_epoch
        # One pass (the last batch may be short), or `steps` full batches across passes.
        needed = steps * batch if steps else n
        per_member = []
        for generator in self.order_generators:
            chunks, have = [], 0
            while have < needed:
                chunks.append(torch.randperm(n, generator=generator))
                have += n
            per_member.append(torch.cat(chunks) if len(chunks) > 1 else chunks[0])
        order = torch.stack(per_member).numpy()
        if steps:
            return [order[:, s * batch:(s + 1) * batch] for s in range(steps)]
        return [order[:, s:s + batch] for s in range(0, n, batch)]

    def _online_batches(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        data = self.task
        batch = self.config.train.batch_size
        steps = self.config.train.steps_per_epoch or max(1, math.ceil(data.n_train / batch))
        for _ in range(steps):
            drawn = [sampler(rng, batch) for sampler, rng in zip(data.samplers, self.batch_rngs)]
            x = torch.as_tensor(np.stack([d[0] for d in drawn]), dtype=torch.float32, device=self.device)
            y = torch.as_tensor(np.stack([d[1] for d in drawn]), dtype=torch.int64, device=self.device)
            yield x, y

    def _batches(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        data = self.task
        if data.samplers is not None:
            yield from self._online_batches()
            return
        # Gather the whole epoch through one flat index, then hand out contiguous slices:
        # much faster than per-batch 2-D advanced indexing (numpy's take on CPU).
        batches = self._batch_indices()
        order = np.concatenate(batches, axis=1)
        flat = (order + (np.arange(self.members) * data.n_train)[:, None]).reshape(-1)
        x_flat = data.x_train.reshape(-1, data.input_dim)
        y_flat = data.y_train.reshape(-1)
        if self.device.type == "cpu":
            x_epoch = torch.from_numpy(x_flat.numpy().take(flat, axis=0))
            y_epoch = torch.from_numpy(y_flat.numpy().take(flat))
        else:
            index = torch.as_tensor(flat, device=self.device)
            x_epoch, y_epoch = x_flat.index_select(0, index), y_flat.index_select(0, index)
        x_epoch = x_epoch.view(self.members, order.shape[1], -1)
        y_epoch = y_epoch.view(self.members, order.shape[1])
        start = 0
        for idx in batches:
            stop = start + idx.shape[1]
            yield x_epoch[:, start:stop], y_epoch[:, start:stop]
            start = stop

    # ------------------------------------------------------------ loss

    def loss_per_member(self, output: torch.Tensor, y: torch.Tensor, data: TaskData | None = None) -> torch.Tensor:
        """Mean loss of each member over its batch: output (E, B, C), y (E, B) -> (E,)."""
        if self.config.train.loss == "hinge":
            target = 2.0 * y.to(output.dtype) - 1.0
            return torch.clamp(1.0 - target * output[..., 0], min=0).mean(dim=1)
        if self.config.train.loss == "mse" and self.regression:
            # The mean squared error of the one output unit.
            return (output[..., 0] - y).pow(2).mean(dim=1)
        if self.config.train.loss == "mse":
            # Half the squared distance to the one-hot target (Saxe et al.'s loss).
            target = F.one_hot(y, output.shape[-1]).to(output.dtype)
            return 0.5 * (output - target).pow(2).sum(dim=-1).mean(dim=1)
        output = self._masked(output, data)
        # (E, C, B) is the model's native layout (see EnsembleMLP.forward): no copy.
        return F.cross_entropy(output.transpose(1, 2), y, reduction="none").mean(dim=1)

    def _masked(self, output: torch.Tensor, data: TaskData | None) -> torch.Tensor:
        mask = (data or self.task).class_mask
        if mask is None:
            return output
        return output.masked_fill(~mask, float("-inf"))

    def _batch_data(self) -> TaskData:
        """The current task, with this step's per-sample head masks where a hook set them."""
        if self.batch_class_mask is None:
            return self.task
        return replace(self.task, class_mask=self.batch_class_mask)

    def predictions(self, output: torch.Tensor, data: TaskData | None = None) -> torch.Tensor:
        if self.config.train.loss == "hinge":
            return (output[..., 0] > 0).long()
        return self._masked(output, data).argmax(dim=-1)

    # ------------------------------------------------------------ training

    def step(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """One optimizer step on a batch (members, batch, ...); returns each member's loss."""
        self._apply_pending()
        self.batch_class_mask = None
        for hook in self.hooks:
            x, y = hook.transform_batch(self, x, y)
        if self.config.train.adversarial_eps > 0:
            x, y = self._with_adversarial(x, y, self.config.train.adversarial_eps)
        self.optimizer.zero_grad(set_to_none=True)
        losses = self.loss_per_member(self.model(x), y, self._batch_data())
        total = losses.sum()
        if self.config.train.l1 > 0:
            total = total + self.config.train.l1 * self.l1_norm()
        for hook in self.hooks:
            extra = hook.penalty(self)
            if extra is not None:
                total = total + extra
        total.backward()
        for hook in self.hooks:
            hook.after_backward(self)
        self.optimizer.step()
        self.step_count += 1
        for hook in self.hooks:
            hook.after_step(self)
        return losses.detach()

    def l1_norm(self) -> torch.Tensor:
        """Sum of |w| over every weight of every member (biases are not penalised)."""
        return sum(w.abs().sum() for w in self.model.weights)

    def _with_adversarial(self, x: torch.Tensor, y: torch.Tensor, eps: float) -> tuple[torch.Tensor, torch.Tensor]:
        """The batch twice, clean then FGSM-perturbed at the current weights: the mean loss
        is Goodfellow et al.'s 0.5 clean + 0.5 adversarial."""
        data = self._batch_data()
        low, high = input_range(self.task.x_train)
        x_adv = fgsm(lambda inputs, labels: self.loss_per_member(self.model(inputs), labels, data), x, y, eps, low, high)
        if self.batch_class_mask is not None:
            self.batch_class_mask = torch.cat([self.batch_class_mask, self.batch_class_mask], dim=1)
        return torch.cat([x, x_adv], dim=1), torch.cat([y, y], dim=1)

    def _start(self) -> None:
        if not self._started:
            self._started = True
            for hook in self.hooks:
                hook.on_start(self)

    def run_epoch(self, control: RunControl | None = None) -> EpochRecord:
        """Train one epoch and return its record. Raises StopRequested between steps."""
        self._start()
        started = time.perf_counter()
        self.task_index = min(self.epoch // self.epochs_per_task, len(self.tasks) - 1)
        for hook in self.hooks:
            hook.before_epoch(self)
        self._queue_epoch_changes()
        loss_sum = torch.zeros(self.members, device=self.device)
        steps = 0
        try:
            for x, y in self._batches():
                if control is not None:
                    control.checkpoint()
                loss_sum += self.step(x, y)
                steps += 1
        finally:
            self.elapsed += time.perf_counter() - started
        self.epoch += 1
        batch_loss = (loss_sum / max(steps, 1)).cpu().numpy().copy()
        record = EpochRecord(
            epoch=self.epoch, step=self.step_count, task_index=self.task_index,
            batch_loss=batch_loss, elapsed=self.elapsed, changes=self._epoch_changes,
        )
        self._epoch_changes = []
        if not np.all(np.isfinite(batch_loss)):
            bad = int(np.flatnonzero(~np.isfinite(batch_loss))[0])
            record.stop_reason = self.stop_reason = (
                f"diverged: the training loss of member {bad} became {batch_loss[bad]} at epoch "
                f"{self.epoch}; try a smaller learning rate"
            )
            self.last_record = record
            return record
        reached = self._target_reached()
        if self.eval_schedule.due(self.epoch) or reached:
            self._evaluate_into(record)
        for hook in self.hooks:
            hook.after_epoch(self, record)
        if (self.epoch % self.epochs_per_task == 0) and len(self.tasks) > 1:
            for hook in self.hooks:
                hook.on_task_end(self, self.task_index)
        if self.epoch >= self.total_epochs:
            record.stop_reason = self.stop_reason = COMPLETED
        if reached:
            record.stop_reason = self.stop_reason = TARGET_REACHED
        self.last_record = record
        return record

    def epochs(self, control: RunControl | None = None) -> Iterator[EpochRecord]:
        """Yield records until the run completes, diverges or is stopped."""
        while self.stop_reason is None:
            try:
                record = self.run_epoch(control)
            except StopRequested:
                self.stop_reason = STOPPED_BY_USER
                return
            yield record

    @property
    def finished(self) -> bool:
        return self.stop_reason is not None

    # ------------------------------------------------------------ evaluation

    @torch.no_grad()
    def evaluate(self, x: torch.Tensor, y: torch.Tensor, data: TaskData | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Loss and accuracy of every member on (members, N, ...) inputs."""
        output = self.model(x)
        loss = self.loss_per_member(output, y, data)
        if self.regression:
            return loss.cpu().numpy().copy(), np.full(self.members, np.nan)
        accuracy = (self.predictions(output, data) == y).float().mean(dim=1)
        return loss.cpu().numpy().copy(), accuracy.cpu().numpy().copy()

    def _target_reached(self) -> bool:
        """Whether the ensemble's mean reached train.stop_at's target after this epoch."""
        target = self.stop_target
        if target is None:
            return False
        data = self.task
        if target.metric == "test_acc":
            value = self.evaluate(data.x_test, data.y_test, data)[1]
        else:
            value = self.evaluate(data.x_train, data.y_train, data)[0]
        return target.reached(float(np.mean(value)))

    def _evaluate_into(self, record: EpochRecord) -> None:
        data = self.task
        record.train_loss, record.train_acc = self.evaluate(data.x_train, data.y_train, data)
        record.test_loss, record.test_acc = self.evaluate(data.x_test, data.y_test, data)
        record.evaluated = True
        members = np.arange(self.members)
        record.add_table("metrics", {
            "epoch": np.full(self.members, record.epoch),
            "member": members,
            "train_loss": record.train_loss,
            "train_acc": record.train_acc,
            "test_loss": record.test_loss,
            "test_acc": record.test_acc,
        })

    @torch.no_grad()
    def layer_activations(self, data: TaskData | None = None) -> list[torch.Tensor]:
        """Every layer's activity on the probe inputs: hidden layers, then the output
        (class probabilities for cross-entropy, the raw score for hinge). Each (E, N, units)."""
        data = data or self.task
        output, kept = self.model(data.x_probe, keep_activations=True)
        if self.config.train.loss == "cross_entropy":
            kept[-1] = torch.softmax(self._masked(output, data), dim=-1)
        return kept

    def weights(self) -> list[np.ndarray]:
        """Copies of every layer's weights, each (members, fan_in, fan_out)."""
        return [w.detach().cpu().numpy().copy() for w in self.model.weights]
