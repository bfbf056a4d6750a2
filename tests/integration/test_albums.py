"""Albums as folders beyond single files: renamed albums and folders, photos leaving every album,
the same picture in several folders, and the first sync of a second copy in the flat layout."""

from __future__ import annotations

import shutil

from tests.support.calls import static_calls, write_calls
from tests.support.convergence import assert_converged
from tests.support.files import sha, tree, write_jpeg
from tests.support.media import jpeg
from tests.support.photos import sidecar
from tests.support.remote import album_ids, albums_by_sha, albums_by_title, photo_with_sha


def test_album_renamed_on_flickr_renames_its_folder(emulator, root, sync_json, flickr):
    write_jpeg(root / "A" / "x.jpg", 1)
    sync_json(root)
    flickr.edit_album_meta(album_ids(emulator)["A"], "Renamed on the website")
    emulator.reset_calls()
    sync_json(root)
    assert write_calls(emulator) == {} and static_calls(emulator) == 0
    assert tree(root) == {"Renamed on the website/x.jpg": jpeg(1)}, "the folder follows its album"
    write_jpeg(root / "Renamed on the website" / "y.jpg", 2)
    sync_json(root)
    assert albums_by_title(emulator) == {"Renamed on the website": ["x", "y"]}
    assert_converged(emulator, sync_json, root)


def test_an_album_renamed_on_flickr_moves_its_files_one_by_one_past_another_albums_folder(
    emulator, root, sync_json, flickr
):
    """A folder that holds another album's folder is not renamed whole: its own files move one
    by one, each with its sidecar, and the other album stays where it is."""
    write_jpeg(root / "A" / "x.jpg", 1)
    write_jpeg(root / "A" / "y.jpg", 2)
    write_jpeg(root / "A" / "sub" / "z.jpg", 3)  # the album "A/sub"
    sync_json(root)
    sidecar(root / "A" / "x.jpg.xmp", Xmp_dc_description='lang="x-default" mine')
    sync_json(root)
    flickr.edit_album_meta(album_ids(emulator)["A"], "B")
    emulator.reset_calls()
    summary = sync_json(root)
    assert (summary["moved"], summary["failed"]) == (2, 0)
    assert write_calls(emulator) == {} and static_calls(emulator) == 0
    assert sorted(tree(root)) == ["A/sub/z.jpg", "B/x.jpg", "B/x.jpg.xmp", "B/y.jpg"]
    write_jpeg(root / "B" / "w.jpg", 4)
    assert sync_json(root)["uploaded"] == 1
    assert albums_by_title(emulator) == {"A/sub": ["z"], "B": ["w", "x", "y"]}
    assert_converged(emulator, sync_json, root)


def test_local_folder_rename_moves_every_photo_without_uploading(emulator, root, sync_json):
    for i in range(3):
        write_jpeg(root / "Old name" / f"{i}.jpg", i)
    sync_json(root)
    ids = sorted(p["id"] for p in emulator.state()["photos"])
    (root / "Old name").rename(root / "New name")
    emulator.reset_calls()
    summary = sync_json(root)
    assert summary["moved"] == 3 and "upload" not in write_calls(emulator) and static_calls(emulator) == 0
    assert albums_by_title(emulator) == {"New name": ["0", "1", "2"]}
    assert sorted(p["id"] for p in emulator.state()["photos"]) == ids
    assert_converged(emulator, sync_json, root)


def test_photo_taken_out_of_its_only_album_moves_to_the_root(emulator, root, sync_json, web):
    write_jpeg(root / "A" / "x.jpg", 1)
    write_jpeg(root / "A" / "y.jpg", 2)
    sync_json(root)
    web.remove_from_album(photo_with_sha(emulator, sha(jpeg(1)))["id"], "A")
    emulator.reset_calls()
    sync_json(root)
    assert static_calls(emulator) == 0 and write_calls(emulator) == {}
    assert tree(root) == {"x.jpg": jpeg(1), "A/y.jpg": jpeg(2)}
    assert_converged(emulator, sync_json, root)


