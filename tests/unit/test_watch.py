"""The watch loop's decisions on a simulated clock: when it runs, what each run leaves out, how
often it looks at Flickr, how it backs off and wakes up. Nothing sleeps: the event source moves
the clock, the runner is scripted, and files are a dict (tests/integration/test_watch.py runs the
real command against the emulator)."""

from __future__ import annotations

import logging
import plistlib
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

from pycsync.app import SyncResult
from pycsync.errors import AuthFailed, CannotReach, Interrupted, LockedError, SafetyAbort, UsageError
from pycsync.events import ActionDone, Done, Notify
from pycsync.executor import Outcome
from pycsync.ignore import IgnoreRules
from pycsync.model import Forget, Plan
from pycsync.watch import (
    FIRST_BACKOFF,
    IDLE_POLL_CALLS,
    LOCK_RETRY,
    WAKE_GRACE,
    PollBudget,
    RunReport,
    RunRequest,
    ScanEvents,
    Sig,
    Watch,
    WatchSettings,
    filesystem_type,
    launchd_plist,
    literal_pattern,
    systemd_unit,
)

ROOT = Path("/photos")
START = 1000.0


class Clock:
    """Monotonic time; the wall clock runs alongside it, and jumps when the computer sleeps."""

    def __init__(self) -> None:
        self.now = START
        self.slept = 0.0

    def __call__(self) -> float:
        return self.now

    def wall(self) -> float:
        return 1_700_000_000.0 + self.now + self.slept


class Files:
    """The folder at ``root``: relative path -> its sig ("dir" for folders)."""

    def __init__(self, root: Path = ROOT) -> None:
        self.root = root
        self.sigs: dict[str, Sig] = {}
        self._version = 0

    def write(self, rel: str, size: int = 100) -> None:
        self._version += 1
        parts = rel.split("/")
        for i in range(1, len(parts)):
            self.sigs["/".join(parts[:i])] = "dir"
        self.sigs[rel] = (size, self._version, hash(rel) & 0xFFFF)

    def remove(self, rel: str) -> None:
        self.sigs.pop(rel, None)

    def stat(self, path: str) -> Sig:
        rel = Path(path).relative_to(self.root).as_posix()
        return self.sigs.get(rel)


class Events:
    """Scripted changes: ``at(t, fn)`` runs ``fn()`` (which changes files and returns the changes
    it made) when the clock reaches ``t``; waiting moves the clock."""

    def __init__(self, clock: Clock, until: float, root: Path = ROOT) -> None:
        self.clock = clock
        self.root = root
        self.until = until  # then the session is stopped (SIGTERM)
        self.script: list[tuple[float, Callable[[], list[tuple[str, str]]]]] = []
        self.description = "scripted events"
        self.failure: str | None = None
        self.closed = False

    def at(self, t: float, fn: Callable[[], list[tuple[str, str]]]) -> None:
        self.script.append((t, fn))
        self.script.sort(key=lambda e: e[0])

    def start(self) -> None:
        pass

    def wait(self, timeout: float) -> list[tuple[str, str]]:
        end = self.clock.now + timeout
        if self.script and self.script[0][0] <= end:
            t, fn = self.script.pop(0)
            self.clock.now = max(self.clock.now, t)
            return [(kind, str(self.root / rel)) for kind, rel in fn()]
        if end >= self.until:
            self.clock.now = self.until
            raise KeyboardInterrupt  # (what SIGTERM raises)
        self.clock.now = end
        return []

    def close(self) -> None:
        self.closed = True


