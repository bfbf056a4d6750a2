"""Every row of the README's sync-semantics table, through the real CLI against the emulator.

Each test sets up a synced base, changes one or both sides, syncs, and checks the local bytes and
the emulator's state, then that a further sync converges.
"""

from __future__ import annotations

import errno
import os
import time

import pytest

from pycsync.safefs import SafeDir
from tests.support.calls import static_calls, write_calls
from tests.support.convergence import assert_converged
from tests.support.files import sha, trash, tree, write_jpeg
from tests.support.media import jpeg
from tests.support.remote import albums_by_sha, albums_by_title, photo_with_sha, photos_by_id


def synced(root, sync_json, files: dict[str, int]) -> dict[str, bytes]:
    """Write files {key: seed}, sync them up, and return the tree."""
    for key, seed in files.items():
        write_jpeg(root / key, seed)
    summary = sync_json(root)
    assert summary["uploaded"] == len(files) and summary["failed"] == 0
    return tree(root)


# --------------------------------------------------------------------------- new / absent


def test_new_local_file_is_uploaded_into_its_folders_album(emulator, root, sync_json):
    data = write_jpeg(root / "Trips" / "beach.jpg", 1)
    loose = write_jpeg(root / "loose.jpg", 2)
    emulator.reset_calls()
    summary = sync_json(root)
    assert summary["uploaded"] == 2
    assert write_calls(emulator).get("upload") == 2
    assert albums_by_sha(emulator) == {"Trips": [sha(data)], "": [sha(loose)]}
    photo = photo_with_sha(emulator, sha(data))
    assert photo["title"] == "beach" and photo["is_public"] == 0
    assert f"pycsync:sha256={sha(data)}" in photo["machine_tags"]
    assert_converged(emulator, sync_json, root)


def test_new_photo_on_flickr_is_downloaded(emulator, root, sync_json, web):
    data, loose = jpeg(10), jpeg(11)
    web.upload(data, "sunset", "Holidays")
    web.upload(loose, "unsorted one")
    summary = sync_json(root)
    assert summary["downloaded"] == 2 and summary["uploaded"] == 0
    assert tree(root) == {"Holidays/sunset.jpg": data, "unsorted one.jpg": loose}
    assert_converged(emulator, sync_json, root)


# --------------------------------------------------------------------------- new / new


def test_same_content_new_on_both_sides_is_linked_without_transfer(emulator, root, tmp_path, sync_json):
    # the same library, uploaded by pycsync from another copy of the folder
    other = tmp_path / "other"
    data = write_jpeg(other / "A" / "x.jpg", 1)
    sync_json(other)
    write_jpeg(root / "A" / "x.jpg", 1)
    before = emulator.state()
    emulator.reset_calls()
    summary = sync_json(root)
    assert write_calls(emulator) == {} and static_calls(emulator) == 0
    assert summary["linked"] == 1 and summary["uploaded"] == summary["downloaded"] == 0
    assert emulator.state() == before
    assert tree(root) == {"A/x.jpg": data}
    assert_converged(emulator, sync_json, root)


# --------------------------------------------------------------------------- edits


def test_local_edit_replaces_the_photo_keeping_its_id(emulator, root, sync_json):
    synced(root, sync_json, {"A/x.jpg": 1, "A/y.jpg": 2})
    old = photo_with_sha(emulator, sha(jpeg(1)))
    edited = write_jpeg(root / "A" / "x.jpg", 3)
    emulator.reset_calls()
    summary = sync_json(root)
    assert summary["replaced"] == 1 and summary["uploaded"] == 0
    assert write_calls(emulator).get("replace") == 1 and "upload" not in write_calls(emulator)
    new = photo_with_sha(emulator, sha(edited))
    assert new["id"] == old["id"] and new["title"] == "x" and new["album_ids"] == old["album_ids"]
    # the content tag follows the new content (a state rebuild must not see the old one)
    assert [t for t in new["machine_tags"] if t.startswith("pycsync:sha256=")] == [f"pycsync:sha256={sha(edited)}"]
    assert len(photos_by_id(emulator)) == 2
    assert_converged(emulator, sync_json, root)


