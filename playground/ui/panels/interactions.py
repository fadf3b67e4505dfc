"""Clicks on the drawings, wired to the settings and the run (as in TensorFlow Playground): an
input unit of the network switches its feature on or off, a link opens a small editor of its
weight (a live change of the paused run, recorded in changes.csv), and the boundary view's draw
mode makes the points drawn with the mouse the settings' `drawn` task.

`install(window)` is called once by playground.ui.app.build_window; the logic is in
RunController.set_weight, playground.ui.controllers.draw_controller and ui/model (Qt-free).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from playground.core.config import ConfigError, TaskConfig
from playground.ui.controllers.draw_controller import DrawController
from playground.ui.model.network_hits import LinkChoice
from playground.ui.model.weight_edit import edited_live


class WeightEditor(QFrame):
    """A small popup by the clicked link: the weight's value, editable while the run is paused."""

    def __init__(self, parent: QWidget, apply):
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.apply = apply  # (LinkChoice, float) -> bool
        self.choice: LinkChoice | None = None
        self.title = QLabel()
        self.field = QLineEdit()
        self.field.setToolTip("the new weight; Enter sets it")
        self.set_button = QPushButton("Set")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #8a1c1c;")
        row = QHBoxLayout()
        row.addWidget(QLabel("weight"))
        row.addWidget(self.field, 1)
        row.addWidget(self.set_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.title)
        layout.addLayout(row)
        layout.addWidget(self.note)
        self.field.returnPressed.connect(self.submit)
        self.set_button.clicked.connect(self.submit)
        self.setMinimumWidth(300)

    def open(self, choice: LinkChoice, note: str, at: QPoint | None = None) -> None:
        """Show a link's weight; `note` (why it cannot be edited now) makes it read-only."""
        self.choice = choice
        self.title.setText(choice.describe())
        self.field.setText(f"{choice.value:.6g}")
        editable = not note
        self.field.setReadOnly(not editable)
        self.set_button.setEnabled(editable)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.adjustSize()
        self.move(at if at is not None else QCursor.pos())
        self.show()
        if editable:
            self.field.setFocus()
            self.field.selectAll()

    def submit(self) -> bool:
        if self.choice is None or self.field.isReadOnly():
            return False
        try:
            value = float(self.field.text())
        except ValueError:
            self.note.setText(f"{self.field.text()!r} is not a number")
            self.note.show()
            return False
        if self.apply(self.choice, value):
            self.hide()
            return True
        return False


class Interactions(QObject):
    """The window's click handlers; also the draw controller's target (DrawTarget)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.network = _view(window, "network")
        self.boundary = _view(window, "boundary")
        self.editor = WeightEditor(window, self.set_weight)
        self.draw = DrawController(self)
        if self.network is not None:
            self.network.feature_clicked.connect(self.toggle_feature)
            self.network.link_clicked.connect(self.edit_link)
        if self.boundary is not None:
            self.boundary.draw_toggled.connect(self._draw_toggled)
            self.boundary.draw_clicked.connect(self._draw_clicked)
            self.boundary.draw_label_changed.connect(self.draw.set_label)
            self.boundary.draw_undo.connect(self.draw.undo)
            self.boundary.draw_clear.connect(self.draw.clear)

    # ------------------------------------------------------------ input features

    def toggle_feature(self, name: str) -> bool:
        return self.window.controls.toggle_feature(name)

    # ------------------------------------------------------------ weights

    def edit_link(self, choice: LinkChoice, at: QPoint | None = None) -> None:
        self.editor.open(choice, self.window.run.weight_edit_note(), at)

    def set_weight(self, choice: LinkChoice, value: float) -> bool:
        """Send the edit to the run, and show the network as the edit makes it (the trainer
        applies it before its next step)."""
        if not self.window.run.set_weight(choice.member, choice.layer, choice.source, choice.target, value):
            return False
        history = self.window.history
        if "weights" in history.live:
            history.live.update(edited_live(history.live, history.config, choice.member, choice.layer,
                                            choice.source, choice.target, value))
            history.live_revision += 1
            history.revision += 1
        return True

    # ------------------------------------------------------------ drawing data (DrawTarget)

    def _draw_toggled(self, on: bool) -> None:
        if on:
            self.draw.begin()
            label, regression = self.boundary.label()
            if self.draw.points.regression != regression:  # the view shows the drawn set's kind
                self.boundary.set_label(1.0 if self.draw.points.regression else 0, self.draw.points.regression)
            self.draw.label = self.boundary.label()[0]
        else:
            self.draw.end()

    def _draw_clicked(self, x: float, y: float, add: bool, px_x: float, px_y: float) -> None:
        self.draw.label = self.boundary.label()[0]
        if add:
            self.draw.add(x, y)
        else:
            self.draw.remove(x, y, px_x, px_y)

    def current_task(self) -> TaskConfig:
        try:
            return self.window.controls.config().task
        except ConfigError:  # e.g. the drawn task chosen with no points yet: start from none
            return TaskConfig(name=self.window.controls.task.currentData())

    def current_loss(self) -> str:
        return self.window.controls.loss.currentData()

    def apply_task(self, name: str, params: dict[str, Any], what: str, loss: str | None = None) -> bool:
        return self.window.controls.apply_task(name, params, what, loss)

    def show_draft(self, points, regression: bool) -> None:
        if self.boundary is not None:
            self.boundary.show_draft(points, regression)

    def say(self, text: str) -> None:
        self.window.say(text)


def _view(window, key: str):
    return next((view for view in window.views if view.key == key), None)


def install(window) -> Interactions:
    window.interactions = Interactions(window)
    return window.interactions
