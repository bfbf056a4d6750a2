"""Metadata both ways (issue 12), with the real CLI against the emulator over HTTP: real photos
carrying real embedded metadata and real XMP sidecars (made and read back with exiv2), uploads,
a second computer, edits on each side and on both, renames and deletions carrying their
sidecars, conflicts, --no-metadata; every scenario ends converged."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from pycsync.flickr import Credentials, Endpoints, FlickrClient
from tests.support.calls import static_calls, write_calls
from tests.support.convergence import assert_converged
from tests.support.files import trash, tree
from tests.support.media import jpeg, make_mp4_with_header
from tests.support.photos import photo, read_xmp, sidecar

LOGIN_AND_LIST = {"flickr.test.login", "flickr.auth.oauth.checkToken"}


def flickr_meta(flickr: FlickrClient, photo_id: str) -> dict:
    """What Flickr holds of a photo's metadata (its own getInfo answer)."""
    info = flickr.photo_info(photo_id)
    return {
        "title": info.title,
        "description": info.description,
        "tags": sorted(t.raw for t in info.tags if not t.machine),
        "taken": info.date_taken,
        "granularity": info.taken_granularity,
        "location": (info.latitude, info.longitude, info.accuracy) if info.latitude is not None else None,
    }


def ids_by_title(emulator) -> dict[str, str]:
    return {p["title"]: p["id"] for p in emulator.state()["photos"]}


def rest_writes(emulator) -> dict[str, int]:
    return {m: n for m, n in write_calls(emulator).items() if m not in ("upload", "replace")}


@pytest.fixture
def library(root: Path) -> Path:
    """A folder as a photographer's editor leaves it: metadata in the files and in sidecars."""
    photo(
        root / "Paris" / "IMG_1.jpg",
        1,
        title="Eiffel at night",
        description="From the Trocadéro",
        keywords=["paris", "New York"],
        taken="2019:05:04 21:14:15",
        gps=(48.862, 2.2875),
    )
    photo(root / "Paris" / "IMG_2.jpg", 2, taken="2019:05:05 10:00:00")
    sidecar(  # digiKam's or darktable's sidecar: it wins over what the file says
        root / "Paris" / "IMG_2.jpg.xmp",
        Xmp_dc_title='lang="x-default" Louvre',
        Xmp_dc_subject=["museum", "Pyramid"],
        Xmp_exif_GPSLatitude="48,51.672N",
        Xmp_exif_GPSLongitude="2,20.139E",
        Xmp_xmp_Rating="3",
    )
    photo(root / "Paris" / "IMG_3.jpg", 3)  # no metadata at all
    return root


def test_uploads_carry_the_files_metadata_in_the_fewest_calls(emulator, library, sync_json, flickr):
    emulator.reset_calls()
    summary = sync_json(library)
    assert summary["uploaded"] == 3
    calls = emulator.calls()
    # title, description and keywords ride in the upload itself; Flickr reads IMG_1's date and
    # position from the file; IMG_2's position is only in its sidecar: one call, nothing else
    assert calls["upload"] == 3
    assert rest_writes(emulator) == {
        "flickr.photosets.create": 1,
        "flickr.photosets.editPhotos": 1,
        "flickr.photos.geo.setLocation": 1,
    }
    assert calls["flickr.people.getPhotos"] == 1  # the read after the uploads, which was there already
    ids = ids_by_title(emulator)
    assert flickr_meta(flickr, ids["Eiffel at night"]) == {
        "title": "Eiffel at night",
        "description": "From the Trocadéro",
        "tags": ["New York", "paris"],
        "taken": "2019-05-04 21:14:15",
        "granularity": 0,
        "location": (48.862, 2.2875, 16),
    }
    louvre = flickr_meta(flickr, ids["Louvre"])
    assert (louvre["tags"], louvre["taken"], louvre["location"]) == (
        ["Pyramid", "museum"],
        "2019-05-05 10:00:00",
        (48.8612, 2.33565, 16),
    )
    assert flickr_meta(flickr, ids["IMG_3"])["tags"] == []  # the file's name as title, as always
    assert_converged(emulator, sync_json, library)


