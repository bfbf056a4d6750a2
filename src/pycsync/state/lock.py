"""One run per sync root: a lock file holding the owner's pid and host, held with flock.

The operating system drops a flock when its process ends, however it ends. So a lock file whose
flock can be taken belongs to no live run on this machine, and taking it over is the same single
step as taking a free lock: two runs can never both take over one stale lock (deleting a stale
file and creating a new one would let both). A lock written on another host is respected, since
flock over a network share cannot always be trusted; the message says how to clear it.

Where flock is missing (Windows) or the filesystem refuses it, the lock falls back to an O_EXCL
file whose pid is checked: a crash still never leaves the root locked for good, but two runs
starting at the same moment could then both take over the same stale lock.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

from pycsync.errors import LockedError
from pycsync.safefs import SafeDir

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


RUN_BUSY = "another pycsync run (pid {pid} on {host}) is syncing this folder"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RootLock:
    """The lock file ``path``; ``directory``: its folder, already opened and checked (else the
    folder is opened here). The file is never reached through a link. ``busy``: what a holder
    is doing, for the message when it is held ({pid} and {host} filled in)."""

    def __init__(self, path: Path, directory: SafeDir | None = None, busy: str = RUN_BUSY):
        self.path = Path(path)
        self.busy = busy
        self._directory = directory
        self._own_directory: SafeDir | None = None
        self._fd: int | None = None
        self._held = False

    @property
    def _dir(self) -> SafeDir:
        if self._directory is None:
            self._own_directory = self._directory = SafeDir.open(self.path.parent)
        return self._directory

    def acquire(self) -> None:
        try:
            if fcntl is None or not self._acquire_flock():
                self._acquire_exclusive()
        except BaseException:
            self._close_directory()
            raise

    # ------------------------------------------------------------------ flock

    def _acquire_flock(self) -> bool:
        """True once held; False when this filesystem has no flock (then the fallback)."""
        assert fcntl is not None
        name = self.path.name
        for _ in range(10):
            fd = self._dir.open_file(name, os.O_RDWR | os.O_CREAT)
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise LockedError(self._describe(_read_owner(fd))) from None
                except OSError:
                    os.close(fd)
                    return False
                here = os.fstat(fd)
                now = self._dir.lstat(name)
                if now is None or (now.st_dev, now.st_ino) != (here.st_dev, here.st_ino):
                    os.close(fd)  # removed by the run that just released it: take the new file
                    continue
                owner = _read_owner(fd)
                if owner and owner.get("host") != socket.gethostname():
                    raise LockedError(self._describe(owner))
                try:
                    os.ftruncate(fd, 0)
                    os.pwrite(fd, _me(), 0)
                except OSError:  # (a full disk) the file is ours under our flock: leave none behind
                    self._dir.unlink(name)
                    raise
            except BaseException:
                if self._fd != fd:
                    os.close(fd)
                raise
            self._fd, self._held = fd, True
            return True
        raise LockedError(self._describe({}))

    # ------------------------------------------------------------------ fallback: O_EXCL + pid

    def _acquire_exclusive(self) -> None:
        name = self.path.name
        for _ in range(3):
            try:
                fd = self._dir.create(name)
            except FileExistsError:
                if self._stale():
                    self._dir.unlink(name)
                    continue
                raise LockedError(self._describe(self._owner())) from None
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(_me())
            except BaseException:
                self._dir.unlink(name)  # (a full disk): leave no lock that nobody holds
                raise
            self._held = True
            return
        raise LockedError(self._describe(self._owner()))

    def check(self) -> None:
        """Raise LockedError when a run holds the lock, as ``acquire`` would; create, write or
        remove nothing (for runs that only read: a stale lock is left for a sync to take over).
        A flock taken for a moment is no change on disk."""
        try:
            fd = self._dir.open_file(self.path.name)
        except FileNotFoundError:
            self._close_directory()
            return
        try:
            owner = _read_owner(fd)
            held = None
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    held = True
                except OSError:
                    pass  # no flock on this filesystem: the owner's pid tells
                else:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                    # free: stale, unless a run on another machine wrote it (as acquire() holds)
                    held = bool(owner) and owner is not None and owner.get("host") != socket.gethostname()
            if held is None:
                held = not self._stale()
            if held:
                raise LockedError(self._describe(owner))
        finally:
            os.close(fd)
            self._close_directory()

    def _owner(self) -> dict | None:
        try:
            fd = self._dir.open_file(self.path.name)
        except FileNotFoundError:
            return {}
        try:
            return _read_owner(fd)
        finally:
            os.close(fd)

    def _stale(self) -> bool:
        owner = self._owner()
        if not owner:
            return True  # vanished meanwhile, or unreadable: a crash while writing it
        if owner.get("host") != socket.gethostname():
            return False  # cannot tell for another machine sharing this folder
        pid = owner.get("pid")
        return not isinstance(pid, int) or not _alive(pid)

    # ------------------------------------------------------------------

    def _describe(self, owner: dict | None) -> str:
        owner = owner or {}
        busy = self.busy.format(pid=owner.get("pid", "?"), host=owner.get("host", "?"))
        return f"{busy}; if it is gone, delete {self.path}"

    def release(self) -> None:
        if not self._held:
            return
        try:
            if self._fd is None:
                self._dir.unlink(self.path.name)
            else:
                # only our own file: never one a later run made after someone deleted ours
                here, now = os.fstat(self._fd), self._dir.lstat(self.path.name)
                if now is not None and (now.st_dev, now.st_ino) == (here.st_dev, here.st_ino):
                    self._dir.unlink(self.path.name)
        finally:
            if self._fd is not None:
                os.close(self._fd)  # the flock goes with it
                self._fd = None
            self._held = False
            self._close_directory()

    def _close_directory(self) -> None:
        if self._own_directory is not None:
            self._own_directory.close()
            self._own_directory = self._directory = None

    def __enter__(self) -> RootLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _me() -> bytes:
    return json.dumps({"pid": os.getpid(), "host": socket.gethostname()}).encode()


def _read_owner(fd: int) -> dict | None:
    """The lock file's owner; {} when empty, None when unreadable (a crash while writing it)."""
    try:
        raw = os.pread(fd, 4096, 0) if hasattr(os, "pread") else os.read(fd, 4096)
        owner = json.loads(raw) if raw.strip() else {}
    except (OSError, ValueError):
        return None
    return owner if isinstance(owner, dict) else None
