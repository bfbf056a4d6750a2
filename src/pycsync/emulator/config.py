"""Every setting of one emulator, in one place: the server, the CLI and the tests build this.

A new setting is one field here; ``EmulatorServer(**changes)`` and the ``pycsync emulator``
options set fields by name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

__all__ = ["EmulatorConfig"]


@dataclass
class EmulatorConfig:
    # ---- the server
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port
    data_dir: str | os.PathLike[str] | None = None  # None: a temporary directory removed on stop
    api_key: str | None = None  # None: generated (and kept in data_dir)
    api_secret: str | None = None
    username: str = "emulator"  # the default user's name
    latency_ms: float = 0  # added to every request (also changeable while running)
    faults: Any = None  # fault rules: a list, {"rules": [...]}, JSON text or a path to a JSON file
    seed: int = 0  # seeds the probabilistic fault rules
    # ---- OAuth
    timestamp_window: float = 600  # seconds an oauth_timestamp may be off
    # ---- uploads
    default_title: str = "stem"  # an upload without title: "stem" (file name without extension), "name" or ""
    max_photo_bytes: int = 200 * 2**20
    max_video_bytes: int = 2**30
    video_original_format: str = "jpg"  # "jpg" (the poster, as Flickr reports) or "real" (container ext)
    async_delay: float = 0.0  # seconds an async upload ticket reports complete=0
    # ---- albums and search
    max_sets: int | None = None
    max_set_photos: int | None = None
    search_result_cap: int = 4000  # flickr.photos.search serves at most this many results

    def __post_init__(self) -> None:
        if self.default_title not in ("stem", "name", ""):
            raise ValueError('default_title must be "stem", "name" or ""')
        if self.video_original_format not in ("jpg", "real"):
            raise ValueError('video_original_format must be "jpg" or "real"')
