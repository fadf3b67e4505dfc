"""The network drawing's pieces without a window (issue 14): the input column of every available
feature, what a click on the drawing hits, the links named by the weight each one draws, which
map each unit's heatmap shows and its colours, and a weight edit shown at once."""

import math

import numpy as np
import pytest
import torch

from playground.core.config import apply_overrides, from_dict, validate
from playground.core.experiments.assembly import build_trainer
from playground.core.measures.boundary import compute_boundary
from playground.core.measures.neurons import NeuronMaps, compute_neuron_maps
from playground.core.tasks.features import NAMES
from playground.ui.model import network_heatmaps as heatmaps
from playground.ui.model import network_hits as hits
from playground.ui.model.weight_edit import edited_live
from playground.core.remote.live import LiveSnapshots

POSITIVE, NEGATIVE = (27, 120, 55), (118, 42, 131)
CLASSES = [(245, 147, 34), (8, 119, 189), (214, 39, 40)]


def test_the_input_column_has_every_feature_each_marked_with_its_network_input():
    rows = hits.input_rows(["x2", "x1^2"], toggleable=True)
    assert [row.name for row in rows] == list(NAMES)
    assert {row.name: row.index for row in rows if row.active} == {"x2": 0, "x1^2": 1}
    assert hits.input_rows(["length", "width"], toggleable=False) == [hits.InputRow("length", 0),
                                                                      hits.InputRow("width", 1)]
    # Each network input's y is its row's.
    ys = hits.row_positions(len(rows))
    np.testing.assert_allclose(hits.network_input_positions(rows), [ys[1], ys[2]])


def test_a_click_adds_a_feature_in_playground_order_or_drops_it():
    assert hits.toggled_features(("x1", "x2"), "x1^2") == ("x1", "x2", "x1^2")
    assert hits.toggled_features(("x1^2", "x2"), "x1") == ("x1", "x2", "x1^2")
    assert hits.toggled_features(("x1", "x2", "x1^2"), "x2") == ("x1", "x1^2")
    assert hits.toggled_features(("x1",), "x1") == ()  # the config's check refuses it, with its reason


def test_each_drawn_link_names_the_weight_it_draws():
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=(3, 4)), rng.normal(size=(4, 2))]
    positions = [np.array([1.0, 0.0, -1.0]), hits.row_positions(4), hits.row_positions(2)]
    links = hits.drawn_links(weights, positions, max_links=5)
    assert len(links) == 5 + 5
    for k in range(len(links)):
        layer, i, j = links.layer[k], links.source[k], links.target[k]
        assert links.weight[k] == weights[layer][i, j]
        assert (links.x[2 * k], links.x[2 * k + 1]) == (layer, layer + 1)
        assert (links.y[2 * k], links.y[2 * k + 1]) == (positions[layer][i], positions[layer + 1][j])
    # The 5 strongest of the first layer's 12, by brute force.
    strongest = sorted(np.abs(weights[0]).ravel())[-5:]
    assert sorted(np.abs(links.weight[links.layer == 0])) == pytest.approx(strongest)


def point_segment_px(p, a, b):
    """Distance from p to the segment ab, by sampling the segment finely (an independent check)."""
    t = np.linspace(0, 1, 20001)[:, None]
    return float(np.min(np.hypot(*(a + t * (b - a) - p).T)))


def test_a_click_picks_the_nearest_link_within_a_few_pixels():
    links = hits.drawn_links([np.array([[1.0, -2.0], [0.5, 3.0]])], [np.array([0.5, -0.5]), np.array([0.5, -0.5])], 10)
    px_x, px_y = 200.0, 80.0
    rng = np.random.default_rng(1)
    near = far = 0
    for _ in range(400):
        x, y = rng.uniform(-0.1, 1.1), rng.uniform(-0.7, 0.7)
        distances = [point_segment_px(np.array([x * px_x, y * px_y]),
                                      np.array([links.x[2 * k] * px_x, links.y[2 * k] * px_y]),
                                      np.array([links.x[2 * k + 1] * px_x, links.y[2 * k + 1] * px_y]))
                     for k in range(len(links))]
        found = hits.link_at(links, x, y, px_x, px_y, tolerance_px=4)
        best = int(np.argmin(distances))
        if distances[best] <= 3.99:
            assert found is not None and distances[found] == pytest.approx(distances[best], abs=0.01)
            near += 1
        elif distances[best] > 4.01:
            assert found is None
            far += 1
    assert near > 10 and far > 10


