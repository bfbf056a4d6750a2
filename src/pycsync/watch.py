"""`pycsync watch`: continuous two-way sync, as a loop of ordinary sync runs.

Every run is :func:`pycsync.app.sync` (the same planner, journal, lock and guarantees as
`pycsync sync`); this module only decides *when* to run:

- Local side: filesystem events (``watchfiles``), or a periodic scan where events are not
  available. A changed file is synced once it has stopped changing (its size, mtime and inode
  unchanged for ``settle`` seconds); a burst of changes becomes one run, and files still changing
  when a run starts are left out of it (excluded by exact path), so a file being written is never
  sent half-written. A photo's XMP sidecar and a folder's ``.pycsync.toml`` count as changes
  too (an editor's metadata, a folder's settings). Events inside ``.pycsync/``, of other hidden
  files, of files that are not photos, videos or sidecars and outside the selection are ignored,
  and so are the run's own writes (downloads, moves, sidecars, the trash).
- Flickr side: a run every ``interval`` seconds (its incremental listing), spaced so that these
  polls never spend more than ``poll_share`` percent of the hourly call budget; backed off when
  a run fails (offline, 429/5xx after retries, a revoked token), and started again soon after
  the computer wakes from sleep (a jump of the wall clock against the monotonic clock).

The folder's run lock is taken per run, not per session, so `pycsync status` works while a watch
runs, and a manual `pycsync sync` gets the usual "another run" exit (5) only while a watch run is
in progress (the watch waits for a manual run the same way, retrying every few seconds). A
session lock (``.pycsync/watch.lock``) keeps a second watch off the same folder.

:class:`Watch` takes its clock, wall clock, file status and event source as parameters, so its
decisions are tested without sleeping (tests/unit/test_watch.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import plistlib
import queue
import re
import stat as st
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pycsync import metadata, naming
from pycsync.app import SyncOptions, SyncResult, sync
from pycsync.errors import (
    AuthFailed,
    Interrupted,
    LockedError,
    PycsyncError,
    SafetyAbort,
    StateError,
    UsageError,
    as_error,
)
from pycsync.events import (
    ActionDone,
    ActionFailed,
    Done,
    Event,
    Notify,
    TransferFinished,
    TransferProgress,
    TransferStarted,
    UploadsStopped,
    UploadsVisible,
)
from pycsync.flickr import FlickrClient
from pycsync.flickr.errors import FlickrError
from pycsync.flickr.ratelimit import RateLimiter
from pycsync.ignore import IGNORE_FILE, IgnoreRules
from pycsync.model import name_of
from pycsync.report import (
    LABELS,
    VERBOSE_ONLY,
    action_detail,
    error_document,
    privacy_notice,
    run_warnings,
    summarise,
    summary_line,
)
from pycsync.safefs import META_DIR, UnsafeFolderError, open_meta
from pycsync.state import RootLock

log = logging.getLogger("pycsync.watch")

#: what a poll that finds nothing costs, assumed until one has been measured: a sync with nothing
#: to do (getList, recentlyUpdated, people.getInfo: see the README's performance table)
IDLE_POLL_CALLS = 3
#: Flickr's per-key limit: the hourly budget the poll share is taken from under --rate-limit 0
FLICKR_CALLS_PER_HOUR = 3600
WINDOW = 3600.0
#: the wall clock ran this much further than the monotonic clock: the computer was asleep
WAKE_JUMP = 30.0
#: after waking, Flickr is looked at this much later (the network comes back first)
WAKE_GRACE = 5.0
#: the longest single wait, so that a wake from sleep is noticed within this long
LONGEST_WAIT = 30.0
#: how often a run is tried again while another run holds the folder
LOCK_RETRY = 2.0
#: files that settled wait at most this long for others still changing (a long copy): then they
#: are synced and the others left for a later run
MAX_WAIT = 60.0
#: the first delay after a failed run; it doubles with each failure, up to the interval
FIRST_BACKOFF = 5.0

#: (size, mtime_ns, inode) of a file, "dir" for a folder, "other" for anything else, None: absent
Sig = tuple[int, int, int] | str | None
#: (what happened: "added", "modified" or "deleted", the absolute path)
Change = tuple[str, str]

#: what the executor does that writes in the folder, and so causes filesystem events of its own
LOCAL_WRITES = frozenset({Done.DOWNLOADED, Done.REPLACED_LOCALLY, Done.MOVED, Done.TRASHED})
#: triggers that are polls of Flickr (counted against the poll share)
POLLS = frozenset({"flickr", "retry", "wake"})
TRIGGERS = {
    "start": "start",
    "local": "local changes",
    "flickr": "looking at Flickr",
    "retry": "trying again",
    "wake": "after sleep",
}


def file_sig(path: str) -> Sig:
    """What is at ``path`` now, compared to tell whether it changed (links are never followed)."""
    try:
        s = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:
        return "other"  # (unreadable: the run reports it)
    if st.S_ISREG(s.st_mode):
        return (s.st_size, s.st_mtime_ns, s.st_ino)
    return "dir" if st.S_ISDIR(s.st_mode) else "other"


def literal_pattern(key: str) -> str:
    """A selection pattern (gitignore syntax) that matches exactly the file ``key``."""
    return "/" + re.sub(r"([\\*?\[\]!# ])", r"\\\1", key)


# ---------------------------------------------------------------------- settings and runs


@dataclass(frozen=True)
class WatchSettings:
    interval: float = 300.0  # seconds between looks at Flickr
    poll_share: float = 10.0  # percent of the hourly call budget polls may spend
    calls_per_hour: int = 3000  # the hourly call budget (--rate-limit; 0: Flickr's own limit)
    settle: float = 2.0  # seconds a changed file must stay unchanged before it is synced
    max_wait: float = MAX_WAIT
    metadata: bool = True  # the runs sync metadata: an edited sidecar is a change

    @property
    def poll_allowance(self) -> float:
        """API calls an hour polls may spend."""
        return (self.calls_per_hour or FLICKR_CALLS_PER_HOUR) * self.poll_share / 100

    def backoff(self, failures: int) -> float:
        """The delay after ``failures`` failed runs in a row: 5 s, doubling, up to the interval."""
        cap = max(FIRST_BACKOFF, self.interval)
        return min(cap, FIRST_BACKOFF * 2 ** max(0, failures - 1))


@dataclass(frozen=True)
class RunRequest:
    number: int
    trigger: str  # a key of TRIGGERS
    changes: int = 0  # local changes that settled and are synced by this run
    held: tuple[str, ...] = ()  # keys still changing, left out of this run

    @property
    def excludes(self) -> tuple[str, ...]:
        return tuple(literal_pattern(k) for k in self.held for k in _held_files(k))


def _held_files(key: str) -> tuple[str, ...]:
    """What a run leaves out while ``key`` is still changing: the file, and for a sidecar
    ``NAME.EXT.xmp`` its photo (a half-written sidecar is not read)."""
    photo = key[: -len(metadata.SIDECAR_EXT)]
    return (key, photo) if metadata.is_sidecar_name(key) and naming.is_media(name_of(photo)) else (key,)


@dataclass
class RunReport:
    request: RunRequest
    started: float  # wall clock
    result: SyncResult | None = None  # None: the run ended before it had anything to report
    error: PycsyncError | None = None  # why it stopped (result.error, or what ended it early)
    calls: dict[str, int] = field(default_factory=dict)  # by method, downloads included
    stop_requested: bool = False  # the session was asked to stop while this run went on
    bug: Exception | None = None  # what was not one of pycsync's errors: the watch ends

    @property
    def api_calls(self) -> int:
        """Calls against the hourly budget (downloads of originals are not API calls)."""
        return sum(n for method, n in self.calls.items() if method != "download")

    @property
    def did_nothing(self) -> bool:
        return self.error is None and self.result is not None and not self.result.plan.actions


Runner = Callable[[RunRequest, Notify], RunReport]


class StoppableLimiter(RateLimiter):
    """The runs' shared rate limiter (one hourly budget for the whole session), which is also
    where a stop request reaches a run: once ``stopping`` is set, no API call or upload starts,
    and none waits for the budget. It raises KeyboardInterrupt, which a run handles as Ctrl-C."""

    def __init__(self, calls_per_hour: int | None, stopping: threading.Event):
        self.stopping = stopping
        super().__init__(calls_per_hour, sleep=self.pause)

    def pause(self, seconds: float) -> None:
        if self.stopping.wait(seconds):
            raise KeyboardInterrupt

    def acquire(self) -> float:
        if self.stopping.is_set():
            raise KeyboardInterrupt
        return super().acquire()


MakeClient = Callable[[RateLimiter, Callable[[float], None]], FlickrClient]


class SyncRunner:
    """Runs one :func:`pycsync.app.sync` per request, on a thread of its own, with a fresh client
    each time (a token renewed with `pycsync auth` is used from the next run on); the clients
    share one :class:`StoppableLimiter` (``make_client(limiter, sleep)`` builds them).

    Ctrl-C or SIGTERM (a KeyboardInterrupt in the main thread, which waits for the run) stops the
    run at its next safe point: before an API call, before a transfer, between the chunks of a
    download or of an upload body still going out, or in a retry's wait. An upload whose body
    has left is let finish, so that its answer is recorded; a transfer abandoned keeps nothing.
    """

    def __init__(self, make_client: MakeClient, options: SyncOptions, calls_per_hour: int | None, endpoint: str = ""):
        self.make_client = make_client
        self.options = options
        self.endpoint = endpoint
        self.stopping = threading.Event()
        self.limiter = StoppableLimiter(calls_per_hour, self.stopping)

    def __call__(self, request: RunRequest, notify: Notify) -> RunReport:
        done: list[RunReport] = []
        finished = threading.Event()

        def work() -> None:
            try:
                done.append(self._run(request, notify))
            finally:
                finished.set()

        threading.Thread(target=work, name="pycsync-watch-run", daemon=True).start()
        while not finished.is_set():
            try:
                finished.wait(0.5)
            except KeyboardInterrupt:
                self.stopping.set()  # the run stops at its next safe point; this waits for it
        report = done[0]
        report.stop_requested = self.stopping.is_set()
        return report

    def _run(self, request: RunRequest, notify: Notify) -> RunReport:
        report = RunReport(request, time.time())
        options = dataclasses.replace(self.options, excludes=self.options.excludes + request.excludes)
        client: FlickrClient | None = None
        try:
            client = self.make_client(self.limiter, self.limiter.pause)
            report.result = sync(client, options, notify=self._stoppable(notify))
            report.error = report.result.error
        except KeyboardInterrupt:
            report.error = Interrupted()
        except (PycsyncError, FlickrError, OSError) as exc:
            report.error = as_error(exc, self.endpoint)
        except Exception as exc:  # a bug: reported as one, and the watch ends (see Watch._fatal)
            report.error = as_error(exc, self.endpoint)
            report.bug = exc
        finally:
            if client is not None:
                report.calls = client.stats.calls_by_method
                client.close()
        return report

    def _stoppable(self, notify: Notify) -> Notify:
        """``notify``, raising KeyboardInterrupt once stopping at a transfer's start and at each
        chunk of it, except for an upload whose body has all left (as the executor's own stop)."""
        transfers: dict[str, TransferStarted] = {}
        stopping = self.stopping

        def stoppable(event: Event) -> None:
            match event:
                case TransferStarted(key=key):
                    if stopping.is_set():
                        raise KeyboardInterrupt
                    transfers[key] = event
                case TransferProgress(key=key, done=done) if stopping.is_set():
                    started = transfers.get(key)
                    if started is None or started.direction == "down" or done < started.size:
                        raise KeyboardInterrupt
                case TransferFinished(key=key):
                    transfers.pop(key, None)
            notify(event)

        return stoppable


def run_document(report: RunReport) -> dict:
    """One run's `--json` document: `sync --json`'s, plus a ``watch`` member."""
    if report.result is not None:
        doc = summarise(report.result, report.calls)
    else:
        doc = error_document(report.error or PycsyncError("the run ended early"))
    request = report.request
    doc["watch"] = {
        "run": request.number,
        "trigger": request.trigger,
        "local_changes": request.changes,
        "held_back": len(request.held),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(report.started)),
    }
    return doc


