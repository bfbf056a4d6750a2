"""What the user sees: progress while a sync runs, one line per action, then a summary.

On a terminal a live display shows an overall bar (files and bytes, rate, ETA) and one line per
active transfer, with the action lines scrolling above it. Anywhere else (a pipe, a log file,
cron) the same action lines are printed plainly, with no control characters. `--json` prints a
single JSON document instead; `--quiet` keeps only errors and the one-line summary.

A run reports through ``notify(event)`` (:mod:`pycsync.events`): what each action did or why
it failed, a line each; the transfers' progress, for the live display only. All wording is
here; what ``--json`` counts is keyed by the events' kinds, never by these words.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from pycsync import naming
from pycsync.app import SyncResult
from pycsync.errors import ERROR_KINDS, PycsyncError
from pycsync.estimate import Estimate, human_bytes
from pycsync.events import (
    ActionDone,
    ActionFailed,
    Done,
    Event,
    RunCost,
    SidecarStayed,
    TransferFinished,
    TransferProgress,
    TransfersPlanned,
    TransferStarted,
    UploadsStopped,
    UploadsVisible,
)
from pycsync.limits import LimitsAbort
from pycsync.model import (
    NO_ALBUM,
    Action,
    ApplySettings,
    Confirm,
    CopyLocal,
    DeletePhoto,
    Download,
    Link,
    MoveFolder,
    MoveLocal,
    MoveRemote,
    PlaceInAlbum,
    Plan,
    Privacy,
    RemoveFromAlbum,
    Replace,
    SyncAlbumMeta,
    SyncMeta,
    TrashLocal,
    Upload,
    folder_of,
    join_key,
)

if TYPE_CHECKING:  # (rich is imported when a live display starts)
    from rich.progress import TaskID

# summary column -> the kinds of action that count towards it (ADDED_TO_ALBUM: see _placed)
SUMMARY: dict[str, tuple[Done, ...]] = {
    "uploaded": (Done.UPLOADED,),
    "downloaded": (Done.DOWNLOADED,),
    "replaced": (Done.REPLACED, Done.REPLACED_LOCALLY),
    "moved": (Done.MOVED, Done.MOVED_ON_FLICKR),
    "deleted": (Done.TRASHED, Done.DELETED_ON_FLICKR, Done.REMOVED_FROM_ALBUM),
    "linked": (Done.LINKED,),
    "settings_changed": (Done.SETTINGS_CHANGED,),
    "metadata": (Done.METADATA,),  # photos whose metadata was written (on Flickr, in a sidecar)
}
# what the line of each kind of action begins with
LABELS: dict[Done, str] = {
    Done.UPLOADED: "uploaded",
    Done.DOWNLOADED: "downloaded",
    Done.REPLACED: "replaced",
    Done.REPLACED_LOCALLY: "replaced locally",
    Done.MOVED: "moved",
    Done.MOVED_ON_FLICKR: "moved on Flickr",
    Done.TRASHED: "trashed",
    Done.DELETED_ON_FLICKR: "deleted on Flickr",
    Done.REMOVED_FROM_ALBUM: "removed from album",
    Done.LINKED: "linked",
    Done.ADDED_TO_ALBUM: "added to album",
    Done.SETTINGS_CHANGED: "settings changed",
    Done.METADATA: "metadata",
}
VERBOSE_ONLY = frozenset({Done.ADDED_TO_ALBUM})  # lines shown only with --verbose
# who sees a new upload, by privacy setting (never said for private: only you)
WHO_SEES = {
    Privacy.FRIENDS: "visible to your friends",
    Privacy.FAMILY: "visible to your family",
    Privacy.FRIENDS_FAMILY: "visible to your friends and family",
    Privacy.PUBLIC: "public (anyone can see them)",
}
TABLE_COLUMNS = (
    "uploaded",
    "downloaded",
    "replaced",
    "moved",
    "deleted",
    "metadata",
    "conflicts",
    "skipped",
    "unsynced",
    "failed",
)
TABLE_ROWS = 25  # albums shown in the summary table unless --verbose
LISTED = 10  # files listed per heading unless --verbose
# Flickr API methods that change something (besides upload and replace): named for what they do
_WRITE_METHOD = re.compile(r"flickr\.[\w.]*\.(?:add|remove|set|edit|create|delete|order|reorder)\w*")


def flickr_writes(calls: dict[str, int]) -> int:
    """How many of these API calls changed something on Flickr."""
    return sum(n for m, n in calls.items() if m in ("upload", "replace") or _WRITE_METHOD.fullmatch(m))


def _short(key: str, width: int = 48) -> str:
    return key if len(key) <= width else key[: width // 2 - 1] + "…" + key[-(width - width // 2) :]


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class _Live:
    """The rich display: an overall task plus one task per transfer in flight (thread-safe)."""

    def __init__(self, out: TextIO, budget_wait: Callable[[int], float] | None = None):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

        self.console = Console(file=out, highlight=False)
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(bar_width=28),
            TextColumn("{task.fields[info]}"),
            console=self.console,
            transient=True,
            refresh_per_second=8,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._lock = threading.Lock()
        self.overall = self.progress.add_task("Scanning the folder and listing Flickr", total=None, info="")
        self.files = self.files_done = 0
        self.bytes_known = 0  # sizes announced up front (uploads)
        self.unknown_sizes = 0  # transfers whose size is not known up front (downloads)
        self.bytes_done = 0
        self.started: float | None = None
        self._seen: dict[str, int] = {}  # key -> bytes so far
        self._sizes: dict[str, int] = {}  # key -> size (0: unknown)
        self._tasks: dict[str, TaskID] = {}
        self._samples: deque[tuple[float, int]] = deque()
        #: seconds until the client has made a given total of calls, at its budget's pace
        self._budget_wait = budget_wait
        self._calls_target: int | None = None  # the calls made once the plan is done

    def start(self) -> None:
        self.progress.start()

    def stop(self) -> None:
        self.progress.stop()

    def print(self, text: str, style: str | None = None) -> None:
        self.console.print(text, markup=False, highlight=False, style=style, soft_wrap=True)

    def cost(self, estimate: Estimate) -> None:
        """The plan's calls: the ETA is never shorter than the budget takes to allow them."""
        with self._lock:
            self._calls_target = estimate.calls_so_far + estimate.calls

    def event(self, event: TransfersPlanned | TransferStarted | TransferProgress | TransferFinished) -> None:
        with self._lock:
            match event:
                case TransfersPlanned(files=files, bytes_known=known):
                    self.files += files
                    self.bytes_known += known
                    if self.started is None:
                        self.started = time.monotonic()
                    self.progress.update(self.overall, description="Syncing", total=self.files)
                case TransferStarted(key=key, direction=direction, size=size):
                    if size == 0:
                        self.unknown_sizes += 1
                    arrow = "↑" if direction == "up" else "↓"
                    self._seen[key] = 0
                    self._sizes[key] = size
                    self._tasks[key] = self.progress.add_task(
                        f"  {arrow} {_short(key)}", total=size or None, info=human_bytes(size) if size else ""
                    )
                case TransferProgress(key=key, done=done):
                    self._progressed(key, done)
                case TransferFinished(key=key):
                    task = self._tasks.pop(key, None)
                    self._seen.pop(key, None)
                    self._sizes.pop(key, None)
                    if task is not None:
                        self.progress.remove_task(task)
                    self.files_done += 1
                    self.progress.update(self.overall, completed=self.files_done)
            self.progress.update(self.overall, info=self._overall_info())

    def _progressed(self, key: str, done: int) -> None:
        grown = done - self._seen.get(key, 0)
        if grown > 0:
            self._seen[key] = done
            self.bytes_done += grown
        task = self._tasks.get(key)
        if task is not None:
            total = self._sizes.get(key)
            info = f"{human_bytes(done)} / {human_bytes(total)}" if total else human_bytes(done)
            self.progress.update(task, completed=done, info=info)

    def _rate(self) -> float:
        now = time.monotonic()
        self._samples.append((now, self.bytes_done))
        while len(self._samples) > 2 and now - self._samples[0][0] > 10:
            self._samples.popleft()
        t0, b0 = self._samples[0]
        return (self.bytes_done - b0) / (now - t0) if now - t0 > 0.5 else 0.0

    def _overall_info(self) -> str:
        if self.started is None:
            return ""
        parts = [f"{self.files_done}/{self.files} files"]
        exact = self.unknown_sizes == 0
        parts.append(
            f"{human_bytes(self.bytes_done)}"
            + (f" / {human_bytes(self.bytes_known)}" if exact and self.bytes_known else "")
        )
        rate = self._rate()
        if rate > 0:
            parts.append(f"{human_bytes(rate)}/s")
        eta = None
        if exact and rate > 0 and self.bytes_known:
            eta = max(0.0, (self.bytes_known - self.bytes_done) / rate)
        elif self.files_done:
            elapsed = time.monotonic() - self.started
            eta = elapsed / self.files_done * (self.files - self.files_done)
        by_budget = self._budget_wait(self._calls_target) if self._budget_wait and self._calls_target else 0.0
        limit = ""
        if by_budget > (eta or 0):
            eta, limit = by_budget, " (API budget)"
        if eta is not None and self.files_done < self.files:
            parts.append(f"ETA {int(eta) // 3600}:{int(eta) % 3600 // 60:02d}:{int(eta) % 60:02d}{limit}")
        return " · ".join(parts)


