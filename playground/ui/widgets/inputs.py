"""Small input widgets: a slider that shows its value, a log-scale slider, and a typed number field
that refuses bad values with a message instead of accepting them."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QSlider, QWidget


class LabeledSlider(QWidget):
    """An integer slider with its value shown; emits `valueChanged` only when released
    (architecture changes ask to reset, so not on every pixel of a drag)."""

    valueChanged = Signal(int)

    def __init__(self, low: int, high: int, value: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(low, high)
        self.slider.setValue(value)
        self.slider.setTracking(False)
        self.label = QLabel(str(value))
        self.label.setMinimumWidth(32)
        self.label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        self.slider.sliderMoved.connect(lambda v: self.label.setText(str(v)))
        self.slider.valueChanged.connect(self._changed)

    def _changed(self, value: int) -> None:
        self.label.setText(str(value))
        self.valueChanged.emit(value)

    def value(self) -> int:
        return self.slider.value()

    def setValue(self, value: int) -> None:
        self.slider.setValue(value)
        self.label.setText(str(self.slider.value()))


class NumberField(QLineEdit):
    """A typed number. A value that does not parse or is out of range is refused: the field
    goes back to its last good value and `refused` carries a message naming the setting."""

    valueChanged = Signal(object)
    refused = Signal(str)

    def __init__(self, name: str, kind: type, value, low=None, high=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.name, self.kind, self.low, self.high = name, kind, low, high
        self._value = value
        self.setText(self.format(value))
        self.editingFinished.connect(self._commit)
        self.setMaximumWidth(120)

    def format(self, value) -> str:
        if self.kind is float:
            return f"{value:.6g}"
        return str(value)

    def parse(self, text: str):
        """The value `text` stands for, or raise ValueError with the reason."""
        text = text.strip().replace(",", "") if self.kind is int else text.strip()
        try:
            value = self.kind(text)
        except ValueError:
            raise ValueError(f"{self.name}: {text!r} is not {'an integer' if self.kind is int else 'a number'}") from None
        if self.kind is float and not math.isfinite(value):
            raise ValueError(f"{self.name}: {text!r} is not a finite number")
        if self.low is not None and value < self.low:
            raise ValueError(f"{self.name}: must be at least {self.low:g}, got {value:g}")
        if self.high is not None and value > self.high:
            raise ValueError(f"{self.name}: must be at most {self.high:g}, got {value:g}")
        return value

    def _commit(self) -> None:
        try:
            value = self.parse(self.text())
        except ValueError as exc:
            self.refuse(str(exc))
            return
        if value != self._value:
            self._value = value
            self.setText(self.format(value))
            self.valueChanged.emit(value)
        else:
            self.setText(self.format(value))

    def refuse(self, message: str) -> None:
        """Put the last good value back and say why."""
        self.setText(self.format(self._value))
        self.refused.emit(message)

    def value(self):
        return self._value

    def setValue(self, value) -> None:
        self._value = value
        self.setText(self.format(value))


class LogSlider(QWidget):
    """A log-scale slider (e.g. the learning rate) beside a field to type the exact value."""

    valueChanged = Signal(float)
    refused = Signal(str)
    STEPS_PER_DECADE = 20

    def __init__(self, name: str, low: float, high: float, value: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.low, self.high = low, high
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, round(math.log10(high / low) * self.STEPS_PER_DECADE))
        self.field = NumberField(name, float, value, low=low, high=high)
        self.field.setMaximumWidth(90)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.field)
        self._set_slider(value)
        self.slider.valueChanged.connect(self._slid)
        self.field.valueChanged.connect(self._typed)
        self.field.refused.connect(self.refused)

    def _to_position(self, value: float) -> int:
        return round(math.log10(value / self.low) * self.STEPS_PER_DECADE)

    def _set_slider(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(self._to_position(min(max(value, self.low), self.high)))
        self.slider.blockSignals(False)

    def _slid(self, position: int) -> None:
        value = float(f"{self.low * 10 ** (position / self.STEPS_PER_DECADE):.3g}")
        self.field.setValue(value)
        self.valueChanged.emit(value)

    def _typed(self, value: float) -> None:
        self._set_slider(value)
        self.valueChanged.emit(value)

    def value(self) -> float:
        return self.field.value()

    def setValue(self, value: float) -> None:
        self.field.setValue(value)
        self._set_slider(value)