class Runner:
    """Answers each run as scripted (``fail``: attempt -> error, counting from 1), taking
    ``seconds``, and records the requests; ``work``: attempt -> what it does in the folder."""

    def __init__(self, clock: Clock, files: Files, calls: int = IDLE_POLL_CALLS, seconds: float = 0.5) -> None:
        self.clock, self.files = clock, files
        self.calls, self.seconds = calls, seconds
        self.requests: list[tuple[float, RunRequest]] = []
        self.fail: dict[int, Exception] = {}
        self.failed_items: set[int] = set()
        self.work: dict[int, Callable[[Notify], None]] = {}
        self.seen: list[dict[str, Sig]] = []  # what each run's scan saw (the files not excluded)

    def __call__(self, request: RunRequest, notify) -> RunReport:
        self.requests.append((self.clock.now, request))
        attempt = len(self.requests)
        rules = IgnoreRules.from_lines(request.excludes)
        self.seen.append({k: v for k, v in self.files.sigs.items() if v != "dir" and not rules.excludes(k)})
        report = RunReport(request, self.clock.wall(), calls={"flickr.test.login": self.calls})
        if attempt in self.work:
            self.work[attempt](notify)
        self.clock.now += self.seconds
        error = self.fail.get(attempt)
        if error is not None:
            report.error = error  # type: ignore[assignment]
            return report
        outcome = Outcome()
        if attempt in self.failed_items:
            outcome.failed.append(("A/x.jpg", "connection reset"))
        actions = (Forget("A/x.jpg"),) if attempt in self.work else ()
        report.result = SyncResult(Plan(actions=actions), outcome)
        return report

    @property
    def triggers(self) -> list[str]:
        return [r.trigger for _, r in self.requests]

    @property
    def times(self) -> list[float]:
        return [t - START for t, _ in self.requests]


def make(
    until: float = 3600, settings: WatchSettings | None = None, root: Path = ROOT, **runner_kw
) -> tuple[Watch, Events, Runner, Files, Clock]:
    clock, files = Clock(), Files(root)
    events = Events(clock, START + until, root)
    runner = Runner(clock, files, **runner_kw)
    watch = Watch(
        root,
        runner,
        events,
        settings or WatchSettings(interval=300, settle=2),
        clock=clock,
        wall=clock.wall,
        stat=files.stat,
    )
    return watch, events, runner, files, clock


def write(files: Files, *rels: str, size: int = 100) -> Callable[[], list[tuple[str, str]]]:
    def fn() -> list[tuple[str, str]]:
        changes = []
        for rel in rels:
            kind = "modified" if rel in files.sigs else "added"
            files.write(rel, size)
            changes.append((kind, rel))
        return changes

    return fn


# ---------------------------------------------------------------------- local changes


def test_a_run_at_start_then_one_every_interval():
    watch, _, runner, _, _ = make(until=1000)
    watch.run()
    assert runner.triggers == ["start", "flickr", "flickr", "flickr"]
    assert runner.times == [0, 300.5, 601, 901.5]  # the interval counts from the end of a run


def test_a_new_file_is_synced_once_it_settled():
    watch, events, runner, files, _ = make(until=100)
    events.at(START + 10, write(files, "A/new.jpg"))
    watch.run()
    assert runner.triggers == ["start", "local"]
    assert runner.times[1] == 12  # the settle time after the change
    assert runner.requests[1][1].changes == 1 and runner.requests[1][1].held == ()


def test_a_burst_of_2000_files_is_one_run():
    watch, events, runner, files, _ = make(until=200)
    for i in range(2000):  # an import: 2000 files over 20 s
        events.at(START + 10 + i * 0.01, write(files, f"Import/{i:04}.jpg"))
    watch.run()
    assert runner.triggers == ["start", "local"]
    assert runner.requests[1][1].changes == 2000
    assert runner.times[1] == pytest.approx(10 + 19.99 + 2)


def test_an_import_longer_than_max_wait_is_synced_in_parts_leaving_out_what_is_still_changing():
    watch, events, runner, files, _ = make(until=300)
    for i in range(900):  # 90 s of new files
        events.at(START + 10 + i * 0.1, write(files, f"Import/{i:04}.jpg"))
    watch.run()
    assert runner.triggers == ["start", "local", "local"]
    first, second = runner.requests[1][1], runner.requests[2][1]
    assert runner.times[1] == pytest.approx(10 + 60)  # MAX_WAIT after the first change
    assert first.held and first.changes + len(first.held) == 601
    # what the first run saw: only files settled when it started
    assert all(f"Import/{i:04}.jpg" in runner.seen[1] for i in range(580))
    assert not set(first.held) & set(runner.seen[1])
    assert second.changes == 900 - first.changes and second.held == ()


