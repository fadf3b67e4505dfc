"""The views of lessons 11-19, drawn off screen from real tiny runs of each lesson's hooks: the
live run as the app's worker delivers it (its last record carries the hooks' final arrays) and
the same run reopened from the folder it autosaved; each shows its message when there is
nothing to draw; the sweep views draw a sweep table and fall back to the run's own figures."""

import time

import numpy as np
import pytest

from playground.cli import main
from playground.core.config import apply_overrides
from playground.core.experiments import lessons as core_lessons
from playground.core.experiments.lessons import builtin_lessons, get_lesson
from playground.core.experiments.sweep import SweepSpec, run_sweep
from playground.core.measures.hook_kinds import resolve_hooks
from playground.core.runs import final_state
from playground.ui.model.history import History
from playground.ui.model.reopen import open_history
from playground.ui.session.autosave import RunRecorder
from playground.ui.session.worker import TrainingSession
from playground.ui.views import ON_DEMAND, VIEWS, feed_sweep, make_view

# lesson -> settings small enough for a test (the lesson's own otherwise), and the views it names
SMALL = {
    "adversarial-examples": (["network.hidden=[16]"], {"adversarial": {"eps": "0, 0.1, 0.3", "pgd_steps": 2}}),
    "fooling-images": (["network.hidden=[16]"], {"fooling": {"steps": 10, "record_every": 5}}),
    "one-pixel": (["network.hidden=[16]"], {"one_pixel": {"examples": 3}}),
    "pruning": (["network.hidden=[16]"], {"pruning": {"sparsities": "0.5, 0.9", "retrain_epochs": 1}}),
    "loss-landscape": (["network.hidden=[8]"], {"landscape": {"plane_points": 5, "line_points": 7},
                                                "curvature": {"every": 1, "iterations": 5, "samples": 128}}),
    "lazy-training": (["network.hidden=[16]"], {"lazy": {"every": 1}}),
    "layer-separation": (["network.hidden=[8, 8]"], {"separation": {"every": 1, "samples": 50}}),
    "vanishing-gradients": (["network.hidden=[8, 8, 8]"], {"gradient_depth": {"every": 1}}),
    "double-descent": (["network.hidden=[30]"], {}),
}
EPOCHS, MEMBERS = 2, 2


def small_config(name):
    overrides, hooks = SMALL[name]
    lesson = get_lesson(name)
    config = apply_overrides(lesson.config, [*overrides, f"train.epochs={EPOCHS}", f"train.ensemble={MEMBERS}"])
    settings = {k: {**v, **hooks.get(k, {})} for k, v in lesson.hooks.items()}
    return config, resolve_hooks(settings, config)


class Run:
    def __init__(self, live: History, folder):
        self.live, self.folder = live, folder

    def reopened(self) -> History:
        return open_history(self.folder)


@pytest.fixture(scope="module")
def runs(qapp, tmp_path_factory):
    """Each lesson trained once through the app's own session (worker thread, autosave)."""
    base = tmp_path_factory.mktemp("runs")
    made = {}
    for name in SMALL:
        config, hooks = small_config(name)
        session = TrainingSession()
        session.hook_settings = hooks
        session.recorder_factory = lambda cfg, name=name: RunRecorder(base / name, cfg)
        finished = []
        session.run_finished.connect(finished.append)
        session.start(config)
        deadline = time.monotonic() + 120
        while not finished and time.monotonic() < deadline:
            qapp.processEvents()
            time.sleep(0.01)
        session.shutdown()
        assert finished == ["completed"], (name, finished)
        history = History()
        history.config = config
        history.extend(session.take())
        made[name] = Run(history, session.recorder.run_dir)
    return made


def drawn(view, history, qapp):
    view.resize(1000, 650)
    view.show()
    view.update_from(history, force=True)
    qapp.processEvents()
    return view


LESSON_VIEWS = [(lesson.name, key) for lesson in builtin_lessons() if lesson.name in SMALL
                for key in lesson.views if key not in ("loss", "sweep", "network")]


def test_every_lesson_view_is_registered_and_added_on_demand():
    assert set(core_lessons.VIEWS) == set(VIEWS)  # the lesson files' list and the app's agree
    assert len(LESSON_VIEWS) == 10
    for _, key in LESSON_VIEWS:
        assert key in ON_DEMAND and VIEWS[key].key == key


@pytest.mark.parametrize("name,key", LESSON_VIEWS)
def test_view_shows_its_message_then_draws_the_live_and_the_reopened_run(name, key, runs, qtbot, qapp):
    view = make_view(key)
    qtbot.addWidget(view)
    drawn(view, History(), qapp)
    assert view.showing_message and f"\"{get_lesson(name).title}\"" in view.message.text()
    for history in (runs[name].live, runs[name].reopened()):
        drawn(view, history, qapp)
        assert not view.showing_message and view.holds_data(), (key, history.source)
    view.clear()
    assert view.showing_message and not view.holds_data()


