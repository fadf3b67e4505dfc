"""The plots' pure logic, without a window: log ticks that never overlap, zeros on a log axis,
the key's corner chosen on data, the point under the mouse, the sweep's ranges and reference
lines, and colours that are told apart. Each against a brute-force or worked reference."""

import itertools
import math

import numpy as np
import pytest

from playground.core.config import apply_overrides, from_dict, validate
from playground.core.experiments.lessons import get_lesson
from playground.ui.model import placement, series, sweep_plot, ticks


def text_width(text: str) -> float:
    return 7.0 * len(text) + 2


def text_height(_text: str) -> float:
    return 15.0


# ---------------------------------------------------------------- log ticks


@pytest.mark.parametrize("label_px", [text_width, text_height], ids=["horizontal", "vertical"])
def test_log_tick_labels_never_overlap_on_any_range_and_length(label_px):
    rng = np.random.default_rng(0)
    for _ in range(400):
        low = rng.uniform(-9, 3)
        high = low + 10 ** rng.uniform(-2, 1.2)
        length = rng.uniform(60, 1200)
        zero = low if rng.uniform() < 0.3 else None
        labelled, minor = ticks.log_ticks(low, high, length, label_px, zero_at=zero)
        boxes = ticks.label_boxes(labelled, low, high, length, label_px)
        assert np.all(boxes[1:, 0] - boxes[:-1, 1] >= 6 - 1e-6), (low, high, length, labelled)
        assert all(low - 1e-9 <= pos <= high + 1e-9 for pos, _ in labelled)
        assert not set(np.round(minor, 9)) & {round(p, 9) for p, _ in labelled}


def test_several_decades_are_labelled_at_the_decades_only():
    labelled, minor = ticks.log_ticks(-3, 1, 400, text_height)
    assert [t for _, t in labelled] == ["0.001", "0.01", "0.1", "1", "10"]
    assert math.log10(2) - 3 in [pytest.approx(m) for m in minor]  # unlabelled marks between


def test_a_short_range_is_labelled_one_two_five_not_nine_crowded_minor_labels():
    # The gradient SNR plot: 0.2 to 50 over 200 px; pyqtgraph labelled "2·10¹ 3·10¹ ..." over each other.
    labelled, _ = ticks.log_ticks(math.log10(0.15), math.log10(60), 200, text_height)
    assert [t for _, t in labelled] == ["0.2", "0.5", "1", "2", "5", "10", "20", "50"]
    labelled, _ = ticks.log_ticks(math.log10(0.65), math.log10(2.1), 300, text_height)
    assert [t for _, t in labelled] == ["0.7", "0.8", "0.9", "1", "2"]


def test_many_decades_on_a_short_axis_are_thinned():
    labelled, _ = ticks.log_ticks(-12, 0, 80, text_height)
    assert 2 <= len(labelled) <= 5


def test_the_floor_is_labelled_zero_and_nothing_below_or_crowding_it():
    labelled, minor = ticks.log_ticks(-5.2, 0.1, 400, text_height, zero_at=-5)
    assert labelled[0] == (-5, "0")
    assert all(pos > -5 for pos, _ in labelled[1:]) and all(m > -5 for m in minor)


def test_tick_texts_are_plain_numbers_or_powers_never_e_notation():
    assert ticks.tick_text(0.001) == "0.001" and ticks.tick_text(20000) == "20000"
    assert ticks.tick_text(1e-5) == "10⁻⁵" and ticks.tick_text(2e-7) == "2·10⁻⁷" and ticks.tick_text(1e6) == "10⁶"


# ---------------------------------------------------------------- zeros on a log axis


