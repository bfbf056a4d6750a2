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
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pycsync import local as local_scan
from pycsync import metadata, naming
from pycsync.albummeta import AlbumInputs, plan_albums
from pycsync.check import Checked, RunCheck
from pycsync.config import SOURCE_DEFAULT, SOURCE_FOLDER, Value, Widening
from pycsync.errors import AuthFailed, PycsyncError, SafetyAbort, UsageError, disk_full, is_disk_full
from pycsync.events import Notify, RunCost, UploadsVisible, ignore
from pycsync.executor import Executor, Outcome, Settings
from pycsync.flickr import FlickrClient
from pycsync.folder_settings import FolderSettings
from pycsync.ignore import IgnoreRules
from pycsync.local import Sidecar
from pycsync.metaplan import LocalMeta, MetaInputs, plan_metadata
from pycsync.model import (
    Action,
    ApplySettings,
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
    MoveRemote,
    PlaceInAlbum,
    Plan,
    Policy,
    Privacy,
    RemoteListing,
    RemoveFromAlbum,
    Replace,
    SyncAlbumMeta,
    SyncMeta,
    Upload,
    folder_of,
    join_key,
    name_of,
    phase,
)
from pycsync.planner import plan as make_plan
from pycsync.recovery import reconcile_journal, with_cached_hashes
from pycsync.remote import HashLookup, ListingStats, list_remote, note_own_writes
from pycsync.safefs import META_DIR, RunFolders, SafeDir, UnsafeFolderError, open_meta
from pycsync.state import RootLock, StateCorrupt, StateDB
from pycsync.transfers import MIN_FREE_SPACE, Fetched, Transfers


@dataclass(frozen=True)
class SyncOptions:
    root: Path
    direction: Direction = Direction.BOTH
    dry_run: bool = False
    delete: bool = False
    max_delete: float = 50.0
    jobs: int = 8  # (see executor.Settings)
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
    # your own privacy setting (defaults, your config file, the command line) and its source:
    # what a .pycsync.toml widening who may see photos is compared with (None: ``privacy``)
    privacy_yours: Value | None = None
    # titles, descriptions, tags, dates and places both ways (False: pixels only)
    metadata: bool = True


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
    # the check phase: the account and its verdict (None: the plan needed neither), the cost
    checked: Checked | None = None
    # who may see this plan's new uploads and the photos whose privacy it changes, by privacy;
    # and the .pycsync.toml files among their sources that widen that beyond your own setting
    uploads_by_privacy: dict[str, int] = field(default_factory=dict)
    changes_by_privacy: dict[str, int] = field(default_factory=dict)
    widenings: list[Widening] = field(default_factory=list)
    # who besides you may see what the plan uploads or changes (said before the first upload)
    visible: UploadsVisible | None = None

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
        return _Run(client, options, root, planning, messages, started, notify).run()
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
                    result = _Run(client, options, root, state, messages, started, notify).run()
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
    return hashlib.sha256((client.credentials.token or "").encode()).hexdigest()[:32]


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


class Timings(dict[str, float]):
    """Seconds per part of a run (see SyncResult.timings): ``with timings("local"): ...``."""

    @contextmanager
    def __call__(self, part: str) -> Iterator[None]:
        start = time.monotonic()
        try:
            yield
        finally:
            self[part] = time.monotonic() - start


@dataclass
class _Scanned:
    """The folder as the scan found it, with what the run must say about it."""

    items: dict[str, LocalItem]  # key -> file (not copied: 100,000s of entries)
    folders: dict[str, str]  # folder key -> its spelling on disk, where the two differ
    hashed: int  # files whose content was read
    excluded: int  # media files outside the selection (counted by dry runs only)
    notes: list[tuple[str, str]]  # (path, why) passed over by design: not media, links
    unsynced: list[tuple[str, str]]  # (path, why) in the selection but not synced
    raw_paths: frozenset[str]  # which of the notes are camera RAW files
    photo_settings: FolderSettings  # the .pycsync.toml files over the run-wide settings
    settings_folders: dict[str, str]  # folder key -> its spelling on disk, of those holding a .pycsync.toml
    sidecars: dict[str, Sidecar]  # key -> its XMP sidecar (kept up to date as files move)
    lone_sidecars: dict[str, Sidecar]  # sidecars of no photo here (one moved without its sidecar)
    stand_ins: set[str]  # files the base stands in for this run (unreadable, refused): not read