def test_photo_replaced_on_flickr_is_downloaded_over_the_old_file(emulator, root, sync_json, web):
    synced(root, sync_json, {"A/x.jpg": 1, "A/y.jpg": 2})
    photo = photo_with_sha(emulator, sha(jpeg(1)))
    web.replace(photo["id"], jpeg(4))
    emulator.reset_calls()
    summary = sync_json(root)
    assert summary["replaced"] == 1 and summary["downloaded"] == 0
    assert write_calls(emulator) == {}
    assert tree(root) == {"A/x.jpg": jpeg(4), "A/y.jpg": jpeg(2)}
    assert trash(root) == {}
    assert_converged(emulator, sync_json, root)


def test_both_changed_is_a_conflict_keeping_both_on_both_sides(emulator, root, sync_json, web):
    synced(root, sync_json, {"A/x.jpg": 1, "A/y.jpg": 2})
    photo = photo_with_sha(emulator, sha(jpeg(1)))
    mine = write_jpeg(root / "A" / "x.jpg", 5)
    web.replace(photo["id"], jpeg(6))
    summary = sync_json(root)
    assert summary["conflicts"] == 1
    conflict_name = f"x (conflict {sha(mine)[:8]}).jpg"
    assert tree(root) == {"A/x.jpg": jpeg(6), f"A/{conflict_name}": mine, "A/y.jpg": jpeg(2)}
    assert albums_by_sha(emulator) == {"A": sorted([sha(jpeg(6)), sha(mine), sha(jpeg(2))])}
    assert photo_with_sha(emulator, sha(jpeg(6)))["id"] == photo["id"]
    assert photo_with_sha(emulator, sha(mine))["title"] == conflict_name[: -len(".jpg")]
    assert_converged(emulator, sync_json, root)


# --------------------------------------------------------------------------- moves


def test_local_move_and_rename_is_an_album_move_without_reupload(emulator, root, sync_json):
    synced(root, sync_json, {"A/x.jpg": 1, "A/keep.jpg": 2, "B/other.jpg": 3})
    photo = photo_with_sha(emulator, sha(jpeg(1)))
    (root / "A" / "x.jpg").rename(root / "B" / "renamed.jpg")
    emulator.reset_calls()
    summary = sync_json(root)
    assert summary["moved"] == 1 and summary["uploaded"] == 0
    writes = write_calls(emulator)
    assert "upload" not in writes and "replace" not in writes and static_calls(emulator) == 0
    moved = photos_by_id(emulator)[photo["id"]]
    assert moved["title"] == "renamed"
    assert albums_by_title(emulator) == {"A": ["keep"], "B": ["other", "renamed"]}
    assert_converged(emulator, sync_json, root)


def test_local_rename_in_place_retitles_the_photo(emulator, root, sync_json):
    synced(root, sync_json, {"A/x.jpg": 1})
    photo = photo_with_sha(emulator, sha(jpeg(1)))
    (root / "A" / "x.jpg").rename(root / "A" / "better name.jpg")
    emulator.reset_calls()
    summary = sync_json(root)
    assert summary["moved"] == 1
    # the title pycsync gave it, and the exact-name tag (add the new one, remove the old one)
    assert write_calls(emulator) == {
        "flickr.photos.setMeta": 1,
        "flickr.photos.addTags": 1,
        "flickr.photos.removeTag": 1,
    }
    assert photos_by_id(emulator)[photo["id"]]["title"] == "better name"
    assert albums_by_title(emulator) == {"A": ["better name"]}
    assert_converged(emulator, sync_json, root)


def test_local_move_of_the_last_photo_of_a_folder_into_a_new_folder(emulator, root, sync_json):
    synced(root, sync_json, {"A/x.jpg": 1})
    photo = photo_with_sha(emulator, sha(jpeg(1)))
    (root / "New").mkdir()
    (root / "A" / "x.jpg").rename(root / "New" / "x.jpg")
    emulator.reset_calls()
    sync_json(root)
    assert "upload" not in write_calls(emulator)
    assert albums_by_title(emulator) == {"New": ["x"]}
    assert photos_by_id(emulator)[photo["id"]]["album_ids"] != photo["album_ids"]
    assert_converged(emulator, sync_json, root)


