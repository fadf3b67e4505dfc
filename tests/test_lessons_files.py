"""Lesson files load and validate; bad ones fail with the file and key named; sweeps write
their table, honour stop and report progress; the CLI runs lessons and sweeps."""

import csv
from pathlib import Path

import numpy as np
import pytest

from playground.cli import main
from playground.core.config import ConfigError, apply_overrides, validate
from playground.core.base.control import RunControl
from playground.core.experiments.lessons import TEXT_KEYS, VIEWS, builtin_lessons, get_lesson, lessons_dir, load_lesson
from playground.core.experiments.catalog import all_presets, get_preset
from playground.core.experiments.sweep import SweepSpec, read_sweep, run_sweep, summarise

ROOT = Path(__file__).resolve().parents[1]

TEACHER_LESSON = """
title = "My circle"
views = ["loss", "boundary"]

[text]
question = "Can a tiny tanh net draw a circle?"
what_to_do = "Press Run."
look_for = "The boundary closes into a ring."
sources = ["TensorFlow Playground"]

[settings.task]
name = "circle"
samples = 200

[settings.network]
hidden = [4]

[settings.train]
epochs = 3
lr = 0.01

[sweep]
param = "network.width"
values = [2, 4]
seeds = 2
"""


def test_every_builtin_lesson_loads_is_a_preset_and_names_its_sources():
    lessons = builtin_lessons()
    names = [lesson.name for lesson in lessons]
    assert names == ["fitting-compression", "relu-compression", "drift-diffusion", "parity-wall", "forgetting",
                     "memorisation", "learning-modes", "edge-of-chaos", "critical-periods", "batch-size",
                     # issue 15's
                     "adversarial-examples", "fooling-images", "one-pixel", "pruning", "loss-landscape",
                     "lazy-training", "layer-separation", "vanishing-gradients", "double-descent"]
    assert len(set(names)) == len(names)
    assert [lesson.order for lesson in lessons] == sorted(lesson.order for lesson in lessons)
    for lesson in lessons:
        assert all_presets()[lesson.name].lesson is lesson
        assert validate(get_preset(lesson.name).config()) == lesson.config  # same settings
        assert set(lesson.text) == set(TEXT_KEYS), lesson.name  # built-ins have every section
        assert lesson.sources
        assert set(lesson.views) <= set(VIEWS)
        assert lesson.title in lesson.as_text()
    assert get_lesson("parity-wall").sweep.param == "task.n"  # the sweeps
    assert get_lesson("edge-of-chaos").sweep.param == "network.sw2"


def test_lesson_file_found_through_the_resource_lookup(monkeypatch, tmp_path):
    import sys

    bundle = tmp_path / "bundle"
    (bundle / "resources" / "lessons").mkdir(parents=True)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    assert lessons_dir() == bundle / "resources" / "lessons"


def test_teacher_lesson_runs_from_the_cli_and_sweeps(tmp_path, capsys):
    path = tmp_path / "my-circle.toml"
    path.write_text(TEACHER_LESSON)
    lesson = get_lesson(path)
    assert lesson.name == "my-circle" and lesson.views == ("loss", "boundary")
    assert main(["lessons", str(path)]) == 0
    assert "Can a tiny tanh net draw a circle?" in capsys.readouterr().out
    assert main(["run", "--preset", str(path), "--quiet", "--out", str(tmp_path / "run")]) == 0
    assert (tmp_path / "run" / "metrics.csv").exists()
    assert main(["sweep", "--preset", str(path), "--quiet", "--out", str(tmp_path / "sweep")]) == 0
    table = read_sweep(tmp_path / "sweep")
    assert list(table["value"]) == [2, 2, 4, 4] and list(table["seed"]) == [0, 1, 0, 1]
    assert (tmp_path / "sweep" / "runs" / "01_width=4" / "config.toml").exists()


def test_lessons_command_lists_the_lessons(capsys):
    assert main(["lessons"]) == 0
    out = capsys.readouterr().out
    for lesson in builtin_lessons():
        assert lesson.name in out


