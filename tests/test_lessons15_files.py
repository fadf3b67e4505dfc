"""Issue 15's nine lessons headless: each runs from the CLI and writes its tables with the
issue's columns (and its arrays into final_state.npz), each sweep writes its summary column,
and bad hook settings fail in one line naming the key."""

import csv

import numpy as np
import pytest

from playground.cli import main
from playground.core.config import ConfigError, apply_overrides
from playground.core.experiments.lessons import get_lesson
from playground.core.experiments.sweep import read_sweep
from playground.core.measures.hook_kinds import resolve_hooks

# lesson -> {table: its columns, exactly as issue 15 names them (plus the extra tables)}
TABLES = {
    "adversarial-examples": {"adversarial": ["epoch", "member", "attack", "eps", "source_member", "accuracy"]},
    "fooling-images": {"fooling": ["member", "class", "step", "confidence"]},
    "one-pixel": {"one_pixel": ["member", "fooled", "total", "fraction"],
                  "one_pixel_examples": ["member", "example", "test_index", "pixel", "value", "old_label", "new_label"]},
    "pruning": {"pruning": ["member", "sparsity", "method", "accuracy"]},
    "loss-landscape": {"landscape_line": ["member", "alpha", "train_loss", "test_loss"],
                       "landscape_plane": ["member", "a", "b", "loss"],
                       "curvature": ["epoch", "member", "max_eig", "min_eig"]},
    "lazy-training": {"lazy": ["epoch", "member", "layer", "relative_change"],
                      "linearisation": ["epoch", "member", "distance", "output_change", "relative_distance"]},
    "layer-separation": {"separation": ["epoch", "member", "layer", "probe_accuracy"]},
    "vanishing-gradients": {"gradient_depth": ["epoch", "member", "layer", "grad_norm"]},
    "double-descent": {"double_descent": ["member", "features", "parameters", "samples", "rf_train_error",
                                          "rf_test_error", "rf_train_mse", "rf_test_mse"]},
}
ARRAYS = {
    "adversarial-examples": ["adversarial_clean", "adversarial_perturbed", "adversarial_predictions"],
    "fooling-images": ["fooling_images", "fooling_confidence"],
    "one-pixel": ["one_pixel_images"],
    "pruning": ["pruning_mask_0", "pruning_mask_1", "pruning_mask_2"],
}
# lesson -> two cheap values of its sweep
SWEEPS = {"adversarial-examples": "0,0.1", "lazy-training": "16,64", "vanishing-gradients": "sigmoid,relu",
          "double-descent": "20,50"}


def header(path):
    with open(path, newline="") as handle:
        return next(csv.reader(handle))


@pytest.mark.parametrize("name", sorted(TABLES))
def test_lesson_runs_headless_and_writes_its_tables(name, tmp_path):
    out = tmp_path / name
    assert main(["run", "--preset", name, "--epochs", "1", "--ensemble", "2", "--quiet", "--out", str(out)]) == 0
    for table, columns in TABLES[name].items():
        assert header(out / f"{table}.csv") == columns, table
    with np.load(out / "final_state.npz") as state:
        for key in ARRAYS.get(name, []):
            assert key in state.files and state[key].size > 0, key
    assert (out / "hooks.toml").exists()  # the rerun from its config is whole


@pytest.mark.parametrize("name", sorted(SWEEPS))
def test_lesson_sweep_writes_its_summary_column(name, tmp_path):
    out = tmp_path / "sweep"
    assert main(["sweep", "--preset", name, "--values", SWEEPS[name], "--seeds", "1", "--epochs", "1",
                 "--quiet", "--out", str(out)]) == 0
    table = read_sweep(out)
    assert get_lesson(name).sweep.show in table and len(table["value"]) == 2


def test_fooling_images_in_final_state_match_the_table(tmp_path):
    out = tmp_path / "fool"
    assert main(["run", "--preset", "fooling-images", "--epochs", "2", "--ensemble", "2", "--quiet",
                 "--set", "train.seed=3", "--out", str(out)]) == 0
    with np.load(out / "final_state.npz") as state:
        images, confidence = state["fooling_images"], state["fooling_confidence"]
    assert images.shape == (2, 10, 64) and images.min() >= 0 and images.max() <= 1
    with open(out / "fooling.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    last = max(int(r["step"]) for r in rows)
    final = {(int(r["member"]), int(r["class"])): float(r["confidence"]) for r in rows if int(r["step"]) == last}
    for (member, cls), value in final.items():
        assert value == pytest.approx(float(confidence[member, cls]), rel=1e-5)


@pytest.mark.parametrize("lesson, hooks, overrides, fragment", [
    ("adversarial-examples", {"adversarial": {"eps": "0, x"}}, [], "hooks.adversarial.eps: 'x' is not a number"),
    ("adversarial-examples", {"adversarial": {"eps": "0.5, 2"}}, [], "hooks.adversarial.eps: 2 is not between 0 and 1"),
    ("pruning", {"pruning": {"methods": "none, prune"}}, [], "hooks.pruning.methods: 'prune' is not one of"),
    ("pruning", {"pruning": {"sparsities": ""}}, [], "hooks.pruning.sparsities: expected numbers"),
    ("pruning", {"pruning": {}}, ["continual.tasks=2"], "hooks.pruning: needs a single task"),
    ("loss-landscape", {"landscape": {"line_from": 1.0, "line_to": 0.5}}, [], "line_from (1) must be below"),
    ("fooling-images", {"fooling": {}}, ["train.loss=mse"], "hooks.fooling: needs train.loss = 'cross_entropy'"),
    ("lazy-training", {"lazy": {}}, ["train.weight_decay=0.01"], "hooks.lazy: needs train.weight_decay = 0"),
    ("lazy-training", {"lazy": {}}, ["train.adversarial_eps=0.1"], "hooks.lazy: needs train.adversarial_eps = 0"),
    ("double-descent", {"random_features": {}}, ["network.hidden=[]"], "hooks.random_features: needs a hidden layer"),
    ("one-pixel", {"one_pixel": {"examples": -1}}, [], "hooks.one_pixel.examples"),
])
def test_bad_hook_settings_fail_in_one_line_naming_the_key(lesson, hooks, overrides, fragment):
    config = apply_overrides(get_lesson(lesson).config, overrides)
    with pytest.raises(ConfigError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        resolve_hooks(hooks, config)


def test_gradient_signal_refuses_the_ntk_parameterisation():
    config = apply_overrides(get_lesson("parity-wall").config, ["network.parameterisation=ntk"])
    with pytest.raises(ConfigError, match="network.parameterisation = 'standard'"):
        resolve_hooks({"gradient_signal": {}}, config)