def test_a_file_written_slowly_is_never_synced_half_written():
    """A camera import or a video copy: the file grows every 0.5 s for 20 s. A poll of Flickr
    falls in the middle; the file is left out of that run, and synced once, complete."""
    watch, events, runner, files, _ = make(until=200, settings=WatchSettings(interval=15, settle=2))
    for step in range(41):
        events.at(START + 5 + step * 0.5, write(files, "Video/clip.mov", size=1000 * (step + 1)))
    watch.run()
    sizes = [seen["Video/clip.mov"][0] for seen in runner.seen if "Video/clip.mov" in seen]  # type: ignore[index]
    assert sizes == [41000] * len(sizes) and sizes, "only the complete file was ever seen by a run"
    polls = [r for _, r in runner.requests if r.trigger == "flickr" and r.held]
    assert polls and all(r.held == ("Video/clip.mov",) for r in polls)
    assert polls[0].excludes == ("/Video/clip.mov",)
    local = [r for _, r in runner.requests if r.changes]
    assert len(local) == 1 and local[0].changes == 1


def test_a_change_without_an_event_still_delays_the_run():
    """The stat at the settle deadline catches a file that changed without an event (a network
    drive): it is not synced until it is stable."""
    watch, events, runner, files, clock = make(until=60)
    events.at(START + 10, write(files, "A/a.jpg"))
    events.at(START + 11.5, lambda: (files.write("A/a.jpg", 200), [])[1])  # no event
    watch.run()
    assert runner.times[1] == pytest.approx(10 + 2 + 2)  # settled 2 s after it was seen changed


def test_deletions_count_and_a_folder_that_appears_brings_its_files(tmp_path):
    """On real files: a folder moved in raises one event, for the folder; its files are found."""
    clock = Clock()
    events = Events(clock, START + 60, tmp_path)
    runner = Runner(clock, Files(tmp_path))
    watch = Watch(tmp_path, runner, events, clock=clock, wall=clock.wall)
    (tmp_path / "A").mkdir()
    (tmp_path / "A" / "old.jpg").write_bytes(b"1")
    outside = tmp_path.parent / "elsewhere"
    (outside / "Trip" / "sub").mkdir(parents=True)
    for name in ("Trip/x.jpg", "Trip/sub/z.png", "Trip/notes.txt", "Trip/.hidden.jpg"):
        (outside / name).write_bytes(b"1")

    def delete() -> list[tuple[str, str]]:
        (tmp_path / "A" / "old.jpg").unlink()
        return [("deleted", "A/old.jpg")]

    def move_in() -> list[tuple[str, str]]:
        (outside / "Trip").rename(tmp_path / "Trip")
        return [("added", "Trip")]

    events.at(START + 10, delete)
    events.at(START + 10.1, move_in)
    watch.run()
    assert runner.triggers == ["start", "local"]
    assert runner.requests[1][1].changes == 3  # the deletion, and the two media files of the folder


@pytest.mark.parametrize(
    "rel",
    [
        ".pycsync/state.db-wal",
        ".pycsync/tmp/123.part",
        "A/.hidden.jpg",
        ".git/x.jpg",
        "A/notes.txt",
        "A/x.jpg.part",
        "Private/secret.jpg",  # excluded by .pycsyncignore
        "Drafts/a.jpg",  # excluded by --exclude
    ],
)
def test_changes_the_sync_would_not_look_at_start_no_run(rel, tmp_path):
    (tmp_path / ".pycsyncignore").write_text("Private/\n")
    clock, files = Clock(), Files(tmp_path)
    events = Events(clock, START + 60, tmp_path)
    runner = Runner(clock, files)
    watch = Watch(tmp_path, runner, events, excludes=("Drafts/",), clock=clock, wall=clock.wall, stat=files.stat)
    events.at(START + 10, write(files, rel))
    watch.run()
    assert runner.triggers == ["start"]


@pytest.mark.parametrize("rel", ["A/x.jpg.xmp", "A/x.xmp", "A/.pycsync.toml", ".pycsync.toml"])
def test_a_sidecar_or_a_folders_settings_file_alone_starts_a_run(rel):
    watch, events, runner, files, _ = make(until=60)
    events.at(START + 10, write(files, rel))
    watch.run()
    assert runner.triggers == ["start", "local"]
    assert runner.requests[1][1].changes == 1


@pytest.mark.parametrize("rel", ["Private/x.jpg.xmp", "Private/.pycsync.toml", "Drafts/x.jpg.xmp", "A/.x.jpg.xmp"])
def test_a_sidecar_or_settings_file_outside_the_selection_starts_no_run(rel, tmp_path):
    (tmp_path / ".pycsyncignore").write_text("Private/\n")
    clock, files = Clock(), Files(tmp_path)
    events = Events(clock, START + 60, tmp_path)
    runner = Runner(clock, files)
    watch = Watch(tmp_path, runner, events, excludes=("Drafts/",), clock=clock, wall=clock.wall, stat=files.stat)
    events.at(START + 10, write(files, rel))
    watch.run()
    assert runner.triggers == ["start"]


