"""Thread-safe rate limiter shared by all worker threads: the hourly call budget.

Never more than the budget in any window of an hour. A run that fits in what the window has
left goes as fast as the link allows; a run that needs more (a big first upload: a call per
photo) is told so (:meth:`RateLimiter.plan_calls`) and then spends the budget evenly, one call
every ``window / budget`` seconds after a small burst, instead of an hour's budget at once and
then an hour of nothing: a steady rate, an honest ETA, and no wall of 429s should Flickr count
over a shorter span than the hour.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["RateLimiter"]

WINDOW = 3600.0
#: calls a paced run may make at once beyond its even pace: a budget's hundredth, at most this
PACED_BURST = 30
#: seconds of float rounding that never make a call wait
EPSILON = 1e-9
#: the shortest wait, so that float rounding can never make a waiting thread spin
MIN_WAIT = 1e-3


class RateLimiter:
    """Never more than ``calls_per_hour`` acquisitions within any 3600 s window; paced (see
    :meth:`plan_calls`), also at most ``burst`` calls ahead of one every ``window / budget``.

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
        self.paced = False
        self.burst = min(PACED_BURST, (calls_per_hour or 0) // 100)
        #: seconds between two calls at the even pace
        self.interval = self.window / self.calls_per_hour if self.calls_per_hour else 0.0
        self._due = float("-inf")  # when the next call starts at the even pace (paced only)
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

    def _try(self) -> float | None:
        """Take a slot (return None) or return how long to wait before trying again (a floor
        of MIN_WAIT: float rounding may put the oldest stamp's exit at or before now while it
        is still in the window, and that must never pass for a free slot)."""
        with self._lock:
            now = self._clock()
            if self._paused_until > now:
                return max(MIN_WAIT, self._paused_until - now)
            if self.calls_per_hour is not None:
                self._prune(now)
                if len(self._stamps) >= self.calls_per_hour:
                    return max(MIN_WAIT, self._stamps[0] + self.window - now)
                if self.paced:
                    early = self._due - self.burst * self.interval - now
                    if early > EPSILON:
                        return max(MIN_WAIT, early)
                    self._due = max(self._due, now) + self.interval
                self._stamps.append(now)
            self.total_acquired += 1
            self._granted(now)
            return None

    def _granted(self, now: float) -> None:
        """Hook called (under the lock) with the clock time of every granted slot."""

    def acquire(self) -> float:
        """Block until a call may be made; returns the total time waited."""
        waited = 0.0
        while (wait := self._try()) is not None:
            self._sleep(wait)
            waited += wait
        if waited:
            with self._lock:
                self.total_waited += waited
        return waited

    def plan_calls(self, calls: int) -> None:
        """A run is about to make ``calls`` calls: paced if they do not all fit in what the
        window has left now (else as fast as they come, within the budget)."""
        with self._lock:
            if self.calls_per_hour is None:
                return
            self._prune(self._clock())
            self.paced = calls > self.calls_per_hour - len(self._stamps)
            if self.paced:
                self._due = float("-inf")

    def seconds_for(self, calls: int) -> float:
        """About how long until the last of ``calls`` more calls may start, from now: what an
        ETA must allow for when the budget, not the link, is what limits a run. Exact when one
        limit alone decides (the pace, or the window when not paced); the later of the two
        otherwise (the window can hold a paced run back a little in its first hour)."""
        with self._lock:
            now = self._clock()
            start = max(now, self._paused_until)
            if calls <= 0:
                return 0.0
            if self.calls_per_hour is None:
                return start - now
            self._prune(now)
            rounds, nth = divmod(calls - 1, self.calls_per_hour)  # the last call: window rounds, then nth
            room = self.calls_per_hour - len(self._stamps)
            by_window = start if nth < room else self._stamps[nth - room] + self.window
            at = max(start, by_window + rounds * self.window)
            if self.paced:
                due = max(self._due, start) + (calls - 1) * self.interval  # the last call's even-pace slot
                at = max(at, due - self.burst * self.interval)  # (which the burst may take early)
            return at - now

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
