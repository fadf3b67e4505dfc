"""Adversarial examples, fooling images and the one-pixel attack, each against an independent
reference on a tiny case: finite differences, a closed-form gradient, a brute-force loop."""

import numpy as np
import pytest
import torch

from lessons15_reference import ACTIVATIONS, cross_entropy, forward, member_params, tiny_trainer, train
from playground.core.config import Config, ConfigError, apply_overrides, validate
from playground.core.measures.adversarial import loss_function, pgd, transfer_accuracy, unseen_masks
from playground.core.measures.fooling import fooling_images, uniform_noise
from playground.core.measures.one_pixel import one_pixel_search
from playground.core.training.perturb import fgsm, input_range


def finite_difference_input_gradient(weights, biases, activations, x, y, h=1e-6):
    """d loss_n / d x_n for every sample and pixel, by central differences in float64."""
    grad = np.zeros_like(x)
    for n in range(len(x)):
        for p in range(x.shape[1]):
            up, down = x[n:n + 1].copy(), x[n:n + 1].copy()
            up[0, p] += h
            down[0, p] -= h
            grad[n, p] = (cross_entropy(forward(weights, biases, activations, up), y[n:n + 1])[0]
                          - cross_entropy(forward(weights, biases, activations, down), y[n:n + 1])[0]) / (2 * h)
    return grad


def test_fgsm_is_eps_times_the_sign_of_a_finite_difference_gradient():
    trainer = train(tiny_trainer())
    data = trainer.task
    x, y = data.x_test[:, :6], data.y_test[:, :6]
    eps = 0.1
    adv = fgsm(loss_function(trainer), x, y, eps, 0.0, 1.0).double().numpy()
    checked = 0
    for member in range(2):
        weights, biases = member_params(trainer, member)
        xm = x[member].double().numpy()
        grad = finite_difference_input_gradient(weights, biases, ["tanh"], xm, y[member].numpy())
        expected = np.clip(xm + eps * np.sign(grad), 0.0, 1.0)
        clear = np.abs(grad) > 1e-7  # a sign the differences resolve
        np.testing.assert_allclose(adv[member][clear], expected[clear], atol=1e-6)
        checked += clear.sum()
    assert checked > 0.8 * adv.size


def test_pgd_stays_in_its_ball_and_the_pixel_range_and_one_full_step_is_fgsm():
    trainer = train(tiny_trainer())
    data = trainer.task
    x, y = data.x_test[:, :20], data.y_test[:, :20]
    loss = loss_function(trainer)
    for eps in (0.05, 0.2):
        adv = pgd(loss, x, y, eps, steps=7)
        assert float((adv - x).abs().max()) <= eps + 1e-6
        assert float(adv.min()) >= 0.0 and float(adv.max()) <= 1.0
        assert torch.all(loss(adv, y) >= loss(x, y))  # it climbs the loss
    one_step = pgd(loss, x, y, 0.1, steps=1, step_size=0.1)
    torch.testing.assert_close(one_step, fgsm(loss, x, y, 0.1, 0.0, 1.0))


def test_unseen_masks_and_transfer_accuracy_match_a_loop():
    trainer = train(tiny_trainer(members=3))
    data = trainer.task
    x_test, x_train = data.x_test.numpy(), data.x_train.numpy()
    masks = unseen_masks(x_test, x_train)
    for s in range(3):
        for j in range(3):
            expected = [not np.any(np.all(x_train[j] == row, axis=1)) for row in x_test[s]]
            assert masks[s, j].tolist() == expected
    assert masks[0, 1].mean() < 0.5  # most of another member's test images are in this one's training set
    adv = fgsm(loss_function(trainer), data.x_test, data.y_test, 0.1, 0.0, 1.0)
    matrix = transfer_accuracy(trainer, adv, data.y_test, masks)
    for s in range(3):
        for j in range(3):
            weights, biases = member_params(trainer, j)
            keep = masks[s, j]
            predicted = forward(weights, biases, ["tanh"], adv[s].double().numpy()[keep]).argmax(axis=1)
            assert matrix[s, j] == pytest.approx(np.mean(predicted == data.y_test[s].numpy()[keep]), abs=1e-12)


