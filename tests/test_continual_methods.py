"""The remedies' mechanics against independent references: Fisher by brute force, EWC and SI
by their formulas, replay's buffer and mixed batches, joint training's batches."""

from dataclasses import replace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from playground.core.config import LOSSES, Config, apply_overrides
from playground.core.continual.methods import EWC, Joint, Replay, SynapticIntelligence, fisher_diagonal, parameters
from playground.core.experiments.assembly import build_trainer


def trainer(*overrides):
    base = ["task.name=digits", "network.hidden=[6, 5]", "train.batch_size=16", "train.epochs=2",
            "train.ensemble=2", "continual.tasks=3", "continual.family=split"]
    return build_trainer(apply_overrides(Config(), base + list(overrides)))


def hooks_of(t, kind):
    return next(h for h in t.hooks if isinstance(h, kind))


def tiny_task(t, n=7, mask=None):
    """The first n training samples of task 1 as its own task."""
    data = t.tasks[0]
    return replace(data, x_train=data.x_train[:, :n], y_train=data.y_train[:, :n], class_mask=mask)


def brute_force_fisher(t, data, hinge=False):
    """Sample by sample, class by class, with autograd: sum_c p(c|x) (d log p(c|x)/d theta)^2."""
    params = parameters(t.model)
    fisher = [torch.zeros_like(p) for p in params]
    for e in range(t.members):
        for n in range(data.n_train):
            x = data.x_train[:, n : n + 1]
            out = t.model(x)[e, 0]
            if hinge:
                target = 2.0 * data.y_train[e, n].float() - 1.0
                terms = [(torch.clamp(1 - target * out[0], min=0), 1.0)]
            else:
                if data.class_mask is not None:
                    out = out.masked_fill(~data.class_mask, float("-inf"))
                log_p = F.log_softmax(out, dim=-1)
                classes = range(len(out)) if data.class_mask is None else torch.nonzero(data.class_mask).flatten().tolist()
                terms = [(log_p[c], log_p[c].exp().item()) for c in classes]
            for value, weight in terms:
                grads = torch.autograd.grad(value, params, retain_graph=True)
                for f, g in zip(fisher, grads):
                    f[e] += weight * g[e] ** 2
    return [f / data.n_train for f in fisher]


@pytest.mark.parametrize("scenario", ["class", "task"])
def test_fisher_equals_the_per_sample_brute_force(scenario):
    t = trainer(f"continual.scenario={scenario}", "network.activation=tanh")
    mask = None if scenario == "class" else t.tasks[1].class_mask  # a head the data do not match: still exact
    data = tiny_task(t, mask=mask)
    for mine, reference in zip(fisher_diagonal(t, data), brute_force_fisher(t, data)):
        torch.testing.assert_close(mine, reference, rtol=1e-4, atol=1e-7)


def test_fisher_of_the_hinge_loss_equals_the_brute_force():
    t = build_trainer(apply_overrides(Config(), [
        "task.name=ib", "network.hidden=[5]", "network.activation=relu", "train.loss=hinge",
        "train.ensemble=2", "continual.tasks=2", "continual.scenario=domain",
    ]))
    data = tiny_task(t, n=9)
    for mine, reference in zip(fisher_diagonal(t, data), brute_force_fisher(t, data, hinge=True)):
        torch.testing.assert_close(mine, reference, rtol=1e-4, atol=1e-7)


@pytest.mark.skipif("mse" not in LOSSES, reason="no squared-error loss in this build")
def test_fisher_of_the_squared_error_equals_the_brute_force():
    t = trainer("train.loss=mse", "continual.scenario=class", "network.activation=tanh")
    data = tiny_task(t, n=6)
    params = parameters(t.model)
    reference = [torch.zeros_like(p) for p in params]
    for e in range(t.members):
        for n in range(data.n_train):
            out = t.model(data.x_train[:, n : n + 1])[e, 0]
            for c in range(len(out)):
                for f, g in zip(reference, torch.autograd.grad(out[c], params, retain_graph=True)):
                    f[e] += g[e] ** 2 / data.n_train
    for mine, ref in zip(fisher_diagonal(t, data), reference):
        torch.testing.assert_close(mine, ref, rtol=1e-4, atol=1e-7)


