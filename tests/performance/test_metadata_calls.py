"""What metadata costs in calls (issue 12): nothing on a sync with nothing to do (and no file's
metadata is read then), nothing more than the upload for a photo whose file says all Flickr can
read, and per changed photo only the calls of the fields that changed."""

from __future__ import annotations

import pytest

import pycsync.metadata
from tests.support.calls import LOGIN, NO_CHANGE
from tests.support.photos import photo, sidecar

K = 3  # photos changed at once: every figure below is per photo, times K


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The files whose own metadata a run reads (exiv2 opens them)."""
    seen: list[str] = []
    real = pycsync.metadata.read_embedded

    def counting(path, video=False):
        seen.append(str(path))
        return real(path, video)

    monkeypatch.setattr(pycsync.metadata, "read_embedded", counting)
    return seen


@pytest.fixture
def settled(root, counted, flickr_clock):
    """A synced library of photos with metadata of every kind, in the files and in sidecars."""
    for i in range(6):
        photo(
            root / "A" / f"IMG_{i}.jpg",
            i,
            title=f"Title {i}",
            description=f"Caption {i}",
            keywords=["alps", f"k{i}"],
            taken=f"2019:07:0{i + 1} 10:00:00",
            gps=(46.5 + i / 100, 7.9),
        )
    for i in range(6, 9):
        photo(root / "B" / f"IMG_{i}.jpg", i)
        sidecar(root / "B" / f"IMG_{i}.jpg.xmp", Xmp_dc_title=f'lang="x-default" Side {i}', Xmp_dc_subject=["lake"])
    counted(root)
    for _ in range(2):
        flickr_clock.advance()
        counted(root)
    flickr_clock.advance()
    return root


def test_a_sync_with_nothing_to_do_costs_no_call_and_reads_no_metadata(settled, counted, flickr_clock, reads):
    for _ in range(2):
        summary, calls = counted(settled)
        assert calls == NO_CHANGE and summary["metadata"] == 0
        assert reads == [], "a file and its sidecar unchanged since they synced are not opened"
        flickr_clock.advance()


def test_an_upload_whose_file_says_it_all_costs_the_upload_alone(root, counted, flickr_clock):
    for i in range(K):
        photo(
            root / "A" / f"IMG_{i}.jpg",
            i,
            title="t",
            description="d",
            keywords=["k"],
            taken="2019:07:01 10:00:00",
            gps=(46.5, 7.9),
        )
    summary, calls = counted(root)
    assert summary["uploaded"] == K
    assert calls == {
        **LOGIN,
        "flickr.photosets.getList": 1,
        "flickr.photos.getNotInSet": 1,
        "flickr.people.getInfo": 1,  # (the account check before uploads: not metadata's)
        "flickr.people.getLimits": 1,
        "upload": K,  # title, description and tags ride in it; Flickr reads the date and the place
        "flickr.photosets.create": 1,
        "flickr.photosets.editPhotos": 1,
        "flickr.people.getPhotos": 1,  # (the read of the new uploads there is anyway)
    }


def test_what_flickr_cannot_read_from_the_upload_costs_one_call_per_field(root, counted, flickr_clock):
    for i in range(K):  # the date and the place in sidecars only
        photo(root / "A" / f"IMG_{i}.jpg", i)
        sidecar(
            root / "A" / f"IMG_{i}.jpg.xmp",
            Xmp_exif_DateTimeOriginal="2019-07-01T10:00:00",
            Xmp_exif_GPSLatitude="46,30.0N",
            Xmp_exif_GPSLongitude="7,54.0E",
        )
    summary, calls = counted(root)
    assert summary["uploaded"] == K
    assert calls["flickr.photos.setDates"] == K and calls["flickr.photos.geo.setLocation"] == K
    assert calls["upload"] + calls["flickr.photos.setDates"] + calls["flickr.photos.geo.setLocation"] == 3 * K


@pytest.mark.parametrize(
    ("change", "cost"),
    [
        ({"Xmp_dc_title": 'lang="x-default" New'}, {"flickr.photos.setMeta": 1}),
        ({"Xmp_dc_description": 'lang="x-default" New'}, {"flickr.photos.setMeta": 1}),
        ({"Xmp_dc_subject": ["lake", "added"]}, {"flickr.photos.addTags": 1}),
        ({"Xmp_dc_subject": []}, {"flickr.photos.getInfo": 1, "flickr.photos.removeTag": 1}),
        ({"Xmp_photoshop_DateCreated": "2020-01-02T03:04:05"}, {"flickr.photos.setDates": 1}),
        (
            {"Xmp_exif_GPSLatitude": "46,30.0N", "Xmp_exif_GPSLongitude": "7,54.0E"},
            {"flickr.photos.geo.setLocation": 1},
        ),
    ],
    ids=["title", "description", "tag added", "tag removed", "date", "place"],
)
def test_a_sidecar_edit_costs_the_calls_of_its_fields_per_photo(settled, counted, flickr_clock, change, cost):
    for i in range(6, 6 + K):
        props = {"Xmp_dc_title": f'lang="x-default" Side {i}', "Xmp_dc_subject": ["lake"], **change}
        sidecar(settled / "B" / f"IMG_{i}.jpg.xmp", **props)
    summary, calls = counted(settled)
    assert summary["metadata"] == K and summary["uploaded"] == summary["replaced"] == 0
    assert calls == {**NO_CHANGE, **{m: n * K for m, n in cost.items()}}
    flickr_clock.advance()
    assert counted(settled)[1] == NO_CHANGE


def test_edits_on_flickr_cost_no_call_per_photo(settled, counted, flickr_clock, flickr, emulator):
    photos = {p["title"]: p["id"] for p in emulator.state()["photos"]}
    for i in range(K):
        pid = photos[f"Title {i}"]
        flickr.set_meta(pid, title=f"Retitled {i}", description="On Flickr")
        flickr.add_tags(pid, ["Added On Flickr"])
        flickr.set_location(pid, 45.0, 6.0, 12)
    flickr_clock.advance()
    summary, calls = counted(settled)
    assert summary["metadata"] == K and "static" not in calls
    # written to the sidecars; one read of the user's raw tags, to spell the new one as typed
    assert calls == {**NO_CHANGE, "flickr.tags.getListUserRaw": 1}
    flickr_clock.advance()
    assert counted(settled)[1] == NO_CHANGE
