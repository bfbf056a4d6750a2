"""How many transfers at once, found by measuring (``--jobs auto``).

A transfer alternates between moving bytes and waiting: for a download's first byte, and for an
upload's answer while Flickr processes it (a second or two). The link is full when some transfer
is always moving bytes; with transfers of S bytes over a link of R bytes/s that each wait w
seconds, that takes about 1 + w*R/S at once (Little's law). None of R, w and S can be read off a
single transfer from this side (the system's send buffers take megabytes of an upload's body
before the link has carried them), so the gate measures what counts, the bytes the transfers
complete per second, and climbs: one more transfer at once while that pays (from c to c + 1 at
least half the 1/c more it would bring on an idle link), back to the last step that paid when it
stops paying, and it stays there (a measured plateau: the link is full). It starts at ``start``
and stays within ``low`` and ``high``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: ``--jobs auto`` (as a number of jobs), what it starts with, and its bounds
AUTO = 0
AUTO_START, AUTO_LOW, AUTO_HIGH = 4, 2, 16
#: the share of a step's ideal gain (from c to c + 1 at once: 1/c more) it must bring to be kept
GAIN = 0.5


class Gate:
    """A semaphore whose limit climbs while the measured throughput grows. Thread-safe."""

    def __init__(
        self,
        start: int = AUTO_START,
        low: int = AUTO_LOW,
        high: int = AUTO_HIGH,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.low, self.high = low, high
        self._limit = max(low, min(high, start))
        self._clock = clock
        self._cond = threading.Condition()
        self._running = 0
        self._settled = False
        self._best: tuple[int, float] | None = None  # (limit, bytes/s measured at it)
        self._new_window()
        self.peak = self._limit  # the largest limit it allowed

    @property
    def limit(self) -> int:
        return self._limit

    def __enter__(self) -> Gate:
        with self._cond:
            while self._running >= self._limit:
                self._cond.wait()
            self._running += 1
        return self

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._running -= 1
            self._cond.notify_all()

    @contextmanager
    def transfer(self, direction: str, size: int) -> Iterator[Callable[[int], None]]:
        """Around one transfer; yields ``progress(bytes done)``. Only a transfer that ends
        normally counts, with the bytes it moved."""
        done = [0]

        def progress(n: int) -> None:
            done[0] = n

        yield progress
        self.finished(max(done[0], size if direction == "up" else 0))

    def _new_window(self) -> None:
        # the first ``limit`` completions after a change began before it: not measured
        self._skip = self._limit
        self._count = 0
        self._bytes = 0
        self._since: float | None = None

    def finished(self, nbytes: int) -> None:
        """One transfer of ``nbytes`` completed."""
        with self._cond:
            if self._settled or nbytes <= 0:
                return
            now = self._clock()
            if self._skip > 0:
                self._skip -= 1
                if self._skip == 0:
                    self._since = now
                return
            self._count += 1
            self._bytes += nbytes
            if self._count < self._limit or self._since is None or now <= self._since:
                return
            rate = self._bytes / (now - self._since)
            if self._best is None or rate > self._best[1] * (1 + GAIN / self._best[0]):
                self._best = (self._limit, rate)
                if self._limit >= self.high:
                    self._settled = True
                else:
                    self._limit += 1
            else:  # no gain: the link is full at the best step
                self._limit = self._best[0]
                self._settled = True
            self.peak = max(self.peak, self._limit)
            self._new_window()
            self._cond.notify_all()
