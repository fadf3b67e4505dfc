"""The app's side of issue 14, offscreen: neuron heatmaps inside the network drawing, input
features switched by clicking their units, a weight edited by clicking its link, data drawn on
the boundary view, the discretised output and a regression's surface, and the L1 control."""

import functools

import helpers_files
import numpy as np
import pytest

from playground.core.base.records import EpochRecord
from playground.core.config import apply_overrides, from_dict, validate
from playground.core.experiments.assembly import build_trainer
from playground.core.measures.neurons import compute_neuron_maps
from playground.ui import mainwindow as mw
from playground.ui.model import network_heatmaps as heatmaps
from playground.ui.model.history import History
from playground.core.remote.live import LiveSnapshots
from playground.ui.views import BoundaryView, NetworkView
from playground.ui.views.boundary import class_rgb
from playground.ui.widgets import style

TIMEOUT_MS = 20_000
FEATURES = ["x1", "x2", "x1^2"]


def trained_history(*overrides, task=None, member=0):
    """One epoch of a small 2-D run, with the live data a snapshot sends plus its neuron maps."""
    cfg = validate(apply_overrides(from_dict({"task": task or {"name": "spiral", "samples": 80,
                                                               "features": FEATURES}}),
                                   ["network.hidden=[4, 3]", "train.ensemble=2", *overrides]))
    trainer = build_trainer(cfg)
    record = trainer.run_epoch()
    record.live.update(LiveSnapshots(trainer, 0).snapshot())
    record.live["neurons"] = compute_neuron_maps(trainer, member=member)
    history = History()
    history.config = cfg
    history.extend([record])
    return history


def shown(qtbot, cls, size=(760, 620)):
    view = cls()
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_every_unit_shows_the_heatmap_it_was_given_and_a_click_opens_it_large(qtbot):
    view = shown(qtbot, NetworkView)
    history = trained_history()
    view.update_from(history)
    maps = history.live["neurons"]
    # Seven input units (every feature), 4 + 3 hidden, 2 outputs: each a heatmap, no dots.
    assert len(view.heat_images) == 7 + 4 + 3 + 2 and len(view.units.data) == 0
    for unit in range(4):
        values = maps.layers[0][unit]
        drawn = view.heatmap_image(1, unit)
        assert drawn.shape == values.shape + (4,)
        # The pixel array: each pixel where its grid point is, the full sign colour at the map's
        # largest magnitude, and elsewhere white mixed towards the sign's colour by (|v| / max)^0.7.
        sign = np.where(values >= 0, 1, -1)[..., None]
        full = np.where(sign > 0, np.array(style_rgb(style.POSITIVE), float), np.array(style_rgb(style.NEGATIVE), float))
        strength = ((np.abs(values) / np.abs(values).max()) ** 0.7)[..., None]
        np.testing.assert_allclose(drawn[..., :3], 255 * (1 - strength) + full * strength, atol=1)
        peak = np.unravel_index(np.argmax(np.abs(values)), values.shape)
        assert "#%02x%02x%02x" % tuple(drawn[peak][:3]) == (style.POSITIVE if values[peak] > 0 else style.NEGATIVE)
    # The output units: each class's probability, white to the class's colour.
    probs = np.exp(maps.layers[2]) / np.exp(maps.layers[2]).sum(axis=0)
    out = view.heatmap_image(3, 1).astype(float)
    expected = 255 * (1 - probs[1])[..., None] + np.array(style_rgb(style.class_colour(1)))[None, None] * probs[1][..., None]
    np.testing.assert_allclose(out[..., :3], expected, atol=1)
    # A click on a unit's heatmap selects it and shows it large, with the same pixels.
    x, y = 2, view._columns[2][1]
    assert view.click(x, y) == ("unit", 2, 1)
    assert view.selected == (2, 1) and view.popup.isVisible()
    np.testing.assert_array_equal(np.asarray(view.popup.image.image).transpose(1, 0, 2), view.heatmap_image(2, 1))
    assert view.highlight.getData()[0] is not None and len(view.highlight.getData()[0]) == 8
    # It follows the run: new maps, new pixels in the large view.
    record = EpochRecord(epoch=2, step=2, task_index=0, batch_loss=np.zeros(0), elapsed=0.1)
    changed = compute_neuron_maps_like(maps, scale=-1.0)
    record.live.update(weights=[w.copy() for w in history.live["weights"]], neurons=changed)
    history.extend([record])
    view.update_from(history)
    np.testing.assert_array_equal(np.asarray(view.popup.image.image).transpose(1, 0, 2), view.heatmap_image(2, 1))


