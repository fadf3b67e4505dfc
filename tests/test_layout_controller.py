"""The window's layout decisions without a window: where each view goes (a lesson's own first,
in its order), when the side views become tabs, the zoom steps, presenter mode, what is
remembered, which status labels fit; and the settings panel's simple-mode helpers."""

import pytest

from playground.core.config import apply_overrides, validate
from playground.core.config.schema import Config
from playground.ui.controllers.controls_logic import (advanced_summary, is_advanced_task_option, width_caption,
                                                      widths_for_depth)
from playground.ui.controllers.layout_controller import (ADVANCED_KEY, PRESENTER_ZOOM, SHOW_ALL_KEY, ZOOM_KEY,
                                                         ZOOM_STEPS, Arrangement, LayoutController, arrange,
                                                         checked_zoom, fit_labels, is_narrow, zoom_in, zoom_out)

VIEWS = ("loss", "info_plane", "layer_stats", "forgetting", "network", "boundary")
SIDE = ("network", "boundary")


class DictStore(dict):
    def value(self, key, default=None, type=None):
        return self.get(key, default)

    def setValue(self, key, value):  # noqa: N802
        self[key] = value


class MockWindow:
    def __init__(self):
        self.keys = list(VIEWS)
        self.arrangement = None
        self.zoom = None
        self.advanced = None
        self.full = False
        self.show_all = None
        self.room = False
        self.notes = []

    def view_keys(self):
        return self.keys

    def side_keys(self):
        return SIDE

    def apply_arrangement(self, arrangement):
        self.arrangement = arrangement

    def apply_zoom(self, zoom):
        self.zoom = zoom

    def show_advanced(self, advanced):
        self.advanced = advanced

    def show_all_views(self, show_all):
        self.show_all = show_all

    def show_full_screen(self, full):
        self.full = full

    def is_full_screen(self):
        return self.full

    def give_views_room(self, room):
        self.room = room

    def say(self, text):
        self.notes.append(text)


@pytest.fixture
def rig():
    window, store = MockWindow(), DictStore()
    logic = LayoutController(window, store)
    logic.apply_all()
    return logic, window, store


def test_without_a_lesson_the_main_views_are_tabs_and_the_side_views_beside():
    assert arrange(VIEWS, SIDE) == Arrangement(VIEWS[:4], SIDE, ())
    assert arrange(VIEWS, SIDE, narrow=True) == Arrangement(VIEWS, (), ())  # narrow: every view a tab


def test_a_lesson_shows_its_own_views_first_in_its_order_and_hides_the_rest():
    views = (*VIEWS, "sharpness", "sweep")
    placed = arrange(views, SIDE, lesson=("sharpness", "loss", "sweep"))
    assert placed == Arrangement(("sharpness", "loss", "sweep"), (), ("info_plane", "layer_stats", "forgetting",
                                                                      "network", "boundary"))
    shown_all = arrange(views, SIDE, lesson=("sharpness", "loss", "sweep"), show_all=True)
    assert shown_all.tabs == ("sharpness", "loss", "sweep", "info_plane", "layer_stats", "forgetting")
    assert shown_all.side == SIDE and shown_all.hidden == ()
    # A side view the lesson lists is one of its tabs, in its place.
    assert arrange(VIEWS, SIDE, lesson=("boundary", "loss")).tabs == ("boundary", "loss")
    # A view the window does not have (yet) is left out, not an error.
    assert arrange(VIEWS, SIDE, lesson=("modes", "loss")).tabs == ("loss",)


def test_every_view_is_placed_exactly_once():
    views = (*VIEWS, "modes", "sweep")
    for lesson in (None, ("modes", "loss"), ("sweep",), ("network", "boundary", "loss")):
        for show_all in (False, True):
            for narrow in (False, True):
                placed = arrange(views, SIDE, lesson, show_all, narrow)
                together = placed.tabs + placed.side + placed.hidden
                assert sorted(together) == sorted(views), (lesson, show_all, narrow)


def test_the_side_views_become_tabs_in_a_narrow_area_and_zoom_narrows_it(rig):
    logic, window, _ = rig
    assert not is_narrow(1000, 1.0) and is_narrow(899, 1.0) and is_narrow(1000, 1.25)
    logic.views_resized(1200)
    assert window.arrangement.side == SIDE
    logic.views_resized(700)
    assert window.arrangement.side == () and window.arrangement.tabs == VIEWS