def test_a_zero_loss_is_drawn_a_decade_below_the_smallest_positive_one():
    loss = np.array([0.9, 0.05, 0.0034, 0.0, 0.0])
    floor = series.log_floor(loss)
    assert floor == pytest.approx(1e-4)
    x, y = series.floored(np.arange(5), loss, floor)
    np.testing.assert_allclose(y, [0.9, 0.05, 0.0034, 1e-4, 1e-4])  # the zeros kept, at the floor
    assert len(series.finite_positive(np.arange(5.0), loss, log_y=True)[0]) == 3  # what was dropped before
    assert series.log_floor(np.array([0.5, 0.1])) is None
    assert series.log_floor(np.zeros(3)) == 1e-3


# ---------------------------------------------------------------- the key's corner


def brute_force_coverage(x, y, box, steps=4000):
    """Points of the polyline sampled finely: how many samples fall in the box (> 0 iff it runs through)."""
    x0, x1, y0, y1 = box
    t = np.linspace(0, 1, steps)
    hits = 0
    for (ax, ay), (bx, by) in zip(zip(x, y), zip(x[1:], y[1:])):
        px, py = ax + t * (bx - ax), ay + t * (by - ay)
        hits += int(np.sum((px >= x0) & (px <= x1) & (py >= y0) & (py <= y1)))
    return hits


def test_a_segment_is_counted_where_it_crosses_the_box_even_with_no_point_inside():
    rng = np.random.default_rng(1)
    for _ in range(300):
        x, y = rng.uniform(-0.5, 1.5, 3), rng.uniform(-0.5, 1.5, 3)
        box = (0.6, 1.0, 0.7, 1.0)
        wider = (0.59, 1.01, 0.69, 1.01)  # the sampling may miss a corner clipped by a hair
        if placement.segments_in_box(x, y, box) > 0:
            assert brute_force_coverage(x, y, wider) > 0
        else:
            assert brute_force_coverage(x, y, box) == 0


def test_accuracy_near_100_moves_the_key_to_a_bottom_corner():
    epochs = np.arange(1, 101, dtype=float)
    accuracy = 100 - 90 * np.exp(-epochs / 10)  # rises from 10 % to 100 %
    corner = placement.choose_corner([(epochs, accuracy)], (0, 101), (0, 100), 0.25, 0.2)
    assert corner == "bottom-right"  # top-right holds the plateau at 100 %, bottom-left the start


def test_a_falling_loss_keeps_the_key_top_right():
    epochs = np.arange(1, 101, dtype=float)
    loss = np.exp(-epochs / 20)
    assert placement.choose_corner([(epochs, loss)], (0, 101), (0, 1), 0.25, 0.2) == "top-right"


def test_the_modes_key_avoids_the_last_mode_rising_late():
    t = np.linspace(0, 1, 200)
    # Saxe et al.'s modes: the strongest learned first; the weakest (mode 3) still low at the right,
    # where the key sat before (bottom right).
    modes = [(t, s / (1 + np.exp(-(t - t0) * 30))) for s, t0 in ((3.0, 0.4), (2.0, 0.6), (1.0, 0.85))]
    assert placement.coverage(modes[2:], (0, 1), (0, 3.1), "bottom-right", 0.3, 0.25) > 0
    corner = placement.choose_corner(modes, (0, 1), (0, 3.1), 0.3, 0.25)
    box = placement.corner_box(corner, 0.3, 0.25)
    for x, y in modes:
        nx, ny = placement.normalised(x, y, (0, 1), (0, 3.1))
        assert placement.segments_in_box(nx, ny, box) == 0
    assert corner == "top-left"


def test_a_free_current_corner_is_kept_and_a_full_plot_gives_the_least_covered():
    x = np.linspace(0, 1, 50)
    curves = [(x, 1 - x)]  # falls from top-left to bottom-right: the other two are free
    assert placement.choose_corner(curves, (0, 1), (0, 1), 0.2, 0.2, current="bottom-left") == "bottom-left"
    assert placement.choose_corner(curves, (0, 1), (0, 1), 0.2, 0.2) == "top-right"
    dense = [(np.repeat(x, 50), np.tile(x, 50))]
    assert placement.choose_corner(dense, (0, 1), (0, 1), 0.2, 0.2) in placement.CORNERS


