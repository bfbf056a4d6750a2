"""The client's metadata calls against the emulator over HTTP: what an upload sends, locations,
tags with their ids and authors, and the raw forms of the user's tags."""

from __future__ import annotations

import pytest

from pycsync.flickr import ApiError
from tests.support.photos import photo
from tests.support.remote import owner_client


@pytest.fixture
def client(emulator):
    with owner_client(emulator) as c:
        c.test_login()
        yield c


def test_an_upload_says_what_it_means_and_flickr_reads_the_rest(client, tmp_path):
    path = tmp_path / "IMG_1.jpg"
    photo(path, title="From the file", description="File caption", keywords=["filekw"], taken="2019:05:04 13:14:15")
    pid = client.upload(path, title="Mine", description="", tags=["New York", "pycsync:sha256=ab"]).photo_id
    info = client.photo_info(pid)
    assert info.title == "Mine"
    assert info.description == ""  # said, even empty: the file's caption is not taken
    assert sorted(t.raw for t in info.tags) == ["New York", "pycsync:sha256=ab"]
    assert info.date_taken == "2019-05-04 13:14:15"  # the date Flickr reads itself
    other = client.upload(path, title="Theirs").photo_id  # no description sent: the file's
    assert client.photo_info(other).description == "File caption"


def test_locations_set_and_removed(client, tmp_path):
    path = tmp_path / "a.jpg"
    photo(path)
    pid = client.upload(path, title="a").photo_id
    client.set_location(pid, 48.8582229, -2.2944815, 11)
    info = client.photo_info(pid)
    assert (info.latitude, info.longitude, info.accuracy) == (48.858223, -2.294481, 11)  # (sent to six decimals)
    client.remove_location(pid)
    client.remove_location(pid)  # none left: that is what was wanted
    with pytest.raises(ApiError):
        client.call("flickr.photos.geo.getLocation", photo_id=pid)


def test_tags_with_ids_and_authors_and_their_raw_forms(client, emulator, tmp_path):
    path = tmp_path / "a.jpg"
    photo(path)
    pid = client.upload(path, title="a", tags=["San Francisco", "pycsync:name=6162"]).photo_id
    client.add_tags(pid, ["Golden Gate"])
    tags = {t.clean: t for t in client.photo_info(pid).tags}
    assert set(tags) == {"sanfrancisco", "goldengate", "pycsync:name=6162"}
    assert tags["goldengate"].raw == "Golden Gate" and tags["goldengate"].author == client.user_nsid
    assert tags["pycsync:name=6162"].machine and not tags["goldengate"].machine
    client.remove_tag(tags["goldengate"].tag_id)
    assert {t.clean for t in client.photo_info(pid).tags} == {"sanfrancisco", "pycsync:name=6162"}
    assert client.raw_tags()["sanfrancisco"] == "San Francisco"
