"""Thread-safe sliding-window rate limiter shared by all worker threads."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["RateLimiter"]

WINDOW = 3600.0


class RateLimiter:
    """Never more than ``calls_per_hour`` acquisitions within any 3600 s window.

    ``acquire()`` blocks (via the injected ``sleep``) until a slot is free and any pause set
    with :meth:`pause_until` has passed. ``calls_per_hour`` of ``None`` or ``0`` means
    unlimited (pauses are still honoured). ``clock``/``sleep`` are injectable so tests can
    run on a fake clock without sleeping.
    """

    def __init__(
        self,
        calls_per_hour: int | None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        window: float = WINDOW,
    ) -> None:
        if calls_per_hour is not None and calls_per_hour < 0:
            raise ValueError("calls_per_hour must be >= 0 or None")
        self.calls_per_hour = calls_per_hour or None
        self.window = float(window)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._stamps: deque[float] = deque()
        self._paused_until = float("-inf")
        self.total_acquired = 0
        self.total_waited = 0.0

    @property
    def unlimited(self) -> bool:
        return self.calls_per_hour is None

    def _prune(self, now: float) -> None:
        cutoff = now - self.window
        stamps = self._stamps
        while stamps and stamps[0] <= cutoff:
            stamps.popleft()

    def _try(self) -> float:
        """Take a slot (return 0) or return how long to wait before trying again."""
        with self._lock:
            now = self._clock()
            if self._paused_until > now:
                return self._paused_until - now
            if self.calls_per_hour is None:
                self.total_acquired += 1
                self._granted(now)
                return 0.0
            self._prune(now)
            if len(self._stamps) < self.calls_per_hour:
                self._stamps.append(now)
                self.total_acquired += 1
                self._granted(now)
                return 0.0
            return self._stamps[0] + self.window - now

    def _granted(self, now: float) -> None:
        """Hook called (under the lock) with the clock time of every granted slot."""

    def acquire(self) -> float:
        """Block until a call may be made; returns the total time waited."""
        waited = 0.0
        while True:
            wait = self._try()
            if wait <= 0:
                if waited:
                    with self._lock:
                        self.total_waited += waited
                return waited
            # tiny floor so float rounding can never make us spin
            wait = max(wait, 1e-3)
            self._sleep(wait)
            waited += wait

    def pause_until(self, t: float) -> None:
        """Nobody acquires before clock time ``t`` (e.g. to honour Retry-After)."""
        with self._lock:
            if t > self._paused_until:
                self._paused_until = t

    def pause_for(self, seconds: float) -> None:
        self.pause_until(self._clock() + max(0.0, seconds))

    def in_window(self) -> int:
        """Number of acquisitions in the current window (limited mode only)."""
        with self._lock:
            self._prune(self._clock())
            return len(self._stamps)
