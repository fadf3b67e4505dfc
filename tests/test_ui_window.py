"""The main window as a student drives it: start, pause, resume, step, stop, reset; live learning
rate; changes that need a reset; bad values; closing mid-run. Offscreen, small fast runs."""

import functools
import os

import helpers_files
import pytest

from playground.core.config import validate
from playground.ui import mainwindow as mw

TIMEOUT_MS = 20_000


# The file tests' small circle run, trained longer here so runs outlast the checks made on them.
small_config = functools.partial(helpers_files.small_config, epochs=40)


@pytest.fixture
def window(qtbot):
    win = helpers_files.open_window(qtbot, small_config())
    yield win
    win.shutdown()
    assert not win.session.active


def wait_state(qtbot, win, *states):
    qtbot.waitUntil(lambda: win.state in states, timeout=TIMEOUT_MS)


def test_start_runs_to_completion_and_fills_every_view(qtbot, window):
    window.update_hidden_views = True
    window.controls.set_config(small_config("probes.enabled=true", "probes.points=8", "continual.tasks=2",
                                            "continual.epochs_per_task=6", epochs=12))
    assert window.start_button.isEnabled()
    window.start_button.click()
    assert window.state == mw.RUNNING
    assert not window.start_button.isEnabled() and window.stop_button.isEnabled()
    wait_state(qtbot, window, mw.FINISHED)
    assert window.history.epoch == 12
    assert "epoch 12 / 12" in window.status_epoch.text()
    for view in window.views:
        view.update_from(window.history, force=True)
        assert view.holds_data(), f"{view.title}: {view.message.text()}"
    assert window.start_button.isEnabled() and not window.pause_button.isEnabled()


def test_pause_holds_the_epoch_counter_and_resume_continues(qtbot, window):
    window.controls.set_config(small_config(epochs=1_000_000))
    window.start()
    qtbot.waitUntil(lambda: window.history.epoch >= 3, timeout=TIMEOUT_MS)
    window.pause_button.click()
    assert window.state == mw.PAUSED and window.pause_button.text() == "Resume"
    qtbot.wait(300)  # the epoch in flight lands, then nothing more
    window.tick()
    held = window.history.epoch
    qtbot.wait(300)
    window.tick()
    assert window.history.epoch == held
    window.pause_button.click()
    assert window.state == mw.RUNNING
    qtbot.waitUntil(lambda: window.history.epoch > held + 2, timeout=TIMEOUT_MS)
    window.stop_button.click()
    wait_state(qtbot, window, mw.STOPPED)
    assert not window.session.active
    stopped_at = window.history.epoch
    qtbot.wait(200)
    window.tick()
    assert window.history.epoch == stopped_at


def test_step_trains_exactly_one_epoch_at_a_time(qtbot, window):
    window.step_button.click()
    wait_state(qtbot, window, mw.PAUSED)
    qtbot.waitUntil(lambda: window.history.epoch == 1, timeout=TIMEOUT_MS)
    window.step_button.click()
    wait_state(qtbot, window, mw.PAUSED)
    qtbot.wait(200)
    window.tick()
    assert window.history.epoch == 2
    window.pause_button.click()  # resume runs on to the end
    wait_state(qtbot, window, mw.FINISHED)
    assert window.history.epoch == 40


def test_reset_clears_the_run(qtbot, window):
    window.start()
    wait_state(qtbot, window, mw.FINISHED)
    window.reset_button.click()
    assert window.state == mw.READY and window.history.epoch == 0
    assert all(view.showing_message for view in window.views)


def test_learning_rate_change_mid_run_reaches_the_optimizer(qtbot, window):
    window.controls.set_config(small_config(epochs=1_000_000))
    window.start()
    qtbot.waitUntil(lambda: window.history.epoch >= 2, timeout=TIMEOUT_MS)
    window.controls.lr.field.setText("0.0042")
    window.controls.lr.field.editingFinished.emit()
    assert window.asked == []  # a live change asks nothing
    # What the training process reports its optimizer holds.
    optimizer = window.session.optimizer_params
    qtbot.waitUntil(lambda: optimizer.get("lr") == pytest.approx(0.0042), timeout=TIMEOUT_MS)
    assert window.state == mw.RUNNING
    assert window.run_config.train.lr == pytest.approx(0.0042)
    # The slider moves the same setting.
    window.controls.lr.slider.setValue(window.controls.lr.slider.minimum())
    qtbot.waitUntil(lambda: optimizer.get("lr") == pytest.approx(1e-5), timeout=TIMEOUT_MS)


