"""A rebuilt state is the same state (issue 9, item 3).

After the state DB is lost (``--rebuild-state``, a damaged or deleted file), rebuilding it from
Flickr must reproduce the mapping the folder had, whatever the names: no rebuild uploads,
downloads or creates anything, and the tree stays identical, however many times it is rebuilt.
An album renamed on Flickr renames its folder (as a local folder rename moves the photos to a new
album), so a rebuild afterwards finds folder and album titles alike.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.calls import static_calls, write_calls
from tests.support.convergence import assert_converged
from tests.support.files import sha, tree, write_jpeg
from tests.support.media import jpeg
from tests.support.remote import album_ids, albums_by_sha, albums_by_title, photo_with_sha

# names that are valid here (Linux) but not on every system, or that a safe-name rule changes
HOSTILE = {
    "a:b.jpg": 1,
    "CON.jpg": 2,
    "trail .jpg": 3,
    " lead/x.jpg": 4,
    " lead/ lead.jpg": 5,
    "a:b/y.jpg": 6,
    "a:b/a:b.jpg": 7,
    "back\\slash/z.jpg": 8,
    "back\\slash/q?.jpg": 9,
    "CON/nul.jpg": 10,
    "dots./end..jpg": 11,
    "a_b/plain.jpg": 12,  # what "a:b" would become as a safe folder name: must stay apart
    "a_b.jpg": 13,
    "Trip/day 1/IMG 1.jpg": 14,
    "Trip/IMG 2.jpg": 15,
    "Trip/IMG 2 copy.jpg": 15,  # one photo, two files
    "Other/IMG 2.jpg": 15,  # ... and two albums
    "tab\there.jpg": 16,
}


def library(root: Path, names: dict[str, int] = HOSTILE) -> None:
    for key, seed in names.items():
        write_jpeg(root / key, seed)


def lose_state(root: Path, how: str, cli) -> list[str]:
    """Make the next sync rebuild its state; returns the options that sync needs."""
    db = root / ".pycsync" / "state.db"
    if how == "rebuild-flag":
        return ["--rebuild-state"]
    if how == "deleted":
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    else:  # damaged
        db.write_bytes(b"not a database" * 1000)
    return []


def assert_rebuilds_change_nothing(
    emulator, root: Path, sync_json, cli, *options: str, times: int = 3, untagged: int = 0
) -> None:
    """Rebuild the state ``times`` times (flag, deleted file, damaged file in turn): nothing is
    written anywhere. Only photos no pycsync tag describes (``untagged``) have their original
    read to be compared, and only when the state's cache of their hashes was lost with it."""
    before_tree, before_state = tree(root), emulator.state()
    for i in range(times):
        how = ("rebuild-flag", "deleted", "damaged")[i % 3]
        extra = lose_state(root, how, cli)
        emulator.reset_calls()
        summary = sync_json(root, *options, *extra)
        assert write_calls(emulator) == {}, f"rebuild {i + 1} wrote to Flickr: {write_calls(emulator)}"
        fetched = 0 if how == "rebuild-flag" else untagged
        assert static_calls(emulator) == fetched, f"rebuild {i + 1} fetched {static_calls(emulator)} originals"
        assert (summary["uploaded"], summary["downloaded"], summary["moved"], summary["failed"]) == (0, 0, 0, 0)
        assert tree(root) == before_tree, f"rebuild {i + 1} changed the folder"
        assert emulator.state() == before_state, f"rebuild {i + 1} changed Flickr"
    assert_converged(emulator, sync_json, root, *options)


@pytest.mark.parametrize("layout", ["nested", "flat"])
def test_rebuilding_a_library_full_of_hostile_names_changes_nothing(emulator, root, tmp_path, sync_json, cli, layout):
    library(root)
    options = ("--layout", layout)
    sync_json(root, *options)
    assert_converged(emulator, sync_json, root, *options)
    assert_rebuilds_change_nothing(emulator, root, sync_json, cli, *options)

    # a second computer gets safe names of its own; rebuilding its state keeps them too
    other = tmp_path / "other"
    other.mkdir()
    sync_json(other, *options)
    assert set(tree(other).values()) == set(tree(root).values())
    assert_converged(emulator, sync_json, other, *options)
    assert_rebuilds_change_nothing(emulator, other, sync_json, cli, *options)


