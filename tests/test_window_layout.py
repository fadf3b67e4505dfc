"""The window on classroom screens (offscreen, on the virtual screens of classroom_screens.json:
1280x720 and 1366x768 at 100 %, 1920x1080 at 150 %): it fits with and without a lesson, Qt's
minimum size included, every control reachable and no text cut; zoom, presenter mode, the simple
settings and the splitters are remembered; and the stale states of issue 13 (item 6) are gone."""

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QScrollArea

from playground.core.experiments.lessons import get_lesson
from playground.ui import mainwindow as mw

SCREENS = {"laptop": (1280, 720, 1.0), "small-laptop": (1366, 768, 1.0), "projector-150": (1920, 1080, 1.5)}


def screen_named(name):
    screen = next((s for s in QApplication.screens() if s.name() == name), None)
    if screen is None:
        pytest.skip("the classroom screens are not configured (QT_QPA_PLATFORM was set outside conftest)")
    return screen


def open_on(qtbot, screen, config=None, lesson=None):
    from playground.ui.app import build_window, make_app

    make_app()
    window = build_window(config)
    qtbot.addWidget(window)
    window.confirm_reset = lambda question: True
    window.setScreen(screen)
    window.move(screen.availableGeometry().topLeft())
    window.fit_to_screen()
    window.show()
    qtbot.waitExposed(window)
    if lesson is not None:
        assert window.lessons.open_lesson(get_lesson(lesson))
    QApplication.processEvents()
    return window


def inside(widget, window) -> bool:
    """The widget is shown and wholly inside the window."""
    if not widget.isVisible():
        return False
    top_left = widget.mapTo(window, widget.rect().topLeft())
    return window.rect().contains(QRect(top_left, widget.size()))


