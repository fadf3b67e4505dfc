"""The run buttons' logic against a mock window and a synchronous fake session: no QApplication,
no threads. The session's events are delivered by hand, in the order a worker sends them."""

from dataclasses import replace

import pytest

from playground.core.config import Config, ConfigError, validate
from playground.ui.controllers.run_controller import (Buttons, RunController, buttons_for, format_duration,
                                                      metrics_readout)
from playground.ui.model.run_state import OVER, RunState, state_after

R = RunState


def small(**train) -> Config:
    cfg = validate(Config())
    return replace(cfg, train=replace(cfg.train, **train)) if train else cfg


class FakeSession:
    """TrainingSession's public API, synchronous: it records what it was told."""

    def __init__(self):
        self.calls: list[tuple] = []
        self.records: list = []
        self.params: dict[str, float] = {}
        self.active = False
        self.paused = False

    def start(self, config, steps=None):
        self.calls.append(("start", config, steps))
        self.active, self.paused = True, False

    def pause(self):
        self.calls.append(("pause",))
        self.paused = True

    def resume(self):
        self.calls.append(("resume",))
        self.paused = False

    def step(self, epochs=1):
        self.calls.append(("step", epochs))
        self.paused = False

    def stop(self):
        self.calls.append(("stop",))

    def shutdown(self):
        self.calls.append(("shutdown",))
        self.active = False

    def set_optimizer_params(self, **values):
        self.calls.append(("params", values))
        self.params.update(values)

    def set_weight(self, member, layer, source, target, value):
        if layer > 3:
            raise ConfigError(f"weight.{member}.{layer}.{source}.{target}: the network has layers 1 to 3")
        self.calls.append(("weight", member, layer, source, target, value))

    def take(self):
        records, self.records = self.records, []
        return records

    def names(self) -> list[str]:
        return [call[0] for call in self.calls]


class MockView:
    """The window as the controller sees it; `answer` is what the user says to every question."""

    def __init__(self, settings: Config | None = None):
        self.settings = settings or small()
        self.bad_settings: str | None = None  # a ConfigError the controls would raise
        self.answer = True
        self.questions: list[str] = []
        self.log: list[tuple] = []
        self.buttons: Buttons | None = None
        self.shown_state: RunState | None = None
        self.banner = ""
        self.refusal = ""

    def read_settings(self):
        if self.bad_settings:
            raise ConfigError(self.bad_settings)
        return self.settings

    def live_params(self):
        return {"lr": self.settings.train.lr}

    def load_settings(self, config):
        self.log.append(("load", config))
        self.settings = config

    def show_state(self, state, buttons):
        self.shown_state, self.buttons = state, buttons

    def refresh_status(self):
        self.log.append(("status",))

    def refuse(self, message):
        self.refusal = message

    def show_banner(self, text):
        self.banner = text

    def say(self, text):
        self.log.append(("say", text))

    def ask(self, question):
        self.questions.append(question)
        return self.answer

    def clear_run(self, keep_preview=False):
        self.log.append(("clear",))
        self.kept_preview = keep_preview
        self.banner = ""

    def prepare_run(self, config):
        self.log.append(("prepare", config))

    def show_run_config(self, config):
        self.log.append(("run_config", config))

    def show_preview(self):
        self.log.append(("preview",))

    def drain(self):
        self.log.append(("drain",))

    def preset_loaded(self, name):
        self.log.append(("preset", name))

    def did(self, name: str) -> int:
        return sum(1 for entry in self.log if entry[0] == name)


@pytest.fixture
def rig():
    view, session = MockView(), FakeSession()
    return RunController(view, session), view, session


def test_start_begins_a_run_and_the_buttons_follow(rig):
    run, view, session = rig
    assert run.state is R.READY and run.run_config is None
    run.start()
    assert run.state is R.RUNNING and view.shown_state is R.RUNNING
    assert session.calls[-1] == ("start", view.settings, None)
    assert run.run_config == view.settings and view.did("prepare") == 1
    assert view.buttons == Buttons(start=False, start_text="Training…", pause=True, pause_text="Pause",
                                   step=False, stop=True, reset=True)
    run.start()  # a second press while running does nothing
    assert session.names().count("start") == 1


