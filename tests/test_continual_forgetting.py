"""Catastrophic forgetting and its remedies, on small fast versions of the digits sequences.

Each run is an ensemble of four members, i.e. four seeds (member k = the run with seed k,
checked in test_continual_methods.py), and every claim is asserted for every seed.
"""

from functools import lru_cache

import numpy as np
import pytest

from playground.cli import main
from playground.core.config import LOSSES, Config, ConfigError, apply_overrides, validate
from playground.core.continual import metrics
from playground.core.continual.evaluation import TaskEvaluation
from playground.core.experiments.catalog import get_preset
from playground.core.runs.runlog import read_run
from playground.core.experiments.assembly import build_trainer

SEEDS = 4


# Permuted tasks interfere less than class splits: three of them make plain training's
# forgetting clear for every seed.
TASKS = {"split": 2, "permuted": 3}


@lru_cache(maxsize=None)
def accuracy_matrix(family: str, scenario: str, method: str) -> np.ndarray:
    """(seeds, T, T) R[i, j] of a sequence of digits tasks, 10 epochs each."""
    cfg = apply_overrides(Config(), [
        "task.name=digits", "network.hidden=[64, 64]", "network.activation=relu",
        "train.optimizer=adam", "train.lr=0.001", "train.batch_size=64", "train.epochs=10",
        f"train.ensemble={SEEDS}", f"continual.tasks={TASKS[family]}", f"continual.family={family}",
        f"continual.scenario={scenario}", f"continual.method={method}", "continual.eval_every=100",
    ])
    trainer = build_trainer(cfg)
    list(trainer.epochs())
    return next(h for h in trainer.hooks if isinstance(h, TaskEvaluation)).matrix


def test_plain_training_loses_most_of_task_one_and_replay_keeps_it():
    """Split digits, class-incremental: after 2/3, plain training never answers 0 or 1 again."""
    plain = accuracy_matrix("split", "class", "none")
    replay = accuracy_matrix("split", "class", "replay")
    assert (plain[:, 0, 0] >= 0.95).all()  # task 1 was learnt ...
    assert (plain[:, 1, 0] <= 0.1).all()  # ... and lost
    assert (replay[:, 1, 0] >= 0.8).all()
    assert (replay[:, 1, 0] - plain[:, 1, 0] >= 0.6).all()


def test_ewc_and_si_help_in_the_task_incremental_scenario():
    """Permuted digits, one head per task: after task 3 the penalties keep task 1 better than
    plain training does."""
    plain = accuracy_matrix("permuted", "task", "none")
    assert (plain[:, 0, 0] - plain[:, 2, 0] >= 0.06).all()  # plain training forgets
    for method in ("ewc", "si"):
        kept = accuracy_matrix("permuted", "task", method)[:, 2, 0]
        assert (kept - plain[:, 2, 0] >= 0.03).all(), method


def test_ewc_does_not_rescue_the_class_incremental_scenario():
    """As van de Ven & Tolias report: a weight penalty cannot keep old classes' outputs alive."""
    ewc = accuracy_matrix("split", "class", "ewc")[:, 1, 0]
    assert ewc.mean() <= 0.15
    assert (accuracy_matrix("split", "class", "replay")[:, 1, 0] - ewc >= 0.5).all()


@pytest.mark.parametrize("family, scenario, others", [
    ("split", "class", ("none", "ewc", "replay")),
    ("permuted", "task", ("none", "ewc", "si", "replay")),
])
def test_joint_training_is_the_best(family, scenario, others):
    joint = metrics.average_accuracy(accuracy_matrix(family, scenario, "joint"))
    for method in others:
        other = metrics.average_accuracy(accuracy_matrix(family, scenario, method))
        assert (joint >= other).all(), method
    assert (joint >= 0.9).all()


def test_backward_transfer_measures_the_forgetting():
    plain = metrics.backward_transfer(accuracy_matrix("split", "class", "none"))
    joint = metrics.backward_transfer(accuracy_matrix("split", "class", "joint"))
    assert (plain <= -0.9).all() and (joint >= -0.05).all()


# ---------------------------------------------------------------- configs, presets, the command line


@pytest.mark.parametrize("overrides, message", [
    (["task.name=digits", "continual.tasks=6", "continual.family=split"], "at most 5 tasks"),
    (["task.name=ib", "continual.tasks=2", "continual.family=split"], "need 4 classes; task ib has 2"),
    (["task.name=digits", "continual.tasks=2", "continual.family=parity"], "needs task.name = parity"),
    (["task.name=parity", "continual.tasks=2", "continual.family=parity", "continual.scenario=domain"],
     "only the 'task' scenario"),
    (["task.name=parity", "task.n=3", "task.k=3", "continual.tasks=2", "continual.family=parity",
      "continual.scenario=task"], "only 1 different hidden subsets"),
    (["task.name=ib", "train.loss=hinge", "continual.tasks=2", "continual.scenario=task"], "needs cross_entropy"),
    (["continual.method=ewc"], "needs a sequence of tasks"),
    pytest.param(["task.name=digits", "train.loss=mse", "continual.tasks=2", "continual.scenario=task"],
                 "mse scores every", marks=pytest.mark.skipif("mse" not in LOSSES, reason="no mse loss")),
    (["continual.tasks=2", "continual.method=replay", "continual.replay_size=0"], "at least 1 sample"),
    (["continual.tasks=2", "continual.family=rotated"], "continual.family: 'rotated' is not one of"),
    (["continual.tasks=2", "continual.scenario=instance"], "continual.scenario"),
    (["continual.tasks=2", "continual.method=lwf"], "continual.method"),
    (["continual.tasks=0"], "continual.tasks: must be between 1 and 100"),
    (["continual.tasks=2", "continual.ewc_lambda=-1"], "continual.ewc_lambda"),
    (["continual.tasks=2", "continual.online_gamma=1.5"], "continual.online_gamma"),
])
def test_bad_continual_configs_give_clear_errors(overrides, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate(apply_overrides(Config(), overrides))


@pytest.mark.parametrize("name, names", [
    ("forgetting-permuted", ["digits", "digits permuted #1", "digits permuted #2", "digits permuted #3", "digits permuted #4"]),
    ("forgetting-split", ["digits 0/1", "digits 2/3", "digits 4/5", "digits 6/7", "digits 8/9"]),
])
def test_presets_run_from_the_command_line_and_write_both_tables(name, names, tmp_path, capsys):
    out = tmp_path / name
    assert main(["run", "--preset", name, "--set", "train.epochs=1", "--set", "network.hidden=[16]",
                 "--ensemble", "2", "--out", str(out)]) == 0
    run = read_run(out)
    assert run.config.continual.tasks == 5
    accuracy = run.tables["task_accuracy"]
    assert list(accuracy) == ["epoch", "member", "task", "accuracy"]
    assert len(accuracy["epoch"]) == 5 * 2 * 5  # 5 epochs x 2 members x 5 tasks
    matrix = run.tables["accuracy_matrix"]
    assert list(matrix) == ["after_task", "task", "member", "accuracy"]
    R = metrics.matrix_from_table(matrix)
    assert R.shape == (2, 5, 5) and not np.isnan(R).any()
    # One epoch per task: each matrix row is that epoch's task_accuracy.
    for i in range(5):
        rows = accuracy["epoch"] == i + 1
        np.testing.assert_allclose(R[accuracy["member"][rows], i, accuracy["task"][rows] - 1], accuracy["accuracy"][rows])
    assert [t.name for t in build_trainer(get_preset(name).config()).tasks] == names
