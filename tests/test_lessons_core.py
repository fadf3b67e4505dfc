"""The scientific pieces the lessons rest on, each against an independent reference:
brute force, a closed form, or a tiny worked example."""

import itertools
import math

import numpy as np
import pytest
import torch

from playground.core.config import Config, apply_overrides
from playground.core.measures.gradient_signal import all_inputs, parity_gradient_signal, per_example_grad_sq_norms
from playground.core.measures.meanfield import chi1, critical_sw2, depth_scale, q_star
from playground.core.measures.sharpness import top_hessian_eigenvalue, trainer_sharpness
from playground.core.tasks import get_task
from playground.core.tasks.modes import halfway_time, mode_svd, observed_halfway, parse_strengths
from playground.core.experiments.assembly import build_trainer
from playground.core.training.trainer import Trainer
from playground.core.measures.interventions import DeficitHook, blur


def parity_trainer(n, k, members=2):
    return build_trainer(apply_overrides(Config(), [
        "task.name=parity", f"task.n={n}", f"task.k={k}", f"network.hidden=[{10 * n}]", "network.activation=relu",
        "train.loss=hinge", "train.optimizer=sgd", f"train.ensemble={members}", "train.epochs=1"]))


def brute_force_signal(trainer, member, n, k):
    """Var over all size-k subsets of the population hinge gradient, over E||grad f||^2,
    one example and one subset at a time with a plain single network."""
    weights = [w[member].detach().clone().requires_grad_(True) for w in trainer.model.weights]
    biases = [b[member, 0].detach().clone().requires_grad_(True) for b in trainer.model.biases]
    params = weights + biases

    def f(x):
        return (torch.relu(x @ weights[0] + biases[0]) @ weights[1] + biases[1])[0]

    def flat(grads):
        return torch.cat([g.flatten() for g in grads]).double()

    inputs = torch.tensor(all_inputs(n))
    gradients = []
    for subset in itertools.combinations(range(n), k):
        total = 0
        for x in inputs:
            target = torch.prod(x[list(subset)])
            total = total + flat(torch.autograd.grad(torch.clamp(1 - target * f(x), min=0), params))
        gradients.append(total / len(inputs))
    gradients = torch.stack(gradients)
    variance = (gradients - gradients.mean(0)).pow(2).sum(1).mean()
    g2 = sum(flat(torch.autograd.grad(f(x), params)).pow(2).sum() for x in inputs) / len(inputs)
    return float(variance / g2)


def test_gradient_signal_matches_brute_force_on_a_tiny_parity():
    trainer = parity_trainer(4, 2)
    result = parity_gradient_signal(trainer)
    assert result.exact and result.bound == pytest.approx(1 / 6)
    for member in range(2):
        assert result.signal[member] == pytest.approx(brute_force_signal(trainer, member, 4, 2), rel=1e-6)


def test_per_example_gradient_norms_match_a_loop():
    trainer = parity_trainer(5, 2)
    x = torch.tensor(all_inputs(5)[:7]).expand(2, -1, -1)
    fast = per_example_grad_sq_norms(trainer.model, x)
    params = list(trainer.model.parameters())
    for i in range(7):
        out = trainer.model(x[:, i:i + 1])[..., 0].sum()
        grads = torch.autograd.grad(out, params)
        per_member = sum(g.flatten(1).pow(2).sum(1) for g in grads)
        np.testing.assert_allclose(fast[:, i].detach().numpy(), per_member.numpy(), rtol=1e-5)