def test_a_broken_line_between_members_is_not_counted():
    x = np.array([0.0, 1.0, 0.0, 1.0])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    box = (0.4, 0.6, 0.4, 0.6)
    connect = np.array([True, False, True, False])  # two horizontal lines, no diagonal between
    assert placement.segments_in_box(x, y, box, connect) == 0
    assert placement.segments_in_box(x, y, box) == 1  # joined, the jump crosses the box


def test_the_nearest_point_is_found_in_pixels_not_plot_units():
    # A pixel is 1 x unit but 0.01 y units: (3, 0) is 3 px from the mouse at (0, 0), (0, 0.05) is
    # 5 px, though in plot units it is the nearer.
    curves = [(np.array([3.0]), np.array([0.0])), (np.array([0.0]), np.array([0.05]))]
    best = placement.nearest_point(curves, 0.0, 0.0, (1.0, 0.01))
    assert best[:2] == (0, 0) and best[2] == pytest.approx(3.0)
    rng = np.random.default_rng(2)
    pts = [(rng.normal(size=30), rng.normal(size=30)) for _ in range(3)]
    for _ in range(50):
        mx, my = rng.normal(size=2)
        index, point, dist = placement.nearest_point(pts, mx, my, (0.01, 0.02))
        distances = [np.hypot((cx - mx) / 0.01, (cy - my) / 0.02) for cx, cy in pts]
        assert dist == pytest.approx(min(d.min() for d in distances))
        assert distances[index][point] == pytest.approx(dist)
    assert placement.nearest_point([(np.zeros(0), np.zeros(0))], 0, 0, (1, 1)) is None


# ---------------------------------------------------------------- the sweep view


def test_one_point_at_100_percent_gets_a_range_ten_points_tall_not_one():
    low, high = sweep_plot.accuracy_range([100.0])
    assert high - low >= 10 and low <= 90 and high > 100


def test_ranges_hold_the_data_with_padding_and_widen_a_single_value():
    low, high = sweep_plot.padded_range([2.0, 4.0])
    assert low < 2.0 and high > 4.0 and (2.0 - low) == pytest.approx(high - 4.0)
    low, high = sweep_plot.x_range([1.76], log=False, named=False)
    assert low < 1.76 - 0.4 and high > 1.76 + 0.4
    low, high = sweep_plot.x_range([math.log10(64)], log=True, named=False)
    assert high - low >= 1.0
    assert sweep_plot.x_range([0, 1, 2], log=False, named=True) == (-0.5, 2.5)
    assert sweep_plot.padded_range([np.nan]) is None


def test_batch_size_sweep_draws_two_over_lr_on_the_sharpness():
    lesson = get_lesson("batch-size")
    refs = sweep_plot.references(lesson.sweep.param, "sharpness", lesson.config, lesson.sweep.values)
    line = next(r for r in refs if r.plot == "measure")
    assert line.axis == "y" and line.value == pytest.approx(2 / 0.05) and "2 / lr" in line.label
    low, high = sweep_plot.measure_range([10.0, 20.0], refs)
    assert low < 10 and high > 40  # the line is in view even before the sharpness reaches it


def test_a_learning_rate_sweep_draws_two_over_lr_as_a_curve():
    lesson = get_lesson("batch-size")
    refs = sweep_plot.references("train.lr", "sharpness", lesson.config, [0.01, 0.1, 1.0])
    curve = next(r for r in refs if r.plot == "measure")
    assert curve.xs == (0.01, 0.1, 1.0) and curve.ys == pytest.approx((200.0, 20.0, 2.0))


