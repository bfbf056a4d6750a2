"""A first sync of a folder whose photos Flickr already holds transfers nothing twice: pycsync's own
uploads are recognised by their content tag, other tools' uploads (no tags) by album + title and
then by hashing the original."""

from __future__ import annotations

import shutil

from tests.support.calls import static_calls, write_calls
from tests.support.convergence import assert_converged
from tests.support.files import sha, tree, write_jpeg
from tests.support.media import jpeg, make_mp4_bytes
from tests.support.remote import albums_by_sha, photo_with_sha

LIBRARY = {"2019/Paris/a.jpg": 1, "2019/Paris/b.jpg": 2, "Trips/c.jpg": 3, "Trips/d.jpeg": 4, "top.jpg": 5}


def write_library(root) -> dict[str, bytes]:
    """LIBRARY written under root; returns the tree."""
    for key, seed in LIBRARY.items():
        write_jpeg(root / key, seed)
    return tree(root)


def test_second_copy_of_a_library_uploaded_by_pycsync_uploads_nothing(emulator, tmp_path, sync_json):
    first = tmp_path / "laptop"
    library = write_library(first)
    assert sync_json(first)["uploaded"] == len(LIBRARY)
    flickr_before = emulator.state()

    second = tmp_path / "desktop"
    shutil.copytree(first, second, ignore=shutil.ignore_patterns(".pycsync"))
    emulator.reset_calls()
    summary = sync_json(second)
    assert write_calls(emulator) == {} and static_calls(emulator) == 0
    assert summary["linked"] == len(LIBRARY) and summary["uploaded"] == summary["downloaded"] == 0
    assert emulator.state() == flickr_before
    assert tree(second) == library
    assert_converged(emulator, sync_json, second)
    # and both copies now follow each other
    write_jpeg(second / "Trips" / "new.jpg", 9)
    sync_json(second)
    sync_json(first)
    assert tree(first) == tree(second)
    assert_converged(emulator, sync_json, first)


def test_second_copy_that_is_a_subset_or_superset(emulator, tmp_path, sync_json):
    first = tmp_path / "laptop"
    write_library(first)
    sync_json(first)
    second = tmp_path / "desktop"
    write_jpeg(second / "2019" / "Paris" / "a.jpg", 1)  # one file in common
    write_jpeg(second / "2019" / "Paris" / "only here.jpg", 7)  # one file Flickr lacks
    emulator.reset_calls()
    summary = sync_json(second)
    assert write_calls(emulator).get("upload") == 1
    assert summary["linked"] == 1 and summary["downloaded"] == len(LIBRARY) - 1
    assert tree(second) == {**tree(first), "2019/Paris/only here.jpg": jpeg(7)}
    assert_converged(emulator, sync_json, second)


def test_untagged_uploads_of_another_tool_are_matched_by_album_title_and_hash(emulator, root, sync_json, web):
    write_library(root)
    # the same library, uploaded earlier by some other tool: titles are file stems, no tags
    ids = {}
    for key, seed in LIBRARY.items():
        folder, _, name = key.rpartition("/")
        ids[key] = web.upload(jpeg(seed), name.rsplit(".", 1)[0], folder or None, ext=name.rsplit(".", 1)[1])
    flickr_before = emulator.state()
    emulator.reset_calls()
    summary = sync_json(root)
    assert write_calls(emulator) == {}, "no upload, no album edit"
    assert static_calls(emulator) == len(LIBRARY), "each original is fetched once to compare"
    assert summary["linked"] == len(LIBRARY) and summary["uploaded"] == summary["downloaded"] == 0
    assert emulator.state() == flickr_before
    assert tree(root) == {k: jpeg(s) for k, s in LIBRARY.items()}
    assert_converged(emulator, sync_json, root)
    # from now on the photos are tracked: an edit replaces the matched photo
    write_jpeg(root / "Trips" / "c.jpg", 8)
    sync_json(root)
    assert photo_with_sha(emulator, sha(jpeg(8)))["id"] == ids["Trips/c.jpg"]
    assert_converged(emulator, sync_json, root)