def test_album_change_on_flickr_moves_the_local_file(emulator, root, sync_json, web):
    synced(root, sync_json, {"A/x.jpg": 1, "A/keep.jpg": 2})
    photo = photo_with_sha(emulator, sha(jpeg(1)))
    web.move(photo["id"], "A", "B")
    emulator.reset_calls()
    summary = sync_json(root)
    assert summary["moved"] == 1 and summary["downloaded"] == 0
    assert static_calls(emulator) == 0 and write_calls(emulator) == {}
    assert tree(root) == {"A/keep.jpg": jpeg(2), "B/x.jpg": jpeg(1)}
    assert_converged(emulator, sync_json, root)


def test_a_file_that_follows_its_photo_to_another_album_is_said_to_come_from_where_it_was(
    emulator, root, cli, sync_json, web
):
    synced(root, sync_json, {"A/x.jpg": 1, "A/keep.jpg": 2})
    web.move(photo_with_sha(emulator, sha(jpeg(1)))["id"], "A", "B")
    result = cli("sync", str(root))
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if "x.jpg" in line] == [
        "moved            B/x.jpg  (from A/x.jpg)"
    ]


def test_photo_added_to_a_second_album_appears_in_both_folders(emulator, root, sync_json, web):
    synced(root, sync_json, {"A/x.jpg": 1})
    photo = photo_with_sha(emulator, sha(jpeg(1)))
    web.add_to_album(photo["id"], "Best of")
    emulator.reset_calls()
    summary = sync_json(root)
    assert summary["downloaded"] == 1 and static_calls(emulator) == 0 and write_calls(emulator) == {}
    assert tree(root) == {"A/x.jpg": jpeg(1), "Best of/x.jpg": jpeg(1)}
    a, b = (root / "A" / "x.jpg").stat(), (root / "Best of" / "x.jpg").stat()
    assert (a.st_ino, a.st_dev) == (b.st_ino, b.st_dev), "hard-linked where possible"
    assert_converged(emulator, sync_json, root)


def test_a_photo_added_to_a_second_album_is_linked_from_the_file_here_and_said_so(emulator, root, cli, sync_json, web):
    synced(root, sync_json, {"A/x.jpg": 1})
    web.add_to_album(photo_with_sha(emulator, sha(jpeg(1)))["id"], "B")
    result = cli("sync", str(root))
    assert result.exit_code == 0, result.output
    assert "downloaded       B/x.jpg  (linked from A/x.jpg)" in result.output
    assert_converged(emulator, sync_json, root)


def test_where_files_cannot_be_hard_linked_a_photo_in_a_second_album_is_copied_with_its_time(
    emulator, root, sync_json, web, monkeypatch
):
    synced(root, sync_json, {"A/x.jpg": 1})
    web.add_to_album(photo_with_sha(emulator, sha(jpeg(1)))["id"], "B")

    def no_hard_links(*args, **kwargs):  # as on FAT, or across filesystems
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(SafeDir, "link", no_hard_links)
    emulator.reset_calls()
    assert sync_json(root)["downloaded"] == 1 and static_calls(emulator) == 0
    a, b = (root / "A" / "x.jpg").stat(), (root / "B" / "x.jpg").stat()
    assert tree(root) == {"A/x.jpg": jpeg(1), "B/x.jpg": jpeg(1)}
    assert a.st_ino != b.st_ino and abs(a.st_mtime_ns - b.st_mtime_ns) < 1000, "the original's time, to the microsecond"
    assert_converged(emulator, sync_json, root)


def test_a_downloaded_photos_file_time_is_when_it_was_taken(root, sync_json, web, flickr):
    photo_id = web.upload(jpeg(1), "sunset", "Holidays")
    flickr.set_dates(photo_id, date_taken="2019-05-04 21:14:15")
    sync_json(root)
    taken = time.mktime((2019, 5, 4, 21, 14, 15, 0, 0, -1))  # Flickr keeps it in local time
    assert (root / "Holidays" / "sunset.jpg").stat().st_mtime == taken


