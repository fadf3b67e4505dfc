"""Start the desktop app (`python main.py`, `playground gui`), or check an installation (`--selftest`)."""

from __future__ import annotations

import os
import sys


def has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def make_app():
    """The QApplication (created once), styled for a projector."""
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    from playground.ui.session import gc_guard
    from playground.ui.widgets.style import configure_pyqtgraph

    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "playground"])
        app.setApplicationName("Toy Network Playground")
        font = QFont(app.font())
        font.setPointSize(max(font.pointSize(), 10))
        app.setFont(font)
        if app.platformName() == "offscreen":
            from PySide6.QtCore import qInstallMessageHandler

            qInstallMessageHandler(_quiet_offscreen)
    gc_guard.install(app)  # collect garbage on the GUI thread only: a lesson's sweep still trains in a thread
    configure_pyqtgraph()
    return app


def _quiet_offscreen(mode, context, message) -> None:
    """Qt's messages, less the offscreen platform's note on every window shown."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def initial_config(preset: str | None = None, config_path: str | None = None):
    """The settings the window opens with: a preset, a config file, or None (the default).
    Raises ConfigError with a one-line reason (the command line prints it, exit 2)."""
    from playground.core import config as config_module
    from playground.core.config import ConfigError, validate
    from playground.core.experiments.catalog import get_preset

    if preset and config_path:
        raise ConfigError("give --preset or --config, not both")
    if config_path:
        return config_module.load(config_path)
    if preset:
        return validate(get_preset(preset).config())
    return None


def run_app(selftest: bool = False, screenshot: str | None = None, preset: str | None = None,
            config_path: str | None = None, start: bool = False, lesson: str | None = None,
            sweep: bool = False) -> int:
    import torch

    from playground.core.experiments.lessons import get_lesson
    from playground.core.remote import pool, protocol

    torch.set_num_threads(1)  # toy networks: one thread is much faster than many on few cores
    config = initial_config(preset, config_path)  # bad input fails here, before any window
    pool.default_pool().prewarm(protocol.DEFAULT_KEY)  # the training process warms up while the window builds
    lesson = get_lesson(lesson) if lesson else None
    if selftest and not has_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        app = make_app()
        from playground.ui.mainwindow import MainWindow
    except Exception as exc:  # e.g. no Qt platform plugin: say so instead of a traceback
        print(f"playground: cannot open the window: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    window = MainWindow(config)
    window.show()
    if lesson is not None:
        window.lessons.open_lesson(lesson)
        if sweep:
            window.lessons.run_sweep()
    if selftest:
        from playground.ui.selftest import run_selftest

        return run_selftest(app, window, screenshot)
    if start:
        window.start()
    return app.exec()
