"""The decision-boundary grid against a forward pass written out in numpy."""

import numpy as np
import pytest

from playground.core.measures.boundary import compute_boundary, grid_extent, output_probabilities
from playground.core.config import apply_overrides, from_dict, validate
from playground.core.experiments.assembly import build_trainer


def numpy_forward(trainer, points, member):
    h = points.astype(np.float64)
    weights = trainer.weights()
    biases = [b.detach().numpy().reshape(trainer.members, -1) for b in trainer.model.biases]
    acts = {"tanh": np.tanh, "relu": lambda v: np.maximum(v, 0)}
    for layer, (w, b) in enumerate(zip(weights, biases)):
        h = h @ w[member] + b[member]
        if layer < len(weights) - 1:
            h = acts[trainer.model.activation_names[layer]](h)
    return h


def make_trainer(*overrides):
    cfg = from_dict({"task": {"name": "gauss", "classes": 3, "samples": 90}})
    return build_trainer(validate(apply_overrides(cfg, ["network.hidden=[5, 4]", "train.ensemble=2", *overrides])))


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_grid_probabilities_match_a_numpy_forward_pass(activation):
    trainer = make_trainer(f"network.activation={activation}")
    trainer.run_epoch()
    grid = compute_boundary(trainer, resolution=7)
    assert grid.probs.shape == (2, 7, 7, 3)
    for member in range(2):
        for j, i in [(0, 0), (3, 5), (6, 2)]:
            logits = numpy_forward(trainer, np.array([[grid.xs[i], grid.ys[j]]]), member)[0]
            expected = np.exp(logits - logits.max())
            expected /= expected.sum()
            np.testing.assert_allclose(grid.probs[member, j, i], expected, rtol=1e-4, atol=1e-6)


def test_grid_covers_the_data_and_carries_member_0_points():
    trainer = make_trainer()
    grid = compute_boundary(trainer, resolution=5)
    points = np.concatenate([grid.points, grid.test_points])
    assert grid.xs[0] < points[:, 0].min() and grid.xs[-1] > points[:, 0].max()
    assert grid.ys[0] < points[:, 1].min() and grid.ys[-1] > points[:, 1].max()
    np.testing.assert_array_equal(grid.points, trainer.task.x_train[0].numpy())
    np.testing.assert_array_equal(grid.labels, trainer.task.y_train[0].numpy())


def test_hinge_score_maps_to_a_probability():
    import torch

    scores = torch.tensor([[[-3.0], [-1.0], [0.0], [0.5], [2.0]]])
    p = output_probabilities(scores, "hinge")[0].numpy()
    np.testing.assert_allclose(p[:, 1], [0.0, 0.0, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(p.sum(axis=1), 1.0)


def test_a_task_with_more_inputs_is_refused():
    trainer = build_trainer(validate(apply_overrides(from_dict({"task": {"name": "ib"}}), ["network.hidden=[3]"])))
    with pytest.raises(ValueError, match="2 inputs"):
        compute_boundary(trainer)


def test_extent_never_empty():
    x0, x1, y0, y1 = grid_extent(np.array([[1.0, 2.0], [1.0, 2.0]]))
    assert x1 > x0 and y1 > y0
