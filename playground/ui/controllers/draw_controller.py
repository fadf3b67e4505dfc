"""Drawing your own data on the boundary view, without Qt: each click changes the drawn set,
and a set of at least two points becomes the settings' task, `drawn` with `task.points`, under
the usual rules for a change of data (before Start the preview is rebuilt; with a run on
screen "Reset now?" is asked, and a No takes the click back). Fewer points are shown as a
draft by the view itself. Clear and Undo are edits like the others.
"""

from __future__ import annotations

from typing import Any, Protocol

from playground.core.config import TaskConfig
from playground.core.tasks import get_task
from playground.ui.model.drawn_points import DrawnPoints, Point

DRAWN = "drawn"
MIN_POINTS = 2
REMOVE_WITHIN_PX = 20.0
# Options of the task drawn over that the drawn set keeps: the inputs the network sees (not its
# train fraction: drawn points train at the drawn task's own default share).
KEPT_OPTIONS = ("features",)


class DrawTarget(Protocol):
    def current_task(self) -> TaskConfig:
        """The task in the settings."""

    def current_loss(self) -> str:
        """train.loss in the settings."""

    def apply_task(self, name: str, params: dict[str, Any], what: str, loss: str | None = None) -> bool:
        """Put this task (and this loss, if given) in the settings as a user change; True when
        the settings now hold it."""

    def show_draft(self, points: list[Point] | None, regression: bool) -> None:
        """Show these points (too few for a task) as the data; None: show the settings' data."""

    def say(self, text: str) -> None: ...


class DrawController:
    def __init__(self, target: DrawTarget):
        self.target = target
        self.points = DrawnPoints()
        self.active = False
        self.label: int | float = 0  # what a left click adds: a class, or a target value
        self.kept: dict[str, Any] = {}
        self.loss_before: str | None = None  # the classes' loss, while drawn targets train with mse

    def begin(self) -> None:
        """Draw mode on: the drawn task's points where it is the settings' task, else an empty
        set (keeping the input features of the task drawn over); two points or more make the task."""
        task = self.target.current_task()
        self.active = True
        if task.name == DRAWN:
            self.points = DrawnPoints.from_params(task.params)
        else:
            regression = bool(get_task(task.name).regression(task.params))
            self.points = DrawnPoints(regression=regression)
        drawn_options = {option.name for option in get_task(DRAWN).options}
        self.kept = {key: task.params[key] for key in KEPT_OPTIONS if key in task.params and key in drawn_options}
        self._show()
        self.target.say("Draw: left-click adds a point, right-click removes the nearest")

    def end(self) -> None:
        self.active = False
        self.target.show_draft(None, self.points.regression)

    def set_label(self, label: int | float, regression: bool) -> None:
        """What the next left click adds; switching between classes and targets re-reads the set."""
        self.label = label
        if self.active and regression != self.points.regression:
            self._edit(lambda: self.points.set_regression(regression), "the drawn points (classes or targets)")

    # ------------------------------------------------------------ edits

    def add(self, x: float, y: float) -> bool:
        return self._edit(lambda: self.points.add(x, y, self.label), "the drawn points")

    def remove(self, x: float, y: float, px_x: float = 1.0, px_y: float = 1.0) -> bool:
        if not self.points.points:
            return False
        before = len(self.points.points)
        return self._edit(lambda: self.points.remove_nearest(x, y, px_x, px_y, REMOVE_WITHIN_PX),
                          "the drawn points", changed=lambda: len(self.points.points) != before)

    def undo(self) -> bool:
        if not self.points.can_undo:
            self.target.say("nothing to undo")
            return False
        return self._edit(self.points.undo, "the drawn points")

    def clear(self) -> bool:
        if not self.points.points:
            return False
        return self._edit(self.points.clear, "the drawn points")

    def _edit(self, change, what: str, changed=lambda: True) -> bool:
        """Apply one edit to the set and hand it to the settings; take it back if refused."""
        if not self.active:
            return False
        snapshot = self.points.snapshot()
        change()
        if not changed():
            self.points.restore(snapshot)
            return False
        if len(self.points.points) < MIN_POINTS:
            self._show()
            return True
        params = {**self.kept, **self.points.task_params()}
        if not self.target.apply_task(DRAWN, params, what, self._loss()):
            self.points.restore(snapshot)
            self._show()
            return False
        self.target.show_draft(None, self.points.regression)
        return True

    def _loss(self) -> str | None:
        """A regression trains with mse (the only loss it takes); back to classes, the loss of before."""
        current = self.target.current_loss()
        if self.points.regression:
            if current != "mse":
                self.loss_before = current
            return "mse"
        if current == "mse" and self.loss_before is not None:
            return self.loss_before
        return None

    def _show(self) -> None:
        """Too few points for a task: the view shows them itself."""
        if len(self.points.points) < MIN_POINTS:
            self.target.show_draft(list(self.points.points), self.points.regression)
        else:
            self.target.show_draft(None, self.points.regression)
