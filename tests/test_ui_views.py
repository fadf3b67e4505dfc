"""Each live view, fed synthetic records that follow the table contracts: it draws what the
tables hold, says so when it has nothing, and exports PNG and SVG."""

import numpy as np
import pytest

from playground.core.measures.boundary import BoundaryGrid
from playground.core.config import apply_overrides, from_dict, validate
from playground.core.base.records import EpochRecord
from playground.ui.model.history import History
from playground.ui.views import MAIN_VIEWS, SIDE_VIEWS, BoundaryView, ForgettingView, InfoPlaneView, LayerStatsView, LossView

E, L, T = 2, 3, 3  # members, layers, tasks


def synthetic_history(epochs=12):
    history = History()
    history.config = validate(apply_overrides(from_dict({"task": {"name": "circle"}}), [
        "train.ensemble=2", "network.hidden=[4, 3]", "train.epochs=4", "continual.tasks=3"]))
    rng = np.random.default_rng(1)
    records = []
    for epoch in range(1, epochs + 1):
        r = EpochRecord(epoch=epoch, step=epoch, task_index=(epoch - 1) // 4, batch_loss=np.array([1.0, 2.0]) / epoch,
                        elapsed=0.01 * epoch)
        members = np.arange(E)
        r.add_table("metrics", {"epoch": np.full(E, epoch), "member": members,
                                "train_loss": np.array([1.0, 3.0]) / epoch, "train_acc": np.array([0.5, 0.7]),
                                "test_loss": np.array([2.0, 4.0]) / epoch, "test_acc": np.array([0.4, 0.6])})
        m, l = np.repeat(members, L), np.tile(np.arange(1, L + 1), E)
        r.add_table("info_plane", {"epoch": np.full(E * L, epoch), "member": m, "layer": l,
                                   "estimator": np.array(["binning"] * (E * L), dtype=object),
                                   "i_xt": l + m * 1.0 + epoch * 0.1, "i_ty": 0.1 * l + 0.01 * epoch})
        r.add_table("layer_stats", {"epoch": np.full(E * L, epoch), "member": m, "layer": l, "units": np.full(E * L, 4),
                                    "weight_norm": 1.0 + l + epoch * 0.1, "weight_mean": np.zeros(E * L),
                                    "weight_std": np.ones(E * L), "grad_mean_norm": np.full(E * L, 1.0 / epoch),
                                    "grad_std": np.full(E * L, 0.2), "snr": np.full(E * L, 5.0 / epoch),
                                    "saturation": np.zeros(E * L), "diffusion_epoch": np.full(E * L, -1)})
        mt, tt = np.repeat(members, T), np.tile(np.arange(1, T + 1), E)
        r.add_table("task_accuracy", {"epoch": np.full(E * T, epoch), "member": mt, "task": tt,
                                      "accuracy": rng.uniform(0, 1, E * T)})
        if epoch % 4 == 0:
            r.add_table("accuracy_matrix", {"after_task": np.full(E * T, epoch // 4), "task": tt, "member": mt,
                                            "accuracy": rng.uniform(0, 1, E * T)})
        r.live["weight_hist"] = [{"counts": rng.integers(0, 5, (E, 10)), "edges": np.linspace(-1, 1, 11) * epoch}
                                 for _ in range(L)]
        r.live["activation_hist"] = r.live["weight_hist"]
        r.live["probe_layers"] = ["tanh 4", "tanh 3", "softmax 2"]
        r.live["info_plane"] = {"h_x": np.full(E, 8.0), "h_y": np.full(E, 1.0)}
        sizes = [2, 4, 3, 2]
        r.live["weights"] = [rng.normal(size=(E, a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
        r.live["biases"] = [rng.normal(size=(E, b)) for b in sizes[1:]]
        r.live["layer_sizes"] = sizes
        r.live["activations"] = ["tanh", "tanh"]
        probs = rng.dirichlet([1, 1], size=(E, 6, 6)).astype(np.float32)
        r.live["boundary"] = BoundaryGrid(np.linspace(-1, 1, 6), np.linspace(-1, 1, 6), probs,
                                          rng.normal(size=(20, 2)), rng.integers(0, 2, 20),
                                          rng.normal(size=(5, 2)), rng.integers(0, 2, 5))
        r.live["examples"] = {"images": rng.uniform(size=(4, 8, 8)), "labels": np.arange(4), "task_index": 0}
        records.append(r)
    history.extend(records)
    return history


ALL_VIEWS = [*MAIN_VIEWS, *SIDE_VIEWS]


@pytest.fixture
def history():
    return synthetic_history()


@pytest.mark.parametrize("cls", ALL_VIEWS, ids=lambda c: c.__name__)
def test_each_view_draws_a_history_and_clears(qtbot, history, cls):
    view = cls()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.update_from(History())
    assert view.showing_message and view.message.text()
    assert not view.holds_data()
    view.update_from(history)
    assert view.holds_data(), view.message.text()
    view.clear()
    assert view.showing_message and not view.holds_data()


@pytest.mark.parametrize("cls", ALL_VIEWS, ids=lambda c: c.__name__)
def test_each_view_exports_png_and_svg(qtbot, history, tmp_path, cls):
    from PySide6.QtGui import QImage

    view = cls()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    view.update_from(history)
    png = view.export(tmp_path / "view.png", width=1000)
    image = QImage(str(png))
    assert image.width() == 1000 and image.height() > 100
    svg = view.export(tmp_path / "view.svg")
    assert "<svg" in svg.read_text(encoding="utf-8")[:2000]
    with pytest.raises(ValueError):
        view.export(tmp_path / "view.bmp")


def test_loss_view_draws_the_ensemble_mean_and_every_member(qtbot, history):
    view = LossView()
    qtbot.addWidget(view)
    view.update_from(history)
    x, y = view.items["train_loss"].getData()
    np.testing.assert_allclose(x, np.arange(1, 13))
    np.testing.assert_allclose(10 ** y if view.loss_plot.ctrl.logYCheck.isChecked() else y, 2.0 / np.arange(1, 13))
    mx, _ = view.items["test_acc_members"].getData()
    assert len(mx) == 2 * 12  # both members
    _, acc = view.items["test_acc"].getData()
    np.testing.assert_allclose(acc, 50.0)  # mean of 40 % and 60 %


def test_info_plane_shows_one_trajectory_per_layer_and_the_chosen_member(qtbot, history):
    view = InfoPlaneView()
    qtbot.addWidget(view)
    view.update_from(history)
    drawn = [line for line in view.lines if line.getData()[0] is not None and len(line.getData()[0])]
    assert len(drawn) == L
    x, _ = view.lines[0].getData()
    np.testing.assert_allclose(x, 1.5 + 0.1 * np.arange(1, 13))  # layer 1, mean of members 0 and 1
    view.member_choice.combo.setCurrentIndex(2)  # member 1
    x, _ = view.lines[0].getData()
    np.testing.assert_allclose(x, 2.0 + 0.1 * np.arange(1, 13))
    assert view.estimator.currentText() == "binning"


def test_layer_stats_mark_the_drift_to_diffusion_epoch(qtbot, history):
    view = LayerStatsView()
    qtbot.addWidget(view)
    view.update_from(history)
    assert view.diffusion_epoch == 6  # snr = 5 / epoch falls below 1 after epoch 5
    assert view.markers[0].isVisible()
    assert view.image.image is not None and view.image.image.shape[1] == 10


def test_forgetting_view_draws_every_task_and_the_matrix(qtbot, history):
    view = ForgettingView()
    qtbot.addWidget(view)
    view.update_from(history)
    assert sum(1 for c in view.curves if len(c.getData()[0])) == T
    image = view.matrix_image.image
    assert image.shape[:2] == (T, T)
    assert view.boundaries[0].value() == 4 and view.boundaries[1].value() == 8


def test_boundary_view_colours_follow_the_probabilities(qtbot, history):
    from playground.ui.views.boundary import probability_rgb

    view = BoundaryView()
    qtbot.addWidget(view)
    view.update_from(history)
    assert view.image.image.shape == (6, 6, 3)
    certain = probability_rgb(np.array([[[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]]))
    orange, blue, unsure = certain[0]
    assert orange[0] > orange[2] and blue[2] > blue[0]  # class 0 orange, class 1 blue
    assert unsure.min() > 200  # an unsure network fades to near white


def test_histograms_over_time_keep_each_snapshot_on_one_common_scale():
    from playground.ui.model.series import MEAN
    from playground.ui.views.layer_stats import histogram_image

    # Epoch 1: all weight in [0, 1); epoch 100: all in [3, 4) (on a wider own scale).
    first = {"counts": np.array([[4, 0, 0, 0]]), "edges": np.array([0.0, 1, 2, 3, 4])}
    later = {"counts": np.array([[0, 6]]), "edges": np.array([0.0, 2, 4])}
    image, (x0, x1), (low, high) = histogram_image([(1, first), (100, later)], MEAN, columns=5)
    assert (low, high) == (0.0, 4.0) and (x0, x1) == (0.0, 2.0)
    assert image.shape == (5, 4)
    np.testing.assert_allclose(image[0], [1, 0, 0, 0])  # epoch 1's mass in the lowest bin
    np.testing.assert_allclose(image[-1], [0, 0, 0, 1])  # epoch 100's centre 3.0 falls in [3, 4)


def test_group_mean_with_fractional_keys_matches_a_loop():
    from playground.ui.model import series

    a = np.array([0.5, 0.25, 0.5, 0.25, 1.5])
    b = np.array([1, 1, 1, 2, 1])
    v = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    (ka, kb), means = series.group_mean([a, b], v)
    np.testing.assert_allclose(ka, [0.25, 0.25, 0.5, 1.5])
    np.testing.assert_allclose(kb, [1, 2, 1, 1])
    np.testing.assert_allclose(means, [2.0, 4.0, 2.0, 5.0])


def test_info_plane_draws_a_bounded_number_of_epochs():
    from playground.ui.views.info_plane import drawn_epochs

    epochs = np.repeat(np.arange(1, 5001), 3)
    kept = drawn_epochs(epochs, limit=300)
    assert len(kept) == 300 and kept[0] == 1 and kept[-1] == 5000
    assert np.all(np.diff(kept) > 0)
    np.testing.assert_array_equal(drawn_epochs(np.array([3, 1, 2]), limit=300), [1, 2, 3])