def test_adversarial_training_steps_on_the_clean_and_the_fgsm_batch_half_each():
    trainer = tiny_trainer("train.optimizer=sgd", "train.lr=0.5", "train.adversarial_eps=0.1", members=1)
    data = trainer.task
    x, y = data.x_train[:, :32], data.y_train[:, :32]
    before = [p.detach().clone() for p in trainer.model.parameters()]
    loss = loss_function(trainer)
    x_adv = fgsm(loss, x, y, 0.1, 0.0, 1.0)
    grads_clean = torch.autograd.grad(loss(x, y).sum(), list(trainer.model.parameters()))
    grads_adv = torch.autograd.grad(loss(x_adv, y).sum(), list(trainer.model.parameters()))
    trainer.step(x, y)
    for p, old, gc, ga in zip(trainer.model.parameters(), before, grads_clean, grads_adv):
        torch.testing.assert_close(p.detach(), old - 0.5 * 0.5 * (gc + ga), atol=1e-6, rtol=1e-5)


def test_adversarial_and_parameterisation_keys_are_checked():
    for item, fragment in (("train.adversarial_eps=2", "train.adversarial_eps"),
                           ("network.parameterisation=wide", "network.parameterisation: 'wide' is not one of")):
        with pytest.raises(ConfigError, match=fragment):
            validate(apply_overrides(Config(), [item]))
    with pytest.raises(ConfigError, match="'ntk' works only with continual.tasks = 1"):
        validate(apply_overrides(Config(), ["task.name=digits", "continual.tasks=2", "network.parameterisation=ntk"]))


def test_fooling_ascent_first_step_follows_the_closed_form_gradient():
    """For a linear softmax model d log p(c|x) / dx = W[:, c] - W p(x): the first step is
    clip(x0 + step * sign of that); the climb raises every class's confidence, within the pixel range."""
    trainer = train(tiny_trainer("network.hidden=[]", "train.epochs=3"))
    start = uniform_noise(trainer, seed=3)
    low, high = input_range(trainer.task.x_train)
    images, trace = fooling_images(trainer, steps=1, step_size=0.05, start=start)
    for member in range(2):
        (w,), (b,) = member_params(trainer, member)
        x0 = start[member].double().numpy()  # (C, d): row c is climbing class c
        logits = x0 @ w + b
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        grad = w.T - p @ w.T  # row c: W[:, c] - W p(x_c)
        np.testing.assert_allclose(images[member], np.clip(x0 + 0.05 * np.sign(grad), low, high), atol=1e-6)
        assert trace[0][1][member] == pytest.approx(p[np.arange(10), np.arange(10)], rel=1e-5)
    images, trace = fooling_images(trainer, steps=80, step_size=0.05, start=start, record_every=10)
    assert [step for step, _ in trace] == [0, 10, 20, 30, 40, 50, 60, 70, 80]
    assert np.all(trace[-1][1] > trace[0][1] + 0.05) and images.min() >= low and images.max() <= high


def test_one_pixel_search_matches_a_brute_force_loop():
    trainer = train(tiny_trainer("network.hidden=[16]", "network.activation=relu", "train.epochs=2"))
    data = trainer.task
    x, y = data.x_test[:, :12], data.y_test[:, :12]

    def predict(inputs):
        return trainer.model(inputs).argmax(dim=-1)

    result = one_pixel_search(predict, x, y, (0.0, 1.0), chunk=5)
    for member in range(2):
        weights, biases = member_params(trainer, member)
        for n in range(12):
            image, label = x[member, n].double().numpy(), int(y[member, n])
            correct = forward(weights, biases, ["relu"], image[None]).argmax() == label
            found = None
            for pixel in range(64):
                for value in (0.0, 1.0):
                    changed = image.copy()
                    changed[pixel] = value
                    new = int(forward(weights, biases, ["relu"], changed[None]).argmax())
                    if correct and found is None and new != label:
                        found = (pixel, value, new)
            assert result.correct[member, n] == correct
            assert result.fooled[member, n] == (found is not None)
            if found is not None:
                assert (result.pixel[member, n], result.value[member, n], result.new_label[member, n]) == found
            else:
                assert result.pixel[member, n] == -1 and result.new_label[member, n] == -1


def test_reference_activations_are_the_models():
    from playground.core.training.model import ACTIVATION_FUNCTIONS

    z = torch.linspace(-3, 3, 13)
    for name, fn in ACTIVATIONS.items():
        np.testing.assert_allclose(fn(z.double().numpy()), ACTIVATION_FUNCTIONS[name](z).numpy(), atol=3e-7)