def test_zoom_steps_clamp_and_are_remembered(rig):
    logic, window, store = rig
    assert zoom_in(1.0) == 1.1 and zoom_out(1.0) == 0.9 and zoom_in(ZOOM_STEPS[-1]) == ZOOM_STEPS[-1]
    assert zoom_out(ZOOM_STEPS[0]) == ZOOM_STEPS[0] and zoom_in(1.05) == 1.1  # between steps: the next one
    assert checked_zoom("1.25") == 1.25 and checked_zoom("huge") == 1.0 and checked_zoom(9) == ZOOM_STEPS[-1]
    assert checked_zoom(float("nan")) == 1.0 and checked_zoom(None) == 1.0
    logic.zoom_in()
    logic.zoom_in()
    assert window.zoom == 1.25 and store[ZOOM_KEY] == 1.25 and window.notes[-1] == "Zoom 125 %"
    logic.zoom_reset()
    assert window.zoom == 1.0 and store[ZOOM_KEY] == 1.0
    store[ZOOM_KEY] = "1.5"  # as an INI file gives it back
    again = LayoutController(MockWindow(), store)
    assert again.zoom == 1.5


def test_advanced_and_show_all_are_remembered_as_ini_strings_come_back(rig):
    logic, window, store = rig
    assert window.advanced is False and window.show_all is False  # the defaults: simple, the lesson's views
    logic.set_advanced(True)
    logic.set_show_all(True)
    assert store[ADVANCED_KEY] is True and store[SHOW_ALL_KEY] is True and window.show_all is True
    other = MockWindow()
    LayoutController(other, DictStore({ADVANCED_KEY: "true", SHOW_ALL_KEY: "false"})).apply_all()
    assert other.advanced is True and other.show_all is False


def test_presenter_mode_goes_full_screen_large_and_simple_then_puts_everything_back(rig):
    logic, window, store = rig
    logic.set_advanced(True)
    logic.set_lesson(("loss", "sweep"))
    logic.views_resized(1400)
    logic.toggle_presenter()
    assert logic.presenter and window.full and window.zoom == PRESENTER_ZOOM and window.advanced is False
    assert window.room
    assert window.arrangement.side == ()  # every view of the lesson large, in the tabs
    logic.zoom_in()
    assert ZOOM_KEY not in store and store[ADVANCED_KEY] is True  # presenter's look is not remembered
    logic.toggle_presenter()
    assert not logic.presenter and not window.full and window.zoom == 1.0 and window.advanced is True
    assert not window.room


def test_status_labels_step_aside_least_important_first():
    widths, priorities = [50, 80, 300, 60, 200], [9, 8, 7, 4, 5]
    assert fit_labels(widths, priorities, 1000) == [True] * 5
    assert fit_labels(widths, priorities, 500) == [True, True, True, False, False]
    assert fit_labels(widths, priorities, 10) == [True, False, False, False, False]  # the first stays
    assert fit_labels([50, 0, 30], [1, 9, 2], 100) == [True, False, True]  # an empty label takes no room


def test_the_width_caption_tells_the_true_widths():
    """Issue 13, item 6: the Width slider showed 128 while the widths were 256, 256."""
    assert width_caption((256, 256)) == "256" and width_caption((10, 7, 5)) == "5–10" and width_caption(()) == "–"
    assert widths_for_depth((256, 256), 3, fallback=128) == (256, 256, 256)  # never cut to the slider's end
    assert widths_for_depth((), 2, fallback=8) == (8, 8)


def test_the_simple_panel_sums_up_what_it_hides():
    cfg = validate(apply_overrides(validate(Config()), ["train.ensemble=5", "probes.enabled=true",
                                                        "network.init=meanfield", "network.sw2=1.76"]))
    summary = advanced_summary(cfg)
    assert "ensemble of 5" in summary and "probes (" in summary and "σw² 1.76" in summary
    assert summary.startswith(f"{cfg.train.optimizer}, {cfg.train.epochs} epochs, seed {cfg.train.seed}")
    assert is_advanced_task_option("subset_seed") and not is_advanced_task_option("n")
