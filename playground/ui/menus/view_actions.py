"""The View menu: zoom in, out and back (Ctrl +, Ctrl -, Ctrl 0), presenter mode (F11), the
advanced settings, all views or the lesson's, the confusion matrix, and the settings panel. What each does is the
window's `LayoutController`'s to decide (playground.ui.controllers.layout_controller)."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from playground.ui.controllers.layout_controller import ZOOM_STEPS


class ViewActions(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        logic = window.layout_logic
        bar = window.menuBar()
        self.menu = QMenu("&View", bar)
        bar.addMenu(self.menu)
        self.zoom_in = self._action("Zoom in", logic.zoom_in, [QKeySequence.StandardKey.ZoomIn, QKeySequence("Ctrl+=")],
                                    "larger text and plots")
        self.zoom_out = self._action("Zoom out", logic.zoom_out, [QKeySequence.StandardKey.ZoomOut,
                                                                   QKeySequence("Ctrl+-")], "smaller text and plots")
        self.zoom_reset = self._action("Actual size", logic.zoom_reset, [QKeySequence("Ctrl+0")], "zoom 100 %")
        self.menu.addSeparator()
        self.presenter = self._action("Presenter mode", logic.toggle_presenter, [QKeySequence("F11")],
                                      "full screen, large type, the simple settings and the lesson's views large "
                                      "(F11 or Esc to leave)", checkable=True)
        self.menu.addSeparator()
        self.advanced = self._action("Advanced settings", lambda: logic.set_advanced(not logic.advanced), [],
                                     "every setting, or the short list", checkable=True)
        self.show_all = self._action("Show all views", lambda: logic.set_show_all(not logic.show_all), [],
                                     "a lesson shows its own views; this brings back the others", checkable=True)
        self.confusion = self._action("Confusion matrix", self.show_confusion, [],
                                      "a tab with the test set's confusion matrix (classification tasks)")
        self.settings_panel = self._action("Settings panel", self.toggle_settings_panel, [QKeySequence("Ctrl+B")],
                                           "show or hide the settings column (the views take its room)",
                                           checkable=True)
        self.menu.aboutToShow.connect(self.sync)
        window.show_all_changed.connect(lambda _on: self.sync())
        self.sync()

    def _action(self, text: str, slot, shortcuts: list, tip: str, checkable: bool = False) -> QAction:
        action = QAction(text, self.window)  # on the window, so the shortcuts work with the menu closed
        action.setShortcuts(shortcuts)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.setCheckable(checkable)
        action.triggered.connect(lambda _=False: (slot(), self.sync()))
        self.menu.addAction(action)
        self.window.addAction(action)
        return action

    def sync(self) -> None:
        """Tick the toggles as the window is (they also change elsewhere: the settings panel's
        check box, the lessons panel, Esc)."""
        logic = self.window.layout_logic
        for action, on in ((self.presenter, logic.presenter), (self.advanced, logic.advanced),
                           (self.show_all, logic.show_all), (self.settings_panel, self.settings_shown())):
            action.blockSignals(True)
            action.setChecked(on)
            action.blockSignals(False)
        self.zoom_in.setEnabled(logic.zoom < ZOOM_STEPS[-1])
        self.zoom_out.setEnabled(logic.zoom > ZOOM_STEPS[0])

    def show_confusion(self) -> None:
        self.window.view_of("confusion", create=True)
        self.window.show_view("confusion")

    def settings_shown(self) -> bool:
        return self.window.main_split.sizes()[0] > 0 or not self.window.isVisible()

    def toggle_settings_panel(self) -> None:
        split = self.window.main_split
        sizes = split.sizes()
        if sizes[0] > 0:
            self._open_width = sizes[0]
            split.setSizes([0, sum(sizes)])
        else:
            width = getattr(self, "_open_width", 0) or self.window.left.sizeHint().width()
            split.setSizes([width, max(sum(sizes) - width, 1)])


def install(window) -> ViewActions:
    window.view_actions = ViewActions(window)
    return window.view_actions
