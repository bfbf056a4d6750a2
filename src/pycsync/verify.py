"""`pycsync verify`: prove, without changing anything, that the folder and Flickr hold the same
content: every selected file has a photo on Flickr with the same content, and every photo in the
selection has its file.

It reads what a sync would read and nothing more, and writes nothing anywhere: no Flickr write
call, no lock, and the state is read from a private copy (as `status` does). Every file in the
selection is hashed again (a file damaged on disk keeps its size and time), Flickr is listed in
full (one call per 500 albums, per 500 photos of an album and per 500 photos in no album: a few
calls), and the plan a two-way sync with ``--delete`` would make names every difference: what is
only here (or deleted on Flickr), only on Flickr (or deleted here), changed on either side. The
rest are pairs whose content the last sync recorded on both sides and whose photo still carries
that content's tag and original secret.

``--deep`` does not trust the tags: it downloads every original in the selection and hashes it
(in parallel, ``--jobs`` at a time, one chunk in memory per download, nothing written to disk),
so a photo replaced on Flickr's website, which keeps its old content tag, cannot hide.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from pycsync import local as local_scan
from pycsync.errors import PycsyncError, UsageError, run_stopper
from pycsync.events import Notify, TransferFinished, TransferProgress, TransfersPlanned, TransferStarted, ignore
from pycsync.flickr import DownloadLimits, FlickrClient
from pycsync.flickr.errors import FlickrError, TransientError
from pycsync.ignore import IgnoreRules
from pycsync.model import (
    Base,
    Confirm,
    CopyLocal,
    DeletePhoto,
    Direction,
    Download,
    Layout,
    Link,
    LocalItem,
    MoveFolder,
    MoveLocal,
    MoveRemote,
    PlaceInAlbum,
    Policy,
    RemoteListing,
    RemotePhoto,
    RemoveFromAlbum,
    Replace,
    TrashLocal,
    Upload,
)
from pycsync.planner import plan as make_plan
from pycsync.remote import list_remote

#: attempts per original in --deep (a download cut off part way starts again from its first byte)
DEEP_ATTEMPTS = 3
#: Flickr accepts photos up to 200 MB and videos up to 1 GB: no original can be bigger
_MAX_BYTES = {"photo": 200 << 20, "video": 1 << 30}


@dataclass(frozen=True)
class VerifyOptions:
    root: Path
    deep: bool = False
    jobs: int = 4
    layout: Layout = Layout.NESTED
    excludes: tuple[str, ...] = ()
    follow_symlinks: bool = False


@dataclass
class Finding:
    path: str
    why: str
    photo_id: str = ""

    def as_json(self) -> dict:
        out = {"path": self.path, "why": self.why}
        if self.photo_id:
            out["photo_id"] = self.photo_id
        return out


@dataclass
class VerifyResult:
    root: str
    deep: bool
    files: int = 0  # files in the selection, each hashed
    photos: int = 0  # photos of the selection on Flickr
    matched: int = 0  # pairs holding the same content
    downloaded: int = 0  # originals hashed (--deep)
    bytes_downloaded: int = 0
    seconds: float = 0.0
    missing_on_flickr: list[Finding] = field(default_factory=list)
    missing_here: list[Finding] = field(default_factory=list)
    different: list[Finding] = field(default_factory=list)
    unverified: list[Finding] = field(default_factory=list)  # content not comparable without --deep
    not_synced: list[Finding] = field(default_factory=list)  # in the selection, not syncable as things are
    moved: list[Finding] = field(default_factory=list)  # same content, another place: not a loss
    messages: list[str] = field(default_factory=list)
    error: PycsyncError | None = None  # what stopped --deep part way

    @property
    def ok(self) -> bool:
        return self.error is None and not (
            self.missing_on_flickr or self.missing_here or self.different or self.unverified or self.not_synced
        )

    def as_json(self) -> dict:
        from pycsync.report import error_member

        lists = ("missing_on_flickr", "missing_here", "different", "unverified", "not_synced", "moved")
        return {
            "root": self.root,
            "deep": self.deep,
            "ok": self.ok,
            "checked": {
                "files": self.files,
                "photos": self.photos,
                "matched": self.matched,
                "downloaded": self.downloaded,
                "bytes_downloaded": self.bytes_downloaded,
            },
            **{name: [f.as_json() for f in getattr(self, name)] for name in lists},
            "seconds": round(self.seconds, 3),
            "error": error_member(self.error) if self.error is not None else None,
        }


def verify(client: FlickrClient, options: VerifyOptions, notify: Notify = ignore) -> VerifyResult:
    """Compare the folder at ``options.root`` with Flickr; never writes anything anywhere."""
    from pycsync.app import REBUILDING, _open_state_read_only, web_base

    started = time.monotonic()
    root = Path(options.root).expanduser()
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder")
    root = root.resolve()
    result = VerifyResult(str(root), options.deep)
    state = _open_state_read_only(root, False, result.messages)
    try:
        login = client.test_login(retry_unreachable=False)
        account = state.get_meta("account") if state is not None else None
        if account and account != login.user_nsid:
            raise UsageError(
                f"this folder was synced with Flickr account {account}, but you are signed in as {login.user_nsid}"
            )
        base = state.load_base() if state is not None else Base()
        hashes = state.remote_hashes() if state is not None else {}
        rebuilding = state is not None and state.get_meta(REBUILDING) == "1"
    finally:
        if state is not None:
            state.close()
    ignore = IgnoreRules.load(root, options.excludes)
    # full: every file is read again (the base only settles which of two case twins is kept)
    scan = local_scan.scan(root, base=base.items, ignore=ignore, full=True, follow_symlinks=options.follow_symlinks)
    local = scan.items
    remote = list_remote(client, web_base=web_base(client), user_nsid=login.user_nsid, known_hashes=hashes, full=True)
    policy = Policy(
        direction=Direction.BOTH,
        delete=True,  # (never run: a deletion names a file or photo missing on one side)
        max_delete_pct=100.0,
        can_delete_photos=True,
        layout=options.layout,
        rebuilding=rebuilding,
        excluded=ignore.excludes if ignore else None,
    )
    plan = make_plan(local, remote, base, policy)
    pairs = _classify(result, plan, local, remote, base, hashes, policy)
    for s in scan.skipped:
        if s.unsynced:
            result.not_synced.append(Finding(s.path, s.reason))
    for key, why in plan.skipped:
        result.not_synced.append(Finding(key, why))
    result.files = len(local)
    if options.deep:
        _deep(client, options, result, pairs, local, remote, notify)
    else:
        result.matched += sum(1 for key, _photo_id, trusted in pairs if trusted)
        why = "no content tag or earlier hash vouches for its content (a new original since the last sync, or a "
        why += "photo matched by name): --deep compares it"
        result.unverified.extend(Finding(key, why, photo_id) for key, photo_id, trusted in pairs if not trusted)
    for name in ("missing_on_flickr", "missing_here", "different", "unverified", "not_synced", "moved"):
        getattr(result, name).sort(key=lambda f: f.path)
    result.seconds = time.monotonic() - started
    return result


def _differences(result, plan, base: Base) -> set[str]:
    """Record what the plan's actions say is missing, different or moved; return the keys the
    plan changes (none of them is an unchanged pair)."""
    differs: set[str] = set()
    for note in plan.conflicts:
        result.different.append(Finding(note.key, f"changed on both sides ({note.reason})"))
        differs.update((note.key, note.kept_as))
    for a in plan.actions:
        if isinstance(a, Upload):
            for k in a.keys:
                if k not in differs:
                    why = "changed here since the last sync, and deleted on Flickr" if k in base.items else "only here"
                    result.missing_on_flickr.append(Finding(k, why))
                differs.add(k)
        elif isinstance(a, Replace):
            for k in (a.key, *a.also_keys):
                if k not in differs:
                    why = "the file differs from the photo on Flickr (changed or damaged here since the last sync)"
                    result.different.append(Finding(k, why, a.photo_id))
                differs.add(k)
        elif isinstance(a, (Download, CopyLocal)):
            if a.key in differs:
                continue
            differs.add(a.key)
            if isinstance(a, Download) and a.overwrite:
                why = "the photo on Flickr differs from the file (replaced on Flickr since the last sync)"
                result.different.append(Finding(a.key, why, a.photo_id))
            else:
                result.missing_here.append(Finding(a.key, "only on Flickr", a.photo_id))
        elif isinstance(a, TrashLocal):
            differs.add(a.key)
            result.missing_on_flickr.append(Finding(a.key, "deleted on Flickr (or taken out of its album)", a.photo_id))
        elif isinstance(a, (DeletePhoto, RemoveFromAlbum)):
            pid = a.photo_id if isinstance(a, DeletePhoto) else ",".join(a.photo_ids)
            for k in a.forget:
                differs.add(k)
                result.missing_here.append(Finding(k, "deleted here, still on Flickr", pid))
        elif isinstance(a, (MoveLocal, MoveRemote)) and a.photo_id:
            why = f"same content; moved from {a.src_key} (a sync moves it on the other side)"
            result.moved.append(Finding(a.key, why, a.photo_id))
        elif isinstance(a, MoveFolder):
            for old, new in a.moves:
                why = f"same content; its album was renamed on Flickr (was {old})"
                result.moved.append(Finding(new, why, a.album_id))
        elif isinstance(a, PlaceInAlbum):
            continue  # a photo outside its album is still a photo with its file
    return differs


def _classify(result, plan, local, remote: RemoteListing, base: Base, hashes, policy) -> list[tuple[str, str, bool]]:
    """Sort the plan's actions into what is missing or different, and return the pairs it leaves
    as they are: (key, photo id, whether a content tag or the state vouches for the content)."""
    differs = _differences(result, plan, base)
    pairs: list[tuple[str, str, bool]] = []
    claimed: set[str] = set()
    for a in plan.actions:
        if isinstance(a, Link) and a.key not in differs:
            pairs.append((a.key, a.photo_id, True))
            claimed.add(a.key)
        elif isinstance(a, Confirm) and a.key not in differs:
            pairs.append((a.key, a.photo_id, False))  # matched by name: the content was never compared
            claimed.add(a.key)
        elif isinstance(a, (MoveLocal, MoveRemote)) and a.photo_id:
            claimed.update((a.key, a.src_key))
            here = a.key if a.key in local else a.src_key  # (the file: moved here, or still to move)
            if here in local:
                b = base.items.get(a.src_key)
                pairs.append((here, a.photo_id, _vouched(local[here], remote, a.photo_id, hashes, b)))
        elif isinstance(a, MoveFolder):
            for old, new in a.moves:
                b = base.items.get(old)
                here = old if old in local else new
                if b is not None and here in local:
                    claimed.update((old, new))
                    pairs.append((here, b.photo_id, _vouched(local[here], remote, b.photo_id, hashes, b)))
    excluded = policy.excluded
    for key, b in base.items.items():
        if key in differs or key in claimed or (excluded is not None and excluded(key)):
            continue
        item, photo = local.get(key), remote.photos.get(b.photo_id)
        if item is None or photo is None:
            continue  # gone on both sides (the plan forgets it)
        pairs.append((key, b.photo_id, _vouched(item, remote, b.photo_id, hashes, b)))
    found = result.missing_here + result.different
    result.photos = len({pid for _, pid, _ in pairs} | {f.photo_id for f in found if f.photo_id})
    return pairs


def _vouched(item: LocalItem | None, remote: RemoteListing, photo_id: str, hashes, b) -> bool:
    """Whether the photo's content is known to be the file's without downloading it: the state
    hashed this very original, or its content tag names the file's content and its original is
    the one the last sync recorded (a replace on the website keeps the old tag)."""
    photo: RemotePhoto | None = remote.photos.get(photo_id)
    if item is None or photo is None:
        return False
    known = hashes.get((photo_id, photo.original_secret))
    if known is not None:
        return known == item.sha256
    same_original = b is None or not b.original_secret or b.original_secret == photo.original_secret
    return photo.sha256 == item.sha256 and same_original


class _Digest:
    """A write-only sink that hashes what it is given and keeps nothing."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass


