"""Persistent sync state: the base, the journal and the per-root lock."""

from pycsync.state.db import StateCorrupt, StateDB, StateError
from pycsync.state.lock import LockedError, RootLock

__all__ = ["LockedError", "RootLock", "StateCorrupt", "StateDB", "StateError"]