# --------------------------------------------------------------------------- deletions


def test_local_delete_without_delete_leaves_flickr_alone_and_is_not_downloaded_again(emulator, root, sync_json):
    synced(root, sync_json, {"A/x.jpg": 1, "A/y.jpg": 2})
    before = emulator.state()
    (root / "A" / "x.jpg").unlink()
    emulator.reset_calls()
    sync_json(root)
    assert write_calls(emulator) == {} and static_calls(emulator) == 0
    assert emulator.state() == before
    assert tree(root) == {"A/y.jpg": jpeg(2)}
    assert_converged(emulator, sync_json, root)
    assert tree(root) == {"A/y.jpg": jpeg(2)}


def test_local_delete_with_delete_deletes_the_photo_on_flickr(emulator, root, sync_json):
    synced(root, sync_json, {"A/x.jpg": 1, "A/y.jpg": 2, "A/z.jpg": 3})
    (root / "A" / "x.jpg").unlink()
    emulator.reset_calls()
    summary = sync_json(root, "--delete")
    assert summary["deleted"] == 1
    assert write_calls(emulator) == {"flickr.photos.delete": 1}
    assert albums_by_sha(emulator) == {"A": sorted([sha(jpeg(2)), sha(jpeg(3))])}
    assert_converged(emulator, sync_json, root, "--delete")


def test_local_delete_of_one_copy_with_delete_only_removes_it_from_that_album(emulator, root, sync_json, web):
    synced(root, sync_json, {"A/x.jpg": 1, "A/y.jpg": 2, "A/z.jpg": 3})
    photo = photo_with_sha(emulator, sha(jpeg(1)))
    web.add_to_album(photo["id"], "B")
    web.upload(jpeg(4), "b2", "B")
    sync_json(root)
    assert (root / "B" / "x.jpg").exists()
    (root / "B" / "x.jpg").unlink()
    emulator.reset_calls()
    sync_json(root, "--delete")
    assert "flickr.photos.delete" not in write_calls(emulator)
    assert photos_by_id(emulator)[photo["id"]]["album_ids"] == [web.album_id("A")]
    assert albums_by_title(emulator) == {"A": ["x", "y", "z"], "B": ["b2"]}
    assert_converged(emulator, sync_json, root, "--delete")


def test_flickr_delete_without_delete_keeps_the_file_and_does_not_reupload(emulator, root, sync_json, web):
    synced(root, sync_json, {"A/x.jpg": 1, "A/y.jpg": 2})
    web.delete(photo_with_sha(emulator, sha(jpeg(1)))["id"])
    emulator.reset_calls()
    sync_json(root)
    assert write_calls(emulator) == {}
    assert tree(root) == {"A/x.jpg": jpeg(1), "A/y.jpg": jpeg(2)}
    assert albums_by_sha(emulator) == {"A": [sha(jpeg(2))]}
    assert_converged(emulator, sync_json, root)


def test_flickr_delete_with_delete_moves_the_file_to_the_trash(emulator, root, sync_json, web):
    synced(root, sync_json, {"A/x.jpg": 1, "A/y.jpg": 2, "A/z.jpg": 3})
    web.delete(photo_with_sha(emulator, sha(jpeg(1)))["id"])
    emulator.reset_calls()
    summary = sync_json(root, "--delete")
    assert summary["deleted"] == 1 and write_calls(emulator) == {}
    assert tree(root) == {"A/y.jpg": jpeg(2), "A/z.jpg": jpeg(3)}
    assert trash(root) == {"A/x.jpg": jpeg(1)}
    assert_converged(emulator, sync_json, root, "--delete")


