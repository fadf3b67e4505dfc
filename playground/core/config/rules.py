"""What one config key may hold: one of named choices, a number in a range, or a list of either.

Each rule checks a value (`check` raises ConfigError with a one-line message naming the key) and
tells a control what to offer (choices with labels and descriptions; bounds, log scale, slider span).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, NoReturn, Union

from playground.core.base.errors import ConfigError

@dataclass(frozen=True)
class Choice:
    name: str
    description: str  # one line: the app shows it as the choice's tooltip
    label: str = ""  # a menu's text where the bare name says too little

    @property
    def shown(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class Choices:
    options: tuple[Choice, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(option.name for option in self.options)

    def check(self, key: str, value: Any) -> None:
        if value not in self.names:
            _refuse(f"{key}: {value!r} is not one of {', '.join(self.names)}")


@dataclass(frozen=True)
class Range:
    kind: type  # int or float
    low: float | None = None  # None: unbounded
    high: float | None = None
    low_open: bool = False  # the bound itself is not allowed
    high_open: bool = False
    log: bool = False  # shown on a log scale (the control is a log slider)
    # The span a slider shows where it is narrower than the range (typed values may go beyond it).
    slider: tuple[float, float] | None = None

    def contains(self, value: float) -> bool:
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or (value < self.high if self.high_open else value <= self.high)

    def text(self) -> str:
        """The range in words: "between 0 and 100", "> 0 and <= 100", ">= 0"."""
        closed = not (self.low_open or self.high_open)
        if closed and self.low is not None and self.high is not None:
            return f"between {self.low:g} and {self.high:g}"
        parts = []
        if self.low is not None:
            parts.append(f"{'>' if self.low_open else '>='} {self.low:g}")
        if self.high is not None:
            parts.append(f"{'<' if self.high_open else '<='} {self.high:g}")
        return " and ".join(parts)

    def span(self) -> tuple[float, float]:
        """What a slider shows: `slider` where given, else the whole (bounded) range."""
        if self.slider is not None:
            return self.slider
        assert self.low is not None and self.high is not None, "an unbounded range needs a slider span"
        return self.low, self.high

    def check(self, key: str, value: float) -> None:
        if not self.contains(value):
            _refuse(f"{key}: must be {self.text()}, got {value:g}")


@dataclass(frozen=True)
class Each:
    """A list whose length is within `count` and whose every item follows `item`."""

    item: Union[Range, Choices]
    count: Range | None = None
    noun: str = "items"  # what the count counts, in its message ("layers")
    item_name: str = ""  # how a message names one item ("each width")

    def check(self, key: str, values: tuple) -> None:
        count = self.count
        if count is not None and not count.contains(len(values)):
            if count.high is not None and len(values) > count.high:
                _refuse(f"{key}: at most {count.high:g} {self.noun}, got {len(values)}")
            _refuse(f"{key}: at least {count.low:g} {self.noun}, got {len(values)}")
        item_key = f"{key} ({self.item_name})" if self.item_name else key
        for value in values:
            self.item.check(item_key, value)


@dataclass(frozen=True)
class Parsed:
    """A text with its own small grammar (e.g. "test_acc >= 0.95"); `parse` raises ConfigError."""

    parse: Callable[[str], Any]
    description: str  # one line: what the text may say

    def check(self, key: str, value: str) -> None:
        try:
            self.parse(value)
        except ConfigError as exc:
            _refuse(f"{key}: {exc}" if not str(exc).startswith(key) else str(exc))


Rule = Union[Choices, Range, Each, Parsed]


def _refuse(message: str) -> NoReturn:
    raise ConfigError(message)
