"""The window's own style sheets, as functions of the zoom (View > Zoom scales every font size
given here), and the zoom of a plot canvas: its whole scene drawn larger, so that tick labels,
titles and legends grow with the text around them."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF


def pt(size: float, zoom: float) -> str:
    return f"{size * zoom:.1f}pt"


def start_style(zoom: float) -> str:
    return (f"QPushButton {{ background: #2e8b57; color: white; font-size: {pt(15, zoom)}; font-weight: bold;"
            f" padding: {round(8 * zoom)}px {round(14 * zoom)}px; border-radius: 6px; }}"
            "QPushButton:disabled { background: #9bbfa9; }")


def button_style(zoom: float) -> str:
    return f"QPushButton {{ font-size: {pt(11, zoom)}; padding: {round(5 * zoom)}px {round(6 * zoom)}px; }}"


def banner_style(zoom: float) -> str:
    return (f"QLabel {{ background: #fde2e1; color: #8a1c1c; font-size: {pt(12, zoom)}; padding: 8px;"
            " border: 1px solid #e0a0a0; }")


def tabs_style(zoom: float) -> str:
    return f"QTabBar::tab {{ font-size: {pt(11, zoom)}; padding: {round(5 * zoom)}px {round(12 * zoom)}px; }}"


def status_style(zoom: float) -> str:
    return f"QLabel {{ padding: 0 {round(6 * zoom)}px; font-size: {pt(10.5, zoom)}; }}"


def text_style(zoom: float) -> str:
    return f"QTextBrowser {{ font-size: {pt(11, zoom)}; }}"


def message_style(zoom: float) -> str:
    return f"color: #b00020; font-weight: bold; font-size: {pt(10, zoom)};"


class CanvasZoom(QObject):
    """Draws a pyqtgraph canvas (a GraphicsView) `zoom` times larger: the scene is laid out in
    a viewport 1/zoom the size and scaled up, so every text, mark and margin grows together.
    Installed as the canvas's event filter; it sets the range before the canvas handles a resize."""

    MARGIN = 2  # QGraphicsView.fitInView keeps 2 pixels free on each side

    def __init__(self, canvas, zoom: float = 1.0):
        super().__init__(canvas)
        self.canvas = canvas
        self.zoom = 1.0
        canvas.installEventFilter(self)
        self.set_zoom(zoom)

    def set_zoom(self, zoom: float) -> None:
        self.zoom = zoom
        if zoom == 1.0:
            self._unzoom()
            return
        size = self.canvas.size()
        self.canvas.setRange(self._range(size.width(), size.height()), padding=0, disableAutoPixel=True)

    def _range(self, width: int, height: int) -> QRectF:
        margin = 2 * self.MARGIN
        return QRectF(0, 0, max(width - margin, 1) / self.zoom, max(height - margin, 1) / self.zoom)

    def _unzoom(self) -> None:
        canvas = self.canvas
        canvas.autoPixelRange = True
        size = canvas.size()
        canvas.range = QRectF(0, 0, size.width(), size.height())
        canvas.setRange(canvas.range, padding=0, disableAutoPixel=False)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.canvas and event.type() == QEvent.Type.Resize and self.zoom != 1.0:
            size = event.size()
            self.canvas.range = self._range(size.width(), size.height())
        return False