def write(tmp_path, text, name="bad.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("change, fragment", [
    (lambda t: t.replace('title = "My circle"\n', ""), "missing key 'title'"),
    (lambda t: t.replace('question = "Can a tiny tanh net draw a circle?"\n', ""), "missing key 'question'"),
    (lambda t: t.replace("[text]", "colour = 3\n[text]"), "unknown key 'colour'"),
    (lambda t: t.replace("[text]", "[text]\nmoral = 'x'"), "unknown key 'text.moral'"),
    (lambda t: t.replace('"boundary"', '"hologram"'), "views: 'hologram' is not one of"),
    (lambda t: t.replace("samples = 200", "samples = 2"), "settings: task.samples"),
    (lambda t: t.replace("lr = 0.01", "lr = -1"), "settings: train.lr"),
    (lambda t: t.replace("[settings.train]", "[settings.trian]"), "settings: unknown section 'trian'"),
    (lambda t: t + "\n[hooks.deficit]\nstart = 'soon'\n", "hooks.deficit.start: expected an integer"),
    (lambda t: t + "\n[hooks.wormhole]\n", "unknown hook 'hooks.wormhole'"),
    (lambda t: t + "\n[hooks.gradient_signal]\n", "hooks.gradient_signal: needs task.name = 'parity'"),
    (lambda t: t + "\n[hooks.deficit]\nkind = 'blur'\n", "blur needs square images"),
    (lambda t: t.replace('param = "network.width"', 'param = "network.colour"'), "unknown key 'network.colour'"),
    (lambda t: t.replace("values = [2, 4]", "values = [2, 0]"), "sweep network.width = 0"),
    (lambda t: t.replace("values = [2, 4]", "values = []"), "sweep.values: expected a non-empty list"),
    (lambda t: t.replace("seeds = 2", "seeds = 0"), "sweep.seeds"),
    (lambda t: t.replace("[sweep]", "[sweep]\nwhen = 1"), "unknown key 'sweep.when'"),
    (lambda t: t.replace("seeds = 2", "seeds = 2\nshow = 3"), "sweep.show: expected the name of a column"),
    (lambda t: t.replace('name = "circle"', 'name = "circle'), "not valid TOML"),
])
def test_bad_lesson_files_name_the_file_and_the_key(tmp_path, change, fragment):
    path = write(tmp_path, change(TEACHER_LESSON))
    with pytest.raises(ConfigError) as info:
        load_lesson(path)
    message = str(info.value)
    assert str(path) in message and fragment in message, message


