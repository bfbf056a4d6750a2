"""Call counting: every (non-control) request under its method or endpoint name."""

from __future__ import annotations

import collections
import threading
import time
from typing import Any

__all__ = ["CallRecorder"]


class CallRecorder:
    """Counts every request by name and keeps the last ``keep`` of them (status, fault, code);
    ``rate_limited``: how many were refused by a rate limit (the key's budget or a fault rule)."""

    def __init__(self, keep: int = 200) -> None:
        self._lock = threading.Lock()
        self.counts: collections.Counter[str] = collections.Counter()
        self.recent: collections.deque[dict[str, Any]] = collections.deque(maxlen=keep)
        self.rate_limited = 0

    def start(self, name: str, fault: str | None) -> dict[str, Any]:
        """A new entry; the caller fills in ``status`` (and ``code`` / ``oauth_problem``) when it knows."""
        entry: dict[str, Any] = {"name": name, "status": None, "fault": fault, "time": round(time.time(), 3)}
        with self._lock:
            self.counts[name] += 1
            self.rate_limited += fault == "rate_limit"
            self.recent.append(entry)
        return entry

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "counts": dict(self.counts),
                "recent": [dict(e) for e in self.recent],
                "rate_limited": self.rate_limited,
            }

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()
            self.recent.clear()
            self.rate_limited = 0
