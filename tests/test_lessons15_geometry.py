"""Pruning, the loss landscape, the Hessian's extremes, the lazy regime, linear probes, layer
gradients and random features, each against an independent reference on a tiny case."""

import math

import numpy as np
import pytest
import torch

from lessons15_reference import ACTIVATIONS, cross_entropy, forward, mean_loss, member_params, tiny_trainer, train
from playground.core.config import Config, apply_overrides
from playground.core.experiments.assembly import build_trainer
from playground.core.measures.curvature import lanczos_extremes, trainer_extremes
from playground.core.measures.double_descent import fit_and_score, min_norm_fit
from playground.core.measures.gradient_depth import layer_gradient_norms
from playground.core.measures.hook_kinds import resolve_hooks
from playground.core.measures.landscape import filter_normalised_direction, max_rise
from playground.core.measures.lazy import linearised_forward, relative_change
from playground.core.measures.parameters import parameters_set_to, snapshot
from playground.core.measures.pruning import MaskHook, magnitude_masks
from playground.core.measures.separation import fit_probe, pca_2d, probe_objective
from playground.core.training.model import EnsembleMLP
from playground.core.training.trainer import Trainer


def lesson_hooked(hooks, *overrides, members=2):
    config = apply_overrides(Config(), ["task.name=digits", "network.hidden=[8]", "network.activation=tanh",
                                        f"train.ensemble={members}", "train.epochs=2", *overrides])
    trainer = build_trainer(config, resolve_hooks(hooks, config))
    return trainer, trainer.hooks[-1]


# ---------------------------------------------------------------- pruning


def test_magnitude_masks_keep_exactly_the_largest_fraction_over_all_layers():
    generator = torch.Generator().manual_seed(0)
    weights = [torch.randn((2, 5, 4), generator=generator), torch.randn((2, 4, 3), generator=generator) * 3]
    total = 5 * 4 + 4 * 3
    for sparsity in (0.0, 0.3, 0.5, 0.9, 0.97, 1.0):
        masks = magnitude_masks(weights, sparsity)
        for member in range(2):
            values = np.concatenate([w[member].abs().flatten().numpy() for w in weights])
            kept = np.concatenate([m[member].flatten().numpy() for m in masks])
            assert kept.sum() == round((1 - sparsity) * total)
            order = np.sort(values)[::-1]  # brute force: the k largest by sorting
            assert set(values[kept]) == set(order[:kept.sum()])


def test_mask_hook_holds_pruned_weights_at_zero_while_the_rest_train():
    config = apply_overrides(Config(), ["task.name=digits", "network.hidden=[8]", "train.ensemble=2", "train.epochs=1"])
    plain = Trainer(config)
    masks = magnitude_masks(list(plain.model.weights), 0.7)
    trainer = Trainer(config, hooks=[MaskHook(masks)])
    before = [w.detach().clone() for w in trainer.model.weights]
    train(trainer)
    for w, old, m in zip(trainer.model.weights, before, masks):
        assert torch.all(w[~m] == 0)
        assert float((w[m] != old[m]).float().mean()) > 0.8  # the survivors moved (not those of always-blank pixels)


def test_pruning_hook_rewinds_to_the_true_initial_weights_and_writes_its_table():
    trainer, hook = lesson_hooked({"pruning": {"sparsities": "0.5", "methods": "none, rewind", "retrain_epochs": 1}})
    fresh = Trainer(trainer.config)
    records = list(trainer.epochs())
    for w, w0 in zip(hook.initial[0], fresh.model.weights):
        torch.testing.assert_close(w, w0.detach())
    table = records[-1].tables["pruning"]
    assert list(table) == ["member", "sparsity", "method", "accuracy"]
    assert sorted(set(zip(table["sparsity"].tolist(), table["method"].tolist()))) == [(0.0, "none"), (0.5, "none"), (0.5, "rewind")]
    dense = table["accuracy"][table["sparsity"] == 0]
    np.testing.assert_allclose(dense, records[-1].test_acc)


# ---------------------------------------------------------------- landscape


