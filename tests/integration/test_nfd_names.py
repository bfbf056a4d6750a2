"""macOS-style (NFD) names on a filesystem that keeps them apart from NFC (issue 9, item 5).

Names are compared in one normal form (keys are NFC), but every write goes to the path as it is
spelled on disk: a folder spelled decomposed gets the downloads, moves, conflict copies and
renames that belong in it, and never a composed look-alike beside it.
"""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import pytest

from tests.support.calls import static_calls, write_calls
from tests.support.convergence import assert_converged
from tests.support.files import sha, trash, tree, write_jpeg
from tests.support.media import jpeg
from tests.support.remote import album_ids, photo_with_sha


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


CREME, ETE, CAFE = nfd("Crème"), nfd("Été"), nfd("café.jpg")


@pytest.fixture(autouse=True)
def _names_kept_apart(tmp_path):
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / nfd("é")).touch()
    if (probe / unicodedata.normalize("NFC", "é")).exists():
        pytest.skip("this filesystem normalises names (macOS): NFD and NFC are one name here")


def entries(folder: Path) -> list[str]:
    """The names in a folder exactly as spelled on disk (pycsync's own folder left out)."""
    return sorted(n for n in os.listdir(folder) if n != ".pycsync")


def synced_nfd_library(root: Path, sync_json) -> None:
    write_jpeg(root / CREME / CAFE, 1)
    write_jpeg(root / CREME / "b.jpg", 2)
    write_jpeg(root / ETE / CREME / "c.jpg", 3)  # an album inside a decomposed parent
    write_jpeg(root / "A" / "x.jpg", 4)
    sync_json(root)


def test_downloads_go_into_the_folder_as_spelled_on_disk(emulator, root, sync_json, web, cli):
    synced_nfd_library(root, sync_json)
    assert sorted(album_ids(emulator)) == ["A", "Crème", "Été/Crème"]  # titles are composed
    web.upload(jpeg(9), "new on flickr", "Crème")
    web.upload(jpeg(8), "deeper", "Été/Crème")
    emulator.reset_calls()
    summary = sync_json(root)
    assert summary["downloaded"] == 2 and summary["failed"] == 0, summary["failures"]
    assert entries(root) == sorted(["A", CREME, ETE]), "a composed look-alike folder appeared"
    assert entries(root / CREME) == sorted(["b.jpg", CAFE, "new on flickr.jpg"])
    assert entries(root / ETE) == [CREME]
    assert entries(root / ETE / CREME) == ["c.jpg", "deeper.jpg"]
    status = json.loads(cli("status", str(root), "--json").stdout)
    assert status["in_sync"] and status["skipped"] == [], status
    assert_converged(emulator, sync_json, root)


def test_moves_replacements_conflicts_and_trash_in_a_decomposed_folder(emulator, root, sync_json, web):
    synced_nfd_library(root, sync_json)
    # moved on Flickr from A into Crème: the file moves into the decomposed folder
    web.move(photo_with_sha(emulator, sha(jpeg(4)))["id"], "A", "Crème")
    # replaced on Flickr: the new version goes over the decomposed file name
    web.replace(photo_with_sha(emulator, sha(jpeg(1)))["id"], jpeg(11))
    # edited on both sides: the conflict copy is kept beside it
    pid = photo_with_sha(emulator, sha(jpeg(2)))["id"]
    web.replace(pid, jpeg(12))
    (root / CREME / "b.jpg").write_bytes(jpeg(22))
    emulator.reset_calls()
    summary = sync_json(root)
    assert summary["failed"] == 0, summary["failures"]
    assert entries(root) == sorted(["A", CREME, ETE])  # (A is empty now)
    files = entries(root / CREME)
    assert CAFE in files and "x.jpg" in files and "b.jpg" in files
    assert [f for f in files if f.startswith("b (conflict")], files
    assert (root / CREME / CAFE).read_bytes() == jpeg(11)
    assert (root / CREME / "b.jpg").read_bytes() == jpeg(12)
    assert_converged(emulator, sync_json, root)
    # deleted on Flickr, with --delete: the decomposed file goes to the trash
    web.delete(photo_with_sha(emulator, sha(jpeg(11)))["id"])
    sync_json(root, "--delete")
    assert CAFE not in entries(root / CREME)
    assert list(trash(root).values()) == [jpeg(11)]
    assert entries(root) == sorted(["A", CREME, ETE])
    assert_converged(emulator, sync_json, root, "--delete")


def test_an_album_renamed_on_flickr_and_a_rename_from_another_computer_reach_decomposed_names(
    emulator, root, tmp_path, sync_json, flickr
):
    synced_nfd_library(root, sync_json)
    other = tmp_path / "other"
    other.mkdir()
    sync_json(other)  # (this one has composed names: it made the folders itself)
    (other / "Crème" / "café.jpg").rename(other / "Crème" / "crêpe.jpg")
    sync_json(other)
    flickr.edit_album_meta(album_ids(emulator)["Été/Crème"], "Été/Crème brûlée")
    emulator.reset_calls()
    summary = sync_json(root)
    assert summary["failed"] == 0, summary["failures"]
    assert write_calls(emulator) == {} and static_calls(emulator) == 0
    assert entries(root) == sorted(["A", CREME, ETE])
    assert entries(root / CREME) == sorted(["b.jpg", "crêpe.jpg"])
    assert entries(root / ETE) == ["Crème brûlée"]  # (the new folder is pycsync's: composed)
    assert_converged(emulator, sync_json, root)
    sync_json(other)
    assert composed(tree(root)) == composed(tree(other))


def composed(files: dict[str, bytes]) -> dict[str, bytes]:
    return {unicodedata.normalize("NFC", k): v for k, v in files.items()}


def test_an_album_renamed_on_flickr_takes_its_decomposed_folder_along_with_what_lands_there(
    emulator, root, sync_json, flickr, web
):
    """The folder is renamed whole (its files keep their own spelling), and what the same run
    writes into it afterwards -- a photo replaced on Flickr, a new one -- lands in the new
    folder."""
    synced_nfd_library(root, sync_json)
    flickr.edit_album_meta(album_ids(emulator)["Crème"], "Crème fraîche")
    web.replace(photo_with_sha(emulator, sha(jpeg(2)))["id"], jpeg(7))
    web.upload(jpeg(9), "new", "Crème fraîche")
    summary = sync_json(root)
    assert (summary["failed"], summary["downloaded"], summary["moved"]) == (0, 1, 2), summary["failures"]
    assert entries(root) == sorted(["A", "Crème fraîche", ETE])
    assert entries(root / "Crème fraîche") == sorted([CAFE, "b.jpg", "new.jpg"])
    assert tree(root)["Crème fraîche/b.jpg"] == jpeg(7)
    assert_converged(emulator, sync_json, root)
