"""Nothing unsynced is ever reported as synced: every run's summary (text and --json) and `status`
count and list what is not synced and why, until it is; `in_sync` is false meanwhile; "nothing to
do" means that nothing was written, on either side."""

from __future__ import annotations

import errno
import io
import json
import os
import threading
import time
import unicodedata

import pycsync.local as local_module
from pycsync.app import SyncResult
from pycsync.executor import Outcome
from pycsync.model import Plan
from pycsync.report import Reporter, summarise
from tests.support.calls import write_calls
from tests.support.cli import status_json
from tests.support.files import sha, write_jpeg
from tests.support.media import jpeg
from tests.support.remote import albums_by_sha

NFC = unicodedata.normalize("NFC", "café.jpg")
NFD = unicodedata.normalize("NFD", "café.jpg")


def test_files_that_cannot_sync_are_reported_by_every_run_and_by_status_until_they_do(
    emulator, root, cli, sync_json, monkeypatch
):
    write_jpeg(root / "A" / "ok.jpg", 1)
    write_jpeg(root / "A" / "IMG.jpg", 2)
    write_jpeg(root / "A" / "img.jpg", 3)  # a case-insensitive disk cannot hold both
    write_jpeg(root / "A" / NFD, 4)
    write_jpeg(root / "A" / NFC, 5)  # the same name once normalised
    (root / "A" / "broken.jpg").write_bytes(b"not a photo at all\n" * 20)  # Flickr refuses it
    write_jpeg(root / "A" / "locked.jpg", 6)
    real = local_module._hash_stable

    def unreadable(path):
        if path.endswith("locked.jpg"):
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(local_module, "_hash_stable", unreadable)
    first = cli("sync", str(root))
    assert first.exit_code == 1 and "broken.jpg" in first.stderr  # refused: a failure, this time
    expected = {"A/img.jpg", f"A/{NFC}", "A/broken.jpg", "A/locked.jpg"}

    for _ in range(2):  # and every later run says so again, with why
        emulator.reset_calls()
        text = cli("sync", str(root))
        assert text.exit_code == 0, text.output
        assert "nothing to do" not in text.stdout and "4 not synced" in text.stdout, text.stdout
        for path, why in (
            ("A/img.jpg", "letter case"),
            (f"A/{NFC}", "Unicode normalisation"),
            ("A/broken.jpg", "not retried until the file changes"),
            ("A/locked.jpg", "permission denied"),
        ):
            assert any(path in line and why in line for line in text.stdout.splitlines()), (path, text.stdout)
        summary = sync_json(root)
        assert summary["unsynced"] == 4 and {u["path"] for u in summary["unsynced_files"]} == expected
        assert summary["albums"]["A"]["unsynced"] == 4
        assert write_calls(emulator) == {}

    report = status_json(cli, root)
    assert report["in_sync"] is False and report["totals"]["unsynced"] == 4
    assert {u["path"] for u in report["unsynced"]} == expected and all(u["reason"] for u in report["unsynced"])
    assert sorted(report["albums"]["A"]["unsynced"]) == sorted(expected)
    shown = cli("status", str(root)).stdout
    assert "differs from Flickr" in shown and "Not synced (4)" in shown and "letter case" in shown

    # once each is fixed it syncs, and the reports go quiet
    monkeypatch.setattr(local_module, "_hash_stable", real)
    (root / "A" / "img.jpg").rename(root / "A" / "img 2.jpg")
    (root / "A" / NFC).rename(root / "A" / "café 2.jpg")
    write_jpeg(root / "A" / "broken.jpg", 7)
    summary = sync_json(root)
    assert summary["uploaded"] == 4 and summary["unsynced"] == 0
    assert albums_by_sha(emulator) == {"A": sorted(sha(jpeg(i)) for i in range(1, 8))}
    report = status_json(cli, root)
    assert report["in_sync"] is True and report["unsynced"] == []
    emulator.reset_calls()
    quiet = cli("sync", str(root))
    assert "nothing to do" in quiet.stdout and write_calls(emulator) == {}


def test_a_retry_that_creates_and_fills_an_album_says_so(emulator, root, cli, sync_json):
    for i in range(3):
        write_jpeg(root / "Trips" / f"{i}.jpg", i)
    emulator.set_faults([{"match": "flickr.photosets.create", "max": 1, "action": {"error": 3}}])
    first = sync_json(root, expect=1)
    assert first["uploaded"] == 3 and first["failed"] == 1
    assert "Trips" not in albums_by_sha(emulator)

    report = status_json(cli, root)
    assert report["in_sync"] is False
    assert report["albums"]["Trips"]["unplaced"] == [f"Trips/{i}.jpg" for i in range(3)]
    assert "to add to albums" in cli("status", str(root)).stdout

    emulator.reset_calls()
    text = cli("sync", str(root))
    assert text.exit_code == 0, text.output
    assert "flickr.photosets.create" in write_calls(emulator)
    assert "nothing to do" not in text.stdout and "done: 3 placed in albums;" in text.stdout, text.stdout
    assert albums_by_sha(emulator) == {"Trips": sorted(sha(jpeg(i)) for i in range(3))}
    assert status_json(cli, root)["in_sync"] is True


