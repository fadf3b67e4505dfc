"""The `neurons` figure of `playground plot`: one small heatmap per shown unit (the inputs, the
first units of each wide layer, the output), each image exactly that unit's saved map, captioned
with its layer and unit; written for a 2-D run, skipped with a reason for any other."""

import numpy as np

from playground.cli import main
from playground.core.runs import final_state
from playground.ui.figures.neurons import NeuronsFigure, layer_rows, symmetric_levels
from playground.ui.figures.render import figure_keys
from playground.ui.model.reopen import open_history

RUN = ["--preset", "circle", "--set", "task.samples=80", "--set", "network.hidden=[12, 3]",
       "--set", 'task.features=["x1","x2","x1^2"]', "--set", "train.epochs=2", "--quiet"]


def test_every_shown_unit_gets_its_own_saved_map(qtbot, tmp_path):
    run = tmp_path / "run"
    assert main(["run", *RUN, "--out", str(run)]) == 0
    maps = final_state.read(run)["neurons"]
    history = open_history(run)
    figure = NeuronsFigure()
    qtbot.addWidget(figure)
    figure.resize(*figure.figure_size(history))
    figure.update_from(history)
    assert figure.holds_data()
    expected = [*maps.inputs, *(m for layer in maps.layers for m in layer)]
    assert len(figure.images) == 3 + 8 + 3 + 2  # features, first 8 of 12, all 3, two classes
    for image, values in zip(figure.images, expected):
        np.testing.assert_array_equal(image.image, np.asarray(values, dtype=float).T)  # x along the first axis
        low, high = image.levels
        assert low == -high and high == np.abs(values).max()
    rows = layer_rows(maps, history.live)
    assert [names for _, names, _ in rows][0] == ["x1", "x2", "x1^2"]
    assert rows[1][1][:2] == ["L1 unit 1", "L1 unit 2"] and "first 8 of 12" in rows[1][0]
    assert "3 units" in rows[2][0] and rows[3][1] == ["class 0", "class 1"]
    assert figure.grid_shape(history) == (4, 8)


def test_symmetric_levels():
    assert symmetric_levels(np.array([-0.5, 2.0])) == (-2.0, 2.0)
    assert symmetric_levels(np.zeros(3)) == (-1.0, 1.0)


def test_plot_writes_neurons_for_a_2d_run_and_skips_it_otherwise(tmp_path, capsys):
    assert "neurons" in figure_keys()
    run = tmp_path / "run"
    assert main(["run", *RUN, "--out", str(run)]) == 0
    out = tmp_path / "figures"
    assert main(["plot", str(run), "--out", str(out), "--views", "neurons", "--width", "700"]) == 0
    assert [p.name for p in out.iterdir()] == ["neurons.png"]
    parity = tmp_path / "parity"
    assert main(["run", "--set", "task.name=parity", "--set", "task.n=4", "--set", "train.epochs=1",
                 "--quiet", "--out", str(parity)]) == 0
    capsys.readouterr()
    assert main(["plot", str(parity), "--out", str(tmp_path / "p_figures"), "--views", "neurons"]) == 0
    assert "skipped neurons: Neuron heatmaps: for tasks with two inputs" in capsys.readouterr().out