def test_without_metadata_a_sidecar_edit_starts_no_run():
    watch, events, runner, files, _ = make(until=60, settings=WatchSettings(interval=300, settle=2, metadata=False))
    events.at(START + 10, write(files, "A/x.jpg.xmp"))
    watch.run()
    assert runner.triggers == ["start"]


def test_a_sidecar_still_being_written_holds_its_photo_back():
    """A poll while an editor writes a sidecar leaves the photo out: its metadata is not read
    half-written."""
    watch, events, runner, files, _ = make(until=60, settings=WatchSettings(interval=15, settle=2))
    for step in range(30):
        events.at(START + 5 + step * 0.5, write(files, "A/x.jpg.xmp", size=100 * (step + 1)))
    watch.run()
    polls = [r for _, r in runner.requests if r.trigger == "flickr" and r.held]
    assert polls and polls[0].excludes == ("/A/x.jpg.xmp", "/A/x.jpg")


def test_a_sidecar_the_run_wrote_starts_no_run():
    watch, events, runner, files, _ = make(until=100)

    def pulled(notify) -> None:  # a title edited on Flickr, written into the sidecar
        files.write("A/x.jpg.xmp", 500)
        notify(ActionDone(Done.METADATA, "A/x.jpg", to_folder=("title",)))

    runner.work[1] = pulled
    events.at(START + 1, lambda: [("added", "A/x.jpg.xmp")])
    events.at(START + 50, write(files, "A/x.jpg.xmp", size=600))  # then edited by the user
    watch.run()
    assert runner.triggers == ["start", "local"]


def test_a_changed_selection_starts_a_run(tmp_path):
    clock, files = Clock(), Files(tmp_path)
    events = Events(clock, START + 60, tmp_path)
    runner = Runner(clock, files)
    watch = Watch(tmp_path, runner, events, clock=clock, wall=clock.wall, stat=files.stat)

    def edit() -> list[tuple[str, str]]:
        (tmp_path / ".pycsyncignore").write_text("A/\n")
        return write(files, ".pycsyncignore")()

    events.at(START + 5, edit)
    events.at(START + 20, write(files, "A/x.jpg"))  # excluded from now on
    watch.run()
    assert runner.triggers == ["start", "local"]


def test_what_a_run_writes_starts_no_other_run_but_a_later_edit_of_it_does():
    watch, events, runner, files, _ = make(until=100)

    def download(notify) -> None:  # the start run brings a photo down and moves another
        files.write("A/from-flickr.jpg")
        files.write("B/moved.jpg")
        files.remove("A/moved.jpg")
        notify(ActionDone(Done.DOWNLOADED, "A/from-flickr.jpg"))
        notify(ActionDone(Done.MOVED, "B/moved.jpg", source="A/moved.jpg"))
        notify(ActionDone(Done.ADDED_TO_ALBUM, "B/moved.jpg", album="B"))

    files.write("A/moved.jpg")
    runner.work[1] = download
    events.at(
        START + 0.8, lambda: [("added", "A/from-flickr.jpg"), ("added", "B/moved.jpg"), ("deleted", "A/moved.jpg")]
    )
    events.at(START + 30, write(files, "A/from-flickr.jpg", size=5))  # the user edits it
    watch.run()
    assert runner.triggers == ["start", "local"]
    assert runner.requests[1][1].changes == 1


# ---------------------------------------------------------------------- Flickr and the budget


def test_idle_polls_stay_within_their_share_of_the_hourly_budget_in_every_hour(caplog):
    """--interval 1 asks for 3600 polls an hour; 10 % of 3000 calls allows 100 polls of 3 calls."""
    settings = WatchSettings(interval=1, poll_share=10, calls_per_hour=3000)
    watch, _, runner, _, _ = make(until=5 * 3600, settings=settings, calls=3)
    with caplog.at_level(logging.INFO, "pycsync.watch"):
        watch.run()
    polls = [t for (t, r) in runner.requests if r.trigger == "flickr"]
    for start in polls:  # every window of an hour that starts at a poll holds its most calls
        in_hour = sum(1 for t in polls if start <= t < start + 3600)
        assert in_hour * 3 <= 300
    assert len(polls) >= 5 * 100 - 1  # and it does use its share
    said = [r.message for r in caplog.records if "idle polls may spend" in r.message]
    assert said == [
        "looking at Flickr every 36 s rather than every 1 s: idle polls may spend 10% of the 3000 calls an "
        "hour (--poll-share, --rate-limit)"
    ]


