"""Call-count tests: the real CLI against the emulator, with Flickr's clock under control.

Flickr's timestamps are whole seconds, and the incremental listing re-reads an album changed
within ALBUM_OVERLAP seconds of the last listing (an edit in that very second could otherwise go
unseen). So that counts are exact and never depend on where a second boundary falls, the
emulator runs on a frozen clock here (``flickr_clock``, tests/conftest.py), moved only by
``flickr_clock.advance(seconds)``.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def counted(emulator, sync_json):
    """``counted(root, *args)`` -> (summary, the emulator's per-call counts for that one run)."""

    def run(path: Path, *args: str, expect: int = 0) -> tuple[dict, dict[str, int]]:
        emulator.reset_calls()
        summary = sync_json(path, *args, expect=expect)
        return summary, emulator.calls()

    return run
