"""What the user sees: one line per action as it happens, then a summary (text or JSON)."""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import TextIO

from pycsync.app import SyncResult
from pycsync.model import (
    Confirm,
    CopyLocal,
    DeletePhoto,
    Download,
    Link,
    MoveLocal,
    MoveRemote,
    PlaceInAlbum,
    Plan,
    RemoveFromAlbum,
    Replace,
    TrashLocal,
    Upload,
)

# summary column -> the executor's action kinds that count towards it
SUMMARY = {
    "uploaded": ("uploaded",),
    "downloaded": ("downloaded",),
    "replaced": ("replaced", "replaced locally"),
    "moved": ("moved", "moved on Flickr"),
    "deleted": ("trashed", "deleted on Flickr", "removed from album"),
    "linked": ("linked",),
}


class Reporter:
    def __init__(self, out: TextIO, err: TextIO, *, json_mode: bool = False, quiet: bool = False,
                 verbose: bool = False):
        self.out, self.err = out, err
        self.json_mode, self.quiet, self.verbose = json_mode, quiet, verbose
        self._lock = threading.Lock()

    def line(self, text: str) -> None:
        if not self.quiet and not self.json_mode:
            with self._lock:
                print(text, file=self.out, flush=True)

    def warn(self, text: str) -> None:
        with self._lock:
            print(f"warning: {text}", file=self.err, flush=True)

    def notify(self, kind: str, key: str, detail: str) -> None:
        if kind == "failed":
            self.warn(f"{key}: {detail}")
        elif kind != "added to album" or self.verbose:
            self.line(f"{kind:<16} {key}" + (f"  ({detail})" if detail else ""))

    def sync_result(self, result: SyncResult, calls: dict[str, int]) -> None:
        for message in result.messages:
            self.warn(message)
        summary = summarise(result, calls)
        if self.json_mode:
            print(json.dumps(summary, indent=2, sort_keys=True), file=self.out, flush=True)
            return
        for path, reason in result.skipped:
            self.line(f"skipped          {path}  ({reason})")
        if result.outcome is None:
            self.line(describe_plan(result.plan))
        for note in result.plan.conflicts:
            self.line(f"conflict         {note.key}: {note.reason}; your version kept as {note.kept_as}")
        if result.outcome is not None:
            for key, message in result.outcome.failed + result.outcome.permanent:
                self.warn(f"failed {key}: {message}")
        counts = ", ".join(f"{summary[k]} {k}" for k in (*SUMMARY, "conflicts", "skipped", "failed"))
        total_calls = sum(calls.values())
        self.line(f"{'planned' if result.outcome is None else 'done'}: {counts}; "
                  f"{total_calls} Flickr API calls in {result.seconds:.1f}s")


def summarise(result: SyncResult, calls: dict[str, int]) -> dict:
    done: Counter = result.outcome.done if result.outcome else Counter()
    planned = plan_counts(result.plan)
    source = planned if result.outcome is None else {
        k: sum(done[kind] for kind in kinds) for k, kinds in SUMMARY.items()
    }
    failed = len(result.outcome.failed) + len(result.outcome.permanent) if result.outcome else 0
    return {
        "dry_run": result.outcome is None,
        **{k: source.get(k, 0) for k in SUMMARY},
        "conflicts": len(result.plan.conflicts),
        "skipped": len(result.skipped),
        "failed": failed,
        "failures": [
            {"path": k, "error": m, "permanent": p}
            for p, items in ((False, result.outcome.failed if result.outcome else []),
                             (True, result.outcome.permanent if result.outcome else []))
            for k, m in items
        ],
        "api_calls": dict(sorted(calls.items())),
        "api_calls_total": sum(calls.values()),
        "bytes_up": result.outcome.bytes_up if result.outcome else 0,
        "bytes_down": result.outcome.bytes_down if result.outcome else 0,
        "files_hashed": result.files_hashed,
        "seconds": round(result.seconds, 3),
        "by_album": {
            album: dict(counter) for album, counter in (result.outcome.by_album.items() if result.outcome else ())
        },
    }


def plan_counts(plan: Plan) -> dict[str, int]:
    return {
        "uploaded": sum(len(a.keys) for a in plan.actions if isinstance(a, Upload)),
        "downloaded": plan.count(Download) - sum(1 for a in plan.actions if isinstance(a, Download) and a.overwrite)
        + plan.count(CopyLocal),
        "replaced": plan.count(Replace) + sum(1 for a in plan.actions if isinstance(a, Download) and a.overwrite),
        "moved": plan.count(MoveLocal) + plan.count(MoveRemote),
        "deleted": plan.count(TrashLocal) + plan.count(DeletePhoto)
        + sum(len(a.forget) for a in plan.actions if isinstance(a, RemoveFromAlbum)),
        "linked": plan.count(Link) + plan.count(Confirm),
    }


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
    return "\n".join(lines) if lines else "nothing to do"