def test_live_and_reopened_runs_carry_the_same_final_arrays(runs):
    for name in ("adversarial-examples", "fooling-images", "one-pixel", "pruning", "layer-separation"):
        live, reopened = runs[name].live.live["final_arrays"], runs[name].reopened().live["final_arrays"]
        assert set(live) == set(reopened) and live, name
        for array in live:
            np.testing.assert_allclose(np.asarray(live[array], dtype=float), np.asarray(reopened[array], dtype=float),
                                       atol=1e-6, err_msg=f"{name} {array}")


def test_adversarial_view_draws_every_eps_and_member_zeros_images(runs, qtbot, qapp):
    view = drawn(make_view("adversarial"), runs["adversarial-examples"].live, qapp)
    qtbot.addWidget(view)
    for key, curve in view.curves.items():
        x, y = curve.getData()
        assert x.tolist() == [0, 0.1, 0.3], key
        assert np.all((y >= 0) & (y <= 100))
    own = view.curves["fgsm", "own"].getData()[1]
    assert own[0] > own[-1]  # eps 0.3 costs accuracy
    arrays = runs["adversarial-examples"].live.live["final_arrays"]
    count = len(arrays["adversarial_clean"])
    # Three rows (original, perturbed, difference) of `count` 8x8 tiles, 1 px apart, 3 px between rows.
    from playground.ui.views.adversarial import ROW_GAP

    assert view.grid.image.image.shape[:2] == (count * 9 - 1, 3 * 8 + 2 * ROW_GAP)
    texts = [c.textItem.toPlainText() for c in view.grid.captions if c.isVisible()]
    assert [str(int(p)) for p in arrays["adversarial_predictions"]] == texts[count + 2: 2 * count + 2]


def test_fooling_view_shows_ten_images_with_their_confidence(runs, qtbot, qapp):
    run = runs["fooling-images"].live
    view = drawn(make_view("fooling"), run, qapp)
    qtbot.addWidget(view)
    confidence = run.live["final_arrays"]["fooling_confidence"]
    texts = [c.textItem.toPlainText() for c in view.grid.captions if c.isVisible()]
    assert len(texts) == 10 and texts[3].startswith("3\n")
    view.member.setCurrentIndex(1)
    qapp.processEvents()
    texts = [c.textItem.toPlainText() for c in view.grid.captions if c.isVisible()]
    from playground.ui.model.series import confidence_text

    assert texts == [f"{c}\n{confidence_text(float(p))}" for c, p in enumerate(confidence[1])]
    assert len(view.traces) == 10 and view.traces[0].getData()[0].tolist() == [0, 5, 10]


