"""Neuron heatmaps: each unit's map equals a forward pass of the grid written out in numpy."""

import numpy as np
import pytest

from playground.core.config import apply_overrides, from_dict, validate
from playground.core.experiments.assembly import build_trainer
from playground.core.measures.neurons import compute_neuron_maps, supports_neuron_maps
from playground.core.runs import final_state

ACTS = {"tanh": np.tanh, "relu": lambda v: np.maximum(v, 0), "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
        "linear": lambda v: v}


def feature_value(name, a, b):
    return {"x1": a, "x2": b, "x1^2": a * a, "x2^2": b * b, "x1*x2": a * b, "sin(x1)": np.sin(a),
            "sin(x2)": np.sin(b)}[name]


def unit_output(trainer, member, layer, unit, a, b, features):
    """One unit's output at the plane point (a, b), layer by layer in float64."""
    h = np.array([feature_value(name, a, b) for name in features], dtype=np.float64)
    weights = trainer.weights()
    biases = [bias.detach().numpy().reshape(trainer.members, -1) for bias in trainer.model.biases]
    for index in range(layer + 1):
        h = h @ weights[index][member] + biases[index][member]
        if index < len(weights) - 1:
            h = ACTS[trainer.model.activation_names[index]](h)
    return h[unit]


@pytest.mark.parametrize("features", [["x1", "x2"], ["x1^2", "x2^2", "x1*x2", "sin(x1)"]])
def test_every_units_heatmap_equals_a_direct_forward_pass(features):
    cfg = from_dict({"task": {"name": "spiral", "samples": 60, "features": features}})
    trainer = build_trainer(validate(apply_overrides(cfg, [
        "network.hidden=[5, 3]", "network.layer_activations=[relu, sigmoid]", "train.ensemble=3"])))
    trainer.run_epoch()
    maps = compute_neuron_maps(trainer, member=2, resolution=9)
    assert maps.member == 2 and maps.feature_names == features
    assert [m.shape for m in maps.layers] == [(5, 9, 9), (3, 9, 9), (2, 9, 9)]
    assert maps.inputs.shape == (len(features), 9, 9)
    for j, i in [(0, 0), (4, 7), (8, 3)]:
        a, b = maps.xs[i], maps.ys[j]
        for layer, layer_maps in enumerate(maps.layers):
            for unit in range(layer_maps.shape[0]):
                expected = unit_output(trainer, 2, layer, unit, a, b, features)
                assert layer_maps[unit, j, i] == pytest.approx(expected, rel=1e-4, abs=1e-5), (layer, unit)
        for k, name in enumerate(features):  # layer -1: the input features themselves
            assert maps.inputs[k, j, i] == pytest.approx(feature_value(name, a, b), rel=1e-5, abs=1e-7)


def test_wide_layers_show_their_first_units():
    cfg = from_dict({"task": {"name": "xor", "samples": 40}})
    trainer = build_trainer(validate(apply_overrides(cfg, ["network.hidden=[20]"])))
    maps = compute_neuron_maps(trainer, resolution=4, max_units=6)
    np.testing.assert_array_equal(maps.units[0], np.arange(6))
    assert maps.layers[0].shape == (6, 4, 4) and maps.layers[1].shape == (2, 4, 4)
    a, b = maps.xs[3], maps.ys[1]
    assert maps.layers[0][5, 1, 3] == pytest.approx(unit_output(trainer, 0, 0, 5, a, b, ["x1", "x2"]), rel=1e-4)


def test_only_2d_tasks_have_heatmaps():
    trainer = build_trainer(validate(apply_overrides(from_dict({"task": {"name": "ib"}}), ["network.hidden=[3]"])))
    assert not supports_neuron_maps(trainer)
    with pytest.raises(ValueError, match="2-D task"):
        compute_neuron_maps(trainer)


def test_final_state_keeps_member_0s_heatmaps(tmp_path):
    cfg = from_dict({"task": {"name": "circle", "samples": 50, "features": ["x1^2", "x2^2"]}})
    trainer = build_trainer(validate(apply_overrides(cfg, ["network.hidden=[3]", "train.ensemble=2"])))
    trainer.run_epoch()
    final_state.write(trainer, tmp_path)
    saved = final_state.read(tmp_path)["neurons"]
    fresh = compute_neuron_maps(trainer, member=0)
    assert saved.feature_names == ["x1^2", "x2^2"] and saved.layers[0].shape == (3, 40, 40)
    for got, want in zip([saved.inputs, *saved.layers], [fresh.inputs, *fresh.layers]):
        np.testing.assert_array_equal(got, want)
