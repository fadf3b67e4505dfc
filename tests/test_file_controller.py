"""The File menu's decisions without a window: what each action asks, refuses and does, against
a mock window, scripted dialogs and a dict for the settings store. Real files in tmp_path."""

from pathlib import Path

import pytest
from helpers_files import FakeDialogs, small_config

from playground.cli import main
from playground.core import config as config_module
from playground.core.config import ConfigError
from playground.ui.controllers.file_controller import FORMAT_KEY, LAST_DIR_KEY, WIDTH_KEY, FileController
from playground.ui.model.history import History


class DictStore(dict):
    """QSettings' value/setValue over a dict."""

    def value(self, key, default=None, type=None):
        return self.get(key, default)

    def setValue(self, key, value):  # noqa: N802
        self[key] = value


class FakeRecorder:
    def __init__(self, run_dir=None, error=None):
        self.run_dir, self.error = run_dir, error


class FakeView:
    def __init__(self, key, has_data=True):
        self.key, self.title = key, f"{key.title()} && more"
        self.has_data = has_data
        self.showing_message = True
        self.comparison = None

    def update_from(self, history, force=False):
        self.showing_message = not self.has_data


class MockWindow:
    def __init__(self, runs: Path):
        self.history = History()
        self.views = [FakeView("loss"), FakeView("boundary", has_data=False)]
        self.run_on_screen = False
        self.answer = True
        self.questions: list[str] = []
        self.log: list[tuple] = []
        self.notes: list[str] = []
        self.settings_value = small_config()
        self.latest = None
        self.active = False
        self.runs = runs
        self.export_error: Exception | None = None
        self.clipboard = ""
        self.lesson: tuple[str, bool] | None = None
        self.lesson_answer = True
        self.front = None

    def current_view(self):
        return self.front

    def export_animation_file(self, view, path, fps, seconds, width):
        from playground.ui.figures.animation import Animation

        if self.export_error:
            raise self.export_error
        self.log.append(("animate", view.key, path, fps, seconds, width))
        return Animation(written=[Path(path)], notes=["no ffmpeg on the PATH: MP4 skipped (the GIF is written)"],
                         frames=int(fps * seconds))

    def clipboard_text(self):
        return self.clipboard

    def set_clipboard_text(self, text):
        self.clipboard = text

    def current_lesson(self):
        return self.lesson

    def open_lesson(self, lesson, config):
        self.log.append(("lesson", lesson.name, config))
        return self.lesson_answer

    def close_lesson(self):
        self.log.append(("close_lesson",))

    def may_discard(self, question):
        if not self.run_on_screen:
            return True
        self.questions.append(question)
        return self.answer

    def reset(self):
        self.log.append(("reset",))

    def settings(self):
        if isinstance(self.settings_value, Exception):
            raise self.settings_value
        return self.settings_value

    def load_settings(self, config, hooks):
        self.log.append(("load", config, hooks))

    def show_history(self, history):
        self.history = history
        self.log.append(("show", history))

    def set_comparison(self, comparison):
        self.log.append(("compare", comparison))

    def recorder(self):
        return self.latest

    def training(self):
        return self.active

    def say(self, text):
        self.notes.append(text)

    def runs_dir(self):
        return self.runs

    def set_runs_dir(self, path):
        self.log.append(("runs_dir", path))
        self.runs = Path(path) if path else Path("/default/runs")

    def export_view_file(self, view, path, format, width):
        if self.export_error:
            raise self.export_error
        self.log.append(("export", view.key, path, format, width))
        return Path(path)

    def export_views(self, views, folder, format, width):
        if self.export_error:
            raise self.export_error
        written = [Path(folder) / f"{view.key}.{format}" for view in views]
        for path in written:
            path.write_bytes(b"x")
        self.log.append(("export_all", [v.key for v in views], format, width))
        return written

    def refresh(self):
        self.log.append(("refresh",))

    def did(self, name):
        return [entry for entry in self.log if entry[0] == name]


@pytest.fixture
def rig(tmp_path):
    window, dialogs, store = MockWindow(tmp_path / "runs"), FakeDialogs(), DictStore()
    return FileController(window, dialogs, store, default_width=1600), window, dialogs, store


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "tanh_run"
    assert main(["run", "--preset", "circle", "--set", "task.samples=120", "--set", "network.hidden=[4]",
                 "--set", "train.epochs=3", "--quiet", "--out", str(out)]) == 0
    return out


# ---------------------------------------------------------------- configs


def test_open_config_cancelled_does_nothing(rig):
    files, window, dialogs, _ = rig
    assert not files.open_config()
    assert window.log == [] and dialogs.errors == []


