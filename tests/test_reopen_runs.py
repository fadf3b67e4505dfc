"""Runs and configs as files in the app: autosave as it trains (also when the window closes
mid-run), configs saved from and opened into the controls, saved runs reopened into every
view with the data the live views showed, overlays, "Save run as...", and every bad input
giving a message that names the file and the problem while nothing is overwritten."""

import errno
import json
import os
import re
import shutil
import tempfile

import numpy as np
import pytest
from helpers_files import FakeDialogs, open_window, probe_config, small_config

from playground.cli import main
from playground.core import config as config_module
from playground.core.config import apply_overrides, from_dict, validate
from playground.core.runs.runlog import read_run
from playground.ui.session import autosave
from playground.ui.views import overlay
from playground.ui import mainwindow as mw
from playground.ui.model.reopen import run_label

TIMEOUT_MS = 30_000


@pytest.fixture
def window(qtbot):
    win = open_window(qtbot, small_config())
    win.update_hidden_views = True
    win.file_actions.dialogs = FakeDialogs()
    yield win
    win.shutdown()


def train(qtbot, win, cfg):
    win.controls.set_config(cfg)
    win.start()
    qtbot.waitUntil(lambda: win.state in mw.OVER, timeout=TIMEOUT_MS)
    win.tick()
    assert win.state == mw.FINISHED, win.banner.text()
    return win.session.recorder.run_dir


# ---------------------------------------------------------------- autosave


