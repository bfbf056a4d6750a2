"""A photo not yet in its album (a run that uploaded it could not place it) is still watched for
changes on Flickr: a website replace made meanwhile is never overwritten by this computer's edit,
nor missed, and the photo still goes into its album."""

from __future__ import annotations

import pytest

from tests.support.convergence import assert_converged
from tests.support.files import sha, tree, write_jpeg
from tests.support.media import jpeg
from tests.support.remote import albums_by_sha, photo_with_sha

ALBUM_FILLS = ["flickr.photosets.create", "flickr.photosets.addPhoto", "flickr.photosets.editPhotos"]


@pytest.fixture
def unplaced(emulator, root, sync_json):
    """Trip/a.jpg uploaded by a run that could not put it in its album."""
    write_jpeg(root / "Trip" / "a.jpg", 1)
    emulator.set_faults([{"match": ALBUM_FILLS, "action": {"http": 503}}])
    first = sync_json(root, expect=1)
    emulator.set_faults([])
    assert first["uploaded"] == 1 and albums_by_sha(emulator) == {"": [sha(jpeg(1))]}
    return photo_with_sha(emulator, sha(jpeg(1)))["id"]


def test_a_website_replace_of_an_unplaced_photo_comes_down_in_the_run_that_places_it(
    emulator, root, sync_json, web, unplaced
):
    web.replace(unplaced, jpeg(2))
    sync_json(root)
    assert tree(root) == {"Trip/a.jpg": jpeg(2)}
    assert albums_by_sha(emulator) == {"Trip": [sha(jpeg(2))]}
    assert_converged(emulator, sync_json, root)


def test_an_edit_here_never_overwrites_a_website_replace_of_an_unplaced_photo(emulator, root, sync_json, web, unplaced):
    web.replace(unplaced, jpeg(2))
    write_jpeg(root / "Trip" / "a.jpg", 3)  # edited here meanwhile: both edits are kept
    sync_json(root)
    on_flickr = sorted(p["sha256"] for p in emulator.state()["photos"])
    assert on_flickr == sorted([sha(jpeg(2)), sha(jpeg(3))]), "an edit was lost"
    assert sorted(tree(root).values()) == sorted([jpeg(2), jpeg(3)])
    assert_converged(emulator, sync_json, root)


def test_a_replace_fetched_while_its_album_still_cannot_be_filled_is_placed_later_not_taken_for_a_removal(
    emulator, root, sync_json, web, unplaced
):
    web.replace(unplaced, jpeg(2))
    emulator.set_faults([{"match": ALBUM_FILLS, "action": {"http": 503}}])
    sync_json(root, expect=1)
    emulator.set_faults([])
    assert tree(root) == {"Trip/a.jpg": jpeg(2)}
    sync_json(root, "--delete")  # not in its album yet: still to be placed, not a photo removed from it
    assert tree(root) == {"Trip/a.jpg": jpeg(2)}
    assert albums_by_sha(emulator) == {"Trip": [sha(jpeg(2))]}
    assert_converged(emulator, sync_json, root)
