"""The reshaping behind the views of lessons 11-19 (playground.ui.model.series), each held to
a small table worked out by hand or to a plain loop over the rows."""

import numpy as np
import pytest

from playground.ui.model import series
from playground.ui.model.series import MEAN


def test_adversarial_curves_split_own_from_transferred_at_the_last_epoch():
    # Two members, one eps; epoch 1 rows must be ignored, the NaN transfer cell left out.
    rows = []
    for epoch, base in ((1, 0.0), (2, 1.0)):
        for attack in ("fgsm", "pgd"):
            for source in (0, 1):
                for member in (0, 1):
                    value = base * (0.2 + 0.1 * member if member == source else 0.6 + 0.1 * source)
                    if epoch == 2 and attack == "pgd" and source == 1 and member == 0:
                        value = np.nan
                    rows.append((epoch, member, attack, 0.1, source, value))
    table = {name: np.array([r[i] for r in rows]) for i, name in
             enumerate(("epoch", "member", "attack", "eps", "source_member", "accuracy"))}
    curves = series.adversarial_curves(table)
    assert set(curves) == {("fgsm", "own"), ("fgsm", "transferred"), ("pgd", "own"), ("pgd", "transferred")}
    eps, own = curves["fgsm", "own"]
    assert eps.tolist() == [0.1] and own == pytest.approx([0.25])  # (0.2 + 0.3) / 2
    assert curves["fgsm", "transferred"][1] == pytest.approx([0.65])  # (0.6 + 0.7) / 2
    assert curves["pgd", "transferred"][1] == pytest.approx([0.6])  # the NaN cell dropped


def test_fooling_traces_are_a_class_by_step_grid_of_member_means():
    member = np.repeat([0, 1], 4)
    cls = np.tile([0, 0, 1, 1], 2)
    step = np.tile([0, 5, 0, 5], 2)
    confidence = np.array([0.1, 0.9, 0.2, 0.8, 0.3, 0.7, 0.4, 1.0])
    table = {"member": member, "class": cls, "step": step, "confidence": confidence}
    steps, classes, grid = series.class_traces(table)
    assert steps.tolist() == [0, 5] and classes.tolist() == [0, 1]
    np.testing.assert_allclose(grid, [[0.2, 0.8], [0.3, 0.9]])
    _, _, one = series.class_traces(table, member=1)
    np.testing.assert_allclose(one, [[0.3, 0.7], [0.4, 1.0]])


def test_confidence_text_shows_how_close_to_certain():
    assert series.confidence_text(0.99995) == ">99.99%"
    assert series.confidence_text(0.9942) == "99.42%"
    assert series.confidence_text(0.73) == "73%"
    assert series.confidence_text(float("nan")) == "?"


def test_images_become_rgb_tiles_in_rows_with_gaps():
    assert series.image_side(64) == 8 and series.image_side(63) is None
    grey = series.grey_rgb(np.array([[0.0, 1.0], [0.5, 2.0]]))
    assert grey.shape == (2, 2, 3) and grey[0, 0].tolist() == [255] * 3 and grey[0, 1].tolist() == [0] * 3
    assert grey[1, 0, 0] == 128 and grey[1, 1, 0] == 0  # clipped to [0, 1]
    diverging = series.diverging_rgb(np.array([0.0, 0.1, -0.1, 0.05]), 0.1)
    assert diverging[0].tolist() == [255, 255, 255]
    assert diverging[1].tolist() == [255, 0, 0] and diverging[2].tolist() == [0, 0, 255]
    assert diverging[3].tolist() == [255, 128, 128]
    tiles = [np.full((2, 3, 3), k, dtype=np.uint8) for k in range(5)]
    mosaic = series.tile_rgb(tiles, columns=3, gap=1, row_gap=2)
    assert mosaic.shape == (2 * 2 + 2, 3 * 3 + 2, 3)
    for k in range(5):
        top, left = series.tile_origin(k, 3, (2, 3), 1, 2)
        assert (mosaic[top:top + 2, left:left + 3] == k).all()
    assert (mosaic[2:4] == 255).all()  # the row gap
    assert (mosaic[4:, 8:] == 255).all()  # no sixth tile
    assert series.tile_rgb([], 3).shape == (0, 0, 3)


def test_changed_image_sets_one_pixel_of_a_copy():
    image = np.zeros(4)
    changed = series.changed_image(image, 2, 1.0)
    assert changed.tolist() == [0, 0, 1, 0] and image.tolist() == [0, 0, 0, 0]
    assert series.member_rows({"member": np.array([1, 0, 1])}, 1).tolist() == [0, 2]


def test_pruning_curves_dense_point_and_methods_in_table_order():
    table = {"member": np.array([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]),
             "sparsity": np.array([0, 0, 0.5, 0.5, 0.9, 0.9, 0.5, 0.5, 0.9, 0.9]),
             "method": np.array(["none"] * 6 + ["rewind"] * 4),
             "accuracy": np.array([0.9, 0.8, 0.7, 0.5, 0.1, 0.3, 0.85, 0.85, 0.8, 0.6])}
    dense, curves = series.pruning_curves(table)
    assert dense == pytest.approx(0.85)
    assert list(curves) == ["none", "rewind"]
    s, accuracy = curves["none"]
    assert s.tolist() == [0.5, 0.9] and accuracy == pytest.approx([0.6, 0.2])
    assert curves["rewind"][1] == pytest.approx([0.85, 0.7])
    np.testing.assert_allclose(series.remaining_position(np.array([0.0, 0.9, 0.99])), [0, 1, 2])


