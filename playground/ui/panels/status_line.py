"""The status bar's one row of labels (state, epoch, speed, loss and accuracy, device, time,
where the run is saved): as the window narrows, the least important labels step aside
(`fit_labels` decides) instead of pushing the window's minimum width past the screen."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from playground.ui.controllers.layout_controller import fit_labels


class StatusLine(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(0)
        self.row.addStretch(1)
        self.labels: list[QLabel] = []
        self.priorities: list[int] = []
        self.hidden_by_fit: set[int] = set()

    def add(self, label: QLabel, priority: int) -> QLabel:
        """Add a label; the higher its priority, the longer it stays as the row narrows."""
        self.labels.append(label)
        self.priorities.append(priority)
        self.row.insertWidget(len(self.labels) - 1, label)
        self.refit()
        return label

    def natural_widths(self) -> list[int]:
        return [label.sizeHint().width() if label.text() else 0 for label in self.labels]

    def minimumSizeHint(self) -> QSize:  # noqa: N802  (Qt's name)
        widths = self.natural_widths()
        if not widths:
            return QSize(0, 0)
        first = max(range(len(widths)), key=lambda i: (self.priorities[i], -i))
        return QSize(widths[first], super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(sum(self.natural_widths()), super().sizeHint().height())

    def refit(self) -> None:
        shown = fit_labels(self.natural_widths(), self.priorities, self.width())
        self.hidden_by_fit = {i for i, (label, keep) in enumerate(zip(self.labels, shown)) if label.text() and not keep}
        for label, keep in zip(self.labels, shown):
            if label.isHidden() == keep:
                label.setVisible(keep)
        hidden = [self.labels[i].text() for i in sorted(self.hidden_by_fit)]
        self.setToolTip("<br>".join(hidden))

    def text_changed(self) -> None:
        """A label's text changed: its width may have too."""
        self.updateGeometry()
        self.refit()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.refit()
