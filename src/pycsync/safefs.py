"""Folders pycsync works in, reached by descriptor and never through a symbolic link.

`.pycsync/` and what pycsync keeps in it (tmp, trash, the state files, the lock) live inside a
folder that other people and programs write to as well: a link there, from an unpacked archive,
a NAS, another sync tool or a co-user, could make pycsync delete, move or overwrite files
anywhere. So each folder is opened with O_NOFOLLOW relative to its parent's descriptor and, in
`.pycsync/`, checked before use: a folder, the user's own, writable by nobody else. Files are
created exclusively without following links, and removed or renamed by name inside an open
folder, so a path swapped for a link after the check changes nothing.

Where the platform has no descriptor-relative calls (Windows), the same checks run on paths.
"""

from __future__ import annotations

import errno
import os
import stat
import threading
import time
import weakref
from collections.abc import Sequence
from pathlib import Path

META_DIR = ".pycsync"

_AT = (
    hasattr(os, "O_NOFOLLOW")
    and hasattr(os, "O_DIRECTORY")
    and {os.open, os.mkdir, os.unlink, os.rename, os.stat, os.utime} <= os.supports_dir_fd
)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a fifo planted under a file's name must not hang us
_BINARY = getattr(os, "O_BINARY", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC
_PROC_FD = Path("/proc/self/fd")


class UnsafeFolderError(Exception):
    """A folder or file pycsync would work in is a link, of the wrong kind, or someone else's."""


class SafeDir:
    """An open folder. ``mine``: checked to be the user's own and writable by nobody else (the
    folders of `.pycsync/`); otherwise only never reached through a link (the user's tree)."""

    def __init__(self, path: Path, fd: int | None, mine: bool):
        self.path = Path(path)
        self.fd = fd
        self.mine = mine
        self._close = weakref.finalize(self, os.close, fd) if fd is not None else None

    @classmethod
    def open(cls, path: Path) -> SafeDir:
        """A folder the user chose (the sync root, the config folder): a link to it is the
        user's own choice and followed; what is below it is reached through this descriptor."""
        return cls(Path(path), os.open(path, _DIR_FLAGS) if _AT else None, mine=False)

    def close(self) -> None:
        if self._close is not None:
            self._close()

    def __enter__(self) -> SafeDir:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _at(self, name: str) -> tuple[str, int | None]:
        """(name, folder descriptor) for os calls, or (full path, None) without descriptors."""
        if name in ("", ".", "..") or "/" in name or os.sep in name:
            raise UnsafeFolderError(f"refusing the name {name!r} inside {self.path}")
        return (name, self.fd) if self.fd is not None else (str(self.path / name), None)

    # ------------------------------------------------------------------ folders

    def subdir(self, name: str, *, create: bool = False, mine: bool | None = None) -> SafeDir:
        """The folder ``name`` in this one, opened without following a link (FileNotFoundError
        when it is missing and not ``create``)."""
        mine = self.mine if mine is None else mine
        where, fd = self._at(name)
        path = self.path / name
        if create:
            try:
                os.mkdir(where, 0o700 if mine else 0o777, dir_fd=fd)
            except FileExistsError:
                pass
        if fd is None:
            st = os.lstat(where)
            if not stat.S_ISDIR(st.st_mode):
                raise UnsafeFolderError(self._refusal(name, st))
            child = SafeDir(path, None, mine)
        else:
            try:
                child = SafeDir(path, os.open(where, _DIR_FLAGS | _NOFOLLOW, dir_fd=fd), mine)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                    raise UnsafeFolderError(self._refusal(name, self.lstat(name))) from None
                raise
        if mine:
            try:
                make_private(child)
            except BaseException:
                child.close()
                raise
        return child

    def walk(self, parts: Sequence[str], *, create: bool = False) -> SafeDir:
        """The folder ``parts`` below this one, each step opened without following a link;
        always a new handle for the caller to close."""
        current = SafeDir(self.path, os.dup(self.fd) if self.fd is not None else None, self.mine)
        for part in parts:
            try:
                step = current.subdir(part, create=create)
            finally:
                current.close()
            current = step
        return current

    def fresh_subdir(self, name: str) -> SafeDir:
        """A folder made now under ``name`` (or ``name-2``, ``name-3``, ... when taken): never
        one that was there before, so nothing planted in it can be used."""
        for n in range(1, 1000):
            candidate = name if n == 1 else f"{name}-{n}"
            where, fd = self._at(candidate)
            try:
                os.mkdir(where, 0o700 if self.mine else 0o777, dir_fd=fd)
            except FileExistsError:
                continue
            return self.subdir(candidate)
        raise FileExistsError(errno.EEXIST, "no free name", str(self.path / name))

    def names(self) -> list[str]:
        return os.listdir(self.fd if self.fd is not None else self.path)

    # ------------------------------------------------------------------ files

    def lstat(self, name: str) -> os.stat_result | None:
        where, fd = self._at(name)
        try:
            return os.stat(where, dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def create(self, name: str, mode: int = 0o600) -> int:
        """A new file, made exclusively (never an existing file, never through a link)."""
        where, fd = self._at(name)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC | _BINARY
        return os.open(where, flags, mode, dir_fd=fd)

    def open_file(self, name: str, flags: int = os.O_RDONLY, mode: int = 0o600) -> int:
        """An existing regular file (or a new one with O_CREAT), opened without following a
        link; in `.pycsync/` also checked to be the user's own and not linked elsewhere."""
        where, fd = self._at(name)
        if fd is None:
            self.check_file(name)
        try:
            handle = os.open(where, flags | _NOFOLLOW | _CLOEXEC | _NONBLOCK | _BINARY, mode, dir_fd=fd)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EMLINK, errno.EISDIR):
                raise UnsafeFolderError(self._refusal(name, self.lstat(name))) from None
            raise
        try:
            _check_file(self, name, os.fstat(handle))
        except BaseException:
            os.close(handle)
            raise
        return handle

    def check_file(self, name: str) -> None:
        """Refuse ``name`` unless it is missing or a regular file (in `.pycsync/`: the user's
        own, with no other name); for libraries that open files by path themselves."""
        st = self.lstat(name)
        if st is not None:
            _check_file(self, name, st)

    def file_path(self, name: str) -> str:
        """A path to ``name`` for libraries that only take paths (SQLite): through this open
        folder where the system offers that (/proc/self/fd on Linux), so a folder swapped for
        a link on the way changes nothing."""
        self._at(name)
        if self.fd is not None and _PROC_FD.is_dir():
            return str(_PROC_FD / str(self.fd) / name)
        return str(self.path / name)

    def unlink(self, name: str, missing_ok: bool = True) -> None:
        """Remove the name (a link is removed itself, never what it points to)."""
        where, fd = self._at(name)
        try:
            os.unlink(where, dir_fd=fd)
        except FileNotFoundError:
            if not missing_ok:
                raise

    def rename(self, name: str, dest: SafeDir, dest_name: str) -> None:
        """Move ``name`` to ``dest_name`` in ``dest`` (replacing what is there)."""
        src, src_fd = self._at(name)
        dst, dst_fd = dest._at(dest_name)
        os.replace(src, dst, src_dir_fd=src_fd, dst_dir_fd=dst_fd)

    def link(self, name: str, dest: SafeDir, dest_name: str) -> None:
        """A new name ``dest_name`` in ``dest`` for the file ``name`` (a link is never followed)."""
        src, src_fd = self._at(name)
        dst, dst_fd = dest._at(dest_name)
        if src_fd is not None and dst_fd is not None and os.link in os.supports_dir_fd:
            os.link(src, dst, src_dir_fd=src_fd, dst_dir_fd=dst_fd, follow_symlinks=False)
        else:
            self.check_file(name)
            os.link(self.path / name, dest.path / dest_name)

    def set_times(self, name: str, stamp: float) -> None:
        where, fd = self._at(name)
        os.utime(where, (stamp, stamp), dir_fd=fd, follow_symlinks=not _AT)

    # ------------------------------------------------------------------ messages

    def _refusal(self, name: str, st: os.stat_result | None) -> str:
        path = self.path / name
        if st is not None and stat.S_ISLNK(st.st_mode):
            try:
                target = f" (to {os.readlink(path)})"
            except OSError:
                target = ""
            if not self.mine:
                return f"refusing to write through the symbolic link {path}{target}"
            return (
                f"refusing to use {path}: it is a symbolic link{target}. pycsync never follows links "
                f"in its own {META_DIR} folder, where one could make it delete or overwrite files "
                "elsewhere; remove the link and run again"
            )
        kind = "a folder" if st is not None and stat.S_ISDIR(st.st_mode) else "something else"
        return f"refusing to use {path}: it is {kind}, not what pycsync keeps there; move it away and run again"


class TempFile:
    """A file pycsync made in `.pycsync/tmp/`, reached only through that open folder."""

    def __init__(self, folder: SafeDir, name: str):
        self.folder, self.name = folder, name

    @property
    def path(self) -> Path:
        return self.folder.path / self.name

    def unlink(self, missing_ok: bool = True) -> None:
        self.folder.unlink(self.name, missing_ok)

    def move_to(self, dest: SafeDir, name: str) -> None:
        self.folder.rename(self.name, dest, name)

    def set_times(self, stamp: float) -> None:
        self.folder.set_times(self.name, stamp)


def make_private(folder: SafeDir) -> None:
    """Check the folder is the user's own, and tighten it to 0700 (refused when it cannot be)."""
    if not hasattr(os, "geteuid"):
        return
    st = os.fstat(folder.fd) if folder.fd is not None else os.lstat(folder.path)
    if st.st_uid != os.geteuid():
        raise UnsafeFolderError(
            f"refusing to use {folder.path}: it belongs to another user (uid {st.st_uid}), who could "
            "make pycsync delete, overwrite or reveal files through it; pycsync only keeps its files "
            "in folders of your own"
        )
    if stat.S_IMODE(st.st_mode) & 0o077:
        if folder.fd is not None:
            os.fchmod(folder.fd, 0o700)
            st = os.fstat(folder.fd)
        else:
            os.chmod(folder.path, 0o700)
            st = os.lstat(folder.path)
        if st.st_mode & 0o022:
            raise UnsafeFolderError(
                f"refusing to use {folder.path}: other users may write to it and its permissions "
                "cannot be tightened (a network share?)"
            )


def _check_file(folder: SafeDir, name: str, st: os.stat_result) -> None:
    path = folder.path / name
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeFolderError(folder._refusal(name, st))
    if folder.mine and hasattr(os, "geteuid"):
        if st.st_uid != os.geteuid():
            raise UnsafeFolderError(f"refusing to use {path}: it belongs to another user (uid {st.st_uid})")
        if st.st_nlink != 1:
            raise UnsafeFolderError(
                f"refusing to use {path}: it has other names (hard links), so writing it would change "
                "another file too; remove it and run again"
            )


def open_meta(root: Path, *, create: bool) -> SafeDir:
    """The sync root's `.pycsync/` folder, checked (FileNotFoundError: there is none yet)."""
    with SafeDir.open(root) as top:
        return top.subdir(META_DIR, create=create, mine=True)


class RunFolders:
    """The folders a run writes in, opened (and checked) on first use and reached by descriptor
    from then on: the sync folder itself, `.pycsync/tmp/`, and this run's own new folder in
    `.pycsync/trash/`, named after the time it was made. Thread-safe; ``close`` closes them."""

    def __init__(self, root: Path):
        self.root_path = Path(root)
        self._open: dict[str, SafeDir] = {}
        self._lock = threading.Lock()

    def root(self) -> SafeDir:
        return self._get("root")

    def tmp(self) -> SafeDir:
        return self._get("tmp")

    def trash(self) -> SafeDir:
        return self._get("trash")

    def _get(self, which: str) -> SafeDir:
        with self._lock:
            if which not in self._open:
                self._open[which] = self._opened(which)
            return self._open[which]

    def _opened(self, which: str) -> SafeDir:
        if which == "root":
            return SafeDir.open(self.root_path)
        if "meta" not in self._open:
            self._open["meta"] = open_meta(self.root_path, create=True)
        meta = self._open["meta"]
        if which == "tmp":
            return meta.subdir("tmp", create=True)
        with meta.subdir("trash", create=True) as trash:
            return trash.fresh_subdir(time.strftime("%Y%m%d-%H%M%S"))

    def close(self) -> None:
        with self._lock:
            for folder in self._open.values():
                folder.close()
            self._open.clear()

    def __enter__(self) -> RunFolders:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
