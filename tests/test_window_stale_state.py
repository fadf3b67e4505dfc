"""Issue 13, item 6: what the window showed of an earlier state, each case as a user met it; and
the status bar's readouts and a sweep's live run (offscreen, small fast runs)."""

import functools

import helpers_files
import numpy as np
from PySide6.QtWidgets import QApplication

from playground.cli import main
from playground.core.config import apply_overrides
from playground.core.experiments.lessons import get_lesson
from playground.ui import mainwindow as mw

TIMEOUT_MS = 60_000
small_config = functools.partial(helpers_files.small_config, epochs=6)


def open_window(qtbot, config=None):
    window = helpers_files.open_window(qtbot, config or small_config())
    return window


def finish(qtbot, window, *states):
    qtbot.waitUntil(lambda: window.state in (states or (mw.FINISHED,)), timeout=TIMEOUT_MS)
    window.tick()


def test_after_a_reset_the_status_no_longer_names_the_old_run(qtbot):
    window = open_window(qtbot, small_config(epochs=100_000))
    window.start()
    qtbot.waitUntil(lambda: window.history.epoch >= 2, timeout=TIMEOUT_MS)
    window.stop()
    finish(qtbot, window, mw.STOPPED)
    status = window.file_actions.status.text()
    assert window.status_state.text() == "<b>stopped</b>" and window.start_button.text() == "▶  Start again"
    assert "saved to" in status
    window.reset()
    assert window.status_state.text() == "<b>ready</b>" and window.start_button.text() == "▶  Start"
    assert window.file_actions.status.text().startswith("runs save to") and "saved to" not in window.file_actions.status.text()
    assert window.file_actions.current_run_dir() is None  # Save run as: nothing on screen to save
    window.shutdown()


def test_an_overlay_goes_when_another_preset_or_lesson_is_loaded(qtbot, tmp_path):
    run = tmp_path / "tanh"
    assert main(["run", "--preset", "circle", "--set", "task.samples=120", "--set", "network.hidden=[4]",
                 "--set", "train.epochs=2", "--quiet", "--out", str(run)]) == 0
    window = open_window(qtbot)
    actions = window.file_actions
    assert actions.overlay_run(str(run)) and actions.comparison is not None
    window.reset()  # comparing a new run of the same experiment: the overlay stays
    assert actions.comparison is not None and all(view.comparison is not None for view in window.views)
    assert window.run.load_preset("parity")
    assert actions.comparison is None and all(view.comparison is None for view in window.views)
    assert "overlay" not in actions.status.text() and not actions.clear_overlay_action.isEnabled()
    assert actions.overlay_run(str(run))
    window.lessons.open_lesson(get_lesson("parity-wall"))
    assert actions.comparison is None
    window.shutdown()


def test_a_two_class_task_after_a_five_class_one_keys_two_classes(qtbot, tmp_path):
    window = open_window(qtbot, small_config("task.name=spiral", "task.classes=5"))
    boundary = window.view_of("boundary")
    boundary.update_from(window.history, force=True)
    assert len(boundary.legend.items) == 5
    data = tmp_path / "two.csv"
    data.write_text("a,b,label\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(40)), encoding="utf-8")
    window.controls.set_config(apply_overrides(small_config(), ["task.name=csv", f"task.path={data}"]))
    window.show_preview()
    boundary = window.view_of("boundary")
    boundary.update_from(window.history, force=True)
    assert boundary.holds_data() and len(boundary.legend.items) == 2
    assert window.tabs.indexOf(window.area.frames["boundary"]) >= 0 or boundary.isVisibleTo(window)
    assert boundary.export_actions  # the renewed view has its Export button
    window.shutdown()


def test_the_width_caption_shows_the_true_widths_and_depth_keeps_them(qtbot):
    window = open_window(qtbot, small_config("network.hidden=[256,256]"))
    controls = window.controls
    assert controls.width.label.text() == "256"  # the slider's end is 128
    controls.depth.setValue(3)
    assert controls.config().network.hidden == (256, 256, 256)  # not cut to 128
    assert controls.width.label.text() == "256"
    controls.set_config(small_config("network.hidden=[10,7,5]"))
    assert controls.width.label.text() == "5–10"
    window.shutdown()


def test_the_lesson_panel_follows_its_run(qtbot):
    window = open_window(qtbot)
    panel = window.lessons
    panel.open_lesson(get_lesson("relu-compression"))
    assert "Press Run the lesson" in panel.status.text()
    window.controls.set_config(apply_overrides(window.controls.config(), ["train.epochs=3", "probes.points=3"]))
    panel.run_button.click()
    assert window.state == mw.RUNNING
    assert "Press Run" not in panel.status.text() and "Training the lesson" in panel.status.text()
    assert not panel.run_button.isEnabled()
    finish(qtbot, window)
    assert panel.status.text().startswith("Finished: look at") and panel.run_button.isEnabled()
    window.shutdown()


def test_the_status_bar_reads_out_loss_and_accuracy_as_the_mean_over_members(qtbot):
    window = open_window(qtbot, small_config("train.ensemble=3"))
    assert window.status_readout.text() == ""
    window.start()
    finish(qtbot, window)
    metrics = window.history.columns("metrics")
    latest = metrics["epoch"] == metrics["epoch"].max()
    text = window.status_readout.text()
    assert f"loss {np.mean(metrics['train_loss'][latest]):.3g}" in text
    assert f"acc {100 * np.mean(metrics['test_acc'][latest]):.1f} %" in text
    assert "3 networks" in window.status_readout.toolTip()
    window.reset()
    QApplication.processEvents()
    window.tick()
    assert window.status_readout.text() == ""
    window.shutdown()


def test_a_sweep_trains_live_in_the_views_and_holds_the_run_buttons(qtbot):
    window = open_window(qtbot)
    panel = window.lessons
    panel.open_lesson(get_lesson("parity-wall"))
    window.controls.set_config(apply_overrides(window.controls.config(), ["train.epochs=3", "train.steps_per_epoch=5"]))
    panel.run_sweep()
    assert panel.sweeping and not window.start_button.isEnabled()
    window.start()
    assert window.state == mw.READY and "sweep" in window.message.text()
    seen = set()

    def fed():
        panel.poll()
        window.tick()
        if window.history.has("metrics"):
            seen.add(window.history.config.task.params["n"])
        return not panel.sweeping

    qtbot.waitUntil(fed, timeout=TIMEOUT_MS)
    panel.poll()
    assert len(seen) >= 2  # the views followed the sweep from one value to the next
    assert window.history.config.train.ensemble == get_lesson("parity-wall").sweep.seeds
    window.view_of("loss").update_from(window.history, force=True)
    assert window.view_of("loss").holds_data()
    assert window.start_button.isEnabled() and "completed" in panel.status.text()
    panel.shutdown()
    window.shutdown()