def _deep(
    client: FlickrClient,
    options: VerifyOptions,
    result: VerifyResult,
    pairs: list[tuple[str, str, bool]],
    local: dict[str, LocalItem],
    remote: RemoteListing,
    notify: Notify,
) -> None:
    """Download and hash every original of ``pairs``, ``options.jobs`` at a time, and compare
    each with its file's hash (from this run's scan)."""
    lock = threading.Lock()
    stop = threading.Event()

    def one(key: str, photo_id: str) -> None:
        if stop.is_set():
            return
        photo = remote.photos[photo_id]
        media = photo.media if photo.media in _MAX_BYTES else "video"
        limits = DownloadLimits(max_bytes=_MAX_BYTES[media], kind=media)
        notify(TransferStarted(key, "down", 0))  # (an original's size is known once fetched)
        try:
            sink = _fetch(client, photo.url_o, limits, lambda n: notify(TransferProgress(key, n)))
        except FlickrError as exc:
            stopper = run_stopper(exc, str(options.root))
            with lock:
                if stopper is not None:
                    result.error = result.error or stopper
                    stop.set()
                else:
                    result.unverified.append(Finding(key, f"its original could not be downloaded: {exc}", photo_id))
            return
        finally:
            notify(TransferFinished(key))
        with lock:
            result.downloaded += 1
            result.bytes_downloaded += sink.size
            if sink.digest.hexdigest() == local[key].sha256:
                result.matched += 1
            else:
                why = "Flickr's original differs from the file (downloaded and hashed)"
                result.different.append(Finding(key, why, photo_id))

    notify(TransfersPlanned(len(pairs), 0))
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        futures = [pool.submit(one, key, photo_id) for key, photo_id, _ in pairs]
        try:
            for f in as_completed(futures):
                f.result()
        except BaseException:
            stop.set()  # the downloads not begun return at once; those in flight finish
            raise


def _fetch(client: FlickrClient, url: str, limits: DownloadLimits, progress: Callable[[int], None]) -> _Digest:
    """One original, hashed as it arrives; a download cut off part way starts again."""
    for attempt in range(DEEP_ATTEMPTS):
        sink = _Digest()
        try:
            client.download(url, sink, progress=progress, limits=limits)
            return sink
        except TransientError:
            if attempt + 1 == DEEP_ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