def test_a_broken_config_is_refused_naming_the_file_and_the_run_stays(rig, tmp_path):
    files, window, dialogs, _ = rig
    bad = tmp_path / "bad.toml"
    bad.write_text("[train]\nlr = 'fast'\n", encoding="utf-8")
    window.run_on_screen = True
    assert not files.open_config(str(bad))
    (title, text), = dialogs.errors
    assert title == "Cannot open the config" and "lr" in text
    assert window.log == [] and window.questions == [] and window.notes == [text]


def test_opening_a_config_over_a_run_asks_and_no_keeps_the_run(rig, tmp_path):
    files, window, _, store = rig
    path = tmp_path / "c.toml"
    config_module.save(small_config(epochs=7), path)
    window.run_on_screen, window.answer = True, False
    assert not files.open_config(str(path))
    assert len(window.questions) == 1 and "Opening a config" in window.questions[0]
    assert window.log == [] and store[LAST_DIR_KEY] == str(tmp_path)  # the folder is remembered anyway
    window.answer = True
    assert files.open_config(str(path))
    assert window.did("reset") and window.did("load") == [("load", small_config(epochs=7), None)]
    assert window.notes[-1] == f"Settings from {path}"


def test_save_config_adds_the_suffix_and_reads_back_equal(rig, tmp_path):
    files, window, dialogs, store = rig
    dialogs.answers = [str(tmp_path / "mine")]
    assert files.save_config()
    assert config_module.load(tmp_path / "mine.toml") == window.settings_value
    assert store[LAST_DIR_KEY] == str(tmp_path) and "playground run --config" in window.notes[-1]


def test_save_config_refuses_bad_settings_and_unwritable_targets(rig, tmp_path):
    files, window, dialogs, _ = rig
    window.settings_value = ConfigError("batch size: not a number")
    assert not files.save_config(str(tmp_path / "x.toml"))
    assert dialogs.errors[-1] == ("Cannot save the config", "batch size: not a number")
    window.settings_value = small_config()
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    assert not files.save_config(str(blocker / "x.toml"))  # a file where its folder should be
    assert dialogs.errors[-1][0] == "Cannot save the config" and blocker.read_text() == "x"


# ---------------------------------------------------------------- runs


def test_open_run_shows_the_saved_run_and_loads_its_settings(rig, run_dir):
    files, window, _, store = rig
    assert files.open_run(str(run_dir))
    (_, config, hooks), = window.did("load")
    assert config.train.epochs == 3 and hooks is None
    (_, history), = window.did("show")
    assert history.epoch == 3 and history.source == str(run_dir)
    assert window.did("refresh") and store[LAST_DIR_KEY] == str(run_dir.parent)
    assert "Start trains it again" in window.notes[-1] and "3 epochs" in window.notes[-1]
    assert files.current_run_dir() == run_dir  # a reopened run is what Save run as copies


def test_a_folder_that_is_no_run_is_refused(rig, tmp_path):
    files, window, dialogs, _ = rig
    (tmp_path / "empty").mkdir()
    assert not files.open_run(str(tmp_path / "empty"))
    assert dialogs.errors[-1][0] == "Cannot open the run" and window.log == []


def test_overlay_and_remove_it(rig, run_dir):
    files, window, _, _ = rig
    assert files.overlay_run(str(run_dir))
    assert window.did("compare")[-1][1] is files.comparison and files.comparison.source == str(run_dir)
    text, tip = files.status_line()
    assert "overlay" in text and "tanh_run</a>" in text and "Dashed:" in tip
    assert "Comparing with" in window.notes[-1]
    files.clear_overlay()
    assert window.did("compare")[-1] == ("compare", None) and " · overlay" not in files.status_line()[0]


def test_save_run_as_needs_a_run_and_says_when_the_autosave_is_incomplete(rig, run_dir, tmp_path):
    files, window, dialogs, _ = rig
    assert not files.save_run_as(str(tmp_path / "copy"))
    assert dialogs.errors[-1][0] == "Nothing to save"
    window.latest, window.active = FakeRecorder(run_dir, error="disk full writing metrics.csv"), True
    assert not files.save_run_as(str(tmp_path / "copy"))  # its run is not on screen (reset): nothing to save
    window.run_on_screen = True
    assert files.save_run_as(str(tmp_path / "copy"))
    assert dialogs.errors[-1][0] == "The run is incomplete" and "metrics.csv" in dialogs.errors[-1][1]
    assert (tmp_path / "copy" / "config.toml").exists()
    assert window.notes[-1].endswith("(as far as it has trained)")
    assert not files.save_run_as(str(tmp_path / "copy"))  # never over an existing folder
    assert dialogs.errors[-1][0] == "Cannot save the run"


