"""The lessons panel's logic without a window: which lesson a choice opens, what opening one
does, what the buttons allow, when a sweep may start and what it says as it goes and ends."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from playground.core.config import ConfigError, apply_overrides
from playground.core.experiments.lessons import builtin_lessons, get_lesson
from playground.ui.controllers.lesson_controller import OPEN_FILE, LessonController
from playground.ui.model.run_state import RunState


class MockPanel:
    def __init__(self, runs: Path):
        self.sweeping = False
        self.run_on_screen = False
        self.answer = True
        self.questions: list[str] = []
        self.log: list[tuple] = []
        self.status = ""
        self.error = ""
        self.choice: tuple | None = None
        self.buttons = None
        self.file_answer: str | None = None
        self.settings_value = None
        self.runs = runs
        self.progress: float | None = None
        self.has_runner = False

    def may_discard(self, question):
        if not self.run_on_screen:
            return True
        self.questions.append(question)
        return self.answer

    def reset(self):
        self.log.append(("reset",))

    def load_settings(self, config):
        self.log.append(("load", config))
        self.settings_value = config

    def set_hooks(self, hooks):
        self.log.append(("hooks", hooks))

    def settings(self):
        if isinstance(self.settings_value, Exception):
            raise self.settings_value
        return self.settings_value

    def show_preview(self):
        self.log.append(("preview",))

    def ensure_view(self, key):
        self.log.append(("ensure", key))

    def bring_forward(self, key):
        self.log.append(("forward", key))

    def show_text(self, html):
        self.log.append(("text", html))

    def show_status(self, text):
        self.status = text

    def show_error(self, text):
        self.error = text

    def show_choice(self, key, file_title):
        self.choice = (key, file_title)

    def show_buttons(self, buttons):
        self.buttons = buttons

    def choose_lesson_file(self):
        return self.file_answer

    def announce(self, lesson):
        self.log.append(("opened", lesson))

    def start_run(self):
        self.log.append(("start",))

    def start_sweep(self, config, spec, hooks, out):
        self.log.append(("sweep", config, spec, hooks, out))
        self.sweeping = self.has_runner = True

    def stop_sweep_thread(self):
        return self.has_runner

    def show_sweep_started(self, param, message, config=None, values=None):
        self.log.append(("sweep_view", param, message))
        self.sweep_values = values

    def show_progress(self, fraction):
        self.progress = fraction

    def show_sweep_table(self, table, param, show):
        self.log.append(("table", table, param, show))

    def runs_dir(self):
        return self.runs

    def show_pager(self, pager):
        self.pager = pager

    def show_lesson_views(self, views):
        self.log.append(("views", views))

    def view_title(self, key):
        return key.replace("_", " ").title()

    def hold_runs(self, reason, total_epochs=0):
        self.log.append(("hold", reason, total_epochs))

    def show_sweep_run(self, config):
        self.log.append(("sweep_run", config))

    def feed(self, records):
        self.log.append(("feed", list(records)))

    def did(self, name):
        return [entry for entry in self.log if entry[0] == name]


@pytest.fixture
def rig(tmp_path):
    panel = MockPanel(tmp_path / "runs")
    return LessonController(panel, builtin_lessons()), panel


def test_opening_a_builtin_lesson_loads_settings_hooks_views_and_text(rig):
    lessons, panel = rig
    lesson = get_lesson("learning-modes")
    assert lessons.open_lesson(lesson)
    assert panel.did("reset") and panel.did("load") == [("load", lesson.config)]
    assert panel.did("hooks") == [("hooks", dict(lesson.hooks))] and lesson.hooks
    assert [key for _, key in panel.did("ensure")] == list(lesson.views)
    assert lesson.title in panel.did("text")[0][1] and "Lesson loaded: learning-modes." in panel.status
    assert panel.choice == ("learning-modes", f"{lesson.title} (file)")
    assert panel.did("forward") == [("forward", lesson.views[0])]
    assert panel.did("preview") and panel.did("opened") == [("opened", lesson)]
    assert panel.buttons.run and panel.buttons.sweep == (lesson.sweep is not None)


def test_opening_over_a_run_asks_and_no_keeps_everything(rig):
    lessons, panel = rig
    panel.run_on_screen, panel.answer = True, False
    assert not lessons.open_lesson(get_lesson("batch-size"))
    assert len(panel.questions) == 1 and "batch" in panel.questions[0].lower()
    assert lessons.lesson is None and panel.did("reset") == [] and panel.choice == (None, "")


def test_the_choice_list_opens_builtins_files_and_asks_for_a_file(rig, tmp_path):
    lessons, panel = rig
    lessons.choose(None)
    assert panel.log == []
    lessons.choose(OPEN_FILE)  # the file dialog cancelled: back to what was chosen
    assert panel.choice == (None, "") and lessons.lesson is None
    source = Path(get_lesson("batch-size").path).read_text().replace('name = "batch-size"', 'name = "mine"')
    path = tmp_path / "mine.toml"
    path.write_text(source)
    panel.file_answer = str(path)
    lessons.choose(OPEN_FILE)
    assert lessons.lesson.name == "mine" and panel.choice[0] == str(path) and "(from " in panel.status
    path.write_text(source.replace('name = "mine"', 'name = "mine-changed"'))
    lessons.choose(str(path))  # a file chosen again is read again
    assert lessons.lesson.name == "mine-changed"
    lessons.choose("parity-wall")
    assert lessons.lesson.name == "parity-wall" and panel.choice[0] == "parity-wall"


def test_a_broken_lesson_file_is_refused_naming_it(rig, tmp_path):
    lessons, panel = rig
    path = tmp_path / "broken.toml"
    path.write_text('title = "x"\n[text]\nquestion = "q"\nwhat_to_do = "w"\nlook_for = "l"\n'
                    '[settings.train]\nlr = -1\n')
    assert not lessons.open_file(path)
    assert str(path) in lessons.last_error and "train.lr" in panel.error and panel.did("reset") == []


def test_closing_the_lesson_drops_its_hooks(rig):
    lessons, panel = rig
    lessons.open_lesson(get_lesson("learning-modes"))
    lessons.close_lesson()
    assert lessons.lesson is None and panel.did("hooks")[-1] == ("hooks", None)
    assert panel.choice == (None, "") and not panel.buttons.run and not panel.buttons.sweep
    assert panel.did("opened")[-1] == ("opened", None)
    lessons.bring_forward()  # no lesson: nothing to bring forward
    assert len(panel.did("forward")) == 1


def test_run_the_lesson_needs_a_lesson(rig):
    lessons, panel = rig
    lessons.run_lesson()
    assert panel.did("start") == []
    lessons.open_lesson(get_lesson("batch-size"))
    lessons.run_lesson()
    assert panel.did("start") == [("start",)]


def test_a_sweep_starts_only_with_a_sweep_valid_settings_and_none_running(rig):
    lessons, panel = rig
    assert not lessons.run_sweep()  # no lesson
    lesson = get_lesson("parity-wall")
    lessons.open_lesson(lesson)
    panel.settings_value = ConfigError("batch size: not a number")
    assert not lessons.run_sweep() and lessons.last_error == "batch size: not a number"
    panel.settings_value = apply_overrides(lesson.config, ["task.params.bits=3"])
    assert not lessons.run_sweep()  # a swept value the settings cannot take is named
    assert "sweep" in lessons.last_error and panel.did("sweep") == []
    panel.settings_value = lesson.config
    assert lessons.run_sweep()
    (_, config, spec, hooks, out), = panel.did("sweep")
    assert config == lesson.config and spec is lesson.sweep and hooks == dict(lesson.hooks)
    assert out.parent == panel.runs / "sweeps" and out.name.endswith("-parity-wall")
    assert panel.sweep_values == lesson.sweep.values  # the sweep view's x axis spans them all from the start
    # The value training now is watched live in the lesson's own first view.
    assert panel.progress == 0.0 and panel.did("forward")[-1] == ("forward", "loss")
    assert panel.did("hold")[-1][1].startswith("The sweep of task.n is training")
    assert not panel.buttons.sweep and panel.buttons.stop_visible
    assert not lessons.run_sweep()  # one at a time
    assert len(panel.did("sweep")) == 1


def test_sweep_folders_never_collide(rig):
    lessons, panel = rig
    lessons.open_lesson(get_lesson("parity-wall"))
    first = lessons.sweep_folder(now=0.0)
    first.mkdir(parents=True)
    second = lessons.sweep_folder(now=0.0)
    assert second.name == first.name + "-2" and not second.exists()


def test_sweep_progress_tables_and_end(rig):
    lessons, panel = rig
    lesson = get_lesson("parity-wall")
    lessons.open_lesson(lesson)
    panel.settings_value = lesson.config
    lessons.run_sweep()
    progress = SimpleNamespace(fraction=0.5, value=10, trial=1, trials=4, epoch=3, total_epochs=6)
    lessons.show_sweep(progress, "table1", 1)
    assert panel.progress == 0.5 and "value 2 of 4" in panel.status and "epoch 3 / 6" in panel.status
    lessons.show_sweep(None, "table1", 1)  # the same revision again: not redrawn
    assert panel.did("table") == [("table", "table1", lesson.sweep.param, lesson.sweep.show)]
    lessons.show_sweep(None, "table2", 2)
    assert len(panel.did("table")) == 2
    lessons.stop_sweep()
    assert "Stopping" in panel.status
    panel.sweeping = False
    lessons.sweep_finished("stopped by user")
    assert panel.progress is None and panel.status == "Sweep stopped by user."  # nothing written yet
    assert panel.buttons.sweep and not panel.buttons.stop_visible
    assert panel.did("hold")[-1] == ("hold", None, 0) and panel.did("forward")[-1] == ("forward", "sweep")
    lessons.show_sweep(progress, "table2", 2)  # a late poll: the end's line stays
    assert panel.status == "Sweep stopped by user."
    lessons.sweep_finished("failed: RuntimeError: boom")
    assert panel.error == "Sweep failed: RuntimeError: boom"


def test_presets_open_their_lesson_or_close_the_open_one(rig):
    lessons, panel = rig
    lessons.preset_chosen("edge-of-chaos")
    assert lessons.lesson is not None and lessons.lesson.name == "edge-of-chaos"
    opened = len(panel.did("opened"))
    lessons.preset_chosen("edge-of-chaos")  # already open: not opened again
    assert len(panel.did("opened")) == opened
    lessons.preset_chosen("spiral")
    assert lessons.lesson is None and panel.did("hooks")[-1] == ("hooks", None)


def test_a_sweep_asks_before_it_clears_the_run_on_screen(rig):
    lessons, panel = rig
    lesson = get_lesson("parity-wall")
    lessons.open_lesson(lesson)
    panel.settings_value = lesson.config
    panel.run_on_screen, panel.answer = True, False
    resets = len(panel.did("reset"))
    assert not lessons.run_sweep() and panel.did("sweep") == [] and len(panel.did("reset")) == resets
    assert "sweep" in panel.questions[-1]
    panel.answer = True
    assert lessons.run_sweep() and len(panel.did("reset")) == resets + 1


def test_the_sweeps_current_run_feeds_the_views_value_by_value(rig):
    lessons, panel = rig
    lesson = get_lesson("parity-wall")
    lessons.open_lesson(lesson)
    panel.settings_value = lesson.config
    lessons.run_sweep()
    progress = SimpleNamespace(fraction=0.1, value=5, trial=0, trials=4, epoch=2, total_epochs=6)
    lessons.show_sweep(progress, None, 0, records=[(0, 5, "r1"), (0, 5, "r2")])
    (_, first), = panel.did("sweep_run")
    assert first.task.params["n"] == 5 and first.train.ensemble == lesson.sweep.seeds
    assert panel.did("feed") == [("feed", ["r1", "r2"])]
    total = panel.did("hold")[-1][2]
    assert total == first.train.epochs  # the status bar counts the value's own epochs
    lessons.show_sweep(progress, None, 0, records=[(0, 5, "r3"), (1, 10, "s1")])
    runs = panel.did("sweep_run")
    assert len(runs) == 2 and runs[1][1].task.params["n"] == 10  # the next value starts the views afresh
    assert panel.did("feed")[1:] == [("feed", ["r3"]), ("feed", ["s1"])]
    lessons.show_sweep(progress, None, 0, records=[])
    assert len(panel.did("feed")) == 3


def test_the_text_is_paged_as_steps_with_back_and_next(rig):
    lessons, panel = rig
    lesson = get_lesson("parity-wall")
    lessons.open_lesson(lesson)
    assert (panel.pager.step, panel.pager.steps, panel.pager.back, panel.pager.next) == (1, 4, False, True)
    page = panel.did("text")[-1][1]
    assert "The question" in page and "What to do" not in page and "Step 1 of 4" in page
    lessons.next_step()
    lessons.next_step()
    assert "What to look for" in panel.did("text")[-1][1] and panel.pager.back
    lessons.next_step()
    last = panel.did("text")[-1][1]
    assert "What the paper found" in last and "Caveats" in last and "Sources" in last and not panel.pager.next
    lessons.next_step()  # past the last step: stays
    assert panel.pager.step == 4
    lessons.previous_step()
    assert panel.pager.step == 3
    lessons.close_lesson()
    assert panel.pager.steps == 0


def test_the_state_line_follows_the_run(rig):
    """Issue 13, item 6: the panel said "Press Run the lesson" while the lesson trained."""
    lessons, panel = rig
    lesson = get_lesson("fitting-compression")
    lessons.open_lesson(lesson)
    assert "Press Run the lesson" in panel.status and panel.buttons.run
    lessons.run_state_changed(RunState.RUNNING)
    assert "Press Run" not in panel.status and "Training" in panel.status
    assert "Info Plane and Loss" in panel.status and not panel.buttons.run  # the lesson's first views
    lessons.run_state_changed(RunState.PAUSED)
    assert panel.status.startswith("Paused")
    lessons.run_state_changed(RunState.FINISHED)
    assert panel.status.startswith("Finished: look at Info Plane and Loss") and "step 3" in panel.status
    assert panel.buttons.run
    lessons.run_state_changed(RunState.READY)  # a Reset: loaded again
    assert "Press Run the lesson" in panel.status


def test_a_lesson_shows_its_own_views_and_closing_it_all_views(rig):
    lessons, panel = rig
    lesson = get_lesson("batch-size")
    lessons.open_lesson(lesson)
    assert panel.did("views") == [("views", lesson.views)]
    lessons.close_lesson()
    assert panel.did("views")[-1] == ("views", None)