def test_interpolation_line_ends_at_the_initial_and_final_losses():
    trainer, hook = lesson_hooked({"landscape": {"line_from": -0.5, "line_to": 1.5, "line_points": 9,
                                                 "plane_points": 3, "samples": 300}})
    initial = Trainer(trainer.config)
    records = list(trainer.epochs())
    line = records[-1].tables["landscape_line"]
    x, y = trainer.task.x_train[:, :300], trainer.task.y_train[:, :300]
    start = initial.loss_per_member(initial.model(x), y).detach().numpy()
    end_train, _ = trainer.evaluate(x, y)
    end_test, _ = trainer.evaluate(trainer.task.x_test, trainer.task.y_test)
    for member in range(2):
        rows = line["member"] == member
        alpha = line["alpha"][rows]
        assert alpha.tolist() == [-0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5]
        train_loss, test_loss = line["train_loss"][rows], line["test_loss"][rows]
        assert train_loss[alpha == 0][0] == pytest.approx(start[member], rel=1e-5)
        assert train_loss[alpha == 1][0] == pytest.approx(end_train[member], rel=1e-5)
        assert test_loss[alpha == 1][0] == pytest.approx(end_test[member], rel=1e-5)
    plane = records[-1].tables["landscape_plane"]
    centre = (plane["a"] == 0) & (plane["b"] == 0)
    np.testing.assert_allclose(plane["loss"][centre], end_train, rtol=1e-5)
    # The trained weights are back in place after the measures.
    assert trainer.evaluate(x, y)[0] == pytest.approx(end_train)


def test_filter_normalised_directions_match_each_units_norm_and_skip_biases():
    model = EnsembleMLP([4, 3, 2], ["tanh"], [0, 1])
    params = snapshot(model)
    directions = filter_normalised_direction(params, model.n_layers, torch.Generator().manual_seed(1))
    for index, (d, p) in enumerate(zip(directions, params)):
        if index < model.n_layers:
            for member in range(2):
                for unit in range(p.shape[2]):
                    assert float(d[member, :, unit].norm()) == pytest.approx(float(p[member, :, unit].norm()), rel=1e-5)
        else:
            assert torch.all(d == 0)
    assert max_rise(np.array([[3.0], [2.0], [2.5], [1.0], [1.2]]))[0] == pytest.approx(0.5)
    assert max_rise(np.array([[3.0], [2.0], [1.0]]))[0] == 0.0


def test_parameters_set_to_restores_the_weights_even_on_error():
    model = EnsembleMLP([2, 3, 2], ["relu"], [0])
    saved = snapshot(model)
    with pytest.raises(RuntimeError), parameters_set_to(model, [torch.zeros_like(p) for p in saved]):
        assert all(float(p.detach().abs().sum()) == 0 for p in model.parameters())
        raise RuntimeError("inside")
    for p, s in zip(model.parameters(), saved):
        torch.testing.assert_close(p.detach(), s)


# ---------------------------------------------------------------- Hessian extremes


def full_hessian_eigenvalues(trainer, member, x, y):
    """numpy.linalg.eigvalsh of the full Hessian of a plain float64 copy of one member's loss."""
    weights, biases = member_params(trainer, member)
    shapes = [w.shape for w in weights] + [b.shape for b in biases]
    sizes = [int(np.prod(s)) for s in shapes]
    theta = torch.tensor(np.concatenate([a.ravel() for a in weights + biases]))
    xs, ys = torch.tensor(x, dtype=torch.float64), torch.tensor(y)

    def loss(flat):
        parts = [t.view(s) for t, s in zip(flat.split(sizes), shapes)]
        layers = len(weights)
        h = xs
        for i in range(layers):
            h = h @ parts[i] + parts[layers + i]
            if i < layers - 1:
                h = torch.tanh(h)
        return torch.nn.functional.cross_entropy(h, ys)

    hessian = torch.autograd.functional.hessian(loss, theta).numpy()
    return np.linalg.eigvalsh((hessian + hessian.T) / 2), theta.numel()


