"""Camera RAW files: Flickr does not accept them, so a sync passes them over by design, says
exactly that once, counts them apart from other skipped files and never as failures; a RAW next
to a JPEG of the same name is that JPEG's original, and the pair is reported once."""

from __future__ import annotations

import json

from tests.support.calls import write_calls
from tests.support.convergence import assert_converged
from tests.support.files import write_jpeg


def _library(root) -> None:
    write_jpeg(root / "Trip" / "IMG_1.JPG", 1)
    (root / "Trip" / "IMG_1.CR2").write_bytes(b"II*\x00raw-sensor-data" * 64)
    (root / "Trip" / "IMG_2.NEF").write_bytes(b"MM\x00*raw-sensor-data" * 64)
    (root / "Trip" / "notes.txt").write_text("not a photo")


def test_raw_files_are_skipped_counted_apart_and_never_failures(cli, root, emulator, sync_json):
    _library(root)
    result = cli("sync", str(root))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "IMG_1.CR2  (RAW original of IMG_1.JPG, which is synced in its place (Flickr does not accept" in out
    assert "IMG_2.NEF  (RAW file: Flickr does not accept RAW files)" in out
    assert out.count("IMG_1.CR2") == 1 and out.count("IMG_1.JPG") == 2, "the pair: one upload, one note"
    summary_line = out[out.find("done: ") :]
    assert "1 uploaded" in summary_line and "2 RAW skipped" in summary_line and "1 skipped" in summary_line
    assert "failed" not in summary_line
    assert [p["title"] for p in emulator.state()["photos"]] == ["IMG_1"], "only the JPEG went to Flickr"

    again = json.loads(cli("sync", str(root), "--json").stdout)
    assert (again["raw"], again["skipped"], again["failed"], again["unsynced"]) == (0, 0, 0, 0), "reported once"
    assert_converged(emulator, sync_json, root)


def test_the_json_summary_counts_raw_files_apart(cli, root):
    _library(root)
    summary = json.loads(cli("sync", str(root), "--json").stdout)
    assert (summary["raw"], summary["skipped"], summary["failed"], summary["unsynced"]) == (2, 1, 0, 0)
    assert summary["failures"] == [] and summary["unsynced_files"] == []


def test_status_and_dry_run_list_raw_files_in_their_own_section(cli, root, emulator):
    _library(root)
    emulator.reset_calls()
    doc = json.loads(cli("status", str(root), "--json").stdout)
    assert doc["raw"] == [
        {
            "path": "Trip/IMG_1.CR2",
            "reason": "RAW original of IMG_1.JPG, which is synced in its place (Flickr does not accept RAW files)",
        },
        {"path": "Trip/IMG_2.NEF", "reason": "RAW file: Flickr does not accept RAW files"},
    ]
    assert doc["skipped"] == [{"path": "Trip/notes.txt", "reason": "not a photo or video"}]
    assert doc["totals"]["unsynced"] == 0, "a RAW file is not an unsynced photo"
    text = cli("status", str(root)).stdout
    assert "RAW files (2; Flickr does not accept RAW files; 1 with the JPEG of the same name" in text
    dry = cli("sync", str(root), "--dry-run").output
    assert "skipped RAW      Trip/IMG_2.NEF" in dry
    assert write_calls(emulator) == {}
