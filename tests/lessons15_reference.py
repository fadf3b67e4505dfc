"""Plain numpy references for the lessons-15 tests: one member's MLP forward pass and loss in
float64, written from the weights alone (no torch, no playground code)."""

import numpy as np

ACTIVATIONS = {
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "linear": lambda z: z,
}


def member_params(trainer, member):
    weights = [w[member].detach().double().numpy() for w in trainer.model.weights]
    biases = [b[member, 0].detach().double().numpy() for b in trainer.model.biases]
    return weights, biases


def forward(weights, biases, activations, x, scales=None):
    """Logits of inputs x (N, d); layer l computes act(scale_l h W_l + b_l)."""
    h = np.asarray(x, dtype=np.float64)
    scales = scales or [1.0] * len(weights)
    for index, (w, b) in enumerate(zip(weights, biases)):
        h = scales[index] * h @ w + b
        if index < len(weights) - 1:
            h = ACTIVATIONS[activations[index]](h)
    return h


def cross_entropy(logits, y):
    """Per-sample cross-entropy of logits (N, C) against labels y (N,)."""
    top = logits.max(axis=1, keepdims=True)
    log_z = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
    return log_z - logits[np.arange(len(y)), y]


def mean_loss(weights, biases, activations, x, y):
    return float(cross_entropy(forward(weights, biases, activations, x), y).mean())


def tiny_trainer(*overrides, members=2):
    from playground.core.config import Config, apply_overrides
    from playground.core.experiments.assembly import build_trainer

    config = apply_overrides(Config(), ["task.name=digits", "network.hidden=[8]", "network.activation=tanh",
                                        f"train.ensemble={members}", "train.epochs=1", *overrides])
    return build_trainer(config)


def train(trainer):
    for _ in trainer.epochs():
        pass
    return trainer