def test_a_gui_run_autosaves_the_cli_layout_into_the_runs_folder(qtbot, window):
    run_dir = train(qtbot, window, probe_config())
    assert run_dir.parent == autosave.runs_dir()
    assert str(autosave.runs_dir()).startswith(os.environ["PLAYGROUND_DATA_DIR"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d_circle(-\d+)?", run_dir.name)
    names = {p.name for p in run_dir.iterdir()}
    assert {"config.toml", "metrics.csv", "summary.json", "info_plane.csv", "layer_stats.csv", "final_state.npz"} <= names
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "finished" and summary["stop_reason"] == "completed"
    assert summary["epochs_completed"] == 10
    run = read_run(run_dir)
    assert run.config == window.run_config
    # Every epoch's evaluation of both members, as the live history holds it.
    np.testing.assert_array_equal(run.tables["metrics"]["train_loss"], window.history.columns("metrics")["train_loss"])
    assert run_dir.name in window.file_actions.status.text()


def test_each_run_gets_its_own_folder(qtbot, window):
    first = train(qtbot, window, small_config(epochs=2))
    second = train(qtbot, window, small_config(epochs=2))
    assert first != second and first.parent == second.parent
    assert json.loads((first / "summary.json").read_text())["epochs_completed"] == 2


def test_closing_the_window_mid_run_leaves_a_valid_summary(qtbot, window):
    window.controls.set_config(small_config(epochs=1_000_000))
    window.start()
    qtbot.waitUntil(lambda: window.session.recorder.run_dir is not None and window.history.epoch >= 3,
                    timeout=TIMEOUT_MS)
    run_dir = window.session.recorder.run_dir
    window.close()
    assert not window.session.active
    assert window.session.runner.settle(30)  # the run is over within the grace period, the folder finished
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "finished" and summary["stop_reason"] == "stopped by user"
    run = read_run(run_dir)
    assert int(run.tables["metrics"]["epoch"].max()) == summary["epochs_completed"] >= 3


def test_an_unwritable_runs_folder_is_reported_and_training_goes_on(qtbot, window, tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    autosave.set_runs_dir(blocker / "runs")
    try:
        window.controls.set_config(small_config(epochs=3))
        window.start()
        qtbot.waitUntil(lambda: window.state in mw.OVER, timeout=TIMEOUT_MS)
        qtbot.waitUntil(lambda: len(window.file_actions.dialogs.errors) > 0, timeout=TIMEOUT_MS)
    finally:
        autosave.set_runs_dir(None)
    assert window.state == mw.FINISHED and window.history.epoch == 3
    title, text = window.file_actions.dialogs.errors[0]
    assert "Autosave stopped" in text and "a file/runs" in text
    assert blocker.read_text() == "not a folder"


def test_the_runs_folder_can_be_changed_and_is_remembered(qtbot, window, tmp_path):
    chosen = tmp_path / "my runs"
    chosen.mkdir()
    try:
        assert window.file_actions.change_runs_folder(str(chosen))
        assert autosave.runs_dir() == chosen  # a fresh QSettings reads it back
        assert "my runs" in window.file_actions.status.text()
        run_dir = train(qtbot, window, small_config(epochs=2))
        assert run_dir.parent == chosen
    finally:
        window.file_actions.default_runs_folder()
    assert autosave.runs_dir() == autosave.default_runs_dir()


# ---------------------------------------------------------------- configs


def test_controls_to_toml_and_back_give_the_same_config(qtbot, window, tmp_path):
    cfg = validate(apply_overrides(from_dict({"task": {"name": "circle", "samples": 150, "noise": 0.25}}), [
        "network.hidden=[6, 5]", "network.activation=relu", "network.init=kaiming",
        "train.optimizer=sgd", "train.lr=0.05", "train.momentum=0.5", "train.weight_decay=0.001",
        "train.batch_size=17", "train.epochs=3", "train.seed=5", "train.ensemble=2",
        "probes.enabled=true", "probes.estimator=adaptive", "probes.points=5",
        "continual.tasks=2", "continual.method=ewc", "continual.epochs_per_task=2",
    ]))
    actions = window.file_actions
    window.controls.set_config(cfg)
    path = tmp_path / "lesson.toml"
    assert actions.save_config(str(path))
    assert config_module.load(path) == cfg  # the file holds exactly what the controls showed
    window.controls.set_config(small_config())
    assert window.controls.config() != cfg
    actions.dialogs.answers = [str(path)]
    assert actions.open_config()
    assert window.controls.config() == cfg
    assert window.controls.activation.currentData() == "relu" and window.controls.seq_tasks.value() == 2
    # The same file runs headless.
    assert main(["run", "--config", str(path), "--quiet", "--out", str(tmp_path / "headless")]) == 0
    assert read_run(tmp_path / "headless").config == cfg


BAD_CONFIGS = {
    "broken": ("[train\nlr = 0.1\n", "not valid TOML"),
    "newer": ("version = 9\n[train]\nlr = 0.1\n", "newer playground (version 9)"),
    "unknown": ("[train]\nturbo = true\n", "unknown key 'train.turbo'"),
    "bad value": ("[network]\nactivation = \"swish\"\n", "network.activation: 'swish' is not one of"),
}


@pytest.mark.parametrize("name", list(BAD_CONFIGS))
def test_a_bad_config_is_refused_with_a_message_and_nothing_changes(qtbot, window, tmp_path, name):
    text, problem = BAD_CONFIGS[name]
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    before = window.controls.config()
    assert not window.file_actions.open_config(str(path))
    (title, message), = window.file_actions.dialogs.errors
    assert str(path) in message and problem in message
    assert window.controls.config() == before
    assert path.read_text() == text


def test_saving_a_config_to_a_read_only_place_leaves_no_file(qtbot, window, tmp_path, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    assert not window.file_actions.save_config(str(tmp_path / "c.toml"))
    (_, message), = window.file_actions.dialogs.errors
    assert "c.toml: cannot write" in message and "Read-only" in message
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- reopening


def view_data(win) -> dict:
    """What every view draws from the run files (not the per-batch loss, which is live only)."""
    views = {view.key: view for view in win.views}
    for view in views.values():
        view.update_from(win.history, force=True)
    out = {}
    loss = views["loss"]
    for name in ("train_loss", "test_loss", "train_acc", "test_acc", "test_acc_members"):
        out[f"loss.{name}"] = loss.items[name].getData()
    out["info_plane.scatter"] = views["info_plane"].scatter.getData()
    out["info_plane.legend"] = [label.text for _, label in views["info_plane"].legend.items]
    stats = views["layer_stats"]
    for key, curve in sorted(stats.curves.items()):
        out[f"layer_stats.{key}"] = curve.getData()
    net = views["network"]
    for key, item in sorted(net.links.items()):
        out[f"network.{key}"] = item.getData()
    out["boundary.image"] = (views["boundary"].image.image, None)
    return out


def assert_same(live: dict, reopened: dict) -> None:
    assert live.keys() == reopened.keys()
    for key in live:
        if key.endswith("legend"):
            assert live[key] == reopened[key], key
            continue
        for a, b in zip(live[key], reopened[key]):
            if a is None:
                assert b is None, key
            else:
                np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=key)


def test_a_reopened_run_shows_in_every_view_what_the_live_views_showed(qtbot, window):
    run_dir = train(qtbot, window, probe_config())
    live = view_data(window)
    assert len(live["loss.train_loss"][0]) == 10 and len(live["info_plane.scatter"][0]) > 0
    showing = {view.key for view in window.views if view.holds_data()}
    assert showing == {"loss", "info_plane", "layer_stats", "network", "boundary"}  # one task: no forgetting
    window.reset()
    for view in window.views:
        assert not view.holds_data() or view.key in ("network", "boundary")  # the preview
    assert window.file_actions.open_run(str(run_dir))
    assert window.state == mw.READY and window.history.source == str(run_dir)
    assert {view.key for view in window.views if view.holds_data()} == showing
    assert_same(live, view_data(window))
    assert window.controls.config() == read_run(run_dir).config  # Start trains it again
    assert "showing saved run" in window.file_actions.status.text()


def damage_summary(run):
    (run / "summary.json").write_text("{oops")
    return "summary.json: not valid JSON"


def damage_table(run):
    (run / "info_plane.csv").write_text("epoch,member,layer\n1,0\n2,0,1\n")
    return "info_plane.csv: line 2 has 2 fields"


def damage_config(run):
    (run / "config.toml").write_text((run / "config.toml").read_text().replace("[train]", "[train]\nturbo = 1"))
    return "config.toml: unknown key 'train.turbo'"


def damage_state(run):
    (run / "final_state.npz").write_bytes(b"\x00" * 10)
    return "final_state.npz: not an .npz archive"


def not_a_run(run):
    for path in run.iterdir():
        path.unlink()
    return "no config.toml"


@pytest.mark.parametrize("damage", [damage_summary, damage_table, damage_config, damage_state, not_a_run])
def test_opening_a_bad_run_folder_says_what_is_wrong_and_changes_nothing(qtbot, window, tmp_path, damage):
    run = tmp_path / "run"
    assert main(["run", "--preset", "circle", "--set", "task.samples=120", "--set", "network.hidden=[4]",
                 "--set", "train.epochs=2", "--set", "probes.enabled=true", "--set", "probes.points=2",
                 "--quiet", "--out", str(run)]) == 0
    problem = damage(run)
    files = {p.name: p.read_bytes() for p in run.iterdir()}
    history = window.history
    controls = window.controls.config()
    actions = window.file_actions
    assert not actions.open_run(str(run))
    assert not actions.overlay_run(str(run))
    assert len(actions.dialogs.errors) == 2
    for _, message in actions.dialogs.errors:
        assert str(run) in message and problem in message
    assert window.history is history and window.controls.config() == controls
    assert actions.comparison is None
    assert {p.name: p.read_bytes() for p in run.iterdir()} == files


def test_a_partial_run_without_summary_or_state_still_opens(qtbot, window, tmp_path):
    run = tmp_path / "partial"
    assert main(["run", "--preset", "circle", "--set", "task.samples=120", "--set", "network.hidden=[4]",
                 "--set", "train.epochs=3", "--quiet", "--out", str(run)]) == 0
    (run / "summary.json").unlink()
    (run / "final_state.npz").unlink()
    assert window.file_actions.open_run(str(run))
    views = {view.key: view for view in window.views}
    views["loss"].update_from(window.history, force=True)
    assert views["loss"].holds_data()
    views["network"].update_from(window.history, force=True)
    assert views["network"].showing_message  # no saved weights: says so rather than drawing stale ones


# ---------------------------------------------------------------- overlay


def test_overlaying_a_second_run_draws_it_dashed_with_a_legend_entry_per_run(qtbot, window, tmp_path):
    other = tmp_path / "relu_run"
    assert main(["run", "--preset", "circle", "--set", "task.samples=120", "--set", "network.hidden=[4]",
                 "--set", "network.activation=relu", "--set", "train.epochs=6", "--set", "probes.enabled=true",
                 "--set", "probes.points=4", "--quiet", "--out", str(other)]) == 0
    train(qtbot, window, probe_config(epochs=4))
    actions = window.file_actions
    assert actions.overlay_run(str(other))
    views = {view.key: view for view in window.views}
    loss = views["loss"]
    loss.update_from(window.history, force=True)
    items = overlay.items_of(loss)
    metrics = read_run(other).tables["metrics"]
    x, y = items.items[(id(loss.acc_plot), "test_acc")][1].getData()
    np.testing.assert_array_equal(x, np.arange(1, 7))
    np.testing.assert_allclose(y, 100 * metrics["test_acc"])  # one member: the mean is the member
    legend = [label.text for _, label in loss.loss_plot.legend.items]
    assert run_label(window.history) in legend and "relu_run (relu 4)" in legend
    plane = views["info_plane"]
    plane.update_from(window.history, force=True)
    dashed = [entry[1] for key, entry in overlay.items_of(plane).items.items() if key[1].startswith("layer")]
    assert len(dashed) == 2 and all(len(item.getData()[0]) == 4 for item in dashed)  # 2 layers, 4 probe epochs
    assert "overlay" in actions.status.text() and "relu_run</a>" in actions.status.text()
    actions.clear_overlay()
    loss.update_from(window.history, force=True)
    assert len(overlay.items_of(loss)) == 0
    assert "relu_run (relu 4)" not in [label.text for _, label in loss.loss_plot.legend.items]


# ---------------------------------------------------------------- save run as


def test_save_run_as_copies_the_folder_whole_and_never_overwrites(qtbot, window, tmp_path):
    actions = window.file_actions
    assert not actions.save_run_as(str(tmp_path / "nothing"))  # no run yet
    assert "No run to save yet" in actions.dialogs.errors.pop()[1]
    run_dir = train(qtbot, window, small_config(epochs=3))
    target = tmp_path / "handed in"
    assert actions.save_run_as(str(target))
    assert sorted(p.name for p in target.iterdir()) == sorted(p.name for p in run_dir.iterdir())
    for path in run_dir.iterdir():
        assert (target / path.name).read_bytes() == path.read_bytes()
    (target / "note.txt").write_text("mine")
    assert not actions.save_run_as(str(target))
    assert "already exists" in actions.dialogs.errors.pop()[1]
    assert (target / "note.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["handed in"]  # no temporary sibling left


def test_save_run_as_onto_a_full_disk_leaves_nothing(qtbot, window, tmp_path, monkeypatch):
    run_dir = train(qtbot, window, small_config(epochs=2))

    def full_disk(src, dst, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(shutil, "copyfile", full_disk)
    assert not window.file_actions.save_run_as(str(tmp_path / "copy"))
    message = window.file_actions.dialogs.errors[-1][1]
    assert "copy: cannot copy the run there" in message
    assert list(tmp_path.iterdir()) == []
    assert (run_dir / "summary.json").exists()


# ---------------------------------------------------------------- TensorBoard


def test_tensorboard_files_for_the_current_run_or_what_to_install(qtbot, window, monkeypatch):
    from playground.core.runs import tensorboard_log

    actions = window.file_actions
    assert actions.export_tensorboard() is None
    assert "No run yet" in actions.dialogs.errors.pop()[1]
    run_dir = train(qtbot, window, small_config(epochs=2))
    monkeypatch.setattr(tensorboard_log, "tensorboard_available", lambda: False)
    assert actions.export_tensorboard() is None
    assert "pip install tensorboard" in actions.dialogs.errors.pop()[1]
    assert not (run_dir / "tensorboard").exists()
    monkeypatch.undo()
    pytest.importorskip("tensorboard")
    target = actions.export_tensorboard()
    assert target == run_dir / "tensorboard"
    assert any(p.name.startswith("events.out.tfevents") for p in target.iterdir())


def test_the_status_bar_follows_what_the_views_show(qtbot, window, tmp_path):
    run = tmp_path / "saved"
    assert main(["run", "--preset", "circle", "--set", "task.samples=120", "--set", "network.hidden=[4]",
                 "--set", "train.epochs=2", "--quiet", "--out", str(run)]) == 0
    actions = window.file_actions
    assert "runs save to" in actions.status.text()
    assert actions.open_run(str(run))
    assert "showing saved run" in actions.status.text() and "saved</a>" in actions.status.text()
    relu = window.controls.activation.findData("relu")
    window.controls.activation.setCurrentIndex(relu)  # a new setting: the views go back to the preview
    assert window.history.source == "live"
    assert "runs save to" in actions.status.text()


def test_reopening_a_lesson_run_and_starting_again_keeps_its_hooks(qtbot, window, tmp_path):
    """A lesson's deficit lives in hooks.toml beside config.toml: Open run, then Start, must train
    with it again (and record it again), not silently without it."""
    import tomllib

    lesson_run = tmp_path / "lesson"
    assert main(["run", "--preset", "critical-periods", "--set", "train.epochs=2", "--quiet",
                 "--out", str(lesson_run)]) == 0
    recorded = tomllib.loads((lesson_run / "hooks.toml").read_text())["hooks"]
    assert window.file_actions.open_run(str(lesson_run))
    window.start()
    qtbot.waitUntil(lambda: window.state in mw.OVER, timeout=TIMEOUT_MS)
    window.tick()
    again = window.session.recorder.run_dir
    assert tomllib.loads((again / "hooks.toml").read_text())["hooks"] == recorded