# ---------------------------------------------------------------------- the poll budget


class PollBudget:
    """Keeps polls within their share of the hourly call budget.

    A poll that cost ``c`` calls is followed by the next one no sooner than ``c / rate`` later
    (rate: the allowance per second), and none starts while the polls of the last hour plus the
    next one's expected cost would exceed the allowance.
    """

    def __init__(self, allowance: float, window: float = WINDOW):
        self.allowance = allowance
        self.window = window
        self._polls: deque[tuple[float, int]] = deque()  # (started, calls), oldest first

    def record(self, started: float, calls: int) -> None:
        self._polls.append((started, calls))

    def used(self, now: float) -> int:
        """Calls of the polls that started within the last window."""
        return sum(c for s, c in self._polls if s > now - self.window)

    def earliest(self, now: float, estimate: int) -> float:
        """When the next poll, expected to cost ``estimate`` calls, may start."""
        while self._polls and self._polls[0][0] <= now - 2 * self.window:
            self._polls.popleft()  # (long gone: nothing below looks that far back)
        at = now
        if self._polls:
            last, cost = self._polls[-1]
            at = max(at, last + cost * self.window / self.allowance)
        estimate = min(estimate, int(self.allowance))  # (a budget below one poll: one poll an hour)
        inside = [(s, c) for s, c in self._polls if s > at - self.window]
        total = sum(c for _, c in inside)
        for started, calls in inside:  # oldest first: wait for each to leave the window
            if total + estimate <= self.allowance:
                break
            at = max(at, started + self.window)
            total -= calls
        return at

    def spacing(self, cost: int) -> float:
        """The shortest gap between polls that cost ``cost`` calls each."""
        return cost * self.window / self.allowance