def test_local_move_to_the_root_takes_the_photo_out_of_its_album(emulator, root, sync_json):
    write_jpeg(root / "A" / "x.jpg", 1)
    write_jpeg(root / "A" / "y.jpg", 2)
    sync_json(root)
    (root / "A" / "x.jpg").rename(root / "x.jpg")
    emulator.reset_calls()
    sync_json(root)
    assert "upload" not in write_calls(emulator)
    assert albums_by_sha(emulator) == {"A": [sha(jpeg(2))], "": [sha(jpeg(1))]}
    assert_converged(emulator, sync_json, root)


def test_the_same_picture_in_two_folders_is_one_photo_in_two_albums(emulator, root, tmp_path, sync_json):
    write_jpeg(root / "A" / "x.jpg", 1)
    write_jpeg(root / "B" / "copy of x.jpg", 1)
    emulator.reset_calls()
    sync_json(root)
    assert write_calls(emulator)["upload"] == 1
    (photo,) = emulator.state()["photos"]
    assert len(photo["album_ids"]) == 2
    assert_converged(emulator, sync_json, root)
    other = tmp_path / "copy"
    other.mkdir()
    sync_json(other)
    assert sorted(tree(other).values()) == [jpeg(1), jpeg(1)]
    assert {k.split("/")[0] for k in tree(other)} == {"A", "B"}
    assert_converged(emulator, sync_json, other)


def test_emptied_album_on_flickr_is_not_recreated(emulator, root, sync_json, web):
    write_jpeg(root / "A" / "x.jpg", 1)
    write_jpeg(root / "B" / "y.jpg", 2)
    sync_json(root)
    web.move(photo_with_sha(emulator, sha(jpeg(1)))["id"], "A", "B")  # A vanishes on Flickr
    emulator.reset_calls()
    sync_json(root)
    assert write_calls(emulator) == {}
    assert tree(root) == {"B/x.jpg": jpeg(1), "B/y.jpg": jpeg(2)}
    assert albums_by_title(emulator) == {"B": ["x", "y"]}
    assert_converged(emulator, sync_json, root)


def test_second_copy_in_the_flat_layout_uploads_and_downloads_nothing(emulator, tmp_path, sync_json):
    first = tmp_path / "laptop"
    for key, seed in {"2019/Paris/a.jpg": 1, "2019/b.jpg": 2, "Misc/deep/c.jpg": 3}.items():
        write_jpeg(first / key, seed)
    sync_json(first, "--layout", "flat")
    second = tmp_path / "desktop"
    shutil.copytree(first, second, ignore=shutil.ignore_patterns(".pycsync"))
    emulator.reset_calls()
    summary = sync_json(second, "--layout", "flat")
    assert write_calls(emulator) == {} and static_calls(emulator) == 0
    assert summary["linked"] == 3 and summary["downloaded"] == 0
    assert tree(second) == tree(first)
    assert_converged(emulator, sync_json, second, "--layout", "flat")


def shared(root, sync_json, web, emulator) -> str:
    """A/x.jpg whose photo is also in album B (so B/x.jpg is a hard link of A/x.jpg)."""
    write_jpeg(root / "A" / "x.jpg", 1)
    write_jpeg(root / "A" / "y.jpg", 2)
    write_jpeg(root / "B" / "z.jpg", 3)
    sync_json(root)
    pid = photo_with_sha(emulator, sha(jpeg(1)))["id"]
    web.add_to_album(pid, "B")
    sync_json(root)
    assert (root / "A" / "x.jpg").stat().st_ino == (root / "B" / "x.jpg").stat().st_ino
    return pid


def test_editing_a_hard_linked_photo_in_place_replaces_it_once(emulator, root, sync_json, web):
    pid = shared(root, sync_json, web, emulator)
    with open(root / "A" / "x.jpg", "r+b") as f:  # an editor that saves in place: both names change
        f.truncate(0)
        f.write(jpeg(9))
    emulator.reset_calls()
    sync_json(root)
    writes = write_calls(emulator)
    assert writes.get("replace") == 1 and "upload" not in writes
    assert photo_with_sha(emulator, sha(jpeg(9)))["id"] == pid
    assert albums_by_sha(emulator) == {
        "A": sorted([sha(jpeg(9)), sha(jpeg(2))]),
        "B": sorted([sha(jpeg(9)), sha(jpeg(3))]),
    }
    assert_converged(emulator, sync_json, root)


