"""Continual-learning measures against hand-computed values, and the tables and live data a run writes."""

import numpy as np
import pytest

from playground.core.config import Config, apply_overrides
from playground.core.continual import metrics
from playground.core.experiments.assembly import build_trainer

NAN = np.nan
# R[i, j]: accuracy on task j after training task i. Task 1 first improves (0.9 -> 0.95)
# then drops, so its forgetting (best so far minus now) differs from its backward transfer.
R = np.array([
    [0.90, 0.10, 0.20],
    [0.95, 0.80, 0.30],
    [0.50, 0.70, 0.95],
])


def test_measures_after_the_last_task_by_hand():
    assert metrics.average_accuracy(R) == pytest.approx((0.50 + 0.70 + 0.95) / 3)
    f = metrics.forgetting(R)
    assert f[0] == pytest.approx(0.95 - 0.50)  # best of 0.90 and 0.95, minus now
    assert f[1] == pytest.approx(0.80 - 0.70)
    assert np.isnan(f[2])
    assert metrics.average_forgetting(R) == pytest.approx((0.45 + 0.10) / 2)
    assert metrics.backward_transfer(R) == pytest.approx(((0.50 - 0.90) + (0.70 - 0.80)) / 2)


def test_measures_after_an_earlier_task_and_with_unfinished_rows():
    partial = R.copy()
    partial[2] = NAN  # task 3 not trained yet
    assert metrics.average_accuracy(partial) == pytest.approx((0.95 + 0.80) / 2)
    assert metrics.backward_transfer(partial) == pytest.approx(0.95 - 0.90)
    f = metrics.forgetting(partial)
    assert f[0] == pytest.approx(0.90 - 0.95)  # negative: it improved
    assert np.isnan(f[1]) and np.isnan(f[2])
    assert metrics.average_accuracy(R, after=0) == pytest.approx(0.90)
    assert np.isnan(metrics.backward_transfer(R, after=0))
    with pytest.raises(ValueError, match="no finished task"):
        metrics.average_accuracy(np.full((3, 3), NAN))


def test_measures_keep_a_members_axis():
    other = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])  # forgets everything
    both = np.stack([R, other])
    np.testing.assert_allclose(metrics.average_accuracy(both), [(0.50 + 0.70 + 0.95) / 3, 1 / 3])
    np.testing.assert_allclose(metrics.backward_transfer(both), [-0.25, -1.0])
    np.testing.assert_allclose(metrics.forgetting(both)[1], [1.0, 1.0, NAN])


def test_matrix_from_table_reads_the_accuracy_matrix_rows():
    rows = {"after_task": [], "task": [], "member": [], "accuracy": []}
    for i in range(2):  # only two tasks finished
        for j in range(3):
            rows["after_task"].append(i + 1)
            rows["task"].append(j + 1)
            rows["member"].append(0)
            rows["accuracy"].append(R[i, j])
    back = metrics.matrix_from_table({k: np.array(v) for k, v in rows.items()}, tasks=3)
    assert back.shape == (1, 3, 3)
    np.testing.assert_allclose(back[0, :2], R[:2])
    assert np.isnan(back[0, 2]).all()


def test_a_run_writes_task_accuracy_and_the_accuracy_matrix_consistently():
    cfg = apply_overrides(Config(), [
        "task.name=digits", "network.hidden=[32]", "train.batch_size=128", "train.epochs=4",
        "train.ensemble=2", "continual.tasks=3", "continual.family=split", "continual.scenario=class",
        "continual.eval_every=2",
    ])
    trainer = build_trainer(cfg)
    records = list(trainer.epochs())
    assert len(records) == 12
    rows = [r for r in records if "task_accuracy" in r.tables]
    # Every second epoch, plus each task's end (epochs 4, 8, 12 are both).
    assert [r.epoch for r in rows] == [2, 4, 6, 8, 10, 12]
    table = records[5].tables["task_accuracy"]
    assert list(table) == ["epoch", "member", "task", "accuracy"]
    assert table["member"].tolist() == [0, 0, 0, 1, 1, 1] and table["task"].tolist() == [1, 2, 3] * 2
    ends = [r for r in records if "accuracy_matrix" in r.tables]
    assert [r.epoch for r in ends] == [4, 8, 12]
    assert list(ends[0].tables["accuracy_matrix"]) == ["after_task", "task", "member", "accuracy"]
    # The matrix rows equal an independent evaluation at the same moment (the last epoch).
    final = records[-1]
    for j, task in enumerate(trainer.tasks):
        _, acc = trainer.evaluate(task.x_test, task.y_test, task)
        mine = final.tables["accuracy_matrix"]
        chosen = (mine["after_task"] == 3) & (mine["task"] == j + 1)
        np.testing.assert_allclose(mine["accuracy"][chosen], acc)
    live = final.live["continual"]
    stacked = {k: np.concatenate([r.tables["accuracy_matrix"][k] for r in ends]) for k in ends[0].tables["accuracy_matrix"]}
    np.testing.assert_allclose(live["accuracy_matrix"], metrics.matrix_from_table(stacked))
    assert live["tasks_finished"] == 3 and live["task_index"] == 2 and live["task_done"]
    assert live["task_names"] == ["digits 0/1", "digits 2/3", "digits 4/5"]
    np.testing.assert_allclose(live["average_accuracy"], metrics.average_accuracy(live["accuracy_matrix"]))
    np.testing.assert_allclose(live["backward_transfer"], metrics.backward_transfer(live["accuracy_matrix"]))
    # Before the first task ends the matrix is empty and the measures are NaN.
    early = records[1].live["continual"]
    assert early["tasks_finished"] == 0 and np.isnan(early["accuracy_matrix"]).all()
    assert np.isnan(early["average_accuracy"]).all()
    # The future tasks are evaluated too.
    assert early["task_accuracy"].shape == (2, 3)
    np.testing.assert_allclose(records[1].tables["task_accuracy"]["accuracy"], early["task_accuracy"].reshape(-1))
