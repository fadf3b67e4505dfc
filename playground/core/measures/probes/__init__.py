"""Probes: the information plane and per-layer statistics, measured while a network trains.

`probe_hooks(config)` returns the trainer hooks that `config.probes` asks for. They run only
on the epochs of the probe schedule (`probes.schedule` "every" or "log" with about
`probes.points` epochs over the run; the run's last epoch is always probed), per ensemble
member, on all the task's probe inputs (`trainer.task.x_probe`; for `ib`: all 4096 patterns).

Layers are numbered 1..L: the hidden layers in order, then the output layer (L = hidden + 1).
The output layer's activity is the softmax probabilities (cross-entropy) or the raw score
(hinge). Information is in bits. E = members of the ensemble.

What each hook puts into the `EpochRecord` of a probed epoch (nothing on other epochs):

InfoPlaneHook (always, when probes are enabled)
    record.tables["info_plane"]: one row per (member, layer[, bound]):
        epoch (int), member (int, 0-based), layer (int, 1-based; L = output),
        estimator (str: "binning" | "binwidth" | "adaptive" | "kde_upper" | "kde_lower"),
        i_xt (float, bits), i_ty (float, bits)
        `probes.estimator = "kde"` writes two rows per (member, layer): kde_upper, kde_lower.
    record.live["info_plane"]: dict
        "epoch": int
        "estimators": tuple[str, ...]   the names above, in the order of the first axis below
        "i_xt": float64 (K, E, L)       K = len(estimators)
        "i_ty": float64 (K, E, L)
        "h_x": float64 (E,)             H(X) of the probe inputs: the ceiling of I(X;T)
        "h_y": float64 (E,)             H(Y) of the probe labels: the ceiling of I(T;Y)
    record.live["probe_layers"]: list[str] of length L, e.g. ["tanh 10", ..., "softmax 2"]

LayerStatsHook (when `probes.layer_stats`, the default)
    record.tables["layer_stats"]: one row per (member, layer):
        epoch, member, layer (as above), units (int),
        weight_norm, weight_mean, weight_std   of the layer's weight matrix (biases excluded),
        grad_mean_norm   ||mean over this epoch's mini-batches of the weight gradient||,
        grad_std         sqrt(trace of the covariance of those gradients) (population, 1/B),
        snr              grad_mean_norm / grad_std (its square is science.md's SNR);
                         NaN where the epoch had fewer than 2 mini-batches or zero spread,
        saturation       fraction of saturated activity on the probe inputs: |tanh| > 0.99;
                         sigmoid and softmax within 0.01 of 0 or 1; ReLU: fraction of dead
                         units (zero on every probe input); linear and hinge output: 0,
        diffusion_epoch  the drift-to-diffusion epoch of this member's layer: the first
                         probed epoch whose snr fell below 1 after a drift phase (snr > 1
                         at an earlier probe) and stayed below 1 for 5 probes in a row;
                         -1 until confirmed (so it appears 4 probes after that epoch)
    record.live["layer_stats"]: dict of float64 (E, L) arrays, one per statistic column above
        (weight_norm ... saturation), plus "diffusion_epoch": int64 (E, L) (-1 = not yet).
    record.live["weight_hist"]: list of L dicts {"counts": int64 (E, bins), "edges": float64 (bins+1,)}
        histogram of each layer's weights per member, edges spanning that layer's weights
        over all members at this epoch (bins = `probes.histogram_bins`).
    record.live["activation_hist"]: list of L dicts, same shapes, of each layer's activity on
        the probe inputs; edges [-1, 1] for tanh, [0, 1] for sigmoid/softmax, else the
        layer's range over all members at this epoch.
    record.live["probe_layers"]: as above.

ActivationSaver (when `probes.save_activations`)
    record.files["activations/epoch_<E>.npz"]: bytes of an .npz written by the RunWriter,
        with arrays "layer1" .. "layer<L>" float32 (members, inputs, units) (hidden layers
        first, the output last), "y" int64 (members, inputs) the probe labels, and
        "x" float32 (members, inputs, features) the probe inputs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playground.core.config import Config
    from playground.core.training.hooks import TrainerHook


def probe_hooks(config: "Config") -> list["TrainerHook"]:
    """The hooks `config.probes` asks for; they share one schedule and one activation cache."""
    from playground.core.measures.probes.activations import ActivationSaver
    from playground.core.measures.probes.infoplane import InfoPlaneHook
    from playground.core.measures.probes.layer_stats import LayerStatsHook
    from playground.core.measures.probes.shared import ProbeContext

    context = ProbeContext(config.probes)
    hooks: list[TrainerHook] = [InfoPlaneHook(context)]
    if config.probes.layer_stats:
        hooks.append(LayerStatsHook(context))
    if config.probes.save_activations:
        hooks.append(ActivationSaver(context))
    return hooks