def test_editing_one_copy_of_a_shared_photo_makes_it_a_photo_of_its_own(emulator, root, sync_json, web):
    pid = shared(root, sync_json, web, emulator)
    (root / "B" / "x.jpg").unlink()  # an editor that saves a new file: only this name changes
    write_jpeg(root / "B" / "x.jpg", 9)
    sync_json(root)
    assert tree(root) == {"A/x.jpg": jpeg(1), "A/y.jpg": jpeg(2), "B/x.jpg": jpeg(9), "B/z.jpg": jpeg(3)}
    assert photo_with_sha(emulator, sha(jpeg(1)))["id"] == pid
    assert albums_by_sha(emulator) == {
        "A": sorted([sha(jpeg(1)), sha(jpeg(2))]),
        "B": sorted([sha(jpeg(9)), sha(jpeg(3))]),
    }
    assert_converged(emulator, sync_json, root)


def test_a_shared_photo_replaced_on_flickr_updates_every_folder(emulator, root, sync_json, web):
    pid = shared(root, sync_json, web, emulator)
    web.replace(pid, jpeg(9))
    sync_json(root)
    assert tree(root) == {"A/x.jpg": jpeg(9), "A/y.jpg": jpeg(2), "B/x.jpg": jpeg(9), "B/z.jpg": jpeg(3)}
    assert_converged(emulator, sync_json, root)


def test_photo_moved_and_replaced_on_flickr(emulator, root, sync_json, web):
    write_jpeg(root / "A" / "x.jpg", 1)
    write_jpeg(root / "A" / "y.jpg", 2)
    sync_json(root)
    pid = photo_with_sha(emulator, sha(jpeg(1)))["id"]
    web.move(pid, "A", "B")
    web.replace(pid, jpeg(9))
    sync_json(root)
    assert tree(root) == {"A/y.jpg": jpeg(2), "B/x.jpg": jpeg(9)}
    assert_converged(emulator, sync_json, root)


def test_photo_moved_to_different_albums_on_each_side_ends_up_in_both(emulator, root, sync_json, web):
    write_jpeg(root / "A" / "x.jpg", 1)
    write_jpeg(root / "A" / "y.jpg", 2)
    sync_json(root)
    pid = photo_with_sha(emulator, sha(jpeg(1)))["id"]
    (root / "C").mkdir()
    (root / "A" / "x.jpg").rename(root / "C" / "x.jpg")
    web.move(pid, "A", "B")
    emulator.reset_calls()
    sync_json(root)
    assert "upload" not in write_calls(emulator) and static_calls(emulator) == 0
    assert tree(root) == {"A/y.jpg": jpeg(2), "B/x.jpg": jpeg(1), "C/x.jpg": jpeg(1)}
    assert albums_by_sha(emulator) == {"A": [sha(jpeg(2))], "B": [sha(jpeg(1))], "C": [sha(jpeg(1))]}
    assert_converged(emulator, sync_json, root)


def test_a_file_overwritten_by_a_copy_keeps_that_photo_in_its_album_when_the_original_moves_out(
    emulator, root, sync_json
):
    # Trip/x.jpg's photo is also in Best; Trip/y.jpg is copied over Trip/x.jpg and then moved out
    # of Trip: Trip/x.jpg now shows y.jpg's photo, which stays in Trip (or Trip vanishes, and the
    # next sync --delete takes Trip/x.jpg to the trash)
    write_jpeg(root / "Trip" / "x.jpg", 1)
    write_jpeg(root / "Best" / "x.jpg", 1)
    write_jpeg(root / "Trip" / "y.jpg", 2)
    sync_json(root)
    shutil.copyfile(root / "Trip" / "y.jpg", root / "Trip" / "x.jpg")
    (root / "Trip" / "y.jpg").rename(root / "y.jpg")
    emulator.reset_calls()
    summary = sync_json(root, "--delete")
    assert (summary["uploaded"], summary["downloaded"], summary["deleted"]) == (0, 0, 0), summary
    assert "flickr.photos.delete" not in write_calls(emulator)
    assert albums_by_sha(emulator) == {"Trip": [sha(jpeg(2))], "Best": [sha(jpeg(1))]}
    assert_converged(emulator, sync_json, root, "--delete")
    assert tree(root) == {"Trip/x.jpg": jpeg(2), "Best/x.jpg": jpeg(1), "y.jpg": jpeg(2)}
