"""Drawing your own data (issue 14), without a window: the drawn set's edits and undo, the
`drawn` task's options it makes (read back exactly by the config), and the controller that hands
it to the settings under the usual rules."""

import numpy as np
import pytest

from playground.core import config as config_module
from playground.core.config import ConfigError, TaskConfig, from_dict, validate
from playground.ui.controllers.draw_controller import DrawController
from playground.ui.model.drawn_points import MAX_UNDO, DrawnPoints


def test_points_are_added_removed_by_nearness_in_pixels_cleared_and_undone():
    drawn = DrawnPoints()
    drawn.add(0.0, 0.0, 0)
    drawn.add(1.0, 0.0, 1)
    drawn.add(0.0, 0.3, 1)
    # In pixels, with 100 px per unit of x and 10 of y, (0.6, 0) is nearer (0, 0.3) than (1, 0).
    distances = {p: np.hypot((p[0] - 0.6) * 100, (p[1] - 0.0) * 10) for p in drawn.points}
    assert drawn.remove_nearest(0.6, 0.0, px_x=100, px_y=10) == min(distances, key=distances.get)
    assert drawn.remove_nearest(5.0, 5.0, px_x=100, px_y=10, within_px=20) is None  # nothing near: nothing removed
    assert len(drawn.points) == 2
    drawn.clear()
    assert drawn.points == []
    assert drawn.undo() and len(drawn.points) == 2  # the clear undone
    assert drawn.undo() and len(drawn.points) == 3  # the removal undone
    for _ in range(3):
        assert drawn.undo()
    assert drawn.points == [] and not drawn.undo()


def test_undo_keeps_a_bounded_history():
    drawn = DrawnPoints()
    for k in range(MAX_UNDO + 50):
        drawn.add(k, 0, 0)
    undone = 0
    while drawn.undo():
        undone += 1
    assert undone == MAX_UNDO and len(drawn.points) == 50


@pytest.mark.parametrize("regression", [False, True])
def test_the_drawn_set_is_the_task_the_config_reads_back_exactly(regression, tmp_path):
    drawn = DrawnPoints(regression=regression)
    for x, y, label in [(0.12345, -1.0, 1), (2.0, 3.98765, 0), (-1.5, 0.25, 2)]:
        drawn.add(x, y, label * 0.5 if regression else label)
    train = {"loss": "mse"} if regression else {}
    cfg = validate(from_dict({"task": {"name": "drawn", **drawn.task_params()}, "train": train}))
    assert cfg.task.params["points"] == drawn.task_params()["points"]
    config_module.save(cfg, tmp_path / "config.toml")
    again = config_module.load(tmp_path / "config.toml")  # a saved config reproduces it
    assert again.task.params["points"] == drawn.task_params()["points"]
    assert again.task.params["regression"] is regression
    assert drawn.points[0][:2] == (0.123, -1.0)  # rounded: a saved config stays short
    assert all(isinstance(p[2], float if regression else int) for p in drawn.points)


def test_classes_become_targets_and_back():
    drawn = DrawnPoints()
    drawn.add(0, 0, 1)
    drawn.set_regression(True)
    assert drawn.points == [(0.0, 0.0, 1.0)]
    drawn.set_regression(False)
    assert drawn.points == [(0.0, 0.0, 1)]
    drawn.undo()
    assert drawn.regression and drawn.points == [(0.0, 0.0, 1.0)]


class Settings:
    """The settings as the draw controller sees them: a task, validated like the controls do,
    and a user who answers `agree` to "Reset now?"."""

    def __init__(self, task: TaskConfig, loss: str = "cross_entropy"):
        self.task = task
        self.loss = loss
        self.agree = True
        self.drafts: list = []
        self.applied: list = []
        self.said: list = []

    def current_task(self):
        return self.task

    def current_loss(self):
        return self.loss

    def apply_task(self, name, params, what, loss=None):
        try:
            cfg = validate(from_dict({"task": {"name": name, **params}, "train": {"loss": loss or self.loss}}))
        except ConfigError as exc:
            self.said.append(str(exc))
            return False
        if not self.agree:
            return False
        self.task, self.loss = cfg.task, cfg.train.loss
        self.applied.append(cfg.task)
        return True

    def show_draft(self, points, regression):
        self.drafts.append(points)

    def say(self, text):
        self.said.append(text)


def spiral_task():
    return validate(from_dict({"task": {"name": "spiral", "features": ["x1", "x2", "x1^2"],
                                        "train_fraction": 0.5}})).task


def test_two_points_make_the_drawn_task_with_the_features_of_the_task_drawn_over():
    settings = Settings(spiral_task())
    draw = DrawController(settings)
    draw.begin()
    assert settings.drafts[-1] == []  # an empty plane to draw on
    assert draw.add(1.0, 2.0)
    assert settings.task.name == "spiral" and settings.drafts[-1] == [(1.0, 2.0, 0)]
    draw.label = 1
    assert draw.add(-1.0, 0.5)
    assert settings.task.name == "drawn" and settings.drafts[-1] is None
    assert settings.task.params["points"] == ((1.0, 2.0, 0), (-1.0, 0.5, 1))
    assert settings.task.params["features"] == ("x1", "x2", "x1^2")
    assert settings.task.params["train_fraction"] == 0.8  # the drawn task's own, not the spiral's 0.5


def test_a_declined_reset_or_a_refused_set_takes_the_click_back():
    settings = Settings(spiral_task())
    draw = DrawController(settings)
    draw.begin()
    draw.add(0, 0)
    draw.add(1, 1)
    settings.agree = False
    assert not draw.add(2, 2)
    assert len(draw.points.points) == 2 and settings.task.params["points"] == ((0.0, 0.0, 0), (1.0, 1.0, 0))
    settings.agree = True
    draw.set_label(0.5, regression=True)
    assert settings.task.params["regression"] is True and settings.loss == "mse"  # a regression trains with mse
    draw.add(3, 3)
    assert settings.task.params["points"][-1] == (3.0, 3.0, 0.5)
    draw.set_label(0, regression=False)  # 0.5 is no class: refused with the config's reason
    assert draw.points.regression and "label 0.5" in settings.said[-1] and settings.loss == "mse"
    draw.undo()  # the 0.5 point gone, classes again, with the loss of before
    draw.set_label(0, regression=False)
    assert settings.task.params["regression"] is False and settings.loss == "cross_entropy"


def test_undo_clear_and_remove_go_through_the_settings_and_a_drawn_task_is_drawn_on():
    settings = Settings(spiral_task())
    draw = DrawController(settings)
    draw.begin()
    for x in range(4):
        draw.add(x, 0)
    assert len(settings.task.params["points"]) == 4
    assert draw.remove(2.1, 0.0, px_x=50, px_y=50)
    assert [p[0] for p in settings.task.params["points"]] == [0.0, 1.0, 3.0]
    assert not draw.remove(10, 10, px_x=50, px_y=50)  # nothing within reach
    assert draw.clear() and settings.drafts[-1] == []  # none left: a draft, the settings keep the last set
    assert draw.undo() and len(settings.task.params["points"]) == 3
    draw.end()
    again = DrawController(settings)
    again.begin()  # the drawn task in the settings: its points to draw on
    assert again.points.points == list(settings.task.params["points"])
