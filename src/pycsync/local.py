"""Scanning the sync root: which photos and videos are there, and what their content is.

The walk is on the hot path of every run (trees of 100,000+ files), so it works on the DirEntry
and stat results that os.scandir already has, and reads a file only when the base cannot vouch
for its content (size or mtime changed, or a full re-hash was asked for).
"""

from __future__ import annotations

import gc
import hashlib
import os
import stat as st
import unicodedata
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter
from pathlib import Path

from .ignore import IgnoreRules
from .model import BaseItem, LocalItem, new_local_item
from .naming import JPEG_EXTENSIONS, MEDIA_EXTENSIONS, RAW_EXTENSIONS, SETTINGS_FILE

# Not worth a warning: OS litter (.DS_Store and friends are hidden, so skipped anyway).
JUNK_FILES = frozenset({"thumbs.db", "desktop.ini"})  # compared lowercased
PROGRESS_EVERY = 1000

NOT_MEDIA = "not a photo or video"
RAW = "RAW file: Flickr does not accept RAW files"
RAW_WITH_JPEG = "RAW original of {jpeg}, which is synced in its place (Flickr does not accept RAW files)"
LONE_SIDECAR = "XMP sidecar without its photo or video"
SHARED_SIDECAR = "XMP sidecar named after several photos or videos: not read (name it NAME.EXT.xmp)"
SIDECAR_EXT = ".xmp"
EMPTY = "empty file (Flickr rejects zero-byte uploads)"
CHANGED = "changed while being read; will retry next run"
_LINK_REASONS = {"link": "symbolic link (not followed)", "broken": "broken symbolic link"}

_NONBLOCK = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
# Where stat takes a folder descriptor (POSIX), files are stat'ed by name in their opened
# folder (fstatat): about 15% faster per file than a stat of the full path.
_STAT_AT = os.stat in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_open_dir = os.open  # folders only (files are opened through os.open, to hash them)


# (on-disk name, NFC name, entry, stat if already known) of a file or folder kept in a listing
_Candidate = tuple[str, str, os.DirEntry[str], os.stat_result | None]


@dataclass(frozen=True)
class Skipped:
    path: str  # relative to the root, '/'-separated, as spelled on disk
    reason: str
    # True: a photo or video that should sync but cannot as things are (unreadable, a name twin,
    # empty, ...), reported until it syncs; False: passed over by design (not a photo or video,
    # a symbolic link, a RAW file)
    unsynced: bool = True
    raw: bool = False  # a camera RAW file (counted apart from the rest)


@dataclass(frozen=True, slots=True)
class Sidecar:
    """The XMP sidecar a photo's metadata is read from (``NAME.EXT.xmp``, else Adobe's
    ``NAME.xmp`` when no other photo or video of the folder has that name)."""

    path: str  # relative to the root, '/'-separated, as spelled on disk
    size: int
    mtime_ns: int

    @property
    def signature(self) -> str:
        """What tells a sidecar changed (see BaseItem.meta_sig): its name, size and mtime."""
        return f"{self.path.rpartition('/')[2]}|{self.size}|{self.mtime_ns}"


@dataclass
class ScanResult:
    """The media files found (by key, in no particular order) and what was passed over."""

    items: dict[str, LocalItem] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    hashed: int = 0  # files read in this scan (the others' content came from the base)
    # folder key -> the folder as spelled on disk, for folders spelled otherwise than their key
    # (decomposed Unicode): whatever is written into them goes there, never to a look-alike
    folders: dict[str, str] = field(default_factory=dict)
    # photos and videos outside the selection; those in excluded folders only when asked to count
    excluded: int = 0
    # folder key -> the folder as spelled on disk, of the folders holding a per-folder settings
    # file (.pycsync.toml; read by pycsync.folder_settings)
    settings_folders: dict[str, str] = field(default_factory=dict)
    # key -> its XMP sidecar, for the photos and videos that have one
    sidecars: dict[str, Sidecar] = field(default_factory=dict)
    # sidecars of no photo or video here (one renamed without its sidecar left it behind), by
    # their path relative to the root as spelled on disk
    lone_sidecars: dict[str, Sidecar] = field(default_factory=dict)

    def unlisted(self, key: str) -> bool:
        """Whether ``key`` may exist although it is not in ``items``: it, or a folder above it,
        was skipped (unreadable, changed while read, a name twin, ...). Such a key must not be
        taken for a local deletion. Call it once ``skipped`` is final (the set is cached)."""
        skipped = self._skipped_keys
        i = key.find("/")
        while i != -1:
            if key[:i] in skipped:
                return True
            i = key.find("/", i + 1)
        return key in skipped

    @cached_property
    def _skipped_keys(self) -> frozenset[str]:
        return frozenset(unicodedata.normalize("NFC", s.path) for s in self.skipped)


