"""One sync run: lock -> scan local -> list remote -> plan -> (dry-run | execute) -> commit.

Library first: the CLI only parses options and calls `sync`; tests and the demo call it too.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pycsync import local as local_scan
from pycsync import naming
from pycsync.executor import PRIVACY, Executor, Outcome, Settings
from pycsync.flickr import FlickrClient
from pycsync.ignore import IgnoreRules
from pycsync.model import Base, Confirm, Direction, Layout, LocalItem, Plan, Policy, RemoteListing
from pycsync.planner import plan as make_plan
from pycsync.remote import list_remote, to_remote_photo
from pycsync.state import RootLock, StateCorrupt, StateDB

META_DIR = ".pycsync"


class SafetyAbort(Exception):
    """A guard refused the run before anything changed: exit status 7."""


class UsageError(Exception):
    """The request makes no sense for this folder: exit status 2."""


@dataclass(frozen=True)
class SyncOptions:
    root: Path
    direction: Direction = Direction.BOTH
    dry_run: bool = False
    delete: bool = False
    max_delete: float = 50.0
    jobs: int = 4
    privacy: str = "private"
    layout: Layout = Layout.NESTED
    excludes: tuple[str, ...] = ()
    full: bool = False
    rebuild_state: bool = False
    follow_symlinks: bool = False
    unknown_upload_wait: float = 60.0


@dataclass
class SyncResult:
    plan: Plan
    outcome: Outcome | None
    skipped: list[tuple[str, str]] = field(default_factory=list)  # newly reported only
    messages: list[str] = field(default_factory=list)
    seconds: float = 0.0
    files_hashed: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome is None or not self.outcome.failed


def web_base(client: FlickrClient) -> str:
    """The site root (www.flickr.com, or the emulator) that owner-only video URLs live under."""
    return client.endpoints.authorize.rsplit("/services/", 1)[0]


def sync(
    client: FlickrClient,
    options: SyncOptions,
    notify: Callable[[str, str, str], None] = lambda kind, key, detail: None,
) -> SyncResult:
    started = time.monotonic()
    root = Path(options.root).expanduser()
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder")
    root = root.resolve()
    if options.privacy not in PRIVACY:
        raise UsageError(f"unknown privacy {options.privacy!r}; use one of {', '.join(PRIVACY)}")
    if not 0 <= options.max_delete <= 100:
        raise UsageError("--max-delete is a percentage between 0 and 100")
    meta = root / META_DIR
    messages: list[str] = []

    if options.dry_run and not (meta / "state.db").exists():
        return _run(client, options, root, None, messages, started, notify)
    meta.mkdir(mode=0o700, exist_ok=True)
    with RootLock(meta / "lock"):
        state = _open_state(meta, options.rebuild_state, messages)
        try:
            return _run(client, options, root, state, messages, started, notify)
        finally:
            state.close()


def _open_state(meta: Path, rebuild: bool, messages: list[str]) -> StateDB:
    """Open the state DB; a corrupt one is set aside and rebuilt from Flickr's content tags."""
    path = meta / "state.db"
    try:
        state = StateDB(path)
    except StateCorrupt as exc:
        aside = path.with_name(f"state.db.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(path) + suffix)
            if src.exists():
                shutil.move(src, Path(str(aside) + suffix))
        messages.append(f"{exc}; moved it to {aside.name} and rebuilding the state from Flickr")
        return StateDB(path)
    if rebuild:
        state.clear_base()
        messages.append("rebuilding the state from Flickr's content tags (nothing is re-uploaded)")
    return state


def _run(client, options: SyncOptions, root: Path, state: StateDB | None, messages, started, notify):
    login = client.test_login()
    perms = client.check_token()
    if state is not None:
        account = state.get_meta("account")
        if account and account != login.user_nsid and not options.dry_run:
            raise UsageError(
                f"this folder was synced with Flickr account {account}, but you are signed in "
                f"as {login.user_nsid}; use `--rebuild-state` to sync it with this account"
            )
    base = state.load_base() if state else Base()
    ignore = IgnoreRules.load(root, options.excludes)
    scan = local_scan.scan(root, base=base.items, ignore=ignore, full=options.full,
                           follow_symlinks=options.follow_symlinks)
    hashed = sum(1 for item in scan.items.values() if item.hashed)
    local_items = dict(scan.items)
    for key, b in base.items.items():
        # unreadable or changing files are unknown this run, not deleted
        if key not in local_items and scan.unlisted(key):
            local_items[key] = LocalItem(key, key, b.size, b.mtime_ns, b.sha256)
    hashes = state.remote_hashes() if state else {}
    base_url = web_base(client)
    remote = list_remote(client, web_base=base_url, user_nsid=login.user_nsid, known_hashes=hashes)
    settings = Settings(
        jobs=options.jobs,
        privacy=options.privacy,
        layout=options.layout,
        unknown_upload_wait=options.unknown_upload_wait,
        user_nsid=login.user_nsid,
    )
    if state is not None and not options.dry_run:
        remote = _recover_unfinished_uploads(client, state, remote, settings, base_url, login.user_nsid)
    policy = Policy(
        direction=options.direction,
        delete=options.delete,
        max_delete_pct=options.max_delete,
        can_delete_photos=perms == "delete",
        layout=options.layout,
    )
    plan = make_plan(local_items, remote, base, policy)
    if plan.abort:
        raise SafetyAbort(plan.abort)
    skipped = [(s.path, s.reason) for s in scan.skipped] + list(plan.skipped)
    if options.dry_run or state is None:
        return SyncResult(plan, None, skipped, messages, time.monotonic() - started, hashed)

    confirms = [a for a in plan.actions if isinstance(a, Confirm)]
    if confirms:
        # a first sync matched names without content tags: hash those originals, then decide
        Executor(root, client, state, dict(local_items), remote, settings, notify).run(
            Plan(actions=tuple(confirms))
        )
        remote = _with_cached_hashes(remote, state)
        base = state.load_base()
        plan = make_plan(local_items, remote, base, policy)
        if plan.abort:
            raise SafetyAbort(plan.abort)
    outcome = Executor(root, client, state, dict(local_items), remote, settings, notify).run(plan)
    _remember_albums(state, plan, options.layout)
    state.set_meta("account", login.user_nsid)
    state.set_meta("last_sync", str(int(time.time())))
    skipped = state.newly_reported([(s.path, s.reason) for s in scan.skipped]) + list(plan.skipped)
    return SyncResult(plan, outcome, skipped, messages, time.monotonic() - started, hashed)


def _remember_albums(state: StateDB, plan: Plan, layout: Layout) -> None:
    """Pin folder <-> album pairs in use, so a later album rename never moves files."""
    in_use = {naming.album_folder_for_key(k, layout.value) for k in state.load_base().items}
    state.set_albums({f: a for f, a in plan.albums.items() if f in in_use})


def _with_cached_hashes(remote: RemoteListing, state: StateDB) -> RemoteListing:
    hashes = state.remote_hashes()
    photos = {
        pid: dataclasses.replace(p, sha256=hashes.get((pid, p.original_secret), p.sha256))
        for pid, p in remote.photos.items()
    }
    return RemoteListing(photos=photos, albums=remote.albums, members=remote.members)


def _recover_unfinished_uploads(client, state: StateDB, remote: RemoteListing, settings, base_url, nsid):
    """Uploads a crash left without an answer: find them by content tag so none is repeated."""
    pending = state.unfinished("upload")
    if not pending:
        return remote
    listed = {p.sha256 for p in remote.photos.values() if p.sha256}
    finder = Executor(Path("."), client, state, {}, remote, settings)
    photos = dict(remote.photos)
    for entry_id, key, sha, _ in pending:
        if sha in listed:
            state.journal_end(entry_id, "found in listing")
            continue
        found = finder.find_landed_upload(sha)
        if found is None:
            state.journal_end(entry_id, "not found: did not land")
            continue
        info = client.photo_info(found[0])
        rec = {
            "id": found[0],
            "originalsecret": info.get("originalsecret", found[1]),
            "originalformat": info.get("originalformat", "jpg"),
            "media": info.get("media", "photo"),
            "title": info.get("title"),
            "machine_tags": " ".join(
                t.get("raw", "") for t in info.get("tags", {}).get("tag", []) if str(t.get("machine_tag")) == "1"
            ),
            "url_o": "",
        }
        # never downloaded: the local file it came from is still here and gets linked to it
        photo = to_remote_photo(rec, (), base_url, nsid, {})
        photos[photo.photo_id] = photo
        state.journal_end(entry_id, f"found photo {photo.photo_id}")
    return RemoteListing(photos=photos, albums=remote.albums, members=remote.members)

