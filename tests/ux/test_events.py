"""Events from the run to the report are typed: the report words them, and what --json counts
comes from their kinds, never from the words (rewording a line changes no count)."""

from __future__ import annotations

import io
import json

from pycsync import report
from pycsync.app import SyncResult
from pycsync.events import ActionDone, Done
from pycsync.executor import Outcome
from pycsync.model import Plan
from pycsync.report import LABELS, SUMMARY, VERBOSE_ONLY, Reporter, summarise


def _result() -> SyncResult:
    outcome = Outcome()
    for kind, key in [
        (Done.UPLOADED, "A/1.jpg"),
        (Done.ADDED_TO_ALBUM, "A/1.jpg"),
        (Done.REPLACED_LOCALLY, "A/2.jpg"),
        (Done.MOVED_ON_FLICKR, "B/3.jpg"),
        (Done.TRASHED, "4.jpg"),
        (Done.LINKED, "B/5.jpg"),
    ]:
        outcome.record(kind, key)
    return SyncResult(Plan(), outcome)


def test_every_kind_has_a_label_and_counts_in_one_column_at_most():
    assert set(LABELS) == set(Done)
    columns = [kind for kinds in SUMMARY.values() for kind in kinds]
    assert len(columns) == len(set(columns))
    assert set(Done) - set(columns) == {Done.ADDED_TO_ALBUM} == VERBOSE_ONLY  # (counted as "placed")


def test_rewording_the_lines_changes_no_count(monkeypatch):
    before = summarise(_result(), {})
    assert [before[c] for c in ("uploaded", "replaced", "moved", "deleted", "linked")] == [1, 1, 1, 1, 1]
    out = io.StringIO()
    monkeypatch.setattr(report, "LABELS", {kind: f"did {kind.name.lower()}" for kind in Done})
    Reporter(out, io.StringIO()).notify(ActionDone(Done.MOVED_ON_FLICKR, "B/3.jpg", source="3.jpg"))
    assert out.getvalue() == "did moved_on_flickr B/3.jpg  (from 3.jpg)\n"
    assert summarise(_result(), {}) == before


def test_the_by_album_counters_keep_their_documented_keys():
    by_album = json.loads(json.dumps(summarise(_result(), {})))["by_album"]
    assert by_album["A"] == {"uploaded": 1, "added to album": 1, "replaced locally": 1}
    assert by_album["B"] == {"moved on Flickr": 1, "linked": 1}
    assert by_album["(no album)"] == {"trashed": 1}


def test_action_lines_say_where_a_file_came_from_or_went():
    out = io.StringIO()
    reporter = Reporter(out, io.StringIO(), verbose=True)
    for event in [
        ActionDone(Done.DOWNLOADED, "A/b.jpg", source="A/a.jpg"),
        ActionDone(Done.MOVED, "B/a.jpg", source="A/a.jpg"),
        ActionDone(Done.TRASHED, "A/c.jpg", kept_at=".pycsync/trash/20240101-000000/A/c.jpg"),
        ActionDone(Done.LINKED, "A/d.jpg", compared=True),
        ActionDone(Done.ADDED_TO_ALBUM, "A/d.jpg", album="A"),
    ]:
        reporter.notify(event)
    assert out.getvalue().splitlines() == [
        "downloaded       A/b.jpg  (linked from A/a.jpg)",
        "moved            B/a.jpg  (from A/a.jpg)",
        "trashed          A/c.jpg  (.pycsync/trash/20240101-000000/A/c.jpg)",
        "linked           A/d.jpg  (same content on both sides)",
        "added to album   A/d.jpg  (A)",
    ]
