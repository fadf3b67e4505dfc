import math
import re
import typing
from dataclasses import fields, replace

import pytest

from playground.core import config as C
from playground.core.config import Config, ConfigError, apply_overrides, from_dict, to_dict, validate
from playground.core.config.rules import Choice, Choices, Each, Parsed, Range
from playground.core.config.schema import LAYER_COUNT, LAYER_WIDTH, SECTIONS, SETTINGS


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


# ---------------------------------------------------------------- the schema's rules, one per key

# Written out by hand from the documented limits, so a wrong declaration cannot pass the
# parametrised tests below by checking validate against itself.
KNOWN_RANGES = {  # key: (kind, low, high, low_open)
    "train.lr": (float, 0.0, 100.0, True),
    "train.momentum": (float, 0.0, 0.999, False),
    "train.batch_size": (int, 1, 1_000_000, False),
    "train.ensemble": (int, 1, 1000, False),
    "continual.tasks": (int, 1, 100, False),
    "network.sw2": (float, 0.0, 100.0, False),
    "probes.kde_noise_var": (float, 0.0, None, True),
    "continual.ewc_lambda": (float, 0.0, None, False),
}
KNOWN_CHOICES = {
    "network.activation": ("tanh", "relu", "sigmoid", "linear"),
    "train.optimizer": ("sgd", "adam"),
    "train.device": ("cpu", "cuda"),
    "continual.method": ("none", "ewc", "online_ewc", "si", "replay", "joint"),
}
# What other keys a value needs to pass the cross-key checks.
CONTEXT = {"continual.method": ["continual.tasks=2"]}


def test_hand_written_limits_match_the_declarations():
    for key, (kind, low, high, low_open) in KNOWN_RANGES.items():
        rule = SETTINGS[key]
        assert (rule.kind, rule.low, rule.high, rule.low_open, rule.high_open) == (kind, low, high, low_open, False), key
    for key, names in KNOWN_CHOICES.items():
        assert SETTINGS[key].names == names, key
    assert SETTINGS["network.hidden"] == Each(LAYER_WIDTH, count=LAYER_COUNT, noun="layers", item_name="each width")
    assert (LAYER_COUNT.low, LAYER_COUNT.high, LAYER_WIDTH.low, LAYER_WIDTH.high) == (0, 64, 1, 4096)
    assert SETTINGS["train.lr"].log and SETTINGS["train.lr"].slider == (1e-5, 10.0)


def _annotation(cls: type, name: str) -> str:
    return str(typing.get_type_hints(cls)[name])


def test_every_key_has_exactly_one_rule_of_its_type():
    keys = {f"{section}.{f.name}": (cls, f.name) for section, cls in SECTIONS.items() for f in fields(cls)}
    switches = {key for key, (cls, name) in keys.items() if _annotation(cls, name) == "<class 'bool'>"}
    assert set(SETTINGS) == set(keys) - switches
    for key, rule in SETTINGS.items():
        annotation = _annotation(*keys[key])
        if isinstance(rule, Range):
            assert annotation == f"<class '{rule.kind.__name__}'>", key
        elif isinstance(rule, (Choices, Parsed)):
            assert annotation == "<class 'str'>", key
        else:
            assert annotation.startswith("tuple["), key


def test_every_choice_has_a_one_line_description_and_a_unique_name():
    for key, rule in SETTINGS.items():
        choices = rule.item if isinstance(rule, Each) else rule
        if isinstance(choices, Choices):
            assert len(set(choices.names)) == len(choices.names), key
            for choice in choices.options:
                assert choice.description.strip() and "\n" not in choice.description, (key, choice.name)


def _outside(value: float, kind: type, direction: float) -> float:
    return value + direction if kind is int else math.nextafter(value, direction * math.inf)


def _range_cases(rule: Range) -> list[tuple[float, bool]]:
    """(value, accepted) at and just beyond each end of the range."""
    cases = []
    for end, outwards, is_open in ((rule.low, -1, rule.low_open), (rule.high, +1, rule.high_open)):
        if end is None:
            cases.append((outwards * (10**12 if rule.kind is int else 1e300), True))
            continue
        end = rule.kind(end)
        if is_open:
            cases += [(end, False), (_outside(end, rule.kind, -outwards), True)]
        else:
            cases += [(end, True), (_outside(end, rule.kind, outwards), False)]
    return cases


