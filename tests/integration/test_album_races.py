"""Album membership is never overwritten from a stale read (issue 9, item 2).

A run lists the account, then uploads, then puts the new photos in their albums. Whatever joins an
album in between (on the website, or through another computer's sync) must still be in it after
the run: no run removes a membership it did not decide to remove. The race is made real with the
emulator: the run's first album write is held (a latency rule) and the other change is made over
HTTP while it waits.
"""

from __future__ import annotations

from tests.support.calls import static_calls, write_calls
from tests.support.convergence import assert_converged
from tests.support.files import sha, tree, write_jpeg
from tests.support.media import jpeg
from tests.support.races import meanwhile, other_computer
from tests.support.remote import albums_by_sha

ALBUM_WRITES = ["flickr.photosets.addPhoto", "flickr.photosets.editPhotos"]


def test_a_photo_added_on_the_website_while_a_sync_fills_its_album_stays_in_it(emulator, root, sync_json, web):
    write_jpeg(root / "Trip" / "a.jpg", 1)
    write_jpeg(root / "Trip" / "b.jpg", 2)
    sync_json(root)
    for seed in (3, 4, 5):  # k=3 new photos for an existing album
        write_jpeg(root / "Trip" / f"new{seed}.jpg", seed)
    website_photo = web.upload(jpeg(9), "from the website")

    with meanwhile(emulator, ALBUM_WRITES, lambda: web.add_to_album(website_photo, "Trip")):
        sync_json(root)

    assert albums_by_sha(emulator) == {"Trip": sorted(sha(jpeg(s)) for s in (1, 2, 3, 4, 5, 9))}
    sync_json(root)  # the website's photo comes down into the folder, nothing leaves it
    assert tree(root) == {
        "Trip/a.jpg": jpeg(1),
        "Trip/b.jpg": jpeg(2),
        **{f"Trip/new{s}.jpg": jpeg(s) for s in (3, 4, 5)},
        "Trip/from the website.jpg": jpeg(9),
    }
    assert_converged(emulator, sync_json, root)


def test_two_computers_adding_to_one_album_at_the_same_time_keep_each_others_photos(emulator, tmp_path, sync_json):
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    write_jpeg(laptop / "Trip" / "a.jpg", 1)
    write_jpeg(laptop / "Trip" / "b.jpg", 2)
    sync_json(laptop)
    desktop.mkdir()
    sync_json(desktop)
    assert tree(desktop) == tree(laptop)
    write_jpeg(laptop / "Trip" / "laptop1.jpg", 11)
    write_jpeg(laptop / "Trip" / "laptop2.jpg", 12)
    write_jpeg(desktop / "Trip" / "desktop.jpg", 21)

    # the desktop syncs from start to end while the laptop's run waits to fill the album
    with meanwhile(emulator, ALBUM_WRITES, other_computer(emulator, desktop)):
        sync_json(laptop)

    everything = sorted(sha(jpeg(s)) for s in (1, 2, 11, 12, 21))
    assert albums_by_sha(emulator) == {"Trip": everything}
    emulator.reset_calls()
    # the desktop keeps its photo where it is; the laptop's two (which its concurrent run saw
    # uploaded but not yet in an album) join it in the folder, as moves, not new downloads
    sync_json(desktop)
    assert write_calls(emulator) == {} and static_calls(emulator) == 0
    sync_json(laptop)
    expected = {
        "Trip/a.jpg": jpeg(1),
        "Trip/b.jpg": jpeg(2),
        "Trip/laptop1.jpg": jpeg(11),
        "Trip/laptop2.jpg": jpeg(12),
        "Trip/desktop.jpg": jpeg(21),
    }
    assert tree(laptop) == tree(desktop) == expected
    assert albums_by_sha(emulator) == {"Trip": everything}
    assert_converged(emulator, sync_json, laptop)
    assert_converged(emulator, sync_json, desktop)


def test_new_albums_are_still_filled_in_one_call_and_existing_ones_only_by_adding(emulator, root, sync_json):
    for i in range(5):
        write_jpeg(root / "New" / f"{i}.jpg", i)
    emulator.reset_calls()
    sync_json(root)
    calls = write_calls(emulator)
    # an album this run created: nobody else can have added to it, one edit holds all members
    assert calls == {"upload": 5, "flickr.photosets.create": 1, "flickr.photosets.editPhotos": 1}
    for i in range(5, 8):
        write_jpeg(root / "New" / f"{i}.jpg", i)
    emulator.reset_calls()
    sync_json(root)
    # an existing album: one additive call per new photo, never a replacement of the member list
    assert write_calls(emulator) == {"upload": 3, "flickr.photosets.addPhoto": 3}
    assert albums_by_sha(emulator) == {"New": sorted(sha(jpeg(i)) for i in range(8))}
    assert_converged(emulator, sync_json, root)
