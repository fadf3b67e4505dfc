"""Settings that go with a sweep's value (`[sweep.settings.VALUE]`): the relu-compression sweep
measures tanh with 30 fixed bins on [-1, 1] and ReLU with bins of width 0.07."""

from __future__ import annotations

import dataclasses
import tomllib

import pytest

from playground.core.config import ConfigError, apply_overrides
from playground.core.experiments.lessons import get_lesson, load_lesson
from playground.core.experiments.sweep import run_sweep, spec_from_mapping, with_value
from playground.core.runs.runlog import read_run


def test_settings_parse_and_refuse_what_is_not_a_value():
    spec = spec_from_mapping({"param": "network.activation", "values": ["tanh", "relu"],
                              "settings": {"relu": {"probes": {"estimator": "binwidth"}}}})
    assert spec.settings == {"relu": {"probes": {"estimator": "binwidth"}}}
    assert spec_from_mapping({"param": "task.n", "values": [5]}).settings == {}
    with pytest.raises(ConfigError, match="sweep.settings.linear: not one of the values relu, tanh"):
        spec_from_mapping({"param": "network.activation", "values": ["tanh", "relu"],
                           "settings": {"linear": {"probes": {"estimator": "binwidth"}}}})
    with pytest.raises(ConfigError, match="sweep.settings: expected a table"):
        spec_from_mapping({"param": "task.n", "values": [5], "settings": {"5": 3}})


def test_the_lessons_sweep_gives_each_nonlinearity_its_own_binning():
    lesson = get_lesson("relu-compression")
    assert lesson.config.probes.estimator == "binwidth" and lesson.config.probes.bin_width == 0.07
    chosen = {}
    for value in lesson.sweep.values:
        config, _ = with_value(lesson.config, lesson.hooks, lesson.sweep.param, value,
                               lesson.sweep.settings.get(str(value)))
        chosen[value] = (config.network.activation, config.probes.estimator)
    assert chosen == {"tanh": ("tanh", "binning"), "relu": ("relu", "binwidth")}
    assert lesson.config.probes.kde_noise_var == 0.1  # the paper's appendix, not the notebooks' 1e-3


def test_a_sweep_runs_and_records_the_settings_of_each_value(tmp_path):
    lesson = get_lesson("relu-compression")
    config = apply_overrides(lesson.config, ["train.epochs=2", "probes.points=2"])
    result = run_sweep(config, dataclasses.replace(lesson.sweep, seeds=1), lesson.hooks, out=tmp_path)
    estimators = [set(read_run(d).tables["info_plane"]["estimator"]) for d in result.run_dirs]
    assert estimators == [{"binning"}, {"binwidth"}]
    written = tomllib.loads((tmp_path / "sweep.toml").read_text())
    assert written["sweep"]["settings"]["tanh"]["probes"]["estimator"] == "binning"


def test_a_bad_setting_for_a_value_names_the_value(tmp_path):
    source = (tmp_path / "bad.toml")
    text = get_lesson("relu-compression").path.read_text().replace('probes.bin_width = 0.07', 'probes.bin_width = -1')
    source.write_text(text)
    with pytest.raises(ConfigError, match=r"sweep network.activation = 'relu': probes.bin_width: must be > 0"):
        load_lesson(source)