def style_rgb(colour):
    from PySide6.QtGui import QColor

    return QColor(colour).getRgb()[:3]


def class_colours():
    return [style_rgb(style.class_colour(c)) for c in range(len(style.CLASS_COLOURS))]


def compute_neuron_maps_like(maps, scale):
    from dataclasses import replace

    return replace(maps, layers=[layer * scale for layer in maps.layers])


def test_another_members_weights_are_drawn_without_member_zeros_heatmaps(qtbot):
    view = shown(qtbot, NetworkView)
    view.update_from(trained_history())
    view.member_combo.setCurrentIndex(1)
    view.redraw()
    assert view.heat_images == [] or all(image.image is None for image in view.heat_images)
    assert len(view.units.data) == 7 + 4 + 3 + 2  # dots instead


def test_a_click_on_an_input_unit_names_its_feature_and_a_link_its_weight(qtbot):
    view = shown(qtbot, NetworkView)
    history = trained_history()
    view.update_from(history)
    clicked, links = [], []
    view.feature_clicked.connect(clicked.append)
    view.link_clicked.connect(lambda choice, at: links.append(choice))
    names = [row.name for row in view._rows]
    assert view.click(0, view._columns[0][names.index("sin(x2)")]) == ("feature", "sin(x2)")
    assert clicked == ["sin(x2)"]
    # The middle of a drawn link: the weight it draws, as the trainer names it.
    lk = view._links
    for k in (0, len(lk) - 1):
        x, y = (lk.x[2 * k] + lk.x[2 * k + 1]) / 2, (lk.y[2 * k] + lk.y[2 * k + 1]) / 2
        kind, choice = view.click(x, y)
        assert kind == "link"
        weights = history.live["weights"][choice.layer - 1]
        assert choice.value == pytest.approx(float(weights[0, choice.source, choice.target]))
    assert links[-1].layer == 3 and links[-1].target_name.startswith("output")


def test_a_wide_net_shows_the_first_units_heatmaps_under_its_columns(qtbot):
    view = shown(qtbot, NetworkView)
    history = trained_history("network.hidden=[32, 32]")
    view.update_from(history)
    assert not view.detailed
    # 3 features, 8 + 8 of the hidden layers' 32, the 2 outputs.
    assert len(view._heat_cells) == 3 + 8 + 8 + 2
    column, unit, (x, y, w, h) = view._heat_cells[5]
    assert view.click(x + w / 2, y + h / 2) == ("unit", column, unit)
    np.testing.assert_array_equal(view.heatmap_image(1, 0), heatmaps.unit_rgba(
        heatmaps.UnitMap(history.live["neurons"].layers[0][0], heatmaps.SIGNED, ""), style_rgb(style.POSITIVE),
        style_rgb(style.NEGATIVE), class_colours()))


