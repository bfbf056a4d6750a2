"""Every setting of one emulator, in one place: the server, the CLI and the tests build this.

A new setting is one field here; ``EmulatorServer(**changes)`` and the ``pycsync emulator``
options set fields by name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

__all__ = ["EmulatorConfig", "TYPINGS", "PRIVACIES"]

TYPINGS = ("real", "numbers", "strings", "random")
PRIVACIES = ("public", "friends", "family", "friends+family", "private")


@dataclass
class EmulatorConfig:
    # ---- the server
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port
    data_dir: str | os.PathLike[str] | None = None  # None: a temporary directory removed on stop
    api_key: str | None = None  # None: generated (and kept in data_dir)
    api_secret: str | None = None
    username: str = "emulator"  # the default user's name
    # ---- the network (docs/emulator.md, "Network model"; all three changeable while running)
    latency_ms: float = 0  # added to every request
    bandwidth_mbps: float = 0  # one link shared by every connection, both directions; 0: unlimited
    upload_processing_ms: float = 0  # server time per upload/replace before it answers
    # ---- Flickr's call budget per key (docs/emulator.md, "Rate limit")
    rate_limit: int = 0  # API calls the key may make in any rate_limit_window seconds; 0: no limit
    rate_limit_window: float = 3600.0
    rate_limit_retry_after: bool = False  # a 429 says when to come back (Flickr's says nothing)
    faults: Any = None  # fault rules: a list, {"rules": [...]}, JSON text or a path to a JSON file
    seed: int = 0  # seeds the probabilistic fault rules
    #: DNS names (besides localhost) a request's Host header may name: the emulator refuses any other
    #: name, so a web page cannot reach it by rebinding its own name to 127.0.0.1 (IP addresses pass)
    allowed_hosts: tuple[str, ...] = ()
    # ---- OAuth
    timestamp_window: float = 600  # seconds an oauth_timestamp may be off
    # ---- uploads
    default_title: str = "stem"  # an upload without title: "stem" (file name without extension), "name" or ""
    max_photo_bytes: int = 200 * 2**20
    max_video_bytes: int = 2**30
    async_delay: float = 0.0  # seconds an async upload ticket reports complete=0
    # ---- realism knobs (docs/flickr-behaviour.md)
    types: str = "real"  # JSON typing of the inconsistently typed fields: real|numbers|strings|random (seeded)
    account: str = "pro"  # every user's account kind unless set per user: "pro" or "free"
    free_max_items: int = 1000  # a free account holds at most this many photos and videos
    free_max_nonpublic: int = 50  # ... of which at most this many are not public
    free_max_videos: int | None = None  # ... and at most this many videos (None: no separate limit)
    free_max_video_seconds: int = 180  # a video plays this long on a free account (people.getLimits)
    pro_max_video_seconds: int = 600  # ... and on a pro account
    free_max_display_px: int = 1024  # people.getLimits photos/@maxdisplaypx of a free account (pro: 0)
    video_too_long: str = "truncate"  # a longer video: "truncate" (kept, plays the limit) or "refuse" (error 3)
    default_privacy: str = "public"  # who sees an upload that omits is_public/is_friend/is_family
    read_metadata: bool = True  # take title, description and keywords from an upload's IPTC/XMP
    geo_import: bool = True  # take an upload's GPS position (each user may turn it off)
    video_uploads: bool = True  # False: video uploads answer error 0 ("temporarily disabled")
    # ---- metadata (docs/flickr-behaviour.md, "Tags", "Geo")
    set_tags_keeps_others: bool = False  # photos.setTags leaves tags other people added (unverified)
    geo_perms: int = 1  # every user's prefs.getGeoPerms unless set per user (0: none, setLocation fails)
    # ---- albums and search
    max_sets: int | None = None
    max_set_photos: int | None = None
    search_result_cap: int = 4000  # flickr.photos.search serves at most this many results

    def __post_init__(self) -> None:
        if self.default_title not in ("stem", "name", ""):
            raise ValueError('default_title must be "stem", "name" or ""')
        if self.types not in TYPINGS:
            raise ValueError(f"types must be one of {', '.join(TYPINGS)}")
        if self.account not in ("pro", "free"):
            raise ValueError('account must be "pro" or "free"')
        if int(self.rate_limit) < 0 or float(self.rate_limit_window) <= 0:
            raise ValueError("rate_limit must not be negative and rate_limit_window must be positive")
        for name in ("latency_ms", "bandwidth_mbps", "upload_processing_ms"):
            if float(getattr(self, name) or 0) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.video_too_long not in ("truncate", "refuse"):
            raise ValueError('video_too_long must be "truncate" or "refuse"')
        if self.geo_perms not in range(7):
            raise ValueError("geo_perms must be 0 (none set) ... 6 (private)")
        if self.default_privacy not in PRIVACIES:
            raise ValueError(f"default_privacy must be one of {', '.join(PRIVACIES)}")
