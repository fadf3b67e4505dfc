import pytest

from playground.core import config as C
from playground.core.config import Config, ConfigError, apply_overrides, from_dict, to_dict, validate


def test_round_trip_through_toml(tmp_path):
    cfg = validate(apply_overrides(Config(), [
        "task.name=parity", "task.n=12", "network.hidden=[8, 4]", "train.lr=0.03", "probes.enabled=true",
    ]))
    path = tmp_path / "c.toml"
    C.save(cfg, path)
    assert C.load(path) == cfg


def test_defaults_are_filled_by_validate():
    cfg = validate(from_dict({"task": {"name": "parity"}}))
    assert cfg.task.params["n"] == 10 and cfg.task.params["online"] is True


@pytest.mark.parametrize("assignment, fragment", [
    ("train.lrr=0.1", "unknown key 'train.lrr'"),
    ("train.lr=fast", "train.lr: expected a number"),
    ("train.batch_size=2.5", "train.batch_size: expected an integer"),
    ("bogus.x=1", "unknown section 'bogus'"),
    ("network.activation=swish", "network.activation: 'swish' is not one of"),
])
def test_bad_keys_and_types_name_the_key(assignment, fragment):
    with pytest.raises(ConfigError, match=fragment.replace("(", r"\(").replace("'", "'")):
        validate(apply_overrides(Config(), [assignment]))


@pytest.mark.parametrize("assignment, fragment", [
    ("network.hidden=[8, 0]", "network.hidden"),
    ("train.lr=0", "train.lr"),
    ("train.lr=-1", "train.lr"),
    ("task.train_fraction=1.0", "task.train_fraction"),
    ("task.train_fraction=0", "task.train_fraction"),
    ("train.ensemble=0", "train.ensemble"),
    ("train.epochs=0", "train.epochs"),
])
def test_out_of_range_values_are_refused(assignment, fragment):
    with pytest.raises(ConfigError, match=fragment):
        validate(apply_overrides(Config(), [assignment]))


def test_parity_subset_larger_than_n_is_refused():
    with pytest.raises(ConfigError, match="task.k"):
        validate(apply_overrides(Config(), ["task.name=parity", "task.n=4", "task.k=5"]))


def test_unknown_task_option_names_the_task():
    with pytest.raises(ConfigError, match="unknown key 'task.n' for task ib"):
        validate(apply_overrides(Config(), ["task.n=3"]))


def test_newer_version_is_refused():
    data = to_dict(Config())
    data["version"] = C.CONFIG_VERSION + 1
    with pytest.raises(ConfigError, match="newer playground"):
        from_dict(data)


def test_depth_and_width_shortcuts_build_uniform_layers():
    cfg = apply_overrides(Config(), ["network.depth=3", "network.width=16"])
    assert cfg.network.hidden == (16, 16, 16)


def test_hinge_needs_two_classes():
    with pytest.raises(ConfigError, match="hinge"):
        validate(apply_overrides(Config(), ["task.name=gauss", "task.classes=3", "train.loss=hinge"]))


def test_broken_toml_names_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[train\nlr = 1")
    with pytest.raises(ConfigError, match="broken.toml: not valid TOML"):
        C.load(path)
