"""Renames reach the other computers (issue 9, item 4).

A file renamed or moved on one computer is renamed or moved on every other computer that syncs
the same account: nothing is uploaded or downloaded for it. The photo's exact-name machine tag
follows the rename, and so does its title, but only a title pycsync derived from the old file
name: a title the user gave the photo is theirs.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.calls import static_calls, write_calls
from tests.support.convergence import assert_converged
from tests.support.files import sha, tree, write_jpeg
from tests.support.media import jpeg
from tests.support.races import meanwhile, other_computer
from tests.support.remote import albums_by_sha, photo_with_sha


@pytest.fixture
def computers(tmp_path, sync_json, emulator):
    """A laptop and a desktop holding the same synced library."""
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    for key, seed in {"Trip/IMG_1.jpg": 1, "Trip/IMG_2.jpg": 2, "Trip/IMG_3.jpg": 3, "loose.jpg": 4}.items():
        write_jpeg(laptop / key, seed)
    sync_json(laptop)
    desktop.mkdir()
    sync_json(desktop)
    assert tree(desktop) == tree(laptop)
    return laptop, desktop


def name_tags(emulator, data: bytes) -> list[str]:
    photo = photo_with_sha(emulator, sha(data))
    return sorted(
        bytes.fromhex(t.split("=", 1)[1]).decode() for t in photo["machine_tags"] if t.startswith("pycsync:name=")
    )


def sync_quietly(emulator, sync_json, root: Path) -> dict[str, int]:
    """Sync ``root``; assert it transferred nothing; return its write calls."""
    emulator.reset_calls()
    summary = sync_json(root)
    assert (summary["uploaded"], summary["downloaded"], summary["failed"]) == (0, 0, 0), summary
    assert static_calls(emulator) == 0, "a rename downloaded the photo again"
    writes = write_calls(emulator)
    assert "upload" not in writes and "replace" not in writes, writes
    return writes


def test_a_rename_on_one_computer_is_a_rename_on_the_other(emulator, computers, sync_json):
    laptop, desktop = computers
    (desktop / "Trip" / "IMG_1.jpg").rename(desktop / "Trip" / "beach.jpg")
    (desktop / "loose.jpg").rename(desktop / "still loose.jpg")
    writes = sync_quietly(emulator, sync_json, desktop)
    # per rename: the title (it was the old file name's), the name tag (add the new, remove the old)
    assert writes == {"flickr.photos.setMeta": 2, "flickr.photos.addTags": 2, "flickr.photos.removeTag": 2}
    assert emulator.calls()["flickr.photos.getInfo"] == 2  # the old name tag's id
    assert photo_with_sha(emulator, sha(jpeg(1)))["title"] == "beach"
    assert name_tags(emulator, jpeg(1)) == ["beach.jpg"]

    assert sync_quietly(emulator, sync_json, laptop) == {}
    assert (
        tree(laptop)
        == tree(desktop)
        == {
            "Trip/beach.jpg": jpeg(1),
            "Trip/IMG_2.jpg": jpeg(2),
            "Trip/IMG_3.jpg": jpeg(3),
            "still loose.jpg": jpeg(4),
        }
    )
    assert_converged(emulator, sync_json, laptop)
    assert_converged(emulator, sync_json, desktop)


def test_a_move_with_a_new_name_is_a_move_on_the_other(emulator, computers, sync_json):
    laptop, desktop = computers
    (desktop / "Best").mkdir()
    (desktop / "Trip" / "IMG_2.jpg").rename(desktop / "Best" / "sunset.jpg")
    (desktop / "Trip" / "IMG_3.jpg").rename(desktop / "IMG_3.jpg")  # out of its album, same name
    sync_quietly(emulator, sync_json, desktop)
    assert albums_by_sha(emulator) == {
        "Trip": [sha(jpeg(1))],
        "Best": [sha(jpeg(2))],
        "": sorted([sha(jpeg(3)), sha(jpeg(4))]),
    }
    assert sync_quietly(emulator, sync_json, laptop) == {}
    assert (
        tree(laptop)
        == tree(desktop)
        == {
            "Trip/IMG_1.jpg": jpeg(1),
            "Best/sunset.jpg": jpeg(2),
            "IMG_3.jpg": jpeg(3),
            "loose.jpg": jpeg(4),
        }
    )
    assert_converged(emulator, sync_json, laptop)
    assert_converged(emulator, sync_json, desktop)


def test_a_title_the_user_gave_is_kept_and_the_rename_still_travels(emulator, computers, sync_json, web):
    laptop, desktop = computers
    web.retitle(photo_with_sha(emulator, sha(jpeg(1)))["id"], "Sunset at the beach")
    sync_json(laptop)
    sync_json(desktop)
    assert tree(laptop)["Trip/IMG_1.jpg"] == jpeg(1), "a new title is no new file name"
    (laptop / "Trip" / "IMG_1.jpg").rename(laptop / "Trip" / "2019-08-01 beach.jpg")
    writes = sync_quietly(emulator, sync_json, laptop)
    assert writes == {"flickr.photos.addTags": 1, "flickr.photos.removeTag": 1}
    assert photo_with_sha(emulator, sha(jpeg(1)))["title"] == "Sunset at the beach"
    assert name_tags(emulator, jpeg(1)) == ["2019-08-01 beach.jpg"]
    sync_quietly(emulator, sync_json, desktop)
    assert tree(desktop) == tree(laptop)
    assert "Trip/2019-08-01 beach.jpg" in tree(desktop)
    assert_converged(emulator, sync_json, desktop)


def test_renaming_a_photo_from_the_website_reaches_the_other_computer(emulator, computers, sync_json, web):
    laptop, desktop = computers
    web.upload(jpeg(9), "phone upload", "Trip")  # no pycsync tags
    sync_json(laptop)
    sync_json(desktop)
    (laptop / "Trip" / "phone upload.jpg").rename(laptop / "Trip" / "harbour.jpg")
    writes = sync_quietly(emulator, sync_json, laptop)
    assert writes == {"flickr.photos.setMeta": 1, "flickr.photos.addTags": 1}  # no old name tag to remove
    assert name_tags(emulator, jpeg(9)) == ["harbour.jpg"]
    assert photo_with_sha(emulator, sha(jpeg(9)))["title"] == "harbour"
    sync_quietly(emulator, sync_json, desktop)
    assert tree(desktop) == tree(laptop)
    assert tree(desktop)["Trip/harbour.jpg"] == jpeg(9)
    assert_converged(emulator, sync_json, desktop)


def test_two_computers_renaming_one_file_differently_agree_on_one_name(emulator, computers, sync_json):
    laptop, desktop = computers
    (desktop / "Trip" / "IMG_1.jpg").rename(desktop / "Trip" / "desktop name.jpg")
    (laptop / "Trip" / "IMG_1.jpg").rename(laptop / "Trip" / "laptop name.jpg")
    sync_quietly(emulator, sync_json, desktop)
    sync_quietly(emulator, sync_json, laptop)  # the last rename made wins
    sync_quietly(emulator, sync_json, desktop)
    assert tree(laptop) == tree(desktop)
    assert tree(desktop)["Trip/laptop name.jpg"] == jpeg(1)
    assert name_tags(emulator, jpeg(1)) == ["laptop name.jpg"]
    assert len(emulator.state()["photos"]) == 4
    assert_converged(emulator, sync_json, laptop)
    assert_converged(emulator, sync_json, desktop)


def test_a_photo_in_two_folders_has_one_name_but_a_copy_of_its_own_name_stays_its_own(emulator, tmp_path, sync_json):
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    write_jpeg(laptop / "A" / "x.jpg", 1)
    write_jpeg(laptop / "B" / "x.jpg", 1)  # the same photo in two albums, under its own name
    write_jpeg(laptop / "C" / "copy of x.jpg", 1)  # ... and in a third, under another name
    sync_json(laptop)
    desktop.mkdir()
    sync_json(desktop)
    (laptop / "A" / "x.jpg").rename(laptop / "A" / "y.jpg")
    sync_quietly(emulator, sync_json, laptop)
    # the photo is now called y.jpg: its file in B follows at once, the differently named copy stays
    assert sorted(tree(laptop)) == ["A/y.jpg", "B/y.jpg", "C/copy of x.jpg"]
    sync_quietly(emulator, sync_json, desktop)  # (it downloaded all three under the photo's name)
    assert sorted(tree(desktop)) == ["A/y.jpg", "B/y.jpg", "C/y.jpg"]
    (laptop / "C" / "copy of x.jpg").rename(laptop / "C" / "another copy.jpg")
    writes = sync_quietly(emulator, sync_json, laptop)
    assert writes == {}, "renaming a differently named copy changes nothing on Flickr"
    assert name_tags(emulator, jpeg(1)) == ["y.jpg"]
    assert_converged(emulator, sync_json, laptop)
    assert_converged(emulator, sync_json, desktop)


def test_a_state_from_before_renames_were_tracked_renames_nothing_by_itself(emulator, computers, sync_json):
    laptop, desktop = computers
    # a state DB written before the photo names were kept in it: the names are learnt, not acted on
    for root in (laptop, desktop):
        db = sqlite3.connect(root / ".pycsync" / "state.db")
        db.execute("UPDATE items SET name = NULL")
        db.commit()
        db.close()
    before = tree(laptop)
    assert sync_quietly(emulator, sync_json, laptop) == {}
    assert tree(laptop) == before
    (desktop / "Trip" / "IMG_2.jpg").rename(desktop / "Trip" / "two.jpg")
    sync_quietly(emulator, sync_json, desktop)
    sync_quietly(emulator, sync_json, laptop)
    assert tree(laptop) == tree(desktop)
    assert tree(laptop)["Trip/two.jpg"] == jpeg(2)
    assert_converged(emulator, sync_json, laptop)


def test_a_rename_here_over_a_rename_elsewhere_leaves_a_loose_copy_alone(emulator, tmp_path, sync_json):
    # one picture kept twice on the laptop, in Trip and loose: one photo, named after Trip/x.jpg
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    write_jpeg(laptop / "Trip" / "x.jpg", 1)
    write_jpeg(laptop / "y.jpg", 1)
    sync_json(laptop)
    desktop.mkdir()
    sync_json(desktop)
    # the desktop renames the photo to the loose copy's name; the laptop, before it hears of
    # it, renames its file otherwise: the last rename wins, and the loose copy, never named
    # after the photo, keeps its name on this run and every later one
    (desktop / "Trip" / "x.jpg").rename(desktop / "Trip" / "y.jpg")
    sync_quietly(emulator, sync_json, desktop)
    (laptop / "Trip" / "x.jpg").rename(laptop / "Trip" / "z.jpg")
    sync_quietly(emulator, sync_json, laptop)
    assert name_tags(emulator, jpeg(1)) == ["z.jpg"]
    assert_converged(emulator, sync_json, laptop)
    assert tree(laptop) == {"Trip/z.jpg": jpeg(1), "y.jpg": jpeg(1)}
    sync_quietly(emulator, sync_json, desktop)
    assert tree(desktop) == {"Trip/z.jpg": jpeg(1)}
    assert_converged(emulator, sync_json, desktop)
    assert_converged(emulator, sync_json, laptop)


def test_a_file_kept_after_its_photo_left_its_album_follows_a_rename_at_once(emulator, root, sync_json, web):
    # one picture in B and C; on the website it is taken out of C (C/a.jpg stays: no --delete);
    # here B/a.jpg is moved into C as b.jpg, which renames the photo and places it back in C:
    # C/a.jpg, named after the photo, follows in this run, and the next run has nothing to do
    write_jpeg(root / "B" / "a.jpg", 1)
    write_jpeg(root / "C" / "a.jpg", 1)
    write_jpeg(root / "C" / "z.jpg", 2)
    sync_json(root)
    pid = photo_with_sha(emulator, sha(jpeg(1)))["id"]
    web.remove_from_album(pid, "C")
    (root / "B" / "a.jpg").rename(root / "C" / "b.jpg")
    summary = sync_json(root)
    assert (summary["uploaded"], summary["downloaded"]) == (0, 0), summary
    assert name_tags(emulator, jpeg(1)) == ["b.jpg"]
    assert albums_by_sha(emulator) == {"C": sorted([sha(jpeg(1)), sha(jpeg(2))])}
    assert tree(root) == {"C/b.jpg": jpeg(1), f"C/b ({pid}).jpg": jpeg(1), "C/z.jpg": jpeg(2)}
    assert_converged(emulator, sync_json, root)


def test_a_file_whose_photo_moved_on_flickr_takes_the_name_a_rename_here_gives_it(emulator, root, sync_json, web):
    # one picture loose and in B; on the website the photo is moved from B to A (where a.jpg is
    # another picture); here the loose a.jpg is renamed b.jpg, which renames the photo: B/a.jpg
    # follows the photo into A under its new name in this run, not in the next
    write_jpeg(root / "a.jpg", 1)
    write_jpeg(root / "B" / "a.jpg", 1)
    write_jpeg(root / "A" / "a.jpg", 2)
    sync_json(root)
    pid = photo_with_sha(emulator, sha(jpeg(1)))["id"]
    web.move(pid, "B", "A")
    (root / "a.jpg").rename(root / "b.jpg")
    summary = sync_json(root)
    assert (summary["uploaded"], summary["downloaded"]) == (0, 0), summary
    assert name_tags(emulator, jpeg(1)) == ["b.jpg"]
    assert tree(root) == {"A/a.jpg": jpeg(2), "A/b.jpg": jpeg(1), "b.jpg": jpeg(1)}
    assert_converged(emulator, sync_json, root)


def test_a_file_whose_untagged_photo_moved_on_flickr_takes_the_name_a_rename_here_gives_it(
    emulator, root, sync_json, web
):
    # the same for a photo another tool uploaded (no name tag: its title names its files)
    write_jpeg(root / "A" / "a.jpg", 2)
    pid = web.upload(jpeg(1), "a", "B")
    sync_json(root)
    (root / "a.jpg").write_bytes((root / "B" / "a.jpg").read_bytes())
    sync_json(root)
    web.move(pid, "B", "A")
    (root / "a.jpg").rename(root / "b.jpg")
    summary = sync_json(root)
    assert (summary["uploaded"], summary["downloaded"]) == (0, 0), summary
    assert name_tags(emulator, jpeg(1)) == ["b.jpg"]
    assert tree(root) == {"A/a.jpg": jpeg(2), "A/b.jpg": jpeg(1), "b.jpg": jpeg(1)}
    assert_converged(emulator, sync_json, root)


def test_a_photo_moved_and_renamed_elsewhere_takes_one_file_along_and_leaves_the_other(
    emulator, tmp_path, sync_json, web
):
    # one picture in A and B; the desktop renames it, and on the website it is taken out of both
    # albums: on the laptop A/a.jpg follows the photo to the root under its new name, B/a.jpg
    # stays as it is (no --delete), and the next run has nothing to do
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    write_jpeg(laptop / "A" / "a.jpg", 1)
    write_jpeg(laptop / "B" / "a.jpg", 1)
    write_jpeg(laptop / "B" / "z.jpg", 2)
    sync_json(laptop)
    desktop.mkdir()
    sync_json(desktop)
    (desktop / "A" / "a.jpg").rename(desktop / "A" / "r0.jpg")
    sync_json(desktop)
    pid = photo_with_sha(emulator, sha(jpeg(1)))["id"]
    web.remove_from_album(pid, "A")
    web.remove_from_album(pid, "B")
    summary = sync_json(laptop)
    assert (summary["uploaded"], summary["downloaded"]) == (0, 0), summary
    assert tree(laptop) == {"r0.jpg": jpeg(1), "B/a.jpg": jpeg(1), "B/z.jpg": jpeg(2)}
    assert_converged(emulator, sync_json, laptop)


@pytest.mark.parametrize("held", ["flickr.photos.setMeta", "flickr.photos.addTags", "flickr.photos.removeTag"])
def test_a_computer_reading_a_rename_half_written_takes_no_title_of_its_own(emulator, computers, sync_json, held):
    """A rename is several writes (the name tag, the derived title); a computer that syncs while
    they land must never take the half-written state for a title the user gave: that would put
    a sidecar next to its file and stop its renames from retitling the photo."""
    laptop, desktop = computers
    (desktop / "Trip" / "IMG_1.jpg").rename(desktop / "Trip" / "beach.jpg")
    with meanwhile(emulator, [held], other_computer(emulator, laptop)):
        sync_json(desktop)
    sync_json(laptop)
    assert tree(laptop) == tree(desktop), "a sidecar, or a file not renamed"
    assert "Trip/beach.jpg" in tree(laptop)
    (laptop / "Trip" / "beach.jpg").rename(laptop / "Trip" / "dune.jpg")
    sync_json(laptop)
    assert photo_with_sha(emulator, sha(jpeg(1)))["title"] == "dune", "the rename did not retitle the photo"
    sync_json(desktop)
    assert tree(laptop) == tree(desktop)
    assert_converged(emulator, sync_json, laptop)
    assert_converged(emulator, sync_json, desktop)


def test_files_edited_alike_follow_a_rename_made_elsewhere_after_the_edit(emulator, computers, sync_json):
    """Trip/IMG_1.jpg has a copy here, Other/r.jpg. The desktop renames the photo r.jpg; the
    laptop edits both files alike (one replace, the other file riding along) as it takes the
    rename. Both files are now named after the photo, so the desktop's next rename reaches both
    (the replace is planned for Other/r.jpg: the file its name gave the photo keeps the name it
    had unless the plan names it)."""
    laptop, desktop = computers
    (laptop / "Other").mkdir()
    (laptop / "Other" / "r.jpg").write_bytes(jpeg(1))
    sync_json(laptop)
    sync_json(desktop)
    (desktop / "Trip" / "IMG_1.jpg").rename(desktop / "Trip" / "r.jpg")
    sync_json(desktop)
    write_jpeg(laptop / "Trip" / "IMG_1.jpg", 9)
    write_jpeg(laptop / "Other" / "r.jpg", 9)
    edited = sync_json(laptop)
    assert (edited["replaced"], edited["uploaded"], edited["moved"]) == (1, 0, 1), edited
    edits = {k for k, v in tree(laptop).items() if v == jpeg(9)}
    assert edits == {"Trip/r.jpg", "Other/r.jpg"}
    sync_json(desktop)
    (desktop / "Trip" / "r.jpg").rename(desktop / "Trip" / "s.jpg")
    sync_json(desktop)
    sync_quietly(emulator, sync_json, laptop)
    edits = {k for k, v in tree(laptop).items() if v == jpeg(9)}
    assert edits == {"Trip/s.jpg", "Other/s.jpg"}, "a file edited with the other does not follow the rename"
    assert tree(laptop) == tree(desktop)
    assert_converged(emulator, sync_json, laptop)
