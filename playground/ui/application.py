"""The QApplication, created once and styled for a projector, and whether there is a display:
what the window (`playground.ui.app`) and the figures of a saved run (`playground plot`) share."""

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