def test_a_rebuild_matches_files_by_content_whatever_their_names(emulator, root, sync_json, cli, web):
    # photos from the website (no pycsync tags) and pycsync's own, under names that differ from
    # anything their titles would give
    write_jpeg(root / "A" / "mine.jpg", 1)
    web.upload(jpeg(2), "sunset over the bay", "A")
    web.upload(jpeg(3), "sunset over the bay", "A")  # two photos with one title
    sync_json(root)
    (root / "A" / "mine.jpg").rename(root / "A" / "renamed here.jpg")
    sync_json(root)
    assert_converged(emulator, sync_json, root)
    assert_rebuilds_change_nothing(emulator, root, sync_json, cli, untagged=2)


def test_a_rebuild_keeps_a_copy_with_the_photo_in_its_album_when_flickr_holds_the_picture_twice(
    emulator, root, sync_json, cli
):
    write_jpeg(root / "Trip" / "a.jpg", 1)
    write_jpeg(root / "b.jpg", 2)
    sync_json(root)
    # b.jpg is overwritten with a copy of Trip/a.jpg (its photo is replaced: Flickr now holds that
    # picture twice), and another copy, named b.jpg too, joins Trip (one photo with Trip/a.jpg)
    (root / "b.jpg").write_bytes(jpeg(1))
    (root / "Trip" / "b.jpg").write_bytes(jpeg(1))
    summary = sync_json(root)
    assert (summary["uploaded"], summary["replaced"]) == (0, 1), summary
    assert_converged(emulator, sync_json, root)
    assert albums_by_sha(emulator) == {"Trip": [sha(jpeg(1))], "": [sha(jpeg(1))]}
    assert_rebuilds_change_nothing(emulator, root, sync_json, cli)


def test_a_rebuild_keeps_each_of_two_albums_of_one_title_with_its_folder(emulator, root, sync_json, flickr, cli):
    # one picture in two albums; the newer album is renamed on the website to the title of the
    # other: its folder is set apart by its id, and a rebuild keeps it so (the photo they share
    # is no reason to swap them)
    write_jpeg(root / "A" / "x.jpg", 1)
    write_jpeg(root / "B" / "x.jpg", 1)
    sync_json(root)
    ids = album_ids(emulator)
    flickr.edit_album_meta(ids["B"], "A")
    sync_json(root)
    assert tree(root) == {"A/x.jpg": jpeg(1), f"A ({ids['B']})/x.jpg": jpeg(1)}
    assert_converged(emulator, sync_json, root)
    assert_rebuilds_change_nothing(emulator, root, sync_json, cli)


def test_album_renamed_on_flickr_renames_its_folder_on_every_computer(emulator, tmp_path, sync_json, flickr, cli):
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    write_jpeg(laptop / "Paris" / "x.jpg", 1)
    write_jpeg(laptop / "Paris" / "y.jpg", 2)
    write_jpeg(laptop / "Paris" / "day 2" / "z.jpg", 3)  # an album of its own, stays where it is
    sync_json(laptop)
    desktop.mkdir()
    sync_json(desktop)
    (laptop / "Paris" / "notes.txt").write_text("not a photo")
    album = album_ids(emulator)["Paris"]

    flickr.edit_album_meta(album, "Paris 2019")
    for computer in (laptop, desktop):
        emulator.reset_calls()
        summary = sync_json(computer)
        assert write_calls(emulator) == {} and static_calls(emulator) == 0
        assert summary["moved"] == 2 and summary["uploaded"] == summary["downloaded"] == 0
        assert {k: v for k, v in tree(computer).items() if k.endswith(".jpg")} == {
            "Paris 2019/x.jpg": jpeg(1),
            "Paris 2019/y.jpg": jpeg(2),
            "Paris/day 2/z.jpg": jpeg(3),
        }
        assert_converged(emulator, sync_json, computer)
    # the folder stays as the parent of "day 2" (an album of its own), with what is no photo
    assert (laptop / "Paris" / "notes.txt").exists()
    assert album_ids(emulator) == {"Paris 2019": album, "Paris/day 2": album_ids(emulator)["Paris/day 2"]}

    # a new file in the renamed folder joins the renamed album
    write_jpeg(desktop / "Paris 2019" / "w.jpg", 4)
    sync_json(desktop)
    assert albums_by_title(emulator)["Paris 2019"] == ["w", "x", "y"]
    assert "flickr.photosets.create" not in write_calls(emulator)
    sync_json(laptop)
    assert tree(laptop)["Paris 2019/w.jpg"] == jpeg(4)
    assert_rebuilds_change_nothing(emulator, laptop, sync_json, cli)