def test_the_share_follows_the_measured_cost_of_a_poll():
    settings = WatchSettings(interval=1, poll_share=1, calls_per_hour=3600)  # 36 calls an hour
    watch, _, runner, _, _ = make(until=3 * 3600, settings=settings, calls=12)
    watch.run()
    polls = [t - START for (t, r) in runner.requests if r.trigger == "flickr"]
    assert len(polls) == 3 * 3 - 1 or len(polls) == 3 * 3
    assert all(b - a >= 1200 - 1e-6 for a, b in zip(polls, polls[1:], strict=False))


def test_a_local_change_resets_the_poll_timer():
    """A run for local changes lists Flickr too: the next poll is an interval after it."""
    watch, events, runner, files, _ = make(until=600)
    events.at(START + 200, write(files, "A/a.jpg"))
    watch.run()
    assert runner.triggers == ["start", "local", "flickr"]
    assert runner.times[2] == pytest.approx(runner.times[1] + 0.5 + 300)


def test_poll_budget_spacing_and_window():
    budget = PollBudget(allowance=30)  # 30 calls an hour
    assert budget.earliest(0, 5) == 0
    budget.record(0, 5)
    assert budget.earliest(1, 5) == pytest.approx(600)  # 5 calls at 30 an hour: every 10 minutes
    for t in (600, 1200, 1800, 2400, 3000):
        budget.record(t, 5)
    assert budget.used(3001) == 30
    assert budget.earliest(3001, 5) == pytest.approx(3600)  # the first poll leaves the window
    budget.record(3600, 20)  # a poll that found work
    assert budget.earliest(3601, 5) == pytest.approx(3600 + 2400)
    assert PollBudget(allowance=3).earliest(0, 5) == 0  # a budget below one poll: one poll an hour


# ---------------------------------------------------------------------- failures


def test_offline_backs_off_and_recovers_without_a_restart():
    settings = WatchSettings(interval=300, calls_per_hour=10**6)  # (polls far within their share)
    watch, events, runner, files, _ = make(until=2000, settings=settings, calls=1)
    for n in range(2, 9):
        runner.fail[n] = CannotReach("cannot reach http://127.0.0.1:1: connection refused")
    watch.run()
    gaps = [b - a - 0.5 for a, b in zip(runner.times[1:], runner.times[2:], strict=False)]
    assert runner.triggers[:9] == ["start", "flickr"] + ["retry"] * 7
    assert gaps[:8] == pytest.approx([5, 10, 20, 40, 80, 160, 300, 300])
    assert runner.triggers[9] == "flickr"  # back to normal after the first run that finished


def test_local_changes_while_offline_wait_for_the_backoff_then_sync():
    watch, events, runner, files, _ = make(until=200, settings=WatchSettings(interval=300, calls_per_hour=0))
    runner.fail[1] = CannotReach("offline")
    events.at(START + 1, write(files, "A/a.jpg"))
    watch.run()
    assert runner.triggers == ["start", "local"]
    assert runner.times[1] == pytest.approx(0.5 + FIRST_BACKOFF)


def test_items_that_failed_are_retried_soon_not_an_interval_later():
    watch, _, runner, _, _ = make(until=400, settings=WatchSettings(calls_per_hour=10**6))
    runner.failed_items = {1, 2}
    watch.run()
    assert runner.triggers[:4] == ["start", "retry", "retry", "flickr"]
    assert runner.times[1:4] == pytest.approx([0.5 + 5, 6 + 10, 16.5 + 300])


