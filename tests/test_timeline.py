"""A run as it stood at an earlier epoch (ui/model/timeline.py, no Qt): each table keeps exactly the
rows logged by then (checked row by row against a filter written out by hand), the accuracy matrix
by when its task ended, the live snapshots up to then; the frames' epochs and the movie length."""

import numpy as np
import pytest

from playground.core.base.fileio import RunFileError
from playground.core.base.records import EpochRecord
from playground.ui.model.history import History
from playground.ui.model.timeline import (MAX_FPS, check_length, frame_epochs, logged_epochs, spread,
                                          truncated)
from helpers_files import small_config


def continual_history(epochs=12, per_task=4, members=2) -> History:
    """Metrics every epoch, probes every third epoch, a matrix row per member and task at each
    task's end, a weight histogram snapshot every second epoch."""
    history = History()
    history.config = small_config("continual.tasks=3", f"continual.epochs_per_task={per_task}",
                                  f"train.epochs={epochs}")
    records = []
    for epoch in range(1, epochs + 1):
        r = EpochRecord(epoch=epoch, step=10 * epoch, task_index=(epoch - 1) // per_task,
                        batch_loss=np.full(members, 1.0 / epoch), elapsed=0.5 * epoch)
        r.add_table("metrics", {"epoch": np.full(members, epoch), "member": np.arange(members),
                                "test_acc": np.full(members, epoch / 100.0)})
        if epoch % 3 == 0:
            r.add_table("info_plane", {"epoch": np.full(members, epoch), "member": np.arange(members),
                                       "i_xt": np.full(members, float(epoch))})
        if epoch % per_task == 0:
            task = epoch // per_task
            r.add_table("accuracy_matrix", {"after_task": np.full(members * 3, task),
                                            "task": np.tile(np.arange(1, 4), members),
                                            "member": np.repeat(np.arange(members), 3),
                                            "accuracy": np.full(members * 3, 0.5)})
        if epoch % 2 == 0:
            r.live["weight_hist"] = {"epoch": epoch}
        r.live["weights"] = [np.full((members, 2, 2), float(epoch))]
        records.append(r)
    history.extend(records)
    if epochs:
        history.stop_reason = "completed"
    return history


def by_hand(history: History, name: str, keep_row) -> dict:
    """The rows of a table for which keep_row(row as dict) is true, built one row at a time."""
    table = history.columns(name)
    columns = list(table)
    rows = [{c: table[c][i] for c in columns} for i in range(len(table[columns[0]]))]
    kept = [row for row in rows if keep_row(row)]
    return {c: np.array([row[c] for row in kept]) for c in columns}


@pytest.mark.parametrize("epoch", [1, 3, 4, 7, 8, 12])
def test_each_table_keeps_exactly_the_rows_logged_by_then(epoch):
    history = continual_history()
    past = truncated(history, epoch)
    for name in ("metrics", "info_plane", "batch_loss"):
        expected = by_hand(history, name, lambda row: row["epoch"] <= epoch)
        if len(expected["epoch"]) == 0:
            assert not past.has(name)
            continue
        for column, values in expected.items():
            np.testing.assert_array_equal(past.columns(name)[column], values, err_msg=f"{name}.{column}")
    # The matrix row "after task t" exists once task t's last epoch (t * 4) has passed.
    expected = by_hand(history, "accuracy_matrix", lambda row: row["after_task"] * 4 <= epoch)
    assert past.rows("accuracy_matrix") == len(expected["after_task"])
    if len(expected["after_task"]):
        np.testing.assert_array_equal(past.columns("accuracy_matrix")["after_task"], expected["after_task"])
    assert past.epoch == epoch
    assert past.task_index == (epoch - 1) // 4
    assert past.stop_reason == ("completed" if epoch == 12 else None)


def test_the_original_is_untouched_and_live_snapshots_stop_at_the_epoch():
    history = continual_history()
    rows_before = {name: history.rows(name) for name in history.tables}
    past = truncated(history, 5)
    assert {name: history.rows(name) for name in history.tables} == rows_before
    assert [e for e, _ in past.live_series["weight_hist"]] == [2, 4]
    assert past.live["weight_hist"] == {"epoch": 4}
    assert len(history.live_series["weight_hist"]) == 6
    # The rest of the live data has no past: it is the latest state.
    np.testing.assert_array_equal(past.live["weights"][0], history.live["weights"][0])
    assert past.config is history.config and past.source == history.source
    assert past.step == 50 and past.elapsed == pytest.approx(2.5)


def test_a_truncation_past_the_end_is_the_whole_run():
    history = continual_history()
    past = truncated(history, 100)
    for name in history.tables:
        for column, values in history.columns(name).items():
            np.testing.assert_array_equal(past.columns(name)[column], values)
    assert past.epoch == history.epoch and past.stop_reason == "completed"


def test_frame_epochs_spread_over_the_logged_epochs():
    history = continual_history()
    np.testing.assert_array_equal(logged_epochs(history), np.arange(1, 13))
    frames = frame_epochs(history, 4)
    assert list(frames) == [1, 5, 8, 12]  # round(linspace(0, 11, 4)) = 0, 4, 7, 11
    assert list(frame_epochs(history, 50)) == list(range(1, 13))  # fewer epochs than frames: each one
    assert list(spread(np.array([3, 6, 9]), 2)) == [3, 9]
    assert len(logged_epochs(History())) == 0


def test_movie_length_and_its_limits():
    assert check_length(10, 5).frames == 50
    assert check_length("4", "0.5").frames == 2
    for fps, seconds in ((0, 5), (MAX_FPS + 1, 5), (10, 0), (10, -1), ("ten", 5), (60, 100)):
        with pytest.raises(RunFileError) as caught:
            check_length(fps, seconds)
        assert "\n" not in str(caught.value)
