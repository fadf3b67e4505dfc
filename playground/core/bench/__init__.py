"""`playground bench`: speed and memory figures, each beside a naive reference measured in the same run.

    suite.py   the registry, the runner and the training benchmarks
    probes.py  the estimators' and probes' benchmarks
    sweeps.py  a sweep in two worker processes against one
The GUI's figures live in `playground.ui.bench`, registered by the CLI when Qt is installed.
"""
