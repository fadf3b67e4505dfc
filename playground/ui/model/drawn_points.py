"""Points drawn with the mouse on the boundary view, without Qt: add, remove the nearest, clear,
undo, and the `drawn` task's options they make (task.points, task.regression).

Each point is (x1, x2, label) with an int class label, or (x1, x2, target) with a float target
for a regression: the form `core/tasks/drawn.check_points` gives back, so the config holds
exactly these points. Coordinates are rounded to DIGITS decimals: a saved config stays short.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

Point = tuple[float, float, "int | float"]
DIGITS = 3
MAX_UNDO = 500


@dataclass(frozen=True)
class Snapshot:
    points: tuple[Point, ...]
    regression: bool
    undo: tuple[tuple[tuple[Point, ...], bool], ...]


@dataclass
class DrawnPoints:
    points: list[Point] = field(default_factory=list)
    regression: bool = False
    _undo: list[tuple[tuple[Point, ...], bool]] = field(default_factory=list)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> "DrawnPoints":
        """The points of a `drawn` task's options."""
        regression = bool(params.get("regression", False))
        return cls([point_of(p, regression) for p in params.get("points", ())], regression)

    # ------------------------------------------------------------ edits

    def _remember(self) -> None:
        self._undo.append((tuple(self.points), self.regression))
        del self._undo[:-MAX_UNDO]

    def add(self, x: float, y: float, label: int | float) -> Point:
        self._remember()
        point = point_of((x, y, label), self.regression)
        self.points.append(point)
        return point

    def remove_nearest(self, x: float, y: float, px_x: float = 1.0, px_y: float = 1.0,
                       within_px: float = math.inf) -> Point | None:
        """Remove the point nearest (x, y), measured in pixels (`px_x`, `px_y` per unit), if
        within `within_px`; the removed point, or None."""
        if not self.points:
            return None
        distances = [math.hypot((px - x) * px_x, (py - y) * px_y) for px, py, _ in self.points]
        nearest = min(range(len(distances)), key=distances.__getitem__)
        if distances[nearest] > within_px:
            return None
        self._remember()
        return self.points.pop(nearest)

    def clear(self) -> None:
        if self.points:
            self._remember()
            self.points = []

    def set_regression(self, regression: bool) -> None:
        """Targets instead of classes (or back): every point's third number read the other way."""
        if regression == self.regression:
            return
        self._remember()
        self.regression = regression
        self.points = [point_of(p, regression) for p in self.points]

    def undo(self) -> bool:
        if not self._undo:
            return False
        points, self.regression = self._undo.pop()
        self.points = list(points)
        return True

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    def snapshot(self) -> Snapshot:
        return Snapshot(tuple(self.points), self.regression, tuple(self._undo))

    def restore(self, snapshot: Snapshot) -> None:
        """Back to a snapshot, undo history included (an edit the settings refused)."""
        self.points = list(snapshot.points)
        self.regression = snapshot.regression
        self._undo = list(snapshot.undo)

    # ------------------------------------------------------------ the task

    def task_params(self) -> dict[str, Any]:
        """task.points and task.regression, as the config will hold them."""
        return {"points": tuple(self.points), "regression": self.regression}


def point_of(point, regression: bool) -> Point:
    """(x1, x2, label) with rounded coordinates and the label's type: an int class, or a float
    target (a class label that is not a whole number stays a float, for the config to refuse)."""
    x, y, label = point
    label = float(label) if regression or float(label) != int(label) else int(label)
    return (round(float(x), DIGITS), round(float(y), DIGITS), label)