def test_nothing_to_do_only_when_nothing_was_written(emulator, root, cli, sync_json):
    write_jpeg(root / "A" / "a.jpg", 1)
    sync_json(root)
    emulator.reset_calls()
    text = cli("sync", str(root))
    assert "done: nothing to do;" in text.stdout and write_calls(emulator) == {}
    assert json.loads(cli("sync", str(root), "--json").stdout)["flickr_writes"] == 0


def test_a_write_no_column_counts_is_still_not_nothing_to_do():
    """A Flickr write outside every summary column (a retag finishing an interrupted replace,
    say) is reported as such."""
    out = io.StringIO()
    result = SyncResult(Plan(), Outcome())
    Reporter(out, io.StringIO()).sync_result(result, {"flickr.photos.addTags": 1, "flickr.photos.getInfo": 2})
    assert "done: 1 other changes on Flickr;" in out.getvalue()
    assert summarise(result, {"flickr.photos.removeTag": 1, "flickr.photosets.getList": 1})["flickr_writes"] == 1
    out = io.StringIO()
    Reporter(out, io.StringIO()).sync_result(result, {"flickr.photos.getInfo": 2})
    assert "done: nothing to do;" in out.getvalue()


def test_a_file_replaced_while_its_upload_is_in_flight_is_named_and_sent_again(emulator, root, cli, sync_json):
    """The run that was sending the old version says which file changed, records nothing for it,
    and the next run sends the new version (tests/reliability/test_bad_input.py holds the same
    with --json; this is the line a user reads)."""
    path = root / "A" / "a.jpg"
    write_jpeg(path, 1)
    first = _sync_saving_a_new_version_meanwhile(emulator, cli, root, path, "upload", 2)
    assert first.exit_code == 1, first.output
    # as it happens, and in the run's list of failures
    assert first.stderr.splitlines() == [
        "warning: A/a.jpg: changed while uploading; will be retried",
        "1 item failed:",
        "  A/a.jpg: changed while uploading; will be retried",
    ]
    assert [line for line in first.stdout.splitlines() if line.startswith("uploaded ")] == [], "never said uploaded"
    summary = sync_json(root)
    assert (summary["replaced"], summary["uploaded"], summary["failed"]) == (1, 0, 0), summary
    assert [p["sha256"] for p in emulator.state()["photos"]] == [sha(jpeg(2))]


def test_a_file_flickr_refuses_in_two_folders_is_refused_once_for_both(emulator, root, sync_json):
    """One content in two folders is one upload: refused, both files are remembered as refused
    and neither is offered again until it changes."""
    for folder in ("A", "B"):
        (root / folder).mkdir()
        (root / folder / "broken.jpg").write_bytes(b"not a photo at all\n" * 20)
    first = sync_json(root, expect=1)
    assert [(f["path"], f["permanent"]) for f in first["failures"]] == [("A/broken.jpg", True)]
    emulator.reset_calls()
    again = sync_json(root)
    assert "upload" not in emulator.calls()
    assert {u["path"] for u in again["unsynced_files"]} == {"A/broken.jpg", "B/broken.jpg"}


def test_a_file_replaced_while_its_edit_is_being_sent_is_named_and_sent_again(emulator, root, cli, sync_json):
    """The replace variant of the test above: Flickr got the edit being sent, the newer one is
    sent by the next run."""
    path = root / "A" / "a.jpg"
    write_jpeg(path, 1)
    sync_json(root)
    write_jpeg(path, 2)  # an edit: the next run replaces the photo
    first = _sync_saving_a_new_version_meanwhile(emulator, cli, root, path, "replace", 3)
    assert first.exit_code == 1, first.output
    assert "A/a.jpg: changed while uploading; will be retried" in first.stderr
    summary = sync_json(root)
    assert (summary["replaced"], summary["failed"]) == (1, 0), summary
    assert [p["sha256"] for p in emulator.state()["photos"]] == [sha(jpeg(3))]


def _sync_saving_a_new_version_meanwhile(emulator, cli, root, path, method: str, version: int):
    """`pycsync sync ROOT` while an editor saves ``path`` anew (jpeg ``version``, atomically) once
    the run's ``method`` call is in flight (the emulator holds it 600 ms)."""
    emulator.set_faults([{"match": method, "max": 1, "action": {"latency_ms": 600}}])

    def save() -> None:
        deadline = time.monotonic() + 30
        while not emulator.calls().get(method):
            assert time.monotonic() < deadline, f"no {method} came"
            time.sleep(0.005)
        write_jpeg(path.with_name("a.jpg.new"), version)
        os.replace(path.with_name("a.jpg.new"), path)

    editor = threading.Thread(target=save)
    editor.start()
    try:
        return cli("sync", str(root))
    finally:
        editor.join()