def test_a_second_computer_gets_flickrs_metadata_in_sidecars(emulator, library, sync_json, flickr, tmp_path):
    sync_json(library)
    ids = ids_by_title(emulator)
    flickr.set_meta(ids["IMG_3"], title="Seine", description="Quai d'Orsay")
    flickr.add_tags(ids["IMG_3"], ["river", "Île de la Cité"])
    flickr.set_dates(ids["IMG_3"], date_taken="2019-05", date_taken_granularity=4)
    other = tmp_path / "laptop"
    other.mkdir()
    emulator.reset_calls()
    summary = sync_json(other)
    assert summary["downloaded"] == 3
    files = sorted(p.name for p in (other / "Paris").iterdir())
    # IMG_1 says all Flickr says itself: no sidecar; the others get one
    assert files == ["IMG_1.jpg", "IMG_2.jpg", "IMG_2.jpg.xmp", "IMG_3.jpg", "IMG_3.jpg.xmp"]
    seine = read_xmp(other / "Paris" / "IMG_3.jpg.xmp")  # what Lightroom or digiKam read
    assert seine["Xmp.dc.title"] == "Seine" and seine["Xmp.dc.description"] == "Quai d'Orsay"
    assert seine["Xmp.dc.subject"] == ["river", "Île de la Cité"]  # the spelling given on Flickr
    assert seine["Xmp.exif.DateTimeOriginal"] == "2019-05"
    louvre = read_xmp(other / "Paris" / "IMG_2.jpg.xmp")
    assert louvre["Xmp.dc.title"] == "Louvre" and louvre["Xmp.dc.subject"] == ["museum", "Pyramid"]
    assert louvre["Xmp.exif.GPSLatitude"].endswith("N") and louvre["Xmp.pycsync.GeoAccuracy"] == "16"
    assert rest_writes(emulator) == {}  # nothing is written on Flickr for it
    assert emulator.calls().get("flickr.tags.getListUserRaw") == 1  # the raw spellings, once
    assert_converged(emulator, sync_json, other)
    emulator.reset_calls()
    assert sync_json(library)["metadata"] == 1  # the first computer: Flickr's edit, in a new sidecar
    assert rest_writes(emulator) == {} and static_calls(emulator) == 0
    assert read_xmp(library / "Paris" / "IMG_3.jpg.xmp")["Xmp.dc.title"] == "Seine"
    assert_converged(emulator, sync_json, library)


def test_edits_on_flickr_reach_the_sidecar_and_nothing_is_downloaded(emulator, library, sync_json, flickr):
    sync_json(library)
    ids = ids_by_title(emulator)
    one = ids["Eiffel at night"]
    file_before = (library / "Paris" / "IMG_1.jpg").read_bytes()
    flickr.set_meta(one, title="Tour Eiffel", description="From the Trocadéro")
    flickr.add_tags(one, ["night"])
    tag_ids = {t.clean: t.tag_id for t in flickr.photo_info(one).tags}
    flickr.remove_tag(tag_ids["newyork"])
    flickr.set_location(one, 48.8584, 2.2945, 14)
    flickr.remove_location(ids["Louvre"])
    emulator.reset_calls()
    summary = sync_json(library)
    assert static_calls(emulator) == 0 and summary["downloaded"] == 0 and summary["metadata"] == 2
    assert rest_writes(emulator) == {}
    side = read_xmp(library / "Paris" / "IMG_1.jpg.xmp")
    assert side["Xmp.dc.title"] == "Tour Eiffel" and side["Xmp.dc.subject"] == ["paris", "night"]
    assert side["Xmp.pycsync.GeoAccuracy"] == "14"
    louvre = read_xmp(library / "Paris" / "IMG_2.jpg.xmp")
    assert "Xmp.exif.GPSLatitude" not in louvre and louvre["Xmp.xmp.Rating"] == "3"  # the rest kept
    assert (library / "Paris" / "IMG_1.jpg").read_bytes() == file_before  # the photo is never written
    assert_converged(emulator, sync_json, library)