def hash_file(path: str | os.PathLike[str]) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _reason(e: OSError) -> str:
    if isinstance(e, PermissionError):
        return "permission denied"
    return f"cannot read: {e.strerror or e}"


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_size, a.st_mtime_ns, a.st_ino, a.st_dev) == (
        b.st_size,
        b.st_mtime_ns,
        b.st_ino,
        b.st_dev,
    )


class _Changed(Exception):
    """The file's size, mtime or identity changed while it was being hashed."""


def _hash_stable(path: str) -> tuple[str, os.stat_result] | None:
    """(sha256, stat) for a file whose content did not change while it was read.

    Returns None when it vanished; raises _Changed when it changed, OSError when unreadable.
    Opened non-blocking so that a file swapped for a fifo after listing cannot hang the scan.
    """
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK)
    except FileNotFoundError:
        return None
    with open(fd, "rb") as f:
        before = os.fstat(fd)
        if not st.S_ISREG(before.st_mode):
            return None
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    try:
        after = os.stat(path)
    except FileNotFoundError:
        return None
    if not _same_file(before, after):
        raise _Changed(path)
    return digest, after


class _Walk:
    """The state of one scan; a class only to keep the per-folder loop readable."""

    def __init__(
        self,
        root: str,
        base: Mapping[str, BaseItem],
        ignore: IgnoreRules | None,
        full: bool,
        follow_symlinks: bool,
        progress: Callable[[int], None] | None,
        count_excluded: bool = False,
    ) -> None:
        self.root = root
        self.count_excluded = count_excluded
        self.base = base
        self.ignore = ignore or None  # empty rules: no per-entry matching at all
        self.full = full
        self.follow = follow_symlinks
        self.progress = progress
        self.result = ScanResult()
        self.seen = 0
        self.visited: set[tuple[int, int]] = set()  # (st_dev, st_ino) of folders, when following
        self.queue: deque[tuple[str, str, str]] = deque()  # (os path, rel path, key) of folders

    def skip(self, rel: str, reason: str, unsynced: bool = True) -> None:
        self.result.skipped.append(Skipped(rel, reason, unsynced))

    def run(self) -> ScanResult:
        root_stat = os.stat(self.root)  # a missing root is an error, never an empty tree
        if not st.S_ISDIR(root_stat.st_mode):
            raise NotADirectoryError(self.root)
        self.visited.add((root_stat.st_dev, root_stat.st_ino))
        self.queue.append((self.root, "", ""))
        # Breadth first, so a folder reached both directly and through a link is scanned under
        # its shortest path.
        while self.queue:
            self.folder(*self.queue.popleft())
        if self.progress is not None:
            self.progress(self.seen)
        self.result.skipped.sort(key=attrgetter("path"))
        return self.result

    def folder(self, path: str, rel: str, kdir: str) -> None:
        """List one folder: queue its subfolders, then record its media files.

        Entries are collected first and twins resolved by name, so the outcome does not depend
        on the order os.scandir returns them in.
        """
        try:
            with os.scandir(path) as it:
                entries = list(it)
        except OSError as e:
            if not rel:
                raise  # an unreadable root must stop the sync, not look like an empty tree
            self.skip(rel, _reason(e))
            return
        fd = None
        if _STAT_AT:
            try:  # each stat below then resolves one name, not the whole path (~15% faster)
                fd = _open_dir(path, _DIR_FLAGS)
            except OSError:
                pass  # stat by path then
        try:
            self.entries(entries, fd, path, rel, kdir)
        finally:
            if fd is not None:
                os.close(fd)

    def entries(self, entries: list[os.DirEntry[str]], fd: int | None, path: str, rel: str, kdir: str) -> None:
        """The listed entries of one folder; ``fd``: the folder opened, to stat names in it."""
        rel_prefix = rel + "/" if rel else ""
        key_prefix = kdir + "/" if kdir else ""
        files, dirs = self.sort_out(entries, fd, rel_prefix, key_prefix)
        # Real folders before links, so that a link to a sibling does not take its place.
        for nfc in sorted(dirs, key=lambda n: (dirs[n][2].is_symlink(), n)):
            name, _, entry, stat = dirs[nfc]
            file_twin = files.get(nfc.casefold())
            if file_twin is not None and file_twin[1] == nfc:  # a file and a folder as NFC twins
                if self.twin(file_twin, dirs[nfc], rel_prefix, key_prefix) is file_twin:
                    continue
                del files[nfc.casefold()]
            self.enter(stat, os.path.join(path, name), rel_prefix + name, key_prefix + nfc)
        self.list_files(files, fd, path, rel_prefix, key_prefix, same_spelling=rel == kdir)

    def sort_out(
        self, entries: list[os.DirEntry[str]], fd: int | None, rel_prefix: str, key_prefix: str
    ) -> tuple[dict[str, _Candidate], dict[str, _Candidate]]:
        """One folder's media files (casefolded NFC name -> the file kept under it) and folders
        (NFC name -> the folder kept under it); hidden entries, files outside the selection and
        others that are not media are passed over here, XMP sidecars given to their photos."""
        ignore = self.ignore
        progress = self.progress
        seen = self.seen
        files: dict[str, _Candidate] = {}
        dirs: dict[str, _Candidate] = {}
        raws: list[str] = []  # RAW files (on-disk names), told apart once their JPEGs are known
        sidecars: list[_Candidate] = []  # XMP files: each belongs to a photo, or is reported
        for entry in entries:
            name = entry.name
            if name[0] == ".":  # hidden, including the root's .pycsync/
                if name == SETTINGS_FILE:
                    self.result.settings_folders[key_prefix[:-1]] = rel_prefix[:-1]  # (both "" at the root)
                continue
            nfc = name if name.isascii() else unicodedata.normalize("NFC", name)
            stat = None
            if not entry.is_file(follow_symlinks=False):
                stat = self.not_a_file(entry, nfc, dirs, rel_prefix, key_prefix)
                if stat is None:
                    continue
            seen += 1
            if progress is not None and seen % PROGRESS_EVERY == 0:
                progress(seen)
            if ignore is not None and ignore.matches(key_prefix + nfc, False):
                self.result.excluded += _is_media(name)
                continue
            dot = name.rfind(".")  # naming.is_media, inline: this runs for every file
            if dot <= 0 or name[dot:].lower() not in MEDIA_EXTENSIONS:
                if dot > 0 and name[dot:].lower() in RAW_EXTENSIONS:
                    raws.append(name)
                elif dot > 0 and name[dot:].lower() == SIDECAR_EXT:
                    sidecars.append((name, nfc, entry, stat))  # whose it is, once all are known
                elif name.lower() not in JUNK_FILES:
                    self.skip(rel_prefix + name, NOT_MEDIA, unsynced=False)
                continue
            cand = (name, nfc, entry, stat)
            other = files.setdefault(nfc.casefold(), cand)
            if other is not cand:
                files[nfc.casefold()] = self.twin(other, cand, rel_prefix, key_prefix)
        self.seen = seen
        if raws:
            self.raw_files(raws, files, rel_prefix)
        if sidecars:
            self.attach(sidecars, files, fd, rel_prefix, key_prefix)
        return files, dirs

    def list_files(
        self,
        files: dict[str, _Candidate],
        fd: int | None,
        path: str,
        rel_prefix: str,
        key_prefix: str,
        same_spelling: bool,
    ) -> None:
        """One folder's media files into the result: the base vouches for a file whose size and
        mtime it holds, any other is hashed. ``same_spelling``: the folder's path on disk is its
        key."""
        base_get = self.base.get
        stat_at = os.stat
        items = self.result.items
        full = self.full
        for name, nfc, entry, stat in files.values():
            key = key_prefix + nfc
            # Share the string when the on-disk spelling is the key: 100,000s of them are kept.
            rel_path = key if same_spelling and name is nfc else rel_prefix + name
            if stat is None:
                try:
                    # not a link: the same as lstat
                    stat = entry.stat() if fd is None else stat_at(name, dir_fd=fd, follow_symlinks=False)
                except FileNotFoundError:
                    continue  # gone since the listing
                except OSError as e:
                    self.skip(rel_path, _reason(e))
                    continue
            size = stat.st_size
            mtime_ns = stat.st_mtime_ns
            known = base_get(key)
            if size == 0:
                self.skip(rel_path, EMPTY)
            elif known is not None and not full and known.size == size and known.mtime_ns == mtime_ns:
                if rel_path is key:  # the base's own key string: one string, not two, per file
                    key = rel_path = known.key
                items[key] = new_local_item(key, rel_path, size, mtime_ns, known.sha256, False)
            else:
                self.hash(os.path.join(path, name), rel_path, key)

    def raw_files(self, raws: list[str], files: dict[str, _Candidate], rel_prefix: str) -> None:
        """Report each RAW file once: as the original of the JPEG of the same name synced in its
        place when there is one (the pair is one photo), else on its own."""
        jpegs: dict[str, str] = {}  # casefolded NFC stem -> the JPEG's name
        for folded, cand in files.items():
            dot = folded.rfind(".")
            if dot > 0 and folded[dot:] in JPEG_EXTENSIONS:
                jpegs.setdefault(folded[:dot], cand[0])
        for name in raws:
            stem = unicodedata.normalize("NFC", name[: name.rfind(".")]).casefold()
            jpeg = jpegs.get(stem)
            reason = RAW_WITH_JPEG.format(jpeg=jpeg) if jpeg is not None else RAW
            self.result.skipped.append(Skipped(rel_prefix + name, reason, unsynced=False, raw=True))

    def attach(
        self, sidecars: list[_Candidate], files: dict[str, _Candidate], fd: int | None, rel_prefix: str, key_prefix: str
    ) -> None:
        """Give each photo of the folder its sidecar: ``NAME.EXT.xmp``, else ``NAME.xmp`` when no
        other photo or video here is called NAME. A sidecar that is no photo's is reported."""
        stems: dict[str, list[str]] = {}
        for folded in files:
            stems.setdefault(folded.rpartition(".")[0], []).append(folded)
        chosen: dict[str, tuple[int, _Candidate]] = {}  # casefolded media name -> (rank, sidecar)
        for cand in sorted(sidecars, key=lambda c: c[0]):
            owner = cand[1].casefold()[: -len(SIDECAR_EXT)]
            if owner in files:
                rank = 0
            elif len(stems.get(owner, ())) == 1:
                rank, owner = 1, stems[owner][0]
            else:
                why = SHARED_SIDECAR if stems.get(owner) else LONE_SIDECAR
                self.skip(rel_prefix + cand[0], why, unsynced=False)
                if not stems.get(owner):
                    self.lone(cand, fd, rel_prefix)
                continue
            if owner not in chosen or rank < chosen[owner][0]:
                chosen[owner] = (rank, cand)
        for owner, (_, (name, _nfc, entry, stat)) in chosen.items():
            try:
                if stat is None:
                    stat = entry.stat() if fd is None else os.stat(name, dir_fd=fd, follow_symlinks=False)
            except OSError:
                continue  # gone, or unreadable: the photo is read without it (and says so, if it matters)
            key = key_prefix + files[owner][1]
            self.result.sidecars[key] = Sidecar(rel_prefix + name, stat.st_size, stat.st_mtime_ns)

    def lone(self, cand: _Candidate, fd: int | None, rel_prefix: str) -> None:
        name, _nfc, entry, stat = cand
        try:
            if stat is None:
                stat = entry.stat() if fd is None else os.stat(name, dir_fd=fd, follow_symlinks=False)
        except OSError:
            return
        self.result.lone_sidecars[rel_prefix + name] = Sidecar(rel_prefix + name, stat.st_size, stat.st_mtime_ns)

    def not_a_file(
        self,
        entry: os.DirEntry[str],
        nfc: str,
        dirs: dict[str, _Candidate],
        rel_prefix: str,
        key_prefix: str,
    ) -> os.stat_result | None:
        """Handle an entry that is not a plain file: note a folder in ``dirs``, report a link
        that is not followed, drop special files. Returns the stat of a followed link to a
        regular file, which the caller treats as a file."""
        rel_path = rel_prefix + entry.name
        try:
            kind, stat = self.classify(entry)
        except FileNotFoundError:
            return None  # gone since the listing
        except OSError as e:
            self.skip(rel_path, _reason(e))
            return None
        if kind == "file" or kind is None:
            return stat
        if self.ignore is not None and self.ignore.matches(key_prefix + nfc, kind == "dir"):
            if kind == "dir" and self.count_excluded:
                self.result.excluded += _media_below(entry.path)
            return None
        if kind == "dir":
            cand = (entry.name, nfc, entry, stat)
            other = dirs.get(nfc)
            dirs[nfc] = cand if other is None else self.twin(other, cand, rel_prefix, key_prefix)
        else:
            self.skip(rel_path, _LINK_REASONS[kind], unsynced=False)
        return None

    def classify(self, entry: os.DirEntry[str]) -> tuple[str | None, os.stat_result | None]:
        """The kind of an entry that is not a plain file ('file', 'dir', 'link', 'broken', or
        None for special files) and, when it is known or needed for loop detection, its stat."""
        if entry.is_symlink():
            if not self.follow:
                return "link", None
            try:
                stat = entry.stat()
            except FileNotFoundError:
                return "broken", None
            if st.S_ISDIR(stat.st_mode):
                return "dir", stat
            return ("file", stat) if st.S_ISREG(stat.st_mode) else (None, None)
        if entry.is_dir(follow_symlinks=False):
            return "dir", entry.stat(follow_symlinks=False) if self.follow else None
        return None, None  # fifo, socket, device

    def twin(self, a: _Candidate, b: _Candidate, rel_prefix: str, key_prefix: str) -> _Candidate:
        """Of two entries whose names collide, the one to keep; the other is reported.

        The first in sorted order wins, except that a file already in the base beats a case
        twin that is not, so adding 'A.jpg' beside a synced 'a.jpg' changes nothing remotely.
        """

        def rank(c: _Candidate) -> tuple[bool, str]:
            return (key_prefix + c[1]) not in self.base, c[0]

        keep, drop = (a, b) if rank(a) <= rank(b) else (b, a)
        if keep[1] == drop[1]:
            reason = f"same name as {keep[0]!r} after Unicode normalisation"
        else:
            reason = f"differs only in letter case from {keep[0]!r} in the same folder"
        self.skip(rel_prefix + drop[0], reason)
        return keep

    def enter(self, stat: os.stat_result | None, path: str, rel_path: str, key: str) -> None:
        if stat is not None:  # following links: never scan one folder twice
            ident = (stat.st_dev, stat.st_ino)
            if ident in self.visited:
                self.skip(rel_path, "folder already scanned through another path (link loop?)", unsynced=False)
                return
            self.visited.add(ident)
        if rel_path != key:
            self.result.folders[key] = rel_path
        self.queue.append((path, rel_path, key))

    def hash(self, path: str, rel_path: str, key: str) -> None:
        try:
            hashed = _hash_stable(path)
        except _Changed:
            self.skip(rel_path, CHANGED)
            return
        except OSError as e:
            self.skip(rel_path, _reason(e))
            return
        if hashed is None:
            return  # gone, or no longer a regular file
        sha256, after = hashed
        if after.st_size == 0:
            self.skip(rel_path, EMPTY)
        else:
            self.result.hashed += 1
            self.result.items[key] = LocalItem(key, rel_path, after.st_size, after.st_mtime_ns, sha256, True)