def test_tensorboard_needs_a_run(rig):
    files, _, dialogs, _ = rig
    assert files.export_tensorboard() is None and dialogs.errors[-1][0] == "Nothing to write"


# ---------------------------------------------------------------- figures


def test_export_view_refuses_an_empty_view_and_asks_the_png_width(rig, tmp_path):
    files, window, dialogs, store = rig
    loss, boundary = window.views
    assert not files.export_view(boundary, "png", str(tmp_path / "b.png"))
    assert dialogs.errors[-1] == ("Nothing to export", "Boundary & more has nothing to draw yet.")
    loss.showing_message = False
    assert not files.export_view(loss, "png")  # the options dialog cancelled
    dialogs.answers = [("png", 800), str(tmp_path / "loss.png")]
    assert files.export_view(loss, "png")
    assert window.did("export") == [("export", "loss", str(tmp_path / "loss.png"), "png", 800)]
    assert store[WIDTH_KEY] == 800 and store[LAST_DIR_KEY] == str(tmp_path)
    window.export_error = OSError(28, "No space left on device")
    assert not files.export_view(loss, "svg", str(tmp_path / "loss.svg"))
    assert dialogs.errors[-1][0] == "Cannot export the view" and "No space" in dialogs.errors[-1][1]


def test_export_all_writes_the_views_with_data_and_asks_before_replacing(rig, tmp_path):
    files, window, dialogs, store = rig
    written = files.export_all(str(tmp_path), "svg", 1200)
    assert written == [tmp_path / "loss.svg"]  # the boundary has nothing to draw: left out
    assert store[FORMAT_KEY] == "svg" and store[WIDTH_KEY] == 1200
    dialogs.confirm_answer = False
    assert files.export_all(str(tmp_path), "svg", 1200) == []
    assert len(window.did("export_all")) == 1  # declined: nothing written again
    dialogs.confirm_answer = True
    assert files.export_all(str(tmp_path), "svg", 1200) == [tmp_path / "loss.svg"]


def test_export_all_with_nothing_to_draw_says_so(rig, tmp_path):
    files, window, dialogs, _ = rig
    window.views = [FakeView("boundary", has_data=False)]
    assert files.export_all(str(tmp_path), "png", 800) == []
    assert dialogs.errors[-1][0] == "Nothing to export" and window.did("export_all") == []


# ---------------------------------------------------------------- the runs folder


def test_runs_folder_is_checked_before_it_is_kept(rig, tmp_path):
    files, window, dialogs, _ = rig
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    assert not files.change_runs_folder(str(blocker / "runs"))
    assert dialogs.errors[-1][0] == "Cannot save runs there" and window.did("runs_dir") == []
    assert files.change_runs_folder(str(tmp_path / "mine"))
    assert window.did("runs_dir") == [("runs_dir", str(tmp_path / "mine"))]
    files.default_runs_folder()
    assert window.did("runs_dir")[-1] == ("runs_dir", None)


def test_the_status_line_says_where_runs_go(rig, run_dir):
    files, window, _, _ = rig
    assert files.status_line()[0].startswith("runs save to <a href=\"file://")
    window.latest = FakeRecorder(run_dir)
    window.run_on_screen = True
    assert files.status_line()[0] == f'saved to <a href="{run_dir.as_uri()}">tanh_run</a>'
    window.run_on_screen = False  # Reset: the old run's link goes (issue 13, item 6)
    assert files.status_line()[0].startswith("runs save to")
    window.run_on_screen = True
    window.latest.error = "read-only"
    assert "autosave stopped" in files.status_line()[0]
    files.autosave_failed("cannot write metrics.csv")
    assert "Training goes on" in rig[2].errors[-1][1] and window.did("refresh")


# ---------------------------------------------------------------- setup strings


def test_copy_then_paste_a_setup_gives_back_the_same_settings(rig):
    files, window, dialogs, _ = rig
    window.settings_value = small_config("train.lr=0.03", epochs=7)
    text = files.copy_setup()
    assert text.startswith("tnp1:") and window.clipboard == text and "\n" not in text
    assert "copied" in window.notes[-1] and "lesson" not in window.notes[-1]
    assert files.paste_setup()
    assert window.did("reset") and window.did("close_lesson")
    (_, config, hooks), = window.did("load")
    assert config == window.settings_value and hooks is None
    assert dialogs.errors == []


