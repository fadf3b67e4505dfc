"""The views' part of the window: a banner, the tabs, and the views drawn beside them (the
network and the decision boundary, while there is room). Where each view goes is an
`Arrangement` (playground.ui.controllers.layout_controller); this widget only carries it out,
keeping each view (in its `ViewFrame`) alive while it is hidden or moves between tabs and side."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from playground.ui.controllers.layout_controller import Arrangement
from playground.ui.panels import look
from playground.ui.panels.view_frame import ViewFrame
from playground.ui.views import PlotView

# Tab captions short enough for every tab to fit a laptop's tab bar (the view's title is the
# tab's tooltip).
TAB_CAPTIONS = {"loss": "Loss && accuracy", "info_plane": "Info plane", "layer_stats": "Layers",
                "forgetting": "Forgetting", "boundary": "Boundary"}


class ViewArea(QWidget):
    resized = Signal(int)  # the area's new width (logical pixels)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.zoom = 1.0
        self.frames: dict[str, ViewFrame] = {}
        self.zooms: dict[str, look.CanvasZoom] = {}
        self.arrangement = Arrangement((), (), ())
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.tabs = QTabWidget()
        self.tabs.setUsesScrollButtons(True)
        self.tabs.setElideMode(Qt.TextElideMode.ElideNone)
        self.side = QSplitter(Qt.Orientation.Vertical)
        self.side.setChildrenCollapsible(False)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(self.tabs)
        self.split.addWidget(self.side)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setCollapsible(0, False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.split, 1)
        self.set_zoom(1.0)

    # ------------------------------------------------------------ views

    def add(self, view: PlotView) -> ViewFrame:
        """Take a view in (placed by the next `arrange`)."""
        frame = ViewFrame(view)
        frame.setParent(self)
        frame.hide()
        self.frames[view.key] = frame
        self.zooms[view.key] = look.CanvasZoom(view.canvas, self.zoom)
        return frame

    def replace(self, key: str, view: PlotView) -> PlotView:
        """Put a new view of this key where the old one is; returns the old one (scheduled for deletion)."""
        frame = self.frames[key]
        old = frame.takeWidget()
        frame.setWidget(view)
        frame.view = view
        self.zooms[key] = look.CanvasZoom(view.canvas, self.zoom)
        # Kept a child until deleted: a view left without a parent outlived the window and its
        # plot items were torn down at the interpreter's exit, which crashed it.
        old.hide()
        old.setParent(self)
        old.deleteLater()
        return old

    def keys(self) -> list[str]:
        return list(self.frames)

    def current_key(self) -> str | None:
        frame = self.tabs.currentWidget()
        return getattr(frame, "key", None)

    def show_view(self, key: str) -> bool:
        """Bring the tab of this view forward; False when it is not a tab."""
        frame = self.frames.get(key)
        index = self.tabs.indexOf(frame) if frame is not None else -1
        if index >= 0:
            self.tabs.setCurrentIndex(index)
        return index >= 0

    def arrange(self, arrangement: Arrangement) -> None:
        if arrangement == self.arrangement and self.tabs.count() == len(arrangement.tabs):
            return
        current = self.current_key()
        self.arrangement = arrangement
        self.tabs.blockSignals(True)
        try:
            while self.tabs.count():
                self.tabs.removeTab(0)
            for key in arrangement.hidden:
                frame = self.frames[key]
                frame.hide()
                frame.setParent(self)
            for key in arrangement.tabs:
                frame = self.frames[key]
                index = self.tabs.addTab(frame, TAB_CAPTIONS.get(key, frame.title))
                self.tabs.setTabToolTip(index, frame.title.replace("&&", "&"))
                frame.setVisible(index == 0)  # the tab widget shows its current page; the others wait
            for index, key in enumerate(arrangement.side):
                frame = self.frames[key]
                self.side.insertWidget(index, frame)
                frame.show()
        finally:
            self.tabs.blockSignals(False)
        self.side.setVisible(bool(arrangement.side))
        if current in arrangement.tabs:
            self.show_view(current)
        elif self.tabs.count():
            self.tabs.setCurrentIndex(0)

    def fit_side(self, task_inputs, has_plane: bool = False) -> None:
        """The decision boundary has nothing to draw for a task without 2 inputs (or its input
        plane, for features such as x1^2): beside the tabs it then gives its room to the network."""
        frame = self.frames.get("boundary")
        if frame is None or "boundary" not in self.arrangement.side:
            return
        wanted = has_plane or task_inputs is None or task_inputs == 2
        if frame.isVisibleTo(self) != wanted:
            frame.setVisible(wanted)

    # ------------------------------------------------------------ look

    def set_zoom(self, zoom: float) -> None:
        self.zoom = zoom
        self.tabs.setStyleSheet(look.tabs_style(zoom))
        self.banner.setStyleSheet(look.banner_style(zoom))
        for canvas_zoom in self.zooms.values():
            canvas_zoom.set_zoom(zoom)

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    def resizeEvent(self, event) -> None:  # noqa: N802  (Qt's name)
        super().resizeEvent(event)
        if self.isVisible():  # not while the window is closed or torn down: nothing to rearrange then
            self.resized.emit(self.width())

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self.resized.emit(self.width())  # a size given before the window was shown