def test_untagged_photo_with_the_same_name_but_other_content_keeps_both(emulator, root, sync_json, web):
    write_jpeg(root / "A" / "x.jpg", 1)
    write_jpeg(root / "A" / "y.jpg", 2)
    web.upload(jpeg(3), "x", "A")  # same album and title, different picture
    web.upload(jpeg(2), "y", "A")  # same picture
    summary = sync_json(root)
    assert summary["linked"] == 1 and summary["conflicts"] == 1
    files = tree(root)
    assert files["A/x.jpg"] == jpeg(3) and files["A/y.jpg"] == jpeg(2)
    assert sorted(files.values()) == sorted([jpeg(1), jpeg(2), jpeg(3)])
    assert albums_by_sha(emulator) == {"A": sorted(sha(jpeg(s)) for s in (1, 2, 3))}
    assert_converged(emulator, sync_json, root)


def test_same_content_under_another_album_is_linked_not_uploaded(emulator, root, sync_json, web):
    # another tool put the picture in a different album: the folder's album gets the same photo
    write_jpeg(root / "Best" / "x.jpg", 1)
    pid = web.upload(jpeg(1), "x", "Other", tagged=True, file_name="x.jpg")
    emulator.reset_calls()
    sync_json(root)
    assert "upload" not in write_calls(emulator)
    assert photo_with_sha(emulator, sha(jpeg(1)))["id"] == pid
    assert albums_by_sha(emulator) == {"Best": [sha(jpeg(1))], "Other": [sha(jpeg(1))]}
    assert tree(root) == {"Best/x.jpg": jpeg(1), "Other/x.jpg": jpeg(1)}
    assert_converged(emulator, sync_json, root)


def test_untagged_uploads_under_other_name_spellings_are_matched(emulator, root, sync_json, web):
    # .jpeg vs Flickr's "jpg", a title that carries its extension, a video (Flickr does not say
    # which container): each is still compared with the local file instead of transferred twice
    write_jpeg(root / "A" / "IMG_1.JPG", 1)
    write_jpeg(root / "A" / "d.jpeg", 2)
    clip = make_mp4_bytes(seed=3, brand=b"qt  ")
    (root / "A" / "clip.mov").write_bytes(clip)
    web.upload(jpeg(1), "IMG_1.JPG", "A")
    web.upload(jpeg(2), "d", "A")
    web.upload(clip, "clip", "A", ext="mov")
    local_before = tree(root)
    emulator.reset_calls()
    summary = sync_json(root)
    assert write_calls(emulator) == {}
    assert summary["linked"] == 3 and summary["uploaded"] == summary["downloaded"] == 0
    # each original fetched once to compare; the video through its play URL, which redirects
    assert static_calls(emulator) == 4
    assert tree(root) == local_before
    assert_converged(emulator, sync_json, root)


def test_a_lost_state_is_rebuilt_from_flickr_without_transfers(emulator, root, sync_json, web):
    write_library(root)
    web.upload(jpeg(9), "from the web", "Trips")
    sync_json(root)
    library = tree(root)
    shutil.rmtree(root / ".pycsync")
    emulator.reset_calls()
    summary = sync_json(root)
    assert write_calls(emulator) == {}
    assert summary["uploaded"] == summary["downloaded"] == 0
    assert static_calls(emulator) == 1, "only the photo pycsync did not upload needs hashing"
    assert tree(root) == library
    assert_converged(emulator, sync_json, root)
    # --rebuild-state does the same with the state in place
    emulator.reset_calls()
    summary = sync_json(root, "--rebuild-state")
    assert write_calls(emulator) == {} and summary["uploaded"] == summary["downloaded"] == 0
    assert tree(root) == library
    assert_converged(emulator, sync_json, root)


def test_of_two_albums_of_one_title_the_folder_stays_with_the_one_whose_photos_it_holds(emulator, root, sync_json, web):
    # another tool uploaded Trip/x.jpg and y.jpg to an album Trip; a newer album of the same title
    # holds z: a first sync leaves x and y where they are and fetches z beside them
    write_jpeg(root / "Trip" / "x.jpg", 1)
    write_jpeg(root / "Trip" / "y.jpg", 2)
    x, y, z = (web.upload(jpeg(seed), title) for seed, title in ((1, "x"), (2, "y"), (3, "z")))
    older = web.flickr.create_album("Trip", x)
    web.flickr.add_to_album(older, y)
    newer = web.flickr.create_album("Trip", z)
    summary = sync_json(root)
    assert summary["uploaded"] == summary["failed"] == 0 and summary["downloaded"] == 1
    assert tree(root) == {"Trip/x.jpg": jpeg(1), "Trip/y.jpg": jpeg(2), f"Trip ({newer})/z.jpg": jpeg(3)}
    assert_converged(emulator, sync_json, root)