class Reporter:
    """Prints a run for people (or as JSON). Use as a context manager around the sync so the
    live display starts and stops with it; call :meth:`sync_result` afterwards."""

    def __init__(
        self,
        out: TextIO,
        err: TextIO,
        *,
        json_mode: bool = False,
        quiet: bool = False,
        verbose: bool = False,
        live: bool | None = None,
        budget_wait: Callable[[int], float] | None = None,
    ):
        self.out, self.err = out, err
        self.json_mode, self.quiet, self.verbose = json_mode, quiet, verbose
        if live is None:
            live = not json_mode and not quiet and _isatty(out)
        self._live = _Live(out, budget_wait) if live else None
        # warnings and errors go above the live display when both share one screen (keep it tidy)
        self._live_err = self._live if self._live is not None and _isatty(err) else None
        self._lock = threading.Lock()

    @property
    def is_live(self) -> bool:
        return self._live is not None

    def __enter__(self) -> Reporter:
        if self._live is not None:
            self._live.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._live is not None:
            self._live.stop()

    def line(self, text: str) -> None:
        if not self.quiet and not self.json_mode:
            self._print(text)

    def _print(self, text: str) -> None:
        if self._live is not None:
            self._live.print(text)
        else:
            with self._lock:
                print(text, file=self.out, flush=True)

    def warn(self, text: str) -> None:
        if self._live_err is not None:
            self._live_err.print(f"warning: {text}", style="yellow")
            return
        with self._lock:
            print(f"warning: {text}", file=self.err, flush=True)

    def _error(self, text: str) -> None:
        if self._live_err is not None:
            self._live_err.print(text, style="red")
            return
        with self._lock:
            print(text, file=self.err, flush=True)

    def notify(self, event: Event) -> None:
        """Show one event of a running sync (pass as ``sync(..., notify=reporter.notify)``)."""
        match event:
            case ActionDone(kind=kind) if kind not in VERBOSE_ONLY or self.verbose:
                detail = action_detail(event)
                self.line(f"{LABELS[kind]:<16} {event.key}" + (f"  ({detail})" if detail else ""))
            case ActionFailed(key=key, message=message):
                self.warn(f"{key}: {message}")
            case UploadsVisible():
                self.warn(privacy_notice(event))
            case UploadsStopped(reason=reason):
                self.warn(reason)
            case RunCost(estimate=estimate):
                self.line(f"estimate: {estimate.describe()}")
                if self._live is not None:
                    self._live.cost(estimate)
            case SidecarStayed(key=key, sidecar=sidecar, reason=reason):
                self.warn(f"{key}: its sidecar {sidecar} stays where it was: {reason}")
            case TransfersPlanned() | TransferStarted() | TransferProgress() | TransferFinished():
                if self._live is not None:
                    self._live.event(event)

    # ------------------------------------------------------------------ the end of a run

    def sync_result(self, result: SyncResult, calls: dict[str, int]) -> None:
        for message in run_warnings(result):
            self.warn(message)
        summary = summarise(result, calls)
        if self.json_mode:
            print(json.dumps(summary, indent=2, sort_keys=True), file=self.out, flush=True)
            return
        for path, reason in result.skipped:
            self.line(f"skipped          {path}  ({reason})")
        for path, reason in result.raw:
            self.line(f"skipped RAW      {path}  ({reason})")
        if result.outcome is None:
            self.line(describe_plan(result.plan))
        for note in result.plan.conflicts:
            self.line(f"conflict         {note.key}: {note.reason}; your version kept as {note.kept_as}")
        for c in result.plan.meta_conflicts:
            self.line(
                f"metadata conflict {c.key}: {c.field} changed on both sides: here {show_value(c.local)!r}, "
                f"on Flickr {show_value(c.remote)!r}; the folder's is kept"
            )
        if result.unsynced:
            self.line(f"Not synced ({len(result.unsynced)}; listed by every run until they are):")
            for path, reason in result.unsynced if self.verbose else result.unsynced[:LISTED]:
                self.line(f"  {path}  ({reason})")
            if not self.verbose and len(result.unsynced) > LISTED:
                self.line(f"  ... and {len(result.unsynced) - LISTED} more (-v lists all)")
        failures = (result.outcome.failed + result.outcome.permanent) if result.outcome is not None else []
        if failures:
            self._error(f"{len(failures)} {'item' if len(failures) == 1 else 'items'} failed:")
            for key, message in failures:
                self._error(f"  {key}: {message}")
        if not self.quiet:
            rows = summary["albums"]
            if rows:
                self._print("")
                self._print(
                    render_table(
                        ["album", *TABLE_COLUMNS],
                        [[album, *(row[c] for c in TABLE_COLUMNS)] for album, row in _top(rows, self.verbose)]
                        + (
                            [["(more albums: -v lists all)", *([""] * len(TABLE_COLUMNS))]]
                            if len(rows) > TABLE_ROWS and not self.verbose
                            else []
                        )
                        + [["total", *(sum(r[c] for r in rows.values()) for c in TABLE_COLUMNS)]],
                        total=True,
                    )
                )
            if self.verbose and calls:
                self._print("Flickr API calls: " + ", ".join(f"{m} {n}" for m, n in sorted(calls.items())))
        self._print(summary_line(result, summary, calls))
        if result.outcome is None and result.checked is not None and not result.plan.is_empty():
            self.line(f"estimate: {result.checked.estimate.describe()}")
        if result.outcome is not None and (summary["uploaded"] or summary["settings_changed"]):
            for widening in result.widenings:
                self.warn(f"{_uploaded_label(result, summary['uploaded'])}: {widening.describe()}")
        if result.outcome is not None and result.outcome.uploads_stopped:
            self.warn(result.outcome.uploads_stopped)


