"""One-way syncs: --push only changes Flickr, --pull only changes the folder; with --delete they
mirror one side onto the other."""

from __future__ import annotations

from tests.support.calls import static_calls, write_calls
from tests.support.convergence import assert_converged
from tests.support.files import sha, trash, tree, write_jpeg
from tests.support.media import jpeg
from tests.support.remote import albums_by_sha, photo_with_sha


def base_with_changes_on_both_sides(root, sync_json, web, emulator):
    """A synced base of 4 photos in A, then: local new/edit/delete, Flickr new/replace/delete."""
    for i in range(1, 7):
        write_jpeg(root / "A" / f"p{i}.jpg", i)
    sync_json(root)
    ids = {i: photo_with_sha(emulator, sha(jpeg(i)))["id"] for i in range(1, 7)}
    write_jpeg(root / "A" / "local-new.jpg", 20)
    write_jpeg(root / "A" / "p1.jpg", 21)  # edited here
    (root / "A" / "p2.jpg").unlink()  # deleted here
    web.upload(jpeg(30), "flickr-new", "A")
    web.replace(ids[3], jpeg(31))  # replaced on Flickr
    web.delete(ids[4])  # deleted on Flickr
    return ids


def test_push_only_changes_flickr(emulator, root, sync_json, web):
    ids = base_with_changes_on_both_sides(root, sync_json, web, emulator)
    local_before = tree(root)
    emulator.reset_calls()
    summary = sync_json(root, "--push")
    assert static_calls(emulator) == 0 and summary["downloaded"] == 0
    assert tree(root) == local_before, "a push never touches the folder"
    assert summary["uploaded"] == 1 and summary["replaced"] == 1
    assert photo_with_sha(emulator, sha(jpeg(21)))["id"] == ids[1]
    # p2 deleted here stays on Flickr (no --delete); Flickr's changes are left alone
    assert albums_by_sha(emulator) == {"A": sorted(sha(jpeg(i)) for i in (20, 21, 2, 31, 5, 6, 30))}
    assert summary["unsynced"] == 2, "the two downloads a push leaves are reported"
    assert_converged(emulator, sync_json, root, "--push")

    # a two-way sync afterwards brings Flickr's changes down and uploads nothing
    emulator.reset_calls()
    sync_json(root)
    assert "upload" not in write_calls(emulator)
    assert tree(root) == {
        "A/local-new.jpg": jpeg(20),
        "A/p1.jpg": jpeg(21),
        "A/p3.jpg": jpeg(31),
        "A/p4.jpg": jpeg(4),
        "A/p5.jpg": jpeg(5),
        "A/p6.jpg": jpeg(6),
        "A/flickr-new.jpg": jpeg(30),
    }
    assert_converged(emulator, sync_json, root)


def test_pull_only_changes_the_folder(emulator, root, sync_json, web):
    base_with_changes_on_both_sides(root, sync_json, web, emulator)
    flickr_before = emulator.state()
    emulator.reset_calls()
    summary = sync_json(root, "--pull")
    assert write_calls(emulator) == {}
    assert emulator.state() == flickr_before, "a pull never touches Flickr"
    assert tree(root) == {
        "A/local-new.jpg": jpeg(20),  # not uploaded, not removed
        "A/p1.jpg": jpeg(21),  # the local edit is kept (not overwritten, not uploaded)
        "A/p3.jpg": jpeg(31),  # Flickr's replacement comes down
        "A/p4.jpg": jpeg(4),  # deleted on Flickr: kept without --delete
        "A/p5.jpg": jpeg(5),
        "A/p6.jpg": jpeg(6),
        "A/flickr-new.jpg": jpeg(30),
    }
    assert summary["unsynced"] == 2  # the local edit and the local new file
    assert_converged(emulator, sync_json, root, "--pull")


def test_push_with_delete_mirrors_the_folder_onto_flickr(emulator, root, sync_json, web):
    ids = base_with_changes_on_both_sides(root, sync_json, web, emulator)
    local_before = tree(root)
    emulator.reset_calls()
    sync_json(root, "--push", "--delete")
    assert static_calls(emulator) == 0 and tree(root) == local_before
    # Flickr now holds exactly the folder: p2 deleted, flickr-new removed, p3's replacement
    # undone by the local (unchanged) version
    assert albums_by_sha(emulator) == {"A": sorted(sha(v) for v in local_before.values())}
    assert photo_with_sha(emulator, sha(jpeg(3)))["id"] == ids[3]
    assert photo_with_sha(emulator, sha(jpeg(21)))["id"] == ids[1]
    assert_converged(emulator, sync_json, root, "--push", "--delete")
    assert_converged(emulator, sync_json, root)


def test_pull_with_delete_mirrors_flickr_into_the_folder(emulator, root, sync_json, web):
    base_with_changes_on_both_sides(root, sync_json, web, emulator)
    flickr_before = emulator.state()
    emulator.reset_calls()
    sync_json(root, "--pull", "--delete")
    assert write_calls(emulator) == {} and emulator.state() == flickr_before
    photos = {p["id"]: p for p in flickr_before["photos"]}
    assert sorted(sha(v) for v in tree(root).values()) == sorted(p["sha256"] for p in photos.values())
    assert tree(root) == {
        "A/p1.jpg": jpeg(1),
        "A/p2.jpg": jpeg(2),
        "A/p3.jpg": jpeg(31),
        "A/p5.jpg": jpeg(5),
        "A/p6.jpg": jpeg(6),
        "A/flickr-new.jpg": jpeg(30),
    }
    # what the folder had that Flickr has not is kept in the trash, never lost
    assert trash(root) == {"A/local-new.jpg": jpeg(20), "A/p1.jpg": jpeg(21), "A/p4.jpg": jpeg(4)}
    assert_converged(emulator, sync_json, root, "--pull", "--delete")
    assert_converged(emulator, sync_json, root)