def test_edge_of_chaos_sweep_draws_the_critical_line_at_1_76():
    lesson = get_lesson("edge-of-chaos")
    refs = sweep_plot.references(lesson.sweep.param, "", lesson.config, lesson.sweep.values)
    critical = [r for r in refs if r.axis == "x"]
    assert {r.plot for r in critical} == {"accuracy", "measure"}
    assert critical[0].value == pytest.approx(1.76, abs=0.01) and "1.76" in critical[0].label
    chance = next(r for r in refs if r.axis == "y")
    assert chance.value == pytest.approx(10.0)  # ten digits


def test_parity_wall_draws_chance_at_fifty_and_a_far_chance_line_is_left_out():
    lesson = get_lesson("parity-wall")
    refs = sweep_plot.references(lesson.sweep.param, "gradient_signal", lesson.config, lesson.sweep.values,
                                 accuracy=[100.0, 99.0, 50.0, 51.0])
    chance = next(r for r in refs if r.plot == "accuracy")
    assert chance.value == pytest.approx(50.0) and chance.in_range
    low, high = sweep_plot.accuracy_range([100.0, 50.0], refs)
    assert sweep_plot.shown(chance, (low, high))
    digits = get_lesson("batch-size")
    refs = sweep_plot.references(digits.sweep.param, "sharpness", digits.config, digits.sweep.values,
                                 accuracy=[97.0, 96.0])
    chance = next(r for r in refs if r.plot == "accuracy")
    span = sweep_plot.accuracy_range([97.0, 96.0], refs)
    assert not chance.in_range and span[0] > 80 and not sweep_plot.shown(chance, span)


def test_no_chance_line_for_a_sequence_of_tasks_or_without_settings():
    config = validate(apply_overrides(from_dict({"task": {"name": "circle"}}), ["continual.tasks=3"]))
    assert sweep_plot.chance_level(config) is None
    assert sweep_plot.chance_level(None) is None
    assert sweep_plot.references("network.sw2", "", None, [1.0, 2.0]) == []


# ---------------------------------------------------------------- colours


def lab(colour: str) -> np.ndarray:
    """sRGB hex -> CIELAB (D65), the textbook formulas."""
    rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    rgb = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ rgb
    xyz /= np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_ten_class_colours_are_distinct_and_the_weight_signs_are_none_of_them():
    from playground.ui.widgets import style

    classes = [style.class_colour(c) for c in range(10)]
    assert len(set(classes)) == 10
    assert min(np.linalg.norm(lab(a) - lab(b)) for a, b in itertools.combinations(classes, 2)) >= 25
    for sign in (style.POSITIVE, style.NEGATIVE):
        assert min(np.linalg.norm(lab(sign) - lab(c)) for c in classes) >= 30
    assert np.linalg.norm(lab(style.POSITIVE) - lab(style.NEGATIVE)) >= 40


def test_train_and_test_differ_by_line_style_as_well_as_colour():
    from playground.ui.widgets import style

    train, test = style.split_pen("train"), style.split_pen("test")
    assert train.style() != test.style() and train.color() != test.color()


def test_a_deep_runs_name_counts_its_layers_and_a_long_one_is_cut_in_the_middle():
    from playground.ui.model.history import History
    from playground.ui.model.reopen import describe
    from playground.ui.views.overlay import MAX_KEY_CHARS, short

    history = History()
    history.config = validate(apply_overrides(from_dict({"task": {"name": "circle"}}),
                                              ["network.hidden=[" + ", ".join(["64"] * 50) + ", 10, 10]"]))
    assert describe(history) == f"{history.config.network.activation} 50×64-10-10"
    history.config = validate(apply_overrides(from_dict({"task": {"name": "circle"}}), ["network.hidden=[4, 3]"]))
    assert describe(history).endswith(" 4-3")  # short ones as before
    name = "2026-12-01_22-40-19_digits (tanh 100-90-80-70-60-50-40-30-20)"
    cut = short(name)
    assert len(cut) == MAX_KEY_CHARS and cut.startswith("2026-12-01") and cut.endswith("30-20)") and "…" in cut
    assert short("this run (tanh 4)") == "this run (tanh 4)"