# ---------------------------------------------------------------------- local events


class FolderEvents(Protocol):
    """Where the changes in the folder come from."""

    description: str  # for the log: how changes are noticed
    failure: str | None  # set when events stopped working (the watch then scans instead)

    def start(self) -> None: ...

    def wait(self, timeout: float) -> list[Change]:
        """The changes since the last call, waiting up to ``timeout`` seconds for the first
        ([] when none came)."""
        ...

    def close(self) -> None: ...


class WatchfilesEvents:
    """Filesystem events (inotify, FSEvents, ReadDirectoryChangesW) through ``watchfiles``, read
    on a thread of their own."""

    def __init__(self, root: Path, debounce_ms: int = 400, step_ms: int = 100):
        self.root = root
        self.debounce_ms, self.step_ms = debounce_ms, step_ms
        self.description = "filesystem events"
        self.failure: str | None = None
        self._queue: queue.SimpleQueue[list[Change] | None] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._read, name="pycsync-watch-events", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            import watchfiles

            for changes in watchfiles.watch(
                self.root,
                watch_filter=None,  # (ours is in Watch: it knows the selection)
                debounce=self.debounce_ms,
                step=self.step_ms,
                stop_event=self._stop,
                rust_timeout=0,
                raise_interrupt=False,
                ignore_permission_denied=True,
            ):
                self._queue.put([(change.name, path) for change, path in changes])
            if not self._stop.is_set():
                self.failure = "the event source stopped"
        except Exception as exc:  # (the watch limit reached, the folder gone, ...)
            self.failure = str(exc) or type(exc).__name__
        finally:
            self._queue.put(None)

    def wait(self, timeout: float) -> list[Change]:
        try:
            batch = self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            return []
        changes: list[Change] = []
        while True:
            if batch is not None:
                changes.extend(batch)
            try:
                batch = self._queue.get_nowait()
            except queue.Empty:
                return changes

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