def test_a_manual_sync_holding_the_folder_is_waited_for(caplog):
    watch, events, runner, files, _ = make(until=100)
    busy = LockedError("another pycsync run (pid 7 on here) is syncing this folder")
    runner.fail.update({2: busy, 3: busy, 4: busy})
    events.at(START + 10, write(files, "A/a.jpg"))
    with caplog.at_level(logging.INFO, "pycsync.watch"):
        watch.run()
    assert runner.triggers == ["start", "local", "local", "local", "local"]
    assert [t - runner.times[1] for t in runner.times[2:]] == pytest.approx(
        [0.5 + LOCK_RETRY, 2 * (0.5 + LOCK_RETRY), 3 * (0.5 + LOCK_RETRY)]
    )
    assert [r.number for _, r in runner.requests] == [1, 2, 2, 2, 2]  # waiting is not a run
    assert runner.requests[4][1].changes == 1  # the change is still there once the folder is free
    assert [r.message for r in caplog.records if r.message.startswith("waiting")] == [f"waiting: {busy}"]


@pytest.mark.parametrize(
    "error, at_start_only",
    [(UsageError("this folder was synced with Flickr account 1@N01"), False), (AuthFailed("token revoked"), True)],
)
def test_errors_no_retry_can_fix_end_the_session(error, at_start_only, tmp_path):
    watch, _, runner, _, _ = make(until=2000, root=tmp_path)
    runner.fail[1] = error
    with pytest.raises(type(error)):
        watch.run()
    watch, _, runner, _, _ = make(until=2000, root=tmp_path)
    runner.fail[2] = error
    if at_start_only:  # once synced, `pycsync auth` fixes it without a restart
        watch.run()
        assert runner.triggers[:3] == ["start", "flickr", "retry"]
    else:
        with pytest.raises(type(error)):
            watch.run()


def test_a_folder_that_is_gone_is_waited_for(tmp_path):
    settings = WatchSettings(calls_per_hour=10**6)
    watch, _, runner, _, _ = make(until=30, settings=settings, root=tmp_path / "unmounted")
    runner.fail.update({1: UsageError("/mnt/x is not a folder"), 2: UsageError("/mnt/x is not a folder")})
    watch.run()
    assert runner.triggers == ["start", "retry", "retry"]


def test_a_safety_abort_is_retried_without_ending_the_session():
    watch, _, runner, _, _ = make(until=700)
    runner.fail[1] = SafetyAbort("the plan would delete 80% of the files on Flickr")
    watch.run()
    assert runner.triggers[:2] == ["start", "retry"]


def test_an_interrupted_run_ends_the_session():
    watch, events, runner, _, _ = make(until=3600)
    runner.fail[2] = Interrupted()
    watch.run()
    assert runner.triggers == ["start", "flickr"] and events.closed


def test_waking_from_sleep_looks_at_flickr_soon_and_forgets_the_backoff():
    settings = WatchSettings(interval=300, calls_per_hour=10**6)  # (polls far within their share)
    watch, events, runner, files, clock = make(until=1000, settings=settings)
    runner.fail.update({n: CannotReach("offline") for n in range(2, 6)})

    def sleep() -> list[tuple[str, str]]:
        clock.slept += 8 * 3600  # the wall clock ran on, the monotonic one did not
        return []

    events.at(START + 400, sleep)
    watch.run()
    woke = runner.triggers.index("wake")
    assert runner.times[woke] == pytest.approx(400 + WAKE_GRACE)


def test_events_that_stop_working_fall_back_to_scanning(caplog, tmp_path):
    clock, files = Clock(), Files()
    events = Events(clock, START + 60)
    fallback = Events(clock, START + 60)
    fallback.description = "a scan"
    runner = Runner(clock, files)
    watch = Watch(tmp_path, runner, events, fallback=lambda: fallback, clock=clock, wall=clock.wall, stat=files.stat)

    def broken() -> list[tuple[str, str]]:
        events.failure = "OS file watch limit reached"
        return []

    events.at(START + 10, broken)
    with caplog.at_level(logging.INFO, "pycsync.watch"):
        watch.run()
    assert events.closed and fallback.closed
    assert runner.triggers == ["start", "flickr"]  # what no event told is looked for at once
    said = [r.message for r in caplog.records if "stopped working" in r.message]
    assert said == ["filesystem events stopped working (OS file watch limit reached): scanning the folder instead"]


# ---------------------------------------------------------------------- pieces


