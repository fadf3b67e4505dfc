"""The digits resource and the task sequences: permutations, class splits, parity subsets, examples."""

import hashlib
import shutil
import sys

import numpy as np
import pytest
import torch

from playground.core.config import Config, ConfigError, apply_overrides, validate
from playground.core.continual.examples import example_images, image_shape
from playground.core.training.sequence import build_sequence, permutations
from playground.core.base.fileio import RunFileError
from playground.core.base.resources import resource_path, resources_dir
from playground.core.tasks import get_task
from playground.core.tasks.digits import digits_data
from playground.core.tasks.parity import hidden_subset, parity_labels


def sequence(*overrides, seeds=(0,)):
    cfg = validate(apply_overrides(Config(), list(overrides)))
    return cfg, build_sequence(cfg, list(seeds), "cpu")


def base_dataset(cfg, seed):
    return get_task(cfg.task.name).build(cfg.task.params, seed)


# ---------------------------------------------------------------- digits


def test_digits_file_is_the_uci_test_set_as_documented():
    with np.load(resource_path("digits.npz")) as archive:
        images, labels = archive["images"], archive["labels"]
    assert images.shape == (1797, 8, 8) and images.dtype == np.uint8 and images.max() == 16
    assert np.bincount(labels).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    digest = hashlib.sha256(images.tobytes() + labels.tobytes()).hexdigest()
    # The checksum resources/DIGITS_LICENSE.md gives for the file written from scikit-learn.
    assert digest == "87ff0c9e40dc7e2c0e34e7257799c2e3f3aec1a016363bb11cad869ec428a826"
    license_text = (resources_dir() / "DIGITS_LICENSE.md").read_text()
    assert "CC BY 4.0" in license_text and "Alpaydin" in license_text and "BSD 3-Clause" in license_text


def test_resources_are_found_in_a_pyinstaller_bundle(tmp_path, monkeypatch):
    (tmp_path / "resources").mkdir()
    shutil.copy(resource_path("digits.npz"), tmp_path / "resources" / "digits.npz")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resource_path("digits.npz") == tmp_path / "resources" / "digits.npz"
    with pytest.raises(RunFileError, match="missing.npz"):
        resource_path("missing.npz")


def test_digits_task_scales_pixels_and_splits_every_class_alike():
    x, y = digits_data()
    assert x.shape == (1797, 64) and x.min() == 0 and x.max() == 1
    spec = get_task("digits")
    params = spec.resolve({})
    a, b = spec.build(params, 0), spec.build(params, 1)
    # Stratified: the same number of training images of each digit whatever the seed.
    assert np.bincount(a.y_train).tolist() == np.bincount(b.y_train).tolist()
    assert len(a.y_train) + len(a.y_test) == 1797
    assert not np.array_equal(a.x_train, b.x_train)
    noisy = spec.build(spec.resolve({"random_labels": 1.0}), 0)
    np.testing.assert_array_equal(noisy.x_train, a.x_train)
    assert 0.8 < np.mean(noisy.y_train != a.y_train) < 0.97  # about 9 in 10 change class


# ---------------------------------------------------------------- permuted


def test_each_permuted_task_is_one_fixed_permutation_of_the_inputs():
    cfg, tasks = sequence("task.name=digits", "continual.tasks=3", "continual.family=permuted", seeds=(4, 5))
    for k, seed in enumerate((4, 5)):
        base = base_dataset(cfg, seed)
        perms = permutations(seed, 3, 64)
        np.testing.assert_array_equal(perms[0], np.arange(64))
        for t, task in enumerate(tasks):
            assert sorted(perms[t].tolist()) == list(range(64))
            for split in ("train", "test", "probe"):
                x = getattr(task, f"x_{split}")[k].numpy()
                np.testing.assert_array_equal(x, getattr(base, f"x_{split}")[:, perms[t]])
                # Domain scenario: the labels are the digits themselves.
                np.testing.assert_array_equal(getattr(task, f"y_{split}")[k].numpy(), getattr(base, f"y_{split}"))
            # Independently: one column mapping explains every training image of the task.
            base_x, task_x = base.x_train, task.x_train[k].numpy()
            for j in range(64):
                matches = np.flatnonzero((base_x == task_x[:, j : j + 1]).all(axis=0))
                assert perms[t][j] in matches
        assert not np.array_equal(perms[1], perms[2])
    assert not np.array_equal(permutations(4, 3, 64), permutations(5, 3, 64))
    # Task t's permutation does not depend on how many tasks follow.
    np.testing.assert_array_equal(permutations(4, 5, 64)[:3], permutations(4, 3, 64))


@pytest.mark.parametrize("scenario, outputs, masked", [("task", 30, True), ("class", 30, False), ("domain", 10, False)])
def test_permuted_labels_and_heads_per_scenario(scenario, outputs, masked):
    _, tasks = sequence("task.name=digits", "continual.tasks=3", f"continual.scenario={scenario}")
    for t, task in enumerate(tasks):
        assert task.n_classes == outputs
        labels = set(torch.unique(task.y_train).tolist())
        expected = set(range(10 * t, 10 * t + 10)) if scenario != "domain" else set(range(10))
        assert labels == expected
        if masked:
            assert torch.nonzero(task.class_mask).flatten().tolist() == list(range(10 * t, 10 * t + 10))
        else:
            assert task.class_mask is None


