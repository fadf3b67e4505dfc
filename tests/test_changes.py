"""Live changes (lr, momentum, weight decay while training): recorded with the epoch and step they
took effect at, written to changes.csv, replayed by `playground run --config DIR/config.toml` so the
rerun's metrics.csv is byte-identical, and given headless by `run --change EPOCH:KEY=VALUE`."""

import numpy as np
import pytest

from playground.cli import main
from playground.core.base.fileio import RunFileError
from playground.core.base.records import LiveChange
from playground.core.config import Config, ConfigError, apply_overrides
from playground.core.experiments.assembly import build_trainer
from playground.core.runs.runlog import CHANGES_FILE, RunWriter, read_changes
from playground.core.training.hooks import TrainerHook

BASE = ["task.name=xor", "task.samples=80", "network.hidden=[4]", "train.batch_size=20",
        "train.optimizer=sgd", "train.lr=0.05"]


def config(*overrides, epochs=6):
    return apply_overrides(Config(), BASE + [f"train.epochs={epochs}", *overrides])


class ChangeAtStep(TrainerHook):
    """Calls `change(trainer)` once, right after optimizer step `step` (as a slider drag would)."""

    def __init__(self, step, change):
        self.step, self.change = step, change

    def after_step(self, trainer):
        if trainer.step_count == self.step:
            self.change(trainer)


class LrSeen(TrainerHook):
    """The lr each step trains with, by (0-based epoch, step number from 1)."""

    def __init__(self):
        self.seen = []

    def transform_batch(self, trainer, x, y):  # runs after the pending changes are applied
        self.seen.append((trainer.epoch, trainer.step_count + 1, trainer.optimizer.param_groups[0]["lr"]))
        return x, y


def train_into(folder, trainer):
    writer = RunWriter(folder, trainer.config, hooks=trainer.hooks)
    for record in trainer.epochs():
        writer.write(record)
    writer.finish(trainer.stop_reason)


def steps_per_epoch(trainer):
    trainer_copy = build_trainer(trainer.config)
    return len(list(trainer_copy._batches()))


# ---------------------------------------------------------------- the trainer records


def test_each_change_is_recorded_with_the_epoch_and_step_it_took_effect():
    trainer = build_trainer(config())
    per_epoch = steps_per_epoch(trainer)
    mid = per_epoch + 1  # one step into the second epoch
    trainer.hooks.append(ChangeAtStep(mid, lambda t: t.set_param("train.lr", 0.02)))
    trainer.schedule_change(4, "train.momentum", 0.5)
    records = list(trainer.epochs())
    expected = [LiveChange(2, mid, "train.lr", 0.02), LiveChange(4, 3 * per_epoch, "train.momentum", 0.5)]
    assert trainer.changes == expected
    assert [r.changes for r in records] == [[], [expected[0]], [], [expected[1]], [], []]
    group = trainer.optimizer.param_groups[0]
    assert (group["lr"], group["momentum"]) == (0.02, 0.5)
    assert (trainer.config.train.lr, trainer.config.train.momentum) == (0.02, 0.5)


def test_resending_the_current_values_changes_and_records_nothing():
    """The app sends lr, momentum and weight decay together on every drag of any one of them."""
    trainer = build_trainer(config(epochs=2))
    trainer.set_optimizer_params(lr=0.05, momentum=0.0, weight_decay=0.0)
    trainer.run_epoch()
    trainer.set_optimizer_params(lr=0.05, momentum=0.0, weight_decay=0.01)
    trainer.run_epoch()
    assert [(c.key, c.value) for c in trainer.changes] == [("train.weight_decay", 0.01)]


@pytest.mark.parametrize("key, value, fragment", [
    ("train.batch_size", 3, "cannot change during training"),
    ("lr", 0.1, "allowed: train.lr"),
    ("train.lr", "fast", "expected a number"),
    ("train.lr", 0.0, "must be > 0"),
    ("train.momentum", 1.5, "train.momentum: must be between"),
])
def test_a_bad_live_change_is_refused_and_nothing_changes(key, value, fragment):
    trainer = build_trainer(config(epochs=1))
    with pytest.raises(ConfigError, match=fragment):
        trainer.set_param(key, value)
    with pytest.raises(ConfigError, match=fragment):
        trainer.schedule_change(1, key, value)
    trainer.run_epoch()
    assert trainer.changes == [] and trainer.optimizer.param_groups[0]["lr"] == 0.05


