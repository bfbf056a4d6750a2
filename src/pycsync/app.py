"""One sync run: lock -> scan local -> list remote -> plan -> (dry-run | execute) -> commit.

Library first: the CLI only parses options and calls `sync`; tests and the demo call it too.
A dry run (and `status`) changes nothing anywhere: it takes no lock, creates nothing, and plans
on a private copy of the state (see ``_open_state_read_only``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from pycsync import local as local_scan
from pycsync import naming
from pycsync.config import Widening
from pycsync.errors import AuthFailed, PycsyncError, SafetyAbort, UsageError, disk_full, is_disk_full
from pycsync.events import Notify, UploadsVisible, ignore
from pycsync.executor import MIN_FREE_SPACE, Executor, Outcome, Settings
from pycsync.flickr import FlickrClient
from pycsync.flickr.errors import FlickrError
from pycsync.ignore import IgnoreRules
from pycsync.model import (
    Base,
    Confirm,
    DeletePhoto,
    Direction,
    Download,
    Layout,
    LocalItem,
    MoveFolder,
    MoveRemote,
    PlaceInAlbum,
    Plan,
    Policy,
    Privacy,
    RemoteListing,
    RemoveFromAlbum,
    Replace,
    Upload,
)
from pycsync.planner import plan as make_plan
from pycsync.remote import list_remote, note_own_writes, photo_from_info
from pycsync.safefs import META_DIR, SafeDir, UnsafeFolderError, open_meta
from pycsync.state import RootLock, StateCorrupt, StateDB


@dataclass(frozen=True)
class SyncOptions:
    root: Path
    direction: Direction = Direction.BOTH
    dry_run: bool = False
    delete: bool = False
    max_delete: float = 50.0
    jobs: int = 4
    privacy: Privacy = Privacy.PRIVATE
    layout: Layout = Layout.NESTED
    excludes: tuple[str, ...] = ()
    full: bool = False
    rebuild_state: bool = False
    follow_symlinks: bool = False
    unknown_upload_wait: float = 60.0
    min_free_space: int = MIN_FREE_SPACE  # bytes of disk space downloads leave free
    # set when the folder's own settings file made `privacy` wider than your settings: shown
    privacy_widening: Widening | None = None


@dataclass
class SyncResult:
    plan: Plan
    outcome: Outcome | None
    # files passed over by design (not photos or videos, symbolic links): newly reported only
    skipped: list[tuple[str, str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    seconds: float = 0.0
    files_hashed: int = 0
    # seconds per part of the run: base (loading the state), local (scanning the folder),
    # listing (Flickr), plan, execute
    timings: dict[str, float] = field(default_factory=dict)
    privacy: Privacy = Privacy.PRIVATE  # who may see this run's new uploads
    privacy_widening: Widening | None = None
    # why the run stopped before its end (the outcome holds what it did until then)
    error: PycsyncError | None = None
    # (path, why) of what is in the selection but not synced after this run (unreadable, a name
    # twin, refused by Flickr, left for a two-way sync, ...): every run, until it is synced
    unsynced: list[tuple[str, str]] = field(default_factory=list)
    # files outside the selection: {"local": n, "remote": n}, counted by dry runs (and status)
    out_of_selection: dict[str, int] | None = None
    # camera RAW files passed over (Flickr accepts none), moved here from ``skipped``: counted apart
    raw: list[tuple[str, str]] = field(default_factory=list)
    raw_paths: frozenset[str] = frozenset()  # which of the skipped paths are RAW files

    def __post_init__(self) -> None:
        if self.raw_paths:
            self.raw = self.raw + [s for s in self.skipped if s[0] in self.raw_paths]
            self.skipped = [s for s in self.skipped if s[0] not in self.raw_paths]

    # Flickr as this run listed it (None when the run stopped before)
    remote: RemoteListing | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None and (self.outcome is None or not self.outcome.failed)


def web_base(client: FlickrClient) -> str:
    """The site root (www.flickr.com, or the emulator) that owner-only video URLs live under."""
    return client.endpoints.authorize.rsplit("/services/", 1)[0]


def sync(
    client: FlickrClient,
    options: SyncOptions,
    notify: Notify = ignore,
) -> SyncResult:
    """Sync ``options.root`` with the account ``client`` is signed in to; ``notify`` hears what
    happens as it happens (see :mod:`pycsync.events`)."""
    started = time.monotonic()
    root = Path(options.root).expanduser()
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder")
    root = root.resolve()
    try:
        options = dataclasses.replace(options, privacy=Privacy(options.privacy))
    except ValueError:
        raise UsageError(f"unknown privacy {options.privacy!r}; use one of {', '.join(Privacy)}") from None
    if not 0 <= options.max_delete <= 100:
        raise UsageError("--max-delete is a percentage between 0 and 100")
    messages: list[str] = []
    try:
        if options.dry_run:
            return _read_only_run(client, options, root, messages, started, notify)
        return _locked_run(client, options, root, messages, started, notify)
    except OSError as exc:  # (creating .pycsync, its lock or its state on a full disk)
        if is_disk_full(exc):
            raise disk_full(exc, str(root)) from exc
        raise


def _read_only_run(client, options: SyncOptions, root: Path, messages: list[str], started: float, notify):
    planning = _open_state_read_only(root, options.rebuild_state, messages)
    try:
        return _run(client, options, root, planning, messages, started, notify)
    finally:
        if planning is not None:
            planning.close()


def _locked_run(client, options: SyncOptions, root: Path, messages: list[str], started: float, notify):
    try:
        meta = open_meta(root, create=True)
    except UnsafeFolderError as exc:
        raise SafetyAbort(str(exc)) from None
    with meta:
        try:
            with RootLock(meta.path / "lock", meta):
                _check_trash(meta)
                _clear_partial_downloads(meta)
                state = _open_state(meta, options.rebuild_state, messages)
                try:
                    writes = client.record_writes()
                    result = _run(client, options, root, state, messages, started, notify)
                    if result.remote is not None:
                        note_own_writes(state, result.remote, writes)  # the next listing's help
                    return result
                finally:
                    state.close()
        except UnsafeFolderError as exc:
            raise SafetyAbort(str(exc)) from None


def _check_trash(meta: SafeDir) -> None:
    """A trash that is a link (or someone else's) is refused before anything changes."""
    try:
        meta.subdir("trash").close()
    except FileNotFoundError:
        pass


def _clear_partial_downloads(meta: SafeDir) -> None:
    """Temp files a crashed run left (downloads never renamed into place): safe to drop under
    the lock, since only a run holding it writes there. Removed by name inside the checked
    folder: a link there is removed itself, never what it points to."""
    with meta.subdir("tmp", create=True) as tmp:
        for name in tmp.names():
            st = tmp.lstat(name)
            if st is not None and not stat.S_ISDIR(st.st_mode):
                tmp.unlink(name)


def _open_state(meta: SafeDir, rebuild: bool, messages: list[str]) -> StateDB:
    """Open the state DB; a corrupt one is set aside and rebuilt from Flickr's content tags."""
    name, suffixes = "state.db", ("", "-wal", "-shm", "-journal")
    for suffix in suffixes:  # SQLite opens them by path: none may be a link or someone else's
        meta.check_file(name + suffix)
    shown = meta.path / name
    try:
        state = StateDB(meta.file_path(name), shown=shown)
    except StateCorrupt as exc:
        aside = f"state.db.corrupt-{time.strftime('%Y%m%d-%H%M%S')}"
        for suffix in suffixes:
            if meta.lstat(name + suffix) is not None:
                meta.rename(name + suffix, meta, aside + suffix)
        messages.append(f"{exc}; moved it to {aside} and rebuilding the state from Flickr")
        state = StateDB(meta.file_path(name), shown=shown)
        state.set_meta(REBUILDING, "1")
        return state
    if rebuild:
        state.clear_base()
        state.set_meta(REBUILDING, "1")
        messages.append("rebuilding the state from Flickr's content tags (nothing is re-uploaded)")
    return state


# set while the state is being rebuilt from Flickr (until a run completes without failures): the
# planner may then pair a folder with an album by content alone, as they were paired before
REBUILDING = "rebuilding"


def _open_state_read_only(root: Path, rebuild: bool, messages: list[str]) -> StateDB | None:
    """The state for a run that must change nothing: a private copy (None: there is none to use).

    Nothing in `.pycsync/` is created, written or tightened, not even a lock: a run in progress
    (a held lock) stops it instead, since the state it would read is being changed. A damaged
    state is planned as the sync that sets it aside would plan (a rebuild from nothing), and
    ``rebuild`` empties the copy's base, not the file's. `.pycsync/` and the state files are
    still never reached through a link.
    """
    try:
        with SafeDir.open(root) as top:
            meta = top.subdir(META_DIR, mine=False)  # (checked, not tightened: nothing changes)
    except FileNotFoundError:  # before the first sync
        return None
    except UnsafeFolderError as exc:
        raise SafetyAbort(str(exc)) from None
    with meta:
        try:
            RootLock(meta.path / "lock", meta).check()
            if meta.lstat("state.db") is None:
                return None
            state = StateDB.private_copy(meta, "state.db")
        except StateCorrupt as exc:
            messages.append(f"{exc}; a sync would move it aside and rebuild the state from Flickr")
            state = StateDB.private_copy(None, "state.db")  # planned as that rebuild: from nothing
            state.set_meta(REBUILDING, "1")
            return state
        except UnsafeFolderError as exc:
            raise SafetyAbort(str(exc)) from None
    if rebuild:
        state.clear_base()
        state.set_meta(REBUILDING, "1")
        messages.append("planned as a rebuild of the state from Flickr's content tags (nothing is re-uploaded)")
    return state


def _token_id(client: FlickrClient) -> str:
    """Names the access token in the state without keeping it (a digest of it)."""
    return hashlib.sha256(client.credentials.token.encode()).hexdigest()[:32]


def _identity(client: FlickrClient, state: StateDB | None) -> tuple[str, str]:
    """(the signed-in user's NSID, the token's permission).

    A run with the token an earlier run of this folder completed with knows both: Flickr gives
    a token one user and one permission for its life, so nothing is asked. The run's first call
    (the listing's) then proves the token still works: a revoked one is refused in its answer.
    Otherwise flickr.test.login and auth.oauth.checkToken ask, first thing.
    """
    if state is not None and state.get_meta("token") == _token_id(client):
        nsid, perms = state.get_meta("account"), state.get_meta("perms")
        if nsid and perms:
            client.assume_user(nsid)
            return nsid, perms
    login = client.test_login(retry_unreachable=False)  # a server that cannot be reached is said at once
    return login.user_nsid, client.check_token()


def _run(client, options: SyncOptions, root: Path, state: StateDB | None, messages, started, notify):
    user_nsid, perms = _identity(client, state)
    if state is not None:
        account = state.get_meta("account")
        if account and account != user_nsid and not options.dry_run:
            raise UsageError(
                f"this folder was synced with Flickr account {account}, but you are signed in "
                f"as {user_nsid}; use `--rebuild-state` to sync it with this account"
            )
    timings: dict[str, float] = {}
    clock = time.monotonic()
    base = state.load_base() if state else Base()
    ignore = IgnoreRules.load(root, options.excludes)
    timings["base"], clock = time.monotonic() - clock, time.monotonic()
    # Flickr first: its first call says at once whether the token still works
    hashes = state.remote_hash_lookup() if state else {}
    base_url = web_base(client)
    remote = list_remote(
        client,
        web_base=base_url,
        user_nsid=user_nsid,
        known_hashes=hashes,
        # only what changed on Flickr since the last listing is read (a dry run writes nothing)
        cache=_ReadOnlyCache(state) if state is not None and options.dry_run else state,
        full=options.full or options.rebuild_state,
        base_items=base.items.values(),  # (shares their strings: memory)
    )
    timings["listing"], clock = time.monotonic() - clock, time.monotonic()
    scan = local_scan.scan(
        root,
        base=base.items,
        ignore=ignore,
        full=options.full,
        follow_symlinks=options.follow_symlinks,
        count_excluded=options.dry_run,
    )
    hashed = scan.hashed
    local_items = scan.items  # (not copied: 100,000s of entries)
    for key, b in base.items.items() if scan.skipped else ():  # nothing skipped: nothing unlisted
        # unreadable or changing files are unknown this run, not deleted
        if key not in local_items and scan.unlisted(key):
            local_items[key] = LocalItem(key, key, b.size, b.mtime_ns, b.sha256)
    refused = _set_aside_refused(state, local_items, base, not options.dry_run) if state else []
    timings["local"], clock = time.monotonic() - clock, time.monotonic()
    settings = Settings(
        jobs=options.jobs,
        privacy=options.privacy,
        layout=options.layout,
        unknown_upload_wait=options.unknown_upload_wait,
        min_free_space=options.min_free_space,
    )
    if state is not None and not options.dry_run:
        remote = _recover_unfinished_uploads(client, state, remote, settings, base_url, user_nsid)
        remote = _recover_unfinished_replaces(client, state, remote, base, settings, root)
    base = _complete_unknown_secrets(state if not options.dry_run else None, base, remote)
    policy = Policy(
        direction=options.direction,
        delete=options.delete,
        max_delete_pct=options.max_delete,
        can_delete_photos=perms == "delete",
        layout=options.layout,
        rebuilding=options.rebuild_state or (state is not None and state.get_meta(REBUILDING) == "1"),
        excluded=ignore.excludes if ignore else None,
    )
    plan = make_plan(local_items, remote, base, policy)
    timings["plan"], clock = time.monotonic() - clock, time.monotonic()
    if plan.abort:
        raise SafetyAbort(plan.abort)
    notes = [(s.path, s.reason) for s in scan.skipped if not s.unsynced]
    unsynced = [(s.path, s.reason) for s in scan.skipped if s.unsynced] + refused
    privacy = {
        "privacy": options.privacy,
        "privacy_widening": options.privacy_widening,
        "raw_paths": frozenset(s.path for s in scan.skipped if s.raw),
    }
    privacy["remote"] = remote  # (every result below carries the listing too)
    if options.dry_run or state is None:
        return SyncResult(
            plan,
            None,
            notes,
            messages,
            time.monotonic() - started,
            hashed,
            timings,
            **privacy,
            unsynced=unsynced + list(plan.skipped),
            out_of_selection={"local": scan.excluded, "remote": len(plan.outside)},
        )
    if perms == "read" and any(isinstance(a, _FLICKR_WRITES) for a in plan.actions):
        raise AuthFailed(
            "this sign-in may only read from Flickr, and this sync would change it: run "
            "`pycsync auth --perms write` (or `--perms delete`), or sync with --pull"
        )

    renamed = None
    if any(isinstance(a, MoveFolder) for a in plan.actions):
        # albums renamed on Flickr: their folders are renamed first, then the rest is planned again
        # on the renamed tree (a rename that failed is planned again, and its folder left alone)
        mover = Executor(root, client, state, dict(local_items), remote, settings, notify, folders=scan.folders)
        scan.folders = mover.folders
        renamed = mover.run(Plan(actions=tuple(a for a in plan.actions if isinstance(a, MoveFolder))))
        if renamed.stopped is not None:
            return _stopped(
                plan, renamed, (notes, unsynced + list(plan.skipped)), messages, started, hashed, timings, {}, privacy
            )
        local_items, base = mover.local, state.load_base()
        plan = make_plan(local_items, remote, base, policy)
        if plan.abort:
            raise SafetyAbort(plan.abort)
    fetched: dict = {}
    confirms = [a for a in plan.actions if isinstance(a, Confirm)] + _unverified_conflicts(
        plan, remote, hashes, local_items
    )
    if confirms:
        # names matched without a content tag, or a conflict rests on a tag nobody checked:
        # hash those originals, then decide
        hashing = Executor(
            root, client, state, dict(local_items), remote, settings, notify, fetched=fetched, folders=scan.folders
        ).run(Plan(actions=tuple(confirms)))
        if hashing.stopped is not None:
            return _stopped(
                plan,
                hashing,
                (notes, unsynced + list(plan.skipped)),
                messages,
                started,
                hashed,
                timings,
                fetched,
                privacy,
            )
        remote = _with_cached_hashes(remote, state)
        base = state.load_base()
        plan = make_plan(local_items, remote, base, policy)
        if plan.abort:
            raise SafetyAbort(plan.abort)
    visible = uploads_visible(plan, options.privacy, options.privacy_widening)
    if visible is not None:  # before the first upload
        notify(visible)
    outcome = Executor(
        root, client, state, dict(local_items), remote, settings, notify, fetched=fetched, folders=scan.folders
    ).run(plan)
    for leftover in fetched.values():  # hashed, then not needed after all
        leftover[0].unlink(missing_ok=True)
    timings["execute"] = time.monotonic() - clock
    if confirms:  # what the hashing pass linked and fetched counts too
        outcome.merge(hashing)
    if renamed is not None:
        outcome.merge(renamed)
    if outcome.stopped is not None:
        return _stopped(
            plan, outcome, (notes, unsynced + list(plan.skipped)), messages, started, hashed, timings, {}, privacy
        )
    _remember_albums(state, plan, options.layout)
    if plan.names:
        state.set_names(dict(plan.names))
    if not outcome.failed and not outcome.permanent:
        state.set_meta(REBUILDING, "0")
    state.set_meta("account", user_nsid)
    if perms:  # this token needs no test.login nor checkToken from now on
        state.set_meta("perms", perms)
        state.set_meta("token", _token_id(client))
    state.set_meta("last_sync", str(int(time.time())))
    state.prune_journal()
    skipped = state.newly_reported(notes)
    return SyncResult(
        plan,
        outcome,
        skipped,
        messages,
        time.monotonic() - started,
        hashed,
        timings,
        **privacy,
        unsynced=unsynced + list(plan.skipped),
    )


def uploads_visible(plan: Plan, privacy: Privacy, widening: Widening | None) -> UploadsVisible | None:
    """Whether a plan uploads photos anyone but you may see (said before the first upload)."""
    count = sum(len(a.keys) for a in plan.actions if isinstance(a, Upload))
    if not count or privacy is Privacy.PRIVATE:
        return None
    return UploadsVisible(count, privacy, widening)


def _stopped(plan, outcome: Outcome, left, messages, started, hashed, timings, fetched, privacy) -> SyncResult:
    """A run that stopped early (see Executor.run): what it did, and why it stopped. Nothing more
    is written: every action it finished is already recorded, one transaction each. ``left``:
    (files passed over by design, what is not synced and why)."""
    for leftover in fetched.values():
        leftover[0].unlink(missing_ok=True)
    notes, unsynced = left
    return SyncResult(
        plan,
        outcome,
        notes,
        messages,
        time.monotonic() - started,
        hashed,
        timings,
        **privacy,
        error=outcome.stopped,
        unsynced=unsynced,
    )


def _set_aside_refused(
    state: StateDB, local_items: dict[str, LocalItem], base: Base, forget: bool
) -> list[tuple[str, str]]:
    """Files Flickr refused for good are not offered again until they change (size or mtime).

    A refused new file is left out of the plan; a refused edit of a synced file counts as
    unchanged (its base stands in), so neither side is touched because of it.
    """
    refused = state.refused()
    if not refused:
        return []
    skipped, retry = [], []
    for key, (size, mtime_ns, reason) in refused.items():
        item = local_items.get(key)
        if item is None or (item.size, item.mtime_ns) != (size, mtime_ns):
            retry.append(key)  # changed or gone: Flickr gets another chance
            continue
        b = base.items.get(key)
        if b is not None and b.sha256 != item.sha256:
            local_items[key] = LocalItem(key, item.path, b.size, b.mtime_ns, b.sha256)
        elif b is None:
            del local_items[key]
        else:
            retry.append(key)  # back to the synced content
            continue
        skipped.append((item.path, f"{reason}; not retried until the file changes"))
    if retry and forget:
        state.drop_refused(retry)
    return skipped


class _ReadOnlyCache:
    """The state's listing snapshot for a dry run: read it, never update it."""

    def __init__(self, state: StateDB):
        self._state = state

    def load_remote_cache(self, *args, **kwargs):
        return self._state.load_remote_cache(*args, **kwargs)

    def save_remote_cache(self, *args, **kwargs) -> None:
        pass


# the actions that change something on Flickr (a 'read' sign-in cannot run them)
_FLICKR_WRITES = (Upload, Replace, PlaceInAlbum, MoveRemote, RemoveFromAlbum, DeletePhoto)


def _remember_albums(state: StateDB, plan: Plan, layout: Layout) -> None:
    """Pin folder <-> album pairs in use, so a later album rename never moves files."""
    in_use = {naming.album_folder_for_key(k, layout.value) for k in state.photo_ids()}
    state.set_albums({f: a for f, a in plan.albums.items() if f in in_use})


def _complete_unknown_secrets(state: StateDB | None, base: Base, remote: RemoteListing) -> Base:
    """Uploads whose original secret was never learnt (Flickr's upload answer carries only the
    photo id, and the run ended before it read the secrets): the listing completes them when the
    photo's content tag names this file's content (or the file changed while it was sent: it is
    sent again anyway), so a run's own upload never looks changed on Flickr."""
    done = []
    for b in base.items.values():
        if b.original_secret:
            continue
        photo = remote.photos.get(b.photo_id)
        if photo is None or not photo.original_secret or (photo.sha256 != b.sha256 and b.size != -1):
            continue
        done.append(dataclasses.replace(b, original_secret=photo.original_secret))
    if not done:
        return base
    if state is not None:
        state.put_items(done)
        for b in done:
            if b.size != -1:
                state.put_remote_hash(b.photo_id, b.original_secret, b.sha256)
    items = dict(base.items)
    items.update((b.key, b) for b in done)
    return dataclasses.replace(base, items=items)


def _unverified_conflicts(plan: Plan, remote: RemoteListing, hashes, local_items) -> list[Confirm]:
    """A conflict costs a renamed copy and an upload, so it must not rest on a content tag alone:
    a photo replaced on Flickr's website keeps the tag of its old content. Those originals are
    hashed first (a conflict downloads them anyway)."""
    fetching = {a.key: a for a in plan.actions if isinstance(a, Download)}
    checks = []
    for note in plan.conflicts:
        fetch = fetching.get(note.key)
        photo = remote.photos.get(fetch.photo_id) if fetch else None
        if photo is None or hashes.get((photo.photo_id, photo.original_secret)) is not None:
            continue
        local = local_items.get(note.key)
        if local is not None:
            checks.append(Confirm(note.key, photo.photo_id, photo.url_o, photo.original_secret, local.sha256))
    return checks


def _with_cached_hashes(remote: RemoteListing, state: StateDB) -> RemoteListing:
    hashes = state.remote_hashes()
    photos = {
        pid: dataclasses.replace(p, sha256=hashes.get((pid, p.original_secret), p.sha256))
        for pid, p in remote.photos.items()
    }
    return RemoteListing(photos=photos, albums=remote.albums, members=remote.members)


def _recover_unfinished_replaces(client, state: StateDB, remote: RemoteListing, base: Base, settings, root):
    """Replaces a crash or a lost answer left unconfirmed: hash the photo's original once, so a
    replace that did land is recognised as this file's content instead of a conflict."""
    pending = state.unfinished("replace")
    if not pending:
        return remote
    known = state.remote_hashes()
    checker = Executor(root, client, state, {}, remote, settings)
    for entry_id, key, sha, detail in pending:
        photo = remote.photos.get(str(detail.get("photo_id", "")))
        if photo is None:
            state.journal_end(entry_id, "photo gone")
            continue
        b = base.items.get(key)
        if (photo.photo_id, photo.original_secret) in known or (
            b is not None and b.photo_id == photo.photo_id and b.original_secret == photo.original_secret
        ):
            state.journal_end(
                entry_id, "did not land" if (photo.photo_id, photo.original_secret) not in known else "known"
            )
            continue
        try:
            tmp, digest, _, _ = checker._fetch(photo.url_o, media=photo.media)
            tmp.unlink(missing_ok=True)
            state.put_remote_hash(photo.photo_id, photo.original_secret, digest)
            if digest == sha:
                checker._retag(photo.photo_id, client.photo_info(photo.photo_id), sha)
        except (FlickrError, OSError):
            continue  # still unknown: the next run looks again
        state.journal_end(entry_id, "landed" if digest == sha else "replaced by someone else")
    return _with_cached_hashes(remote, state)


def _recover_unfinished_uploads(client, state: StateDB, remote: RemoteListing, settings, base_url, nsid):
    """Uploads a crash left without an answer: find them by content tag so none is repeated."""
    pending = state.unfinished("upload")
    if not pending:
        return remote
    listed = {p.sha256 for p in remote.photos.values() if p.sha256}
    finder = Executor(Path("."), client, state, {}, remote, settings)
    photos = dict(remote.photos)
    for entry_id, _key, sha, detail in pending:
        if sha in listed:
            state.journal_end(entry_id, "found in listing")
            continue
        if "body_sent" not in detail:
            # the crash came before the last byte left: Flickr cannot have this upload
            state.journal_end(entry_id, "not found: body never fully sent")
            continue
        found = finder.find_landed_upload(sha, since=detail["body_sent"])
        if found is None:
            state.journal_end(entry_id, "not found: did not land")
            continue
        # never downloaded: the local file it came from is still here and gets linked to it
        photo = photo_from_info(client.photo_info(found[0]), base_url, nsid, original_secret=found[1])
        photos[photo.photo_id] = photo
        state.journal_end(entry_id, f"found photo {photo.photo_id}")
    return RemoteListing(photos=photos, albums=remote.albums, members=remote.members)