def test_ewc_penalty_is_half_lambda_fisher_weighted_squared_distance():
    t = trainer("continual.method=ewc", "continual.ewc_lambda=7")
    ewc = hooks_of(t, EWC)
    assert ewc.penalty(t) is None
    ewc.on_task_end(t, 0)
    anchor = [p.detach().clone() for p in parameters(t.model)]
    fisher = fisher_diagonal(t, t.tasks[0])
    with torch.no_grad():
        for p in parameters(t.model):
            p.add_(0.1 * torch.randn_like(p))
    now = [p.detach() for p in parameters(t.model)]
    expected = 0.5 * 7 * sum(float((f * (p - a) ** 2).sum()) for f, p, a in zip(fisher, now, anchor))
    assert ewc.penalty(t).item() == pytest.approx(expected, rel=1e-5)
    ewc.on_task_end(t, 1)
    assert len(ewc.terms) == 2  # plain EWC keeps one term per old task
    with torch.no_grad():
        for p in parameters(t.model):
            p.add_(0.1 * torch.randn_like(p))
    now = [p.detach() for p in parameters(t.model)]
    # The merged quadratic equals the sum of the two tasks' terms.
    expected = 0.5 * 7 * sum(float((f * (p - a) ** 2).sum()) for fisher, anchor in ewc.terms
                             for f, p, a in zip(fisher, now, anchor))
    assert ewc.penalty(t).item() == pytest.approx(expected, rel=1e-4)
    ewc.on_task_end(t, 2)
    assert len(ewc.terms) == 2  # nothing follows the last task


def test_online_ewc_keeps_one_decayed_fisher_anchored_at_the_latest_task():
    t = trainer("continual.method=online_ewc", "continual.online_gamma=0.5")
    ewc = hooks_of(t, EWC)
    first = fisher_diagonal(t, t.tasks[0])
    ewc.on_task_end(t, 0)
    with torch.no_grad():
        for p in parameters(t.model):
            p.add_(0.1 * torch.randn_like(p))
    second = fisher_diagonal(t, t.tasks[1])
    ewc.on_task_end(t, 1)
    assert len(ewc.terms) == 1
    fisher, anchor = ewc.terms[0]
    for f, a, b, p, now in zip(fisher, first, second, anchor, parameters(t.model)):
        torch.testing.assert_close(f, 0.5 * a + b)
        torch.testing.assert_close(p, now.detach())


def batch_of(t, size=16):
    x, y = t.task.x_train[:, :size], t.task.y_train[:, :size]
    return x, y


def loss_gradient(t, x, y):
    """The gradient of the task loss alone, for the current parameters."""
    params = parameters(t.model)
    loss = t.loss_per_member(t.model(x), y).sum()
    return [g.detach() for g in torch.autograd.grad(loss, params)]


def test_si_path_integral_and_importance_by_hand():
    t = trainer("continual.method=si", "continual.si_c=3", "train.optimizer=sgd", "train.lr=0.1")
    si = hooks_of(t, SynapticIntelligence)
    t._start()
    start = [p.detach().clone() for p in parameters(t.model)]
    x, y = batch_of(t)
    g = loss_gradient(t, x, y)
    t.step(x, y)
    # Plain SGD: delta = -lr g, so omega = -g * delta = lr g^2.
    for w, grad in zip(si.omega, g):
        torch.testing.assert_close(w, 0.1 * grad**2)
    omega = [w.clone() for w in si.omega]
    si.on_task_end(t, 0)
    end = [p.detach().clone() for p in parameters(t.model)]
    for big, w, a, b in zip(si.importance, omega, start, end):
        torch.testing.assert_close(big, w / ((b - a) ** 2 + 0.1))
    # With the penalty active, omega uses the task loss's gradient only, not the penalty's.
    with torch.no_grad():
        for p in parameters(t.model):
            p.add_(0.05 * torch.randn_like(p))
    before = [p.detach().clone() for p in parameters(t.model)]
    g_task = loss_gradient(t, x, y)
    expected_penalty = 3 * sum(float((big * (p - a) ** 2).sum()) for big, p, a in zip(si.importance, before, end))
    assert si.penalty(t).item() == pytest.approx(expected_penalty, rel=1e-5)
    t.step(x, y)
    for w, grad, b, p in zip(si.omega, g_task, before, parameters(t.model)):
        torch.testing.assert_close(w, -grad * (p.detach() - b), rtol=1e-4, atol=1e-9)


