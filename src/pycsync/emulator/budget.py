"""Flickr's call budget per API key: about 3600 calls an hour across every user of the key
(docs/flickr-behaviour.md, "Rate limit"); beyond it Flickr answers HTTP 429 with a bare HTML
page. The emulator serves one consumer key, so one budget counts every API call it answers
(REST, upload, replace, OAuth); static files come from Flickr's CDN and are not API calls.
Off by default: a limit makes every test pace its calls.
"""

from __future__ import annotations

import collections
import math
import threading
from collections.abc import Callable

__all__ = ["KeyBudget"]


class KeyBudget:
    """At most ``calls()`` calls in any ``window()`` seconds of ``clock()`` (the emulator's wall
    clock; the settings are read at each call; 0 calls: no limit)."""

    def __init__(self, calls: Callable[[], int], window: Callable[[], float], clock: Callable[[], float]):
        self._calls, self._window, self._clock = calls, window, clock
        self._lock = threading.Lock()
        self._stamps: collections.deque[float] = collections.deque()

    def spend(self) -> int | None:
        """Count one call (None), or refuse it: the whole seconds until the window frees one."""
        limit, window = self._calls(), self._window()
        if limit <= 0:
            return None
        with self._lock:
            now = self._clock()
            while self._stamps and self._stamps[0] <= now - window:
                self._stamps.popleft()
            if len(self._stamps) >= limit:
                return max(1, math.ceil(self._stamps[0] + window - now))
            self._stamps.append(now)
            return None
