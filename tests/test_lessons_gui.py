"""The lessons panel in the app (offscreen): opening a lesson loads its settings, hooks and views;
its run and its sweep (in a thread) fill the views; stop and close end the sweep cleanly; a bad
lesson file is refused with its file and key named."""

from pathlib import Path

import numpy as np
import pytest

from playground.cli import main
from playground.core.config import apply_overrides
from playground.core.experiments.lessons import get_lesson
from playground.ui import mainwindow as mw
from playground.ui.panels.lessons_panel import lesson_html
from playground.ui.views.sweep import measures, per_value, value_positions

TIMEOUT_MS = 60_000


@pytest.fixture
def window(qtbot):
    from playground.ui.app import build_window, make_app

    make_app()
    win = build_window()
    qtbot.addWidget(win)
    win.show()
    win.confirm_reset = lambda question: True
    yield win
    win.lessons.shutdown()
    win.shutdown()
    assert win.lessons.thread is None and not win.session.active


def current_tab_key(win):
    return getattr(win.tabs.currentWidget(), "key", None)


def test_opening_a_lesson_loads_settings_hooks_text_and_views(qtbot, window):
    lesson = get_lesson("learning-modes")
    assert window.lessons.open_lesson(lesson)
    assert window.controls.config() == lesson.config
    assert window.session.hook_settings is not None
    assert window.lessons.view("modes") is not None and current_tab_key(window) == "modes"
    text = window.lessons.text.toPlainText()
    assert lesson.title in text and "The question" in text and "Step 1 of 4" in window.lessons.step_label.text()
    for _ in range(3):
        window.lessons.next_button.click()
    text = window.lessons.text.toPlainText()
    assert "Saxe" in text and "What the paper found" in text and not window.lessons.next_button.isEnabled()
    window.controls.set_config(apply_overrides(lesson.config, ["train.epochs=60"]))
    window.tabs.setCurrentIndex(0)
    window.lessons.run_button.click()
    qtbot.waitUntil(lambda: window.state == mw.FINISHED, timeout=TIMEOUT_MS)
    window.tick()
    assert current_tab_key(window) == "modes"  # the lesson's first view, when its run started
    assert window.history.has("modes")  # the lesson's hook ran in the worker
    view = window.lessons.view("modes")
    view.update_from(window.history, force=True)
    assert view.holds_data()


def test_lesson_sweep_runs_in_its_thread_and_fills_the_sweep_view(qtbot, window):
    panel = window.lessons
    panel.open_lesson(get_lesson("parity-wall"))
    window.controls.set_config(apply_overrides(window.controls.config(),
                                               ["train.epochs=2", "train.steps_per_epoch=10"]))
    assert panel.sweep_button.isEnabled()
    panel.sweep_button.click()
    assert panel.sweeping and not panel.sweep_button.isEnabled()
    qtbot.waitUntil(lambda: not panel.sweeping and "completed" in panel.status.text(), timeout=TIMEOUT_MS)
    view = panel.view("sweep")
    assert current_tab_key(window) == "sweep" and view.holds_data()
    assert view.measure.currentText() == "gradient_signal"
    table = view.table
    assert list(np.unique(table["value"].astype(int))) == [5, 10, 20, 30] and len(table["value"]) == 12
    assert (panel.sweep_out / "sweep.csv").exists() and (panel.sweep_out / "runs").is_dir()


def test_stopping_or_closing_ends_a_sweep_and_keeps_the_finished_values(qtbot, window):
    panel = window.lessons
    panel.open_lesson(get_lesson("memorisation"))
    window.controls.set_config(apply_overrides(window.controls.config(), ["train.epochs=100000"]))
    panel.run_sweep()
    qtbot.waitUntil(lambda: panel.runner.latest()[0] is not None, timeout=TIMEOUT_MS)
    panel.stop_button.click()
    qtbot.waitUntil(lambda: not panel.sweeping, timeout=TIMEOUT_MS)
    assert "stopped by user" in panel.status.text()
    panel.run_sweep()
    qtbot.waitUntil(lambda: panel.runner.latest()[0] is not None, timeout=TIMEOUT_MS)
    window.close()  # mid-sweep: the thread is stopped and joined, nothing crashes
    assert panel.thread is None


