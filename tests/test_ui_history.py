"""The GUI's history buffers and table reshaping (no Qt), against brute-force references."""

import numpy as np
import pytest

from playground.core.config import apply_overrides, from_dict
from playground.core.base.records import EpochRecord
from playground.core.runs.runlog import RunWriter, read_run
from playground.ui.model.history import BATCH_LOSS, MAX_SNAPSHOTS, History, TableBuffer
from playground.ui.model import series


def record(epoch, members=2, tables=None, live=None):
    r = EpochRecord(epoch=epoch, step=epoch * 3, task_index=0,
                    batch_loss=np.arange(members, dtype=float) + epoch, elapsed=0.1 * epoch)
    for name, table in (tables or {}).items():
        r.add_table(name, table)
    r.live.update(live or {})
    return r


def metrics_rows(epoch, members=2):
    return {"epoch": np.full(members, epoch), "member": np.arange(members),
            "train_loss": np.full(members, 1.0 / epoch), "train_acc": np.full(members, 0.5),
            "test_loss": np.full(members, 2.0 / epoch), "test_acc": np.full(members, 0.4)}


def test_buffer_grows_and_keeps_every_row_in_order():
    buffer = TableBuffer(max_rows=10_000, capacity=4)
    for start in range(0, 100, 7):
        rows = np.arange(start, min(start + 7, 100))
        buffer.append({"epoch": rows, "value": rows * 2.0})
    assert buffer.rows == 100
    assert buffer.capacity >= 100
    np.testing.assert_array_equal(buffer.column("epoch"), np.arange(100))
    np.testing.assert_array_equal(buffer.column("value"), np.arange(100) * 2.0)


def test_buffer_is_bounded_and_keeps_the_whole_span():
    buffer = TableBuffer(max_rows=64)
    for epoch in range(1, 1001):
        buffer.append({"epoch": np.array([epoch, epoch]), "member": np.array([0, 1])})
    assert buffer.rows <= 64
    epochs = buffer.column("epoch")
    assert epochs.min() == 1 and epochs.max() == 1000  # the start and the end survive thinning
    assert np.all(np.diff(epochs) >= 0)
    # Every kept epoch keeps all its members.
    values, counts = np.unique(epochs, return_counts=True)
    assert np.all(counts == 2)


def test_buffer_refuses_other_columns_and_widens_integer_columns():
    buffer = TableBuffer()
    buffer.append({"epoch": np.array([1]), "x": np.array([2])})
    buffer.append({"x": np.array([0.5]), "epoch": np.array([2])})  # same columns, other order
    np.testing.assert_array_equal(buffer.column("x"), [2.0, 0.5])
    with pytest.raises(ValueError):
        buffer.append({"epoch": np.array([3]), "y": np.array([1.0])})


def test_history_collects_tables_batch_loss_and_live_data():
    history = History()
    hists = [{"counts": np.ones((2, 3)), "edges": np.linspace(0, 1, 4)}]
    history.extend([record(e, tables={"metrics": metrics_rows(e)}, live={"weight_hist": hists, "x": e})
                    for e in range(1, 6)])
    assert history.epoch == 5 and history.step == 15
    assert history.rows("metrics") == 10
    assert history.rows(BATCH_LOSS) == 10
    np.testing.assert_array_equal(history.columns(BATCH_LOSS)["loss"][-2:], [5.0, 6.0])
    assert history.live["x"] == 5
    assert [epoch for epoch, _ in history.live_series["weight_hist"]] == [1, 2, 3, 4, 5]


def test_history_live_series_is_bounded():
    history = History()
    for epoch in range(1, 3 * MAX_SNAPSHOTS):
        history.add(record(epoch, live={"weight_hist": epoch}))
    series_ = history.live_series["weight_hist"]
    assert len(series_) <= MAX_SNAPSHOTS
    assert series_[0][0] == 1 and series_[-1][0] == 3 * MAX_SNAPSHOTS - 1