def _uploaded_label(result: SyncResult, count: int | None = None) -> str:
    """ "uploaded", "uploaded as public" or "uploaded (3 public, 2 friends)": who may see them."""
    by = dict(result.outcome.uploaded_as) if result.outcome is not None else dict(result.uploads_by_privacy)
    if not by:
        by = {result.privacy: 1}
    prefix = f"{count} " if count is not None else ""
    if len(by) == 1:
        (privacy,) = by
        return f"{prefix}uploaded as {privacy}" if privacy in WHO_SEES else f"{prefix}uploaded"
    return f"{prefix}uploaded ({', '.join(f'{n} {p}' for p, n in sorted(by.items(), key=lambda kv: -kv[1]))})"


def action_detail(done: ActionDone) -> str:
    """What an action line adds in brackets."""
    if done.source:
        return f"{'linked from' if done.kind is Done.DOWNLOADED else 'from'} {done.source}"
    if done.compared:
        return "same content on both sides"
    if done.settings:
        return ", ".join(done.settings)
    if done.kind is Done.METADATA:
        return "; ".join(
            f"{where}: {', '.join(fields)}"
            for where, fields in (("on Flickr", done.to_flickr), ("here", done.to_folder))
            if fields
        )
    return done.album or done.kept_at


def privacy_notice(visible: UploadsVisible, would: bool = False) -> str:
    """What is said before a run uploads photos, or changes photos so that, anyone but you may
    see them, and why (the settings files that widen it beyond your own settings)."""
    verb = "would" if would else "will"
    parts = []
    for privacy, count in visible.uploads:
        what = "new photo or video" if count == 1 else "new photos and videos"
        parts.append(f"{count} {what} {verb} be {WHO_SEES[privacy]}")
    for privacy, count in visible.changes:
        what = "photo already on Flickr" if count == 1 else "photos already on Flickr"
        parts.append(f"{count} {what} {verb} become {WHO_SEES[privacy]} (their folder's .pycsync.toml)")
    text = "; ".join(parts)
    if visible.widenings:
        text += ": " + "; ".join(w.describe() for w in visible.widenings)
    return text


