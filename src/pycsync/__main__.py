"""`python -m pycsync` and the `pycsync` command.

Kept tiny on purpose: Ctrl-C while the rest of pycsync is still being imported (half a second)
must end with exit status 130 and no traceback, like Ctrl-C at any later moment.
"""

from __future__ import annotations

import os
import signal
import sys

# pycsync.errors' ExitStatus.INTERRUPTED and Interrupted's message (not imported: this module stays light)
INTERRUPTED = 130
INTERRUPTED_MESSAGE = "pycsync: interrupted; everything finished before is kept, run again to go on\n"


def run() -> None:
    signal.signal(signal.SIGINT, _interrupt)
    try:
        from pycsync.cli import main
    except KeyboardInterrupt:
        sys.stderr.write(INTERRUPTED_MESSAGE)
        sys.exit(INTERRUPTED)
    main()


def _interrupt(signum: int, frame: object) -> None:
    """The first Ctrl-C stops the run (what finished is kept); a second one ends the process at
    once, which is as safe as a crash: every confirmed action is already recorded."""
    signal.signal(signal.SIGINT, _interrupt_again)
    raise KeyboardInterrupt


def _interrupt_again(signum: int, frame: object) -> None:
    os.write(2, b"\npycsync: interrupted again: stopped at once\n")
    os._exit(INTERRUPTED)


if __name__ == "__main__":
    run()
