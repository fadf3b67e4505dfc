"""What the window shows before the first Start: the task's data points (2-D tasks) and the
network with its initial weights and its units' heatmaps, built from the settings alone (no
trainer, no thread)."""

from __future__ import annotations

from typing import Any

import numpy as np

from playground.core.measures.boundary import BoundaryGrid, DEFAULT_RESOLUTION, Plane, grid_extent
from playground.core.config import Config


def preview(config: Config) -> dict[str, Any]:
    """Live data in the shapes the views read: "preview" (a BoundaryGrid without probabilities)
    for 2-D tasks, and "weights", "biases", "layer_sizes", ... of member 0 at initialisation."""
    import torch

    from playground.core.measures.neurons import neuron_maps
    from playground.core.training.model import EnsembleMLP
    from playground.core.tasks import get_task

    spec = get_task(config.task.name)
    data = spec.build(config.task.params, config.train.seed)
    live: dict[str, Any] = {"task_inputs": data.input_dim}
    plane = data.plane()  # the (x1, x2) points, also where the inputs are features of them
    if plane is not None:
        x0, x1, y0, y1 = grid_extent(np.concatenate(plane))
        live["preview"] = BoundaryGrid(
            xs=np.linspace(x0, x1, DEFAULT_RESOLUTION), ys=np.linspace(y0, y1, DEFAULT_RESOLUTION), probs=None,
            points=plane[0], labels=data.y_train, test_points=plane[1], test_labels=data.y_test)
    if config.continual.tasks > 1:
        return live  # the sequence decides the output layer; drawn once the run starts
    hidden = list(config.network.hidden)
    activations = list(config.network.layer_activations) or [config.network.activation] * len(hidden)
    outputs = 1 if config.train.loss == "hinge" else spec.n_classes(config.task.params)
    sizes = [data.input_dim, *hidden, outputs]
    names = list(data.feature_names) or [f"x{i}" for i in range(data.input_dim)]
    with torch.no_grad():
        model = EnsembleMLP(sizes, activations, [config.train.seed], init=config.network.init,
                            sw2=config.network.sw2, sb2=config.network.sb2,
                            parameterisation=config.network.parameterisation)
        live["weights"] = [w.detach().numpy().copy() for w in model.weights]
        live["biases"] = [b.detach().numpy().reshape(1, -1).copy() for b in model.biases]
        if plane is not None:
            features = tuple(data.feature_names) if data.plane_train is not None else None
            live["neurons"] = neuron_maps(model, Plane(plane[0], plane[1], features), 0, names or ("x1", "x2"))
    live.update(layer_sizes=sizes, activations=activations, feature_names=names)
    return live