def test_bad_lesson_on_the_command_line_is_one_line_exit_2(tmp_path, capsys):
    path = write(tmp_path, TEACHER_LESSON.replace("lr = 0.01", "lr = -1"))
    assert main(["run", "--preset", str(path), "--out", str(tmp_path / "never")]) == 2
    assert main(["lessons", str(tmp_path / "missing.toml")]) == 2
    assert main(["lessons", "no-such-lesson"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and "train.lr" in err[0] and "cannot read" in err[1] and "unknown lesson" in err[2]
    assert not (tmp_path / "never").exists()


def get_lesson_config():
    from playground.core.config import Config

    return apply_overrides(Config(), ["task.name=circle", "task.samples=100", "network.hidden=[4]", "train.epochs=3"])


def test_sweep_table_has_one_row_per_value_and_seed_with_final_figures(tmp_path):
    progress = []
    result = run_sweep(get_lesson_config(), SweepSpec("train.lr", (0.001, 0.1), seeds=2),
                       out=tmp_path / "s", progress=progress.append)
    assert result.stop_reason == "completed"
    table = read_sweep(tmp_path / "s")
    assert list(table["value"]) == [0.001, 0.001, 0.1, 0.1]
    assert list(table["member"]) == [0, 1, 0, 1] and set(table["stop_reason"]) == {"completed"}
    # The final figures are the last epoch's metrics of each value's own run folder.
    from playground.core.runs.runlog import read_run

    run = read_run(result.run_dirs[1])
    last = run.tables["metrics"]["epoch"] == 3
    np.testing.assert_allclose(table["final_test_acc"][2:], run.tables["metrics"]["test_acc"][last], atol=1e-7)
    assert [(p.trial, p.epoch) for p in progress] == [(0, 1), (0, 2), (0, 3), (1, 1), (1, 2), (1, 3)]
    assert progress[-1].fraction == pytest.approx(1.0)
    summary = summarise(table, "final_train_acc")
    assert [row[0] for row in summary] == [0.001, 0.1] and all(row[3] == 2 for row in summary)


def test_sweep_over_a_hook_option_changes_only_that_hook():
    config = apply_overrides(get_lesson_config(), ["task.name=digits", "network.hidden=[8]", "train.epochs=2"])
    hooks = {"deficit": {"kind": "noise", "start": 0, "length": 1, "noise": 0.5, "blur_factor": 2},
             "fit_time": {"threshold": 0.0}}
    table = run_sweep(config, SweepSpec("deficit.start", (0, 5), seeds=1), hooks).table
    assert list(table["fit_epoch"]) == [1, 1]
    with pytest.raises(ConfigError, match="hooks.deficit.start: expected an integer"):
        run_sweep(config, SweepSpec("deficit.start", ("late",), seeds=1), hooks)
    with pytest.raises(ConfigError, match="or a hook option: deficit"):
        run_sweep(config, SweepSpec("deficitt.start", (1,), seeds=1), hooks)


def test_sweep_stops_between_steps_and_keeps_what_it_finished(tmp_path):
    control = RunControl()

    def stop_in_second_value(progress):
        if progress.trial == 1 and progress.epoch == 1:
            control.stop()

    result = run_sweep(get_lesson_config(), SweepSpec("train.lr", (0.01, 0.02, 0.03), seeds=1),
                       out=tmp_path, progress=stop_in_second_value, control=control)
    assert result.stop_reason == "stopped by user"
    table = read_sweep(tmp_path)
    assert list(table["value"]) == [0.01, 0.02]
    assert list(table["stop_reason"]) == ["completed", "stopped by user"]
    assert list(table["epochs"]) == [3, 1]


def test_sweep_refuses_a_foreign_folder(tmp_path):
    from playground.core.base.fileio import RunFileError

    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(RunFileError, match="not empty"):
        run_sweep(get_lesson_config(), SweepSpec("train.lr", (0.01,), seeds=1), out=tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_sweep_command_prints_a_summary_and_bad_input_exits_2(tmp_path, capsys):
    out = tmp_path / "sw"
    assert main(["sweep", "--preset", "circle", "--param", "network.width", "--values", "2,3", "--seeds", "2",
                 "--epochs", "2", "--measure", "fit_time", "--quiet", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "network.width" in printed and "fit_epoch" in printed
    with open(out / "sweep.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4 and "fit_epoch" in rows[0]
    assert main(["sweep", "--preset", "circle", "--out", str(tmp_path / "x")]) == 2
    assert main(["sweep", "--preset", "circle", "--param", "train.lr", "--values", "0", "--out", str(tmp_path / "y")]) == 2
    assert main(["sweep", "--preset", "circle", "--param", "train.lr", "--values", "0.1", "--measure", "nope",
                 "--out", str(tmp_path / "z")]) == 2
    err = capsys.readouterr().err
    assert "give --param" in err and "train.lr" in err and "unknown hook" in err


def test_the_readme_example_lesson_is_valid(tmp_path):
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("**Writing a lesson**"):]
    example = section[section.index("```toml") + len("```toml"):section.index("```", section.index("```toml") + 7)]
    path = tmp_path / "example.toml"
    path.write_text(example)
    lesson = load_lesson(path)
    assert lesson.hooks["deficit"]["kind"] == "noise" and lesson.sweep.values == (1, 2, 4, 8)
    assert lesson.views == ("boundary", "loss")


def test_run_with_a_lesson_preset_runs_its_hooks(tmp_path):
    out = tmp_path / "modes"
    assert main(["run", "--preset", "learning-modes", "--epochs", "3", "--ensemble", "1", "--quiet", "--out", str(out)]) == 0
    from playground.core.runs.runlog import read_run

    run = read_run(out)
    assert list(np.unique(run.tables["modes"]["mode"])) == [1, 2, 3]  # written by the lesson's hook


def test_a_lesson_run_records_its_hooks_and_reruns_whole_from_its_config(tmp_path):
    """config.toml alone would lose a lesson's deficit window; hooks.toml beside it keeps it."""
    import tomllib

    from playground.cli import main
    from playground.core.runs.runlog import read_run

    first, second = tmp_path / "a", tmp_path / "b"
    quick = ["--set", "train.epochs=3", "--quiet"]
    assert main(["run", "--preset", "critical-periods", *quick, "--out", str(first)]) == 0
    recorded = tomllib.loads((first / "hooks.toml").read_text())["hooks"]
    assert "deficit" in recorded
    assert main(["run", "--config", str(first / "config.toml"), "--quiet", "--out", str(second)]) == 0
    assert tomllib.loads((second / "hooks.toml").read_text())["hooks"] == recorded
    a, b = read_run(first).tables["metrics"], read_run(second).tables["metrics"]
    assert list(a["test_loss"]) == list(b["test_loss"])
    # A plain run into the same folder leaves no stale hooks file behind.
    assert main(["run", "--preset", "circle", *quick, "--out", str(second)]) == 0
    assert not (second / "hooks.toml").exists()


def test_a_broken_hooks_file_names_the_file(tmp_path, capsys):
    from playground.cli import main

    run = tmp_path / "a"
    assert main(["run", "--preset", "critical-periods", "--set", "train.epochs=2", "--quiet", "--out", str(run)]) == 0
    (run / "hooks.toml").write_text("[hooks.deficit]\nkind = 'smudge'\n")
    assert main(["run", "--config", str(run / "config.toml"), "--quiet", "--out", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert "hooks.toml" in err and "smudge" in err
    assert not (tmp_path / "b").exists()
