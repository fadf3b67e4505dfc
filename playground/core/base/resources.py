"""Files shipped under `resources/`, found from the source tree and from a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path

from playground.core.base.fileio import RunFileError

# The source tree: playground/core/base/resources.py -> <repo>/resources.
SOURCE_DIR = Path(__file__).resolve().parents[3] / "resources"


def resources_dir() -> Path:
    """The folder holding the shipped resources (PyInstaller unpacks them under sys._MEIPASS)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None and (Path(bundle) / "resources").is_dir():
        return Path(bundle) / "resources"
    return SOURCE_DIR


def resource_path(name: str) -> Path:
    """The path of a shipped resource file; a clear error if it is missing."""
    path = resources_dir() / name
    if not path.exists():
        raise RunFileError(f"{path}: resource file is missing (the installation is incomplete)")
    return path
