"""One run per sync root: an O_EXCL lock file holding the owner's pid and host.

A lock left by a process that no longer exists (same host) is stale and taken over, so a crash
never leaves the root locked for good.
"""

from __future__ import annotations

import errno
import json
import os
import socket
from pathlib import Path


class LockedError(Exception):
    """Another pycsync run holds this root."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RootLock:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._held = False

    def acquire(self) -> None:
        me = json.dumps({"pid": os.getpid(), "host": socket.gethostname()})
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                if self._stale():
                    try:
                        self.path.unlink()
                    except FileNotFoundError:
                        pass
                    continue
                raise LockedError(self._describe()) from None
            with os.fdopen(fd, "w") as f:
                f.write(me)
            self._held = True
            return
        raise LockedError(self._describe())

    def _owner(self) -> dict | None:
        try:
            return json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return None

    def _stale(self) -> bool:
        owner = self._owner()
        if owner == {}:
            return True  # vanished meanwhile
        if owner is None:
            return True  # unreadable: a crash while writing it
        if owner.get("host") != socket.gethostname():
            return False  # cannot tell for another machine sharing this folder
        pid = owner.get("pid")
        return not isinstance(pid, int) or not _alive(pid)

    def _describe(self) -> str:
        owner = self._owner() or {}
        return (
            f"another pycsync run (pid {owner.get('pid', '?')} on {owner.get('host', '?')}) "
            f"is syncing this folder; if it is gone, delete {self.path}"
        )

    def release(self) -> None:
        if self._held:
            try:
                self.path.unlink()
            except OSError as exc:
                if exc.errno != errno.ENOENT:
                    raise
            self._held = False

    def __enter__(self) -> RootLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
