"""The confusion-matrix view: row fractions against a division done cell by cell; the live
confusion the session sends equals the saved one; the view's cells show the counts (mean or one
member) or the fractions it was given; a regression says it has no classes; `playground plot`
draws confusion.png from final_state.npz."""

import numpy as np
import pytest

from playground.cli import main
from playground.core.config import apply_overrides, from_dict, validate
from playground.core.experiments.assembly import build_trainer
from playground.core.measures.confusion import confusion_on_test_set, live_confusion, row_fractions
from playground.ui.model.history import History
from playground.ui.views import PLOTTED, VIEWS, make_view
from playground.ui.views.confusion import ConfusionView


def test_row_fractions_divide_each_row_by_its_total():
    counts = np.array([[[3, 1, 0], [0, 0, 0], [2, 2, 4]], [[1, 0, 0], [5, 5, 0], [0, 0, 1]]])
    fractions = row_fractions(counts)
    for e in range(2):
        for t in range(3):
            total = sum(counts[e, t])
            for p in range(3):
                if total == 0:
                    assert np.isnan(fractions[e, t, p])
                else:
                    assert fractions[e, t, p] == pytest.approx(counts[e, t, p] / total)


def test_live_confusion_is_the_test_confusion_and_none_for_a_regression():
    cfg = from_dict({"task": {"name": "gauss", "classes": 3, "samples": 60}})
    trainer = build_trainer(validate(apply_overrides(cfg, ["network.hidden=[4]", "train.ensemble=2"])))
    trainer.run_epoch()
    live = live_confusion(trainer)
    np.testing.assert_array_equal(live["counts"], confusion_on_test_set(trainer))
    np.testing.assert_allclose(live["mean"], live["counts"].mean(axis=0))
    regression = from_dict({"task": {"name": "reg-plane", "samples": 40}, "train": {"loss": "mse"}})
    assert live_confusion(build_trainer(validate(regression))) is None


def history_with(counts) -> History:
    history = History()
    counts = np.asarray(counts)
    history.live["confusion"] = {"counts": counts, "mean": counts.mean(axis=0)}
    history.live_revision += 1
    history.revision += 1
    return history


def cell_texts(view) -> dict[tuple[int, int], str]:
    return {(int(round(label.pos().y())), int(round(label.pos().x()))): label.textItem.toPlainText()
            for label in view.cell_labels if label.textItem.toPlainText()}


def test_the_cells_show_the_mean_a_member_and_the_row_fractions(qtbot):
    counts = np.array([[[8, 2], [1, 9]], [[6, 4], [3, 7]]])
    view = ConfusionView()
    qtbot.addWidget(view)
    view.resize(700, 600)
    view.update_from(history_with(counts))
    assert view.holds_data()
    assert cell_texts(view) == {(0, 0): "7", (0, 1): "3", (1, 0): "2", (1, 1): "8"}  # the mean of both
    assert "75.0 % right" in view.plot.titleLabel.text  # (7 + 8) / 20
    view.member_choice.combo.setCurrentIndex(2)  # member 1
    assert cell_texts(view) == {(0, 0): "6", (0, 1): "4", (1, 0): "3", (1, 1): "7"}
    view.values.setCurrentIndex(1)  # row fractions
    assert cell_texts(view) == {(0, 0): "0.60", (0, 1): "0.40", (1, 0): "0.30", (1, 1): "0.70"}
    # The image's colour follows the row fractions: the brighter cell of row 0 is (0, 0).
    image = view.image.image  # (x = predicted, y = true, RGBA)
    assert image.shape[:2] == (2, 2)
    assert image[0, 0, :3].astype(int).sum() > image[1, 0, :3].astype(int).sum()


def test_half_counts_of_a_mean_keep_their_decimal(qtbot):
    view = ConfusionView()
    qtbot.addWidget(view)
    view.update_from(history_with([[[1, 0], [0, 1]], [[0, 1], [0, 1]]]))
    assert cell_texts(view) == {(0, 0): "0.5", (0, 1): "0.5", (1, 0): "0.0", (1, 1): "1.0"}


def test_a_regression_has_no_confusion_matrix(qtbot):
    view = ConfusionView()
    qtbot.addWidget(view)
    history = History()
    history.config = validate(from_dict({"task": {"name": "reg-plane"}, "train": {"loss": "mse"}}))
    view.update_from(history)
    assert view.showing_message and "regression" in view.message.text()


def test_the_view_is_registered_and_plotted():
    assert VIEWS["confusion"] is ConfusionView and isinstance(make_view("confusion"), ConfusionView)
    assert "confusion" in PLOTTED


def test_plot_draws_the_saved_confusion(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["run", "--preset", "circle", "--set", "task.samples=80", "--set", "network.hidden=[3]",
                 "--set", "train.epochs=2", "--set", "train.ensemble=2", "--quiet", "--out", str(run)]) == 0
    out = tmp_path / "figures"
    assert main(["plot", str(run), "--out", str(out), "--views", "confusion", "--width", "600"]) == 0
    assert (out / "confusion.png").exists()
    reg = tmp_path / "reg"
    assert main(["run", "--set", "task.name=reg-plane", "--set", "train.loss=mse", "--set", "task.samples=40",
                 "--set", "train.epochs=1", "--quiet", "--out", str(reg)]) == 0
    capsys.readouterr()
    assert main(["plot", str(reg), "--out", str(tmp_path / "reg_figures"), "--views", "confusion"]) == 0
    assert "skipped confusion: Confusion matrix: a regression" in capsys.readouterr().out


def test_the_view_menu_opens_the_confusion_matrix_as_a_tab(qtbot, tmp_path, monkeypatch):
    from playground.ui.app import build_window

    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(tmp_path))
    window = build_window()
    qtbot.addWidget(window)
    try:
        assert window.view_of("confusion") is None
        window.view_actions.confusion.trigger()
        view = window.view_of("confusion")
        assert view is not None and window.tabs.currentWidget().isAncestorOf(view)
    finally:
        window.shutdown()
