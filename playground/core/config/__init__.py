"""Run configuration: the schema (each key's rule, frozen dataclasses), its validation, TOML files.

Every way of starting a run (CLI flags, a TOML file, a preset, the GUI's controls)
ends in one `Config`; `validate()` is the single gate for bad values.
"""

from playground.core.base.errors import ConfigError
from playground.core.config.files import dumps, load, save
from playground.core.config.schema import (
    ACTIVATIONS, CONFIG_VERSION, DEVICES, ESTIMATORS, FAMILIES, INITS, LOSSES, METHODS, OPTIMIZERS, SCENARIOS,
    SCHEDULES, SETTINGS, Config, ContinualConfig, NetworkConfig, ProbeConfig, TaskConfig, TrainConfig,
    apply_overrides, from_dict, get_setting, parse_scalar, to_dict,
)
from playground.core.config.validation import validate

__all__ = [
    "ACTIVATIONS", "CONFIG_VERSION", "DEVICES", "ESTIMATORS", "FAMILIES", "INITS", "LOSSES", "METHODS",
    "OPTIMIZERS", "SCENARIOS", "SCHEDULES", "SETTINGS", "Config", "ConfigError", "ContinualConfig", "NetworkConfig",
    "ProbeConfig", "TaskConfig", "TrainConfig", "apply_overrides", "dumps", "from_dict", "get_setting", "load", "parse_scalar",
    "save", "to_dict", "validate",
]