def test_pause_resume_stop_and_the_finished_event(rig):
    run, view, session = rig
    run.start()
    run.toggle_pause()
    assert run.state is R.PAUSED and session.paused and view.buttons.pause_text == "Resume"
    run.toggle_pause()
    assert run.state is R.RUNNING and not session.paused
    run.stop()
    assert run.state is R.STOPPING and session.calls[-1] == ("stop",)
    assert not view.buttons.reset and not view.buttons.start  # waiting for the worker's last record
    run.on_finished("stopped by user")
    assert run.state is R.STOPPED and view.did("drain") == 1
    assert view.buttons.start and view.buttons.start_text == "▶  Start again" and not view.buttons.stop
    run.stop()  # nothing left to stop
    assert session.names().count("stop") == 1


def test_step_from_idle_trains_one_epoch_then_pauses_and_step_again(rig):
    run, view, session = rig
    run.step()
    assert run.state is R.STEPPING and session.calls[-1] == ("start", view.settings, 1)
    run.on_step_done(1)
    assert run.state is R.PAUSED
    run.step()
    assert run.state is R.STEPPING and session.calls[-1] == ("step", 1)
    run.on_step_done(2)
    assert run.state is R.PAUSED
    run.on_step_done(3)  # a step event while not stepping changes nothing
    assert run.state is R.PAUSED


@pytest.mark.parametrize("reason, state", [("completed", R.FINISHED), ("stopped by user", R.STOPPED),
                                           ("failed", R.FAILED), ("diverged: loss is nan", R.DIVERGED)])
def test_the_stop_reason_decides_the_state_a_run_ends_in(rig, reason, state):
    run, view, _ = rig
    run.start()
    run.on_finished(reason)
    assert run.state is state and state in OVER and state_after(reason) is state
    assert view.buttons.start and view.buttons.step and not view.buttons.pause
    if state is R.DIVERGED:
        assert "diverged" in view.banner and "loss is nan" in view.banner


def test_a_failure_shows_why_and_start_works_again(rig):
    run, view, session = rig
    run.start()
    run.on_failed("cuda is not available")
    run.on_finished("failed")
    assert run.state is R.FAILED and "cuda is not available" in view.banner
    run.start()
    assert run.state is R.RUNNING and view.banner == ""  # the new run cleared it
    assert session.names().count("start") == 2


def test_bad_settings_refuse_start_and_step_with_the_reason(rig):
    run, view, session = rig
    view.bad_settings = "task.path: give the csv file"
    run.start()
    run.step()
    assert run.state is R.READY and "task.path" in view.refusal and "start" not in session.names()


def test_the_run_started_event_sets_device_and_total_for_the_status(rig):
    run, view, _ = rig
    run.start()
    run.on_started(("cpu", 40, 1))
    texts = run.status_texts(epoch=3, rate=12.34, elapsed=75)
    assert texts == ("<b>running</b>", "epoch 3 / 40", "12.3 epochs/s", "device: cpu", "training time 1:15")
    run.toggle_pause()
    assert run.status_texts(3, 12.34, 75)[:3] == ("<b>paused</b>", "epoch 3 / 40", "")  # no rate when paused
    assert format_duration(3725) == "1:02:05"


def test_reset_clears_the_run_and_shows_the_preview(rig):
    run, view, session = rig
    run.start()
    session.records = ["old record"]
    run.reset()
    assert run.state is R.READY and run.run_config is None
    assert session.names()[-1] == "shutdown" and session.records == []  # the old run's records are gone
    assert view.did("clear") == 2 and view.did("preview") == 1
    assert view.buttons == buttons_for(R.READY) and view.buttons.start_text == "▶  Start"


def test_a_late_finished_after_reset_is_dropped_and_asks_nothing_later(rig):
    """Issue 12 item 3: the old worker's "finished" arrived after a mid-run Reset, flipped the
    window from ready to stopped, a settings change then asked a needless "Reset now?", and No
    crashed restoring the settings of a run that no longer existed."""
    run, view, session = rig
    run.start()
    run.on_started(("cpu", 40, 1))
    run.reset()
    run.on_failed("late failure")  # everything the old run still sends
    run.on_step_done(5)
    run.on_started(("cuda", 99, 1))
    run.on_finished("stopped by user")
    assert run.state is R.READY and view.banner == "" and run.total_epochs == 40
    assert view.did("drain") == 0
    view.answer = False
    run.on_settings_changed("reset", "the network")
    assert view.questions == [] and view.did("preview") == 2  # a plain preview, no question
    assert view.did("load") == 0