def test_a_sidecar_edit_is_pushed_field_by_field(emulator, library, sync_json, flickr):
    sync_json(library)
    ids = ids_by_title(emulator)
    sidecar(
        library / "Paris" / "IMG_2.jpg.xmp",
        Xmp_dc_title='lang="x-default" Le Louvre',
        Xmp_dc_description='lang="x-default" Cour Napoléon',
        Xmp_dc_subject=["museum", "architecture"],  # -Pyramid +architecture
        Xmp_photoshop_DateCreated="2019-05-05T11:30:00",
        Xmp_exif_GPSLatitude="48,51.672N",
        Xmp_exif_GPSLongitude="2,20.139E",
    )
    emulator.reset_calls()
    summary = sync_json(library)
    assert summary["metadata"] == 1 and summary["uploaded"] == summary["replaced"] == 0
    assert write_calls(emulator) == {
        "flickr.photos.setMeta": 1,  # title and description together
        "flickr.photos.addTags": 1,
        "flickr.photos.removeTag": 1,
        "flickr.photos.setDates": 1,
    }
    assert emulator.calls()["flickr.photos.getInfo"] == 1  # the removed tag's id
    assert flickr_meta(flickr, ids["Louvre"]) == {
        "title": "Le Louvre",
        "description": "Cour Napoléon",
        "tags": ["architecture", "museum"],
        "taken": "2019-05-05 11:30:00",
        "granularity": 0,
        "location": (48.8612, 2.33565, 16),
    }
    assert_converged(emulator, sync_json, library)


def test_both_sides_at_once_merge_field_by_field_and_a_conflict_keeps_the_folders(emulator, library, sync_json, flickr):
    sync_json(library)
    ids = ids_by_title(emulator)
    louvre = ids["Louvre"]
    sidecar(
        library / "Paris" / "IMG_2.jpg.xmp",
        Xmp_dc_title='lang="x-default" Mine',
        Xmp_dc_subject=["museum", "Pyramid", "here"],
    )
    flickr.set_meta(louvre, title="Theirs", description="Only on Flickr")
    flickr.add_tags(louvre, ["there"])
    summary = sync_json(library)
    assert summary["metadata_conflicts"] == 1 and summary["albums"]["Paris"]["conflicts"] == 1
    assert summary["conflicts"] == 0  # (files in conflict: none)
    assert summary["metadata_conflict_fields"] == [
        {"path": "Paris/IMG_2.jpg", "field": "title", "here": "Mine", "flickr": "Theirs"}
    ]
    assert summary["uploaded"] == 0 and len(emulator.state()["photos"]) == 3  # never a fork
    got = flickr_meta(flickr, louvre)
    assert got["title"] == "Mine" and got["description"] == "Only on Flickr"
    assert got["tags"] == ["Pyramid", "here", "museum", "there"]
    side = read_xmp(library / "Paris" / "IMG_2.jpg.xmp")
    assert side["Xmp.dc.title"] == "Mine" and side["Xmp.dc.description"] == "Only on Flickr"
    assert side["Xmp.dc.subject"] == ["museum", "Pyramid", "here", "there"]
    assert_converged(emulator, sync_json, library)


def test_renames_moves_and_deletions_carry_their_sidecars(emulator, library, sync_json, flickr, tmp_path, cli):
    sync_json(library)
    other = tmp_path / "laptop"
    other.mkdir()
    sync_json(other)
    louvre = ids_by_title(emulator)["Louvre"]
    before = flickr_meta(flickr, louvre)
    # renamed here with its sidecar, as an editor renames: one rename on Flickr, no metadata call
    (library / "Paris" / "IMG_2.jpg").rename(library / "Paris" / "Louvre.jpg")
    (library / "Paris" / "IMG_2.jpg.xmp").rename(library / "Paris" / "Louvre.jpg.xmp")
    emulator.reset_calls()
    summary = sync_json(library)
    assert summary["moved"] == 1 and summary["metadata"] == 0
    assert not {"flickr.photos.setMeta", "flickr.photos.setDates"} & set(write_calls(emulator))
    assert flickr_meta(flickr, louvre) == before  # (the title is its own: not the file name's)
    assert_converged(emulator, sync_json, library)
    # the other computer renames its file, and the sidecar goes with it
    assert sync_json(other)["moved"] == 1
    assert sorted(p.name for p in (other / "Paris").iterdir()) == [
        "IMG_1.jpg",
        "IMG_3.jpg",
        "Louvre.jpg",
        "Louvre.jpg.xmp",
    ]
    assert read_xmp(other / "Paris" / "Louvre.jpg.xmp")["Xmp.dc.title"] == "Louvre"
    assert_converged(emulator, sync_json, other)
    # moved to another album on Flickr: the file and its sidecar move
    web_album = flickr.create_album("Museums", louvre)
    flickr.remove_from_album(next(a["id"] for a in emulator.state()["albums"] if a["title"] == "Paris"), [louvre])
    assert web_album
    assert sync_json(library)["moved"] == 1
    assert (library / "Museums" / "Louvre.jpg.xmp").exists() and not (library / "Paris" / "Louvre.jpg.xmp").exists()
    assert_converged(emulator, sync_json, library)
    # deleted on Flickr, with --delete: the file and its sidecar go to the trash together
    flickr.delete_photo(louvre)
    assert sync_json(library, "--delete")["deleted"] == 1
    assert sorted(trash(library)) == ["Museums/Louvre.jpg", "Museums/Louvre.jpg.xmp"]
    assert not (library / "Museums").exists() or not any((library / "Museums").iterdir())
    assert_converged(emulator, sync_json, library)


