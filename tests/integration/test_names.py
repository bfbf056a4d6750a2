"""Names from Flickr: colliding titles get distinct stable names, unsafe titles stay inside the root."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.calls import write_calls
from tests.support.convergence import assert_converged
from tests.support.files import sha, tree, write_jpeg
from tests.support.media import jpeg
from tests.support.remote import album_ids, albums_by_sha, photo_with_sha


def fresh(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.mkdir()
    return path


def casefold_distinct(keys) -> bool:
    return len({k.casefold() for k in keys}) == len(list(keys))


def test_two_photos_with_one_title_in_one_album_get_two_stable_names(emulator, root, tmp_path, sync_json, web):
    first = web.upload(jpeg(1), "same", "A")
    second = web.upload(jpeg(2), "same", "A")
    sync_json(root)
    files = tree(root)
    assert sorted(files.values()) == sorted([jpeg(1), jpeg(2)])
    assert files["A/same.jpg"] == jpeg(1), "the older photo keeps the plain name"
    assert files[f"A/same ({second}).jpg"] == jpeg(2), "the other one carries its photo id"
    assert first != second
    assert_converged(emulator, sync_json, root)
    # another copy gets exactly the same names
    other = fresh(tmp_path, "copy")
    sync_json(other)
    assert tree(other) == files
    # a third photo with the same title does not rename the existing files
    third = web.upload(jpeg(3), "same", "A")
    sync_json(root)
    assert tree(root) == {**files, f"A/same ({third}).jpg": jpeg(3)}
    assert_converged(emulator, sync_json, root)


def test_titles_differing_only_in_case_get_distinct_names_on_any_filesystem(emulator, root, sync_json, web):
    web.upload(jpeg(1), "Beach", "Trip")
    web.upload(jpeg(2), "beach", "Trip")
    web.upload(jpeg(3), "BEACH", "trip")  # album titles too
    sync_json(root)
    files = tree(root)
    assert sorted(files.values()) == sorted([jpeg(1), jpeg(2), jpeg(3)])
    assert casefold_distinct(files)
    assert casefold_distinct({k.rsplit("/", 1)[0] for k in files}), "two folders differing only in case"
    assert_converged(emulator, sync_json, root)


def test_local_names_differing_only_in_case_keep_one_and_report_the_other(emulator, root, tmp_path, sync_json, cli):
    # two files a case-insensitive disk could not hold side by side: the first is synced, the
    # other is reported as skipped (never silently lost, never uploaded under a clashing name)
    write_jpeg(root / "A" / "IMG.jpg", 1)
    write_jpeg(root / "A" / "img.jpg", 2)
    result = cli("sync", str(root))
    assert result.exit_code == 0, result.output
    assert "A/img.jpg" in result.stdout and "letter case" in result.stdout
    assert albums_by_sha(emulator) == {"A": [sha(jpeg(1))]}
    assert tree(root) == {"A/IMG.jpg": jpeg(1), "A/img.jpg": jpeg(2)}
    assert_converged(emulator, sync_json, root)
    other = fresh(tmp_path, "copy")
    sync_json(other)
    assert tree(other) == {"A/IMG.jpg": jpeg(1)}
    assert_converged(emulator, sync_json, other)


UNSAFE_ALBUMS = ["../../x", "/etc", "CON", "a/../../b", "..", ".hidden", "C:\\Windows\\x", "nul.txt", "trailing. "]
UNSAFE_PHOTOS = ["../../escape", "/etc/passwd", "CON", "", "   ", "..", ".bashrc", "a\\b", "x:y?z*"]
UNSAFE_ALBUMS += ["CONIN$"]  # Windows' console devices, and COM0 from its newer list
UNSAFE_PHOTOS += ["conout$.log", "COM0"]
WINDOWS_DEVICES = ("CON", "NUL", "CONIN$", "CONOUT$", "COM0")


def test_unsafe_titles_stay_inside_the_root(emulator, tmp_path, sync_json, web):
    # the root four folders below this test's own, so that every folder up to four levels above
    # it is this test's alone (other pytest runs come and go beside tmp_path)
    root = tmp_path / "up" / "a" / "b" / "photos"
    root.mkdir(parents=True)
    for i, title in enumerate(UNSAFE_ALBUMS):
        web.upload(jpeg(i), f"in album {i}", title)
    for i, title in enumerate(UNSAFE_PHOTOS, start=50):
        pid = web.upload(jpeg(i), "placeholder", "photos")
        web.retitle(pid, title)
    # titles Flickr's API refuses today but older albums (or other services) may carry
    for i, title in enumerate(["", "   ", "\t"], start=100):
        web.upload(jpeg(i), f"odd album {i}", f"placeholder {i}")
        emulator.store.x("UPDATE sets SET title=? WHERE id=?", (title, album_ids(emulator)[f"placeholder {i}"]))

    def around():  # what sits next to the root and in the folders above it
        return {d: sorted(p.name for p in d.iterdir()) for d in root.parents if d.is_relative_to(tmp_path)}

    outside_before = around()

    summary = sync_json(root)
    n = len(emulator.state()["photos"])
    assert summary["downloaded"] == n and summary["failed"] == 0
    # nothing was written next to the root or anywhere above it
    assert outside_before == {
        tmp_path: ["up", "web"],
        tmp_path / "up": ["a"],
        root.parent.parent: ["b"],
        root.parent: ["photos"],
    }
    assert around() == outside_before
    assert not Path("/etc/passwd.jpg").exists()
    files = tree(root)
    assert sorted(files.values()) == sorted(p_bytes for p_bytes in (jpeg(i) for i in _seeds()))
    for key in files:
        parts = key.split("/")
        assert all(p not in ("", ".", "..") and not p.startswith(".") for p in parts), key
        assert all(p.split(".")[0].rstrip().upper() not in WINDOWS_DEVICES for p in parts), key
        assert not any(c in key for c in '\\:*?"<>|'), key
        assert os.path.realpath(root / key).startswith(str(root.resolve()) + os.sep)
    assert_converged(emulator, sync_json, root)

    # a file added to a folder made from an unsafe title joins that album, not a new one
    folder = root / photo_folder(files, jpeg(2))  # the album "CON"
    write_jpeg(folder / "added.jpg", 200)
    emulator.reset_calls()
    sync_json(root)
    assert "flickr.photosets.create" not in write_calls(emulator)
    assert sha(jpeg(200)) in albums_by_sha(emulator)["CON"]
    assert photo_with_sha(emulator, sha(jpeg(200)))["title"] == "added"
    assert_converged(emulator, sync_json, root)


def _seeds():
    return [*range(len(UNSAFE_ALBUMS)), *range(50, 50 + len(UNSAFE_PHOTOS)), 100, 101, 102]


def photo_folder(files: dict[str, bytes], data: bytes) -> str:
    (key,) = [k for k, v in files.items() if v == data]
    return key.rsplit("/", 1)[0]


def test_decomposed_unicode_names_round_trip_and_converge(emulator, root, tmp_path, sync_json):
    # macOS spells names decomposed (NFD); Flickr and other systems see the composed form
    import unicodedata

    write_jpeg(root / unicodedata.normalize("NFD", "Été") / unicodedata.normalize("NFD", "café.jpg"), 1)
    assert sync_json(root)["uploaded"] == 1
    assert albums_by_sha(emulator) == {"Été": [sha(jpeg(1))]}
    assert photo_with_sha(emulator, sha(jpeg(1)))["title"] == "café"
    assert_converged(emulator, sync_json, root)
    other = fresh(tmp_path, "copy")
    sync_json(other)
    assert tree(other) == {"Été/café.jpg": jpeg(1)}
    assert_converged(emulator, sync_json, other)