class ScanEvents:
    """No events: the folder's photos and videos are listed every ``interval`` seconds and
    compared with the previous listing (size and mtime; nothing is read)."""

    def __init__(
        self,
        root: Path,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
        pause: Callable[[float], object] | None = None,
    ):
        self.root = root
        self.interval = interval
        self.clock = clock
        self.description = f"a scan of the folder every {interval:g} s"
        self.failure: str | None = None
        self._known: dict[str, tuple[int, int]] = {}
        self._next = 0.0
        self._wake = threading.Event()
        self.pause = pause or self._wake.wait  # (returns early once closed)

    def start(self) -> None:
        self._known = self._list()
        self._next = self.clock() + self.interval

    def wait(self, timeout: float) -> list[Change]:
        left = self._next - self.clock()
        if left > timeout:
            self.pause(timeout)
            return []
        if left > 0:
            self.pause(left)
        now = self._list()
        before, self._known = self._known, now
        self._next = self.clock() + self.interval
        changed = [("added" if p not in before else "modified", p) for p, sig in now.items() if before.get(p) != sig]
        return changed + [("deleted", p) for p in before if p not in now]

    def close(self) -> None:
        self._wake.set()

    def _list(self) -> dict[str, tuple[int, int]]:
        found: dict[str, tuple[int, int]] = {}
        folders = [str(self.root)]
        while folders:
            try:
                with os.scandir(folders.pop()) as entries:
                    for entry in entries:
                        if entry.name.startswith("."):
                            if entry.name in (IGNORE_FILE, naming.SETTINGS_FILE) and entry.is_file(
                                follow_symlinks=False
                            ):
                                found[entry.path] = _size_mtime(entry)
                            continue
                        if entry.is_dir(follow_symlinks=False):
                            folders.append(entry.path)
                        elif entry.is_file(follow_symlinks=False) and (
                            naming.is_media(entry.name) or metadata.is_sidecar_name(entry.name)
                        ):
                            found[entry.path] = _size_mtime(entry)
            except OSError:
                continue  # (unreadable or gone: the runs report what they cannot read)
        return found


def _size_mtime(entry: os.DirEntry[str]) -> tuple[int, int]:
    try:
        s = entry.stat(follow_symlinks=False)
    except OSError:
        return (-1, -1)
    return (s.st_size, s.st_mtime_ns)


#: filesystems whose changes made elsewhere (another computer, the host of a virtual machine)
#: raise no events here
REMOTE_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "afs",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "9p",
        "virtiofs",
        "vboxsf",
        "davfs",
        "fuse.sshfs",
        "fuse.rclone",
        "fuse.s3fs",
        "fuse.gcsfuse",
        "fuse.vmhgfs-fuse",
        "fuse.glusterfs",
    }
)


def filesystem_type(path: Path, mountinfo: str | None = None) -> str | None:
    """The type of the filesystem holding ``path`` (Linux: from /proc/self/mountinfo)."""
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text()
        except OSError:
            return None
    target = str(path)
    best, kind = -1, None
    for line in mountinfo.splitlines():
        fields = line.split()
        if " - " not in line or len(fields) < 5:
            continue
        point = fields[4].replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) > best:
            best, kind = len(point), line.split(" - ", 1)[1].split()[0]
    return kind


