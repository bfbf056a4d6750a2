"""Folder <-> album mapping in the nested (default) and flat layouts."""

from __future__ import annotations

from tests.support.calls import write_calls
from tests.support.convergence import assert_converged
from tests.support.files import sha, tree, write_jpeg
from tests.support.media import jpeg
from tests.support.remote import album_ids, albums_by_sha, albums_by_title


def test_nested_layout_every_folder_is_an_album_titled_with_its_path(emulator, root, tmp_path, sync_json):
    files = {
        "2019/Paris/a.jpg": 1,
        "2019/Paris/b.jpg": 2,
        "2019/c.jpg": 3,
        "2019/Alps/Day 1/d.jpg": 4,
        "top.jpg": 5,
    }
    for key, seed in files.items():
        write_jpeg(root / key, seed)
    sync_json(root)
    assert albums_by_title(emulator) == {
        "2019/Paris": ["a", "b"],
        "2019": ["c"],
        "2019/Alps/Day 1": ["d"],
        "": ["top"],
    }
    assert_converged(emulator, sync_json, root)
    other = tmp_path / "copy"
    other.mkdir()
    sync_json(other)
    assert tree(other) == tree(root)
    assert_converged(emulator, sync_json, other)


def test_nested_layout_album_titles_with_slashes_become_subfolders(emulator, root, sync_json, web):
    web.upload(jpeg(1), "rome", "2020/Italy/Rome")
    web.upload(jpeg(2), "loose")
    sync_json(root)
    assert tree(root) == {"2020/Italy/Rome/rome.jpg": jpeg(1), "loose.jpg": jpeg(2)}
    # a new file next to it joins the same album, not a new one
    write_jpeg(root / "2020" / "Italy" / "Rome" / "more.jpg", 3)
    emulator.reset_calls()
    sync_json(root)
    assert "flickr.photosets.create" not in write_calls(emulator)
    assert albums_by_title(emulator) == {"2020/Italy/Rome": ["more", "rome"], "": ["loose"]}
    assert_converged(emulator, sync_json, root)


def test_flat_layout_only_top_level_folders_are_albums(emulator, root, tmp_path, sync_json):
    files = {"2019/Paris/a.jpg": 1, "2019/Paris/b.jpg": 2, "2019/c.jpg": 3, "Trips/x/y/d.jpg": 4, "top.jpg": 5}
    for key, seed in files.items():
        write_jpeg(root / key, seed)
    sync_json(root, "--layout", "flat")
    assert albums_by_title(emulator) == {"2019": ["a", "b", "c"], "Trips": ["d"], "": ["top"]}
    assert_converged(emulator, sync_json, root, "--layout", "flat")
    # a move between subfolders of one album changes nothing on Flickr
    (root / "2019" / "Paris" / "a.jpg").rename(root / "2019" / "a.jpg")
    emulator.reset_calls()
    sync_json(root, "--layout", "flat")
    assert write_calls(emulator) == {}
    assert_converged(emulator, sync_json, root, "--layout", "flat")
    # downloaded into an empty folder, every album is one folder
    other = tmp_path / "copy"
    other.mkdir()
    sync_json(other, "--layout", "flat")
    assert tree(other) == {
        "2019/a.jpg": jpeg(1),
        "2019/b.jpg": jpeg(2),
        "2019/c.jpg": jpeg(3),
        "Trips/d.jpg": jpeg(4),
        "top.jpg": jpeg(5),
    }
    assert_converged(emulator, sync_json, other, "--layout", "flat")


def test_flat_layout_album_titles_with_slashes_stay_one_folder(emulator, root, sync_json, web):
    web.upload(jpeg(1), "rome", "2020/Italy")
    sync_json(root, "--layout", "flat")
    assert tree(root) == {"2020_Italy/rome.jpg": jpeg(1)}
    write_jpeg(root / "2020_Italy" / "more.jpg", 2)
    sync_json(root, "--layout", "flat")
    assert albums_by_sha(emulator) == {"2020/Italy": sorted([sha(jpeg(1)), sha(jpeg(2))])}
    assert_converged(emulator, sync_json, root, "--layout", "flat")


def test_flat_layout_move_between_albums_is_an_album_move(emulator, root, sync_json):
    write_jpeg(root / "A" / "sub" / "x.jpg", 1)
    write_jpeg(root / "A" / "y.jpg", 2)
    write_jpeg(root / "B" / "z.jpg", 3)
    sync_json(root, "--layout", "flat")
    (root / "A" / "sub" / "x.jpg").rename(root / "B" / "x.jpg")
    emulator.reset_calls()
    sync_json(root, "--layout", "flat")
    assert "upload" not in write_calls(emulator)
    assert albums_by_title(emulator) == {"A": ["y"], "B": ["x", "z"]}
    assert_converged(emulator, sync_json, root, "--layout", "flat")


def test_flat_layout_album_renamed_onto_an_existing_folder_moves_its_files_and_leaves_no_empty_folder(
    emulator, root, sync_json, flickr
):
    write_jpeg(root / "A" / "x.jpg", 1)
    write_jpeg(root / "A" / "sub" / "y.jpg", 2)  # album "A" too, in the flat layout
    sync_json(root, "--layout", "flat")
    (root / "B").mkdir()
    (root / "B" / "notes.txt").write_text("mine\n")  # the folder is there already: files move one by one
    flickr.edit_album_meta(album_ids(emulator)["A"], "B")
    summary = sync_json(root, "--layout", "flat")
    assert (summary["moved"], summary["failed"]) == (2, 0)
    assert sorted(tree(root)) == ["B/notes.txt", "B/sub/y.jpg", "B/x.jpg"]
    assert not (root / "A").exists(), "the emptied folder and its emptied subfolder are gone"
    assert_converged(emulator, sync_json, root, "--layout", "flat")