def test_discretize_shows_the_likeliest_class_alone(qtbot):
    view = shown(qtbot, BoundaryView)
    history = trained_history()
    view.update_from(history)
    shaded = np.asarray(view.image.image).reshape(-1, 3)
    view.discretize.setChecked(True)
    flat = np.asarray(view.image.image).reshape(-1, 3)
    colours = {tuple(c) for c in flat}
    grid = history.live["boundary"]
    likeliest = grid.probs.mean(axis=0).argmax(axis=-1).T.reshape(-1)  # the image is x-major
    expected = np.clip(255 * 0.4 + class_rgb(2)[likeliest] * 0.6, 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(flat, expected)
    assert len(colours) <= 2 and len({tuple(c) for c in shaded}) > 2


def test_a_regression_shows_its_predicted_surface_and_points_coloured_by_target(qtbot):
    view = shown(qtbot, BoundaryView)
    history = trained_history("train.loss=mse", task={"name": "reg-gauss", "samples": 80})
    view.update_from(history)
    grid = history.live["boundary"]
    surface = grid.values.mean(axis=0)
    scale = np.abs(grid.labels).max()
    image = np.asarray(view.image.image).transpose(1, 0, 2).astype(float)  # back to [j, i]
    whiteness = (255 - image).sum(axis=-1)
    # White where the prediction is 0, deeper with |prediction|; green above 0, purple below.
    order = np.argsort(np.abs(surface).ravel())
    assert whiteness.ravel()[order[0]] <= whiteness.ravel()[order[-1]]
    green = image[..., 1] - image[..., 0] > 0
    assert np.all(green[surface > 0.05 * scale]) and not np.any(green[surface < -0.05 * scale])
    assert "surface" in view.plot.titleLabel.text.lower()
    brushes = view.value_points.data["brush"]
    top, bottom = int(np.argmax(grid.labels)), int(np.argmin(grid.labels))
    assert brushes[top].color().green() > brushes[top].color().red()  # the largest target: green
    assert brushes[bottom].color().red() > brushes[bottom].color().green()  # the smallest: purple


# ---------------------------------------------------------------- in the window

small_config = functools.partial(helpers_files.small_config, epochs=40)


@pytest.fixture
def window(qtbot):
    win = helpers_files.open_window(qtbot, small_config())
    yield win
    win.shutdown()


def recorded_changes(qtbot, window):
    """The changes the training process wrote into the run's changes.csv."""
    from playground.core.runs.runlog import CHANGES_FILE, read_changes

    path = window.session.recorder.run_dir / CHANGES_FILE
    qtbot.waitUntil(path.exists, timeout=TIMEOUT_MS)
    return read_changes(path)


def view_of(window, key):
    return next(view for view in window.views if view.key == key)


def test_before_start_a_click_on_an_input_unit_switches_its_feature_and_rebuilds(qtbot, window):
    network = view_of(window, "network")
    window.tick()
    network.update_from(window.history, force=True)
    assert len(network.heat_images) == 7 + 4 + 2  # the preview's heatmaps, before any training
    names = [row.name for row in network._rows]
    network.click(0, network._columns[0][names.index("x1*x2")])
    assert window.controls.config().task.params["features"] == ("x1", "x2", "x1*x2")
    assert window.asked == []  # before Start: the preview is rebuilt, nothing asked
    assert window.history.live["layer_sizes"][0] == 3
    network.update_from(window.history, force=True)
    assert [row.index for row in network._rows if row.active] == [0, 1, 2]
    network.click(0, network._columns[0][names.index("x1")])
    assert window.controls.config().task.params["features"] == ("x2", "x1*x2")


def test_with_a_run_on_screen_a_feature_click_asks_to_reset(qtbot, window):
    network = view_of(window, "network")
    window.step()
    qtbot.waitUntil(lambda: window.state == mw.PAUSED, timeout=TIMEOUT_MS)
    window.tick()
    network.update_from(window.history, force=True)
    window.confirm_reset = lambda question: window.asked.append(question) or False
    names = [row.name for row in network._rows]
    network.click(0, network._columns[0][names.index("sin(x1)")])
    assert len(window.asked) == 1 and "input features" in window.asked[0]
    assert window.controls.config().task.params["features"] == ("x1", "x2")  # declined: as it was
    assert window.state == mw.PAUSED


def test_a_weight_edited_while_paused_reaches_the_trainer_and_is_drawn_at_once(qtbot, window):
    network = view_of(window, "network")
    editor = window.interactions.editor
    network.update_from(window.history, force=True)
    lk = network._links
    network.click((lk.x[0] + lk.x[1]) / 2, (lk.y[0] + lk.y[1]) / 2)
    assert editor.isVisible() and editor.field.isReadOnly() and "Press Step first" in editor.note.text()
    editor.hide()
    window.step()
    qtbot.waitUntil(lambda: window.state == mw.PAUSED, timeout=TIMEOUT_MS)
    window.tick()
    network.update_from(window.history, force=True)
    lk = network._links
    _, choice = network.click((lk.x[0] + lk.x[1]) / 2, (lk.y[0] + lk.y[1]) / 2)
    assert not editor.field.isReadOnly()
    editor.field.setText("2.5")
    assert editor.submit() and not editor.isVisible()
    # Drawn at once, the trainer's copy untouched until its next step.
    assert window.history.live["weights"][choice.layer - 1][0, choice.source, choice.target] == 2.5
    window.step()
    qtbot.waitUntil(lambda: window.state == mw.PAUSED, timeout=TIMEOUT_MS)
    key = f"weight.0.{choice.layer}.{choice.source}.{choice.target}"
    # The training process applied and recorded it, from epoch 2.
    assert [(c.key, c.value, c.epoch) for c in recorded_changes(qtbot, window)] == [(key, 2.5, 2)]


def test_drawing_points_makes_the_drawn_task_and_undo_and_clear_follow(qtbot, window):
    boundary = view_of(window, "boundary")
    boundary.draw_mode.setChecked(True)
    assert boundary.draw_row.isVisibleTo(boundary)
    boundary.click(1.0, 1.0)
    assert window.controls.config().task.name == "circle"  # one point: a draft
    assert len(boundary.draft_points.data) == 1
    boundary.draw_label.setCurrentIndex(1)
    boundary.click(-2.0, 0.5)
    task = window.controls.config().task
    assert task.name == "drawn" and task.params["points"] == ((1.0, 1.0, 0), (-2.0, 0.5, 1))
    window.tick()
    boundary.update_from(window.history, force=True)
    assert len(boundary.draft_points.data) == 0 and sum(len(p.data) for p in boundary.train_points) >= 1
    boundary.click(-2.05, 0.5, add=False)  # the nearest goes
    assert len(boundary.draft_points.data) == 1
    boundary.undo_button.click()
    assert len(window.controls.config().task.params["points"]) == 2
    boundary.draw_label.setCurrentIndex(boundary.draw_label.count() - 1)  # target values: a regression
    type_into(boundary.draw_target, "0.75")
    boundary.click(0.0, -1.0)
    cfg = window.controls.config()
    assert cfg.task.params["regression"] is True and cfg.train.loss == "mse"
    assert cfg.task.params["points"][-1] == (0.0, -1.0, 0.75)
    boundary.clear_button.click()
    assert len(boundary.draft_points.data) == 0 and boundary._draft == ([], True)


def type_into(field, text):
    field.setText(text)
    field.editingFinished.emit()


def test_the_l1_control_changes_the_running_trainer_and_is_recorded(qtbot, window):
    window.step()
    qtbot.waitUntil(lambda: window.state == mw.PAUSED, timeout=TIMEOUT_MS)
    type_into(window.controls.l1, "0.01")
    assert window.asked == [] and window.run_config.train.l1 == 0.01  # live: no reset asked
    window.step()
    qtbot.waitUntil(lambda: window.state == mw.PAUSED, timeout=TIMEOUT_MS)
    assert [(c.key, c.value) for c in recorded_changes(qtbot, window)] == [("train.l1", 0.01)]