def test_a_click_on_a_unit_box_finds_that_unit_and_nothing_between():
    columns = [hits.row_positions(3), hits.row_positions(2)]
    assert hits.unit_at(columns, 0.05, 1.1, 0.2, 0.3) == (0, 0)
    assert hits.unit_at(columns, 1.0, -0.45, 0.2, 0.3) == (1, 1)
    assert hits.unit_at(columns, 0.5, 0.0, 0.2, 0.3) is None  # between columns
    assert hits.unit_at(columns, 0.0, 0.5, 0.2, 0.3) is None  # between units
    assert hits.rect_at([(0, 0, 1, 1), (2, 0, 1, 1)], 2.5, 0.5) == 1
    assert hits.rect_at([(0, 0, 1, 1)], 1.5, 0.5) is None


def test_the_heatmap_strip_of_a_large_drawing_fits_under_its_columns():
    rects = hits.strip_rects(3, [2, 8, 1], top=-0.5, height=0.6, px_x=50, px_y=400)
    assert [len(r) for r in rects] == [2, 8, 1]
    for column, column_rects in enumerate(rects):
        for x, y, w, h in column_rects:
            assert x == pytest.approx(column - w / 2) and y >= -0.5 - 0.6 - 1e-9 and y + h <= -0.5 + 1e-9
            assert w * 50 == pytest.approx(h * 400)  # square on screen
    assert hits.strip_rects(3, [8, 8, 8], -0.5, 0.6, px_x=5, px_y=400) == [[], [], []]  # too narrow to read


def maps_for(sizes, rng, resolution=5, member=0, names=("x1", "x2")):
    xs = np.linspace(-1, 1, resolution)
    layers = [rng.normal(size=(min(n, 8), resolution, resolution)).astype(np.float32) for n in sizes[1:]]
    gx, gy = np.meshgrid(xs, xs)
    inputs = np.stack([gx, gy])[: len(names)].astype(np.float32)
    return NeuronMaps(xs=xs, ys=xs.copy(), member=member, feature_names=list(names), inputs=inputs,
                      layers=layers, units=[np.arange(min(n, 8)) for n in sizes[1:]])


def test_output_units_show_each_class_probability_a_softmax_of_the_outputs():
    rng = np.random.default_rng(2)
    sizes = [2, 4, 3]
    maps = maps_for(sizes, rng)
    rows = hits.input_rows(["x1", "x2"], toggleable=True)
    columns = heatmaps.column_maps(maps, rows, sizes, [7, 4, 3], "cross_entropy", regression=False)
    raw = maps.layers[-1]
    for k in range(3):
        expected = np.exp(raw[k]) / sum(np.exp(raw[c]) for c in range(3))
        assert columns[2][k].kind == heatmaps.CLASS and columns[2][k].colour == k
        np.testing.assert_allclose(columns[2][k].values, expected, rtol=1e-6)
    # The hidden units show their maps as given; the unused features their formulas, dimmed.
    for k in range(4):
        np.testing.assert_array_equal(columns[1][k].values, maps.layers[0][k])
    unused = {row.name: m for row, m in zip(rows, columns[0]) if not row.active}
    np.testing.assert_allclose(unused["sin(x2)"].values, np.sin(np.meshgrid(maps.xs, maps.ys)[1]), rtol=1e-6)
    assert unused["x1*x2"].dimmed and not columns[0][0].dimmed
    hinge = heatmaps.column_maps(maps_for([2, 4, 1], rng), rows, [2, 4, 1], [7, 4, 1], "hinge", False)[2][0]
    assert hinge.kind == heatmaps.HINGE and hinge.values.min() >= 0 and hinge.values.max() <= 1
    surface = heatmaps.column_maps(maps_for([2, 4, 1], rng), rows, [2, 4, 1], [7, 4, 1], "mse", True)[2][0]
    assert surface.kind == heatmaps.SIGNED