@pytest.mark.parametrize("scenario", ["task", "class"])
def test_replay_buffer_holds_earlier_samples_shared_evenly_and_mixes_them_in(scenario):
    t = trainer("continual.method=replay", "continual.replay_size=9", f"continual.scenario={scenario}")
    replay = hooks_of(t, Replay)
    t._start()
    x, y = batch_of(t, 5)
    assert replay.transform_batch(t, x, y)[0] is x  # nothing stored during task 1
    replay.on_task_end(t, 0)
    assert replay.pool.size == 9 and (replay.pool.owner == 0).all()
    replay.on_task_end(t, 1)
    assert replay.pool.size == 9 and replay.pool.owner.tolist() == [0] * 5 + [1] * 4
    for k in range(t.members):
        for row, label, owner in zip(replay.pool.x[k], replay.pool.y[k], replay.pool.owner):
            task = t.tasks[int(owner)]
            same = (task.x_train[k] == row).all(dim=1) & (task.y_train[k] == label)
            assert same.any()  # a real training sample of that earlier task, with its label
    t.task_index = 2
    x, y = batch_of(t, 5)
    t.batch_class_mask = None
    mixed_x, mixed_y = replay.transform_batch(t, x, y)
    assert mixed_x.shape[1] == 10
    torch.testing.assert_close(mixed_x[:, :5], x)
    assert set(mixed_y[:, 5:].flatten().tolist()) <= {0, 1, 2, 3}
    if scenario == "task":
        mask = t.batch_class_mask
        assert mask.shape == (2, 10, 6)
        # Every sample may use exactly its own task's head: its label's pair.
        for k in range(2):
            for n in range(10):
                label = int(mixed_y[k, n])
                assert torch.nonzero(mask[k, n]).flatten().tolist() == [label - label % 2, label - label % 2 + 1]
    else:
        assert t.batch_class_mask is None
    assert torch.isfinite(t.step(x, y)).all()


def test_joint_batches_come_from_every_task():
    t = trainer("continual.method=joint", "continual.scenario=task")
    joint = hooks_of(t, Joint)
    t._start()
    x, y = batch_of(t, 300)
    jx, jy = joint.transform_batch(t, x, y)
    assert jx.shape == x.shape
    assert set(jy.flatten().tolist()) == set(range(6))
    mask = t.batch_class_mask
    pair_start = (jy - jy % 2)
    assert (mask.sum(dim=-1) == 2).all()
    assert mask.gather(2, pair_start.unsqueeze(-1)).all() and mask.gather(2, (pair_start + 1).unsqueeze(-1)).all()


def test_continual_runs_keep_ensemble_members_equal_to_single_runs():
    """Member k of an ensemble (replay: buffers and draws per member) is the run with seed + k."""
    common = ["continual.method=replay", "continual.replay_size=20", "continual.scenario=task", "train.seed=3"]
    ensemble = trainer(*common)
    list(ensemble.epochs())
    single = trainer(*common[:-1], "train.seed=4", "train.ensemble=1")
    list(single.epochs())
    for wa, wb in zip(ensemble.weights(), single.weights()):
        np.testing.assert_allclose(wa[1], wb[0], rtol=1e-4, atol=1e-5)
