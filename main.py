"""Entry point of the desktop app (and of the frozen, packaged app).

`python main.py` opens the playground; `python main.py --selftest` checks an installation;
any other arguments go to the `playground` command line (e.g. `python main.py run ...`).
"""

import multiprocessing
import sys


def main() -> int:
    from playground.cli import main as cli_main

    args = sys.argv[1:]
    if not args or args[0].startswith("--"):
        args = ["gui", *args]
    return cli_main(args)


if __name__ == "__main__":
    multiprocessing.freeze_support()  # PyInstaller: keep worker processes from relaunching the app
    sys.exit(main())
