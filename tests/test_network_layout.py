"""The network drawing's layout, without drawing: captions never overlap whatever the depth and
width, a deep net is drawn as one column per layer, wide matrices shrink to their extremes, and
long input names are elided, not cut."""

import numpy as np
import pytest

from playground.ui.model import network_layout as layout


def char_width(text: str) -> float:
    """A stand-in for the font: 8 px a character, the longest line."""
    return 8.0 * max(len(line) for line in text.split("\n")) + 4


def captions_for(depth: int, width: int, plot_px: float, activations=None):
    sizes = [64] + [width] * depth + [10]
    names = layout.layer_names(sizes, activations or ["tanh"] * depth)
    x_lo, x_hi = layout.x_range(len(sizes), plot_px)
    centres = layout.columns_px(len(sizes), x_lo, x_hi, plot_px)
    return sizes, layout.caption_layout(names, sizes, centres, plot_px, char_width)


@pytest.mark.parametrize("plot_px", [250, 420, 900])
@pytest.mark.parametrize("width", [2, 12, 64, 4096])
def test_captions_never_overlap_for_any_depth_and_width(plot_px, width):
    for depth in range(1, 65):
        sizes, captions = captions_for(depth, width, plot_px)
        assert layout.overlapping(captions, gap=layout.CAPTION_GAP_PX) == [], (depth, width, plot_px)
        assert all(0 <= c.left and c.right <= plot_px for c in captions), (depth, width)  # none cut at the edges
        assert captions, (depth, width)
        named = sorted(column for c in captions for column in range(c.first, c.last + 1))
        assert len(named) == len(set(named))  # no column named twice


def test_mixed_activations_never_overlap_either():
    rng = np.random.default_rng(0)
    for depth in range(1, 65):
        acts = list(rng.choice(["tanh", "relu", "linear", "sigmoid"], size=depth))
        widths = list(rng.choice([3, 64, 4096], size=depth))
        sizes = [784] + [int(w) for w in widths] + [10]
        names = layout.layer_names(sizes, acts)
        x_lo, x_hi = layout.x_range(len(sizes), 400)
        captions = layout.caption_layout(names, sizes, layout.columns_px(len(sizes), x_lo, x_hi, 400), 400, char_width)
        assert layout.overlapping(captions, gap=layout.CAPTION_GAP_PX) == [], depth


def test_a_few_layers_get_a_caption_each_and_tanh_and_softmax_stay_apart():
    sizes, captions = captions_for(6, 64, 420)
    assert [c.text for c in captions] == ["input\n64"] + ["tanh\n64"] * 6 + ["softmax\n10"]
    tanh, softmax = captions[-2], captions[-1]
    assert softmax.left - tanh.right >= layout.CAPTION_GAP_PX or softmax.row != tanh.row


def test_fifty_identical_layers_share_one_caption_that_counts_them():
    sizes, captions = captions_for(50, 64, 420)
    assert [c.text for c in captions] == ["input\n64", "50 × tanh\n64 each", "softmax\n10"]
    assert (captions[1].first, captions[1].last) == (1, 50)


def test_small_nets_are_drawn_unit_by_unit_large_ones_as_matrices():
    assert layout.detailed([2, 8, 8, 2])
    assert layout.detailed([12, 10, 7, 5, 4, 3, 2])
    assert not layout.detailed([64] + [64] * 50 + [10])
    assert not layout.detailed([2] + [4] * 9 + [2])  # 11 columns
    assert not layout.detailed([2, 100, 2])


