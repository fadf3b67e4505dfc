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
    with pytest.raises(ValueError, match="no finished task"):
        metrics.average_accuracy(np.full((3, 3), NAN))


def test_both_forgetting_conventions_by_hand():
    # Best earlier accuracy minus now (Chaudhry et al.), and accuracy right after training minus
    # now (Avalanche): they differ on task 1, which improved to 0.95 before it was forgotten.
    np.testing.assert_allclose(metrics.forgetting(R)[:2], [0.95 - 0.50, 0.80 - 0.70])
    np.testing.assert_allclose(metrics.forgetting_last(R)[:2], [0.90 - 0.50, 0.80 - 0.70])
    assert np.isnan(metrics.forgetting_last(R)[2])
    assert metrics.average_forgetting(R, convention="max") == pytest.approx((0.45 + 0.10) / 2)
    assert metrics.average_forgetting(R, convention="last") == pytest.approx((0.40 + 0.10) / 2)
    # Avalanche's forgetting is minus the backward transfer, after every task.
    for after in range(3):
        assert metrics.average_forgetting(R, after, "last") == pytest.approx(-metrics.backward_transfer(R, after))
    # After task 2 both look back at task 1's only earlier accuracy: 0.90 - 0.95.
    assert metrics.average_forgetting(R, 1, "max") == pytest.approx(-0.05)
    assert metrics.average_forgetting(R, 1, "last") == pytest.approx(-0.05)


def test_after_the_first_task_nothing_is_forgotten_zero_not_nan():
    both = np.stack([R, R[::-1]])
    for convention in ("max", "last"):
        np.testing.assert_array_equal(metrics.average_forgetting(both, 0, convention), [0.0, 0.0])
    np.testing.assert_array_equal(metrics.backward_transfer(both, 0), [0.0, 0.0])
    first_only = R.copy()
    first_only[1:] = NAN  # a run stopped after its first task
    assert metrics.average_forgetting(first_only) == 0.0 and metrics.backward_transfer(first_only) == 0.0


def test_summary_json_reports_both_conventions_and_zero_after_the_first_task():
    from playground.core.runs.runlog import continual_summary

    def rows(after_tasks):
        table = {"after_task": [], "task": [], "member": [], "accuracy": []}
        for i in after_tasks:
            for j in range(3):
                table["after_task"].append(i + 1)
                table["task"].append(j + 1)
                table["member"].append(0)
                table["accuracy"].append(R[i, j])
        return {k: np.array(v) for k, v in table.items()}

    summary = continual_summary([rows([0]), rows([1, 2])])
    assert summary["after_task"] == 3
    assert summary["forgetting_max"]["mean"] == pytest.approx(0.275)
    assert summary["forgetting_last"]["mean"] == pytest.approx(0.25)
    assert summary["backward_transfer"]["per_member"] == [pytest.approx(-0.25)]
    assert summary["average_accuracy"]["mean"] == pytest.approx((0.50 + 0.70 + 0.95) / 3)
    first = continual_summary([rows([0])])
    assert first["after_task"] == 1
    assert first["forgetting_max"] == first["forgetting_last"] == first["backward_transfer"] == {
        "mean": 0.0, "per_member": [0.0]}


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
    np.testing.assert_allclose(live["forgetting_last"], metrics.forgetting_last(live["accuracy_matrix"]))
    # After the first task: nothing old yet, so no forgetting and no transfer (0, not NaN).
    first = records[3].live["continual"]
    assert first["tasks_finished"] == 1 and np.all(first["backward_transfer"] == 0)
    # Before the first task ends the matrix is empty and the measures are NaN.
    early = records[1].live["continual"]
    assert early["tasks_finished"] == 0 and np.isnan(early["accuracy_matrix"]).all()
    assert np.isnan(early["average_accuracy"]).all()
    # The future tasks are evaluated too.
    assert early["task_accuracy"].shape == (2, 3)
    np.testing.assert_allclose(records[1].tables["task_accuracy"]["accuracy"], early["task_accuracy"].reshape(-1))