def _is_media(name: str) -> int:
    dot = name.rfind(".")
    return int(dot > 0 and name[dot:].lower() in MEDIA_EXTENSIONS)


def _media_below(path: str) -> int:
    """The photos and videos in an excluded folder (names only: nothing is read or stat'ed)."""
    count = 0
    for _folder, dirs, files in os.walk(path, onerror=lambda e: None):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        count += sum(_is_media(f) for f in files if not f.startswith("."))
    return count


def scan(
    root: str | Path,
    *,
    base: Mapping[str, BaseItem],
    ignore: IgnoreRules | None = None,
    full: bool = False,
    follow_symlinks: bool = False,
    progress: Callable[[int], None] | None = None,
    count_excluded: bool = False,
) -> ScanResult:
    """List the media files under ``root``, hashing only those the base cannot vouch for.

    Raises OSError when the root itself cannot be listed; anything below it that cannot be read
    is reported in ``skipped`` and the scan goes on. With ``count_excluded``, the photos and
    videos inside excluded folders are counted too (``excluded``), which walks those folders.
    """
    walk = _Walk(os.fspath(root), base, ignore, full, follow_symlinks, progress, count_excluded)
    # The result is 100,000s of new objects without cycles; collections triggered by their
    # creation only re-traverse them (and the base), costing about a tenth of the scan.
    paused = gc.isenabled()
    gc.disable()
    try:
        return walk.run()
    finally:
        if paused:
            gc.enable()