def test_a_content_conflict_keeps_each_version_with_its_own_metadata(emulator, library, sync_json, flickr, web):
    sync_json(library)
    eiffel = ids_by_title(emulator)["Eiffel at night"]
    # edited here (new pixels, and a caption in its sidecar) and replaced on Flickr meanwhile
    photo(library / "Paris" / "IMG_1.jpg", 11, title="Eiffel at night", taken="2019:05:04 21:14:15")
    sidecar(library / "Paris" / "IMG_1.jpg.xmp", Xmp_dc_description='lang="x-default" My edit')
    web.replace(eiffel, photo(library.parent / "web.jpg", 12))
    flickr.set_meta(eiffel, title="Eiffel at night", description="Their edit")
    summary = sync_json(library)
    assert summary["conflicts"] == 1 and summary["uploaded"] == 1
    names = sorted(p.name for p in (library / "Paris").iterdir())
    mine = next(n for n in names if "conflict" in n and n.endswith(".jpg"))
    assert mine + ".xmp" in names  # the sidecar went with the version it describes
    assert read_xmp(library / "Paris" / (mine + ".xmp"))["Xmp.dc.description"] == "My edit"
    assert read_xmp(library / "Paris" / "IMG_1.jpg.xmp")["Xmp.dc.description"] == "Their edit"
    copy = next(p for p in emulator.state()["photos"] if p["filename"] == mine)
    assert copy["description"] == "My edit"  # the copy's upload carried its own metadata
    assert flickr_meta(flickr, eiffel)["description"] == "Their edit"
    assert_converged(emulator, sync_json, library)


def test_an_edited_file_is_replaced_then_its_metadata_follows(emulator, library, sync_json, flickr):
    sync_json(library)
    pid = ids_by_title(emulator)["IMG_3"]
    photo(library / "Paris" / "IMG_3.jpg", 33, title="Notre-Dame", keywords=["cathedral"], taken="2019:05:06 08:00:00")
    emulator.reset_calls()
    summary = sync_json(library)
    assert summary["replaced"] == 1 and summary["metadata"] == 1
    got = flickr_meta(flickr, pid)
    assert (got["title"], got["tags"], got["taken"]) == ("Notre-Dame", ["cathedral"], "2019-05-06 08:00:00")
    assert not (library / "Paris" / "IMG_3.jpg.xmp").exists()  # the file says it all: no sidecar
    assert_converged(emulator, sync_json, library)