class _Run:
    """One run, phase by phase: sign in, load the base, scan the folder, list Flickr (settling
    what a crashed run left open), plan, then (unless it is a dry run) execute and commit."""

    def __init__(
        self,
        client: FlickrClient,
        options: SyncOptions,
        root: Path,
        state: StateDB | None,
        messages: list[str],
        started: float,
        notify: Notify,
    ):
        self.client, self.options, self.root, self.state = client, options, root, state
        self.messages, self.started, self.notify = messages, started, notify
        self.timings = Timings()
        self.web_base = web_base(client)
        # (photo id, original secret) -> sha256 of the originals pycsync hashed before
        self.hashes: HashLookup = state.remote_hash_lookup() if state is not None else {}
        self.writes = state is not None and not options.dry_run  # (a dry run plans on a copy, or on nothing)
        self.listing = ListingStats()  # (its people.getInfo, when it read it, serves the check)
        self.checker: RunCheck | None = None
        self.checked: Checked | None = None

    def run(self) -> SyncResult:
        user_nsid, perms = self._sign_in()
        with self.timings("base"):
            base = self.state.load_base() if self.state is not None else Base()
            ignore = IgnoreRules.load(self.root, self.options.excludes)
        with self.timings("listing"):  # Flickr first: its first call says at once whether the token still works
            remote = self._list(base, user_nsid)
        with self.timings("local"):
            scanned = self._scan(base, ignore)
        with self.timings("plan"):
            remote, base = self._settle_journal(remote, base, user_nsid)
            base = _complete_unknown_secrets(self.state if self.writes else None, base, remote)
            policy = self._policy(perms, ignore, scanned.photo_settings)
            plan = _checked(make_plan(scanned.items, remote, base, policy))
        with self.timings("check"):
            plan = self._check(plan, base, scanned, remote, policy, user_nsid)
        if self.state is None or not self.writes:
            plan = self._metadata(plan, scanned, remote, base)
            excluded = {"local": scanned.excluded, "remote": len(plan.outside)}
            return self._result(plan, None, scanned, remote, scanned.notes, out_of_selection=excluded)
        _refuse_read_only(perms, plan)
        with self.timings("execute"):
            plan, outcome = self._execute(self.state, plan, scanned, remote, policy, base, perms)
        if outcome.stopped is not None:  # every action it finished is recorded already
            return self._result(plan, outcome, scanned, remote, scanned.notes)
        self._commit(self.state, plan, outcome, user_nsid, remote)
        return self._result(plan, outcome, scanned, remote, self.state.newly_reported(scanned.notes))

    def _sign_in(self) -> tuple[str, str]:
        """Who the token belongs to and what it may do (see :func:`_identity`); the folder must
        be this account's."""
        user_nsid, perms = _identity(self.client, self.state)
        if self.writes and self.state is not None:
            account = self.state.get_meta("account")
            if account and account != user_nsid:
                raise UsageError(
                    f"this folder was synced with Flickr account {account}, but you are signed in "
                    f"as {user_nsid}; use `--rebuild-state` to sync it with this account"
                )
            if perms and self.state.get_meta("token") != _token_id(self.client):
                # asked once: a run stopped part way resumes without asking again
                self.state.set_meta("account", user_nsid)
                self.state.set_meta("perms", perms)
                self.state.set_meta("token", _token_id(self.client))
        return user_nsid, perms

    def _scan(self, base: Base, ignore: IgnoreRules | None) -> _Scanned:
        options = self.options
        scan = local_scan.scan(
            self.root,
            base=base.items,
            ignore=ignore,
            full=options.full,
            follow_symlinks=options.follow_symlinks,
            count_excluded=options.dry_run,
        )
        items = scan.items
        stand_ins: set[str] = set()  # (their metadata is not read)
        for key, b in base.items.items() if scan.skipped else ():  # nothing skipped: nothing unlisted
            # unreadable or changing files are unknown this run, not deleted
            if key not in items and scan.unlisted(key):
                items[key] = LocalItem(key, key, b.size, b.mtime_ns, b.sha256)
                stand_ins.add(key)
        refused = _set_aside_refused(self.state, items, base, self.writes) if self.state is not None else []
        stand_ins.update(self.state.refused() if self.state is not None else ())
        return _Scanned(
            items,
            scan.folders,
            scan.hashed,
            scan.excluded,
            notes=[(s.path, s.reason) for s in scan.skipped if not s.unsynced],
            unsynced=[(s.path, s.reason) for s in scan.skipped if s.unsynced] + refused,
            raw_paths=frozenset(s.path for s in scan.skipped if s.raw),
            photo_settings=self._photo_settings(scan.settings_folders),
            settings_folders=scan.settings_folders,
            sidecars=scan.sidecars,
            lone_sidecars=scan.lone_sidecars,
            stand_ins=stand_ins,
        )

    def _photo_settings(self, settings_folders) -> FolderSettings:
        """The .pycsync.toml files found by the scan, over the run-wide settings."""
        options = self.options
        yours = options.privacy_yours or Value(options.privacy, SOURCE_DEFAULT)
        run_wide = Value(options.privacy, SOURCE_FOLDER if options.privacy_widening else yours.source)
        return FolderSettings.load(self.root, settings_folders, run_wide, yours)

    def _check(
        self, plan: Plan, base: Base, scanned: _Scanned, remote: RemoteListing, policy: Policy, user_nsid: str = ""
    ) -> Plan:
        """The check phase (see :mod:`pycsync.check`): the plan with the settings changes, held
        against the account (exit 7 when it passes its limits), less what is held back."""
        if self.checker is None:
            state = self.state
            self.checker = RunCheck(
                self.client,
                user_nsid=user_nsid,
                root=self.root,
                local=scanned.items,
                remote=remote,
                folders=scanned.photo_settings,
                applied=state.applied_settings() if state is not None and scanned.photo_settings else {},
                direction=self.options.direction,
                excluded=policy.excluded,
                person=self.listing.person,
                meta=None if state is None else (state.get_meta, state.set_meta),
            )
        self.checker.local, self.checker.remote = scanned.items, remote
        self.checked = self.checker.run(plan, base)
        return self.checked.plan

    def _list(self, base: Base, user_nsid: str) -> RemoteListing:
        """Flickr's side: what changed since the last listing."""
        state, options = self.state, self.options
        return list_remote(
            self.client,
            stats=self.listing,
            web_base=self.web_base,
            user_nsid=user_nsid,
            known_hashes=self.hashes,
            # only what changed on Flickr since the last listing is read (a dry run writes nothing)
            cache=_ReadOnlyCache(state) if state is not None and not self.writes else state,
            full=options.full or options.rebuild_state,
            base_items=base.items.values(),  # (shares their strings: memory)
        )

    def _settle_journal(self, remote: RemoteListing, base: Base, user_nsid: str) -> tuple[RemoteListing, Base]:
        """The listing and base with what the journal left open settled (see :mod:`pycsync.recovery`)."""
        state, options = self.state, self.options
        if not self.writes or state is None:
            return remote, base
        with RunFolders(self.root) as folders:
            transfers = Transfers(
                self.client,
                folders.tmp,
                unknown_upload_wait=options.unknown_upload_wait,
                min_free_space=options.min_free_space,
            )
            return reconcile_journal(state, remote, base, transfers, web_base=self.web_base, user_nsid=user_nsid)

    def _policy(self, perms: str, ignore: IgnoreRules | None, folders: FolderSettings) -> Policy:
        options, state = self.options, self.state
        return Policy(
            direction=options.direction,
            delete=options.delete,
            max_delete_pct=options.max_delete,
            can_delete_photos=perms == "delete",
            layout=options.layout,
            rebuilding=options.rebuild_state or (state is not None and state.get_meta(REBUILDING) == "1"),
            excluded=ignore.excludes if ignore else None,
            album_titles=folders.album_titles(),
            titled_albums=frozenset(a for a, b in state.album_meta().items() if b.get("title"))
            if state
            else frozenset(),
        )

    def _execute(
        self,
        state: StateDB,
        plan: Plan,
        scanned: _Scanned,
        remote: RemoteListing,
        policy: Policy,
        base: Base,
        perms: str,
    ) -> tuple[Plan, Outcome]:
        """Run the plan. Two passes may come first, each followed by planning again: folders are
        renamed after their albums (renamed on Flickr), then the originals a name match or a
        conflict rests on are hashed. The outcome counts every pass; a stopped pass ends it."""
        fetched: dict[tuple[str, str], Fetched] = {}  # originals hashed, kept for their download
        done = Outcome()
        try:
            renames = tuple(a for a in plan.actions if isinstance(a, MoveFolder))
            if renames:
                mover = self._executor(state, scanned, remote, fetched)
                done = mover.run(Plan(actions=renames))
                if done.stopped is not None:
                    return plan, done
                # (a rename that failed is planned again, and its folder left alone)
                scanned.items, scanned.folders, scanned.sidecars = mover.local, mover.folders, mover.sidecars
                scanned.photo_settings = self._photo_settings(_settings_after_renames(scanned, renames))
                base = state.load_base()
                plan = self._check(
                    _checked(make_plan(scanned.items, remote, base, policy)), base, scanned, remote, policy
                )
            confirms = [a for a in plan.actions if isinstance(a, Confirm)]
            confirms += _unverified_conflicts(plan, remote, self.hashes, scanned.items)
            if confirms:
                hashing = self._executor(state, scanned, remote, fetched).run(Plan(actions=tuple(confirms)))
                hashing.merge(done)
                done = hashing
                if done.stopped is not None:
                    return plan, done
                remote = with_cached_hashes(remote, state.remote_hashes())
                base = state.load_base()
                plan = self._check(
                    _checked(make_plan(scanned.items, remote, base, policy)), base, scanned, remote, policy
                )
            plan = self._metadata(plan, scanned, remote, base)
            _refuse_read_only(perms, plan)
            self._before_sending(state, plan, scanned)
            outcome = self._executor(state, scanned, remote, fetched).run(plan)
            outcome.merge(done)
            return plan, outcome
        finally:
            for leftover in fetched.values():  # hashed, then not needed after all
                leftover.tmp.unlink(missing_ok=True)

    def _before_sending(self, state: StateDB, plan: Plan, scanned: _Scanned) -> None:
        """Files too large or too long are remembered as refused until they change; who may see
        what is uploaded or changed, and what the plan costs, are said before the first upload;
        the rate limiter learns the plan's calls (a run beyond the hour's budget is paced)."""
        checked = self.checked
        for key, reason in checked.refused if checked is not None else ():
            item = scanned.items.get(key)
            if item is not None:
                state.put_refused(key, item.size, item.mtime_ns, reason)
        visible = uploads_visible(plan, scanned.photo_settings, self.options)
        if visible is not None:
            self.notify(visible)
        if checked is not None and not plan.is_empty():
            self.notify(RunCost(checked.estimate))
            if self.client.limiter is not None:
                self.client.limiter.plan_calls(checked.estimate.calls)

    def _executor(
        self, state: StateDB, scanned: _Scanned, remote: RemoteListing, fetched: dict[tuple[str, str], Fetched]
    ) -> Executor:
        options = self.options
        settings = Settings(
            jobs=options.jobs,
            privacy=options.privacy,
            layout=options.layout,
            unknown_upload_wait=options.unknown_upload_wait,
            min_free_space=options.min_free_space,
            folders=scanned.photo_settings,
        )
        return Executor(
            self.root,
            self.client,
            state,
            dict(scanned.items),
            remote,
            settings,
            self.notify,
            fetched=fetched,
            folders=scanned.folders,
            sidecars=scanned.sidecars,
        )

    def _metadata(self, plan: Plan, scanned: _Scanned, remote: RemoteListing, base: Base) -> Plan:
        """The plan with the photos' metadata (nothing with --no-metadata)."""
        if not self.options.metadata:
            return plan
        scanned.notes = _adopt_sidecars(plan, scanned, scanned.notes)
        plan = _with_metadata(
            plan,
            self.root,
            scanned.items,
            scanned.sidecars,
            scanned.stand_ins,
            remote,
            base,
            self.state,
            self.options,
            scanned.unsynced,
            *_settings_tags(scanned.photo_settings, self.state, (*scanned.items, *_arriving_keys(plan))),
        )
        layout = self.options.layout.value
        inputs = AlbumInputs(
            declared={f: file.album for f, file in scanned.photo_settings.files.items()},
            bases=self.state.album_meta() if self.state is not None else {},
            folders=frozenset(naming.album_folder_for_key(k, layout) for k in (*scanned.items, *_arriving_keys(plan))),
            layout=layout,
        )
        return plan_albums(plan, remote.albums, inputs, self.options.direction)

    def _commit(self, state: StateDB, plan: Plan, outcome: Outcome, user_nsid: str, remote: RemoteListing) -> None:
        """What a run that got to its end records besides its actions."""
        _remember_albums(state, plan, self.options.layout)
        if plan.names:
            state.set_names(dict(plan.names))
        if self.options.metadata:
            state.record_meta(dict(plan.meta_records), dict(plan.meta_sigs))
            state.prune_photo_meta()
            state.put_album_meta(plan.album_records)
            state.prune_album_meta(remote.albums)
        if not outcome.failed and not outcome.permanent:
            state.set_meta(REBUILDING, "0")
        state.set_meta("account", user_nsid)
        state.set_meta("last_sync", str(int(time.time())))
        state.prune_journal()

    def _result(
        self,
        plan: Plan,
        outcome: Outcome | None,
        scanned: _Scanned,
        remote: RemoteListing,
        skipped: list[tuple[str, str]],
        out_of_selection: dict[str, int] | None = None,
    ) -> SyncResult:
        held = self.checked.unsynced if self.checked is not None else []
        not_sent = outcome.not_sent if outcome is not None else []
        return SyncResult(
            plan,
            outcome,
            skipped,
            self.messages,
            time.monotonic() - self.started,
            scanned.hashed,
            dict(self.timings),
            privacy=self.options.privacy,
            privacy_widening=self.options.privacy_widening,
            error=outcome.stopped if outcome is not None else None,
            unsynced=scanned.unsynced + held + not_sent + list(plan.skipped),
            out_of_selection=out_of_selection,
            raw_paths=scanned.raw_paths,
            remote=remote,
            checked=self.checked,
            **privacy_counts(plan, scanned.photo_settings, self.options),
            visible=uploads_visible(plan, scanned.photo_settings, self.options),
        )