# Texts with a grammar: written out by hand (they have no ends to step beyond).
PARSED_CASES = {
    "train.stop_at": [("", True), ("test_acc >= 0.95", True), ("train_loss <= 0.01", True),
                      ("test_acc >= 1.5", False), ("test_acc <= 0.9", False), ("accuracy 90%", False)],
}


def _cases():
    width = len(Config().network.hidden)
    for key, rule in SETTINGS.items():
        if isinstance(rule, Range):
            yield from ((key, value, ok) for value, ok in _range_cases(rule))
        elif isinstance(rule, Choices):
            yield from ((key, name, True) for name in rule.names)
            yield key, "no-such-choice", False
        elif isinstance(rule, Parsed):
            yield from ((key, text, ok) for text, ok in PARSED_CASES[key])
        elif isinstance(rule.item, Choices):
            yield from ((key, (name,) * width, True) for name in rule.item.names)
            yield key, ("no-such-choice",) * width, False
        else:
            yield from ((key, (value,) * width, ok) for value, ok in _range_cases(rule.item))
            # A negative count is no list at all.
            yield from ((key, (4,) * count, ok) for count, ok in _range_cases(rule.count) if count >= 0)


@pytest.mark.parametrize("key, value, accepted", list(_cases()), ids=lambda v: repr(v)[:20])
def test_validate_accepts_each_declared_end_and_refuses_just_beyond(key, value, accepted):
    cfg = apply_overrides(Config(), CONTEXT.get(key, []))
    section, name = key.split(".")
    cfg = replace(cfg, **{section: replace(getattr(cfg, section), **{name: value})})
    if accepted:
        assert C.get_setting(validate(cfg), key) == value
    else:
        with pytest.raises(ConfigError, match="^" + re.escape(key)):
            validate(cfg)


@pytest.mark.parametrize("assignments, message", [
    (["train.lr=0"], "train.lr: must be > 0 and <= 100, got 0"),
    (["train.lr=100.5"], "train.lr: must be > 0 and <= 100, got 100.5"),
    (["train.momentum=1"], "train.momentum: must be between 0 and 0.999, got 1"),
    (["probes.kde_noise_var=0"], "probes.kde_noise_var: must be > 0, got 0"),
    (["continual.si_c=-1"], "continual.si_c: must be >= 0, got -1"),
    (["network.hidden=[8, 5000]"], "network.hidden (each width): must be between 1 and 4096, got 5000"),
    (["network.depth=65"], "network.depth: must be between 0 and 64, got 65"),
    (["network.hidden=[2]", "network.layer_activations=[swish]"],
     "network.layer_activations: 'swish' is not one of tanh, relu, sigmoid, linear"),
    (["network.layer_activations=[relu, tanh]"], "network.layer_activations: needs one name per hidden layer (5), got 2"),
])
def test_refusals_keep_their_messages(assignments, message):
    with pytest.raises(ConfigError) as caught:
        validate(apply_overrides(Config(), assignments))
    assert str(caught.value) == message


def test_too_many_layers_names_the_count():
    cfg = replace(Config(), network=replace(Config().network, hidden=(4,) * 65))
    with pytest.raises(ConfigError, match=r"^network.hidden: at most 64 layers, got 65$"):
        validate(cfg)


@pytest.mark.parametrize("rule, words", [
    (Range(float, 0.0, 100.0), "between 0 and 100"),
    (Range(float, 0.0, 100.0, low_open=True), "> 0 and <= 100"),
    (Range(float, 0.0, 1.0, low_open=True, high_open=True), "> 0 and < 1"),
    (Range(float, 0.0), ">= 0"),
    (Range(int, high=10), "<= 10"),
])
def test_a_range_says_itself_in_words(rule, words):
    assert rule.text() == words


def test_a_new_choice_is_one_line():
    extended = Choices(SETTINGS["probes.estimator"].options + (Choice("extra", "a test estimator"),))
    extended.check("probes.estimator", "extra")
    with pytest.raises(ConfigError, match="is not one of binning, binwidth, adaptive, kde, extra"):
        extended.check("probes.estimator", "nope")