def test_fifty_layers_give_fifty_one_separate_tiles_one_column_apart():
    sizes = [64] + [64] * 50 + [10]
    rects = layout.tile_rects(sizes)
    assert len(rects) == 51
    for layer, (x, _y, w, h) in enumerate(rects):
        # Each tile sits between the bars of its two layers, clear of both.
        assert layer + layout.BAR / 2 < x and x + w < layer + 1 - layout.BAR / 2
        assert h == pytest.approx(layout.column_heights(sizes)[layer + 1])
    lefts = [x for x, *_ in rects]
    assert np.allclose(np.diff(lefts), 1.0)
    # In a narrow view (8 px a column) the bars go and at least 2 px of white part the matrices.
    narrow = layout.tile_rects(sizes, column_px=8.0)
    assert layout.bar_width(8.0) == 0
    for (x, _y, w, _h), (next_x, *_) in zip(narrow, narrow[1:]):
        assert (next_x - (x + w)) * 8.0 >= 2 * layout.GAP_PX - 1e-9


def test_column_heights_grow_with_the_log_of_the_width():
    heights = layout.column_heights([2, 64, 4096, 1])
    assert heights[2] == pytest.approx(1.0) and heights[3] == pytest.approx(layout.MIN_HEIGHT)
    assert heights[3] < heights[0] < heights[1] < heights[2]


def test_block_extremes_keep_the_largest_magnitude_of_each_block_with_its_sign():
    rng = np.random.default_rng(3)
    w = rng.normal(size=(37, 53))
    w[5, 7] = np.nan
    cells = layout.block_extremes(w, 5, 7)
    rows = list((np.arange(5) * 37) // 5) + [37]
    cols = list((np.arange(7) * 53) // 7) + [53]
    for i in range(5):
        for j in range(7):
            block = w[rows[i]:rows[i + 1], cols[j]:cols[j + 1]].ravel()
            block = block[np.isfinite(block)]
            assert cells[i, j] == max(block, key=abs)
    small = rng.normal(size=(4, 3))
    np.testing.assert_array_equal(layout.block_extremes(small, 8, 8), small)  # small enough: as it is
    assert layout.block_extremes(rng.normal(size=(4096, 2)).T, 64, 64).shape == (2, 64)


def test_sign_colours_run_from_white_to_each_sign():
    rgba = layout.sign_rgba(np.array([0.0, 1.0, -2.0, 0.5]), 1.0, (0, 100, 0), (100, 0, 100))
    np.testing.assert_array_equal(rgba[0], [255, 255, 255, 255])
    np.testing.assert_array_equal(rgba[1], [0, 100, 0, 255])
    np.testing.assert_array_equal(rgba[2], [100, 0, 100, 255])  # beyond the scale: the full colour
    assert 0 < rgba[3, 1] < 255 and rgba[3, 0] > 0


def test_the_colour_scale_ignores_one_outlier():
    w = np.full((10, 10), 0.5)
    w[0, 0] = 100.0
    assert 0.5 <= layout.weight_scale([w]) < 2  # not 100: the full colour is not spent on one weight


def test_x_range_leaves_the_room_asked_for_left_of_the_first_column():
    lo, hi = layout.x_range(5, 600, left_px=120)
    centres = layout.columns_px(5, lo, hi, 600)
    pad_px = 0.5 / (hi - lo) * 600
    assert centres[0] - pad_px == pytest.approx(120)
    assert layout.x_range(5, 600) == (-0.5, 4.5)


def test_y_range_leaves_the_caption_rows_free_above_the_drawing():
    lo, hi = layout.y_range(-1.0, 1.0, 400, 80, pad=0.0)
    assert (hi - 1.0) / (hi - lo) * 400 == pytest.approx(80) and lo == -1.0
    lo, hi = layout.y_range(-1.0, 1.0, 400, 80)
    assert lo < -1.0 and (hi - 1.0) / (hi - lo) * 400 > 80  # padded, and the captions' room above


def test_long_names_are_elided_in_the_middle_and_short_ones_kept():
    assert layout.elide("x1", 40, char_width) == "x1"
    shown = layout.elide("sepal_length_cm", 70, char_width)
    assert char_width(shown) <= 70 and "…" in shown
    assert shown.startswith("sep") and shown.endswith("cm")  # both ends kept, not "th_cm"
