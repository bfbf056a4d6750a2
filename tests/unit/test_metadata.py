"""The metadata module: what a real file and its sidecar say, read with exiv2; sidecars it writes,
read back with exiv2 as another program would; fields compared as Flickr compares them."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pycsync import metadata as md
from pycsync.emulator import tags as flickr_tags
from pycsync.metadata import Location, Meta
from tests.support.media import make_mp4_with_header
from tests.support.photos import photo, read_file_props, read_xmp, sidecar

# --------------------------------------------------------------------------- reading files


def test_what_a_camera_and_an_editor_embed_is_read(tmp_path):
    path = tmp_path / "IMG_1.jpg"
    photo(
        path,
        title="Orford Castle",
        description="The keep, from the east.",
        keywords=["castle", "English Heritage", "geo:lat=52.09"],  # (a machine tag: not a plain tag)
        taken="2019:05:04 13:14:15",
        gps=(52.091, -1.526),
    )
    assert md.read_embedded(path) == Meta(
        title="Orford Castle",
        description="The keep, from the east.",
        tags=("castle", "English Heritage"),
        taken="2019-05-04 13:14:15",
        granularity=0,
        location=Location(52.091, -1.526, None),
    )


def test_a_file_without_metadata_or_unreadable_says_nothing(tmp_path):
    plain = tmp_path / "plain.jpg"
    photo(plain)
    assert md.read_embedded(plain) == Meta()
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff not really a jpeg")
    assert md.read_embedded(broken) == Meta()


def test_a_png_with_exif_says_its_date(tmp_path):
    path = tmp_path / "shot.png"
    photo(path, fmt="PNG", taken="2020:01:02 03:04:05", title="Screen")
    meta = md.read_embedded(path)
    assert (meta.taken, meta.title) == ("2020-01-02 03:04:05", "Screen")


def test_a_videos_date_is_its_containers_creation_date_in_local_time(tmp_path):
    created = 1_556_975_655  # 2019-05-04 13:14:15 UTC
    path = tmp_path / "clip.mp4"
    path.write_bytes(make_mp4_with_header(created_unix=created))
    expected = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(created))
    assert md.read_embedded(path, video=True).taken == expected
    assert md.read_embedded(path, video=False).taken is None  # (a photo's date is EXIF's alone)


# --------------------------------------------------------------------------- sidecars


def test_a_sidecar_wins_field_by_field(tmp_path):
    path = tmp_path / "IMG_1.jpg"
    photo(path, title="From the camera", description="Embedded", keywords=["a"], taken="2019:05:04 13:14:15")
    side = sidecar(
        tmp_path / "IMG_1.jpg.xmp",
        Xmp_dc_title='lang="x-default" From Lightroom',
        Xmp_dc_subject=["b", "New York"],
        Xmp_photoshop_DateCreated="2018-07",
    )
    embedded, meta = md.read_local(path, side.read_bytes())
    assert embedded.title == "From the camera"
    assert meta == Meta(
        title="From Lightroom",
        description="Embedded",  # the sidecar does not say: the file's
        tags=("b", "New York"),
        taken="2018-07-01 00:00:00",
        granularity=4,  # a month alone
        location=None,
    )


def test_a_written_sidecar_is_standard_xmp_every_field_read_back(tmp_path):
    meta = Meta(
        title="Sunset",
        description="Line one\nline two",
        tags=("New York", "paris", "café"),
        taken="2019-05-04 13:14:15",
        location=Location(48.858222, -2.294481, 11),
    )
    path = tmp_path / "x.jpg.xmp"
    path.write_bytes(md.sidecar_bytes(None, meta, Meta()))
    props = read_xmp(path)  # as Lightroom, digiKam or darktable find it
    assert props["Xmp.dc.title"] == "Sunset"
    assert props["Xmp.dc.description"] == "Line one\nline two"
    assert props["Xmp.dc.subject"] == ["New York", "paris", "café"]
    assert props["Xmp.exif.DateTimeOriginal"] == props["Xmp.photoshop.DateCreated"] == "2019-05-04T13:14:15"
    assert props["Xmp.exif.GPSLatitude"].endswith("N") and props["Xmp.exif.GPSLongitude"].endswith("W")
    assert props["Xmp.pycsync.GeoAccuracy"] == "11"
    assert md.read_sidecar(path.read_bytes()).over(Meta()) == meta


@pytest.mark.parametrize(
    ("granularity", "written"), [(0, "2019-05-04T13:14:15"), (4, "2019-05"), (6, "2019"), (8, "2019")]
)
def test_a_date_is_written_as_precisely_as_it_is_known(granularity, written):
    taken = md.meta_from_listing("", "", "", "2019-05-04 13:14:15", granularity, False, None, None, None)
    data = md.sidecar_bytes(None, taken, Meta())
    fields = md.read_sidecar(data).fields
    assert fields["taken"] == (taken.taken, granularity)
    assert f'exif:DateTimeOriginal="{written}"' in data.decode()


def test_a_field_emptied_over_a_value_in_the_file_stays_empty(tmp_path):
    """XMP has no empty title and no "no location": pycsync's own property says it."""
    embedded = Meta(title="Camera title", description="caption", location=Location(1.0, 2.0))
    data = md.sidecar_bytes(None, Meta(tags=("kept",)), embedded)
    assert md.read_sidecar(data).over(embedded) == Meta(tags=("kept",))
    # and over a file that says nothing, nothing needs saying
    assert "Cleared" not in md.sidecar_bytes(None, Meta(), Meta()).decode()