def test_events_tagged_with_another_runs_id_are_dropped(rig):
    run, view, _ = rig
    run.start()
    first = run.run_id
    run.stop()
    run.on_finished("stopped by user", run_id=first)
    run.start()
    assert run.run_id == first + 1
    run.on_finished("completed", run_id=first)  # the first run's, once more: stale
    assert run.state is R.RUNNING
    run.on_finished("completed", run_id=run.run_id)
    assert run.state is R.FINISHED
    run.on_finished("stopped by user")  # after its own finished the run awaits nothing
    assert run.state is R.FINISHED


def test_records_reach_the_history_only_while_a_run_is_on_screen(rig):
    run, view, session = rig
    session.records = ["stray"]
    assert run.take_records() == [] and session.records == []  # READY: drained, not drawn
    run.start()
    session.records = ["r1", "r2"]
    assert run.take_records() == ["r1", "r2"]
    run.on_finished("completed")
    session.records = ["final"]
    assert run.take_records() == ["final"]  # the last records come after "finished"
    run.reset()
    session.records = ["late"]
    assert run.take_records() == []


def test_a_live_change_reaches_the_run_and_asks_nothing(rig):
    run, view, session = rig
    run.start()
    view.settings = replace(view.settings, train=replace(view.settings.train, lr=0.0042))
    run.on_settings_changed("live", "the learning rate")
    assert session.params == {"lr": 0.0042} and run.run_config.train.lr == 0.0042
    assert view.log[-1] == ("run_config", run.run_config) and view.questions == []
    assert run.state is R.RUNNING


def test_a_live_change_before_start_is_only_passed_on(rig):
    run, view, session = rig
    run.on_settings_changed("live", "the learning rate")
    assert session.params == {"lr": view.settings.train.lr} and run.run_config is None
    assert view.did("run_config") == 0


def test_a_change_that_needs_a_new_run_asks_and_no_restores_the_runs_settings(rig):
    run, view, session = rig
    run.start()
    started_with = run.run_config
    view.answer = False
    view.settings = small(epochs=7)
    run.on_settings_changed("reset", "the network")
    assert len(view.questions) == 1 and "the network" in view.questions[0] and "stops and" in view.questions[0]
    assert run.state is R.RUNNING and view.log[-1] == ("load", started_with)
    view.answer = True
    run.on_settings_changed("reset", "the network")
    assert run.state is R.READY and session.names()[-1] == "shutdown" and view.did("preview") == 1


def test_after_a_finished_run_the_question_does_not_say_it_stops(rig):
    run, view, _ = rig
    run.start()
    run.on_finished("completed")
    run.on_settings_changed("reset", "the task")
    assert "stops and" not in view.questions[0] and "the task" in view.questions[0]
    assert run.state is R.READY


def test_ready_settings_changes_redraw_the_preview_without_asking(rig):
    run, view, _ = rig
    run.on_settings_changed("reset", "the task")
    assert view.questions == [] and view.did("preview") == 1


def test_discarding_a_run_asks_only_when_there_is_one(rig):
    run, view, _ = rig
    view.answer = False
    assert run.may_discard("Open?") and view.questions == []
    run.start()
    assert not run.may_discard("Open?") and view.questions == ["Open?"]


def test_loading_a_preset_mid_run_asks_and_no_keeps_the_run(rig):
    run, view, session = rig
    run.start()
    view.answer = False
    assert not run.load_preset("parity")
    assert run.state is R.RUNNING and view.did("load") == 0
    view.answer = True
    assert run.load_preset("parity")
    assert run.state is R.READY and view.log[-1][0] == "say" and "parity" in view.log[-1][1]
    loaded = [entry[1] for entry in view.log if entry[0] == "load"]
    assert loaded[-1].task.name == "parity"
    assert view.log[-2] == ("preset", "parity")  # the window drops what belonged to the old settings


