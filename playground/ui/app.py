"""Start the desktop app (`python main.py`, `playground gui`), or check an installation (`--selftest`)."""

from __future__ import annotations

import os
import sys

from playground.ui.application import has_display, make_app


def build_window(config=None):
    """The main window with everything installed on it: the File menu (with figure export and
    the autosave of every run), the View menu (zoom, presenter mode) and the Lessons dock, its
    the clicks on the drawings (input features, weights, drawing data), its splitters and docks
    as the last session left them, sized to fit its screen. The one place
    the window is composed."""
    from playground.ui.mainwindow import MainWindow
    from playground.ui.menus import file_actions, view_actions
    from playground.ui.panels import interactions, lessons_panel

    window = MainWindow(config)
    file_actions.install(window)
    view_actions.install(window)
    lessons_panel.install(window)
    interactions.install(window)
    window.restore_layout()
    window.fit_to_screen()
    return window


def initial_config(preset: str | None = None, config_path: str | None = None, setup: str | None = None):
    """The settings the window opens with: a preset, a config file, a setup string, or None (the
    default). Raises ConfigError with a one-line reason (the command line prints it, exit 2)."""
    from playground.core import config as config_module
    from playground.core.config import ConfigError, validate
    from playground.core.experiments.catalog import get_preset
    from playground.core.experiments.setup_string import decode_setup

    if preset and config_path:
        raise ConfigError("give --preset or --config, not both")
    if setup:
        if preset or config_path:
            raise ConfigError("give --setup alone, not with --preset or --config")
        return decode_setup(setup).config
    if config_path:
        return config_module.load(config_path)
    if preset:
        return validate(get_preset(preset).config())
    return None


def run_app(selftest: bool = False, screenshot: str | None = None, preset: str | None = None,
            config_path: str | None = None, start: bool = False, lesson: str | None = None,
            sweep: bool = False, setup: str | None = None) -> int:
    import torch

    from playground.core.experiments.lessons import get_lesson
    from playground.core.remote import pool, protocol
    from playground.ui.controllers.file_controller import setup_lesson

    torch.set_num_threads(1)  # toy networks: one thread is much faster than many on few cores
    config = initial_config(preset, config_path, setup)  # bad input fails here, before any window
    pool.default_pool().prewarm(protocol.DEFAULT_KEY)  # the training process warms up while the window builds
    lesson = get_lesson(lesson) if lesson else setup_lesson(setup)  # a setup string may name a lesson
    if selftest and not has_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        app = make_app()
        import playground.ui.mainwindow  # noqa: F401  (Qt's libraries load here: a failure is reported)
    except Exception as exc:  # e.g. no Qt platform plugin: say so instead of a traceback
        print(f"playground: cannot open the window: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    window = build_window(config)
    window.show()
    if lesson is not None:
        if setup:  # the lesson with the string's settings, not the lesson's defaults
            window.file_actions.open_lesson(lesson, config)
        else:
            window.lessons.open_lesson(lesson)
        if sweep:
            window.lessons.run_sweep()
    try:
        if selftest:
            from playground.ui.selftest import run_selftest

            return run_selftest(app, window, screenshot)
        if start:
            window.start()
        return app.exec()
    finally:
        dispose(window)


def dispose(window) -> None:
    """Delete the window while Python still runs, its Qt objects in the window's own order; left
    to the interpreter's exit they go in no set order, and a plot item's late resize there can
    crash the process."""
    import shiboken6

    window.shutdown()
    if shiboken6.isValid(window):
        shiboken6.delete(window)
