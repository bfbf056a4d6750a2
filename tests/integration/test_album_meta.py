"""Album titles and descriptions both ways (issue 12): a folder's ``.pycsync.toml`` ``[album]``
table and the album on Flickr, with the real CLI against the emulator over HTTP, two computers
where it matters; every scenario ends converged, every count of calls exact."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from pycsync.flickr import Album, FlickrClient
from tests.support.calls import NO_CHANGE, write_calls
from tests.support.convergence import assert_converged
from tests.support.files import write_jpeg

SETTINGS = ".pycsync.toml"


def albums(flickr: FlickrClient) -> dict[str, Album]:
    """album title -> the album as photosets.getList gives it."""
    return {a.title: a for a in flickr.list_albums()}


def album_table(folder: Path) -> dict:
    return tomllib.loads((folder / SETTINGS).read_text(encoding="utf-8")).get("album", {})


def calls(emulator) -> dict[str, int]:
    return {m: n for m, n in emulator.calls().items() if n}


@pytest.fixture
def paris(root: Path, sync_json) -> Path:
    """A folder of two photos, synced: the album "Paris"."""
    write_jpeg(root / "Paris" / "a.jpg", 1)
    write_jpeg(root / "Paris" / "b.jpg", 2)
    sync_json(root)
    return root / "Paris"


def test_a_description_written_here_reaches_the_album_in_one_call(emulator, root, paris, sync_json, flickr):
    (paris / SETTINGS).write_text('# my trip\nprivacy = "private"\n\n[album]\ndescription = "A week in May"\n')
    emulator.reset_calls()
    summary = sync_json(root)
    assert calls(emulator) == {**NO_CHANGE, "flickr.photosets.editMeta": 1}
    assert summary["metadata"] == 1
    assert summary["by_album"]["Paris"] == {"metadata": 1}
    album = albums(flickr)["Paris"]
    assert album.description == "A week in May"
    summary = assert_converged(emulator, sync_json, root)
    assert calls(emulator) == NO_CHANGE  # (the run's own editMeta is recognised: the album is not read again)


def test_a_description_written_on_flickr_lands_in_the_folders_file_keeping_the_rest(
    emulator, root, paris, sync_json, flickr
):
    text = '# who sees these\nprivacy = "private"  # family only later\n\n[album]\n# shown on Flickr\n'
    (paris / SETTINGS).write_text(text)
    sync_json(root)
    flickr.edit_album_meta(albums(flickr)["Paris"].album_id, "Paris", "Written on the website\nover two lines")
    emulator.reset_calls()
    summary = sync_json(root)
    # no write on Flickr; the album changed on Flickr, so its members are read again (one page)
    assert calls(emulator) == {**NO_CHANGE, "flickr.photosets.getPhotos": 1}
    assert summary["metadata"] == 1
    written = (paris / SETTINGS).read_text()
    assert written.startswith(text), written  # comments, order and the other settings as they were
    assert album_table(paris) == {"description": "Written on the website\nover two lines"}
    assert tomllib.loads(written)["privacy"] == "private"
    assert_converged(emulator, sync_json, root)


def test_a_folder_with_no_settings_file_gets_one_for_its_albums_description(emulator, root, paris, sync_json, flickr):
    flickr.edit_album_meta(albums(flickr)["Paris"].album_id, "Paris", "From the website")
    sync_json(root)
    assert (paris / SETTINGS).read_text() == '[album]\ndescription = "From the website"\n'
    assert_converged(emulator, sync_json, root)


def test_a_second_computer_gets_the_albums_title_and_description(emulator, root, sync_json, flickr, tmp_path):
    write_jpeg(root / "2019" / "Paris" / "a.jpg", 1)
    (root / "2019" / "Paris" / SETTINGS).write_text('[album]\ntitle = "Paris: the rainy week"\ndescription = "May"\n')
    emulator.reset_calls()
    sync_json(root)
    # a new album takes both in its photosets.create: no editMeta
    assert write_calls(emulator) == {"upload": 1, "flickr.photosets.create": 1}
    assert albums(flickr)["Paris: the rainy week"].description == "May"
    laptop = tmp_path / "laptop"
    laptop.mkdir()
    summary = sync_json(laptop)
    assert summary["downloaded"] == 1
    # here the folder is named after the title (as far as a folder name can hold it): its file
    # holds the description only, and a rename on Flickr renames the folder
    assert album_table(laptop / "Paris_ the rainy week") == {"description": "May"}
    assert_converged(emulator, sync_json, laptop)
    assert_converged(emulator, sync_json, root)


def test_a_title_of_its_own_keeps_the_folders_name_and_follows_a_rename_on_flickr(
    emulator, root, paris, sync_json, flickr
):
    (paris / SETTINGS).write_text('[album]\ntitle = "Paris, the rainy week"  # not a folder name\n')
    emulator.reset_calls()
    sync_json(root)
    assert write_calls(emulator) == {"flickr.photosets.editMeta": 1}
    album = albums(flickr)["Paris, the rainy week"]
    assert album.description == ""
    assert_converged(emulator, sync_json, root)
    assert sorted(p.name for p in root.iterdir() if not p.name.startswith(".")) == ["Paris"]  # not renamed
    flickr.edit_album_meta(album.album_id, "Paris in May", "")
    emulator.reset_calls()
    summary = sync_json(root)
    assert write_calls(emulator) == {} and summary["moved"] == 0
    assert (paris / SETTINGS).read_text() == '[album]\ntitle = "Paris in May"  # not a folder name\n'
    assert_converged(emulator, sync_json, root)
    # the title taken out of the file: the album is titled after its folder again
    (paris / SETTINGS).write_text("[album]\n")
    sync_json(root)
    assert "Paris" in albums(flickr)
    assert_converged(emulator, sync_json, root)


def test_an_album_without_a_title_of_its_own_still_renames_its_folder(emulator, root, paris, sync_json, flickr):
    flickr.edit_album_meta(albums(flickr)["Paris"].album_id, "Lyon", "")
    emulator.reset_calls()
    summary = sync_json(root)
    assert write_calls(emulator) == {} and summary["moved"] == 2
    assert sorted(p.name for p in (root / "Lyon").iterdir()) == ["a.jpg", "b.jpg"]  # no settings file
    assert_converged(emulator, sync_json, root)


def test_a_folder_renamed_after_its_album_takes_its_settings_file_along(emulator, root, paris, sync_json, flickr):
    (paris / SETTINGS).write_text('[album]\ndescription = "A week in May"\n')
    sync_json(root)
    flickr.edit_album_meta(albums(flickr)["Paris"].album_id, "Lyon", "A week in May")
    emulator.reset_calls()
    summary = sync_json(root)
    assert write_calls(emulator) == {} and summary["moved"] == 2 and summary["failed"] == 0
    assert album_table(root / "Lyon") == {"description": "A week in May"} and not paris.exists()
    assert_converged(emulator, sync_json, root)


def test_changed_on_both_sides_the_folder_wins_and_the_conflict_is_reported(emulator, root, paris, sync_json, flickr):
    (paris / SETTINGS).write_text('[album]\ndescription = "first"\n')
    sync_json(root)
    (paris / SETTINGS).write_text('[album]\ndescription = "mine"\n')
    flickr.edit_album_meta(albums(flickr)["Paris"].album_id, "Paris", "theirs")
    emulator.reset_calls()
    summary = sync_json(root, expect=0)
    assert write_calls(emulator) == {"flickr.photosets.editMeta": 1}
    assert albums(flickr)["Paris"].description == "mine"
    assert summary["metadata_conflict_fields"] == [
        {"path": f"Paris/{SETTINGS}", "field": "description", "here": "mine", "flickr": "theirs"}
    ]
    assert_converged(emulator, sync_json, root)


def test_no_metadata_leaves_album_titles_and_descriptions_alone(emulator, root, paris, sync_json, flickr):
    (paris / SETTINGS).write_text('[album]\ndescription = "mine"\n')
    flickr.edit_album_meta(albums(flickr)["Paris"].album_id, "Paris", "")
    emulator.reset_calls()
    sync_json(root, "--no-metadata")
    assert write_calls(emulator) == {}
    assert albums(flickr)["Paris"].description == ""
    assert album_table(paris) == {"description": "mine"}


def test_a_push_writes_only_on_flickr_and_a_pull_only_here(emulator, root, paris, sync_json, flickr):
    (paris / SETTINGS).write_text('[album]\ndescription = "mine"\n')
    emulator.reset_calls()
    sync_json(root, "--pull")
    assert write_calls(emulator) == {}
    sync_json(root, "--push")
    assert albums(flickr)["Paris"].description == "mine"
    flickr.edit_album_meta(albums(flickr)["Paris"].album_id, "Paris", "theirs")
    sync_json(root, "--push")
    assert album_table(paris) == {"description": "mine"}
    sync_json(root, "--pull")
    assert album_table(paris) == {"description": "theirs"}
    assert_converged(emulator, sync_json, root)


def test_status_and_dry_run_show_album_changes_and_change_nothing(emulator, root, paris, sync_json, flickr, cli):
    (paris / SETTINGS).write_text('[album]\ndescription = "mine"\n')
    emulator.reset_calls()
    report = json.loads(cli("status", str(root), "--json").stdout)
    assert report["albums"]["Paris"]["metadata"] == [f"Paris/{SETTINGS}"]
    assert report["metadata"] == [{"path": f"Paris/{SETTINGS}", "to_flickr": ["description"], "to_folder": []}]
    dry = cli("sync", str(root), "--dry-run")
    assert f"would sync metadata Paris/{SETTINGS} (on Flickr: description)" in dry.stdout
    assert write_calls(emulator) == {} and albums(flickr)["Paris"].description == ""