def run_warnings(result: SyncResult) -> list[str]:
    """What a run has to say besides its actions: the run's own messages and, for a dry run, who
    would see its new uploads."""
    warnings = list(result.messages)
    if result.outcome is None and result.visible is not None:
        warnings.append(privacy_notice(result.visible, would=True))
    return warnings


def summary_line(result: SyncResult, summary: dict, calls: dict[str, int]) -> str:
    """The one line that ends a run's report: what it did and the API calls it used."""
    labels = {**{k: k for k in SUMMARY}, "placed": "placed in albums", "conflicts": "conflicts"}
    labels["settings_changed"] = "photo settings changed"
    labels.update(metadata="metadata synced", metadata_conflicts="metadata conflicts")
    labels.update(skipped="skipped", raw="RAW skipped", unsynced="not synced", failed="failed")
    labels["uploaded"] = _uploaded_label(result)
    counts = ", ".join(f"{summary[k]} {label}" for k, label in labels.items() if summary[k])
    if not counts and summary["flickr_writes"]:  # "nothing to do" only when nothing was written
        counts = f"{summary['flickr_writes']} other changes on Flickr"
    total_calls = sum(calls.values())
    if result.error is not None:
        verb, nothing = "stopped", "nothing done"
    elif result.outcome is None:
        verb, nothing = "planned", "nothing to do"
    else:
        verb, nothing = "done", "nothing to do"
    return f"{verb}: {counts or nothing}; {total_calls} Flickr API calls in {result.seconds:.1f}s"


def _top(rows: dict[str, dict], verbose: bool) -> list[tuple[str, dict]]:
    items = sorted(rows.items())
    if verbose or len(items) <= TABLE_ROWS:
        return items
    busiest = sorted(items, key=lambda kv: -sum(kv[1].values()))[:TABLE_ROWS]
    return sorted(busiest)


