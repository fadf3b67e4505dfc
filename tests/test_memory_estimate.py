"""The memory estimate against the real tensors of small trainers: weights, optimizer state and
data exactly, one training step's activations within a small factor of what autograd saves."""

import pytest
import torch

from playground.core.base.errors import ConfigError
from playground.core.config import Config, apply_overrides, validate
from playground.core.experiments.assembly import build_trainer
from playground.core.training import memory

CASES = {
    "circle, adam": ["task.name=circle", "network.hidden=[16, 8]", "train.ensemble=3"],
    "parity, sgd with momentum, hinge, scaled sizes": [
        "task.name=parity", "task.online=false", "task.samples=3000", "task.test_samples=700",
        "network.hidden=[32]", "train.ensemble=2", "train.optimizer=sgd", "train.momentum=0.9", "train.loss=hinge"],
    "digits, plain sgd": ["task.name=digits", "network.hidden=[20]", "train.ensemble=2", "train.batch_size=64",
                          "train.optimizer=sgd"],
    "modes, scaled copies": ["task.name=modes", "task.copies=100", "network.hidden=[8]", "train.ensemble=2"],
    "split digits, class-incremental": ["task.name=digits", "continual.tasks=3", "continual.family=split",
                                        "continual.scenario=class", "network.hidden=[20]", "train.ensemble=2"],
}
DATA = ("x_train", "y_train", "x_test", "y_test", "x_probe", "y_probe")


def nbytes(tensor) -> int:
    return tensor.numel() * tensor.element_size()


def saved_activation_bytes(trainer) -> int:
    """What autograd saves during one training step, parameters aside (each tensor once)."""
    saved = {}

    def pack(tensor):
        saved[tensor.data_ptr()] = max(saved.get(tensor.data_ptr(), 0), nbytes(tensor))
        return tensor

    x, y = next(iter(trainer._batches()))
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        trainer.step(x, y)
    parameters = {p.data_ptr() for p in trainer.model.parameters()}
    return sum(size for pointer, size in saved.items() if pointer not in parameters)


@pytest.mark.parametrize("name", list(CASES))
def test_the_estimate_matches_a_small_trainers_tensors(name):
    config = validate(apply_overrides(Config(), CASES[name]))
    estimate = memory.estimate(config)
    trainer = build_trainer(config)
    weights = sum(nbytes(p) for p in trainer.model.parameters())
    assert estimate.weights == weights and estimate.gradients == weights
    activations = saved_activation_bytes(trainer)  # after a step: the optimizer's state exists
    optimizer = sum(nbytes(v) for state in trainer.optimizer.state.values() for v in state.values()
                    if torch.is_tensor(v))
    assert estimate.optimizer == optimizer
    # The stacked tensors, the member arrays they came from, and one epoch's shuffled copy.
    stored = sum(nbytes(getattr(task, n)) + sum(getattr(d, n).nbytes for d in task.datasets)
                 for task in trainer.tasks for n in DATA)
    epoch_copy = max(nbytes(t.x_train) + nbytes(t.y_train) for t in trainer.tasks)
    assert estimate.data == pytest.approx(stored + epoch_copy, rel=0.01)
    assert activations <= estimate.activations <= 3 * activations
    # Evaluating the largest set holds at least one layer's output for every sample.
    largest = max(t.y_train.shape[1] for t in trainer.tasks)
    assert estimate.evaluation >= trainer.members * largest * max(trainer.model.sizes[1:]) * 4
    assert estimate.total >= weights * 2 + optimizer + stored


def test_scaled_data_shapes_equal_the_built_ones():
    """Sizes above the measuring size are extrapolated; check against building them."""
    from playground.core.tasks import get_task

    config = validate(apply_overrides(Config(), ["task.name=parity", "task.online=false", "task.samples=5000",
                                                 "task.test_samples=300", "task.n=12"]))
    shapes, classes = memory.member_data_shapes(config)
    built = get_task("parity").build(config.task.params, config.train.seed)
    for name in DATA:
        array = getattr(built, name)
        assert shapes[f"0.{name}"].rows == array.shape[0]
        assert shapes[f"0.{name}"].row_bytes * array.shape[0] == array.nbytes
    assert classes == built.n_classes


def test_a_run_larger_than_the_available_memory_is_refused(monkeypatch):
    config = validate(apply_overrides(Config(), ["task.name=circle", "network.hidden=[64, 64]", "train.ensemble=50"]))
    needed = memory.estimate(config).total
    monkeypatch.setattr(memory, "available_memory", lambda device="cpu": needed + 1)
    assert memory.check_memory(config).total == needed
    with pytest.raises(ConfigError, match=r"2 runs at once .* but .* is available"):
        memory.check_memory(config, copies=2)


def test_the_machine_reports_some_available_memory():
    available = memory.available_memory()
    assert available is None or 0 < available < 1 << 50


@pytest.mark.parametrize("count, text", [(512, "512 bytes"), (2_500_000, "2.5 MB"), (4.23e12, "4.2 TB")])
def test_sizes_are_written_in_decimal_units(count, text):
    assert memory.format_bytes(count) == text
