"""``python -m pycsync.emulator`` == ``pycsync emulator``."""

from .cli import main

main()
