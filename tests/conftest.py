import atexit
import gc
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Qt tests run without a display, on three virtual classroom screens (the first is the primary):
# 1280x720 and 1366x768 at 100 %, and 1920x1080 at 150 % (1280x720 logical pixels).
CLASSROOM_SCREENS = Path(__file__).with_name("classroom_screens.json")
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={CLASSROOM_SCREENS}")

import playground  # noqa: E402,F401  (sets the BLAS thread count before numpy loads)
# The app's autosaved runs and its settings go to a scratch folder, never the user's own.
os.environ["PLAYGROUND_DATA_DIR"] = tempfile.mkdtemp(prefix="playground-tests-")
atexit.register(shutil.rmtree, os.environ["PLAYGROUND_DATA_DIR"], True)

import torch  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def forget_the_windows_remembered_layout():
    """A window saves its zoom, panels and splitters when it closes; the next test's window
    must start from the defaults, not from what the last test left."""
    yield
    path = Path(os.environ["PLAYGROUND_DATA_DIR"]) / "settings.ini"
    if path.exists():
        from PySide6.QtCore import QSettings

        store = QSettings(str(path), QSettings.Format.IniFormat)
        store.remove("window")
        store.sync()


@pytest.fixture(autouse=True)
def collect_garbage_on_the_main_thread():
    """As the app does (playground/ui/session/gc_guard.py): no automatic collection, which could start in
    a lesson sweep's thread and deadlock on a closed window's Qt objects; collect between tests."""
    gc.disable()
    yield
    # With automatic collection off nothing is promoted, so the test's garbage is all young:
    # a young-generation pass finds it, at a fraction of a full collection's cost.
    gc.collect(1)
