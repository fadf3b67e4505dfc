"""Entry point of the desktop app (and of the frozen, packaged app).

`python main.py` opens the playground; `python main.py --selftest` checks an installation;
any other arguments go to the `playground` command line (e.g. `python main.py run ...`).
"""

import multiprocessing
import os
import sys


def ensure_streams() -> None:
    """A windowed frozen app (Windows, macOS) starts with no stdout/stderr; progress lines and
    error messages would crash on None, so send them nowhere instead."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))


def main() -> int:
    ensure_streams()
    from playground.cli import main as cli_main

    args = sys.argv[1:]
    if not args or args[0].startswith("--"):
        args = ["gui", *args]
    return cli_main(args)


if __name__ == "__main__":
    multiprocessing.freeze_support()  # PyInstaller: keep worker processes from relaunching the app
    sys.exit(main())
