"""Neuron heatmaps (TensorFlow Playground's): every unit's output over the (x1, x2) plane, for
the input features, each hidden layer and the output layer, of one member on a coarse grid.

For a 2-D task only (see boundary.task_plane). Wide layers show their first `max_units` units.
The app's worker calls `compute_neuron_maps(trainer, member)` at the boundary's throttled
rate and sends the result as live["neurons"]; final_state.npz keeps the last one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from playground.core.measures.boundary import Plane, plane_grid, task_plane

RESOLUTION = 40
MAX_UNITS = 8  # TensorFlow Playground's widest layer


@dataclass
class NeuronMaps:
    xs: np.ndarray  # (R,) grid coordinates of x1
    ys: np.ndarray  # (R,) of x2
    member: int
    feature_names: list[str]
    # Each (units, R, R), [u, j, i] at (xs[i], ys[j]): the network's inputs (the features),
    # then every layer's units after its nonlinearity (the output layer's raw outputs).
    inputs: np.ndarray
    layers: list[np.ndarray]
    # Which units of each layer the maps show (the first few where the layer is wide).
    units: list[np.ndarray]


def supports_neuron_maps(trainer) -> bool:
    return task_plane(trainer.task) is not None


def compute_neuron_maps(trainer, member: int = 0, resolution: int = RESOLUTION,
                        max_units: int = MAX_UNITS) -> NeuronMaps:
    """Every shown unit's output over a resolution x resolution grid of the plane, for one member."""
    data = trainer.task
    plane = task_plane(data)
    if plane is None:
        raise ValueError(f"neuron heatmaps need a 2-D task; task {data.name} has {data.input_dim} inputs")
    if not 0 <= member < trainer.members:
        raise ValueError(f"member {member} is not one of the run's {trainer.members} members")
    names = plane.features or (data.datasets[0].feature_names if data.datasets else ()) or ("x1", "x2")
    return neuron_maps(trainer.model, plane, member, names, trainer.device, resolution, max_units)


@torch.no_grad()
def neuron_maps(model, plane: Plane, member: int, names, device="cpu", resolution: int = RESOLUTION,
                max_units: int = MAX_UNITS) -> NeuronMaps:
    """The maps of one member of `model` (an EnsembleMLP) over a grid of `plane`: what
    compute_neuron_maps gives a trainer, also for a model without one (the app's preview)."""
    xs, ys, inputs = plane_grid(plane, resolution)
    _, kept = model(torch.as_tensor(inputs, device=device), keep_activations=True)

    def maps(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(R*R, units) -> the first units as (shown, R, R), and their indices."""
        shown = np.arange(min(values.shape[1], max_units))
        return values[:, shown].T.reshape(len(shown), resolution, resolution).astype(np.float32), shown

    input_maps = inputs.T.reshape(-1, resolution, resolution).astype(np.float32)  # every feature
    layers, units = [], []
    for activity in kept:
        layer_maps, shown = maps(activity[member].cpu().numpy())
        layers.append(layer_maps)
        units.append(shown)
    return NeuronMaps(xs=xs, ys=ys, member=member, feature_names=list(names), inputs=input_maps,
                      layers=layers, units=units)
