"""Toy Network Playground: see the puzzles of deep learning happen on small networks."""

import os

# Toy networks and estimators run fastest on one thread; numpy's BLAS otherwise starts its
# own pool beside torch's (KDE was 7x slower with two pools fighting over two cores).
# Must happen before numpy is imported; torch's own threads are set by the trainer.
for _variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

__version__ = "0.1.0"