def test_changing_the_architecture_asks_to_reset(qtbot, window):
    window.controls.set_config(small_config(epochs=1_000_000))
    window.start()
    qtbot.waitUntil(lambda: window.history.epoch >= 1, timeout=TIMEOUT_MS)
    window.confirm_reset = lambda question: window.asked.append(question) or False  # "No"
    window.controls.depth.setValue(3)
    assert len(window.asked) == 1 and "network" in window.asked[0]
    assert window.state == mw.RUNNING  # declined: the run goes on ...
    assert window.controls.depth.value() == 1  # ... and the control shows the run's network again
    assert window.controls.config().network.hidden == (4,)
    window.confirm_reset = lambda question: window.asked.append(question) or True  # "Yes"
    window.controls.width.setValue(6)
    assert len(window.asked) == 2
    assert window.state == mw.READY and window.history.epoch == 0
    assert window.controls.config().network.hidden == (6,)


def test_a_reset_mid_run_stays_ready_when_the_old_worker_finishes_late(qtbot, window):
    """Issue 12 item 3: the old worker's "finished" arrived after Reset, turned the window from
    ready into stopped, and the next settings change asked a needless "Reset now?"."""
    window.controls.set_config(small_config(epochs=1_000_000))
    window.start()
    qtbot.waitUntil(lambda: window.history.epoch >= 2, timeout=TIMEOUT_MS)
    window.reset()
    qtbot.wait(400)  # the old worker's queued signals are delivered now
    assert window.state == mw.READY and window.start_button.text() == "▶  Start"
    window.controls.depth.setValue(2)
    assert window.asked == [] and window.state == mw.READY


def test_changing_the_task_asks_to_reset(qtbot, window):
    window.start()
    wait_state(qtbot, window, mw.FINISHED)
    index = window.controls.task.findData("xor")
    window.controls.task.setCurrentIndex(index)
    assert len(window.asked) == 1 and "task" in window.asked[0]
    assert window.state == mw.READY


def test_bad_values_are_refused_with_a_message(qtbot, window):
    controls = window.controls
    controls.batch_size.setText("lots")
    controls.batch_size.editingFinished.emit()
    assert controls.batch_size.text() == "30"
    assert window.message.isVisible() and "batch size" in window.message.text()
    controls.lr.field.setText("-1")
    controls.lr.field.editingFinished.emit()
    assert "learning rate" in window.message.text() and controls.config().train.lr == pytest.approx(0.01)
    controls.widths.setText("4, zero")
    controls.widths.editingFinished.emit()
    assert "layer widths" in window.message.text() and controls.widths.text() == "4"
    # A value only the core can judge: train_fraction must be strictly inside (0, 1).
    field = controls.task_options.widgets["train_fraction"][1]
    field.setText("1")
    field.editingFinished.emit()
    assert "train_fraction" in window.message.text()
    assert controls.config().task.params["train_fraction"] == pytest.approx(0.5)
    # hinge needs two classes: refused by core validate, the loss goes back.
    controls.task.setCurrentIndex(controls.task.findData("gauss"))
    controls.task_options.widgets["classes"][1].setText("3")
    controls.task_options.widgets["classes"][1].editingFinished.emit()
    controls.loss.setCurrentIndex(controls.loss.findData("hinge"))
    assert "hinge" in window.message.text() and controls.loss.currentData() == "cross_entropy"


def test_gpu_choice_is_disabled_with_a_reason_without_cuda(window):
    import torch

    item = window.controls.device.model().item(1)
    if torch.cuda.is_available():
        assert item.isEnabled()
    else:
        assert not item.isEnabled() and item.toolTip()


def still_training(window, pid: int) -> bool:
    """The process is alive (or a zombie) and not back in the pool as the idle, warm one."""
    if pid in {child.pid for child in window.session.runner.pool.idle}:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_closing_mid_run_leaves_no_training_process(qtbot, window):
    window.controls.set_config(small_config(epochs=1_000_000))
    window.start()
    qtbot.waitUntil(lambda: window.history.epoch >= 2, timeout=TIMEOUT_MS)
    pid = window.session.process_id
    assert window.session.active and still_training(window, pid)
    window.close()
    assert not window.session.active  # at once; the process has the grace period to finish the run
    assert window.session.runner.settle(30)
    window.session.runner.pool.reap()
    assert not still_training(window, pid)


