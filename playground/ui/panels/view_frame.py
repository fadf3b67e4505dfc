"""A view in the window: wrapped in a scroll area, so a view whose toolbar wants more width than
a narrow window has scrolls sideways instead of setting the window's minimum width (Qt's minimum
size of the whole window is the sum of its parts' minimums)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea

from playground.ui.views import PlotView

MIN_WIDTH = 260
MIN_HEIGHT = 160


class ViewFrame(QScrollArea):
    def __init__(self, view: PlotView):
        super().__init__()
        self.view = view
        self.key = view.key
        self.title = view.title
        self.setWidget(view)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)

    def minimumSizeHint(self) -> QSize:  # noqa: N802  (Qt's name)
        return QSize(MIN_WIDTH, MIN_HEIGHT)

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.view.sizeHint()
