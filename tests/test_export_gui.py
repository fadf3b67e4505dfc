"""Exporting from the app: each view's right-click menu and Export button (PNG at a chosen width,
or SVG), "File > Export all views..." into a folder, and clear messages with no partial files
when the target is read-only."""

import errno
import os
import tempfile

import pytest
from helpers_files import FakeDialogs, probe_config, small_config
from PySide6.QtGui import QImage

from playground.ui import mainwindow as mw

TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def trained(qapp):
    """One finished run with probes, shared by the tests (they only read and export it)."""
    from playground.ui.app import build_window, make_app

    make_app()
    win = build_window(small_config())
    win.resize(1400, 900)
    win.show()
    win.confirm_reset = lambda question: True
    win.controls.set_config(probe_config(epochs=6))
    win.start()
    deadline = TIMEOUT_MS / 1000
    import time

    started = time.perf_counter()
    while win.state not in mw.OVER and time.perf_counter() - started < deadline:
        qapp.processEvents()
        time.sleep(0.01)
    win.tick()
    assert win.state == mw.FINISHED
    yield win
    win.shutdown()
    win.close()


@pytest.fixture
def window(trained):
    trained.file_actions.dialogs = FakeDialogs()
    trained.tabs.setCurrentIndex(0)
    return trained


def views(win) -> dict:
    return {view.key: view for view in win.views}


def test_every_view_offers_png_svg_and_animation_in_its_right_click_menu_and_toolbar(window):
    for view in window.views:
        texts = [action.text() for action in view.canvas.scene().contextMenu]
        assert texts == ["Export this view as PNG…", "Export this view as SVG…",
                         "Export this view as animation…"], view.key
        assert view.export_actions[0] in view.canvas.scene().contextMenu


def test_the_context_menu_exports_a_png_of_the_chosen_width(window, tmp_path):
    plane = views(window)["info_plane"]
    assert window.show_view("info_plane")
    window.tick()
    target = tmp_path / "plane.png"
    window.file_actions.dialogs.answers = [("png", 900), str(target)]
    png_action, svg_action, _ = plane.export_actions
    png_action.trigger()
    assert QImage(str(target)).width() == 900
    target_svg = tmp_path / "plane.svg"
    window.file_actions.dialogs.answers = [str(target_svg)]
    svg_action.trigger()
    text = target_svg.read_text()
    assert "Information plane" in text and "I(X;T)" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plane.png", "plane.svg"]
    assert not window.file_actions.dialogs.errors


def test_a_views_animation_from_the_finished_run(window, tmp_path):
    from PIL import Image

    loss = views(window)["loss"]
    target = tmp_path / "loss.gif"
    window.file_actions.dialogs.answers = [("loss", 2, 1.5, 400), str(target)]
    loss.export_actions[2].trigger()
    movie = Image.open(target)
    assert movie.n_frames == 3 and movie.size[0] == 400
    assert not window.file_actions.dialogs.errors
    # File > Export animation... starts on the tab in front; a still view is refused in one line.
    window.file_actions.dialogs.answers = [("network", 5, 1.0, 400), str(tmp_path / "net.gif")]
    assert window.file_actions.export_animation() == []
    (title, text), = window.file_actions.dialogs.errors
    assert title == "Cannot export the animation" and "last state" in text and "\n" not in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loss.gif"]


def test_cancelling_the_export_writes_nothing(window, tmp_path):
    window.file_actions.dialogs.answers = [None]
    assert not window.file_actions.export_view(views(window)["loss"], "png")
    assert list(tmp_path.iterdir()) == []


def test_export_all_writes_every_view_with_data_including_hidden_tabs(window, tmp_path):
    window.file_actions.dialogs.answers = [("png", 800), str(tmp_path)]
    written = window.file_actions.export_all()
    names = sorted(p.name for p in written)
    # One task, probes on, a 2-D task: all but the forgetting view have something to draw.
    assert {f"{key}.png" for key in ("loss", "info_plane", "layer_stats", "network", "boundary")} <= set(names)
    assert "forgetting.png" not in names
    assert names == sorted(f"{view.key}.png" for view in window.views if not view.showing_message)
    assert sorted(p.name for p in tmp_path.iterdir()) == names
    for path in written:
        image = QImage(str(path))
        assert image.width() == 800 and image.height() > 250, path.name
    assert window.tabs.currentIndex() == 0  # the tab the user was on


def test_export_all_as_svg_without_dialogs(window, tmp_path):
    written = window.file_actions.export_all(str(tmp_path), "svg")
    texts = {p.stem: p.read_text() for p in written}
    assert "Gradient SNR" in texts["layer_stats"] and "Loss" in texts["loss"]


def test_export_all_asks_before_replacing_files(window, tmp_path):
    (tmp_path / "loss.png").write_bytes(b"earlier")
    window.file_actions.dialogs.confirm_answer = False
    assert window.file_actions.export_all(str(tmp_path), "png", 400) == []
    assert (tmp_path / "loss.png").read_bytes() == b"earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["loss.png"]


def test_export_to_a_read_only_folder_gives_a_message_box_and_no_files(window, tmp_path, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    actions = window.file_actions
    assert actions.export_all(str(tmp_path), "png", 400) == []
    assert not actions.export_view(views(window)["loss"], "svg", path=str(tmp_path / "loss.svg"))
    assert len(actions.dialogs.errors) == 2
    for _title, message in actions.dialogs.errors:
        assert "cannot write" in message and "Read-only file system" in message and str(tmp_path) in message
    assert list(tmp_path.iterdir()) == []


def test_exported_figures_keep_the_views_options(window):
    from playground.ui.figures import render

    plane = views(window)["info_plane"]
    plane.update_from(window.history, force=True)
    plane.member_choice.combo.setCurrentText("member 1")
    try:
        figure = render.figure_of(plane, window.history)
        assert figure.member_choice.combo.currentText() == "member 1"
        for mine, theirs in zip(figure.scatter.getData(), plane.scatter.getData()):
            assert len(mine) > 0
            assert list(mine) == list(theirs)
        render.discard([figure])
    finally:
        plane.member_choice.combo.setCurrentIndex(0)
