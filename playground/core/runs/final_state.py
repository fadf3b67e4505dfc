"""The trained network's last state as a run file (final_state.npz), so a reopened run can draw
what the CSV tables do not hold: the network's weights, the decision boundary (or a regression's
predicted surface), the neuron heatmaps of member 0 (2-D tasks) and the test set's confusion
matrix (classification).

Written once when a run ends (CLI and GUI alike), atomically; read back into the same
`live` dictionary the GUI's worker sends while training (weights, biases, layer sizes,
activations, feature names, boundary grid, probe layer names, "neurons", "confusion", and the
lesson hooks' own arrays under "final_arrays").
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from playground.core import config as config_module
from playground.core.base.fileio import RunFileError, atomic_write_bytes
from playground.core.config import ConfigError

FINAL_STATE_FILE = "final_state.npz"
FORMAT_VERSION = 1
BOUNDARY_FIELDS = ("xs", "ys", "probs", "points", "labels", "test_points", "test_labels")
# The file's own arrays; every other one is a hook's (`final_arrays`), passed on as live["final_arrays"].
OWN_ARRAYS = ("format_version", "layer_sizes", "activations", "feature_names", "probe_layers", "task_names",
              "confusion", "confusion_mean")
OWN_PREFIXES = ("weights_", "biases_", "boundary_", "neurons_")


def capture(trainer) -> dict[str, np.ndarray]:
    """The arrays saved for a trainer's current state (copies; the trainer may go on)."""
    from playground.core.measures.boundary import compute_boundary, supports_boundary
    from playground.core.measures.probes.shared import layer_labels

    model = trainer.model
    arrays: dict[str, np.ndarray] = {
        "format_version": np.array(FORMAT_VERSION),
        "layer_sizes": np.asarray(model.sizes, dtype=np.int64),
        "activations": np.asarray(list(model.activation_names), dtype=str),
        "feature_names": np.asarray(_feature_names(trainer), dtype=str),
        "probe_layers": np.asarray(layer_labels(trainer), dtype=str),
        "task_names": np.asarray([t.name for t in trainer.tasks], dtype=str),
    }
    for index, weight in enumerate(trainer.weights()):
        arrays[f"weights_{index}"] = weight.astype(np.float32)
    for index, bias in enumerate(model.biases):
        arrays[f"biases_{index}"] = bias.detach().cpu().numpy().reshape(trainer.members, -1).astype(np.float32)
    arrays.update(hook_arrays(trainer))
    if supports_boundary(trainer):
        grid = compute_boundary(trainer)
        for name in BOUNDARY_FIELDS:
            arrays[f"boundary_{name}"] = np.asarray(getattr(grid, name))
        if grid.values is not None:
            arrays["boundary_values"] = grid.values
        arrays.update(_neuron_arrays(trainer))
    arrays.update(_confusion_arrays(trainer))
    return arrays


def hook_arrays(trainer) -> dict[str, np.ndarray]:
    """The measures' own arrays (e.g. the fooling images), as the file and live["final_arrays"]
    hold them; a name that clashes with the file's own is refused."""
    arrays: dict[str, np.ndarray] = {}
    for hook in trainer.hooks:
        for name, value in getattr(hook, "final_arrays", lambda trainer: {})(trainer).items():
            if not is_hook_array(name):
                raise ValueError(f"{type(hook).__name__}.final_arrays: {name!r} is a name final_state.npz uses itself")
            arrays[name] = np.asarray(value)
    return arrays


def is_hook_array(name: str) -> bool:
    return name not in OWN_ARRAYS and not name.startswith(OWN_PREFIXES)


def _neuron_arrays(trainer) -> dict[str, np.ndarray]:
    from playground.core.measures.neurons import compute_neuron_maps

    return neuron_arrays(compute_neuron_maps(trainer, member=0))


def neuron_arrays(maps) -> dict[str, np.ndarray]:
    """A NeuronMaps as the file stores it (also from a snapshot's live["neurons"])."""
    arrays = {"neurons_xs": maps.xs, "neurons_ys": maps.ys, "neurons_member": np.array(maps.member),
              "neurons_features": np.asarray(maps.feature_names, dtype=str), "neurons_inputs": maps.inputs}
    for index, (layer, units) in enumerate(zip(maps.layers, maps.units)):
        arrays[f"neurons_layer_{index}"] = layer
        arrays[f"neurons_units_{index}"] = units
    return arrays


def _confusion_arrays(trainer) -> dict[str, np.ndarray]:
    from playground.core.measures.confusion import confusion_on_test_set, mean_confusion

    counts = confusion_on_test_set(trainer)
    if counts is None:
        return {}
    return {"confusion": counts, "confusion_mean": mean_confusion(counts)}


def snapshot_arrays(live: dict) -> dict[str, np.ndarray]:
    """What a live snapshot adds to the file beyond weights and boundary: the neuron maps, the
    confusion matrix and the hooks' arrays (the app's parent process writes the file from it)."""
    arrays: dict[str, np.ndarray] = dict(live.get("final_arrays", {}))
    grid = live.get("boundary")
    if grid is not None and getattr(grid, "values", None) is not None:
        arrays["boundary_values"] = grid.values
    if live.get("neurons") is not None:
        arrays.update(neuron_arrays(live["neurons"]))
    if live.get("confusion") is not None:
        arrays.update({"confusion": live["confusion"]["counts"], "confusion_mean": live["confusion"]["mean"]})
    return arrays


def _feature_names(trainer) -> list[str]:
    datasets = getattr(trainer.task, "datasets", ())
    if datasets and datasets[0].feature_names:
        return list(datasets[0].feature_names)
    return [f"x{i}" for i in range(trainer.task.input_dim)]


