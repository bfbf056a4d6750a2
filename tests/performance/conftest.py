"""Call-count tests: the real CLI against the emulator, with Flickr's clock under control.

Flickr's timestamps are whole seconds, and the incremental listing re-reads an album changed
within ALBUM_OVERLAP seconds of the last listing (an edit in that very second could otherwise go
unseen). So that counts are exact and never depend on where a second boundary falls, the
emulator runs on a frozen clock here (``flickr_clock``, tests/conftest.py), moved only by
``flickr_clock.advance(seconds)``.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from tests.conftest import make_jpeg_bytes
from tests.integration.conftest import cli, cli_env, sync_json  # noqa: F401  (fixtures)

#: the calls a folder's first sync with a token makes before listing: who am I, and what may this
#: token do (later runs with the same token know both from the state)
LOGIN = {"flickr.test.login": 1, "flickr.auth.oauth.checkToken": 1}


@pytest.fixture
def counted(emulator, sync_json):  # noqa: F811  (the fixture imported above)
    """``counted(root, *args)`` -> (summary, the emulator's per-call counts for that one run)."""

    def run(path: Path, *args: str, expect: int = 0) -> tuple[dict, dict[str, int]]:
        emulator.reset_calls()
        summary = sync_json(path, *args, expect=expect)
        return summary, emulator.calls()

    return run


def make_library(root: Path, albums: dict[str, int], loose: int = 0, seed: int = 0) -> list[str]:
    """``albums``: folder -> number of photos; ``loose``: photos in the root. Returns the keys.

    A file's content depends only on its key and ``seed``, and existing files are left alone, so
    growing a library adds files without touching the others.
    """
    keys = [f"{folder}/IMG_{i:04d}.jpg" for folder, count in albums.items() for i in range(count)]
    keys += [f"loose_{i:04d}.jpg" for i in range(loose)]
    for key in keys:
        path = root / key
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        make_jpeg_bytes(path, seed=zlib.crc32(f"{seed}:{key}".encode()), size=(8, 8))
    return keys