def test_gradient_signal_respects_the_theorem_bound_and_falls_with_n():
    signals = {n: parity_gradient_signal(parity_trainer(n, n // 2)).signal for n in (4, 6, 8)}
    for n, signal in signals.items():
        assert np.all(signal <= 1 / math.comb(n, n // 2) + 1e-12)
    assert np.all(signals[8] < signals[6]) and np.all(signals[6] < signals[4])


def test_sampled_gradient_signal_agrees_with_the_exact_one():
    trainer = parity_trainer(6, 3, members=1)
    exact = parity_gradient_signal(trainer).signal[0]
    estimates = [parity_gradient_signal(trainer, subsets=16, samples=1024, exact_up_to=3, seed=s) for s in range(8)]
    values = np.array([e.signal[0] for e in estimates])
    stderr = np.mean([e.stderr[0] for e in estimates]) / math.sqrt(len(values))
    assert abs(values.mean() - exact) < 4 * stderr
    assert not estimates[0].exact


def test_top_hessian_eigenvalue_of_quadratics_per_member():
    a = torch.tensor([[[5.0, 1, 0], [1, 2, 0], [0, 0, -1]], [[1.0, 0, 0], [0, 3, 0], [0, 0, 0.5]]])
    w = torch.zeros(2, 3, requires_grad=True)

    def loss():
        return 0.5 * torch.einsum("ei,eij,ej->e", w, a, w) + w.sum(1)

    top = top_hessian_eigenvalue(loss, [w], iterations=200, tolerance=1e-10)
    np.testing.assert_allclose(top, [np.linalg.eigvalsh(m.numpy()).max() for m in a], rtol=1e-5)


def test_sharpness_of_a_linear_model_with_squared_error_is_the_input_second_moment():
    """With no hidden layer and loss 1/2 mean ||x W + b - onehot||^2 the Hessian is
    E[x~ x~^T] (x~ = [x, 1]) for every output: its top eigenvalue, in closed form."""
    trainer = build_trainer(apply_overrides(Config(), [
        "task.name=gauss", "task.classes=3", "network.hidden=[]", "train.loss=mse", "train.ensemble=2", "train.epochs=1"]))
    sharpness = trainer_sharpness(trainer, samples=100_000, iterations=300)
    for member in range(2):
        x = trainer.task.x_train[member].double().numpy()
        x1 = np.hstack([x, np.ones((len(x), 1))])
        expected = np.linalg.eigvalsh(x1.T @ x1 / len(x1)).max()
        assert sharpness[member] == pytest.approx(expected, rel=1e-4)


def test_sharpness_double_backward_through_tanh_matches_finite_differences():
    trainer = build_trainer(apply_overrides(Config(), [
        "task.name=circle", "network.hidden=[5]", "network.activation=tanh", "train.ensemble=1", "train.epochs=1"]))
    top = trainer_sharpness(trainer, iterations=500)[0]
    params = list(trainer.model.parameters())
    data = trainer.task
    sizes = [p.numel() for p in params]

    def grad_at(vector):
        with torch.no_grad():
            offset = 0
            for p, size in zip(params, sizes):
                p.copy_(vector[offset:offset + size].view_as(p))
                offset += size
        loss = trainer.loss_per_member(trainer.model(data.x_train), data.y_train, data).sum()
        return torch.cat([g.flatten() for g in torch.autograd.grad(loss, params)]).double()

    base = torch.cat([p.detach().flatten() for p in params]).clone()
    eps = 1e-3
    columns = []
    for i in range(len(base)):
        step = torch.zeros_like(base)
        step[i] = eps
        columns.append((grad_at(base + step) - grad_at(base - step)) / (2 * eps))
    grad_at(base)
    hessian = torch.stack(columns).numpy()
    eigen = np.linalg.eigvalsh((hessian + hessian.T) / 2)
    largest = eigen[np.argmax(np.abs(eigen))]
    assert top == pytest.approx(largest, rel=2e-3)


def test_meanfield_critical_line_and_fixed_point_against_monte_carlo():
    assert critical_sw2(0.0) == pytest.approx(1.0, abs=1e-4)
    assert critical_sw2(0.05) == pytest.approx(1.76, abs=0.01)  # science.md's value
    assert depth_scale(critical_sw2(0.05), 0.05) > 100
    rng = np.random.default_rng(0)
    z = rng.standard_normal(2_000_000)
    for sw2, sb2 in ((2.0, 0.05), (4.0, 0.0)):
        q = q_star(sw2, sb2)
        assert sw2 * np.mean(np.tanh(np.sqrt(q) * z) ** 2) + sb2 == pytest.approx(q, rel=2e-3)
        assert chi1(sw2, sb2) == pytest.approx(sw2 * np.mean((1 - np.tanh(np.sqrt(q) * z) ** 2) ** 2), rel=2e-3)
    assert q_star(0.5, 0.0) == 0.0 and chi1(0.5, 0.0) == pytest.approx(0.5)


def test_modes_task_has_the_chosen_singular_values_and_white_zero_mean_inputs():
    spec = get_task("modes")
    params = spec.resolve({"strengths": "0.3,0.15,0.05"})
    data = spec.build(params, seed=0)
    x = data.x_train.astype(np.float64)
    np.testing.assert_allclose(x.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(x.T @ x / len(x), np.eye(x.shape[1]), atol=1e-12)
    u, s, v = mode_svd(data.x_train, data.y_train, data.n_classes)
    np.testing.assert_allclose(s, [0.3, 0.15, 0.05], atol=1e-12)
    # Each input mode is one Hadamard feature.
    np.testing.assert_allclose(np.abs(v[:3, :3]), np.eye(3), atol=1e-12)


@pytest.mark.parametrize("params, fragment", [
    ({"strengths": "0.3,-1"}, "task.strengths"),
    ({"strengths": "abc"}, "task.strengths"),
    ({"strengths": "0.4,0.3"}, "too strong"),
    ({"classes": 6}, "task.classes: must be a power of two"),
    ({"strengths": "0.1,0.1,0.1,0.05", "classes": 4}, "need at least 5 classes"),
])
def test_modes_task_bad_options_are_clear(params, fragment):
    from playground.core.config import ConfigError

    with pytest.raises(ConfigError, match=fragment):
        get_task("modes").resolve(params)


def test_halfway_time_matches_the_integrated_dynamics():
    """tau du/dt = 2 u (s - u) integrated finely; its half-way time is the formula's."""
    s, u0, lr = 0.2, 1e-4, 0.1
    u, t, dt = u0, 0.0, 0.01
    while u < s / 2:
        u += dt * lr * 2 * u * (s - u)
        t += dt
    assert halfway_time(s, u0, lr) == pytest.approx(t, rel=1e-3)
    assert parse_strengths("0.3, 0.1").tolist() == [0.3, 0.1]
    assert observed_halfway(np.array([0, 10, 20]), np.array([0.0, 0.1, 0.3]), 0.4) == pytest.approx(15.0)


def test_blur_averages_blocks_like_a_loop():
    x = torch.arange(2 * 64, dtype=torch.float32).view(1, 2, 64)
    out = blur(x, 8, 2)
    image = x[0, 1].view(8, 8)
    for r in range(8):
        for c in range(8):
            block = image[r // 2 * 2:r // 2 * 2 + 2, c // 2 * 2:c // 2 * 2 + 2]
            assert out[0, 1, r * 8 + c] == pytest.approx(float(block.mean()))


def test_deficit_acts_only_during_its_window():
    config = apply_overrides(Config(), ["task.name=digits", "network.hidden=[8]", "train.epochs=4"])
    hook = DeficitHook({"kind": "noise", "start": 1, "length": 2, "noise": 1.0, "blur_factor": 2}, config)
    seen = []

    class Spy(DeficitHook.__mro__[1]):
        def transform_batch(self, trainer, x, y):
            # Digits' pixels are multiples of 1/16; noise moves them off that grid.
            seen.append((trainer.epoch, float((16 * x - (16 * x).round()).abs().max())))
            return x, y

    trainer = Trainer(config, hooks=[hook, Spy()])
    records = list(trainer.epochs())
    noisy = {epoch for epoch, off_grid in seen if off_grid > 0.1}
    assert noisy == {1, 2}
    assert [r.live["deficit"] for r in records] == [False, True, True, False]