def write(trainer, run_dir: str | Path) -> Path:
    """Save the trainer's state into the run folder (atomic; RunFileError if it cannot)."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **capture(trainer))
    path = Path(run_dir) / FINAL_STATE_FILE
    atomic_write_bytes(path, buffer.getvalue())
    return path


def _check_against_config(path: Path, arrays: dict[str, np.ndarray], sizes: list[int], config) -> None:
    """A state copied in from another run would draw that run's network: refuse it."""
    if config is None:
        config_path = path.with_name("config.toml")
        if not config_path.exists():
            return
        try:
            config = config_module.load(config_path)
        except ConfigError as exc:
            raise RunFileError(str(exc)) from None
    network = config.network
    members = int(arrays["weights_0"].shape[0])
    activations = list(network.layer_activations) or [network.activation] * len(network.hidden)
    saved_activations = [str(a) for a in arrays.get("activations", activations)]
    tasks = len(arrays.get("task_names", [])) or config.continual.tasks
    if (sizes[1:-1] != list(network.hidden) or members != config.train.ensemble
            or saved_activations != activations or tasks != config.continual.tasks):
        def shape(hidden, count, acts) -> str:
            widths = "-".join(str(w) for w in hidden) or "no hidden layer"
            kinds = "/".join(sorted(set(acts))) or "linear"
            return f"{widths} {kinds}, {count} member{'s' if count != 1 else ''}"

        raise RunFileError(
            f"{path}: belongs to another run (its network: {shape(sizes[1:-1], members, saved_activations)}; "
            f"this run's config.toml: {shape(network.hidden, config.train.ensemble, activations)})")


def read(run_dir: str | Path, config=None) -> dict[str, Any]:
    """The saved state as the GUI's live data; {} when the run has no such file.

    A damaged file, or one whose network is not the one `config` (by default the folder's
    config.toml) describes, raises RunFileError naming the file and the problem."""
    from playground.core.measures.boundary import BoundaryGrid

    path = Path(run_dir) / FINAL_STATE_FILE
    if not path.exists():
        return {}
    if not zipfile.is_zipfile(path):
        raise RunFileError(f"{path}: not an .npz archive (damaged, or not written by the playground)")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise RunFileError(f"{path}: not a readable state file ({exc})") from None
    version = int(arrays.get("format_version", np.array(0)))
    if version > FORMAT_VERSION:
        raise RunFileError(f"{path}: format_version {version} is from a newer playground "
                           f"(this one reads up to {FORMAT_VERSION})")
    for key in ("layer_sizes", "weights_0", "biases_0"):
        if key not in arrays:
            raise RunFileError(f"{path}: missing '{key}'")
    sizes = [int(n) for n in arrays["layer_sizes"]]
    layers = len(sizes) - 1
    weights, biases = [], []
    for index in range(layers):
        for prefix, out in (("weights", weights), ("biases", biases)):
            key = f"{prefix}_{index}"
            if key not in arrays:
                raise RunFileError(f"{path}: missing '{key}' (layer_sizes lists {layers} layers)")
            out.append(arrays[key])
        if weights[-1].ndim != 3 or weights[-1].shape[1:] != (sizes[index], sizes[index + 1]):
            raise RunFileError(f"{path}: 'weights_{index}' has shape {weights[-1].shape}, "
                               f"expected (members, {sizes[index]}, {sizes[index + 1]})")
    _check_against_config(path, arrays, sizes, config)
    live: dict[str, Any] = {
        "weights": weights,
        "biases": biases,
        "layer_sizes": sizes,
        "activations": [str(a) for a in arrays.get("activations", [])],
        "feature_names": [str(a) for a in arrays.get("feature_names", [])],
    }
    if "probe_layers" in arrays:
        live["probe_layers"] = [str(a) for a in arrays["probe_layers"]]
    if len(arrays.get("task_names", [])) > 1:
        live["continual"] = {"task_names": [str(a) for a in arrays["task_names"]]}
    if "boundary_probs" in arrays:
        missing = [name for name in BOUNDARY_FIELDS if f"boundary_{name}" not in arrays]
        if missing:
            raise RunFileError(f"{path}: missing 'boundary_{missing[0]}'")
        live["boundary"] = BoundaryGrid(**{name: arrays[f"boundary_{name}"] for name in BOUNDARY_FIELDS},
                                        values=arrays.get("boundary_values"))
    if "neurons_inputs" in arrays:
        live["neurons"] = _read_neurons(path, arrays, layers)
    if "confusion" in arrays:
        counts = arrays["confusion"]
        live["confusion"] = {"counts": counts, "mean": arrays.get("confusion_mean", counts.mean(axis=0))}
    hooks = {name: value for name, value in arrays.items() if is_hook_array(name)}
    if hooks:
        live["final_arrays"] = hooks
    return live


def _read_neurons(path: Path, arrays: dict[str, np.ndarray], layers: int):
    from playground.core.measures.neurons import NeuronMaps

    missing = [key for key in ("neurons_xs", "neurons_ys", "neurons_member", "neurons_features",
                               *(f"neurons_{kind}_{i}" for i in range(layers) for kind in ("layer", "units")))
               if key not in arrays]
    if missing:
        raise RunFileError(f"{path}: missing '{missing[0]}'")
    return NeuronMaps(
        xs=arrays["neurons_xs"], ys=arrays["neurons_ys"], member=int(arrays["neurons_member"]),
        feature_names=[str(name) for name in arrays["neurons_features"]], inputs=arrays["neurons_inputs"],
        layers=[arrays[f"neurons_layer_{i}"] for i in range(layers)],
        units=[arrays[f"neurons_units_{i}"] for i in range(layers)],
    )