def in_scroll_area(widget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def cut_texts(window) -> list[str]:
    """Buttons and one-line labels narrower than their text."""
    cut = []
    for widget in window.findChildren(QAbstractButton) + window.findChildren(QLabel):
        if not widget.isVisible() or (isinstance(widget, QLabel) and (widget.wordWrap() or not widget.text())):
            continue
        if widget.width() < widget.minimumSizeHint().width():
            cut.append(f"{type(widget).__name__} {widget.text()!r}: {widget.width()} < {widget.minimumSizeHint().width()}")
    return cut


@pytest.mark.parametrize("lesson", [None, "fitting-compression"])
@pytest.mark.parametrize("name", list(SCREENS))
def test_the_window_fits_each_classroom_screen(qtbot, name, lesson):
    screen = screen_named(name)
    width, height, scale = SCREENS[name]
    assert screen.geometry().width() == round(width / scale)  # logical pixels: the screen as Qt lays it out
    window = open_on(qtbot, screen, lesson=lesson)
    available = screen.availableGeometry()
    minimum = window.minimumSizeHint()
    # Qt's minimum size (what the window manager is told), in the screen's own pixels, plus a title bar.
    assert (minimum.width() + mw.FRAME_ALLOWANCE[0]) * scale <= width, (name, minimum)
    assert (minimum.height() + mw.FRAME_ALLOWANCE[1]) * scale <= height, (name, minimum)
    assert available.contains(window.frameGeometry()), (window.frameGeometry(), available)
    reachable = [window.start_button, window.pause_button, window.step_button, window.reset_button, window.preset,
                 window.controls_scroll, window.tabs.tabBar(), window.status_state, window.status_epoch]
    if lesson is not None:
        panel = window.lessons
        reachable += [panel.text, panel.run_button, panel.sweep_button, panel.next_button, panel.choice]
        assert window.lessons_dock.isVisible()
    for widget in reachable:
        assert inside(widget, window), f"{name}: {type(widget).__name__} {getattr(widget, 'text', lambda: '')()!r}"
    bar = window.tabs.tabBar()
    assert bar.sizeHint().width() <= window.tabs.width(), "every tab's caption fits the tab bar"
    assert cut_texts(window) == []
    window.shutdown()


def test_a_lesson_shows_its_own_views_in_its_order_and_show_all_brings_back_the_rest(qtbot):
    window = open_on(qtbot, screen_named("laptop"), lesson="batch-size")
    tabs = [window.tabs.widget(i).key for i in range(window.tabs.count())]
    assert tabs == ["loss", "sharpness", "sweep"]
    assert not window.view_of("network").isVisible() and not window.view_of("info_plane").isVisible()
    window.lessons.show_all.click()
    tabs = [window.tabs.widget(i).key for i in range(window.tabs.count())]
    assert tabs[:3] == ["loss", "sharpness", "sweep"] and {"info_plane", "network", "boundary"} <= set(tabs)
    assert window.view_actions.show_all.isChecked()
    window.lessons.close_lesson()
    window.view_actions.show_all.trigger()  # off again, from the View menu
    assert not window.lessons.show_all.isChecked()
    window.shutdown()


def test_zoom_scales_text_and_plots_and_is_remembered(qtbot):
    window = open_on(qtbot, screen_named("laptop"))
    base = window.start_button.font().pointSizeF(), window.controls.font().pointSizeF()
    canvas = window.view_of("loss").canvas
    window.view_actions.zoom_in.trigger()
    window.view_actions.zoom_in.trigger()
    QApplication.processEvents()
    assert window.zoom == 1.25
    assert window.controls.font().pointSizeF() == pytest.approx(base[1] * 1.25)
    assert "18.8pt" in window.start_button.styleSheet()  # 15 pt x 1.25
    assert canvas.transform().m11() == pytest.approx(1.25, abs=0.01)  # the plot's scene drawn larger
    window.close()
    again = open_on(qtbot, screen_named("laptop"))
    assert again.zoom == 1.25 and again.view_of("loss").canvas.transform().m11() == pytest.approx(1.25, abs=0.01)
    again.view_actions.zoom_reset.trigger()
    assert again.zoom == 1.0 and again.view_of("loss").canvas.transform().isIdentity()
    again.shutdown()


def test_presenter_mode_is_full_screen_large_and_simple_and_esc_leaves(qtbot):
    window = open_on(qtbot, screen_named("laptop"), lesson="parity-wall")
    window.layout_logic.set_advanced(True)
    window.view_actions.presenter.trigger()
    assert window.isFullScreen() and window.zoom == 1.5 and not window.controls.advanced
    assert window.tabs.widget(0).key == "loss" and not window.area.side.isVisible()
    qtbot.keyClick(window, "\x1b")  # Esc
    assert not window.layout_logic.presenter and not window.isFullScreen()
    assert window.zoom == 1.0 and window.controls.advanced
    window.shutdown()


def test_the_simple_settings_by_default_and_advanced_is_remembered(qtbot):
    window = open_on(qtbot, screen_named("laptop"))
    controls = window.controls
    assert not controls.advanced and not controls.seed.isVisible() and not controls.sw2.isVisible()
    assert controls.lr.isVisible() and controls.batch_size.isVisible() and controls.activation.isVisible()
    assert controls.advanced_note.isVisible() and "seed" in controls.advanced_note.text()
    assert not window.stop_button.isVisible() and window.reset_button.isVisible()
    controls.advanced_box.click()
    assert controls.seed.isVisible() and window.stop_button.isVisible()
    window.close()
    again = open_on(qtbot, screen_named("laptop"))
    assert again.controls.advanced and again.controls.seed.isVisible()
    again.shutdown()


def test_splitters_and_panels_are_remembered(qtbot):
    window = open_on(qtbot, screen_named("small-laptop"))
    window.lessons_dock.hide()
    sizes = window.main_split.sizes()
    window.main_split.setSizes([300, sum(sizes) - 300])
    window.close()
    again = open_on(qtbot, screen_named("small-laptop"))
    assert not again.lessons_dock.isVisible()
    assert abs(again.main_split.sizes()[0] - 300) <= 2
    again.lessons.open_lesson(get_lesson("parity-wall"))  # a lesson opened (--lesson, a preset) shows its text
    assert again.lessons_dock.isVisible()
    again.shutdown()