def _settings_after_renames(scanned: _Scanned, renames) -> dict[str, str]:
    """The folders that may hold a .pycsync.toml once these folders were renamed after their
    albums (a folder moved whole took its file along; one emptied file by file left it)."""
    found = dict(scanned.settings_folders)
    for key in list(found):
        for rename in renames:
            if key == rename.folder or key.startswith(rename.folder + "/"):
                new = rename.new_folder + key[len(rename.folder) :]
                found[new] = scanned.folders.get(new, new)
    return found


def _checked(plan: Plan) -> Plan:
    """The plan, unless a safety guard refused it (then nothing may run)."""
    if plan.abort:
        raise SafetyAbort(plan.abort)
    return plan


def _arriving_keys(plan: Plan) -> list[str]:
    """The files a plan brings here (downloads, copies)."""
    return [a.key for a in plan.actions if isinstance(a, (Download, CopyLocal))]


def _settings_tags(
    folders: FolderSettings, state: StateDB | None, keys
) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(folder -> the clean tags its settings files add, for the folders of ``keys``; photo id ->
    those they gave the photo before: a setting changed this run is applied after the listing).
    On the photos of those folders they are pycsync's, as far as the photo's metadata does not
    hold them itself (see :func:`pycsync.metaplan.settings_tags_out_of_view`)."""
    if not folders:
        return {}, {}
    by_folder = {}
    for folder in {folder_of(k) for k in keys}:
        tags = folders.resolve(folder)["tags"]
        if tags:
            by_folder[folder] = frozenset(metadata.clean_tag(t) for t in tags)  # type: ignore[attr-defined]
    given = {}
    for photo_id, applied in (state.applied_settings() if state is not None else {}).items():
        if applied.get("tags"):
            given[photo_id] = frozenset(metadata.clean_tag(t) for t in applied["tags"])
    return by_folder, given


def _with_metadata(
    plan: Plan,
    root: Path,
    local_items: dict[str, LocalItem],
    sidecars: dict[str, Sidecar],
    stand_ins: set[str],
    remote: RemoteListing,
    base: Base,
    state: StateDB | None,
    options: SyncOptions,
    unsynced: list[tuple[str, str]],
    folder_tags: Mapping[str, frozenset[str]] | None = None,
    given_tags: Mapping[str, frozenset[str]] | None = None,
) -> Plan:
    """The plan with the photos' metadata added (pycsync.metaplan). Only files that may say
    something new are read: new ones, and those whose content or sidecar changed since their
    photo's metadata last synced (or that never synced)."""
    updates = state.meta_updates() if state is not None else {}
    read_keys = []
    for key, item in local_items.items():
        if key in stand_ins:
            continue
        b = base.items.get(key)
        if b is not None and not item.hashed:
            sig = sidecars[key].signature if key in sidecars else ""
            known = updates.get(b.photo_id)
            if b.meta_sig == sig and known is not None and known[1]:
                continue
        read_keys.append(key)
    local_meta, skip = _read_local_meta(root, read_keys, local_items, sidecars, unsynced)
    wanted = {base.items[k].photo_id for k in local_meta if k in base.items}
    for pid, photo in remote.photos.items():
        known = updates.get(pid)
        if known is not None and (known[0] != photo.last_update or not known[1]):
            wanted.add(pid)
    for a in plan.actions:
        if isinstance(a, (Download, CopyLocal, Link, Replace)):
            wanted.add(a.photo_id)
    inputs = MetaInputs(
        local_meta=local_meta,
        photo_meta=state.photo_meta(wanted) if state is not None else {},
        updates=updates,
        sidecars={k: s.signature for k, s in sidecars.items()},
        skip=frozenset(skip | stand_ins),
        since=_listing_since(state),
        folder_tags=folder_tags or {},
        given_tags=given_tags or {},
    )
    with_meta = plan_metadata(plan, local_items, remote, base, inputs, options.direction)
    return dataclasses.replace(with_meta, actions=tuple(sorted(with_meta.actions, key=phase)))