def test_one_pixel_view_marks_the_changed_pixel_of_each_example(runs, qtbot, qapp):
    run = runs["one-pixel"].live
    view = drawn(make_view("one_pixel"), run, qapp)
    qtbot.addWidget(view)
    examples = run.columns("one_pixel_examples")
    mine = np.flatnonzero(examples["member"] == 0)
    marks = view.grid.markers.data["x"], view.grid.markers.data["y"]
    assert len(marks[0]) == len(mine) > 0
    # The first example's marker sits on its pixel in the second row's first tile.
    from playground.ui.views.one_pixel import ROW_GAP

    pixel, top = int(examples["pixel"][mine[0]]), 8 + ROW_GAP
    assert (marks[0][0], marks[1][0]) == (pixel % 8 + 0.5, top + pixel // 8 + 0.5)
    changed = view.grid.image.image  # (x, y, rgb)
    value = float(examples["value"][mine[0]])
    assert changed[pixel % 8, top + pixel // 8, 0] == round(255 * (1 - value))


def test_pruning_view_draws_each_method_against_sparsity(runs, qtbot, qapp):
    view = drawn(make_view("pruning"), runs["pruning"].live, qapp)
    qtbot.addWidget(view)
    named = [item for item in view.items if item.name()]
    assert [item.name() for item in named] == ["pruned, not retrained", "fine-tuned survivors",
                                               "rewound to initial values (ticket)", "same mask, new random values"]
    for item in named:
        assert item.getData()[0] == pytest.approx([np.log10(2), 1])  # 50% and 90% removed
    assert view.dense.isVisible() and 0 < view.dense.value() <= 100


def test_landscape_view_draws_the_line_and_the_plane(runs, qtbot, qapp):
    run = runs["loss-landscape"].live
    view = drawn(make_view("landscape"), run, qapp)
    qtbot.addWidget(view)
    alpha, loss = view.curves["train_loss"][1].getData()
    assert len(alpha) == 7 and alpha[0] == pytest.approx(-0.25) and alpha[-1] == pytest.approx(1.25)
    table = run.columns("landscape_line")
    at_one = np.mean(table["train_loss"][np.isclose(table["alpha"], 1.0)])
    assert 10 ** loss[np.isclose(alpha, 1.0)][0] == pytest.approx(at_one, rel=1e-6)  # the log axis holds log10
    assert view.image.image.shape == (5, 5)
    assert sum(c.data is not None for c in view.contours) == 8


def test_curvature_view_draws_both_eigenvalues_from_epoch_zero(runs, qtbot, qapp):
    view = drawn(make_view("curvature"), runs["loss-landscape"].live, qapp)
    qtbot.addWidget(view)
    epochs, largest = view.curves["max_eig"][1].getData()
    _, smallest = view.curves["min_eig"][1].getData()
    assert epochs.tolist() == list(range(EPOCHS + 1)) and np.all(largest >= smallest)


def test_separation_view_draws_every_layer_and_the_chosen_layers_scatter(runs, qtbot, qapp):
    run = runs["layer-separation"].live
    early = History()  # the first records: probes, no scatter yet
    early.config = run.config
    early.table("separation").append(run.columns("separation"))
    view = drawn(make_view("separation"), early, qapp)
    qtbot.addWidget(view)
    assert not view.showing_message and view.scatter.data.size == 0
    drawn(view, run, qapp)
    layers = [view.layer.itemText(i) for i in range(view.layer.count())]
    assert layers == ["input", "layer 1", "layer 2", "output"] and view.layer.currentText() == "output"
    assert view.scatter.data["x"].size == len(run.live["separation_labels"])
    view.layer.setCurrentIndex(0)
    qapp.processEvents()
    np.testing.assert_allclose(view.scatter.data["x"], run.live["separation_pca"][0][:, 0], atol=1e-6)


def tiny_sweep(name, values):
    config, hooks = small_config(name)
    spec = SweepSpec(get_lesson(name).sweep.param, values, seeds=1)
    return run_sweep(apply_overrides(config, ["train.epochs=1"]), spec, hooks).table


@pytest.mark.parametrize("name,key,values", [("lazy-training", "lazy", (16, 64)),
                                             ("vanishing-gradients", "gradient_depth", ("sigmoid", "relu")),
                                             ("double-descent", "double_descent", (20, 50))])
def test_sweep_views_draw_the_sweep_and_fall_back_to_the_run(name, key, values, runs, qtbot, qapp):
    view = make_view(key)
    qtbot.addWidget(view)
    table = tiny_sweep(name, values)
    view.set_sweep(None, "x", "Sweep starting")
    assert view.showing_message and view.message.text() == "Sweep starting"
    feed_sweep([view, make_view("loss")], table, get_lesson(name).sweep.param)
    assert not view.showing_message and view.holds_data()
    drawn(view, runs[name].live, qapp)
    with_sweep = {item.name() for item in view.data_items() if item.name()}
    view.set_sweep(None, "x")
    assert not view.showing_message and view.holds_data()  # the run's own figures alone
    alone = {item.name() for item in view.data_items() if item.name()}
    assert alone != with_sweep
    if key == "gradient_depth":
        assert {n.split()[0] for n in with_sweep} == set(values) and alone == {"epoch 0", "epoch 1", "epoch 2"}
        assert view.plot.titleLabel.text.count("sigmoid")
    else:
        assert "this run" in alone


def test_lazy_view_plots_each_layer_against_width_with_the_reference_slope(runs, qtbot, qapp):
    view = make_view("lazy")
    qtbot.addWidget(view)
    table = tiny_sweep("lazy-training", (16, 64))
    view.set_sweep(table, "network.width")
    qapp.processEvents()
    lines = {item.name(): item for item in view.data_items() if item.name()}
    assert {"layer 1", "layer 2", "slope −1/2"} <= set(lines)
    x, y = lines["layer 1"].xData, lines["layer 1"].yData
    assert x.tolist() == [16, 64] and y == pytest.approx(table["relative_change_1"])
    _, slope = lines["slope −1/2"].xData, lines["slope −1/2"].yData
    assert slope[1] / slope[0] == pytest.approx(0.5)  # four times the width, half the change


def test_double_descent_view_marks_the_interpolation_threshold(runs, qtbot, qapp):
    view = make_view("double_descent")
    qtbot.addWidget(view)
    drawn(view, runs["double-descent"].live, qapp)
    samples = float(runs["double-descent"].live.columns("double_descent")["samples"][0])
    assert view.threshold.isVisible() and view.threshold.value() == pytest.approx(np.log10(samples))
    view.x_choice.setCurrentIndex(1)  # features per sample: the threshold at p / n = 1
    qapp.processEvents()
    assert view.threshold.value() == pytest.approx(0.0)


def test_hook_arrays_may_not_take_a_name_the_state_file_uses(runs):
    class Clashing:
        def final_arrays(self, trainer):
            return {"weights_0": np.zeros(1)}

    class Trainer:
        hooks = [Clashing()]

    with pytest.raises(ValueError, match="weights_0"):
        final_state.hook_arrays(Trainer())
    assert not final_state.is_hook_array("boundary_probs") and final_state.is_hook_array("fooling_images")


def test_plot_writes_a_lesson_view_for_a_lesson_run_only(runs, tmp_path, capsys):
    folder = runs["fooling-images"].folder
    assert main(["plot", str(folder), "--out", str(tmp_path / "figures")]) == 0
    written = {p.stem for p in (tmp_path / "figures").iterdir()}
    # The confusion matrix belongs to every classification run; the other lesson views are absent.
    assert {"fooling", "confusion"} <= written and not written & (set(ON_DEMAND) - {"fooling", "confusion"})
    assert "skipped fooling" not in capsys.readouterr().out