# ---------------------------------------------------------------- split


@pytest.mark.parametrize("scenario", ["task", "domain", "class"])
def test_split_tasks_hold_exactly_their_pair_of_digits(scenario):
    cfg, tasks = sequence("task.name=digits", "continual.tasks=5", "continual.family=split",
                          f"continual.scenario={scenario}", seeds=(0, 1))
    for k, seed in enumerate((0, 1)):
        base = base_dataset(cfg, seed)
        for t, task in enumerate(tasks):
            pair = (2 * t, 2 * t + 1)
            for split in ("train", "test"):
                base_y = getattr(base, f"y_{split}")
                chosen = np.isin(base_y, pair)
                x = getattr(task, f"x_{split}")[k].numpy()
                y = getattr(task, f"y_{split}")[k].numpy()
                np.testing.assert_array_equal(x, getattr(base, f"x_{split}")[chosen])
                global_labels = base_y[chosen]
                if scenario == "domain":
                    np.testing.assert_array_equal(y, global_labels - 2 * t)
                else:
                    np.testing.assert_array_equal(y, global_labels)
            assert task.n_classes == (2 if scenario == "domain" else 10)
            if scenario == "task":
                assert torch.nonzero(task.class_mask).flatten().tolist() == list(pair)
            else:
                assert task.class_mask is None
    assert [t.name for t in tasks] == ["digits 0/1", "digits 2/3", "digits 4/5", "digits 6/7", "digits 8/9"]


def test_split_of_a_task_whose_class_counts_vary_by_seed_still_stacks():
    # gauss draws its labels at random: members have different counts of each class.
    cfg, tasks = sequence("task.name=gauss", "task.classes=4", "task.samples=200", "continual.tasks=2",
                          "continual.family=split", "continual.scenario=class", seeds=(0, 1, 2))
    for k, seed in enumerate((0, 1, 2)):
        base = base_dataset(cfg, seed)
        for t, task in enumerate(tasks):
            x, y = task.x_train[k].numpy(), task.y_train[k].numpy()
            assert set(y.tolist()) <= {2 * t, 2 * t + 1}
            # Every kept sample is one of the member's own samples of those classes.
            pool = base.x_train[np.isin(base.y_train, (2 * t, 2 * t + 1))]
            assert all((pool == row).all(axis=1).any() for row in x)
            assert len(y) == min(int(np.isin(base_dataset(cfg, s).y_train, (2 * t, 2 * t + 1)).sum()) for s in (0, 1, 2))


# ---------------------------------------------------------------- parity


def test_parity_tasks_use_different_hidden_subsets_and_their_own_heads():
    cfg, tasks = sequence("task.name=parity", "task.n=6", "task.k=3", "task.online=false",
                          "continual.tasks=3", "continual.family=parity", "continual.scenario=task")
    subsets = []
    for t, task in enumerate(tasks):
        x = task.x_train[0].numpy()
        y = task.y_train[0].numpy() - 2 * t  # the task's own 0/1 labels
        # Brute force: exactly one 3-subset of the 6 bits explains the labels.
        from itertools import combinations
        fits = [s for s in combinations(range(6), 3) if np.array_equal(parity_labels(x, np.array(s)), y)]
        assert len(fits) == 1
        subsets.append(fits[0])
        assert torch.nonzero(task.class_mask).flatten().tolist() == [2 * t, 2 * t + 1]
    assert len(set(subsets)) == 3
    assert [t.name for t in tasks] == ["parity of " + ",".join(f"x{i}" for i in s) for s in subsets]
    assert subsets[0] == tuple(hidden_subset(cfg.task.params).tolist())


def test_online_parity_tasks_draw_fresh_samples_with_their_labels():
    _, tasks = sequence("task.name=parity", "task.n=6", "continual.tasks=2", "continual.family=parity",
                        "continual.scenario=task")
    x, y = tasks[1].samplers[0](np.random.default_rng(0), 50)
    assert set(np.unique(y).tolist()) == {2, 3}


# ---------------------------------------------------------------- example images


def test_example_images_show_one_digit_under_each_permutation():
    cfg = validate(apply_overrides(Config(), ["task.name=digits", "continual.tasks=3", "train.seed=7"]))
    first = example_images(cfg, 0, count=5)
    assert first.images.shape == (5, 8, 8) and first.name == "digits"
    x, _ = digits_data()
    # The first test images of the base task, as 8x8 pictures.
    base = base_dataset(cfg, 7)
    np.testing.assert_array_equal(first.images, base.x_test[:5].reshape(5, 8, 8))
    np.testing.assert_array_equal(first.labels, base.y_test[:5])
    perm = permutations(7, 3, 64)[2]
    third = example_images(cfg, 2, count=5)
    np.testing.assert_array_equal(third.images.reshape(5, 64), base.x_test[:5][:, perm])
    np.testing.assert_array_equal(third.labels, first.labels)
    with pytest.raises(ConfigError, match="task index 3"):
        example_images(cfg, 3)


def test_image_shape():
    assert image_shape(64) == (8, 8)
    assert image_shape(12) == (1, 12)
    assert image_shape(2) == (1, 2)
