"""The app trains the new tasks (a regression, input features, drawn points) with every view fed,
and no view raises (the regression's own surface view comes with the app's side of issue 14)."""

import pytest

from playground.core.config import apply_overrides, from_dict, validate
from tests.helpers_files import open_window

TIMEOUT_MS = 30_000


@pytest.mark.parametrize("task, loss", [
    ({"name": "reg-gauss"}, "mse"),
    ({"name": "circle", "features": ["x1^2", "x2^2"]}, "cross_entropy"),
    ({"name": "drawn", "points": [[0.0, 1.0, 0], [1.0, 0.0, 1], [0.5, 0.5, 1], [0.1, 0.2, 0]]}, "cross_entropy"),
])
def test_the_app_trains_the_new_tasks_and_every_view_draws(qtbot, capsys, task, loss):
    cfg = validate(apply_overrides(from_dict({"task": task, "train": {"loss": loss}}),
                                   ["network.hidden=[4]", "train.epochs=20", "train.batch_size=50"]))
    window = open_window(qtbot, cfg)
    window.update_hidden_views = True  # draw the views off screen too
    try:
        window.start()
        qtbot.waitUntil(lambda: window.history.epoch >= 20 and window.state != "running", timeout=TIMEOUT_MS)
        qtbot.wait(200)  # a few more ticks: every view redraws from the finished history
        assert "boundary" in window.history.live
    finally:
        window.shutdown()
    assert "Traceback" not in capsys.readouterr().err