# ---------------------------------------------------------------- changes.csv and its replay


def test_changes_csv_holds_each_change_and_reads_back(tmp_path):
    trainer = build_trainer(config())
    trainer.hooks.append(ChangeAtStep(1, lambda t: t.set_param("train.lr", 0.1 / 3)))
    trainer.schedule_change(3, "train.weight_decay", 1e-3)
    train_into(tmp_path / "run", trainer)
    text = (tmp_path / "run" / CHANGES_FILE).read_text()
    per_epoch = steps_per_epoch(trainer)
    assert text.splitlines()[0] == "epoch,step,key,value"
    assert read_changes(tmp_path / "run" / CHANGES_FILE) == trainer.changes
    assert trainer.changes == [LiveChange(1, 1, "train.lr", 0.1 / 3),  # every digit survives the file
                               LiveChange(3, 2 * per_epoch, "train.weight_decay", 1e-3)]


def test_a_run_without_changes_has_no_changes_csv(tmp_path):
    trainer = build_trainer(config(epochs=2))
    train_into(tmp_path / "run", trainer)
    assert not (tmp_path / "run" / CHANGES_FILE).exists()


def test_rerun_from_the_folder_replays_the_changes_and_gives_identical_metrics(tmp_path):
    trainer = build_trainer(config())
    per_epoch = steps_per_epoch(trainer)
    assert per_epoch >= 2  # so that the first change is mid-epoch
    trainer.hooks.append(ChangeAtStep(per_epoch + 1, lambda t: t.set_param("train.lr", 0.3)))
    trainer.schedule_change(4, "train.momentum", 0.9)
    original = tmp_path / "original"
    train_into(original, trainer)

    assert main(["run", "--config", str(original / "config.toml"), "--out", str(tmp_path / "again"), "--quiet"]) == 0
    again = (tmp_path / "again" / "metrics.csv").read_bytes()
    assert again == (original / "metrics.csv").read_bytes()
    assert (tmp_path / "again" / CHANGES_FILE).read_bytes() == (original / CHANGES_FILE).read_bytes()

    # The replay is what makes them equal: the config alone trains other curves.
    (original / CHANGES_FILE).unlink()
    assert main(["run", "--config", str(original / "config.toml"), "--out", str(tmp_path / "plain"), "--quiet"]) == 0
    assert (tmp_path / "plain" / "metrics.csv").read_bytes() != again


def test_rerun_into_its_own_folder_keeps_the_changes(tmp_path):
    run = tmp_path / "run"
    args = ["run", *sum((["--set", o] for o in BASE), []), "--epochs", "4", "--quiet"]
    assert main([*args, "--change", "2:train.lr=0.01", "--out", str(run)]) == 0
    before = {name: (run / name).read_bytes() for name in ("metrics.csv", CHANGES_FILE)}
    assert main(["run", "--config", str(run / "config.toml"), "--out", str(run), "--quiet"]) == 0
    assert {name: (run / name).read_bytes() for name in before} == before


def test_the_apps_training_process_records_a_slider_change_and_the_folder_reruns_it(tmp_path, qtbot, monkeypatch):
    """The app's path: the window trains in its own process; a slider change sent while paused
    after one epoch is recorded by that process in changes.csv, and the folder reruns identically."""
    import helpers_files

    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(tmp_path / "data"))
    window = helpers_files.open_window(qtbot, helpers_files.small_config(epochs=4))
    try:
        window.step()
        qtbot.waitUntil(lambda: window.history.epoch == 1 and window.session.paused, timeout=60_000)
        window.session.set_optimizer_params(lr=0.2)
        window.toggle_pause()  # resume
        qtbot.waitUntil(lambda: window.state.over, timeout=60_000)
        run = window.session.recorder.run_dir
        qtbot.waitUntil(lambda: (run / "summary.json").exists() and "completed" in (run / "summary.json").read_text(),
                        timeout=60_000)
    finally:
        window.shutdown()
    assert [(c.epoch, c.key, c.value) for c in read_changes(run / CHANGES_FILE)] == [(2, "train.lr", 0.2)]
    assert main(["run", "--config", str(run / "config.toml"), "--out", str(tmp_path / "cli"), "--quiet"]) == 0
    assert (tmp_path / "cli" / "metrics.csv").read_bytes() == (run / "metrics.csv").read_bytes()


