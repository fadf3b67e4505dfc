"""The core must import and train with Qt absent (it runs headless and in the CLI)."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import playground.core

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import importlib, pkgutil, sys

class BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph", "superqt", "qtpy", "PyQt5", "PyQt6"):
            raise ImportError(f"Qt is blocked in this test: {name}")
        return None

sys.meta_path.insert(0, BlockQt())
import playground.core
for module in pkgutil.walk_packages(playground.core.__path__, "playground.core."):
    importlib.import_module(module.name)
from playground.core.config import Config, apply_overrides
from playground.core.experiments.assembly import build_trainer
from playground.core.training.trainer import Trainer
trainer = build_trainer(apply_overrides(Config(), ["train.epochs=2", "probes.enabled=true"]))
records = list(trainer.epochs())
assert records[-1].stop_reason == "completed"
loaded = [m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph")]
assert not loaded, loaded
print("CORE OK", len(list(pkgutil.walk_packages(playground.core.__path__))))
"""


def test_core_imports_and_trains_with_qt_blocked():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "CORE OK" in result.stdout


def test_no_core_source_mentions_a_qt_import():
    for module in pkgutil.walk_packages(playground.core.__path__, "playground.core."):
        spec = module.module_finder.find_spec(module.name)
        source = Path(spec.origin).read_text()
        for qt in ("PySide6", "pyqtgraph", "shiboken6"):
            assert f"import {qt}" not in source and f"from {qt}" not in source, module.name