@pytest.mark.parametrize("delete", [False, True], ids=["plain", "with-delete"])
def test_local_edit_beats_a_flickr_delete(emulator, root, sync_json, web, delete):
    synced(root, sync_json, {"A/x.jpg": 1, "A/y.jpg": 2, "A/z.jpg": 3})
    web.delete(photo_with_sha(emulator, sha(jpeg(1)))["id"])
    edited = write_jpeg(root / "A" / "x.jpg", 7)
    args = ("--delete",) if delete else ()
    summary = sync_json(root, *args)
    assert summary["uploaded"] == 1
    assert tree(root)["A/x.jpg"] == edited and trash(root) == {}
    assert albums_by_sha(emulator) == {"A": sorted([sha(edited), sha(jpeg(2)), sha(jpeg(3))])}
    assert photo_with_sha(emulator, sha(edited))["title"] == "x"
    assert_converged(emulator, sync_json, root, *args)


@pytest.mark.parametrize("delete", [False, True], ids=["plain", "with-delete"])
def test_flickr_edit_beats_a_local_delete(emulator, root, sync_json, web, delete):
    synced(root, sync_json, {"A/x.jpg": 1, "A/y.jpg": 2, "A/z.jpg": 3})
    photo = photo_with_sha(emulator, sha(jpeg(1)))
    (root / "A" / "x.jpg").unlink()
    web.replace(photo["id"], jpeg(8))
    args = ("--delete",) if delete else ()
    emulator.reset_calls()
    summary = sync_json(root, *args)
    assert write_calls(emulator) == {}
    assert summary["downloaded"] == 1
    assert tree(root) == {"A/x.jpg": jpeg(8), "A/y.jpg": jpeg(2), "A/z.jpg": jpeg(3)}
    assert photos_by_id(emulator)[photo["id"]]["sha256"] == sha(jpeg(8))
    assert_converged(emulator, sync_json, root, *args)


def test_deleted_on_both_sides_is_forgotten(emulator, root, sync_json, web):
    synced(root, sync_json, {"A/x.jpg": 1, "A/y.jpg": 2})
    web.delete(photo_with_sha(emulator, sha(jpeg(1)))["id"])
    (root / "A" / "x.jpg").unlink()
    emulator.reset_calls()
    sync_json(root)
    assert write_calls(emulator) == {} and tree(root) == {"A/y.jpg": jpeg(2)}
    # the same content coming back later is a new file again, and is uploaded
    write_jpeg(root / "A" / "x.jpg", 1)
    assert sync_json(root)["uploaded"] == 1
    assert albums_by_sha(emulator) == {"A": sorted([sha(jpeg(1)), sha(jpeg(2))])}
    assert_converged(emulator, sync_json, root)


def test_an_edit_that_keeps_size_and_mtime_is_found_by_full(emulator, root, sync_json):
    synced(root, sync_json, {"A/x.jpg": 1})
    path = root / "A" / "x.jpg"
    st = path.stat()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same time
    emulator.reset_calls()
    sync_json(root)
    assert write_calls(emulator) == {}, "size and mtime unchanged: trusted without --full"
    summary = sync_json(root, "--full")
    assert summary["replaced"] == 1
    assert photo_with_sha(emulator, sha(bytes(data)))["title"] == "x"
    assert_converged(emulator, sync_json, root)


def test_a_replace_on_the_website_leaves_a_stale_tag_but_no_false_conflict(emulator, root, sync_json, flickr, tmp_path):
    """Flickr's website keeps a photo's tags when its file is replaced, so pycsync's content tag
    then names the old content. A run that finds the same new content on both sides (here: the
    file was fetched, then the state that says so was lost) hashes the original instead of
    trusting the tag, and links the two instead of making a conflict copy."""
    from tests.support.files import write_jpeg

    write_jpeg(root / "A/x.jpg", 1)
    sync_json(root)
    photo = emulator.state()["photos"][0]
    new = tmp_path / "new.jpg"
    new_bytes = write_jpeg(new, 2)
    flickr.replace(new, photo["id"])  # as the website does: tags untouched
    (root / "A/x.jpg").write_bytes(new_bytes)  # the same edit arrived here too
    summary = sync_json(root)
    assert summary["conflicts"] == 0 and summary["uploaded"] == 0
    assert len(emulator.state()["photos"]) == 1
    again = sync_json(root)
    assert again["uploaded"] == again["downloaded"] == again["replaced"] == 0
