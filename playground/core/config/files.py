"""Configs saved and loaded as TOML files."""

from __future__ import annotations

import tomllib
from pathlib import Path

import tomli_w

from playground.core.base.errors import ConfigError
from playground.core.base.fileio import atomic_write_text
from playground.core.config.schema import Config, from_dict, to_dict
from playground.core.config.validation import validate


def load(path: str | Path, base: Config | None = None) -> Config:
    """Read and validate a TOML config; errors name the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not a UTF-8 text file (byte 0x{exc.object[exc.start]:02x} at position "
                          f"{exc.start}); save it as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except ValueError:  # tomllib's int() past Python's 4300-digit limit
        raise ConfigError(f"{path}: an integer of more than 4300 digits; no setting takes one") from None
    try:
        return validate(from_dict(data, base=base))
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def dumps(cfg: Config) -> str:
    return tomli_w.dumps(to_dict(cfg))


def save(cfg: Config, path: str | Path) -> None:
    atomic_write_text(Path(path), dumps(cfg))