def test_lanczos_extremes_equal_eigvalsh_of_the_full_hessian_of_a_tiny_net():
    config = apply_overrides(Config(), ["task.name=gauss", "task.classes=3", "network.hidden=[4]",
                                        "network.activation=tanh", "train.ensemble=2", "train.epochs=1"])
    trainer = build_trainer(config)
    train(trainer)
    data = trainer.task
    count = data.n_train
    for iterations, exact in ((200, True), (6, False)):
        largest, smallest = trainer_extremes(trainer, count, iterations)
        for member in range(2):
            eig, n_params = full_hessian_eigenvalues(trainer, member, data.x_train[member].numpy(), data.y_train[member].numpy())
            if exact:
                assert n_params == 27
                assert largest[member] == pytest.approx(eig[-1], rel=1e-4)
                assert smallest[member] == pytest.approx(eig[0], rel=1e-3, abs=1e-6)
            else:  # Ritz values lie inside the spectrum
                assert eig[0] - 1e-6 <= smallest[member] <= largest[member] <= eig[-1] + 1e-6


def test_lanczos_finds_negative_eigenvalues_of_quadratics_per_member():
    a = torch.tensor([[[5.0, 1, 0, 0], [1, 2, 0, 0], [0, 0, -1, 0], [0, 0, 0, 0.5]],
                      [[1.0, 0, 0, 0], [0, 3, 0, 0], [0, 0, 0.5, 0], [0, 0, 0, -4]]])
    w = torch.zeros(2, 4, requires_grad=True)

    def loss():
        return 0.5 * torch.einsum("ei,eij,ej->e", w, a, w) + w.sum(1)

    largest, smallest = lanczos_extremes(loss, [w], iterations=10)
    for member in range(2):
        eig = np.linalg.eigvalsh(a[member].numpy())
        assert largest[member] == pytest.approx(eig[-1], rel=1e-6)
        assert smallest[member] == pytest.approx(eig[0], rel=1e-6)


# ---------------------------------------------------------------- NTK parameterisation and the lazy regime