def _listing_since(state: StateDB | None) -> int | None:
    """Flickr's time before which the last listing held every change (see pycsync.remote)."""
    if state is None:
        return None
    text = state.get_meta("remote.since")
    return int(text) if text and text.lstrip("-").isdigit() else None


def _adopt_sidecars(plan: Plan, scan: _Scanned, notes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A file moved or renamed here without its sidecar left it behind: the sidecar still belongs
    to it (the executor moves it along), so what it says is not taken for a change. Returns the
    notes less the sidecars so found."""
    if not scan.lone_sidecars:
        return notes
    lone = {path.casefold(): side for path, side in scan.lone_sidecars.items()}
    adopted = set()
    for a in plan.actions:
        if not isinstance(a, MoveRemote) or a.key in scan.sidecars or a.key not in scan.items:
            continue
        folder = scan.items[a.key].path.rpartition("/")[0]
        old = a.src_key.rpartition("/")[0]
        old_folder = folder if old == a.key.rpartition("/")[0] else old
        for name in (metadata.sidecar_name(name_of(a.src_key)), metadata.adobe_sidecar_name(name_of(a.src_key))):
            side = lone.get(join_key(old_folder, name).casefold())
            if side is not None and side.path not in adopted:
                scan.sidecars[a.key] = side
                adopted.add(side.path)
                break
    return [(path, why) for path, why in notes if path not in adopted]


def _read_local_meta(
    root: Path,
    keys: list[str],
    local_items: dict[str, LocalItem],
    sidecars: dict[str, Sidecar],
    unsynced: list[tuple[str, str]],
) -> tuple[dict[str, LocalMeta], set[str]]:
    """What these files and their sidecars say; files whose sidecar cannot be read are left
    out (and reported: their metadata is not synced until it can be)."""
    out: dict[str, LocalMeta] = {}
    skip: set[str] = set()
    for key in keys:
        item = local_items[key]
        side = sidecars.get(key)
        try:
            data = _read_sidecar_file(root, side.path) if side is not None else None
            embedded, meta = metadata.read_local(root / item.path, data, video=naming.is_video(key))
        except (OSError, metadata.MetaError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            unsynced.append((side.path if side is not None else item.path, f"metadata not synced: {why}"))
            skip.add(key)
            continue
        out[key] = LocalMeta(embedded, meta, side.signature if side is not None else "")
    return out, skip


def _read_sidecar_file(root: Path, rel: str) -> bytes:
    """A sidecar's bytes (never through a link; at most what a sidecar can be, plus one)."""
    with SafeDir.open(root) as top, top.walk(rel.split("/")[:-1]) as folder:
        fd = folder.open_file(rel.rpartition("/")[2])
    with open(fd, "rb") as f:
        return f.read(metadata.MAX_SIDECAR_BYTES + 1)


def privacy_counts(plan: Plan, folders: FolderSettings, options: SyncOptions) -> dict:
    """Who may see the plan's new uploads and the photos whose privacy it changes (privacy ->
    how many), and the .pycsync.toml files among their sources that widen that beyond your own
    setting (SyncResult's uploads_by_privacy, changes_by_privacy, widenings)."""
    uploads: Counter = Counter()
    changes: Counter = Counter()
    sources: set[str] = set()
    for a in plan.actions:
        if isinstance(a, Upload):
            value = folders.resolve(folder_of(a.keys[0])).values["privacy"]
            uploads[str(value.value)] += len(a.keys)
            sources.add(value.source)
        elif isinstance(a, ApplySettings):
            for name, _, new in a.changes:
                if name == "privacy":
                    changes[str(new)] += 1
                    sources.add(folders.resolve(folder_of(a.key)).values["privacy"].source)
    widenings = [w for w in folders.widenings() if folders.shown(w.file) in sources]
    if options.privacy_widening is not None and any(not s.endswith(naming.SETTINGS_FILE) for s in sources):
        widenings.insert(0, options.privacy_widening)  # (the sync folder's config.toml, for uploads)
    return {"uploads_by_privacy": dict(uploads), "changes_by_privacy": dict(changes), "widenings": widenings}


def uploads_visible(plan: Plan, folders: FolderSettings, options: SyncOptions) -> UploadsVisible | None:
    """Whether a plan uploads photos, or changes photos already on Flickr so that, anyone but you
    may see them (said before the first upload)."""
    counts = privacy_counts(plan, folders, options)
    shown = [p for p in Privacy if p is not Privacy.PRIVATE]
    uploads = tuple((p, n) for p in shown if (n := counts["uploads_by_privacy"].get(p, 0)))
    changes = tuple((p, n) for p in shown if (n := counts["changes_by_privacy"].get(p, 0)))
    if not uploads and not changes:
        return None
    return UploadsVisible(uploads, changes, tuple(counts["widenings"]))


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


def _refuse_read_only(perms: str | None, plan: Plan) -> None:
    if perms == "read" and any(_writes_flickr(a) for a in plan.actions):
        raise AuthFailed(
            "this sign-in may only read from Flickr, and this sync would change it: run "
            "`pycsync auth --perms write` (or `--perms delete`), or sync with --pull"
        )


def _writes_flickr(action: Action) -> bool:
    if isinstance(action, SyncMeta):
        return action.push and action.merged.changes_remote
    if isinstance(action, SyncAlbumMeta):
        return bool(action.to_remote)
    return isinstance(action, _FLICKR_WRITES)


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


def _unverified_conflicts(
    plan: Plan, remote: RemoteListing, hashes: HashLookup, local_items: Mapping[str, LocalItem]
) -> list[Confirm]:
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