def test_a_wide_layers_later_units_have_no_map():
    rng = np.random.default_rng(3)
    maps = maps_for([2, 12, 2], rng)
    columns = heatmaps.column_maps(maps, hits.input_rows(["x1", "x2"], False), [2, 12, 2], [2, 12, 2],
                                   "cross_entropy", False)
    assert [m is not None for m in columns[1]] == [True] * 8 + [False] * 4


def test_a_signed_heatmap_is_white_at_zero_and_the_full_sign_colour_at_its_largest_magnitude():
    values = np.zeros((4, 5))
    values[1, 3], values[2, 0] = 2.0, -1.0
    rgba = heatmaps.unit_rgba(heatmaps.UnitMap(values, heatmaps.SIGNED, "u"), POSITIVE, NEGATIVE, CLASSES)
    assert rgba.shape == (4, 5, 4) and rgba.dtype == np.uint8
    assert tuple(rgba[1, 3, :3]) == POSITIVE
    assert tuple(rgba[0, 0, :3]) == (255, 255, 255)
    expected = 255 - (255 - np.array(NEGATIVE)) * 0.5 ** 0.7  # half the scale, gamma 0.7
    np.testing.assert_allclose(rgba[2, 0, :3], expected, atol=0.6)
    probability = heatmaps.unit_rgba(heatmaps.UnitMap(np.array([[0.0, 1.0]]), heatmaps.CLASS, "p", colour=2),
                                     POSITIVE, NEGATIVE, CLASSES)
    assert tuple(probability[0, 0, :3]) == (255, 255, 255) and tuple(probability[0, 1, :3]) == CLASSES[2]
    dimmed = heatmaps.unit_rgba(heatmaps.UnitMap(values, heatmaps.SIGNED, "u", dimmed=True), POSITIVE, NEGATIVE,
                                CLASSES)
    np.testing.assert_allclose(dimmed[1, 3, :3], 255 - (255 - np.array(POSITIVE)) * heatmaps.DIM, atol=0.6)


def small_trainer(*overrides, task=None):
    cfg = from_dict({"task": task or {"name": "spiral", "samples": 60, "features": ["x1", "x2", "x1^2"]}})
    return build_trainer(validate(apply_overrides(cfg, ["network.hidden=[4, 3]", "train.ensemble=2", *overrides])))


@pytest.mark.parametrize("overrides", [[], ["network.parameterisation=ntk", "train.loss=hinge"]])
def test_an_edited_weight_shows_the_heatmaps_and_boundary_the_trainer_will_have(overrides):
    trainer = small_trainer(*overrides)
    trainer.run_epoch()
    live = LiveSnapshots(trainer, 0).snapshot()
    live["neurons"] = compute_neuron_maps(trainer, member=1)
    patch = edited_live(live, trainer.config, member=1, layer=2, source=3, target=1, value=1.75)
    assert live["weights"][1][1, 3, 1] != 1.75  # the live data itself is left alone
    # The reference: the trainer's own weight set, then the core's maps and boundary.
    with torch.no_grad():
        trainer.model.weights[1][1, 3, 1] = 1.75
    np.testing.assert_array_equal(patch["weights"][1], trainer.weights()[1])
    expected = compute_neuron_maps(trainer, member=1)
    for got, want in zip(patch["neurons"].layers, expected.layers):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(patch["boundary"].probs, compute_boundary(trainer).probs, rtol=1e-5, atol=1e-6)


def test_an_edit_of_another_member_leaves_the_heatmaps_and_a_regression_gets_its_surface():
    trainer = small_trainer("train.loss=mse", task={"name": "reg-plane", "samples": 60})
    live = LiveSnapshots(trainer, 0).snapshot()
    live["neurons"] = compute_neuron_maps(trainer, member=0)
    patch = edited_live(live, trainer.config, member=1, layer=1, source=0, target=0, value=-3.0)
    assert "neurons" not in patch  # member 0's maps do not change
    with torch.no_grad():
        trainer.model.weights[0][1, 0, 0] = -3.0
    np.testing.assert_allclose(patch["boundary"].values, compute_boundary(trainer).values, rtol=1e-5, atol=1e-6)
    assert math.isclose(float(patch["weights"][0][1, 0, 0]), -3.0)