def test_a_copied_setup_names_the_open_built_in_lesson_and_pasting_it_opens_that_lesson(rig):
    from playground.core.experiments.setup_string import decode_setup

    files, window, _, _ = rig
    window.lesson = ("critical-periods", True)
    text = files.copy_setup()
    assert decode_setup(text).lesson == "critical-periods"
    assert files.paste_setup(text)
    (_, name, config), = window.did("lesson")
    assert name == "critical-periods" and config == window.settings_value
    assert not window.did("load")  # the lesson side loads it, after the lesson's own


def test_a_lesson_file_is_not_named_in_the_string(rig):
    from playground.core.experiments.setup_string import decode_setup

    files, window, _, _ = rig
    window.lesson = ("my-own", False)
    text = files.copy_setup()
    assert decode_setup(text).lesson is None
    assert "lesson file my-own" in window.notes[-1]


@pytest.mark.parametrize("text, says", [
    ("", "holds no text"),
    ("hello there", "should start with 'tnp1:'"),
    ("tnp1:eJyr!!", "damaged"),
    ("tnp1:eJyrVkrLz1eyUkpKLFKqBQAbrgRb", "damaged"),
])
def test_a_damaged_setup_string_changes_nothing_and_says_why_in_one_line(rig, text, says):
    files, window, dialogs, _ = rig
    window.run_on_screen = True
    window.clipboard = text
    assert not files.paste_setup()
    (title, message), = dialogs.errors
    assert title == "Cannot paste the setup" and says in message and "\n" not in message
    assert window.log == [] and window.questions == []


def test_a_string_naming_an_unknown_lesson_or_a_file_is_refused(rig):
    from playground.core.experiments.setup_string import encode_setup

    files, window, dialogs, _ = rig
    for name in ("no-such-lesson", "/tmp/evil.toml"):
        assert not files.paste_setup(encode_setup(small_config(), name))
        assert "which this playground does not have" in dialogs.errors[-1][1]
    assert window.log == []


def test_pasting_over_a_run_asks_first_and_no_keeps_it(rig):
    from playground.core.experiments.setup_string import encode_setup

    files, window, _, _ = rig
    window.run_on_screen, window.answer = True, False
    assert not files.paste_setup(encode_setup(small_config()))
    assert "Pasting a setup" in window.questions[0] and window.log == []


# ---------------------------------------------------------------- animations


def test_export_animation_asks_view_rate_and_file_and_remembers_them(rig, tmp_path):
    from playground.ui.controllers.file_controller import ANIMATION_KEYS

    files, window, dialogs, store = rig
    window.front = window.views[0]
    dialogs.answers = [("loss", 4, 2.5, 640), str(tmp_path / "movie.gif")]
    written = files.export_animation()
    assert written == [tmp_path / "movie.gif"]
    assert window.did("animate") == [("animate", "loss", str(tmp_path / "movie.gif"), 4, 2.5, 640)]
    assert store[ANIMATION_KEYS["fps"]] == 4 and store[ANIMATION_KEYS["seconds"]] == 2.5
    assert "10 frames" in window.notes[-1] and "MP4 skipped" in window.notes[-1]
    assert files.animation_settings() == {"fps": 4, "seconds": 2.5, "width": 640}


def test_export_animation_only_offers_views_with_data_and_refuses_an_empty_one(rig):
    files, window, dialogs, _ = rig
    offered = []
    dialogs.animation_options = lambda views, current, fps, seconds, width: offered.append((views, current)) or None
    assert files.export_animation() == []
    assert offered == [([("loss", "Loss & more")], None)]
    assert files.export_animation(window.views[1], fps=5, seconds=1) == []
    assert dialogs.errors[-1] == ("Nothing to animate", "Boundary & more has nothing to draw yet.")
    window.views[0].has_data = False
    assert files.export_animation() == []
    assert "No view has anything to draw" in dialogs.errors[-1][1]
    assert not window.did("animate")


def test_export_animation_reports_bad_rates_and_write_errors(rig, tmp_path):
    from playground.core.base.fileio import RunFileError

    files, window, dialogs, _ = rig
    view = window.views[0]
    assert files.export_animation(view, str(tmp_path / "m.gif"), fps=0, seconds=2) == []
    assert "frame rate 0" in dialogs.errors[-1][1]
    window.export_error = RunFileError("Loss: only the run's last state is there to draw")
    assert files.export_animation(view, str(tmp_path / "m.gif"), fps=5, seconds=2) == []
    assert dialogs.errors[-1] == ("Cannot export the animation", "Loss: only the run's last state is there to draw")