def test_no_metadata_syncs_pixels_only(emulator, library, sync_json, flickr, cli_env):
    summary = sync_json(library, "--no-metadata")
    ids = ids_by_title(emulator)
    assert set(ids) == {"IMG_1", "IMG_2", "IMG_3"}  # titled with the file name, as before
    assert flickr_meta(flickr, ids["IMG_2"])["tags"] == []  # the sidecar is not read
    assert summary["metadata"] == 0
    flickr.set_meta(ids["IMG_3"], title="IMG_3", description="on Flickr only")
    sidecar(library / "Paris" / "IMG_1.jpg.xmp", Xmp_dc_title='lang="x-default" Here only')
    before = tree(library)
    emulator.reset_calls()
    assert sync_json(library, "--no-metadata")["metadata"] == 0
    assert write_calls(emulator) == {} and tree(library) == before
    # the setting says it as well (config.toml: metadata = false)
    config = Path(cli_env["PYCSYNC_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text("metadata = false\n")
    assert sync_json(library)["metadata"] == 0 and write_calls(emulator) == {}
    (config / "config.toml").write_text("")
    # turned on again, the photos' metadata syncs as a first sync: nothing is lost on either side
    summary = sync_json(library)
    assert flickr_meta(flickr, ids["IMG_1"])["title"] == "Here only"
    assert read_xmp(library / "Paris" / "IMG_3.jpg.xmp")["Xmp.dc.description"] == "on Flickr only"
    assert flickr_meta(flickr, ids["IMG_2"])["tags"] == ["Pyramid", "museum"]
    assert_converged(emulator, sync_json, library)


def test_tags_someone_else_added_are_never_removed(emulator, library, sync_json, flickr):
    sync_json(library, "--privacy", "public")
    pid = ids_by_title(emulator)["IMG_3"]
    flickr.call(
        "flickr.photos.setPerms", write=True, photo_id=pid, is_public=1, is_friend=0, is_family=0, perm_addmeta=3
    )
    bob = emulator.add_user("bob")  # (with an access token of his own)
    creds = Credentials(emulator.api_key, emulator.api_secret, bob["oauth_token"], bob["oauth_token_secret"])
    with FlickrClient(Endpoints.for_base(emulator.endpoint), creds, calls_per_hour=None) as bobs:
        bobs.add_tags(pid, ["Bobs Tag"])
    assert sync_json(library)["metadata"] == 1
    side = library / "Paris" / "IMG_3.jpg.xmp"
    assert read_xmp(side)["Xmp.dc.subject"] == ["Bobs Tag"]
    sidecar(side, Xmp_dc_subject=["mine"])  # removed here (and one of the owner's added)
    emulator.reset_calls()
    sync_json(library)
    assert "flickr.photos.removeTag" not in write_calls(emulator)
    assert flickr_meta(flickr, pid)["tags"] == ["Bobs Tag", "mine"]  # bob's stays on Flickr
    assert read_xmp(side)["Xmp.dc.subject"] == ["mine"]  # and out of view here
    assert_converged(emulator, sync_json, library)


def test_a_first_sync_against_photos_already_on_flickr_loses_nothing(emulator, root, sync_json, flickr, web, tmp_path):
    """The folder was never synced; the same photos are on Flickr (uploaded by pycsync from
    another computer, then captioned, tagged and re-dated on the website)."""
    photo(root / "Rome" / "a.jpg", 1, keywords=["rome"], taken="2018:03:01 12:00:00")
    photo(root / "Rome" / "b.jpg", 2, title="Colosseum", taken="2018:03:02 12:00:00")
    first = tmp_path / "first"
    for name in ("a.jpg", "b.jpg"):
        (first / "Rome").mkdir(parents=True, exist_ok=True)
        (first / "Rome" / name).write_bytes((root / "Rome" / name).read_bytes())
    sync_json(first, "--no-metadata")
    ids = ids_by_title(emulator)
    flickr.set_meta(ids["a"], title="a", description="Trevi")
    flickr.add_tags(ids["a"], ["fountain"])
    flickr.set_dates(ids["b"], date_taken="2018-03-05 09:00:00")
    emulator.reset_calls()
    summary = sync_json(root)
    assert summary["linked"] == 2 and summary["uploaded"] == summary["downloaded"] == 0
    # values on one side only come to the other; values that differ are a reported conflict
    assert summary["metadata_conflict_fields"] == [
        {"path": "Rome/b.jpg", "field": "taken", "here": "2018-03-02 12:00:00", "flickr": "2018-03-05 09:00:00"}
    ]
    a, b = flickr_meta(flickr, ids["a"]), flickr_meta(flickr, ids["b"])
    assert (a["description"], a["tags"]) == ("Trevi", ["fountain", "rome"])
    assert (b["title"], b["taken"]) == ("Colosseum", "2018-03-02 12:00:00")
    side = read_xmp(root / "Rome" / "a.jpg.xmp")
    assert side["Xmp.dc.description"] == "Trevi" and side["Xmp.dc.subject"] == ["rome", "fountain"]
    assert_converged(emulator, sync_json, root)


def test_a_videos_date_is_set_where_flickr_cannot_read_it(emulator, root, sync_json, flickr):
    created = 1_556_975_655
    (root / "Clips").mkdir()
    (root / "Clips" / "walk.mp4").write_bytes(make_mp4_with_header(created_unix=created))
    emulator.reset_calls()
    sync_json(root)
    assert write_calls(emulator).get("flickr.photos.setDates") == 1
    pid = ids_by_title(emulator)["walk"]
    assert flickr_meta(flickr, pid)["taken"] == time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(created))
    assert_converged(emulator, sync_json, root)


def test_status_shows_metadata_changes_per_album_and_conflicts_with_both_values(
    emulator, library, sync_json, flickr, cli
):
    sync_json(library)
    ids = ids_by_title(emulator)
    flickr.set_meta(ids["Louvre"], title="Theirs", description="Theirs too")
    sidecar(
        library / "Paris" / "IMG_2.jpg.xmp",
        Xmp_dc_title='lang="x-default" Mine',
        Xmp_dc_subject=["museum", "Pyramid"],
        Xmp_exif_GPSLatitude="48,51.672N",
        Xmp_exif_GPSLongitude="2,20.139E",
    )
    flickr.add_tags(ids["IMG_3"], ["seine"])
    before, flickr_before = tree(library), emulator.state()
    result = cli("status", str(library), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert not report["in_sync"] and report["totals"]["metadata"] == 2
    assert report["albums"]["Paris"]["metadata"] == ["Paris/IMG_2.jpg", "Paris/IMG_3.jpg"]
    assert report["metadata"] == [
        {"path": "Paris/IMG_2.jpg", "to_flickr": ["title"], "to_folder": ["description"]},
        {"path": "Paris/IMG_3.jpg", "to_flickr": [], "to_folder": ["tags"]},
    ]
    assert report["metadata_conflicts"] == [
        {"path": "Paris/IMG_2.jpg", "field": "title", "here": "Mine", "flickr": "Theirs"}
    ]
    text = cli("status", str(library))
    assert "metadata changed" in text.stdout.lower() and "Paris/IMG_3.jpg" in text.stdout
    assert tree(library) == before and emulator.state() == flickr_before  # status changes nothing


def test_a_title_made_from_a_name_the_photo_had_here_is_never_taken_for_one_the_user_gave(root, sync_json, web):
    """A website photo without pycsync's tags comes down named after its title; the file moves
    under a new name while its old place leaves the selection, so the move is seen as a copy
    linked to the photo. Its title came from the old name: no sidecar is written for it."""
    web.upload(jpeg(1), "beach")
    sync_json(root)
    assert tree(root) == {"beach.jpg": jpeg(1)}
    (root / "B").mkdir()
    (root / "beach.jpg").rename(root / "B" / "dune.jpg")
    sync_json(root, "--exclude", "/*.jpg")
    assert tree(root) == {"B/dune.jpg": jpeg(1)}, "a sidecar for a title pycsync made"


def test_a_photo_downloaded_next_to_its_sidecar_gives_flickr_what_the_sidecar_adds(
    emulator, root, cli, sync_json, flickr, web
):
    """A sidecar already there when its photo arrives (kept from a backup, or an editor's):
    what it adds goes to Flickr, and it is kept as it is."""
    photo_id = web.upload(jpeg(1), "sunset", "Holidays")
    (root / "Holidays").mkdir()
    kept = sidecar(
        root / "Holidays" / "sunset.jpg.xmp",
        Xmp_dc_title='lang="x-default" sunset',
        Xmp_dc_description='lang="x-default" From the beach',
    )
    before = kept.read_bytes()
    result = cli("sync", str(root), "-v")
    assert result.exit_code == 0, result.output
    assert "metadata         Holidays/sunset.jpg  (on Flickr: description)" in result.output
    assert "1 downloaded, 1 metadata synced" in result.output
    assert flickr_meta(flickr, photo_id)["description"] == "From the beach"
    assert kept.read_bytes() == before
    assert_converged(emulator, sync_json, root)


def test_a_sidecar_in_the_way_keeps_a_photo_moved_on_flickr_with_its_own(emulator, root, sync_json, web, flickr):
    """A photo never leaves its sidecar behind: where another sidecar takes its name in the
    folder Flickr moved the photo to, both stay where they are, and the run says why."""
    photo(root / "A" / "x.jpg", 1)
    own = sidecar(root / "A" / "x.jpg.xmp", Xmp_dc_description='lang="x-default" mine')
    sync_json(root)
    web.move(ids_by_title(emulator)["x"], "A", "B")
    (root / "B").mkdir()
    other = sidecar(root / "B" / "x.jpg.xmp", Xmp_dc_description='lang="x-default" another')
    before = tree(root)
    summary = sync_json(root, expect=1)
    assert {f["path"]: f["error"] for f in summary["failures"]} == {
        "B/x.jpg": "B/x.jpg.xmp is in the way of A/x.jpg.xmp, which moves with its photo"
    }
    assert tree(root) == before and own.exists() and other.exists()


def test_a_one_way_sync_leaves_the_other_sides_metadata_edit_for_the_next_run(emulator, library, sync_json, flickr):
    """A push writes nothing here and a pull nothing on Flickr; neither records the other
    side's edit as done, so the next run the other way carries it over and reverts none."""
    sync_json(library)
    ids = ids_by_title(emulator)
    flickr.set_meta(ids["IMG_3"], title="Seine")
    own = sidecar(library / "Paris" / "IMG_3.jpg.xmp", Xmp_dc_description='lang="x-default" Quai d\'Orsay')
    before = own.read_bytes()
    assert sync_json(library, "--push")["metadata"] == 1
    assert own.read_bytes() == before
    assert flickr_meta(flickr, ids["IMG_3"])["description"] == "Quai d'Orsay"
    sidecar(library / "Paris" / "IMG_1.jpg.xmp", Xmp_dc_title='lang="x-default" Tour Eiffel')
    emulator.reset_calls()
    assert sync_json(library, "--pull")["metadata"] == 1 and rest_writes(emulator) == {}
    assert read_xmp(own)["Xmp.dc.title"] == "Seine"
    assert sync_json(library)["metadata"] == 1
    seine, eiffel = flickr_meta(flickr, ids["IMG_3"]), flickr_meta(flickr, ids["Eiffel at night"])
    assert (seine["title"], seine["description"], eiffel["title"]) == ("Seine", "Quai d'Orsay", "Tour Eiffel")
    assert_converged(emulator, sync_json, library)


def test_a_title_cleared_here_gives_the_photo_its_files_name_on_flickr(emulator, library, sync_json, flickr):
    sync_json(library)
    ids = ids_by_title(emulator)
    sidecar(library / "Paris" / "IMG_2.jpg.xmp", Xmp_dc_subject=["museum", "Pyramid"])  # its title gone
    sync_json(library)
    assert flickr_meta(flickr, ids["Louvre"])["title"] == "IMG_2"
    assert_converged(emulator, sync_json, library)


def test_uploads_a_lagging_listing_leaves_out_still_get_what_flickr_cannot_read_itself(
    emulator, library, sync_json, flickr
):
    """The read after the uploads does not show them yet (Flickr's search lags behind): each is
    asked for on its own, and what Flickr could not take from the upload is still set."""
    emulator.set_faults([{"search_lag_seconds": 600}])
    emulator.reset_calls()
    assert sync_json(library)["uploaded"] == 3
    assert emulator.calls()["flickr.photos.getInfo"] == 3
    assert write_calls(emulator)["flickr.photos.geo.setLocation"] == 1
    ids = ids_by_title(emulator)
    louvre, eiffel = flickr_meta(flickr, ids["Louvre"]), flickr_meta(flickr, ids["Eiffel at night"])
    assert (louvre["location"], eiffel["tags"]) == ((48.8612, 2.33565, 16), ["New York", "paris"])
    emulator.set_faults([])
    assert_converged(emulator, sync_json, library)


def test_a_location_flickr_refuses_for_want_of_a_map_setting_says_where_to_set_it(emulator, library, sync_json):
    emulator.set_account(geo_perms=0)  # the account never chose who may see its photos on a map
    summary = sync_json(library, expect=1)
    # (the position in IMG_1's file too: Flickr imports none for such an account)
    assert sorted(f["path"] for f in summary["failures"]) == ["Paris/IMG_1.jpg", "Paris/IMG_2.jpg"]
    for failure in summary["failures"]:
        assert failure["error"].endswith(
            " Flickr takes no location until you choose who may see them (on Flickr: Settings, Privacy and "
            "permissions, who will be able to see your stuff on a map)"
        )