def test_plane_grid_puts_each_loss_at_its_a_b():
    coords = np.array([-1.0, 0.0, 1.0])
    rows = [(m, a, b, 10 * m + 3 * i + j) for m in (0, 1) for i, a in enumerate(coords) for j, b in enumerate(coords)]
    table = {name: np.array([r[k] for r in rows], dtype=float) for k, name in enumerate(("member", "a", "b", "loss"))}
    a, b, grid = series.plane_grid(table, member=1)
    assert a.tolist() == coords.tolist() and b.tolist() == coords.tolist()
    for i in range(3):
        for j in range(3):
            assert grid[i, j] == 10 + 3 * i + j
    _, _, mean = series.plane_grid(table, MEAN)
    assert mean[2, 1] == pytest.approx(5 + 7)
    levels = series.contour_levels(np.array([[1.0, 10.0], [100.0, np.nan]]), count=2)
    np.testing.assert_allclose(levels, [10 ** (2 / 3), 10 ** (4 / 3)])
    assert series.contour_levels(np.full((2, 2), 3.0)).size == 0


def test_layer_curves_and_profile_match_a_loop():
    rng = np.random.default_rng(0)
    epoch = np.repeat([0, 5, 10], 6)
    member = np.tile(np.repeat([0, 1], 3), 3)
    layer = np.tile([0, 1, 2], 6)
    value = rng.random(18)
    table = {"epoch": epoch, "member": member, "layer": layer, "probe_accuracy": value}
    curves = series.layer_curves(table, "probe_accuracy")
    for number in (0, 1, 2):
        epochs, means = curves[number]
        assert epochs.tolist() == [0, 5, 10]
        for e, m in zip(epochs, means):
            assert m == pytest.approx(value[(epoch == e) & (layer == number)].mean())
    one = series.layer_curves(table, "probe_accuracy", member=1)[2][1]
    assert one == pytest.approx(value[(member == 1) & (layer == 2)])
    layers, means = series.layer_profile(table, "probe_accuracy", 5)
    assert layers.tolist() == [0, 1, 2]
    assert means == pytest.approx([value[(epoch == 5) & (layer == k)].mean() for k in range(3)])
    assert series.last_epoch(table).sum() == 6 and series.last_epoch(table)[-6:].all()


def test_sweep_profiles_and_points_average_over_seeds():
    table = {"value": np.array(["sigmoid", "sigmoid", "relu", "relu"]), "seed": np.array([0, 1, 0, 1]),
             "grad_norm_10": np.array([1.0, 3.0, 5.0, np.nan]), "grad_norm_2": np.array([0.1, 0.3, 0.5, 0.7]),
             "grad_norm_x": np.zeros(4), "grad_ratio_first_last": np.ones(4)}
    assert series.numbered_columns(table, "grad_norm_") == [(2, "grad_norm_2"), (10, "grad_norm_10")]
    values, numbers, means = series.sweep_profiles(table, "grad_norm_")
    assert values == ["sigmoid", "relu"] and numbers.tolist() == [2, 10]
    np.testing.assert_allclose(means, [[0.2, 2.0], [0.6, 5.0]])
    numeric = {"value": np.array([64, 16, 64, 16]), "relative_change": np.array([0.1, 0.4, 0.3, np.nan])}
    x, mean, seed_x, seed_y = series.sweep_points(numeric, "relative_change")
    assert x.tolist() == [16, 64] and mean == pytest.approx([0.4, 0.2])
    assert seed_x.tolist() == [64, 16, 64] and seed_y == pytest.approx([0.1, 0.4, 0.3])


def test_separation_scatter_from_the_live_run_or_a_reopened_one():
    live = {"separation_pca": [np.zeros((3, 2)), np.ones((3, 2))], "separation_labels": np.array([0, 1, 2])}
    points, labels = series.separation_scatter(live, 1)
    assert points.tolist() == [[1, 1]] * 3 and labels.tolist() == [0, 1, 2]
    assert series.separation_layers(live) == 2
    reopened = {"final_arrays": {"separation_pca_0": np.zeros((2, 2)), "separation_pca_1": np.full((2, 2), 2.0),
                                 "separation_labels": np.array([3, 4])}}
    assert series.separation_layers(reopened) == 2
    assert series.separation_scatter(reopened, 1)[0].tolist() == [[2, 2]] * 2
    assert series.separation_scatter(reopened, 5) is None and series.separation_scatter({}, 0) is None


def test_log_ticks_are_one_two_five_or_decades():
    ticks = series.log_ticks(np.array([16, 4096]))
    assert [label for _, label in ticks] == ["20", "50", "100", "200", "500", "1000", "2000"]
    assert ticks[0][0] == pytest.approx(np.log10(20))
    wide = [label for _, label in series.log_ticks(np.array([1e-7, 0.5, -1, np.nan]))]
    assert wide == ["1e-07", "1e-06", "1e-05", "0.0001", "0.001", "0.01", "0.1", "1"]
    assert series.log_ticks(np.array([0.0, np.nan])) == []
