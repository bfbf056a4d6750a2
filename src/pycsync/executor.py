"""Runs a Plan: local file operations, transfers on a bounded thread pool, then album edits.

Every action records its effect in the base only after it is confirmed, one SQLite transaction
each, so an interrupted run leaves a base that is behind reality, never ahead of it. Uploads are
journaled before the request leaves; an upload whose answer was lost is looked up by its content
tag before anything is retried (at most one Flickr photo per local file).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import shutil
import stat
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

from pycsync import metadata, naming
from pycsync.albummeta import own_album_title
from pycsync.concurrency import AUTO, AUTO_HIGH, Gate
from pycsync.errors import Interrupted, PycsyncError, UnsafePathError, run_stopper
from pycsync.events import (
    ActionDone,
    ActionFailed,
    Done,
    Notify,
    SidecarStayed,
    TransfersPlanned,
    UploadsStopped,
    ignore,
)
from pycsync.flickr import FlickrClient, ListedPhoto, PhotoInfo
from pycsync.flickr.errors import (
    AccountLimitReached,
    ApiError,
    FileChanged,
    FlickrError,
    OutcomeUnknown,
    PermanentUploadError,
)
from pycsync.folder_settings import CONTENT_TYPES, LICENSES, MAX_FILE_BYTES, SAFETY_LEVELS, FolderSettings, album_toml
from pycsync.local import Sidecar
from pycsync.metadata import Meta
from pycsync.metamerge import Merged, PhotoMeta, merge, settle
from pycsync.metaplan import own_title, settings_tags_out_of_view
from pycsync.model import (
    NO_ALBUM,
    Action,
    ApplySettings,
    ArrivingMeta,
    BaseItem,
    Confirm,
    CopyLocal,
    DeletePhoto,
    Download,
    Forget,
    Layout,
    Link,
    LocalItem,
    MoveFolder,
    MoveLocal,
    MoveRemote,
    Phase,
    PlaceInAlbum,
    Plan,
    Privacy,
    RemoteListing,
    RemoveFromAlbum,
    Replace,
    SyncAlbumMeta,
    SyncMeta,
    TrashLocal,
    Upload,
    folder_of,
    join_key,
    name_of,
    phase,
    subject,
)
from pycsync.safefs import RunFolders, SafeDir, TempFile, UnsafeFolderError
from pycsync.state import StateDB
from pycsync.transfers import MIN_FREE_SPACE, Abandoned, Fetched, Transfers

CHANGED_WHILE_SENDING = "changed while uploading; will be retried"


#: seconds the read of a run's new uploads reaches back before the first upload left (clock
#: resolution and Flickr's servers' clocks)
UPLOAD_OVERLAP = 60
#: without Flickr's clock (no Date header yet) the local clock is used, allowed to be this far ahead
UPLOAD_CLOCK_SKEW = 900


@dataclass
class Outcome:
    """What one run did, for the summary and the exit code."""

    done: Counter[Done] = field(default_factory=Counter)
    by_album: defaultdict[str, Counter[Done]] = field(default_factory=lambda: defaultdict(Counter))
    failed: list[tuple[str, str]] = field(default_factory=list)  # (key, message)
    permanent: list[tuple[str, str]] = field(default_factory=list)
    bytes_up: int = 0
    bytes_down: int = 0
    # set when the run stopped before its end: Flickr refused the sign-in, the endpoint went
    # away, the disk is full or Ctrl-C; what was confirmed before is recorded, the rest not begun
    stopped: PycsyncError | None = None
    # set when Flickr refused an upload because of the account (full, video limit, content not
    # allowed): no further upload was sent; everything else went on
    uploads_stopped: str | None = None
    not_sent: list[tuple[str, str]] = field(default_factory=list)  # (key, why): uploads held back
    uploaded_as: Counter = field(default_factory=Counter)  # privacy -> photos uploaded with it
    # with --jobs auto: the most transfers the measured network called for at once
    concurrency: int | None = None

    def record(self, kind: Done, key: str) -> None:
        self.done[kind] += 1
        self.by_album[folder_of(key) or NO_ALBUM][kind] += 1

    def merge(self, other: Outcome) -> None:
        """Count what an earlier pass of the same run did (its failures were planned again)."""
        self.done.update(other.done)
        for album, counts in other.by_album.items():
            self.by_album[album].update(counts)
        self.bytes_up += other.bytes_up
        self.bytes_down += other.bytes_down


@dataclass
class Settings:
    # transfers at once (AUTO: see concurrency.py). 8: over a 20 Mbit/s line with 100 ms latency and
    # Flickr's 1.5 s per upload, 4 reach 76% of the link and 8 91% (bench/RESULTS.md)
    jobs: int = 8
    privacy: Privacy = Privacy.PRIVATE
    layout: Layout = Layout.NESTED
    unknown_upload_wait: float = 60.0  # how long to look for an upload whose answer was lost
    min_free_space: int = MIN_FREE_SPACE  # bytes of disk space downloads leave free
    # the per-folder settings (.pycsync.toml files) over the run-wide privacy: what uploads get
    folders: FolderSettings | None = None


class Executor:
    def __init__(
        self,
        root: Path,
        client: FlickrClient,
        state: StateDB,
        local: dict[str, LocalItem],
        remote: RemoteListing,
        settings: Settings,
        notify: Notify = ignore,
        sleep: Callable[[float], None] = time.sleep,
        fetched: dict[tuple[str, str], Fetched] | None = None,
        folders: Mapping[str, str] | None = None,
        sidecars: Mapping[str, Sidecar] | None = None,
    ):
        self.root = Path(root)
        # originals a Confirm already downloaded, (photo id, secret) -> what was fetched, so the
        # Download that follows in a later plan does not fetch them again
        self.fetched: dict[tuple[str, str], Fetched] = {} if fetched is None else fetched
        # folder key -> its spelling on disk, where the two differ (the scan's ScanResult.folders)
        self.folders: dict[str, str] = dict(folders or {})
        # key -> its XMP sidecar (the scan's ScanResult.sidecars), kept up to date as files move
        self.sidecars: dict[str, Sidecar] = dict(sidecars or {})
        self.client = client
        self.state = state
        self.local = local
        self.remote = remote
        self.settings = settings
        self.notify = notify
        self.outcome = Outcome()
        self._lock = threading.Lock()
        self._photo_of: dict[str, str] = state.photo_ids()
        self._failed_keys: set[str] = set()
        self._unmoved: set[str] = set()  # keys in a renamed folder whose file could not be moved there
        self._names: dict[str, str] = {}  # photo id -> its new name, for photos this run renames
        self._renamed: dict[str, str] = {}
        self._open = RunFolders(self.root)
        # uploads whose original secret Flickr's answer did not carry: photo id -> (keys, the
        # content hash to cache for it or ""); learnt in one read once the transfers are done
        self._unknown_secrets: dict[str, tuple[tuple[str, ...], str]] = {}
        self._first_upload: int | None = None  # Flickr's clock when this run's first upload left
        # uploads whose metadata Flickr may not have taken from the upload alone: photo id ->
        # (keys, what the folder says); settled once the run has read its uploads back
        self._upload_meta: dict[str, tuple[tuple[str, ...], Meta]] = {}
        self._raw_tags: dict[str, str] | None = None  # clean -> raw forms of the user's tags
        self._stopping = threading.Event()
        self._gate = Gate() if settings.jobs == AUTO else None
        self.transfers = Transfers(
            client,
            self._open.tmp,
            notify=notify,
            stopping=self._stopping,
            sleep=sleep,
            unknown_upload_wait=settings.unknown_upload_wait,
            min_free_space=settings.min_free_space,
            gate=self._gate,
        )
        self._held = ""  # why uploads are held back, once Flickr refused one for the account

    # ------------------------------------------------------------------ driver

    def run(self, plan: Plan) -> Outcome:
        """Run the plan; a run stopper (see :func:`pycsync.errors.run_stopper`) or Ctrl-C ends it
        early, with ``outcome.stopped`` saying why: actions not begun are skipped and transfers
        in flight abandoned, and what was confirmed stays recorded."""
        try:
            self._run(plan)
        except KeyboardInterrupt:
            self._stop(Interrupted())
        finally:
            self._open.close()
        return self.outcome

    def _run(self, plan: Plan) -> None:
        self._open.tmp()
        transfers = [a for a in plan.actions if isinstance(a, (Upload, Replace, Download, Confirm))]
        if transfers:  # for progress displays: how many files, and the bytes known up front
            up = sum(a.size for a in transfers if isinstance(a, (Upload, Replace)))
            self.notify(TransfersPlanned(len(transfers), up))
        by_phase: dict[Phase, list[Action]] = defaultdict(list)
        for action in plan.actions:
            by_phase[phase(action)].append(action)
            if isinstance(action, MoveRemote):
                self._photo_of[action.key] = action.photo_id  # its album placement needs it
                if action.new_name:
                    self._names[action.photo_id] = action.new_name
        for step in sorted(by_phase):
            if self._stopping.is_set():
                return
            actions = by_phase[step]
            workers = AUTO_HIGH if self._gate is not None else self.settings.jobs
            if step.parallel and workers > 1 and len(actions) > 1:
                with ThreadPoolExecutor(max_workers=workers) as pool:
                    try:
                        futures = [pool.submit(self._gated, a) for a in actions]
                        for f in as_completed(futures):
                            f.result()
                    except KeyboardInterrupt:
                        # the pool waits for the actions in flight: they see the stop at their
                        # next chunk, and the ones not begun return at once
                        self._stop(Interrupted())
                        raise
            else:
                for action in actions:
                    self._guarded(action)
        self._learn_uploads()  # (a stopped run leaves them to the next listing)

    def _gated(self, action: Action) -> None:
        """An action of a parallel phase: with --jobs auto, once the gate lets one more run."""
        if self._gate is None:
            self._guarded(action)
            return
        with self._gate:
            self._guarded(action)
        self.outcome.concurrency = self._gate.peak

    def _guarded(self, action: Action) -> None:
        if self._stopping.is_set():
            return
        try:
            self._attempt(action)
        except Abandoned:
            pass  # the run is stopping
        except Exception as exc:
            stopper = run_stopper(exc, str(self.root))
            if stopper is None:
                self._stopping.set()  # a bug: the other workers stop too, and it is raised
                raise
            self._stop(stopper)

    def _attempt(self, action: Action) -> None:
        """Run one action; its own failure is recorded, one that ends the run is raised."""
        key = subject(action)
        if self._unmoved and not self._unmoved.isdisjoint(getattr(action, "keys", None) or (key,)):
            self._fail(action, key, "its folder could not be renamed after its album; the next run tries again")
            return
        try:
            _HANDLERS[type(action)](self, action)
        except AccountLimitReached as exc:
            self._stop_uploads(action, exc)
        except PermanentUploadError as exc:
            self._fail(action, key, f"Flickr refuses this file: {exc.message} (code {exc.code})", permanent=True)
        except (FlickrError, OSError, UnsafePathError, UnsafeFolderError) as exc:
            if run_stopper(exc) is not None:
                raise
            self._fail(action, key, _describe(exc))

    def _stop(self, reason: PycsyncError) -> None:
        """End the run: the first reason is the one reported."""
        with self._lock:
            if self.outcome.stopped is None:
                self.outcome.stopped = reason
        self._stopping.set()

    def _stop_uploads(self, action: Action, exc: AccountLimitReached) -> None:
        """Flickr refused an upload because of the account: no other upload of this run is sent
        (each would be refused the same way), said once; the rest of the run goes on."""
        what = {
            6: "the account is full",
            7: "the account's video limit is reached",
            15: "the account takes safe content only",
        }
        reason = f"{what.get(exc.code, 'the account refuses it')} (Flickr error {exc.code}: {exc.message})"
        with self._lock:
            first = self.outcome.uploads_stopped is None
            if first:
                self._held = f"not uploaded: Flickr refused an upload of this run, {reason}"
                self.outcome.uploads_stopped = (
                    f"Flickr refused an upload: {reason}. No further uploads are sent in this run; everything "
                    "else goes on (see `pycsync status` for the account's limits)"
                )
        if first:
            self.notify(UploadsStopped(self.outcome.uploads_stopped or ""))
        self._hold(action)

    def _hold(self, action: Action) -> None:
        """An upload not sent because uploads stopped: not synced, not a failure of the file."""
        keys = getattr(action, "keys", None) or (subject(action),)
        with self._lock:
            self._failed_keys.update(keys)
            self.outcome.not_sent.extend((k, self._held) for k in keys)

    def _fail(self, action: Action, key: str, message: str, permanent: bool = False) -> None:
        with self._lock:
            keys = getattr(action, "keys", None) or (key,)
            self._failed_keys.update(keys)
            (self.outcome.permanent if permanent else self.outcome.failed).append((key, message))
        if permanent:  # remembered with the file's size and mtime: not offered again until it changes
            for k in keys:
                item = self.local.get(k)
                if item is not None:
                    self.state.put_refused(k, item.size, item.mtime_ns, message)
        self.notify(ActionFailed(key, message, permanent))

    def _done(self, event: ActionDone) -> None:
        with self._lock:
            self.outcome.record(event.kind, event.key)
        self.notify(event)

    # ------------------------------------------------------------------ paths

    def path(self, key: str) -> Path:
        """The on-disk path for a key, refusing anything outside the root or through a symlink."""
        return self._safe(self._rel(key))

    def folder_path(self, folder: str) -> Path:
        """The on-disk path for a folder key, checked like a file's."""
        return self._safe(self._disk_rel(folder))

    def _rel(self, key: str) -> str:
        """A key's path relative to the root, as spelled on disk (or as it will be written)."""
        item = self.local.get(key)
        return item.path if item else self._disk_rel(key)

    def _disk_rel(self, key: str) -> str:
        """Where a key not in the scan goes: under its deepest folder that exists, as that folder
        is spelled on disk (a decomposed "Crème" gets the files for "Crème", never a look-alike)."""
        if not self.folders:
            return key
        end = len(key)
        while end > 0:
            spelled = self.folders.get(key[:end])
            if spelled is not None:
                return spelled + key[end:]
            end = key.rfind("/", 0, end)
        return key

    def _safe(self, rel: str) -> Path:
        parts = rel.split("/")
        if any(p in ("", ".", "..") for p in parts) or os.path.isabs(rel):
            raise UnsafePathError(f"refusing unsafe path {rel!r}")
        current = self.root
        for part in parts[:-1]:
            current = current / part
            if current.is_symlink():
                raise UnsafePathError(f"refusing to write through the symbolic link {current}")
        target = current / parts[-1]
        if target.is_symlink():
            raise UnsafePathError(f"refusing to write through the symbolic link {target}")
        return target

    def _ensure_parent(self, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.parent.resolve().is_relative_to(self.root.resolve()):
            raise UnsafePathError(f"refusing to write outside the sync folder: {target}")

    def _user_folder(self, target: Path, create: bool = False) -> SafeDir:
        """The folder holding ``target`` (a path from :meth:`path`), each step from the root
        opened without following a link, so a folder swapped for one after the check is
        refused rather than written through (the caller closes it)."""
        return self._open.root().walk(target.relative_to(self.root).parts[:-1], create=create)

    def _trash_folder(self, rel: Path) -> SafeDir:
        """The folder in this run's trash that keeps the file at ``rel`` (made as needed)."""
        return self._open.trash().walk(rel.parts[:-1], create=True)

    def _base_item(
        self, key: str, photo_id: str, sha256: str, secret: str, placed: bool, name: str | None = None
    ) -> BaseItem:
        """The base entry for a key as it is on disk now; ``name``: the photo's (default: what the
        listing, or a rename in this run, says)."""
        st = self.path(key).stat()
        return BaseItem(
            key, photo_id, sha256, st.st_size, st.st_mtime_ns, secret, placed, name or self._photo_name(photo_id)
        )

    def _photo_name(self, photo_id: str) -> str | None:
        """A photo's name as the base remembers it (see BaseItem.name)."""
        if photo_id in self._names:
            return self._names[photo_id]
        photo = self.remote.photos.get(photo_id)
        if photo is None:
            return None
        return photo.file_name or naming.title_name(photo.title, photo.media, photo.original_format, photo_id)

    def _open_as_scanned(self, key: str) -> BinaryIO:
        """The file to send, opened without following a link anywhere below the root and checked
        to be the one the scan saw: what is sent is this file, whatever its path becomes."""
        target = self.path(key)
        with self._user_folder(target) as folder:
            fd = folder.open_file(target.name)
        item = self.local.get(key)
        st = os.fstat(fd)
        if item is not None and (st.st_size, st.st_mtime_ns) != (item.size, item.mtime_ns):
            os.close(fd)
            raise OSError(f"{key} changed since the scan; it will be sent by the next run")
        return open(fd, "rb")

    def _unchanged_since_scan(self, key: str) -> bool:
        item = self.local.get(key)
        if item is None:
            return not self.path(key).exists()
        try:
            st = self.path(key).stat()
        except FileNotFoundError:
            return False
        return st.st_size == item.size and st.st_mtime_ns == item.mtime_ns

    # ------------------------------------------------------------------ local actions

    def _move_local(self, a: MoveLocal) -> None:
        src, dst, rel = self.path(a.src_key), self.path(a.key), self._rel(a.key)
        if dst.exists():
            raise OSError(f"{a.key} appeared since the scan; left both in place")
        side = self._sidecar_move(a.src_key, a.key)
        self._ensure_parent(dst)
        os.rename(src, dst)
        self._renamed[a.src_key] = a.key
        moved = self.local.pop(a.src_key, None)
        if moved is not None:
            st = dst.stat()
            self.local[a.key] = LocalItem(a.key, rel, st.st_size, st.st_mtime_ns, moved.sha256)
        sig = self._move_sidecar(side, a.key)
        if a.photo_id:
            old = self.state.get_item(a.src_key)
            if old is not None:
                # size and mtime as the base had them: a renamed file edited here since the last
                # sync must still look edited to the next scan (its sidecar too)
                self.state.rekey(
                    a.src_key,
                    dataclasses.replace(
                        old,
                        key=a.key,
                        placed=True,
                        name=a.name or old.name,
                        meta_sig=_moved_sig(old.meta_sig, side[0].signature if side else "", sig),
                    ),
                )
            self._photo_of[a.key] = a.photo_id
        self._done(ActionDone(Done.MOVED, a.key, source=a.src_key))

    # ------------------------------------------------------------------ sidecars follow their photo

    def _sidecar_move(self, src_key: str, key: str) -> tuple[Sidecar, Path, Path] | None:
        """The sidecar of ``src_key`` and where it goes with its photo, checked free (before the
        photo moves: a photo never leaves its sidecar behind for want of room)."""
        side = self.sidecars.get(src_key)
        if side is None:
            return None
        name = name_of(side.path)
        new_name = metadata.sidecar_name(name_of(key))
        if name.casefold() == metadata.adobe_sidecar_name(name_of(src_key)).casefold():
            new_name = metadata.adobe_sidecar_name(name_of(key))
        source = self._safe(side.path)
        target = self.path(join_key(folder_of(key), new_name))
        if target != source and os.path.lexists(target):
            raise OSError(f"{target.relative_to(self.root)} is in the way of {side.path}, which moves with its photo")
        return side, source, target

    def _move_sidecar(self, move: tuple[Sidecar, Path, Path] | None, key: str) -> str | None:
        """Move a sidecar with its photo (now at ``key``); its new signature (None: none moved)."""
        if move is None:
            return None
        side, source, target = move
        self._move(source, target)
        del self.sidecars[next(k for k, v in self.sidecars.items() if v is side)]
        st = target.stat()
        moved = Sidecar(target.relative_to(self.root).as_posix(), st.st_size, st.st_mtime_ns)
        self.sidecars[key] = moved
        return moved.signature

    def _move_folder(self, a: MoveFolder) -> None:
        """Follow an album renamed on Flickr: rename its folder when nothing in it belongs to
        another album (non-media files move along), else move its files one by one."""
        src, dst = self.folder_path(a.folder), self.folder_path(a.new_folder)
        here = [(old, new) for old, new in a.moves if old in self.local]
        flat = self.settings.layout is Layout.FLAT
        whole = (
            src.is_dir()
            and not src.is_symlink()
            and not os.path.lexists(dst)
            and not a.new_folder.startswith(a.folder + "/")
            and all(new == a.new_folder + old[len(a.folder) :] for old, new in a.moves)
            and (flat or not any(entry.is_dir() for entry in os.scandir(src)))
            # a photo or video the plan does not move (outside the selection, or unreadable, a
            # name twin) stays where it is: the files move one by one then
            and _only_these_media(src, self._disk_rel(a.folder), {self.local[old].path for old, _ in here})
        )
        moved = []
        if whole:
            old_rel, new_rel = self._disk_rel(a.folder), self._disk_rel(a.new_folder)
            self._move(src, dst)
            moved = here
            # what was inside keeps its own spelling, under the new folder's
            for old, _ in here:
                self.local[old] = dataclasses.replace(
                    self.local[old], path=new_rel + self.local[old].path[len(old_rel) :]
                )
            for folder in [f for f in self.folders if f == a.folder or f.startswith(a.folder + "/")]:
                spelled = self.folders.pop(folder)
                self.folders[a.new_folder + folder[len(a.folder) :]] = new_rel + spelled[len(old_rel) :]
            for old, new in here:  # sidecars went with the folder
                side = self.sidecars.pop(old, None)
                if side is not None:
                    path = new_rel + side.path[len(old_rel) :]
                    self.sidecars[new] = dataclasses.replace(side, path=path)
        else:
            for old, new in here:
                try:
                    sidecar_move = self._sidecar_move(old, new)
                    self._move(self.path(old), self.path(new))
                    self.local[old] = dataclasses.replace(self.local[old], path=self._disk_rel(new))
                    self._move_sidecar(sidecar_move, new)
                    moved.append((old, new))
                except (OSError, UnsafePathError, UnsafeFolderError) as exc:
                    self._unmoved.add(new)
                    self._fail(a, old, _describe(exc))
            _remove_empty_folders(src, below=flat)
        for old, new in moved:
            self.local[new] = dataclasses.replace(self.local.pop(old), key=new)
        pairs = moved + [(old, new) for old, new in a.moves if old not in dict(here)]
        self.state.move_folder(pairs, a.folder, a.new_folder, a.album_id)
        for old, new in pairs:
            if old in self._photo_of:
                self._photo_of[new] = self._photo_of.pop(old)
        for old, new in moved:
            self._done(ActionDone(Done.MOVED, new, source=old))

    def _move(self, source: Path, target: Path) -> None:
        """Rename a file or folder below the root to a name that is free (folders made as
        needed), each folder on the way reached without following a link."""
        with self._user_folder(source) as origin, self._user_folder(target, create=True) as folder:
            if folder.lstat(target.name) is not None:
                raise OSError(f"{target.relative_to(self.root)} appeared since the scan; left it alone")
            origin.rename(source.name, folder, target.name)

    def _trash_local(self, a: TrashLocal) -> None:
        if not self._unchanged_since_scan(a.key):
            raise OSError(f"{a.key} changed since the scan; not moved to the trash")
        if a.photo_id and self._still_on_flickr(a.photo_id, a.album_id):
            raise OSError(
                f"{a.key}: Flickr's listing left it out, but Flickr still has it there (the listing "
                "lags); left in place, the next run looks again"
            )
        src = self.path(a.key)
        rel = src.relative_to(self.root)
        side = self.sidecars.pop(a.key, None)
        with self._user_folder(src) as folder, self._trash_folder(rel) as bin_:
            folder.rename(src.name, bin_, src.name)
            kept = bin_.path / src.name
            if side is not None:  # its sidecar goes with it
                with contextlib.suppress(FileNotFoundError):
                    sidecar = self._safe(side.path)
                    with self._user_folder(sidecar) as where:
                        where.rename(sidecar.name, bin_, sidecar.name)
        self.state.delete_item(a.key)
        self._done(ActionDone(Done.TRASHED, a.key, kept_at=kept.relative_to(self.root).as_posix()))

    def _still_on_flickr(self, photo_id: str, album_id: str) -> bool:
        """One direct look: is the photo there (in that album, when one is named)?"""
        try:
            if not album_id:
                self.client.photo_info(photo_id)
                return True
            albums = self.client.all_contexts(photo_id).album_ids
        except ApiError as exc:
            if exc.code == 1:  # "Photo not found": really gone
                return False
            raise
        return album_id in albums

    def _copy_local(self, a: CopyLocal) -> None:
        src_key = self._renamed.get(a.src_key, a.src_key)  # a conflict copy may have moved it
        src, dst, rel = self.path(src_key), self.path(a.key), self._rel(a.key)
        if dst.exists():
            raise OSError(f"{a.key} appeared since the scan; left it alone")
        tmp = TempFile(self._open.tmp(), self.transfers.temp_name())
        try:
            with self._user_folder(src) as origin:
                try:
                    origin.link(src.name, tmp.folder, tmp.name)
                except OSError:  # no hard links here (another filesystem, FAT, ...): a copy
                    _copy(origin, src.name, tmp)
            linked = tmp.folder.lstat(tmp.name)
            if linked is None or not stat.S_ISREG(linked.st_mode):  # swapped for a link meanwhile
                raise UnsafePathError(f"refusing to copy {src}: it is no longer a regular file")
            with self._user_folder(dst, create=True) as folder:
                tmp.move_to(folder, dst.name)
        finally:
            tmp.unlink(missing_ok=True)
        sha = self.local[src_key].sha256
        st = dst.stat()
        self.local[a.key] = LocalItem(a.key, rel, st.st_size, st.st_mtime_ns, sha)
        if a.original_secret:
            self.state.put_item(self._base_item(a.key, a.photo_id, sha, a.original_secret, True))
        self._photo_of[a.key] = a.photo_id
        self._done(ActionDone(Done.DOWNLOADED, a.key, source=a.src_key))
        if a.meta is not None:
            meta = a.meta
            self._guarded_meta(a.key, lambda: self._arrive(a.key, a.photo_id, meta))

    def _link(self, a: Link) -> None:
        self.state.put_item(self._base_item(a.key, a.photo_id, a.sha256, a.original_secret, a.placed))
        self.state.put_remote_hash(a.photo_id, a.original_secret, a.sha256)
        self._photo_of[a.key] = a.photo_id
        self._done(ActionDone(Done.LINKED, a.key))

    def _forget(self, a: Forget) -> None:
        self.state.delete_item(a.key)

    # ------------------------------------------------------------------ transfers

    def _fetch(self, url: str, key: str, media: str) -> Fetched:
        fetched = self.transfers.fetch(url, key, media)
        with self._lock:
            self.outcome.bytes_down += fetched.size
        return fetched

    def _download(self, a: Download) -> None:
        key = a.key
        if a.overwrite and not self._unchanged_since_scan(key):
            raise OSError(f"{key} changed since the scan; keeping it (the next run compares again)")
        if not a.overwrite and self.path(key).exists() and key not in self.local:
            raise OSError(f"{key} appeared since the scan; left it alone")
        with self._lock:
            kept = self.fetched.pop((a.photo_id, a.original_secret), None)
        tmp, sha, size, served = kept or self._fetch(a.url, key, a.media)
        try:
            # known before the file lands: a crash right after must not leave only the photo's
            # content tag (stale after a replace on Flickr's website) to compare the file with
            self.state.put_remote_hash(a.photo_id, a.original_secret, sha)
            if a.media == "video" and served and key not in self.local:
                key = self._video_key(key, served)
            target, rel = self.path(key), self._rel(key)
            _set_mtime(tmp, a.date_taken)
            with self._user_folder(target, create=True) as folder:
                if a.trash_old and folder.lstat(target.name) is not None:
                    with self._trash_folder(target.relative_to(self.root)) as bin_:
                        _copy(folder, target.name, TempFile(bin_, target.name))
                tmp.move_to(folder, target.name)
        finally:
            tmp.unlink(missing_ok=True)
        self.local[key] = LocalItem(key, rel, size, target.stat().st_mtime_ns, sha)
        self.state.put_item(self._base_item(key, a.photo_id, sha, a.original_secret, a.placed))
        self._photo_of[key] = a.photo_id
        self._done(ActionDone(Done.REPLACED_LOCALLY if a.overwrite else Done.DOWNLOADED, key))
        if a.meta is not None:
            meta = a.meta
            self._guarded_meta(key, lambda: self._arrive(key, a.photo_id, meta))

    def _video_key(self, key: str, served: str) -> str:
        """Flickr reports a video's poster format; the served file name tells the real type."""
        ext = os.path.splitext(served)[1].lower()
        stem = os.path.splitext(name_of(key))[0]
        if not ext or not naming.is_video(f"x{ext}"):
            return key
        candidate = join_key(folder_of(key), stem + ext)
        if candidate != key and (self.path(candidate).exists() or candidate in self.local):
            return key
        return candidate

    def _confirm(self, a: Confirm) -> None:
        photo = self.remote.photos.get(a.photo_id)
        got = self._fetch(a.url, a.key, photo.media if photo is not None else "")
        sha = got.sha256
        try:
            self.state.put_remote_hash(a.photo_id, a.original_secret, sha)
        except BaseException:
            got.tmp.unlink(missing_ok=True)
            raise
        if sha == a.local_sha256:
            got.tmp.unlink(missing_ok=True)
        else:
            with self._lock:
                self.fetched[(a.photo_id, a.original_secret)] = got
        if sha == a.local_sha256:
            self.state.put_item(self._base_item(a.key, a.photo_id, sha, a.original_secret, True))
            self._photo_of[a.key] = a.photo_id
            self._done(ActionDone(Done.LINKED, a.key, compared=True))

    def _upload_settings(self, key: str) -> tuple[dict, dict, list[str]]:
        """What an upload of ``key`` sends for its folder's settings: (upload fields, the settings
        they give the photo, to remember; extra tags)."""
        folders = self.settings.folders
        resolved = folders.resolve(folder_of(key)) if folders is not None else None
        privacy = Privacy(str(resolved["privacy"])) if resolved is not None else self.settings.privacy
        declared = dict(resolved.declared) if resolved is not None else {}
        public, friend, family = privacy.visibility
        fields: dict = {"is_public": public, "is_friend": friend, "is_family": family}
        if "safety_level" in declared:
            fields["safety_level"] = SAFETY_LEVELS[str(declared["safety_level"])]
        if "content_type" in declared:
            fields["content_type"] = CONTENT_TYPES[str(declared["content_type"])]
        if "hidden" in declared:
            fields["hidden"] = 2 if declared["hidden"] else 1
        given = {"privacy": str(privacy), **{n: v for n, v in declared.items() if n not in ("privacy", "license")}}
        if "tags" in given:
            given["tags"] = list(given["tags"])  # type: ignore[call-overload]
        return fields, given, list(declared.get("tags", ()))  # type: ignore[call-overload]

    def _upload(self, a: Upload) -> None:
        key = a.keys[0]
        if self.outcome.uploads_stopped is not None:
            self._hold(a)
            return
        if not self._unchanged_since_scan(key):
            raise OSError(f"{key} changed since the scan; it will be uploaded by the next run")
        fields, given, extra_tags = self._upload_settings(key)
        source = self._open_as_scanned(key)
        with self._lock:
            if self._first_upload is None:
                self._first_upload = self.client.server_time or int(time.time()) - UPLOAD_CLOCK_SKEW
        entry = self.state.journal_begin("upload", key, a.sha256, sent=time.time())
        photo_id, secret = self._send(a, source, entry, fields, extra_tags)
        with self._lock:
            self.outcome.bytes_up += a.size
            self.outcome.uploaded_as[given["privacy"]] += 1
        self.state.put_applied(photo_id, given)
        self._upload_license(photo_id, key)
        changed = not self._unchanged_since_scan(key)
        self._record_upload(a, photo_id, secret, changed)
        # closed only once the base holds the photo: a crash in between leaves the entry open, and
        # the next run looks the upload up instead of trusting a (possibly lagging) listing
        self.state.journal_end(entry, f"photo {photo_id}")
        if changed:
            self._changed_while_sending(key)
        for k in a.keys:
            if not (changed and k == key):
                self._done(ActionDone(Done.UPLOADED, k))

    def _send(self, a: Upload, source: BinaryIO, entry: int, fields: dict, extra_tags: list[str]) -> tuple[str, str]:
        """Upload the file with its folder's settings (``fields``, ``extra_tags``): (photo id,
        original secret or ""). An answer lost after the whole body left is looked up by the
        content tag; the journal entry stays open while that is unknown."""
        key = a.keys[0]
        # pycsync's own tags first: should Flickr cut a long list, they are never what goes
        tags = [naming.hash_tag(a.sha256), naming.name_tag(a.file_name), *extra_tags, *(a.meta.tags if a.meta else ())]
        title = (a.meta.title if a.meta else None) or a.title
        description = a.meta.description if a.meta else None  # (said even empty: not the file's)
        body_sent: list[float] = []

        def note_progress(done: int, report: Callable[[int], None]) -> None:
            report(done)
            if done >= a.size and not body_sent:
                # noted before the last chunk leaves: without this note the upload cannot have
                # landed, with it the lag allowance counts from here
                body_sent.append(time.time())
                self.state.journal_note(entry, body_sent=body_sent[0])

        try:
            with source, self.transfers.progress(key, "up", a.size) as progress:
                result = self.client.upload(
                    source,
                    name=a.file_name,
                    title=title,
                    description=description,
                    tags=tags,
                    progress=lambda done: note_progress(done, progress),
                    **fields,
                )
            return result.photo_id, result.original_secret or ""
        except OutcomeUnknown:
            if not body_sent:
                self.state.journal_end(entry, "failed: body not fully sent")
                raise
            found = self.transfers.find_landed_upload(a.sha256)  # Flickr may still be working on it: wait from now
            if found is None:
                raise  # the entry stays open: the next run looks for this upload again first
            return found.photo_id, found.original_secret
        except (FlickrError, OSError) as exc:  # surely not applied: nothing to look for later
            self.state.journal_end(entry, f"failed: {type(exc).__name__}")
            raise

    def _record_upload(self, a: Upload, photo_id: str, secret: str, changed: bool) -> None:
        """The base entries of an upload's files (the one sent never matches if it changed while
        it was sent, so the next run sends it again)."""
        key = a.keys[0]
        sha = "changed-during-upload" if changed else a.sha256
        if not secret:
            # Flickr's upload answer is only the photo id: the base holds the photo with its secret
            # unknown (""), learnt for all of this run's uploads in one read at the end of the run,
            # else by the next listing (app._complete_unknown_secrets)
            with self._lock:
                self._unknown_secrets[photo_id] = (tuple(a.keys), "" if changed else a.sha256)
        elif not changed:
            self.state.put_remote_hash(photo_id, secret, a.sha256)
        items = []
        for k in a.keys:
            placed = not naming.album_folder_for_key(k, self.settings.layout.value)
            item = self._base_item(k, photo_id, sha if k == key else a.sha256, secret, placed, a.file_name)
            items.append(_never_matches(item) if changed and k == key else item)
            self._photo_of[k] = photo_id
        self.state.put_items(items)
        if a.meta is not None:
            with self._lock:
                self._upload_meta[photo_id] = (tuple(a.keys), a.meta)

    def _upload_license(self, photo_id: str, key: str) -> None:
        """A license the folder sets: an upload cannot carry one, so one call after it. If it
        fails, the next run sets it (the photo is recorded without it)."""
        folders = self.settings.folders
        license = folders.resolve(folder_of(key)).declared.get("license") if folders is not None else None
        if license is None:
            return
        try:
            self.client.set_license(photo_id, LICENSES[str(license)])
        except FlickrError as exc:
            if run_stopper(exc) is not None:
                raise
            self.notify(ActionFailed(key, f"uploaded, but its license was not set ({exc}); the next run sets it"))
            return
        self.state.put_applied(photo_id, {"license": license})

    def _apply_settings(self, a: ApplySettings) -> None:
        """Give a photo already on Flickr its folder's changed settings, one call per setting
        (safety level and hidden together), each remembered as soon as Flickr confirms it."""
        changes = {name: (old, new) for name, old, new in a.changes}
        pid, done = a.photo_id, list[str]()
        if "privacy" in changes:
            public, friend, family = Privacy(str(changes["privacy"][1])).visibility
            self.client.set_perms(pid, is_public=public, is_friend=friend, is_family=family)
            self._given(pid, done, privacy=changes["privacy"][1])
        if "safety_level" in changes or "hidden" in changes:
            level = changes.get("safety_level", (None, None))[1]
            hidden = changes.get("hidden", (None, None))[1]
            self.client.set_safety_level(
                pid,
                safety_level=None if level is None else SAFETY_LEVELS[str(level)],
                hidden=None if hidden is None else bool(hidden),
            )
            self._given(pid, done, **{n: changes[n][1] for n in ("safety_level", "hidden") if n in changes})
        if "content_type" in changes:
            self.client.set_content_type(pid, CONTENT_TYPES[str(changes["content_type"][1])])
            self._given(pid, done, content_type=changes["content_type"][1])
        if "license" in changes:
            self.client.set_license(pid, LICENSES[str(changes["license"][1])])
            self._given(pid, done, license=changes["license"][1])
        if "tags" in changes:
            old, new = (_tag_list(v) for v in changes["tags"])
            added = [t for t in new if t not in old]
            removed = {_clean_tag(t) for t in old if t not in new}
            if added:
                self.client.add_tags(pid, added)
            if removed:
                for tag in self.client.photo_info(pid).tags:
                    if _clean_tag(tag.raw) in removed:
                        self.client.remove_tag(tag.tag_id)
            self._given(pid, done, tags=list(new))
        self._done(ActionDone(Done.SETTINGS_CHANGED, a.key, settings=tuple(done)))

    def _given(self, photo_id: str, done: list[str], **settings: object) -> None:
        self.state.put_applied(photo_id, settings)
        for name, value in settings.items():
            shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value).lower()
            done.append(f"{name} {shown or '(none)'}")

    def _without_settings_tags(self, listed: Meta, keys: tuple[str, ...], own: Meta) -> Meta:
        """A new photo's metadata as Flickr lists it, without the tags its folder's settings
        added to its upload that its own metadata does not hold (pycsync's own)."""
        folders = self.settings.folders
        if not folders:
            return listed
        given = {metadata.clean_tag(t) for k in keys for t in folders.resolve(folder_of(k))["tags"]}  # type: ignore[attr-defined]
        hidden = settings_tags_out_of_view(given, own.tags)
        return replace(listed, tags=tuple(t for t in listed.tags if metadata.clean_tag(t) not in hidden))

    def _learn_uploads(self) -> None:
        """What Flickr made of this run's uploads: their original secrets (its upload answer is
        only the photo id) and their metadata (what it took from the request and the file). One
        listing of the photos uploaded since the first upload left (500 a page), then
        photos.getInfo for any that listing left out (it may lag behind). Secrets not learnt now
        stay unknown for the next listing to complete; metadata Flickr could not take from the
        upload (a video's date, a location in a sidecar, ...) is set now."""
        if not self._unknown_secrets and not self._upload_meta:
            return
        since = (self._first_upload or int(time.time()) - UPLOAD_CLOCK_SKEW) - UPLOAD_OVERLAP
        found: dict[str, str] = {}
        records: dict[str, Meta] = {}
        extras = "original_format,date_taken,geo,tags,description" if self._upload_meta else "original_format"
        try:
            for listed in self.client.photos_uploaded_since(since, extras=extras):
                pid = listed.photo_id
                if pid in self._unknown_secrets and listed.original_secret:
                    found[pid] = listed.original_secret
                if pid in self._upload_meta:
                    records[pid] = _listed_meta(listed)
        except FlickrError:
            pass  # the getInfo fallback below, then the next listing, learn them
        for pid in {*self._unknown_secrets, *self._upload_meta}:
            if (pid in found or pid not in self._unknown_secrets) and (pid in records or pid not in self._upload_meta):
                continue
            try:
                info = self.client.photo_info(pid)
            except FlickrError:
                continue
            if pid in self._unknown_secrets:
                found[pid] = info.original_secret
            if pid in self._upload_meta:
                records[pid] = _listed_meta(info)
        for pid, secret in found.items():
            if secret:
                self._complete_secret(pid, secret)
        for pid, (keys, meta) in sorted(self._upload_meta.items()):
            if pid in records and not self._stopping.is_set():
                self._guarded_meta(keys[0], functools.partial(self._settle_upload, pid, keys, meta, records[pid]))

    def _settle_upload(self, photo_id: str, keys: tuple[str, ...], meta: Meta, listed: Meta) -> None:
        """Set on a new photo what Flickr did not take from its upload: the date taken where it
        cannot read the file's (a video, a sidecar's date) and the location (a sidecar's, or when
        the account does not import them); then record its metadata base."""
        listed = self._without_settings_tags(listed, keys, meta)
        remote = replace(listed, title=own_title(listed.title, [name_of(k) for k in keys]))
        fixed = Merged(meta=meta)
        to_fix = []
        if meta.taken is not None and not _field_same("taken", meta, remote):
            to_fix.append("taken")
        if not _field_same("location", meta, remote):
            to_fix.append("location")
        if to_fix:
            self._push_meta(photo_id, replace(fixed, to_remote=tuple(to_fix)), "")
            for name in to_fix:
                remote = remote.with_field(name, metadata.field_value(meta, name))
        record = settle(None, meta, remote, None)
        self.state.put_photo_meta(photo_id, record, self._sigs(keys, record, meta))

    # ------------------------------------------------------------------ metadata

    def _guarded_meta(self, key: str, work: Callable[[], None]) -> None:
        """Run metadata work outside a plan action: its own failure is the file's; a run
        stopper stops the run."""
        if self._stopping.is_set():
            return
        try:
            work()
        except (FlickrError, OSError, UnsafePathError, UnsafeFolderError, metadata.MetaError) as exc:
            stopper = run_stopper(exc, str(self.root))
            if stopper is not None:
                self._stop(stopper)
                return
            with self._lock:
                self._failed_keys.add(key)
                self.outcome.failed.append((key, _describe(exc)))
            self.notify(ActionFailed(key, _describe(exc)))

    def _sync_meta(self, a: SyncMeta) -> None:
        written = self._write_sidecars(a.write, a.merged.meta, a.local)
        kept = a.base.kept if a.base is not None else frozenset()
        pushed = a.push and a.merged.changes_remote
        if pushed:
            kept = kept | self._push_meta(a.photo_id, a.merged, a.default_title)
        local = a.merged.meta if a.write or not a.merged.to_local else a.local
        remote = a.merged.meta if pushed else a.remote
        record = settle(a.base, local, remote, None if pushed else a.last_update, frozenset(kept))
        sigs = dict(written)
        for key, sig in a.sigs.items():
            # a file read in this run holds the merge unless it is one the push left alone
            if key not in written and record.says(a.merged.meta if a.write or not a.merged.to_local else a.local):
                sigs[key] = sig
        self.state.put_photo_meta(a.photo_id, record, sigs)
        self._meta_done(a.keys[0], a.merged.remote_fields() if pushed else (), a.merged.to_local if written else ())

    def _sync_album_meta(self, a: SyncAlbumMeta) -> None:
        """An album's title and description: its folder's .pycsync.toml here, the album on
        Flickr (title and description together: photosets.editMeta requires the title, and
        keeps the description when it is left out), then its base."""
        values = {"title": a.title, "description": a.description}
        settings_file = join_key(a.folder, naming.SETTINGS_FILE)
        if a.to_local:
            self._write_album_table(a.folder, settings_file, {f: values[f] for f in a.to_local})
        if a.to_remote:
            self.client.edit_album_meta(a.album_id, a.title or a.default_title, a.description)
        self.state.put_album_meta({a.album_id: a.base})
        self._meta_done(settings_file, a.to_remote, a.to_local)

    def _write_album_table(self, folder: str, settings_file: str, changes: dict[str, str | None]) -> None:
        """Write these ``[album]`` keys into the folder's settings file (made when there is
        none), never over one changed since the scan read it; the rest of it is kept as it was."""
        folders = self.settings.folders
        scanned = folders.files.get(folder) if folders is not None else None
        expected = scanned.signature if scanned is not None else None
        target = self.path(settings_file)
        name = target.name
        with self._user_folder(target, create=True) as where:
            st = where.lstat(name)
            if (st is None) != (expected is None) or (st is not None and (st.st_size, st.st_mtime_ns) != expected):
                raise OSError(f"{settings_file} changed since the scan; the next run merges it again")
            text = None
            if st is not None:
                with open(where.open_file(name), "rb") as f:
                    text = f.read(MAX_FILE_BYTES + 1).decode("utf-8")
            tmp = self._staged(album_toml(text, changes).encode("utf-8"))
            try:
                tmp.move_to(where, name)
            finally:
                tmp.unlink(missing_ok=True)

    def _staged(self, data: bytes) -> TempFile:
        """``data`` in a new file of the run's temp folder, on disk before it takes a real name
        (a crash leaves the old file or the new one, never a part of either)."""
        tmp = TempFile(self._open.tmp(), self.transfers.temp_name())
        try:
            with open(tmp.folder.create(tmp.name), "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp

    def _meta_done(self, key: str, there: tuple[str, ...], here: tuple[str, ...]) -> None:
        """Count a photo whose metadata was written (``there``: fields on Flickr, ``here``: in
        its sidecar)."""
        if not there and not here:
            return
        self._done(ActionDone(Done.METADATA, key, to_flickr=there, to_folder=here))

    def _sigs(self, keys, record: PhotoMeta, meta: Meta) -> dict[str, str]:
        """The sidecar signatures to remember for files that say what ``record`` says."""
        if not record.says(meta):
            return {}
        return {k: (self.sidecars[k].signature if k in self.sidecars else "") for k in keys}

    def _push_meta(self, photo_id: str, merged: Merged, default_title: str) -> frozenset[str]:
        """Write on Flickr the fields a merge changed there; returns the clean forms of tags it
        left because someone else added them (only their author may remove them)."""
        meta, fields = merged.meta, set(merged.to_remote)
        if meta.taken is None:
            fields.discard("taken")  # (never: see metamerge)
        listed = self.remote.photos.get(photo_id)
        if fields & {"title", "description"}:
            # both, always: older Flickr documentation requires both, and one left out must not
            # be taken for an empty one
            title = (meta.title or default_title) if "title" in fields else (listed.title if listed else None)
            description = meta.description if "description" in fields else (listed.description if listed else None)
            self.client.set_meta(photo_id, title=title, description=description)
        if "taken" in fields:
            self.client.set_dates(photo_id, date_taken=meta.taken, date_taken_granularity=meta.granularity)
        if "location" in fields:
            if meta.location is None:
                self.client.remove_location(photo_id)
            else:
                try:
                    self.client.set_location(
                        photo_id, meta.location.latitude, meta.location.longitude, meta.location.accuracy
                    )
                except ApiError as exc:
                    if exc.code != 7:
                        raise
                    raise ApiError(
                        7,
                        f"{exc.message} Flickr takes no location until you choose who may see them (on "
                        "Flickr: Settings, Privacy and permissions, who will be able to see your stuff on a map)",
                        exc.method,
                    ) from None
        if merged.tags_add:
            self.client.add_tags(photo_id, list(merged.tags_add))
        kept: set[str] = set()
        if merged.tags_remove:
            for tag in self.client.photo_info(photo_id).tags:  # (the full ids removeTag takes)
                if tag.machine or tag.clean not in merged.tags_remove:
                    continue
                if self.client.user_nsid and tag.author != self.client.user_nsid:
                    kept.add(tag.clean)  # someone else's: never removed by pycsync
                else:
                    self.client.remove_tag(tag.tag_id)
        return frozenset(kept)

    def _raw_forms(self, tags: tuple[str, ...], local: Meta) -> tuple[str, ...]:
        """Tags to write here: the folder's spelling, else the one the user gave on Flickr (its
        listing gives clean forms only: one tags.getListUserRaw per run, only when needed)."""
        mine = set(local.tags)
        wanted = [t for t in tags if t not in mine]
        if not wanted:
            return tags
        with self._lock:
            if self._raw_tags is None:
                try:
                    self._raw_tags = self.client.raw_tags()
                except ApiError:
                    self._raw_tags = {}
            raws = self._raw_tags
        return tuple(t if t in mine else raws.get(metadata.clean_tag(t), t) for t in tags)

    def _current_sidecar(self, key: str) -> tuple[str, os.stat_result | None, bytes | None]:
        """(the name pycsync writes the sidecar of ``key`` under, that file's stat and bytes
        when it is there)."""
        target = self.path(key)
        name = metadata.sidecar_name(target.name)
        with self._user_folder(target) as folder:
            st = folder.lstat(name)
            if st is None:
                return name, None, None
            fd = folder.open_file(name)
        with open(fd, "rb") as f:
            data = f.read(metadata.MAX_SIDECAR_BYTES + 1)
        return name, st, data

    def _write_sidecars(self, keys, meta: Meta, local: Meta) -> dict[str, str]:
        """Write ``meta`` to the sidecars of ``keys``; key -> the new sidecar's signature."""
        if not keys:
            return {}
        meta = replace(meta, tags=self._raw_forms(meta.tags, local))
        return {key: self._write_sidecar(key, meta) for key in keys}

    def _write_sidecar(self, key: str, meta: Meta, found: tuple[Sidecar | None] | None = None) -> str:
        """Write ``meta`` into the sidecar ``NAME.EXT.xmp`` of ``key`` (made when there is none),
        never over one changed since it was read (``found``: (the sidecar as it was read, or
        None: none); not given: as the scan saw it). The photo file itself is only read."""
        target = self.path(key)
        name, st, existing = self._current_sidecar(key)
        if found is None:
            scanned = self.sidecars.get(key)
            expected = scanned if scanned is not None and name_of(scanned.path) == name else None
        else:
            expected = found[0]
        if (st is None) != (expected is None) or (
            st is not None
            and expected is not None
            and (st.st_size, st.st_mtime_ns) != (expected.size, expected.mtime_ns)
        ):
            raise OSError(f"the sidecar of {key} changed since the scan; the next run merges it again")
        embedded = metadata.read_embedded(target, video=naming.is_video(key))
        tmp = self._staged(metadata.sidecar_bytes(existing, meta, embedded))
        try:
            with self._user_folder(target) as folder:
                tmp.move_to(folder, name)
                now = folder.lstat(name)
        finally:
            tmp.unlink(missing_ok=True)
        assert now is not None
        rel = self._rel(key).rpartition("/")[0]
        side = Sidecar(join_key(rel, name), now.st_size, now.st_mtime_ns)
        self.sidecars[key] = side
        return side.signature

    def _arrive(self, key: str, photo_id: str, am: ArrivingMeta) -> None:
        """Settle the metadata of a photo whose file just arrived at ``key``: merged with what
        the file (and a sidecar already there) says, against the photo's base; a new file with no
        sidecar takes Flickr's."""
        target = self.path(key)
        embedded = metadata.read_embedded(target, video=naming.is_video(key))
        name, st, existing = self._current_sidecar(key)
        photo = self.remote.photos.get(photo_id)
        names = [name_of(key), (photo.file_name if photo else None) or ""]
        local = metadata.read_sidecar(existing).over(embedded) if existing is not None else embedded
        local = replace(local, title=own_title(local.title, names, photo))
        base = am.base
        if existing is None and not am.replaces:
            base = settle(None, local, local, None)  # a new file here: Flickr's, where it differs
        merged = merge(local, am.remote, base.base if base is not None else None)
        if not am.push:
            merged = replace(merged, to_remote=(), tags_add=(), tags_remove=frozenset())
        sidecar = Sidecar(join_key(self._rel(key).rpartition("/")[0], name), st.st_size, st.st_mtime_ns) if st else None
        written = {}
        if merged.to_local:
            tags = self._raw_forms(merged.meta.tags, local)
            written[key] = self._write_sidecar(key, replace(merged.meta, tags=tags), (sidecar,))
        elif sidecar is not None:
            self.sidecars[key] = sidecar
        kept = am.base.kept if am.base is not None else frozenset()
        pushed = merged.changes_remote
        if pushed:
            kept = kept | self._push_meta(photo_id, merged, am.default_title)
        remote = merged.meta if pushed else am.remote
        last_update = None if pushed else am.last_update
        record = settle(am.base, merged.meta, remote, last_update, frozenset(kept))
        self.state.put_photo_meta(photo_id, record, written or self._sigs((key,), record, merged.meta))
        if pushed:
            self._meta_done(key, merged.remote_fields(), ())

    def _complete_secret(self, photo_id: str, secret: str) -> None:
        keys, sha = self._unknown_secrets.pop(photo_id)
        base = self.state.get_items(keys)
        self.state.put_items(
            [
                dataclasses.replace(b, original_secret=secret)
                for b in base.values()
                if b.photo_id == photo_id and not b.original_secret
            ]
        )
        if sha:
            self.state.put_remote_hash(photo_id, secret, sha)

    def _replace(self, a: Replace) -> None:
        if not self._unchanged_since_scan(a.key):
            raise OSError(f"{a.key} changed since the scan; it will be replaced by the next run")
        source = self._open_as_scanned(a.key)
        # journaled like an upload: a replace whose answer was lost (or a crash before the tag is
        # updated) is checked by the next run before it could look like a conflict
        entry = self.state.journal_begin("replace", a.key, a.sha256, photo_id=a.photo_id)
        try:
            with source, self.transfers.progress(a.key, "up", a.size) as progress:
                result = self.client.replace(source, a.photo_id, progress=progress, name=name_of(a.key))
        except OutcomeUnknown:
            raise  # the entry stays open
        except (FlickrError, OSError) as exc:
            self.state.journal_end(entry, f"failed: {type(exc).__name__}")
            raise
        info = self.client.photo_info(a.photo_id)
        secret = result.original_secret or info.original_secret
        self.transfers.retag(a.photo_id, info, a.sha256)
        self.state.journal_end(entry, f"secret {secret}")
        with self._lock:
            self.outcome.bytes_up += a.size
        changed = not self._unchanged_since_scan(a.key)
        sha = "changed-during-upload" if changed else a.sha256
        if not changed:
            self.state.put_remote_hash(a.photo_id, secret, a.sha256)
        base = self.state.get_items((a.key, *a.also_keys, *a.deleted_keys))
        items = []
        for k in (a.key, *a.also_keys):
            placed = base[k].placed if k in base else True
            name = base[k].name if k in base else None
            item = self._base_item(k, a.photo_id, sha if k == a.key else a.sha256, secret, placed, name)
            items.append(_never_matches(item) if changed and k == a.key else item)
            self._photo_of[k] = a.photo_id
        for k in a.deleted_keys:  # stay deleted here: must not look "changed on Flickr" next run
            if k in base:
                items.append(dataclasses.replace(base[k], sha256=a.sha256, original_secret=secret))
        self.state.put_items(items)
        if changed:
            self._changed_while_sending(a.key)
        else:
            self._done(ActionDone(Done.REPLACED, a.key))

    def _changed_while_sending(self, key: str) -> None:
        """The file changed while it was sent: Flickr has an older version, which the next run
        replaces (its base entry never matches). A failure of this run, not of its album."""
        with self._lock:
            self.outcome.failed.append((key, CHANGED_WHILE_SENDING))
        self.notify(ActionFailed(key, CHANGED_WHILE_SENDING))

    # ------------------------------------------------------------------ albums

    def _place_in_album(self, a: PlaceInAlbum) -> None:
        keys = [k for k in a.keys if k not in self._failed_keys and k in self._photo_of]
        photo_ids = list(dict.fromkeys(self._photo_of[k] for k in keys))
        if not photo_ids:
            return
        album_id = a.album_id
        try:
            if album_id is None:
                # an album this run creates: its members are exactly what this run put in it, so
                # one photosets.editPhotos (which replaces the member list) can add the rest
                album_id = self._create_album(a.title, photo_ids[0], a.description)
                own = own_album_title(a.title, a.folder, self.settings.layout.value, album_id)
                self.state.put_album_meta({album_id: {"title": own, "description": a.description}})
                if len(photo_ids) == 2:
                    self.client.add_to_album(album_id, photo_ids[1])
                elif len(photo_ids) > 2:
                    self.client.edit_album_photos(album_id, photo_ids[0], photo_ids)
            else:
                # an existing album: only additive calls. Its member list as listed may be stale
                # (the website, another computer), and editPhotos would drop what joined since
                listed = set(self.remote.members.get(album_id, ()))
                for p in photo_ids:
                    if p not in listed:
                        self.client.add_to_album(album_id, p)
        except FlickrError:
            self._failed_keys.update(keys)
            raise
        self.state.set_album(a.folder, album_id)
        base = self.state.get_items(keys)
        self.state.put_items(
            [dataclasses.replace(base[k], placed=True) for k in keys if k in base and not base[k].placed]
        )
        for k in keys:
            self._done(ActionDone(Done.ADDED_TO_ALBUM, k, album=a.title))

    def _create_album(self, title: str, primary: str, description: str = "") -> str:
        try:
            return self.client.create_album(title, primary, description)
        except OutcomeUnknown:
            for album in self.client.list_albums():
                if album.title == title and album.primary == primary:
                    return album.album_id
            raise

    def _move_remote(self, a: MoveRemote) -> None:
        if a.key in self._failed_keys:
            return
        # the name tag before the title: another computer reading between the two then sees the
        # new name with the title derived from the old one (which it knows), never a title that
        # matches no name it knows and would be taken for one the user gave
        if a.new_name is not None:
            self.transfers.retag_name(a.photo_id, a.new_name)
        if a.new_title is not None:
            self.client.set_meta(a.photo_id, title=a.new_title)
        if a.remove_from_album:
            self.client.remove_from_album(a.remove_from_album, [a.photo_id])
        old = self.state.get_item(a.src_key)
        sha = old.sha256 if old else self.local[a.key].sha256
        secret = old.original_secret if old else ""
        self.state.rekey(a.src_key, self._base_item(a.key, a.photo_id, sha, secret, True, a.new_name))
        self._photo_of[a.key] = a.photo_id
        self._done(ActionDone(Done.MOVED_ON_FLICKR, a.key, source=a.src_key))
        self._follow_sidecar(a.key)

    def _follow_sidecar(self, key: str) -> None:
        """A file moved here without its sidecar: the sidecar left behind follows it."""
        side = self.sidecars.get(key)
        target = self.path(join_key(folder_of(key), metadata.sidecar_name(name_of(key))))
        if (
            side is None
            or self._safe(side.path) == target
            or name_of(side.path).casefold()
            in (
                target.name.casefold(),
                metadata.adobe_sidecar_name(name_of(key)).casefold(),
            )
        ):
            return
        try:
            if os.path.lexists(target):
                raise OSError(f"{target.relative_to(self.root)} is in the way")
            self._move(self._safe(side.path), target)
        except (OSError, UnsafePathError, UnsafeFolderError) as exc:
            self.notify(SidecarStayed(key, side.path, _describe(exc)))
            return
        st = target.stat()
        self.sidecars[key] = Sidecar(target.relative_to(self.root).as_posix(), st.st_size, st.st_mtime_ns)

    def _remove_from_album(self, a: RemoveFromAlbum) -> None:
        self.client.remove_from_album(a.album_id, list(a.photo_ids))
        for key in a.forget:
            self.state.delete_item(key)
            self._done(ActionDone(Done.REMOVED_FROM_ALBUM, key))

    def _delete_photo(self, a: DeletePhoto) -> None:
        self.client.delete_photo(a.photo_id)
        for key in a.forget:
            self.state.delete_item(key)
        self._done(ActionDone(Done.DELETED_ON_FLICKR, a.forget[0] if a.forget else a.photo_id))


def _tag_list(value: object) -> tuple[str, ...]:
    """A ``tags`` setting (a list, a tuple or None) as a tuple of tags."""
    return tuple(str(t) for t in value) if isinstance(value, (list, tuple)) else ()


def _clean_tag(tag: str) -> str:
    """A tag as Flickr compares tags: letters and digits only, lower case (machine tags aside)."""
    return "".join(c for c in tag.lower() if c.isalnum())


def _remove_empty_folders(folder: Path, below: bool) -> None:
    """Remove ``folder`` if nothing is left in it (and, with ``below``, its emptied subfolders)."""
    if below and folder.is_dir() and not folder.is_symlink():
        for dirpath, _, _ in sorted(os.walk(folder), key=lambda w: -len(w[0])):
            if dirpath != str(folder):
                with contextlib.suppress(OSError):
                    os.rmdir(dirpath)
    with contextlib.suppress(OSError):
        folder.rmdir()


def _only_these_media(folder: Path, rel: str, paths: set[str]) -> bool:
    """Whether every photo or video in ``folder`` (found at ``rel`` from the root), or below it,
    is one of ``paths`` (relative to the root, as spelled on disk)."""
    for current, _dirs, files in os.walk(folder):
        below = Path(current).relative_to(folder).as_posix()
        prefix = rel if below == "." else f"{rel}/{below}"
        for name in files:
            if not name.startswith(".") and naming.is_media(name) and f"{prefix}/{name}" not in paths:
                return False
    return True


def _set_mtime(tmp: TempFile, date_taken: str) -> None:
    """A downloaded photo's file time is when it was taken (Flickr keeps it in local time)."""
    try:
        stamp = time.mktime(time.strptime(date_taken, "%Y-%m-%d %H:%M:%S"))
    except (ValueError, OverflowError):
        return
    tmp.set_times(stamp)


def _copy(folder: SafeDir, name: str, dest: TempFile) -> None:
    """Copy the file ``name`` (never through a link) to a new file ``dest``, with its mtime."""
    source = folder.open_file(name)
    try:
        mtime = os.fstat(source).st_mtime
        try:
            with open(source, "rb", closefd=False) as src, open(dest.folder.create(dest.name), "wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
            dest.set_times(mtime)
        except BaseException:
            dest.unlink(missing_ok=True)
            raise
    finally:
        os.close(source)


def _field_same(name: str, a: Meta, b: Meta) -> bool:
    return metadata.fields_equal(name, metadata.field_value(a, name), metadata.field_value(b, name))


def _listed_meta(photo: ListedPhoto | PhotoInfo) -> Meta:
    """A photo's metadata as a listing (extras date_taken, geo, tags, description) or
    photos.getInfo gives it."""
    tags = photo.tags if isinstance(photo, ListedPhoto) else " ".join(t.clean for t in photo.tags if not t.machine)
    return metadata.meta_from_listing(
        photo.title,
        photo.description,
        tags,
        photo.date_taken,
        photo.taken_granularity,
        photo.taken_unknown,
        photo.latitude,
        photo.longitude,
        photo.accuracy,
    )


def _moved_sig(synced: str | None, scanned: str, moved: str | None) -> str | None:
    """A moved file's sidecar signature for its base entry: the moved sidecar's when the one it
    left was unchanged since the last sync, else unknown (the next run reads it again)."""
    if synced != scanned:
        return None
    return moved if moved is not None else synced


def _never_matches(item: BaseItem) -> BaseItem:
    """A base entry for a file that changed while it was sent: the next scan must hash it again
    (a size/mtime match would vouch for content Flickr never got), so it is sent again."""
    return dataclasses.replace(item, size=-1, mtime_ns=-1)


_HANDLERS: dict[type, Callable[[Executor, Any], None]] = {
    MoveFolder: Executor._move_folder,
    MoveLocal: Executor._move_local,
    CopyLocal: Executor._copy_local,
    Confirm: Executor._confirm,
    Link: Executor._link,
    TrashLocal: Executor._trash_local,
    Upload: Executor._upload,
    Replace: Executor._replace,
    Download: Executor._download,
    PlaceInAlbum: Executor._place_in_album,
    MoveRemote: Executor._move_remote,
    SyncMeta: Executor._sync_meta,
    SyncAlbumMeta: Executor._sync_album_meta,
    RemoveFromAlbum: Executor._remove_from_album,
    DeletePhoto: Executor._delete_photo,
    Forget: Executor._forget,
    ApplySettings: Executor._apply_settings,
}


def _describe(exc: BaseException) -> str:
    if isinstance(exc, FileChanged):
        return CHANGED_WHILE_SENDING
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror}{where}"
    return str(exc) or type(exc).__name__
