"""`pycsync status`: per album, what differs between the folder and Flickr; changes nothing."""

from __future__ import annotations

from pathlib import Path

from pycsync.report import STATUS_CATEGORIES
from tests.support.calls import static_calls, write_calls
from tests.support.cli import status_json
from tests.support.files import tree, write_jpeg
from tests.support.media import jpeg
from tests.support.remote import photo_titled

STATUS_KEYS = {
    "version",
    "root",
    "direction",
    "delete",
    "in_sync",
    "totals",
    "albums",
    "conflicts",
    "metadata",
    "metadata_conflicts",
    "unsynced",
    "skipped",
    "out_of_selection",
    "raw",
    "estimate",
    "limits",
}


def every_byte(root: Path, emulator):
    """The folder, every byte pycsync keeps in it (but its lock and the database's journal files),
    and Flickr."""
    meta = root / ".pycsync"
    files = {
        p.relative_to(meta).as_posix(): p.read_bytes()
        for p in sorted(meta.rglob("*"))
        if p.is_file() and p.name not in ("lock",) and not p.name.startswith("state.db-")
    }
    return tree(root), files, emulator.state()


def differing_library(root: Path, web, sync_json) -> None:
    """A synced library, then one change of every kind on one side or the other."""
    write_jpeg(root / "Paris" / "eiffel.jpg", 1)
    write_jpeg(root / "Paris" / "louvre.jpg", 2)
    write_jpeg(root / "Alps" / "lake.jpg", 3)
    write_jpeg(root / "Alps" / "summit.jpg", 4)
    write_jpeg(root / "Alps" / "glacier.jpg", 5)
    write_jpeg(root / "cat.jpg", 6)
    sync_json(root)
    write_jpeg(root / "Paris" / "notre-dame.jpg", 10)  # only here
    web.upload(jpeg(11), "IMG_2041", album="Paris")  # only on Flickr
    write_jpeg(root / "Paris" / "louvre.jpg", 12)  # changed here
    web.replace(photo_titled(web.emulator, "lake")["id"], jpeg(13))  # changed on Flickr
    (root / "Pets").mkdir()
    (root / "cat.jpg").rename(root / "Pets" / "cat.jpg")  # moved here
    write_jpeg(root / "Paris" / "eiffel.jpg", 14)  # changed on both sides: a conflict
    web.replace(photo_titled(web.emulator, "eiffel")["id"], jpeg(15))
    (root / "Alps" / "summit.jpg").unlink()  # deleted here
    web.delete(photo_titled(web.emulator, "glacier")["id"])  # deleted on Flickr


def test_status_of_a_synced_folder_says_in_sync(cli, root, sync_json):
    write_jpeg(root / "A" / "1.jpg", 1)
    sync_json(root)
    report = status_json(cli, root)
    assert report["in_sync"] is True
    assert report["albums"] == {} and set(report["totals"].values()) == {0}
    text = cli("status", str(root))
    assert text.exit_code == 0 and "in sync with Flickr" in text.stdout


def test_status_shows_every_kind_of_difference_per_album_and_changes_nothing(cli, root, web, emulator, sync_json):
    differing_library(root, web, sync_json)
    before = every_byte(root, emulator)
    emulator.reset_calls()

    report = status_json(cli, root)
    assert set(report) == STATUS_KEYS and report["version"] == 1
    assert report["root"] == str(root.resolve()) and report["direction"] == "both"
    assert report["in_sync"] is False and report["delete"] is False
    albums = report["albums"]
    assert albums["Paris"]["only_local"] == ["Paris/notre-dame.jpg"]
    assert albums["Paris"]["only_remote"] == ["Paris/IMG_2041.jpg"]
    assert albums["Paris"]["changed_local"] == ["Paris/louvre.jpg"]
    assert albums["Alps"]["changed_remote"] == ["Alps/lake.jpg"]
    assert albums["Pets"]["moved"] == ["Pets/cat.jpg"]
    assert albums["Paris"]["conflicts"] == ["Paris/eiffel.jpg"]
    assert [c["path"] for c in report["conflicts"]] == ["Paris/eiffel.jpg"]
    for entry in albums.values():
        assert set(entry) == set(STATUS_CATEGORIES)
        assert entry["delete_local"] == entry["delete_remote"] == [], "deletions wait for --delete"
    assert report["totals"]["only_local"] == 1 and report["totals"]["conflicts"] == 1

    with_delete = status_json(cli, root, "--delete")
    assert with_delete["delete"] is True
    assert with_delete["albums"]["Alps"]["delete_remote"] == ["Alps/summit.jpg"]
    assert with_delete["albums"]["Alps"]["delete_local"] == ["Alps/glacier.jpg"]

    text = cli("status", str(root))
    assert text.exit_code == 0
    out = text.stdout
    assert "differs from Flickr" in out
    header = next(line for line in out.splitlines() if line.startswith("album"))
    for heading in ("only here", "only on Flickr", "changed here", "changed on Flickr", "moved", "conflicts"):
        assert heading in header
    assert any(line.startswith("Paris ") for line in out.splitlines())
    assert "Paris/notre-dame.jpg" in out and "pycsync status --delete" in out

    assert write_calls(emulator) == {} and static_calls(emulator) == 0, "status only reads"
    assert every_byte(root, emulator) == before, "status changes nothing, in the folder, its state or on Flickr"


def test_status_of_a_folder_never_synced_creates_nothing(cli, root, web):
    write_jpeg(root / "A" / "1.jpg", 1)
    web.upload(jpeg(2), "remote", album="B")
    report = status_json(cli, root)
    assert report["albums"]["A"]["only_local"] == ["A/1.jpg"]
    assert report["albums"]["B"]["only_remote"] == ["B/remote.jpg"]
    assert not (root / ".pycsync").exists()


def test_status_lists_at_most_a_few_files_per_category_unless_verbose(cli, root):
    for i in range(15):
        write_jpeg(root / "A" / f"{i:02d}.jpg", i)
    short = cli("status", str(root)).stdout
    assert "A/14.jpg" not in short and "and 5 more (-v lists all)" in short
    full = cli("status", str(root), "-v").stdout
    assert "A/14.jpg" in full


def test_status_of_a_missing_folder_is_a_usage_error(cli, tmp_path):
    result = cli("status", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "not a folder" in result.stderr