def render_table(header: list[str], rows: list[list], *, total: bool = False) -> str:
    """A plain-text table: numbers right-aligned with zeros as '·', text left-aligned; with
    ``total`` the last row is set apart as a total."""

    def cell(c) -> str:
        return "·" if isinstance(c, int) and not isinstance(c, bool) and c == 0 else str(c)

    numeric = [i > 0 and all(isinstance(r[i], int) or r[i] == "" for r in rows) for i in range(len(header))]
    cells = [[str(h) for h in header]] + [[cell(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    rule = "  ".join("-" * w for w in widths)
    lines = []
    for n, row in enumerate(cells):
        text = "  ".join(c.rjust(widths[i]) if numeric[i] else c.ljust(widths[i]) for i, c in enumerate(row))
        if total and n == len(cells) - 1 and n > 1:
            lines.append(rule)
        lines.append(text.rstrip())
        if n == 0:
            lines.append(rule)
    return "\n".join(lines)


def summarise(result: SyncResult, calls: dict[str, int]) -> dict:
    done: Counter = result.outcome.done if result.outcome else Counter()
    planned = plan_counts(result.plan)
    source = (
        planned if result.outcome is None else {k: sum(done[kind] for kind in kinds) for k, kinds in SUMMARY.items()}
    )
    failed = len(result.outcome.failed) + len(result.outcome.permanent) if result.outcome else 0
    return {
        "error": error_member(result.error) if result.error is not None else None,
        "dry_run": result.outcome is None,
        **{k: source.get(k, 0) for k in SUMMARY},
        "placed": planned["placed"] if result.outcome is None else _placed(result),
        "conflicts": len(result.plan.conflicts),
        "metadata_conflicts": len(result.plan.meta_conflicts),
        "metadata_conflict_fields": meta_conflicts(result.plan),
        "skipped": len(result.skipped),
        "raw": len(result.raw),
        "unsynced": len(result.unsynced),
        "unsynced_files": [{"path": p, "reason": r} for p, r in result.unsynced],
        "failed": failed,
        "flickr_writes": flickr_writes(calls) if result.outcome is not None else 0,
        "failures": [
            {"path": k, "error": m, "permanent": p}
            for p, items in (
                (False, result.outcome.failed if result.outcome else []),
                (True, result.outcome.permanent if result.outcome else []),
            )
            for k, m in items
        ],
        "api_calls": dict(sorted(calls.items())),
        "api_calls_total": sum(calls.values()),
        "bytes_up": result.outcome.bytes_up if result.outcome else 0,
        "bytes_down": result.outcome.bytes_down if result.outcome else 0,
        "files_hashed": result.files_hashed,
        # who may see this run's new uploads, and whether the folder's own settings file widened that
        "privacy": {
            "setting": result.privacy,
            "uploaded": source.get("uploaded", 0),
            "widened": None
            if result.privacy_widening is None
            else {"by": str(result.privacy_widening.file), "your_setting": result.privacy_widening.yours.value},
            "uploaded_as": dict(result.outcome.uploaded_as) if result.outcome else dict(result.uploads_by_privacy),
            "changed_to": dict(result.changes_by_privacy),
            "widened_by": [
                {"by": str(w.file), "value": w.value, "your_setting": w.yours.value} for w in result.widenings
            ],
        },
        "limits": _verdict_json(result),
        "estimate": None if result.checked is None else result.checked.estimate.as_json(),
        "uploads_stopped": result.outcome.uploads_stopped if result.outcome else None,
        "seconds": round(result.seconds, 3),
        "by_album": {
            album: dict(counter) for album, counter in (result.outcome.by_album.items() if result.outcome else ())
        },
        "albums": album_rows(result),
    }


def _verdict_json(result: SyncResult) -> dict | None:
    """The account and the verdict of the limits check (None when the plan needed neither)."""
    verdict = result.checked.verdict if result.checked is not None else None
    return verdict.as_json() if verdict is not None else None


def error_member(error: PycsyncError) -> dict:
    """The ``error`` member of a ``--json`` document: what ended the command, and its exit status."""
    status = error.exit_status
    member = {"kind": ERROR_KINDS[status], "message": str(error), "exit_status": int(status)}
    if isinstance(error, LimitsAbort):  # exactly what would exceed the account's limits
        member["limits"] = error.verdict.as_json()
    return member


def error_document(error: PycsyncError) -> dict:
    """The one ``--json`` document of a command that ended before it had anything else to say."""
    return {"error": error_member(error)}


def _placements_alone(plan: Plan) -> list[str]:
    """Keys a plan adds to an album that no upload, move or link of the same plan brings there
    (photos already on Flickr, e.g. after an interrupted run: their placement is the news)."""
    arriving: set[str] = set()
    for a in plan.actions:
        if isinstance(a, Upload):
            arriving.update(a.keys)
        elif isinstance(a, (MoveRemote, Link)):
            arriving.add(a.key)
    return [k for a in plan.actions if isinstance(a, PlaceInAlbum) for k in a.keys if k not in arriving]


def _placed(result: SyncResult) -> int:
    """How many of the plan's placements alone were done (per folder: the run's album adds there,
    at most)."""
    wanted: Counter = Counter(folder_of(k) or NO_ALBUM for k in _placements_alone(result.plan))
    by_album = result.outcome.by_album if result.outcome is not None else {}
    return sum(min(n, by_album[f][Done.ADDED_TO_ALBUM]) for f, n in wanted.items() if f in by_album)


def album_rows(result: SyncResult) -> dict[str, dict[str, int]]:
    """Per album (folder; "(no album)" for the root): the summary table's columns."""
    rows: dict[str, Counter] = {}

    def row(key: str) -> Counter:
        return rows.setdefault(folder_of(key) or NO_ALBUM, Counter())

    if result.outcome is not None:
        for album, counter in result.outcome.by_album.items():
            target = rows.setdefault(album, Counter())
            for column, kinds in SUMMARY.items():
                if column in TABLE_COLUMNS:
                    target[column] += sum(counter.get(kind, 0) for kind in kinds)
        for key, _ in result.outcome.failed + result.outcome.permanent:
            row(key)["failed"] += 1
    else:
        for column, keys in _planned_keys(result.plan).items():
            for key in keys:
                row(key)[column] += 1
    for note in result.plan.conflicts:
        row(note.key)["conflicts"] += 1
    for c in result.plan.meta_conflicts:
        row(c.key)["conflicts"] += 1
    for path, _ in result.skipped:
        row(path)["skipped"] += 1
    for path, _ in result.unsynced:
        row(path)["unsynced"] += 1
    return {
        album: {c: counter.get(c, 0) for c in TABLE_COLUMNS}
        for album, counter in sorted(rows.items())
        if any(counter.values())
    }


def _planned_keys(plan: Plan) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {c: [] for c in ("uploaded", "downloaded", "replaced", "moved", "deleted", "metadata")}
    for a in plan.actions:
        written = meta_writes(a)
        if written is not None:
            out["metadata"].append(written[0])
        if isinstance(a, Upload):
            out["uploaded"].extend(a.keys)
        elif isinstance(a, Replace):
            out["replaced"].append(a.key)
        elif isinstance(a, Download):
            out["replaced" if a.overwrite else "downloaded"].append(a.key)
        elif isinstance(a, CopyLocal):
            out["downloaded"].append(a.key)
        elif isinstance(a, MoveRemote) or (isinstance(a, MoveLocal) and a.photo_id):
            out["moved"].append(a.key)
        elif isinstance(a, MoveFolder):
            out["moved"].extend(new for _, new in a.moves)
        elif isinstance(a, TrashLocal):
            out["deleted"].append(a.key)
        elif isinstance(a, (DeletePhoto, RemoveFromAlbum)):
            out["deleted"].extend(a.forget)
    return out


def plan_counts(plan: Plan) -> dict[str, int]:
    return {
        "uploaded": sum(len(a.keys) for a in plan.actions if isinstance(a, Upload)),
        "downloaded": plan.count(Download)
        - sum(1 for a in plan.actions if isinstance(a, Download) and a.overwrite)
        + plan.count(CopyLocal),
        "replaced": plan.count(Replace) + sum(1 for a in plan.actions if isinstance(a, Download) and a.overwrite),
        "moved": plan.count(MoveLocal)
        + plan.count(MoveRemote)
        + sum(len(a.moves) for a in plan.actions if isinstance(a, MoveFolder)),
        "deleted": plan.count(TrashLocal)
        + plan.count(DeletePhoto)
        + sum(len(a.forget) for a in plan.actions if isinstance(a, RemoveFromAlbum)),
        "linked": plan.count(Link) + plan.count(Confirm),
        "metadata": sum(1 for a in plan.actions if meta_writes(a) is not None),
        "placed": len(_placements_alone(plan)),
        "settings_changed": plan.count(ApplySettings),
    }


def _setting(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(value) or "(none)"
    return str(value).lower() if isinstance(value, bool) else str(value)


def meta_fields(a: SyncMeta) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fields a SyncMeta writes on Flickr, fields it writes in sidecars here)."""
    there = a.merged.remote_fields() if a.push else ()
    return there, a.merged.to_local if a.write else ()


def meta_writes(a: Action) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    """(the path it is reported under, fields written on Flickr, fields written here) of an
    action that writes metadata (a photo's, or an album's under its folder's .pycsync.toml)."""
    if isinstance(a, SyncMeta):
        there, here = meta_fields(a)
        return (a.keys[0], there, here) if there or here else None
    if isinstance(a, SyncAlbumMeta):
        return join_key(a.folder, naming.SETTINGS_FILE), a.to_remote, a.to_local
    return None


def show_value(value: object) -> str:
    """A metadata field's value as people read it."""
    if value is None:
        return ""
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], int):  # (date taken, granularity)
        taken, granularity = str(value[0]), value[1]
        return {4: taken[:7], 6: taken[:4], 8: f"circa {taken[:4]}"}.get(granularity, taken)
    latitude = getattr(value, "latitude", None)
    if latitude is not None:
        accuracy = getattr(value, "accuracy", None)
        where = f"{latitude:.6f},{getattr(value, 'longitude', 0.0):.6f}"
        return where + (f" (accuracy {accuracy})" if accuracy else "")
    if isinstance(value, (tuple, list, frozenset, set)):
        return ", ".join(sorted(str(v) for v in value))
    return str(value)


def meta_conflicts(plan: Plan) -> list[dict[str, str]]:
    """The plan's metadata conflicts, for --json: path, field and both values (the folder's won)."""
    return [
        {"path": c.key, "field": c.field, "here": show_value(c.local), "flickr": show_value(c.remote)}
        for c in plan.meta_conflicts
    ]


def describe_plan(plan: Plan) -> str:
    """The plan as readable lines, for --dry-run."""
    lines = []
    for a in plan.actions:
        if isinstance(a, Upload):
            lines.append(f"would upload     {', '.join(a.keys)}")
        elif isinstance(a, Replace):
            lines.append(f"would replace    {a.key} on Flickr")
        elif isinstance(a, Download):
            lines.append(f"would download   {a.key}" + (" (newer on Flickr)" if a.overwrite else ""))
        elif isinstance(a, CopyLocal):
            lines.append(f"would link       {a.key} (same as {a.src_key})")
        elif isinstance(a, MoveLocal):
            lines.append(f"would move       {a.src_key} -> {a.key}")
        elif isinstance(a, MoveRemote):
            lines.append(f"would move on Flickr {a.src_key} -> {a.key}")
        elif isinstance(a, MoveFolder):
            lines.append(f"would rename     {a.folder}/ -> {a.new_folder}/ (its album was renamed on Flickr)")
        elif isinstance(a, TrashLocal):
            lines.append(f"would trash      {a.key}")
        elif isinstance(a, DeletePhoto):
            lines.append(f"would delete on Flickr photo {a.photo_id} ({', '.join(a.forget)})")
        elif isinstance(a, RemoveFromAlbum):
            lines.append(f"would remove from album {a.album_id}: {', '.join(a.forget) or ', '.join(a.photo_ids)}")
        elif isinstance(a, PlaceInAlbum):
            lines.append(f"would add {len(a.keys)} to album {a.title!r}" + ("" if a.album_id else " (new)"))
        elif isinstance(a, (Link, Confirm)):
            lines.append(f"would match      {a.key} to photo {a.photo_id}")
        elif isinstance(a, ApplySettings):
            changes = ", ".join(f"{name} {_setting(new)}" for name, _, new in a.changes)
            lines.append(f"would set        {a.key} on Flickr: {changes}")
        elif (written := meta_writes(a)) is not None:
            path, there, here = written
            parts = ([f"on Flickr: {', '.join(there)}"] if there else []) + (
                [f"here: {', '.join(here)}"] if here else []
            )
            lines.append(f"would sync metadata {path} ({'; '.join(parts)})")
    return "\n".join(lines) if lines else "nothing to do"


# ---------------------------------------------------------------------- status

STATUS_VERSION = 1
# status category -> what it means (the keys of the JSON document's "albums" entries)
STATUS_CATEGORIES = {
    "only_local": "only in the folder: a sync uploads it",
    "only_remote": "only on Flickr: a sync downloads it",
    "changed_local": "edited in the folder: a sync replaces the photo on Flickr",
    "changed_remote": "replaced on Flickr: a sync downloads the new version",
    "moved": "moved or renamed on one side: a sync moves it on the other side too",
    "conflicts": "changed differently on both sides: a sync keeps both versions",
    "delete_local": "deleted on Flickr: a sync moves the file to .pycsync/trash/",
    "delete_remote": "deleted in the folder: a sync removes it from Flickr",
    "unplaced": "on Flickr but not in its album yet: a sync adds it",
    "settings": "on Flickr, and its folder's .pycsync.toml changed a setting: a sync applies it",
    "metadata": "title, description, tags, date or place changed: a sync writes them on the other side",
    "unsynced": "not synced, and a sync will not sync it as things are: see why below",
}
STATUS_HEADINGS = {
    "only_local": "only here",
    "only_remote": "only on Flickr",
    "changed_local": "changed here",
    "changed_remote": "changed on Flickr",
    "moved": "moved",
    "conflicts": "conflicts",
    "delete_local": "to delete here",
    "delete_remote": "to delete on Flickr",
    "unplaced": "to add to albums",
    "settings": "settings to apply",
    "metadata": "metadata changed",
    "unsynced": "not synced",
}


def status_report(result: SyncResult, root: str, *, direction: str, delete: bool) -> dict:
    """The documented `pycsync status --json` document (see the README)."""
    albums: dict[str, dict[str, list[str]]] = {}

    def add(category: str, key: str) -> None:
        entry = albums.setdefault(folder_of(key) or NO_ALBUM, {c: [] for c in STATUS_CATEGORIES})
        if key not in entry[category]:
            entry[category].append(key)

    # a conflict's own actions (keep yours under a new name, fetch theirs) show as the conflict
    conflict_keys = {n.key for n in result.plan.conflicts} | {n.kept_as for n in result.plan.conflicts}
    for a in result.plan.actions:
        if isinstance(a, Upload):
            for k in a.keys:
                if k not in conflict_keys:
                    add("only_local", k)
        elif isinstance(a, Replace):
            for k in (a.key, *a.also_keys):
                if k not in conflict_keys:
                    add("changed_local", k)
        elif isinstance(a, (Download, CopyLocal)):
            if a.key not in conflict_keys:
                add("changed_remote" if getattr(a, "overwrite", False) else "only_remote", a.key)
        elif isinstance(a, MoveRemote) or (isinstance(a, MoveLocal) and a.photo_id):
            add("moved", a.key)
        elif isinstance(a, MoveFolder):
            for _, new in a.moves:
                add("moved", new)
        elif isinstance(a, TrashLocal):
            add("delete_local", a.key)
        elif isinstance(a, (DeletePhoto, RemoveFromAlbum)):
            for k in a.forget:
                add("delete_remote", k)
        elif isinstance(a, ApplySettings):
            add("settings", a.key)
    for note in result.plan.conflicts:
        add("conflicts", note.key)
    for key in _placements_alone(result.plan):
        add("unplaced", key)
    metadata = []
    for a in result.plan.actions:
        written = meta_writes(a)
        if written is not None:
            path, there, here = written
            add("metadata", path)
            metadata.append({"path": path, "to_flickr": list(there), "to_folder": list(here)})
    for c in result.plan.meta_conflicts:
        add("metadata", c.key)
    for path, _ in result.unsynced:
        add("unsynced", path)
    for entry in albums.values():
        for keys in entry.values():
            keys.sort()
    totals = {c: sum(len(e[c]) for e in albums.values()) for c in STATUS_CATEGORIES}
    checked = result.checked
    return {
        "version": STATUS_VERSION,
        "root": root,
        "direction": direction,
        "delete": delete,
        "in_sync": not any(totals.values()),
        "totals": totals,
        "albums": dict(sorted(albums.items())),
        "conflicts": [{"path": n.key, "reason": n.reason, "kept_as": n.kept_as} for n in result.plan.conflicts],
        "metadata": sorted(metadata, key=lambda m: m["path"]),
        "metadata_conflicts": meta_conflicts(result.plan),
        "unsynced": [{"path": p, "reason": r} for p, r in result.unsynced],
        "skipped": [{"path": p, "reason": r} for p, r in result.skipped],
        "raw": [{"path": p, "reason": r} for p, r in result.raw],
        "out_of_selection": dict(result.out_of_selection or {"local": 0, "remote": 0}),
        # what a sync would cost (null: nothing to do), and the account's limits when the plan
        # sends anything (null: not read, since nothing needed it)
        "estimate": None if checked is None or result.plan.is_empty() else checked.estimate.as_json(),
        "limits": _verdict_json(result),
    }


def render_status(report: dict, verbose: bool = False, limit: int = LISTED) -> str:
    lines = [f"{report['root']}: " + ("in sync with Flickr" if report["in_sync"] else "differs from Flickr")]
    shown = [c for c in STATUS_CATEGORIES if report["totals"][c]]
    if shown:
        lines.append("")
        rows = [[album, *(len(entry[c]) for c in shown)] for album, entry in report["albums"].items()]
        if len(rows) > 1:
            rows.append(["total", *(report["totals"][c] for c in shown)])
        lines.append(render_table(["album", *(STATUS_HEADINGS[c] for c in shown)], rows, total=len(rows) > 2))
        for c in shown:
            if c == "unsynced":  # listed below, with why
                continue
            keys = [k for entry in report["albums"].values() for k in entry[c]]
            lines.append("")
            heading = STATUS_HEADINGS[c]
            lines.append(f"{heading[0].upper()}{heading[1:]} ({STATUS_CATEGORIES[c].split(': ', 1)[1]}):")
            for k in keys if verbose else keys[:limit]:
                lines.append(f"  {k}")
            if not verbose and len(keys) > limit:
                lines.append(f"  ... and {len(keys) - limit} more (-v lists all)")
    if report["unsynced"]:
        lines.append("")
        lines.append(f"Not synced ({len(report['unsynced'])}), and why:")
        for item in report["unsynced"] if verbose else report["unsynced"][:limit]:
            lines.append(f"  {item['path']}  ({item['reason']})")
        if not verbose and len(report["unsynced"]) > limit:
            lines.append(f"  ... and {len(report['unsynced']) - limit} more (-v lists all)")
    outside = report["out_of_selection"]
    if outside["local"] or outside["remote"]:
        lines.append("")
        lines.append(
            f"Outside the selection (exclude rules; never synced either way): {outside['local']} "
            f"{'file' if outside['local'] == 1 else 'files'} here, {outside['remote']} on Flickr."
        )
    if report["skipped"]:
        lines.append("")
        lines.append(f"Skipped ({len(report['skipped'])}):")
        for item in report["skipped"] if verbose else report["skipped"][:limit]:
            lines.append(f"  {item['path']}  ({item['reason']})")
        if not verbose and len(report["skipped"]) > limit:
            lines.append(f"  ... and {len(report['skipped']) - limit} more (-v lists all)")
    if report["raw"]:
        lines.append("")
        paired = sum(1 for item in report["raw"] if item["reason"].startswith("RAW original of"))
        also = f"; {paired} with the JPEG of the same name synced in their place" if paired else ""
        lines.append(f"RAW files ({len(report['raw'])}; Flickr does not accept RAW files{also}):")
        for item in report["raw"] if verbose else report["raw"][:limit]:
            lines.append(f"  {item['path']}  ({item['reason']})")
        if not verbose and len(report["raw"]) > limit:
            lines.append(f"  ... and {len(report['raw']) - limit} more (-v lists all)")
    if report.get("limits"):
        lines += ["", _account_line(report["limits"])]
    if report.get("estimate"):
        lines += ["", f"A sync would cost {describe_estimate(report['estimate'])}."]
    if not report["delete"]:
        lines.append("")
        lines.append(
            "Deletions are not propagated without --delete; "
            "`pycsync status --delete` shows what `pycsync sync --delete` would delete."
        )
    return "\n".join(lines)


def _account_line(limits: dict) -> str:
    """ "Flickr account: free; 812 of 1,000 photos and videos, 12 of 50 non-public." """
    account = limits["account"]
    parts = []
    for have, allowed, what in (
        (account["items"], account["max_items"], "photos and videos"),
        (account["nonpublic"], account["max_nonpublic"], "non-public"),
    ):
        parts.append(f"{have:,} {what}" if allowed is None else f"{have:,} of {allowed:,} {what}")
    return f"Flickr account: {account['kind']}; {', '.join(parts)}."


def describe_estimate(doc: dict) -> str:
    """An estimate's --json form as its one line (status reads the document it prints)."""
    return Estimate(doc["calls"], doc["bytes_up"], doc["downloads"], doc["rate_limit"], doc["calls_so_far"]).describe()


# ---------------------------------------------------------------------- config

CONFIG_SOURCE_LABELS = {"default": "default", "user": "user file", "folder": "folder file", "flag": "command line"}


def render_config(doc: dict) -> str:
    """`pycsync config` for people: the files, a table of settings and one of the account."""

    def found(entry: dict) -> str:
        return entry["path"] + ("" if entry["exists"] else "  (not found)")

    def show(value: object) -> str:
        if isinstance(value, list):
            return ", ".join(value) if value else "(none)"
        if isinstance(value, bool):
            return str(value).lower()
        return "" if value is None else str(value)

    def source(label: str) -> str:
        return " + ".join(CONFIG_SOURCE_LABELS.get(s, s) for s in label.split("+"))

    account = doc["account"]
    rows = [["endpoint", account["endpoint"]["value"], account["endpoint"]["source"]]]
    for name in ("api_key", "api_secret", "token", "token_secret"):
        entry = account[name]
        rows.append([name, entry["value"] or "(not set)", entry["source"] or ""])
    user = account["user"]
    if user:
        signed_in = (
            f"Signed in as {user['username']} ({user['user_nsid']}) with {user['perms']} permission "
            f"(saved in {account['token_file']})."
        )
    elif account["token"]["value"]:
        signed_in = "An access token is set in the environment."
    else:
        signed_in = "Not signed in: run `pycsync auth`."
    settings = [[name, show(v["value"]), source(v["source"])] for name, v in doc["settings"].items()]
    lines = [
        f"Configuration for {doc['root']}",
        f"  user file:   {found(doc['files']['user'])}",
        f"  folder file: {found(doc['files']['folder'])}",
        "",
        render_table(["setting", "value", "source"], settings),
    ]
    folder = doc.get("folder")
    if folder is not None:
        where = folder["path"] or "the sync folder itself"
        per_folder = [
            [name, show(v["value"]) if v["value"] not in (None, []) else "(account default)", source(v["source"])]
            for name, v in folder["settings"].items()
        ]
        per_folder[-1][1] = show(folder["settings"]["tags"]["value"])  # (tags: none rather than a default)
        lines += ["", f"Photo settings for {where} (.pycsync.toml files, the most specific wins):"]
        lines += [f"  {path}" for path in folder["files"]] or ["  (no .pycsync.toml applies)"]
        lines += ["", render_table(["photo setting", "value", "source"], per_folder)]
        if folder["album"].get("description") is not None:
            lines += ["", f"album description: {folder['album']['description']}"]
    lines += ["", render_table(["flickr", "value", "source"], rows), "", signed_in]
    return "\n".join(lines)


# ---------------------------------------------------------------------- verify

VERIFY_HEADINGS = {
    "missing_on_flickr": "Missing on Flickr",
    "missing_here": "Missing here",
    "different": "Different",
    "unverified": "Not verified",
    "not_synced": "Not synced",
    "moved": "Moved (the same content in another place; not a loss)",
}


def render_verify(result, verbose: bool = False, limit: int = LISTED) -> str:
    """`pycsync verify` for people: the verdict, then each list of findings."""
    checked = f"{result.files:,} files and {result.photos:,} photos"
    how = (
        f"downloaded and hashed {result.downloaded:,} originals ({human_bytes(result.bytes_downloaded)})"
        if result.deep
        else "by content tag and listing; --deep downloads and hashes every original"
    )
    if result.ok:
        lines = [f"{result.root}: verified: {checked} hold the same content ({how})"]
    else:
        problems = sum(len(getattr(result, name)) for name in VERIFY_HEADINGS if name != "moved")
        lines = [
            f"{result.root}: NOT verified: {problems} {'difference' if problems == 1 else 'differences'} "
            f"in {checked} ({how})"
        ]
    for name, heading in VERIFY_HEADINGS.items():
        findings = getattr(result, name)
        if not findings:
            continue
        lines += ["", f"{heading} ({len(findings)}):"]
        for f in findings if verbose else findings[:limit]:
            photo = f", photo {f.photo_id}" if f.photo_id else ""
            lines.append(f"  {f.path}  ({f.why}{photo})")
        if not verbose and len(findings) > limit:
            lines.append(f"  ... and {len(findings) - limit} more (-v lists all)")
    return "\n".join(lines)