def test_bad_lesson_file_is_refused_naming_file_and_key(window, tmp_path):
    before = window.controls.config()
    path = tmp_path / "broken.toml"
    path.write_text('title = "x"\n[text]\nquestion = "q"\nwhat_to_do = "w"\nlook_for = "l"\n'
                    '[settings.train]\nlr = -1\n')
    assert not window.lessons.open_file(path)
    assert str(path) in window.lessons.last_error and "train.lr" in window.lessons.last_error
    assert window.controls.config() == before and window.lessons.lesson is None


def test_a_teachers_lesson_file_opens_like_a_builtin(window, tmp_path):
    source = Path(get_lesson("batch-size").path).read_text().replace('name = "batch-size"', 'name = "my-batches"')
    path = tmp_path / "my-batches.toml"
    path.write_text(source)
    assert window.lessons.open_file(path)
    assert window.lessons.lesson.name == "my-batches" and window.lessons.view("sharpness") is not None
    assert window.lessons.choice.currentData() == str(path)


def test_presets_in_the_run_bar_open_or_close_lessons(window):
    panel = window.lessons
    bar = window.preset
    bar.setCurrentIndex(bar.findData("edge-of-chaos"))
    bar.activated.emit(bar.currentIndex())
    assert panel.lesson is not None and panel.lesson.name == "edge-of-chaos"
    bar.setCurrentIndex(bar.findData("spiral"))
    bar.activated.emit(bar.currentIndex())
    assert panel.lesson is None and window.session.hook_settings is None


def test_lesson_text_is_escaped_and_complete():
    lesson = get_lesson("parity-wall")
    page = lesson_html(lesson)
    for heading in ("The question", "What to do", "What to look for", "What the paper found", "Caveats", "Sources"):
        assert heading in page
    assert "Shalev-Shwartz" in page and "+-1" in page and "<script" not in page


def test_sweep_axis_and_summary_helpers():
    x, labels, log = value_positions([1e-6, 1e-4, 1e-2])
    assert log and np.allclose(x, [-6, -4, -2]) and labels == ["1e-06", "0.0001", "0.01"]
    x, labels, log = value_positions([5, 10, 20])
    assert not log and list(x) == [5, 10, 20]
    x, labels, log = value_positions(["tanh", "relu"])
    assert list(x) == [0, 1] and labels == ["tanh", "relu"] and not log
    table = {"value": np.array([5, 5, 10, 10], dtype=object), "seed": np.array([0, 1, 0, 1]),
             "final_test_acc": np.array([1.0, 0.5, np.nan, 0.25]), "fit_epoch": np.array([3.0, 5.0, 7.0, 9.0]),
             "final_test_loss": np.array([0.1, 0.2, 0.3, 0.4]), "stop_reason": np.array(["completed"] * 4, dtype=object)}
    means, stds, points = per_value(table, "final_test_acc", [5, 10])
    assert np.allclose(means, [0.75, 0.25]) and np.allclose(stds, [0.25, 0.0]) and len(points[1]) == 2
    assert measures(table)[0] == "fit_epoch"


def test_gui_command_refuses_an_unknown_lesson_before_any_window(capsys):
    assert main(["gui", "--lesson", "no-such-lesson"]) == 2
    assert "unknown lesson" in capsys.readouterr().err


def test_with_several_jobs_the_apps_sweep_trains_in_processes_and_counts_finished_values(tmp_path):
    from playground.core.experiments.sweep import SweepSpec, run_sweep
    from playground.ui.panels.lessons_panel import SweepRunner

    lesson = get_lesson("parity-wall")
    config = apply_overrides(lesson.config, ["train.epochs=3", "network.hidden=[4]"])
    spec = SweepSpec("task.n", (5, 6, 7), seeds=1)
    runner = SweepRunner(config, spec, {}, tmp_path / "sweep", jobs=2)
    stop_reasons = []
    runner.finished.connect(stop_reasons.append)
    runner.run()  # the thread's body, here in the test's thread
    progress, table, revision = runner.latest()
    assert stop_reasons == ["completed"] and revision == 3
    assert progress.trials == 3 and progress.fraction == 1.0
    alone = run_sweep(config, spec, {}, out=None).table  # one job, in this process: the same figures
    assert list(table["value"]) == list(alone["value"]) and np.allclose(np.asarray(table["final_test_acc"], float), np.asarray(alone["final_test_acc"], float))
