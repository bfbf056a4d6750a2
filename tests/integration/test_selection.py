"""Selection rules (--exclude, .pycsyncignore, `exclude` in config.toml) apply to both sides.

A path outside the selection is invisible to a run, on either side and under either layout: never
uploaded, downloaded, moved, replaced, retitled or deleted, with or without --delete. Adding an
exclusion after a sync is not a deletion, and removing it resumes syncing without duplicates.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.calls import static_calls, write_calls
from tests.support.cli import status_json
from tests.support.convergence import assert_converged
from tests.support.files import sha, tree, write_jpeg
from tests.support.media import jpeg, make_png_bytes
from tests.support.remote import album_ids, albums_by_sha, photo_with_sha


def library(root: Path) -> None:
    """Two public albums and a private one, synced."""
    for i in range(1, 4):
        write_jpeg(root / "Trips" / f"t{i}.jpg", i)
    write_jpeg(root / "Pets" / "cat.jpg", 4)
    for i in range(5, 9):
        write_jpeg(root / "Private" / f"p{i}.jpg", i)


def test_excluding_a_synced_folder_is_not_a_deletion_and_including_it_again_resumes(emulator, root, sync_json, cli):
    library(root)
    sync_json(root)
    flickr_before, local_before = albums_by_sha(emulator), tree(root)

    emulator.reset_calls()
    summary = sync_json(root, "--delete", "--exclude", "Private/")
    assert summary["deleted"] == 0 and write_calls(emulator) == {}, "Private is out of the selection, not deleted"
    assert albums_by_sha(emulator) == flickr_before and tree(root) == local_before

    # while it is excluded, nothing in Private moves on either side, whatever happens there
    (root / "Private" / "p5.jpg").unlink()  # deleted here: not mirrored
    write_jpeg(root / "Private" / "p6.jpg", 60)  # edited here: not uploaded
    write_jpeg(root / "Private" / "new.jpg", 61)  # new here: not uploaded
    p7 = photo_with_sha(emulator, sha(jpeg(7)))["id"]
    emulator.reset_calls()
    summary = sync_json(root, "--delete", "--exclude", "Private/")
    assert write_calls(emulator) == {} and static_calls(emulator) == 0
    assert summary["deleted"] == summary["uploaded"] == summary["replaced"] == 0
    assert albums_by_sha(emulator) == flickr_before
    assert p7 in {p["id"] for p in emulator.state()["photos"]}

    report = status_json(cli, root, "--exclude", "Private/")
    assert report["out_of_selection"] == {"local": 4, "remote": 4}
    assert report["in_sync"] is True, report

    # the exclusion is lifted: Private syncs again, against what was synced before (no duplicate)
    summary = sync_json(root)
    assert summary["uploaded"] == 1 and summary["replaced"] == 1, summary  # new.jpg, p6.jpg
    assert len(emulator.state()["photos"]) == 9, "no photo uploaded twice"
    assert sorted(albums_by_sha(emulator)["Private"]) == sorted(
        [sha(jpeg(5)), sha(jpeg(60)), sha(jpeg(7)), sha(jpeg(8)), sha(jpeg(61))]
    ), "p5 deleted without --delete stays on Flickr"
    assert_converged(emulator, sync_json, root)


def test_a_second_computer_that_ignores_a_folder_neither_downloads_nor_deletes_it(emulator, tmp_path, sync_json, cli):
    laptop = tmp_path / "laptop"
    library(laptop)
    sync_json(laptop)
    flickr_private = albums_by_sha(emulator)["Private"]

    desktop = tmp_path / "desktop"
    desktop.mkdir()
    (desktop / ".pycsyncignore").write_text("# not on this machine\nPrivate/\n")
    sync_json(desktop)
    assert sorted(tree(desktop)) == [".pycsyncignore", "Pets/cat.jpg", "Trips/t1.jpg", "Trips/t2.jpg", "Trips/t3.jpg"]

    (desktop / "Trips" / "t1.jpg").unlink()
    emulator.reset_calls()
    summary = sync_json(desktop, "--delete")
    assert summary["deleted"] == 1
    assert albums_by_sha(emulator)["Private"] == flickr_private, "the ignored folder keeps every photo"
    assert "flickr.photos.delete" in write_calls(emulator)  # t1 itself: the only photo deleted
    assert len(emulator.state()["photos"]) == 7
    assert_converged(emulator, sync_json, desktop, "--delete")

    report = status_json(cli, desktop)
    assert report["out_of_selection"] == {"local": 0, "remote": 4}
    # the laptop, which syncs Private, sees nothing of this but t1's deletion
    sync_json(laptop, "--delete")
    assert sorted(tree(laptop)) == sorted(
        ["Pets/cat.jpg", "Trips/t2.jpg", "Trips/t3.jpg"] + [f"Private/p{i}.jpg" for i in range(5, 9)]
    )


def test_a_file_pattern_excludes_photos_only_on_flickr_and_files_only_here(emulator, root, sync_json, web, cli):
    write_jpeg(root / "A" / "keep.jpg", 1)
    make_png_bytes(root / "A" / "local.png", seed=2)
    web.upload(make_png_bytes(seed=3), "screenshot", "A", ext="png")  # only on Flickr
    web.upload(make_png_bytes(seed=4), "diagram.png", "B", ext="png")  # title with its extension
    web.upload(jpeg(5), "photo", "B")
    emulator.reset_calls()
    summary = sync_json(root, "--exclude", "*.png")
    assert summary["uploaded"] == 1 and summary["downloaded"] == 1, summary
    assert sorted(tree(root)) == ["A/keep.jpg", "A/local.png", "B/photo.jpg"]
    assert len(emulator.state()["photos"]) == 4, "local.png is not uploaded"
    report = status_json(cli, root, "--exclude", "*.png")
    assert report["out_of_selection"] == {"local": 1, "remote": 2} and report["in_sync"] is True
    assert_converged(emulator, sync_json, root, "--exclude", "*.png", "--delete")


def test_a_photo_also_in_an_excluded_album_is_only_taken_out_of_the_included_one(emulator, root, sync_json, web, cli):
    write_jpeg(root / "Trips" / "both.jpg", 1)
    write_jpeg(root / "Trips" / "other.jpg", 2)
    write_jpeg(root / "Trips" / "third.jpg", 3)
    sync_json(root)
    both = photo_with_sha(emulator, sha(jpeg(1)))["id"]
    web.add_to_album(both, "Private")  # on the website: the photo also goes into Private
    sync_json(root, "--exclude", "Private/")
    assert "Private" not in {p.split("/")[0] for p in tree(root)}

    (root / "Trips" / "both.jpg").unlink()
    emulator.reset_calls()
    summary = sync_json(root, "--delete", "--exclude", "Private/")
    assert summary["deleted"] == 1
    assert "flickr.photos.delete" not in write_calls(emulator), "the photo still shows in Private"
    assert albums_by_sha(emulator) == {"Trips": sorted([sha(jpeg(2)), sha(jpeg(3))]), "Private": [sha(jpeg(1))]}
    assert_converged(emulator, sync_json, root, "--delete", "--exclude", "Private/")


def test_an_edit_of_a_photo_also_in_an_excluded_album_does_not_replace_it_there(emulator, root, sync_json, web):
    write_jpeg(root / "Trips" / "both.jpg", 1)
    sync_json(root)
    both = photo_with_sha(emulator, sha(jpeg(1)))["id"]
    web.add_to_album(both, "Private")
    sync_json(root, "--exclude", "Private/")
    write_jpeg(root / "Trips" / "both.jpg", 2)
    emulator.reset_calls()
    sync_json(root, "--exclude", "Private/")
    assert "replace" not in write_calls(emulator)
    assert albums_by_sha(emulator) == {"Trips": [sha(jpeg(2))], "Private": [sha(jpeg(1))]}
    assert_converged(emulator, sync_json, root, "--exclude", "Private/")


def test_a_photo_moved_on_flickr_into_an_excluded_album_is_not_a_local_deletion(emulator, root, sync_json, web, cli):
    write_jpeg(root / "Trips" / "a.jpg", 1)
    write_jpeg(root / "Trips" / "b.jpg", 2)
    write_jpeg(root / "Trips" / "c.jpg", 3)
    sync_json(root)
    web.move(photo_with_sha(emulator, sha(jpeg(1)))["id"], "Trips", "Private")
    flickr_before = albums_by_sha(emulator)
    emulator.reset_calls()
    summary = sync_json(root, "--delete", "--exclude", "Private/")
    assert summary["deleted"] == 0 and (root / "Trips" / "a.jpg").read_bytes() == jpeg(1)
    assert write_calls(emulator) == {} and albums_by_sha(emulator) == flickr_before
    assert not (root / "Private").exists()
    assert [f["path"] for f in summary["unsynced_files"]] == ["Trips/a.jpg"]
    report = status_json(cli, root, "--delete", "--exclude", "Private/")
    assert report["in_sync"] is False and [u["path"] for u in report["unsynced"]] == ["Trips/a.jpg"]


def test_delete_guards_count_only_the_selection(emulator, root, sync_json, cli):
    for i in range(3):
        write_jpeg(root / "A" / f"{i}.jpg", i)
    for i in range(3, 11):
        write_jpeg(root / "Private" / f"{i}.jpg", i)
    sync_json(root)
    (root / "A" / "0.jpg").unlink()
    (root / "A" / "1.jpg").unlink()
    emulator.reset_calls()
    result = cli("sync", str(root), "--delete", "--exclude", "Private/")
    assert result.exit_code == 7, (result.exit_code, result.output)  # 2 of the 3 selected files
    assert "of 3 synced files" in result.stderr
    assert write_calls(emulator) == {} and len(emulator.state()["photos"]) == 11


def test_excluded_folders_get_no_album(emulator, root, sync_json, web):
    write_jpeg(root / "Trips" / "a.jpg", 1)
    write_jpeg(root / "Drafts" / "d.jpg", 2)
    (root / ".pycsync").mkdir()
    (root / ".pycsync" / "config.toml").write_text('exclude = ["Drafts/"]\n')
    sync_json(root)
    assert set(album_ids(emulator)) == {"Trips"}
    # a Drafts album made elsewhere is neither downloaded nor filled from here
    web.upload(jpeg(3), "elsewhere", "Drafts")
    emulator.reset_calls()
    sync_json(root)
    assert write_calls(emulator) == {} and static_calls(emulator) == 0
    assert albums_by_sha(emulator)["Drafts"] == [sha(jpeg(3))]
    assert sorted(tree(root)) == ["Drafts/d.jpg", "Trips/a.jpg"]


def test_flat_layout_excluded_subfolder_is_neither_fetched_again_nor_deleted(emulator, root, sync_json, cli):
    write_jpeg(root / "Trips" / "top.jpg", 1)
    write_jpeg(root / "Trips" / "2019" / "old.jpg", 2)
    write_jpeg(root / "Trips" / "2019" / "older.jpg", 3)
    sync_json(root, "--layout", "flat")
    assert albums_by_sha(emulator) == {"Trips": sorted(sha(jpeg(i)) for i in (1, 2, 3))}
    flat = ("--layout", "flat", "--exclude", "Trips/2019/")
    emulator.reset_calls()
    summary = sync_json(root, "--delete", *flat)
    assert summary["downloaded"] == summary["deleted"] == 0 and write_calls(emulator) == {}
    assert static_calls(emulator) == 0, "the album's excluded photos are not fetched into Trips/"
    assert sorted(tree(root)) == ["Trips/2019/old.jpg", "Trips/2019/older.jpg", "Trips/top.jpg"]
    # on a second computer, in the flat layout, a photo is in the selection when its would-be
    # path is: here 'old*.jpg' leaves only the album's top.jpg
    other = root.parent / "other"
    other.mkdir()
    rules = ("--layout", "flat", "--exclude", "*/2019/", "--exclude", "old*.jpg")
    sync_json(other, *rules)
    assert sorted(tree(other)) == ["Trips/top.jpg"]
    (other / "Trips" / "top.jpg").unlink()
    write_jpeg(other / "Trips" / "new.jpg", 4)
    sync_json(other, "--delete", "--max-delete", "100", *rules)
    assert albums_by_sha(emulator) == {"Trips": sorted(sha(jpeg(i)) for i in (2, 3, 4))}
    assert_converged(emulator, sync_json, other, "--delete", *rules)
    sync_json(root, "--delete", "--max-delete", "100", *flat)  # top.jpg: the one synced file in the selection
    assert sorted(tree(root)) == ["Trips/2019/old.jpg", "Trips/2019/older.jpg", "Trips/new.jpg"]
    assert_converged(emulator, sync_json, root, "--delete", *flat)


def test_an_album_renamed_on_flickr_into_or_out_of_the_excluded_part_moves_no_file(
    emulator, root, sync_json, flickr, web
):
    write_jpeg(root / "Trips" / "a.jpg", 1)
    write_jpeg(root / "Secret" / "s.jpg", 2)
    sync_json(root)
    rules = ("--exclude", "Secret/", "--exclude", "Hidden/")
    # Trips becomes Hidden: the album leaves the selection; its file here stays, reported
    flickr.edit_album_meta(album_ids(emulator)["Trips"], "Hidden")
    web.upload(jpeg(3), "new", "Hidden")
    emulator.reset_calls()
    summary = sync_json(root, *rules)
    assert write_calls(emulator) == {} and static_calls(emulator) == 0
    assert sorted(tree(root)) == ["Secret/s.jpg", "Trips/a.jpg"], "nothing moved, nothing fetched"
    assert [u["path"] for u in summary["unsynced_files"]] == ["Trips/a.jpg"]
    assert "outside the selection" in summary["unsynced_files"][0]["reason"]
    # Secret becomes Open: the album comes into the selection; Secret/ here is left alone
    flickr.edit_album_meta(album_ids(emulator)["Secret"], "Open")
    emulator.reset_calls()
    summary = sync_json(root, *rules)
    assert write_calls(emulator) == {} and summary["downloaded"] == 1
    assert sorted(tree(root)) == ["Open/s.jpg", "Secret/s.jpg", "Trips/a.jpg"]
    assert_converged(emulator, sync_json, root, *rules)


def test_an_album_renamed_on_flickr_moves_its_files_but_not_the_excluded_ones(emulator, root, sync_json, flickr):
    write_jpeg(root / "Trips" / "a.jpg", 1)
    make_png_bytes(root / "Trips" / "shot.png", seed=2)
    (root / "Trips" / "notes.txt").write_text("not a photo: it is no part of the selection either way")
    sync_json(root, "--exclude", "*.png")
    flickr.edit_album_meta(album_ids(emulator)["Trips"], "Trips 2019")
    sync_json(root, "--exclude", "*.png")
    assert sorted(tree(root)) == ["Trips 2019/a.jpg", "Trips/notes.txt", "Trips/shot.png"]
    assert_converged(emulator, sync_json, root, "--exclude", "*.png")


def test_a_rename_on_another_computer_into_the_excluded_part_is_reported_not_followed(emulator, tmp_path, sync_json):
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    write_jpeg(laptop / "A" / "x.jpg", 1)
    sync_json(laptop)
    desktop.mkdir()
    sync_json(desktop)
    (desktop / "A" / "x.jpg").rename(desktop / "A" / "secret x.jpg")
    sync_json(desktop)
    summary = sync_json(laptop, "--exclude", "secret*")
    assert sorted(tree(laptop)) == ["A/x.jpg"]
    assert [u["path"] for u in summary["unsynced_files"]] == ["A/x.jpg"]
    sync_json(laptop)  # without the rule, the rename is followed
    assert sorted(tree(laptop)) == ["A/secret x.jpg"]