def test_album_renamed_on_flickr_in_the_flat_layout_moves_the_whole_folder(emulator, root, sync_json, flickr, cli):
    flat = ("--layout", "flat")
    write_jpeg(root / "2019" / "a.jpg", 1)
    write_jpeg(root / "2019" / "Paris" / "b.jpg", 2)
    sync_json(root, *flat)
    (root / "2019" / "a.xmp").write_text("a sidecar: moves along with the folder")
    flickr.edit_album_meta(album_ids(emulator)["2019"], "Year 2019")
    emulator.reset_calls()
    sync_json(root, *flat)
    assert write_calls(emulator) == {} and static_calls(emulator) == 0
    assert tree(root) == {
        "Year 2019/a.jpg": jpeg(1),
        "Year 2019/a.xmp": b"a sidecar: moves along with the folder",
        "Year 2019/Paris/b.jpg": jpeg(2),
    }
    assert_converged(emulator, sync_json, root, *flat)
    assert_rebuilds_change_nothing(emulator, root, sync_json, cli, *flat)


def test_album_renamed_to_a_folder_that_exists_already(emulator, root, sync_json, flickr):
    write_jpeg(root / "A" / "x.jpg", 1)
    write_jpeg(root / "B" / "y.jpg", 2)
    write_jpeg(root / "C" / "sub" / "z.jpg", 3)  # C holds no photo itself: not an album (C/sub is)
    sync_json(root)
    ids = album_ids(emulator)
    flickr.edit_album_meta(ids["A"], "B")  # the title of another album
    flickr.edit_album_meta(ids["B"], "C")  # a folder that is no album
    emulator.reset_calls()
    sync_json(root)
    assert write_calls(emulator) == {} and static_calls(emulator) == 0
    files = tree(root)
    assert sorted(files.values()) == sorted([jpeg(1), jpeg(2), jpeg(3)])
    assert files["C/y.jpg"] == jpeg(2) and files["C/sub/z.jpg"] == jpeg(3)
    # B was still taken when A's album took its title: the album id sets the folder apart
    assert files[f"B ({ids['A']})/x.jpg"] == jpeg(1)
    assert not (root / "A").exists() and not (root / "B").exists()
    assert album_ids(emulator) == {"B": ids["A"], "C": ids["B"], "C/sub": ids["C/sub"]}
    assert_converged(emulator, sync_json, root)


def test_a_rebuild_right_after_an_album_rename_on_flickr_makes_no_second_album(emulator, root, sync_json, flickr, cli):
    write_jpeg(root / "Old" / "x.jpg", 1)
    write_jpeg(root / "Old" / "y.jpg", 2)
    sync_json(root)
    flickr.edit_album_meta(album_ids(emulator)["Old"], "New")
    emulator.reset_calls()
    sync_json(root, "--rebuild-state")  # the state is lost before the rename was seen
    assert write_calls(emulator) == {} and static_calls(emulator) == 0
    assert tree(root) == {"New/x.jpg": jpeg(1), "New/y.jpg": jpeg(2)}
    assert albums_by_sha(emulator) == {"New": sorted([sha(jpeg(1)), sha(jpeg(2))])}
    assert_converged(emulator, sync_json, root)


def test_dry_run_shows_the_folder_rename_and_changes_nothing(emulator, root, sync_json, flickr, cli):
    write_jpeg(root / "Old" / "x.jpg", 1)
    sync_json(root)
    flickr.edit_album_meta(album_ids(emulator)["Old"], "New")
    result = cli("status", str(root), "--json")
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    assert status["totals"]["moved"] == 1 and not status["in_sync"]
    assert tree(root) == {"Old/x.jpg": jpeg(1)}
    assert photo_with_sha(emulator, sha(jpeg(1)))["title"] == "x"