def test_ntk_forward_pass_equals_its_formula_and_the_standard_function_at_init():
    sizes, seeds = [3, 5, 4, 2], [7, 8]
    ntk = EnsembleMLP(sizes, ["relu", "tanh"], seeds, init="kaiming", parameterisation="ntk")
    standard = EnsembleMLP(sizes, ["relu", "tanh"], seeds, init="kaiming")
    x = torch.randn(2, 6, 3, generator=torch.Generator().manual_seed(0))
    out = ntk(x).detach().numpy()
    for member in range(2):
        weights = [w[member].detach().double().numpy() for w in ntk.weights]
        biases = [b[member, 0].detach().double().numpy() for b in ntk.biases]
        h = x[member].double().numpy()
        h = np.maximum(h @ weights[0] / math.sqrt(3) + biases[0], 0)
        h = np.tanh(h @ weights[1] / math.sqrt(5) + biases[1])
        h = h @ weights[2] / math.sqrt(4) + biases[2]
        np.testing.assert_allclose(out[member], h, atol=1e-5)
        # Stored weights are O(1): the scheme's times sqrt(fan_in).
        np.testing.assert_allclose(weights[0], standard.weights[0][member].detach().numpy() * math.sqrt(3), rtol=1e-6)
    torch.testing.assert_close(ntk(x), standard(x), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("parameterisation", ["standard", "ntk"])
def test_linearised_forward_is_the_network_plus_its_directional_derivative(parameterisation):
    model = EnsembleMLP([4, 6, 3], ["tanh"], [0, 1], parameterisation=parameterisation).double()
    x = torch.randn(2, 5, 4, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    generator = torch.Generator().manual_seed(3)
    w0, b0 = [w.detach() for w in model.weights], [b.detach() for b in model.biases]
    dw = [torch.randn(w.shape, generator=generator, dtype=torch.float64) for w in w0]
    db = [torch.randn(b.shape, generator=generator, dtype=torch.float64) for b in b0]
    f0, jvp = linearised_forward(model, w0, b0, dw, db, x)
    torch.testing.assert_close(f0, model(x).detach())
    h = 1e-6
    outputs = []
    for sign in (1, -1):
        point = [p + sign * h * d for p, d in zip([*w0, *b0], [*dw, *db])]
        with torch.no_grad(), parameters_set_to(model, point):
            outputs.append(model(x))
    torch.testing.assert_close(jvp, (outputs[0] - outputs[1]) / (2 * h), atol=1e-7, rtol=1e-6)


def test_linearisation_takes_the_networks_first_step_exactly():
    """At w0 the linear model's gradient is the network's, so after one SGD step from the same
    batch its delta equals the network's weight change."""
    trainer, hook = lesson_hooked({"lazy": {}}, "train.optimizer=sgd", "train.lr=0.3", "train.steps_per_epoch=1",
                                  "train.epochs=1", "network.parameterisation=ntk")
    w0 = [w.detach().clone() for w in trainer.model.weights]
    records = list(trainer.epochs())
    for w, start, delta in zip(trainer.model.weights, w0, hook.linear.d_weights):
        torch.testing.assert_close(delta.detach(), w.detach() - start, atol=1e-6, rtol=1e-4)
    change = relative_change(list(trainer.model.weights), w0)
    for layer, (w, start) in enumerate(zip(trainer.model.weights, w0)):
        for member in range(2):
            expected = np.linalg.norm((w[member] - start[member]).detach().numpy()) / np.linalg.norm(start[member].numpy())
            assert change[member, layer] == pytest.approx(expected, rel=1e-5)
    lazy = records[-1].tables["lazy"]
    assert list(lazy) == ["epoch", "member", "layer", "relative_change"]
    assert sorted(set(lazy["epoch"].tolist())) == [0, 1]
    assert np.all(records[-1].tables["linearisation"]["distance"] < 1e-4)  # one step: still linear


# ---------------------------------------------------------------- linear probes


def newton_logistic(x, y, classes, l2, steps=50):
    """Multinomial logistic regression by Newton's method in float64 (penalty on W only),
    from zero."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    theta = np.zeros((d + 1, classes))
    target = np.eye(classes)[y]
    penalty = np.ones(d + 1)
    penalty[-1] = 0
    for _ in range(steps):
        logits = xb @ theta
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        grad = (xb.T @ (p - target) / n + l2 * penalty[:, None] * theta).ravel()
        hessian = np.zeros(((d + 1) * classes,) * 2)
        for i in range(n):
            block = np.diag(p[i]) - np.outer(p[i], p[i])
            hessian += np.kron(np.outer(xb[i], xb[i]), block) / n
        hessian += l2 * np.kron(np.diag(penalty), np.eye(classes))
        # Shifting every class's bias alike changes nothing, so the Hessian is singular there:
        # the minimum-norm step keeps the biases summing to zero, as gradient steps from 0 do.
        theta = theta - np.linalg.lstsq(hessian, grad, rcond=None)[0].reshape(d + 1, classes)
    return theta[:-1], theta[-1]


def test_linear_probe_equals_a_direct_newton_fit():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 40, 4))
    y = rng.integers(0, 3, size=(2, 40))
    x[..., 0] += y  # some signal
    weights, bias = fit_probe(torch.tensor(x), torch.tensor(y), 3, l2=0.05)
    for member in range(2):
        w_ref, b_ref = newton_logistic(x[member], y[member], 3, 0.05)
        np.testing.assert_allclose(weights[member].numpy(), w_ref, atol=1e-5)
        np.testing.assert_allclose(bias[member, 0].numpy(), b_ref, atol=1e-5)
        reference = np.mean(cross_entropy(x[member] @ w_ref + b_ref, y[member])) + 0.025 * np.sum(w_ref ** 2)
        objective = probe_objective(weights, bias, torch.tensor(x), torch.tensor(y), 0.05)[member]
        assert float(objective) == pytest.approx(reference, rel=1e-9)


def test_pca_2d_projects_onto_the_two_largest_variance_directions():
    rng = np.random.default_rng(1)
    data = rng.standard_normal((200, 5)) * np.array([5.0, 0.1, 3.0, 0.2, 0.1])
    projected = pca_2d(torch.tensor(data))
    centred = data - data.mean(axis=0)
    top = np.sort(np.linalg.eigvalsh(centred.T @ centred / len(data)))[::-1][:2]
    np.testing.assert_allclose(np.sort(projected.var(axis=0))[::-1], top, rtol=1e-8)


def test_separation_hook_probes_the_input_every_layer_and_the_output():
    trainer, hook = lesson_hooked({"separation": {"every": 1, "samples": 60}}, "network.hidden=[8, 6]")
    records = list(trainer.epochs())
    rows = [r.tables["separation"] for r in records]
    assert list(rows[0]) == ["epoch", "member", "layer", "probe_accuracy"]
    assert rows[0]["epoch"].tolist()[:4] == [0, 0, 0, 0] and sorted(set(rows[0]["layer"].tolist())) == [0, 1, 2, 3]
    assert np.all((rows[-1]["probe_accuracy"] > 0.1) & (rows[-1]["probe_accuracy"] <= 1))
    assert len(records[-1].live["separation_pca"]) == 4


# ---------------------------------------------------------------- gradients per layer


def test_layer_gradient_norms_equal_finite_differences():
    trainer = tiny_trainer("task.name=gauss", "task.classes=3", "network.hidden=[3, 3]", "network.activation=sigmoid")
    data = trainer.task
    norms = layer_gradient_norms(trainer, samples=50)
    h = 1e-6
    for member in range(2):
        weights, biases = member_params(trainer, member)
        x, y = data.x_train[member, :50].double().numpy(), data.y_train[member, :50].numpy()
        for layer, w in enumerate(weights):
            grad = np.zeros_like(w)
            for index in np.ndindex(w.shape):
                up = [a.copy() for a in weights]
                down = [a.copy() for a in weights]
                up[layer][index] += h
                down[layer][index] -= h
                grad[index] = (mean_loss(up, biases, ["sigmoid"] * 2, x, y) - mean_loss(down, biases, ["sigmoid"] * 2, x, y)) / (2 * h)
            assert norms[member, layer] == pytest.approx(np.linalg.norm(grad), rel=1e-4)


# ---------------------------------------------------------------- random features


def test_min_norm_fit_equals_numpy_pinv():
    rng = np.random.default_rng(2)
    for features in (10, 20, 30):
        phi = rng.standard_normal((2, 20, features))
        targets = rng.standard_normal((2, 20, 3))
        beta = min_norm_fit(torch.tensor(phi), torch.tensor(targets), rcond=1e-12).numpy()
        for member in range(2):
            np.testing.assert_allclose(beta[member], np.linalg.pinv(phi[member], rtol=1e-12) @ targets[member], atol=1e-10)


def test_random_features_interpolate_past_the_threshold_and_use_the_initial_first_layer():
    trainer = tiny_trainer("task.train_fraction=0.05", "network.hidden=[200]", "network.activation=relu")
    data = trainer.task
    assert data.n_train < 200
    scores = fit_and_score(trainer.model, data.x_train, data.y_train, data.x_test, data.y_test, 10)
    np.testing.assert_allclose(scores["rf_train_error"], 0)
    assert np.all(scores["rf_train_mse"] < 1e-12)
    # A direct least-squares fit on features computed in numpy gives the same test error.
    for member in range(2):
        weights, biases = member_params(trainer, member)
        phi = ACTIVATIONS["relu"](data.x_train[member].double().numpy() @ weights[0] + biases[0])
        beta = np.linalg.pinv(phi) @ np.eye(10)[data.y_train[member].numpy()]
        test_phi = ACTIVATIONS["relu"](data.x_test[member].double().numpy() @ weights[0] + biases[0])
        error = np.mean((test_phi @ beta).argmax(axis=1) != data.y_test[member].numpy())
        assert scores["rf_test_error"][member] == pytest.approx(error, abs=1e-12)


def test_forward_reference_agrees_with_the_model():
    trainer = tiny_trainer("network.hidden=[5, 4]", "network.activation=relu")
    x = trainer.task.x_test[:, :7]
    out = trainer.model(x).detach().numpy()
    for member in range(2):
        weights, biases = member_params(trainer, member)
        np.testing.assert_allclose(forward(weights, biases, ["relu", "relu"], x[member].numpy()), out[member], atol=1e-5)
