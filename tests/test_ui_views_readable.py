"""The views read well on any net and any data (issue 13): a deep net as one column per layer with
captions apart, names elided with a tooltip, keys clear of the data, values on hover, a zero loss
kept, one drift-to-diffusion marker per layer, and the sweep view's ranges, live values and
reference lines."""

import numpy as np
import pytest

from playground.core.base.records import EpochRecord
from playground.core.experiments.lessons import get_lesson
from playground.ui.model import network_layout
from playground.ui.model.history import History
from playground.ui.views import LayerStatsView, LossView, NetworkView, SweepView


def net_history(sizes, names=None, activations=None):
    rng = np.random.default_rng(0)
    record = EpochRecord(epoch=1, step=1, task_index=0, batch_loss=np.array([1.0]), elapsed=0.1)
    record.live["weights"] = [rng.normal(size=(2, a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    record.live["biases"] = [rng.normal(size=(2, 1, b)) for b in sizes[1:]]
    record.live["layer_sizes"] = sizes
    record.live["activations"] = activations or ["tanh"] * (len(sizes) - 2)
    if names is not None:
        record.live["feature_names"] = names
    history = History()
    history.extend([record])
    return history


def shown_view(qtbot, cls, size=(700, 600)):
    view = cls()
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_a_fifty_layer_net_is_drawn_as_fifty_one_matrices_with_captions_apart(qtbot):
    view = shown_view(qtbot, NetworkView, (420, 600))
    sizes = [64] + [64] * 50 + [10]
    view.update_from(net_history(sizes))
    assert not view.detailed
    assert sum(1 for tile in view.tiles if tile.image is not None) == 51
    assert all(item.getData()[0] is None or len(item.getData()[0]) == 0 for item in view.links.values())
    assert network_layout.overlapping(view.caption_layout, gap=network_layout.CAPTION_GAP_PX) == []
    texts = [c.text for c in view.caption_layout]
    assert "50 × tanh\n64 each" in texts
    # Each caption's box, as Qt draws it, is apart from the next on its row.
    boxes = sorted((item.sceneBoundingRect() for item in view.captions), key=lambda r: r.left())
    for a, b in zip(boxes, boxes[1:]):
        assert b.left() >= a.right() or abs(a.top() - b.top()) > 1
    assert view.plot.getAxis("bottom").isVisible()  # numbered layers


def test_a_resized_network_view_lays_its_captions_out_again(qtbot):
    view = shown_view(qtbot, NetworkView, (900, 600))
    view.update_from(net_history([64] + [64] * 6 + [10]))
    wide = [c.text for c in view.caption_layout]
    assert wide == ["input\n64"] + ["tanh\n64"] * 6 + ["softmax\n10"]
    view.resize(260, 600)
    qtbot.waitUntil(lambda: view.plot.vb.width() < 300)
    view._resized()
    assert network_layout.overlapping(view.caption_layout, gap=network_layout.CAPTION_GAP_PX) == []


def test_a_small_net_keeps_units_and_links_and_long_names_are_elided_with_a_tooltip(qtbot):
    view = shown_view(qtbot, NetworkView)
    names = ["sepal_length_centimetres", "x2"]
    view.update_from(net_history([2, 4, 3, 2], names=names))
    assert view.detailed
    assert len(view.units.data) == 2 + 4 + 3 + 2
    assert sum(len(item.getData()[0]) for item in view.links.values() if item.getData()[0] is not None) > 0
    shown = [item.textItem.toPlainText() for item in view.names]
    assert shown[1] == "x2" and "…" in shown[0]
    assert shown[0].startswith("sepal") and shown[0].endswith("s")  # both ends, not "th_cm"
    assert view.names[0].toolTip() == names[0]


def test_the_network_view_uses_colour_for_the_sign_only(qtbot):
    from playground.ui.widgets import style

    view = shown_view(qtbot, NetworkView)
    view.update_from(net_history([2, 4, 2]))
    fills = {b.color().name() for b in view.units.data["brush"]}
    assert not fills & {style.class_colour(c) for c in range(10)}  # output units are not class-coloured
    assert style.POSITIVE in view.key_label.text() and style.NEGATIVE in view.key_label.text()


def loss_history(train_loss, train_acc):
    history = History()
    records = []
    for epoch, (loss, acc) in enumerate(zip(train_loss, train_acc), start=1):
        record = EpochRecord(epoch=epoch, step=epoch, task_index=0, batch_loss=np.array([1.0]), elapsed=0.01 * epoch)
        record.add_table("metrics", {"epoch": np.array([epoch]), "member": np.array([0]),
                                     "train_loss": np.array([loss]), "train_acc": np.array([acc]),
                                     "test_loss": np.array([loss]), "test_acc": np.array([acc])})
        records.append(record)
    history.extend(records)
    return history


def test_a_zero_loss_stays_on_the_log_plot_at_its_floor_labelled_zero(qtbot):
    view = shown_view(qtbot, LossView, (900, 500))
    view.update_from(loss_history([1.0, 0.1, 0.01, 0.0, 0.0], [0.5, 0.8, 0.9, 1.0, 1.0]))
    x, y = view.items["train_loss"].getData()
    np.testing.assert_allclose(x, [1, 2, 3, 4, 5])  # the zeros are not dropped
    np.testing.assert_allclose(10 ** y, [1.0, 0.1, 0.01, 1e-3, 1e-3])
    axis = view.loss_plot.getAxis("left")
    assert axis.zero_floor == pytest.approx(-3)
    levels = axis.tickValues(-3.1, 0.1, 400)
    assert axis.tickStrings(levels[0][1], 1, 1)[0] == "0"


def test_accuracy_near_100_sends_the_key_away_from_the_top(qtbot):
    view = shown_view(qtbot, LossView, (900, 500))
    epochs = 60
    acc = 1 - 0.9 * np.exp(-np.arange(epochs) / 6)
    view.update_from(loss_history(np.exp(-np.arange(epochs) / 20), acc))
    qtbot.wait(50)
    view.acc_plot.corner_key.update()
    assert view.acc_plot.corner_key.corner.startswith("bottom")
    legend = view.acc_plot.legend.sceneBoundingRect()
    x, y = view.items["train_acc"].getData()
    vb = view.acc_plot.vb
    for px, py in zip(x, y):
        assert not legend.contains(vb.mapViewToScene(pg_point(px, py)))


def pg_point(x, y):
    from PySide6.QtCore import QPointF

    return QPointF(float(x), float(y))


def test_hovering_a_curve_shows_its_values(qtbot):
    view = shown_view(qtbot, LossView, (900, 500))
    view.update_from(loss_history([1.0, 0.5, 0.25], [0.5, 0.75, 0.9]))
    readout = view.acc_plot.readout
    text = readout.show_at(2.0, 75.0)
    assert "epoch 2" in text and "75" in text and readout.label.isVisible()
    assert readout.show_at(2.0, 10.0) == ""  # far from every point: nothing
    text = view.loss_plot.readout.show_at(3.0, float(np.log10(0.25)))
    assert "0.25" in text  # a log axis reads the value, not its logarithm


def layer_history(crossings):
    """SNR of each layer = crossing / epoch: layer l falls below 1 after epoch crossings[l]."""
    history = History()
    records = []
    layers = len(crossings)
    for epoch in range(1, 41):
        record = EpochRecord(epoch=epoch, step=epoch, task_index=0, batch_loss=np.array([1.0]), elapsed=0.01 * epoch)
        ones = np.ones(layers)
        record.add_table("layer_stats", {
            "epoch": np.full(layers, epoch), "member": np.zeros(layers, dtype=int), "layer": np.arange(1, layers + 1),
            "units": 4 * ones, "weight_norm": ones, "weight_mean": 0 * ones, "weight_std": ones,
            "grad_mean_norm": ones / epoch, "grad_std": 0.2 * ones, "snr": np.array(crossings, dtype=float) / epoch,
            "saturation": 0 * ones, "diffusion_epoch": -ones})
        records.append(record)
    history.extend(records)
    return history


def test_each_layer_gets_its_own_drift_to_diffusion_marker(qtbot):
    view = shown_view(qtbot, LayerStatsView, (900, 600))
    view.update_from(layer_history([3.5, 7.5, 15.5]))
    assert view.diffusion_epochs == {1: 4, 2: 8, 3: 16}  # deeper layers cross later
    visible = [m for m in view.markers if m.isVisible()]
    assert len(visible) == 3
    assert [round(10 ** m.value()) for m in visible] == [4, 8, 16]
    assert [m.label.toPlainText().split()[0] for m in visible] == ["L1", "L2", "L3"]  # drawn, not only set
    assert view.one_line.label.anchors == [(0, 1), (0, 1)]  # "SNR = 1" reads from the left edge, whole


def test_a_sweep_with_one_point_at_100_percent_gets_a_readable_range(qtbot):
    view = shown_view(qtbot, SweepView, (1000, 500))
    lesson = get_lesson("parity-wall")
    view.set_sweep(None, lesson.sweep.param, "starting", config=lesson.config, values=lesson.sweep.values)
    view.add_value(5, {"seed": [0, 1, 2], "final_train_acc": [1.0, 1.0, 1.0], "final_test_acc": [1.0, 1.0, 0.99],
                       "final_test_loss": [0.0, 0.0, 0.01]})
    low, high = view.acc_plot.vb.viewRange()[1]
    assert high - low >= 10 and low < 95 and high > 100
    x_low, x_high = view.acc_plot.vb.viewRange()[0]
    assert x_low < 5 and x_high > 30  # the values still to come are on the axis already
    dots = [item for plot, item in view.items if plot is view.acc_plot and hasattr(item, "readout_name")]
    assert sum(len(d.data) for d in dots) == 6  # every seed a dot, train and test
    view.add_value(10, {"seed": [0, 1, 2], "final_train_acc": [0.5] * 3, "final_test_acc": [0.5] * 3,
                        "final_test_loss": [0.7] * 3})
    assert list(view.table["value"]) == [5, 5, 5, 10, 10, 10]
    legend = [label.text for _, label in view.acc_plot.legend.items]
    assert "chance 50 %" in legend


def test_the_edge_of_chaos_sweep_draws_the_critical_line(qtbot):
    import pyqtgraph as pg

    view = shown_view(qtbot, SweepView, (1000, 500))
    lesson = get_lesson("edge-of-chaos")
    table = {"value": np.array([0.5, 1.76, 3.0], dtype=object), "seed": np.array([0, 0, 0]),
             "final_train_acc": np.array([0.1, 0.9, 0.1]), "final_test_acc": np.array([0.1, 0.85, 0.1]),
             "final_test_loss": np.array([2.3, 0.4, 2.3])}
    view.set_sweep(table, lesson.sweep.param, config=lesson.config)
    lines = [item for plot, item in view.reference_items if isinstance(item, pg.InfiniteLine) and item.angle == 90]
    assert len(lines) == 2 and lines[0].value() == pytest.approx(1.76, abs=0.01)
    assert any("critical" in label.text for _, label in view.acc_plot.legend.items)


def test_the_forgetting_key_sits_below_the_tasks_curves(qtbot):
    from test_ui_views import synthetic_history

    from playground.ui.views import ForgettingView

    view = shown_view(qtbot, ForgettingView, (1000, 600))
    view.update_from(synthetic_history())
    qtbot.wait(20)
    legend = view.legend.sceneBoundingRect()
    assert legend.height() > 0 and legend.top() >= view.acc_plot.sceneBoundingRect().bottom() - 1
    assert {label.text for _, label in view.legend.items} >= {"task 1", "task 2", "task 3"}


def test_hovering_a_sweep_point_reads_the_swept_value_not_its_logarithm(qtbot):
    view = shown_view(qtbot, SweepView, (1000, 500))
    table = {"value": np.array([16, 256, 4096], dtype=object), "seed": np.array([0, 0, 0]),
             "final_train_acc": np.array([0.9, 0.95, 0.97]), "final_test_acc": np.array([0.88, 0.9, 0.91]),
             "final_test_loss": np.array([0.3, 0.2, 0.1])}
    view.set_sweep(table, "train.batch_size")
    text = view.acc_plot.readout.show_at(float(np.log10(256)), 95.0)
    assert "train.batch_size 256" in text and "95" in text