def test_while_a_sweep_trains_start_and_step_are_refused_with_the_reason(rig):
    run, view, session = rig
    run.set_busy("The sweep is training: stop it first.", total_epochs=30)
    assert not view.buttons.start and not view.buttons.step
    run.start()
    run.step()
    assert "start" not in session.names() and run.state is R.READY and "stop it first" in view.refusal
    assert run.status_texts(epoch=4, rate=0.0, elapsed=1)[:2] == ("<b>sweep</b>", "epoch 4 / 30")
    run.set_busy(None)
    assert view.buttons == buttons_for(R.READY) and run.total_epochs == 0
    run.start()
    assert run.state is R.RUNNING


def test_the_readout_is_the_latest_epochs_mean_over_members():
    metrics = {"epoch": [1, 1, 2, 2], "member": [0, 1, 0, 1],
               "train_loss": [9.0, 9.0, 0.25, 0.75], "train_acc": [0.0, 0.0, 0.9, 0.8],
               "test_loss": [9.0, 9.0, 1.0, 2.0], "test_acc": [0.0, 0.0, 0.5, 0.7]}
    text, tip = metrics_readout(metrics)
    assert text == "train: loss 0.5, acc 85.0 %  ·  test: loss 1.5, acc 60.0 %"
    assert "epoch 2" in tip and "2 networks" in tip
    one = {name: values[2:3] for name, values in metrics.items()}
    assert metrics_readout(one)[0].startswith("train: loss 0.25, acc 90.0 %") and "one network" in metrics_readout(one)[1]
    assert metrics_readout({}) == ("", "")
    diverged = dict(metrics, train_loss=[1.0, 1.0, float("nan"), 0.5])
    assert "loss nan" in metrics_readout(diverged)[0]  # a diverged member shows, not averaged away


def test_close_ends_the_run_and_drops_what_comes_after(rig):
    run, view, session = rig
    run.start()
    run.close()
    assert session.names()[-1] == "shutdown"
    run.on_finished("stopped by user")
    assert run.state is R.RUNNING and view.did("drain") == 0


def test_every_state_has_buttons_consistent_with_what_the_controller_accepts():
    for state in R:
        buttons = buttons_for(state)
        assert buttons.start == state.idle
        assert buttons.stop == state.live
        assert buttons.pause == (state in (R.RUNNING, R.PAUSED))
        assert buttons.step == (state.idle or state is R.PAUSED)
        assert buttons.reset == (state is not R.STOPPING)


def test_the_real_session_offers_everything_the_controller_and_the_window_use():
    """The controller depends on TrainingSession's public API alone (the session may move
    training into another process): each method and property of `Session`, and the four signals
    the window wires to the controller."""
    from playground.ui.controllers.run_controller import Session
    from playground.ui.session.worker import TrainingSession

    used = [name for name in vars(Session) if not name.startswith("_")]
    assert {"start", "pause", "resume", "step", "stop", "shutdown", "set_optimizer_params", "set_weight", "take",
            "active", "paused"} <= set(used)
    for name in (*used, "run_started", "step_done", "run_failed", "run_finished"):
        assert hasattr(TrainingSession, name), name


def test_a_weight_is_edited_only_in_a_paused_run_and_goes_to_the_session(rig):
    run, view, session = rig
    assert not run.set_weight(0, 1, 0, 2, 0.5)
    assert "Press Step first" in view.refusal and "weight" not in session.names()
    run.step()
    assert not run.set_weight(0, 1, 0, 2, 0.5) and "Pause first" in view.refusal  # the step is still training
    run.on_step_done(1)
    assert run.weight_edit_note() == ""
    assert run.set_weight(0, 1, 0, 2, 0.5)
    assert session.calls[-1] == ("weight", 0, 1, 0, 2, 0.5)
    assert not run.set_weight(0, 7, 0, 0, 1.0) and "layers 1 to 3" in view.refusal  # the trainer's check, said
    run.on_finished("completed")
    assert not run.set_weight(0, 1, 0, 2, 0.5) and "ended" in view.refusal
    assert session.names().count("weight") == 1