def test_scan_events_report_what_changed_between_two_scans(tmp_path):
    clock = Clock()
    (tmp_path / "A").mkdir()
    (tmp_path / "A" / "keep.jpg").write_bytes(b"1")
    (tmp_path / "A" / "gone.jpg").write_bytes(b"1")
    (tmp_path / "A" / "edit.jpg").write_bytes(b"1")
    (tmp_path / ".pycsync").mkdir()
    scan = ScanEvents(tmp_path, 60, clock=clock, pause=lambda seconds: setattr(clock, "now", clock.now + seconds))
    scan.start()
    (tmp_path / "A" / "gone.jpg").unlink()
    (tmp_path / "A" / "edit.jpg").write_bytes(b"22")
    (tmp_path / "A" / "new.png").write_bytes(b"1")
    (tmp_path / "A" / "notes.txt").write_bytes(b"1")
    (tmp_path / "A" / "edit.jpg.xmp").write_bytes(b"1")
    (tmp_path / "A" / ".pycsync.toml").write_bytes(b"1")
    (tmp_path / ".pycsync" / "state.db").write_bytes(b"1")
    assert scan.wait(10) == []  # not time yet
    changes = sorted(scan.wait(60))
    assert changes == sorted(
        [
            ("added", str(tmp_path / "A" / "new.png")),
            ("added", str(tmp_path / "A" / "edit.jpg.xmp")),
            ("added", str(tmp_path / "A" / ".pycsync.toml")),
            ("modified", str(tmp_path / "A" / "edit.jpg")),
            ("deleted", str(tmp_path / "A" / "gone.jpg")),
        ]
    )


MOUNTINFO = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
40 22 0:35 / /mnt/nas rw,relatime shared:20 - nfs4 nas:/photos rw,vers=4.2
41 40 0:36 / /mnt/nas/local\\040disk rw - ext4 /dev/sdb1 rw
"""


@pytest.mark.parametrize(
    "path, kind",
    [
        ("/home/me/Pictures", "ext4"),
        ("/mnt/nas/Pictures", "nfs4"),
        ("/mnt/nas/local disk/x", "ext4"),
        ("/mnt/nasty", "ext4"),
    ],
)
def test_the_filesystem_of_a_folder(path, kind):
    assert filesystem_type(Path(path), MOUNTINFO) == kind


@pytest.mark.parametrize("key", ["a/b.jpg", "x/[1] *odd?.jpg", "#1.jpg", "!a.jpg", "trail .jpg", "a\\b.jpg", "é/ß.jpg"])
def test_a_literal_pattern_matches_exactly_its_file(key):
    rules = IgnoreRules.from_lines([literal_pattern(key)])
    assert rules.excludes(key)
    assert not any(rules.excludes(other) for other in (key + "x", "z/" + key, key.upper(), key[:-1]))


def test_backoff_doubles_up_to_the_interval():
    settings = WatchSettings(interval=60)
    assert [settings.backoff(n) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]
    assert WatchSettings(interval=2).backoff(3) == FIRST_BACKOFF


def test_systemd_unit_quotes_what_systemd_would_expand():
    root = Path("/home/me/My Photos $HOME 100%")
    command = ["/usr/bin/python3", "-m", "pycsync", "watch", str(root), "--exclude", 'a "b"\\c']
    unit = systemd_unit(command, root, {"PYCSYNC_CONFIG_DIR": "/home/me/.config/pycsync"})
    line = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    assert line == (
        'ExecStart="/usr/bin/python3" "-m" "pycsync" "watch" "/home/me/My Photos $$HOME 100%%" "--exclude" '
        '"a \\"b\\"\\\\c"'
    )
    # systemd unquotes like a shell (C escapes in double quotes), then expands % and $
    assert shlex.split(line[len("ExecStart=") :].replace("$$", "$").replace("%%", "%")) == command
    assert 'Environment="PYCSYNC_CONFIG_DIR=/home/me/.config/pycsync"' in unit
    assert "WantedBy=default.target" in unit and "User=" not in unit


def test_launchd_plist_is_a_valid_plist_with_the_command():
    root = Path("/Users/me/Pictures & <more>")
    command = ["/usr/bin/python3", "-m", "pycsync", "watch", str(root)]
    text = launchd_plist(command, root, {}, Path("/Users/me/Library/Logs/pycsync/watch.stderr.log"))
    plist = plistlib.loads(text.encode())
    assert plist["ProgramArguments"] == command
    assert plist["Label"].startswith("org.pycsync.watch.pictures-more-")
    assert plist["RunAtLoad"] is True and plist["KeepAlive"] == {"SuccessfulExit": False}