def test_history_from_a_saved_run_holds_its_tables(tmp_path):
    cfg = apply_overrides(from_dict({"task": {"name": "circle"}}), ["network.hidden=[3]", "train.epochs=3"])
    from playground.core.config import validate

    cfg = validate(cfg)
    writer = RunWriter(tmp_path / "run", cfg)
    for epoch in (1, 2, 3):
        r = record(epoch, tables={"metrics": metrics_rows(epoch)})
        r.evaluated, r.train_loss, r.train_acc, r.test_loss, r.test_acc = True, *(np.ones(2),) * 4
        writer.write(r)
    writer.finish("completed")
    history = History.from_run(read_run(tmp_path / "run"))
    assert history.config.task.name == "circle"
    assert history.epoch == 3 and history.stop_reason == "completed"
    np.testing.assert_allclose(history.columns("metrics")["train_loss"], [1, 1, 0.5, 0.5, 1 / 3, 1 / 3])


def test_group_mean_matches_a_loop():
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 5, 300), rng.integers(0, 3, 300)
    v = rng.normal(size=300)
    (ka, kb), means = series.group_mean([a, b], v)
    for x, y, m in zip(ka, kb, means):
        assert m == pytest.approx(v[(a == x) & (b == y)].mean())
    assert len(means) == len({(x, y) for x, y in zip(a, b)})


def test_member_curves_break_between_members():
    epoch = np.array([2, 1, 1, 2, 3, 3])
    member = np.array([0, 0, 1, 1, 0, 1])
    values = np.array([20, 10, 11, 21, 30, 31.0])
    x, y, connect = series.member_curves(epoch, member, values)
    np.testing.assert_array_equal(x, [1, 2, 3, 1, 2, 3])
    np.testing.assert_array_equal(y, [10, 20, 30, 11, 21, 31])
    np.testing.assert_array_equal(connect, [True, True, False, True, True, False])


def test_drift_to_diffusion_is_the_first_fall_below_one():
    epochs = np.array([1, 2, 4, 8, 16, 32])
    assert series.drift_to_diffusion_epoch(epochs, [0.5, 2, 3, 1.5, 0.8, 0.3]) == 16
    assert series.drift_to_diffusion_epoch(epochs, [2, 2, 2, 2, 2, 2]) is None
    assert series.drift_to_diffusion_epoch(epochs, [0.5] * 6) is None  # never in the drift phase


def test_accuracy_matrix_grid_from_rows():
    after = np.array([1, 1, 1, 1, 2, 2, 2, 2])
    task = np.array([1, 2, 1, 2, 1, 2, 1, 2])
    acc = np.array([0.9, 0.1, 0.7, 0.3, 0.4, 0.8, 0.6, 1.0])  # two members each
    grid, rows, cols = series.accuracy_matrix(after, task, acc)
    np.testing.assert_allclose(grid, [[0.8, 0.2], [0.5, 0.9]])
    np.testing.assert_array_equal(rows, [1, 2])


def test_task_boundaries():
    assert series.task_boundaries(10, 3) == [10, 20]
    assert series.task_boundaries(10, 1) == []


def test_redraw_pacer_spaces_redraws_when_the_gui_thread_is_busy_and_recovers():
    from playground.ui.session.pacing import RedrawPacer

    clock = {"wall": 0.0, "cpu": 0.0}
    pacer = RedrawPacer(budget=0.25, max_every=4, window_s=1.0,
                        clock=lambda: clock["wall"], cpu_clock=lambda: clock["cpu"])

    def second(busy_share):
        redraws = 0
        for _ in range(30):  # 30 ticks a second
            clock["wall"] += 1 / 30
            clock["cpu"] += busy_share / 30
            redraws += pacer.due()
        return redraws

    assert second(0.1) == 30  # cheap drawing: every tick
    for _ in range(5):
        second(0.6)  # drawing takes 60 % of a core
    assert pacer.every == 4 and second(0.6) <= 8  # max_every=4 here
    for _ in range(5):
        second(0.05)
    assert pacer.every == 1