def test_writing_into_an_editors_sidecar_keeps_everything_else(tmp_path):
    path = sidecar(
        tmp_path / "x.jpg.xmp",
        Xmp_dc_title='lang="x-default" Old',
        Xmp_xmp_Rating="4",
        Xmp_dc_creator=["Ann"],
        Xmp_lr_hierarchicalSubject=["Places|Paris"],
    )
    data = md.sidecar_bytes(path.read_bytes(), Meta(title="New", tags=("Paris",)), Meta())
    path.write_bytes(data)
    props = read_xmp(path)
    assert props["Xmp.dc.title"] == "New" and props["Xmp.dc.subject"] == ["Paris"]
    assert props["Xmp.xmp.Rating"] == "4" and props["Xmp.dc.creator"] == ["Ann"]
    assert props["Xmp.lr.hierarchicalSubject"] == ["Places|Paris"]


def test_other_languages_of_a_title_are_kept(tmp_path):
    path = sidecar(tmp_path / "x.jpg.xmp", Xmp_dc_title='lang="de-DE" Sonnenuntergang')
    data = md.sidecar_bytes(path.read_bytes(), Meta(title="Sunset"), Meta())
    assert md.read_sidecar(data).fields["title"] == "Sunset"
    assert "Sonnenuntergang" in data.decode()


def test_what_is_no_sidecar_is_refused():
    with pytest.raises(md.MetaError):
        md.read_sidecar(b"\xff\xd8\xff\xe0 a jpeg")
    with pytest.raises(md.MetaError):
        md.read_sidecar(b" " * (md.MAX_SIDECAR_BYTES + 1))


def test_the_photo_file_is_never_written(tmp_path):
    path = tmp_path / "IMG_1.jpg"
    data = photo(path, title="T", keywords=["k"], gps=(1.0, 2.0))
    before = read_file_props(path)
    md.read_local(path, md.sidecar_bytes(None, Meta(title="Other"), md.read_embedded(path)))
    assert path.read_bytes() == data and read_file_props(path) == before


# --------------------------------------------------------------------------- tags and comparisons


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("United States", "unitedstates"), ("Łódź", "łódź"), ("flickr_mobile", "flickrmobile"), ("New-York!", "newyork")],
)
def test_tags_clean_as_flickr_cleans_them(raw, clean):
    assert md.clean_tag(raw) == clean


@given(st.text(max_size=30))
def test_clean_forms_agree_with_the_emulators_flickr(raw):
    if not flickr_tags.split_machine_tag(raw):
        assert md.clean_tag(raw) == flickr_tags.plain_clean(raw)


def test_plain_tags_one_per_clean_form_machine_tags_left_out():
    assert md.plain_tags(["Paris", "paris", ' "New York" ', "ns:pred=value", "!!!", "x"]) == ("Paris", "New York", "x")


def test_flickrs_listing_as_metadata():
    meta = md.meta_from_listing(
        "Sunset", " caption ", "paris pycsync:sha256=ab newyork", "2019-05-04 13:14:15", 4, False, 48.1, 2.2, 11
    )
    assert meta == Meta("Sunset", "caption", ("paris", "newyork"), "2019-05-01 00:00:00", 4, Location(48.1, 2.2, 11))
    guessed = md.meta_from_listing("", "", "", "2024-01-01 10:00:00", 0, True, 0, 0, 0)
    assert guessed == Meta()  # Flickr's guess (the upload time) is no date; 0,0 with accuracy 0 no place


def test_fields_compare_as_flickr_keeps_them():
    assert md.fields_equal("tags", ("New York", "Paris"), ("paris", "newyork"))
    assert md.fields_equal("title", None, "  ")
    assert md.fields_equal("description", "a\r\nb ", "a\nb")
    here, there = Location(48.8582229, 2.2944815, None), Location(48.858222, 2.294481, 16)
    assert md.fields_equal("location", here, there)  # six decimals, cut or rounded; accuracy unsaid
    assert not md.fields_equal("location", Location(1.0, 2.0, 11), Location(1.0, 2.0, 16))
    assert not md.fields_equal("location", Location(1.0, 2.0), None)
    assert md.fields_equal("taken", ("2019-05-01 00:00:00", 4), ("2019-05-01 00:00:00", 4))
    assert md.fields_equal("taken", ("2019-01-01 00:00:00", 8), ("2019-01-01 00:00:00", 6))  # circa: a year
    assert not md.fields_equal("taken", ("2019-05-04 13:14:15", 0), ("2019-05-01 00:00:00", 4))


def test_sidecar_names():
    assert md.sidecar_name("IMG_1.JPG") == "IMG_1.JPG.xmp"
    assert md.adobe_sidecar_name("IMG_1.JPG") == "IMG_1.xmp"
    assert md.is_sidecar_name("a.jpg.XMP") and not md.is_sidecar_name(".xmp")