def test_closing_while_paused_leaves_no_training_process(qtbot, window):
    window.controls.set_config(small_config(epochs=1_000_000))
    window.start()
    qtbot.waitUntil(lambda: window.history.epoch >= 1, timeout=TIMEOUT_MS)
    window.toggle_pause()
    pid = window.session.process_id
    window.close()
    assert not window.session.active and window.session.runner.settle(30)
    window.session.runner.pool.reap()
    assert not still_training(window, pid)


def test_a_diverging_run_shows_why_and_the_app_stays_usable(qtbot, window):
    window.controls.set_config(small_config("train.optimizer=sgd", "train.lr=100", "network.activation=linear",
                                            epochs=200))
    window.start()
    wait_state(qtbot, window, mw.DIVERGED, mw.FINISHED)
    assert window.state == mw.DIVERGED
    assert window.banner.isVisible() and "diverged" in window.banner.text()
    assert window.start_button.isEnabled()
    window.controls.set_config(small_config(epochs=5))
    window.start()
    wait_state(qtbot, window, mw.FINISHED)
    assert not window.banner.isVisible()


def test_a_run_that_cannot_start_says_why(qtbot, window):
    import torch

    if torch.cuda.is_available():
        pytest.skip("needs a machine without a GPU")
    window.controls.set_config(small_config("train.device=cuda"))
    window.start()
    wait_state(qtbot, window, mw.FAILED)
    assert window.banner.isVisible() and "cuda" in window.banner.text()
    assert not window.session.active


def test_an_incomplete_task_is_kept_and_start_says_what_is_missing(qtbot, window, tmp_path):
    controls = window.controls
    controls.task.setCurrentIndex(controls.task.findData("csv"))
    assert controls.task.currentData() == "csv"
    assert "task.path" in window.message.text()
    window.start()
    assert window.state == mw.READY and "task.path" in window.message.text()
    data = tmp_path / "points.csv"
    data.write_text("a,b,label\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(40)), encoding="utf-8")
    line = controls.task_options.widgets["path"][1]
    line.setText(str(data))
    line.editingFinished.emit()
    assert controls.config().task.params["path"] == str(data)
    window.start()
    wait_state(qtbot, window, mw.FINISHED)


def test_the_timer_never_redraws_per_step(qtbot, window):
    """Records are drained in batches: far fewer ticks than epochs on a fast run."""
    window.controls.set_config(small_config(epochs=300))
    window.start()
    wait_state(qtbot, window, mw.FINISHED)
    ticks = len(window.tick_times)
    assert window.history.epoch == 300
    assert ticks < 300


def test_the_window_opens_with_a_preset_or_config_file(tmp_path):
    from playground.core import config as config_module
    from playground.core.config import ConfigError
    from playground.core.experiments.catalog import get_preset
    from playground.ui.app import initial_config

    assert initial_config() is None
    assert initial_config(preset="parity") == validate(get_preset("parity").config())
    path = tmp_path / "c.toml"
    config_module.save(small_config(), path)
    assert initial_config(config_path=str(path)) == small_config()
    with pytest.raises(ConfigError, match="not both"):
        initial_config(preset="parity", config_path=str(path))
    with pytest.raises(ConfigError, match="unknown preset"):
        initial_config(preset="nope")


def test_a_deep_lesson_network_keeps_its_depth_in_the_controls(qtbot):
    from dataclasses import replace

    from playground.core.config import Config, validate
    from playground.ui.panels.controls import ControlPanel

    deep = validate(replace(Config(), network=replace(Config().network, hidden=(16,) * 50)))
    panel = ControlPanel(validate(Config()))
    qtbot.addWidget(panel)
    panel.set_config(deep)
    assert panel.depth.value() == 50
    panel.width.setValue(20)  # a width change rebuilds uniform layers from the depth slider
    assert panel.config().network.hidden == (20,) * 50


def test_the_boundary_view_gives_its_room_away_for_tasks_without_two_inputs(qtbot):
    from playground.core.experiments.catalog import get_preset
    from playground.core.config import validate
    from playground.ui.mainwindow import MainWindow

    window = MainWindow(validate(get_preset("ib-tanh").config()))
    qtbot.addWidget(window)
    boundary = next(v for v in window.views if v.key == "boundary")
    window.tick()
    assert not boundary.isVisibleTo(window)
    window.controls.set_config(validate(get_preset("spiral").config()))
    window.show_preview()
    qtbot.waitUntil(lambda: (window.tick(), boundary.isVisibleTo(window))[1], timeout=5000)
