"""Setup strings in the app: File > Copy setup puts one tnp1: line on the clipboard, File > Paste
setup reads it back into the controls; a string naming a lesson opens that lesson (its text, hooks
and views) with the string's own settings; a damaged string changes nothing."""

import pytest
from helpers_files import FakeDialogs, open_window, small_config
from PySide6.QtGui import QGuiApplication

from playground.core.config import apply_overrides, validate
from playground.core.experiments.catalog import get_preset
from playground.core.experiments.setup_string import decode_setup, encode_setup


@pytest.fixture
def window(qtbot):
    win = open_window(qtbot, small_config())
    win.file_actions.dialogs = FakeDialogs()
    yield win
    win.shutdown()


def test_copy_and_paste_through_the_clipboard(window):
    cfg = small_config("train.lr=0.07", epochs=9)
    window.controls.set_config(cfg)
    text = window.file_actions.copy_setup()
    assert QGuiApplication.clipboard().text() == text and decode_setup(text).config == cfg
    window.controls.set_config(small_config(epochs=3))
    assert window.file_actions.paste_setup()
    assert window.controls.config() == cfg
    assert not window.file_actions.dialogs.errors


def test_a_setup_naming_a_lesson_opens_it_with_the_strings_settings(window):
    lesson = get_preset("critical-periods").lesson
    cfg = validate(apply_overrides(lesson.config, ["train.epochs=3"]))
    assert cfg != lesson.config
    QGuiApplication.clipboard().setText(encode_setup(cfg, lesson.name))
    assert window.file_actions.paste_setup()
    assert window.lessons.lesson is not None and window.lessons.lesson.name == lesson.name
    assert window.controls.config() == cfg  # not the lesson's own epochs
    assert window.session.hook_settings == dict(lesson.hooks)
    # Copying now names the lesson again.
    assert decode_setup(window.file_actions.copy_setup()).lesson == lesson.name
    # A plain setup pasted afterwards closes the lesson: its hooks no longer apply.
    assert window.file_actions.paste_setup(encode_setup(small_config()))
    assert window.lessons.lesson is None and not window.session.hook_settings


def test_a_damaged_string_changes_nothing(window):
    cfg = small_config("train.lr=0.02")
    window.controls.set_config(cfg)
    QGuiApplication.clipboard().setText("tnp1:not-a-setup")
    assert not window.file_actions.paste_setup()
    (title, text), = window.file_actions.dialogs.errors
    assert title == "Cannot paste the setup" and "damaged" in text and "\n" not in text
    assert window.controls.config() == cfg


def test_the_file_menu_has_copy_and_paste_setup_and_export_animation(window):
    texts = [action.text() for action in window.file_actions.menu.actions()]
    assert {"Copy setup", "Paste setup", "Export animation…"} <= set(texts)


def test_main_py_setup_naming_a_lesson_opens_that_lesson(qapp, monkeypatch):
    from playground.ui import app as app_module

    lesson = get_preset("critical-periods").lesson
    cfg = validate(apply_overrides(lesson.config, ["train.epochs=4"]))
    made, seen = [], []
    build = app_module.build_window
    monkeypatch.setattr(app_module, "build_window", lambda config=None: made.append(build(config)) or made[-1])

    def look_then_return(*args):  # what the window shows once the event loop would start
        (win,) = made
        seen.append((win.lessons.lesson.name, win.controls.config()))
        return 0

    monkeypatch.setattr(type(qapp), "exec", look_then_return)
    assert app_module.run_app(setup=encode_setup(cfg, lesson.name)) == 0
    assert seen == [(lesson.name, cfg)]


def test_gui_setup_naming_an_unknown_lesson_fails_before_any_window(capsys):
    from playground.cli import main

    assert main(["gui", "--setup", encode_setup(small_config(), "no-such-lesson")]) == 2
    err = capsys.readouterr().err
    assert "no-such-lesson" in err and err.count("\n") == 1