def folder_events(root: Path, force_scan: bool, scan_interval: float) -> FolderEvents:
    """Events where they can be trusted, a periodic scan elsewhere (said once, in the log)."""
    if force_scan:
        log.info("scanning the folder every %g s for changes (--force-scan)", scan_interval)
        return ScanEvents(root, scan_interval)
    kind = filesystem_type(root)
    if kind in REMOTE_FILESYSTEMS:
        log.warning(
            "%s is on a network filesystem (%s), where changes made on other computers raise no events: "
            "scanning it every %g s instead",
            root,
            kind,
            scan_interval,
        )
        return ScanEvents(root, scan_interval)
    return WatchfilesEvents(root)


# ---------------------------------------------------------------------- the loop


@dataclass
class _Pending:
    path: str  # relative to the root, as spelled on disk
    sig: Sig
    changed_at: float  # when it was last seen changing
    first_at: float  # when it was first seen changing


class Watch:
    """The watch loop: decides when to run, runs, and backs off. :meth:`run` returns when the
    session is asked to stop (Ctrl-C, SIGTERM or :meth:`stop`); an error that a retry cannot
    fix (see :meth:`_fatal`) is raised."""

    def __init__(
        self,
        root: Path,
        runner: Runner,
        events: FolderEvents,
        settings: WatchSettings = WatchSettings(),
        *,
        excludes: Sequence[str] = (),
        fallback: Callable[[], FolderEvents] | None = None,
        on_run: Callable[[RunReport], None] = lambda report: None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        stat: Callable[[str], Sig] = file_sig,
    ):
        self.root = Path(root)
        self.runner = runner
        self.events = events
        self.settings = settings
        self.excludes = tuple(excludes)
        self.fallback = fallback
        self.on_run = on_run
        self.clock, self.wall, self.stat = clock, wall, stat
        self.budget = PollBudget(settings.poll_allowance)
        self.runs = 0
        self._pending: dict[str, _Pending] = {}  # key -> a change waiting for its run
        self._ignore = self._load_ignore()
        self._stopping = False
        self._synced = False  # a run has finished: from then on, auth errors are waited out
        self._failures = 0  # runs in a row that could not finish
        self._item_failures = 0  # runs in a row that left items failed
        self._hold_until = 0.0  # no run before (a backoff, or the folder busy)
        self._next_poll = 0.0
        self._poll_reason = "flickr"
        self._estimate = IDLE_POLL_CALLS
        self._said_budget = False
        self._said_busy = False
        # what the runs wrote in the folder (key -> its sig then): their events are not changes;
        # the previous run's too, whose events may come late
        self._written: dict[str, Sig] = {}
        self._written_before: dict[str, Sig] = {}
        self._written_lock = threading.Lock()
        self._marks = (self.clock(), self.wall())

    # ------------------------------------------------------------------ the loop

    def stop(self) -> None:
        """Ask the loop to end after the run in progress (if any)."""
        self._stopping = True

    def run(self) -> None:
        self.events.start()
        log.info("watching %s (%s; Flickr every %g s)", self.root, self.events.description, self.settings.interval)
        trigger: str | None = "start"
        try:
            while not self._stopping:
                now = self.clock()
                self._notice_wake(now)
                until = now
                if trigger is None:
                    trigger, until = self._due(now)
                if trigger is not None:
                    self._run(trigger)
                    trigger = None
                    continue
                self._take(self.events.wait(min(max(0.0, until - now), LONGEST_WAIT)))
                self._check_events()
        except KeyboardInterrupt:
            pass
        finally:
            self.events.close()
        log.info("stopped watching %s", self.root)

    def _check_events(self) -> None:
        if self.events.failure is None or self.fallback is None:
            return
        log.warning("filesystem events stopped working (%s): scanning the folder instead", self.events.failure)
        self.events.close()
        self.events = self.fallback()
        self.events.start()
        self._poll_reason, self._next_poll = "flickr", self.clock()  # (and look at once: what was missed)

    def _notice_wake(self, now: float) -> None:
        """A wall clock that ran on while the monotonic one stood still: the computer slept."""
        mono, wall = self._marks
        self._marks = (now, self.wall())
        jump = (self._marks[1] - wall) - (now - mono)
        if jump < WAKE_JUMP:
            return
        log.info("the computer was asleep for %s (or its clock moved): looking at Flickr shortly", _duration(jump))
        self._failures = self._item_failures = 0
        self._hold_until = 0.0
        self._next_poll, self._poll_reason = now + WAKE_GRACE, "wake"

    # ------------------------------------------------------------------ deciding

    def _due(self, now: float) -> tuple[str | None, float]:
        """The trigger of the run to start now (None: none yet), and when to look again."""
        local_at = self._local_ready_at(now)
        if local_at <= now:
            local_at = self._verify(now)
        poll_at = self._poll_at(now)
        at = max(self._hold_until, min(local_at, poll_at))
        if at > now:
            return None, at
        return ("local" if local_at <= now else self._poll_reason), now

    def _poll_at(self, now: float) -> float:
        at = self._next_poll
        if self._poll_reason in POLLS:
            at = self.budget.earliest(max(now, at), self._estimate)
            spacing = self.budget.spacing(self._estimate)
            if spacing > self.settings.interval and not self._said_budget:
                self._said_budget = True
                log.info(
                    "looking at Flickr every %.0f s rather than every %g s: idle polls may spend %g%% of the "
                    "%d calls an hour (--poll-share, --rate-limit)",
                    spacing,
                    self.settings.interval,
                    self.settings.poll_share,
                    self.settings.calls_per_hour or FLICKR_CALLS_PER_HOUR,
                )
        return at

    def _local_ready_at(self, now: float) -> float:
        """When the pending changes are ready for a run, as far as their events tell: all of them
        settled, or some settled and the oldest waiting for MAX_WAIT."""
        if not self._pending:
            return float("inf")
        settle = self.settings.settle
        settled = [p.changed_at + settle for p in self._pending.values()]
        oldest = min(p.first_at for p in self._pending.values())
        return min(max(settled), max(min(settled), oldest + self.settings.max_wait))

    def _verify(self, now: float) -> float:
        """Look at every pending path again (a change without an event, say on a network drive,
        counts too); returns when they are ready now."""
        for key, p in list(self._pending.items()):
            sig = self.stat(os.path.join(self.root, p.path))
            if self._ours(key, sig):
                del self._pending[key]
            elif sig != p.sig:
                p.sig, p.changed_at = sig, now
        return self._local_ready_at(now)

    def _take(self, changes: list[Change]) -> None:
        """Note these changes."""
        if not changes:
            return
        now = self.clock()
        for change, path in changes:
            rel = self._relative(path)
            if rel is None:
                continue
            sig = self.stat(path)
            if rel == IGNORE_FILE:
                self._ignore = self._load_ignore()  # the selection changed: a run applies it
            if sig == "dir":
                # a folder is no change by itself, what is in it is; one that appeared (made, or
                # moved here) may have come with files that raise no events of their own
                if change == "added":
                    for inner in self._media_below(path):
                        self._note(inner, self.stat(os.path.join(self.root, inner)), now)
                continue
            self._note(rel, sig, now)

    def _note(self, rel: str, sig: Sig, now: float) -> None:
        key = rel if rel.isascii() else unicodedata.normalize("NFC", rel)
        if not self._relevant(key, sig) or self._ours(key, sig):
            return
        p = self._pending.get(key)
        if p is None:
            self._pending[key] = _Pending(rel, sig, now, now)
        else:
            p.sig, p.changed_at = sig, now

    def _relative(self, path: str) -> str | None:
        try:
            rel = os.path.relpath(path, self.root)
        except ValueError:  # (another drive, on Windows)
            return None
        if rel == "." or rel.startswith(".." + os.sep) or rel == "..":
            return None
        return rel.replace(os.sep, "/")

    def _relevant(self, key: str, sig: Sig) -> bool:
        """Whether a change at ``key`` can matter to a sync: not in .pycsync/, not hidden, a photo
        or video (or a folder, or something gone that may have been one), in the selection; or a
        folder's settings file, or (with metadata) a sidecar of a photo in the selection."""
        if key == IGNORE_FILE:
            return True
        parts = key.split("/")
        if parts[0] == META_DIR or any(p.startswith(".") for p in parts[:-1]):
            return False
        name = parts[-1]
        if name == naming.SETTINGS_FILE:
            return sig not in ("dir", "other") and not (
                len(parts) > 1 and self._ignore.ignored("/".join(parts[:-1]), True)
            )
        if name.startswith("."):
            return False
        if self.settings.metadata and metadata.is_sidecar_name(name) and sig not in ("dir", "other"):
            return not self._ignore.ignored(_held_files(key)[-1], False)
        media = naming.is_media(name)
        if sig == "other" or (isinstance(sig, tuple) and not media):
            return False
        is_dir = sig == "dir" or (sig is None and not media)
        return not self._ignore.ignored(key, is_dir)

    def _media_below(self, path: str) -> Iterator[str]:
        for folder, dirs, files in os.walk(path):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                if name == naming.SETTINGS_FILE or (
                    not name.startswith(".") and (naming.is_media(name) or metadata.is_sidecar_name(name))
                ):
                    rel = self._relative(os.path.join(folder, name))
                    if rel is not None:
                        yield rel

    def _load_ignore(self) -> IgnoreRules:
        try:
            return IgnoreRules.load(self.root, self.excludes)
        except (OSError, ValueError, UnicodeDecodeError):
            return IgnoreRules()  # (a run reports the bad file; meanwhile every change counts)

    # ------------------------------------------------------------------ the runs' own writes

    def _notify(self, event: Event) -> None:
        """The run's events: what it wrote in the folder is remembered; actions are logged."""
        match event:
            case ActionDone(kind=kind, key=key):
                if kind in LOCAL_WRITES or (kind is Done.METADATA and event.to_folder):
                    keys = [key, event.source] if kind is Done.MOVED and event.source else [key]
                    # (with its sidecar: one it wrote, or that went along)
                    sidecars = [name(k) for k in keys for name in (metadata.sidecar_name, metadata.adobe_sidecar_name)]
                    self._remember([*keys, *sidecars])
                detail = action_detail(event)
                line = f"{LABELS[kind]:<16} {key}" + (f"  ({detail})" if detail else "")
                log.log(logging.DEBUG if kind in VERBOSE_ONLY else logging.INFO, "%s", line)
            case ActionFailed(key=key, message=message):
                log.warning("%s: %s", key, message)
            case UploadsVisible():
                log.warning("%s", privacy_notice(event))
            case UploadsStopped(reason=reason):
                log.warning("%s", reason)

    def _remember(self, keys: list[str]) -> None:
        sigs: dict[str, Sig] = {}
        for key in keys:
            sigs[key] = self.stat(os.path.join(self.root, key))
            folder = key.rpartition("/")[0]
            while folder and folder not in sigs:
                sigs[folder] = self.stat(os.path.join(self.root, folder))
                folder = folder.rpartition("/")[0]
        with self._written_lock:
            self._written.update(sigs)

    def _ours(self, key: str, sig: Sig) -> bool:
        """Whether ``key`` is as a run left it (its event was the run's own write)."""
        with self._written_lock:
            for written in (self._written, self._written_before):
                if key in written:
                    return written[key] == sig
        return False

    # ------------------------------------------------------------------ running

    def _run(self, trigger: str) -> None:
        now = self.clock()
        if self._pending:
            self._verify(now)
        settle = self.settings.settle
        ready = {k: p.changed_at for k, p in self._pending.items() if now - p.changed_at >= settle}
        held = tuple(sorted(k for k in self._pending if k not in ready))
        if ready and trigger in POLLS:
            trigger = "local"
        self.runs += 1
        request = RunRequest(self.runs, trigger, len(ready), held)
        with self._written_lock:
            kept = self._written_before
            self._written_before, self._written = self._written, {}
        if trigger == "local":
            log.debug("run %d: %d changes settled, %d still changing", self.runs, len(ready), len(held))
        report = self.runner(request, self._notify)
        self._take(self.events.wait(0))  # what happened during the run (its own writes among them)
        finished = self.clock()
        if trigger in POLLS:
            self.budget.record(now, report.api_calls)
        error = report.error
        if isinstance(error, LockedError):  # not a run: it could not start
            self.runs -= 1
            with self._written_lock:
                self._written, self._written_before = self._written_before, kept
            if not self._said_busy:
                log.info("waiting: %s", error)
                self._said_busy = True
            self._hold_until = finished + LOCK_RETRY
            if trigger != "local":
                self._next_poll, self._poll_reason = finished, trigger
            return
        self._log_run(report)
        self.on_run(report)
        if report.stop_requested:
            self._stopping = True
        if error is None:
            for key, changed_at in ready.items():  # seen by the run, unless changed since
                p = self._pending.get(key)
                if p is not None and p.changed_at == changed_at:
                    del self._pending[key]
            self._succeeded(report, trigger, finished)
            return
        if isinstance(error, Interrupted) or report.stop_requested:
            self._stopping = True
            return
        self._said_busy = False
        if report.bug is not None or self._fatal(error):
            log.error("run %d stopped: %s; a retry cannot help, so the watch ends", request.number, error)
            raise report.bug or error
        self._failures += 1
        delay = self.settings.backoff(self._failures)
        log.error("run %d stopped: %s; trying again in %s", request.number, error, _duration(delay))
        self._hold_until = self._next_poll = finished + delay
        self._poll_reason = "retry"

    def _succeeded(self, report: RunReport, trigger: str, finished: float) -> None:
        self._synced, self._said_busy = True, False
        self._failures = 0
        self._hold_until = 0.0
        if trigger in POLLS and report.did_nothing:
            self._estimate = max(1, report.api_calls)
        outcome = report.result.outcome if report.result is not None else None
        if outcome is not None and outcome.failed:
            # items failed on their own (a lost connection, a file changed while sent): again soon
            self._item_failures += 1
            self._next_poll = finished + self.settings.backoff(self._item_failures)
            self._poll_reason = "retry"
            return
        self._item_failures = 0
        self._next_poll, self._poll_reason = finished + self.settings.interval, "flickr"

    def _fatal(self, error: PycsyncError) -> bool:
        """Errors no retry can fix end the session: a usage error (but not a folder that is gone
        for now, an unmounted drive), a state from a newer pycsync; and before the first run
        finished, a sign-in Flickr refuses (later the watch waits for `pycsync auth`)."""
        if isinstance(error, UsageError):
            return self.root.is_dir()
        if isinstance(error, StateError):
            return "newer pycsync" in str(error)
        if isinstance(error, AuthFailed):
            return not self._synced
        return False

    def _log_run(self, report: RunReport) -> None:
        request = report.request
        what = TRIGGERS[request.trigger]
        if request.trigger == "local":
            what = f"{request.changes} local change" + ("s" if request.changes != 1 else "")
        if request.held:
            what += f"; {len(request.held)} still changing, left for later"
        result = report.result
        if result is None:
            return  # (said with the backoff, or the wait for the lock)
        for message in run_warnings(result):
            log.warning("%s", message)
        line = summary_line(result, summarise(result, report.calls), report.calls)
        log.info("run %d (%s): %s", request.number, what, line, extra={"summary": True})
        calls = {m: n for m, n in report.calls.items() if n}
        if calls:
            shown = ", ".join(f"{m} {n}" for m, n in sorted(calls.items()))
            log.debug("run %d: Flickr API calls: %s", request.number, shown)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


