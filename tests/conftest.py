import atexit
import os
import shutil
import tempfile

# Qt tests run without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import playground  # noqa: E402,F401  (sets the BLAS thread count before numpy loads)
# The app's autosaved runs and its settings go to a scratch folder, never the user's own.
os.environ["PLAYGROUND_DATA_DIR"] = tempfile.mkdtemp(prefix="playground-tests-")
atexit.register(shutil.rmtree, os.environ["PLAYGROUND_DATA_DIR"], True)

import torch  # noqa: E402

torch.set_num_threads(1)
