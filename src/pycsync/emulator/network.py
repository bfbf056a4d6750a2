"""The network between Flickr and its clients, as the emulator models it: one link of a given
bandwidth that every connection shares, in both directions (a user's uplink is what limits a
real upload, and their downloads use the same line).

Each piece of a request body read and of a response body sent reserves the link for
``bytes / rate`` seconds after whatever is already reserved, and the thread carrying it waits
until its reservation ends. Two transfers at once therefore interleave their pieces and each
gets about half the link; a lone transfer gets all of it. Latency (per request) and upload
processing time (per upload/replace) are added elsewhere (web/middleware.py, web/upload.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = ["Link", "ThrottledInput", "ThrottledBody", "PIECE"]

#: bytes carried per reservation: small enough that parallel transfers share the link finely
PIECE = 64 * 1024


class Link:
    """One link of ``rate_mbps()`` megabits per second (0 or less: unlimited), shared by all."""

    def __init__(
        self,
        rate_mbps: Callable[[], float],
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._rate_mbps = rate_mbps
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._free_at = 0.0
        self.carried = 0  # bytes carried while the link was limited (for tests and the control surface)

    @property
    def limited(self) -> bool:
        return float(self._rate_mbps() or 0) > 0

    def carry(self, nbytes: int) -> None:
        """Block until ``nbytes`` have crossed the link (returns at once when it is unlimited)."""
        mbps = float(self._rate_mbps() or 0)
        if nbytes <= 0 or mbps <= 0:
            return
        seconds = nbytes * 8 / (mbps * 1_000_000)
        with self._lock:
            now = self._clock()
            done = max(now, self._free_at) + seconds
            self._free_at = done
            self.carried += nbytes
        wait = done - self._clock()
        if wait > 0:
            self._sleep(wait)


class ThrottledInput:
    """A request body (``wsgi.input``) read no faster than the link carries it."""

    def __init__(self, stream: Any, link: Link) -> None:
        self._stream = stream
        self._link = link

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            parts: list[bytes] = []
            while True:
                piece = self.read(PIECE)
                if not piece:
                    return b"".join(parts)
                parts.append(piece)
        data: bytes = self._stream.read(min(size, PIECE))
        self._link.carry(len(data))
        return data

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)[:PIECE]
        if hasattr(self._stream, "readinto"):
            n = int(self._stream.readinto(view) or 0)
        else:
            data = self._stream.read(len(view))
            n = len(data)
            view[:n] = data
        self._link.carry(n)
        return n

    def readline(self, size: int = -1) -> bytes:
        line: bytes = self._stream.readline(size if size is not None and size >= 0 else -1)
        self._link.carry(len(line))
        return line

    def __iter__(self) -> Iterator[bytes]:
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class ThrottledBody:
    """A response body sent no faster than the link carries it (pieces of at most :data:`PIECE`)."""

    def __init__(self, inner: Iterable[bytes], link: Link) -> None:
        self._inner = inner
        self._link = link

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            for start in range(0, len(chunk), PIECE):
                piece = chunk[start : start + PIECE]
                self._link.carry(len(piece))
                yield piece
            if not chunk:
                yield chunk

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()