# ---------------------------------------------------------------------- the session


@contextlib.contextmanager
def session_lock(root: Path) -> Iterator[None]:
    """One watch per folder: ``.pycsync/watch.lock``, held for the whole session (the run lock
    is taken by each run)."""
    try:
        meta = open_meta(root, create=True)
    except UnsafeFolderError as exc:
        raise SafetyAbort(str(exc)) from None
    with meta:
        lock = RootLock(
            meta.path / "watch.lock", meta, busy="a pycsync watch (pid {pid} on {host}) already watches this folder"
        )
        with lock:
            yield


# ---------------------------------------------------------------------- running as a service


def service_name(root: Path) -> str:
    """A name for the service of this folder: its name, made safe, and a hash of its path."""
    import hashlib

    slug = re.sub(r"[^A-Za-z0-9_]+", "-", root.name).strip("-").lower() or "root"
    return f"{slug[:40]}-{hashlib.sha256(str(root).encode()).hexdigest()[:6]}"


def _systemd_quote(arg: str) -> str:
    if "\n" in arg or "\r" in arg:
        raise UsageError(f"cannot write {arg!r} into a systemd unit (a line break)")
    escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")
    return f'"{escaped}"'


def systemd_unit(command: Sequence[str], root: Path, environment: Mapping[str, str]) -> str:
    name = f"pycsync-watch-{service_name(root)}"
    lines = [
        f"# pycsync watch for {root}: keeps it in sync with Flickr while you are logged in.",
        "# Install it for your user (no root needed):",
        "#   mkdir -p ~/.config/systemd/user",
        f"#   (this output) > ~/.config/systemd/user/{name}.service",
        f"#   systemctl --user daemon-reload && systemctl --user enable --now {name}.service",
        f"# Its log: journalctl --user -u {name}. To keep it running while you are logged out:",
        "#   loginctl enable-linger",
        "",
        "[Unit]",
        f"Description=pycsync watch: {root} <-> Flickr",
        "",
        "[Service]",
        "Type=simple",
        "ExecStart=" + " ".join(_systemd_quote(a) for a in command),
    ]
    lines += [f"Environment={_systemd_quote(f'{k}={v}')}" for k, v in sorted(environment.items())]
    lines += [
        # SIGTERM: what is in flight is finished or abandoned safely, and it exits 0
        "KillSignal=SIGTERM",
        "TimeoutStopSec=60",
        "Restart=on-failure",
        "RestartSec=60",
        "",
        "[Install]",
        "WantedBy=default.target",
        "",
    ]
    return "\n".join(lines)


def launchd_plist(command: Sequence[str], root: Path, environment: Mapping[str, str], errors: Path) -> str:
    label = f"org.pycsync.watch.{service_name(root)}"
    document: dict[str, object] = {
        "Label": label,
        "ProgramArguments": list(command),
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},  # restarted after a failure, not after a stop
        "ThrottleInterval": 60,
        "ProcessType": "Background",
        "StandardErrorPath": str(errors),
    }
    if environment:
        document["EnvironmentVariables"] = dict(sorted(environment.items()))
    text = plistlib.dumps(document, sort_keys=False).decode()
    header, _, body = text.partition("<plist")
    note = (
        f"<!-- pycsync watch for {_xml_comment(str(root))}. Install it for your user (no root needed):\n"
        f"       (this output) > ~/Library/LaunchAgents/{label}.plist\n"
        f"       launchctl load -w ~/Library/LaunchAgents/{label}.plist\n"
        f"     Stop it: launchctl unload -w ~/Library/LaunchAgents/{label}.plist -->\n"
    )
    return header + note + "<plist" + body


def _xml_comment(text: str) -> str:
    return text.replace("--", "- -")