@pytest.mark.parametrize("text, fragment", [
    ("epoch,step,key\n1,0,train.lr\n", "expected the columns"),
    ("epoch,step,key,value\n1,0,train.batch_size,3\n", "line 2: 'train.batch_size' cannot change"),
    ("epoch,step,key,value\n1,-1,train.lr,0.1\n", "line 2: epoch and step must be whole numbers"),
    ("epoch,step,key,value\n1,0,train.lr,fast\n", "line 2: value 'fast' is not a finite number"),
])
def test_a_damaged_changes_csv_is_refused(tmp_path, text, fragment):
    path = tmp_path / CHANGES_FILE
    path.write_text(text)
    with pytest.raises(RunFileError, match=fragment):
        read_changes(path)


def test_rerun_with_a_bad_recorded_value_is_one_line_exit_2(tmp_path, capsys):
    run = tmp_path / "run"
    train_into(run, build_trainer(config(epochs=2)))
    (run / CHANGES_FILE).write_text("epoch,step,key,value\n1,2,train.lr,-0.5\n")
    assert main(["run", "--config", str(run / "config.toml"), "--out", str(tmp_path / "again"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "changes.csv: train.lr: must be > 0" in err
    assert not (tmp_path / "again").exists()


# ---------------------------------------------------------------- run --change


def test_change_flag_applies_before_the_first_step_of_its_epoch(tmp_path):
    run = tmp_path / "run"
    args = ["run", *sum((["--set", o] for o in BASE), []), "--epochs", "5", "--quiet", "--out", str(run)]
    assert main([*args, "--change", "3:train.lr=0.01", "--change", "5:train.weight_decay=0.001"]) == 0
    per_epoch = steps_per_epoch(build_trainer(config()))
    assert read_changes(run / CHANGES_FILE) == [
        LiveChange(3, 2 * per_epoch, "train.lr", 0.01), LiveChange(5, 4 * per_epoch, "train.weight_decay", 0.001)]
    # The same as a trainer told the same through its API.
    trainer = build_trainer(config(epochs=5))
    trainer.schedule_change(3, "train.lr", 0.01)
    trainer.schedule_change(5, "train.weight_decay", 0.001)
    train_into(tmp_path / "api", trainer)
    assert (tmp_path / "api" / "metrics.csv").read_bytes() == (run / "metrics.csv").read_bytes()


@pytest.mark.parametrize("change, fragment", [
    ("7:train.lr=0.01", "epoch 7: outside this run, whose epochs are 1 to 6"),
    ("0:train.lr=0.01", "epoch 0: outside this run"),
    ("3:train.batch_size=8", "train.batch_size: cannot change during training"),
    ("3:task.n=8", "task.n: cannot change during training"),
    ("3:train.lr=fast", "train.lr: expected a number"),
    ("3:train.lr=200", "train.lr: must be > 0 and <= 100"),
    ("train.lr=0.01", "expected EPOCH:KEY=VALUE"),
    ("x:train.lr=0.01", "expected EPOCH:KEY=VALUE"),
    ("3:train.lr", "expected EPOCH:KEY=VALUE"),
])
def test_bad_change_flag_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, change, fragment):
    out = tmp_path / "out"
    args = ["run", *sum((["--set", o] for o in BASE), []), "--epochs", "6", "--quiet", "--out", str(out)]
    assert main([*args, "--change", change]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and fragment in err
    assert not out.exists()


def test_run_help_says_what_change_does(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--change EPOCH:KEY=VALUE" in text and "train.lr, train.momentum, train.weight_decay" in text
    assert "changes.csv" in text


# ---------------------------------------------------------------- the lr_decay hook


def test_a_live_lr_change_rescales_the_decayed_schedule():
    """lr at 0-based epoch e = base * factor**e, where base is train.lr until a change and the
    changed value from the step it took effect on (mid-epoch included)."""
    factor = 0.8
    trainer = build_trainer(config(epochs=6), {"lr_decay": {"factor": factor}})
    per_epoch = steps_per_epoch(trainer)
    first, second = per_epoch + 1, 4 * per_epoch  # mid epoch 1 (0-based), then the start of epoch 4
    seen = LrSeen()
    trainer.hooks += [ChangeAtStep(first, lambda t: t.set_param("train.lr", 0.2)), seen]
    trainer.schedule_change(5, "train.lr", 0.01)  # the fifth epoch, 0-based 4
    list(trainer.epochs())
    assert [c.step for c in trainer.changes] == [first, second]

    def base(step):  # the lr the user asked for at this step number (from 1)
        return 0.05 if step <= first else 0.2 if step <= second else 0.01

    expected = [base(step) * factor ** epoch for epoch, step, _ in seen.seen]
    np.testing.assert_allclose([lr for *_, lr in seen.seen], expected, rtol=1e-15)
    assert len(seen.seen) == 6 * per_epoch and seen.seen[-1][2] == pytest.approx(0.01 * factor ** 5)


def test_lr_decay_without_changes_is_the_papers_schedule():
    trainer = build_trainer(config(epochs=4), {"lr_decay": {"factor": 0.5}})
    seen = LrSeen()
    trainer.hooks.append(seen)
    list(trainer.epochs())
    assert sorted({(epoch, lr) for epoch, _, lr in seen.seen}) == [(e, 0.05 * 0.5 ** e) for e in range(4)]



# ---------------------------------------------------------------- a weight set by hand


def test_a_weight_set_by_hand_is_that_weight_from_the_next_step_on_and_is_recorded():
    trainer = build_trainer(config("train.ensemble=2", "train.lr=1e-9", epochs=2))
    before = [w.detach().clone() for w in trainer.model.weights]
    trainer.set_weight(1, 2, 3, 0, 0.75)
    record = next(iter(trainer.epochs()))
    after = trainer.model.weights[1].detach()
    assert float(after[1, 3, 0]) == pytest.approx(0.75, abs=1e-6)  # lr 1e-9: the step barely moves it
    assert float(before[1][1, 3, 0]) != pytest.approx(0.75, abs=1e-3)
    assert float(after[0, 3, 0]) == pytest.approx(float(before[1][0, 3, 0]), abs=1e-6)  # member 0 untouched
    assert record.changes == [LiveChange(1, 0, "weight.1.2.3.0", 0.75)]


@pytest.mark.parametrize("args, fragment", [
    ((2, 1, 0, 0, 1.0), "members 0-1"), ((0, 3, 0, 0, 1.0), "layers 1 to 2"),
    ((0, 1, 2, 0, 1.0), "inputs 0-1"), ((0, 2, 0, 2, 1.0), "outputs 0-1"), ((0, 1, 0, 0, "x"), "not a number"),
    ((0, 1, 0, 0, float("nan")), "finite"),
])
def test_a_weight_outside_the_network_is_refused(args, fragment):
    trainer = build_trainer(config("train.ensemble=2", epochs=2))
    with pytest.raises(ConfigError, match=fragment):
        trainer.set_weight(*args)


def test_a_weight_set_by_hand_reruns_identically_from_the_folder(tmp_path):
    trainer = build_trainer(config())
    trainer.hooks.append(ChangeAtStep(3, lambda t: t.set_weight(0, 1, 0, 2, -1.5)))
    original = tmp_path / "original"
    train_into(original, trainer)
    assert "weight.0.1.0.2" in (original / CHANGES_FILE).read_text()
    assert main(["run", "--config", str(original / "config.toml"), "--out", str(tmp_path / "again"), "--quiet"]) == 0
    assert (tmp_path / "again" / "metrics.csv").read_bytes() == (original / "metrics.csv").read_bytes()
