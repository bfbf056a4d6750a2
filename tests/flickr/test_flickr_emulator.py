"""Integration tests of the client against the bundled Flickr emulator."""

from __future__ import annotations

import hashlib
import io
import random
import re
from pathlib import Path

import pytest
import requests

from pycsync.emulator import EmulatorServer
from pycsync.flickr import (
    AuthError,
    Credentials,
    Endpoints,
    FlickrClient,
    LoopbackReceiver,
    OutcomeUnknown,
    RateLimited,
    authorize_url,
    get_access_token,
    get_request_token,
)
from tests.support.browser import approve_in_browser
from tests.support.flickr_stub import FakeClock
from tests.support.remote import owner_client


@pytest.fixture
def emu(request):
    try:
        yield request.getfixturevalue("emulator")
        return
    except pytest.FixtureLookupError:
        pass
    with EmulatorServer() as server:
        yield server


def jpeg_bytes(seed: int, size=(64, 48)) -> bytes:
    from PIL import Image

    rnd = random.Random(seed)
    img = Image.new("RGB", size)
    img.putdata([(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)) for _ in range(size[0] * size[1])])
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def write_jpeg(tmp_path: Path, name: str, seed: int) -> Path:
    p = tmp_path / name
    p.write_bytes(jpeg_bytes(seed))
    return p


def client_for(emu, clock: FakeClock | None = None, **kw) -> FlickrClient:
    clock = clock or FakeClock()
    return owner_client(emu, sleep=clock.sleep, clock=clock, **kw)


def original_url(client: FlickrClient, photo_id: str) -> str:
    for size in client.photo_sizes(photo_id):
        if size.label in ("Video Original", "Original"):
            return size.source
    raise AssertionError(f"no Original size for {photo_id}")


def test_login_and_check_token(emu):
    c = client_for(emu)
    login = c.test_login()
    assert login.user_nsid == emu.user_nsid
    assert login.username == emu.username
    assert c.check_token() in ("write", "delete")
    assert c.stats.calls_by_method["flickr.test.login"] == 1


def test_upload_replace_download_byte_identical(emu, tmp_path):
    c = client_for(emu)
    c.test_login()
    first = write_jpeg(tmp_path, "IMG 0001.jpg", 1)
    md5 = hashlib.md5(first.read_bytes()).hexdigest()
    progress: list[int] = []
    r = c.upload(
        first,
        title="IMG 0001",
        description="first version",
        tags=["holiday", "two words", f"checksum:md5={md5}"],
        progress=progress.append,
    )
    assert r.photo_id and progress[-1] == first.stat().st_size

    info = c.photo_info(r.photo_id)
    assert info.photo_id == r.photo_id
    assert info.title == "IMG 0001"
    raw_tags = {t.raw for t in info.tags}
    assert {"holiday", "two words", f"checksum:md5={md5}"} <= raw_tags

    out = io.BytesIO()
    d = c.download(original_url(c, r.photo_id), out)
    assert out.getvalue() == first.read_bytes()
    assert d.bytes_written == first.stat().st_size

    second = write_jpeg(tmp_path, "IMG 0001 v2.jpg", 2)
    r2 = c.replace(second, r.photo_id)
    assert r2.photo_id == r.photo_id
    if r.original_secret and r2.original_secret:
        assert r2.original_secret != r.original_secret
    out = io.BytesIO()
    c.download(original_url(c, r.photo_id), out)
    assert out.getvalue() == second.read_bytes()
    assert c.photo_info(r.photo_id).title == "IMG 0001"  # meta kept
    assert c.stats.calls_by_method["upload"] == 1
    assert c.stats.calls_by_method["replace"] == 1
    assert c.stats.bytes_up > first.stat().st_size + second.stat().st_size


def test_machine_tag_search_and_metadata(emu, tmp_path):
    c = client_for(emu)
    f = write_jpeg(tmp_path, "a.jpg", 3)
    md5 = hashlib.md5(f.read_bytes()).hexdigest()
    pid = c.upload(f, title="a", tags=[f"checksum:md5={md5}"]).photo_id
    write_jpeg(tmp_path, "b.jpg", 4)
    c.upload(tmp_path / "b.jpg", title="b", tags=["checksum:md5=" + "0" * 32])
    hits = c.find_by_machine_tag(f"checksum:md5={md5}", "machine_tags,original_format")
    assert [h.photo_id for h in hits] == [pid]
    assert c.find_by_machine_tag("checksum:md5=" + "f" * 32, "") == []

    c.set_meta(pid, title="renamed", description="déjà vu")
    c.add_tags(pid, ["extra tag"])
    info = c.photo_info(pid)
    assert info.title == "renamed"
    assert info.description == "déjà vu"
    tag = next(t for t in info.tags if t.raw == "extra tag")
    assert not tag.machine and tag.clean == "extratag" and tag.author == info.owner
    assert [t.raw for t in info.tags if t.machine] == [f"checksum:md5={md5}"]
    assert info.machine_tags == f"checksum:md5={md5}"
    c.remove_tag(tag.tag_id)
    c.remove_tag(tag.tag_id)  # already gone: still fine
    assert all(t.raw != "extra tag" for t in c.photo_info(pid).tags)

    not_in_set = [p["id"] for p in c.photos_not_in_set("date_upload")]
    assert pid in not_in_set
    assert pid in [p["id"] for p in c.recently_updated(0, "last_update")]


def test_albums_create_edit_list_paginate(emu, tmp_path):
    c = client_for(emu)
    c.test_login()
    ids = [c.upload(write_jpeg(tmp_path, f"p{i}.jpg", 10 + i), title=f"p{i}").photo_id for i in range(5)]
    album = c.create_album("Holiday", ids[0], "folder/path")
    assert album
    for pid in ids[1:]:
        c.add_to_album(album, pid)
    c.add_to_album(album, ids[1])  # already in set -> success
    got = [p["id"] for p in c.album_photos(album, "original_format", per_page=2)]
    assert got == ids
    assert c.stats.calls_by_method["flickr.photosets.getPhotos"] == 3

    c.edit_album_photos(album, ids[4], [ids[4], ids[2], ids[0]])
    assert [p["id"] for p in c.album_photos(album, "")] == [ids[4], ids[2], ids[0]]
    c.remove_from_album(album, [ids[2]])
    c.remove_from_album(album, [ids[2]])  # not in set any more: success
    assert [p["id"] for p in c.album_photos(album, "")] == [ids[4], ids[0]]

    second = c.create_album("Second", ids[1])
    third = c.create_album("Third", ids[3])
    albums = c.list_albums()
    assert [a.album_id for a in albums][:3] == [third, second, album]  # new sets first
    assert (albums[2].title, albums[2].description, albums[2].primary, albums[2].count) == (
        "Holiday",
        "folder/path",
        ids[4],
        2,
    )
    paged = list(c.paginate("flickr.photosets.getList", "photosets", "photoset", per_page=1))
    assert [a["id"] for a in paged] == [a.album_id for a in albums]
    assert c.stats.calls_by_method["flickr.photosets.getList"] == 1 + len(albums)

    contexts = c.all_contexts(ids[0])
    assert contexts.album_ids == (album,) and contexts.group_ids == ()
    c.delete_album(second)
    c.delete_album(second)  # already gone: success
    assert second not in [a.album_id for a in c.list_albums()]

    c.delete_photo(ids[3])
    c.delete_photo(ids[3])  # already gone: success


def test_retries_on_injected_503_and_429(emu):
    clock = FakeClock()
    c = client_for(emu, clock, calls_per_hour=3000)
    emu.set_faults([{"match": "flickr.test.login", "every": 1, "max": 2, "action": {"http": 503}}])
    assert c.test_login().user_nsid == emu.user_nsid
    assert c.stats.retries == 2
    assert c.stats.calls_by_method["flickr.test.login"] == 3
    assert len(clock.sleeps) == 2

    emu.set_faults([{"match": "flickr.test.login", "every": 1, "max": 1, "action": {"http": 429}}])
    assert c.test_login().user_nsid == emu.user_nsid
    assert c.stats.retries == 3


def test_upload_apply_then_drop_is_outcome_unknown(emu, tmp_path):
    c = client_for(emu)
    f = write_jpeg(tmp_path, "dropped.jpg", 42)
    md5 = hashlib.md5(f.read_bytes()).hexdigest()
    emu.set_faults([{"match": "upload", "every": 1, "max": 1, "action": {"apply_then_drop": True}}])
    with pytest.raises(OutcomeUnknown):
        c.upload(f, title="dropped", tags=[f"checksum:md5={md5}"])
    assert c.stats.calls_by_method["upload"] == 1  # not retried
    # the caller checks before retrying: the upload did land
    hits = c.find_by_machine_tag(f"checksum:md5={md5}", "")
    assert len(hits) == 1


def test_bad_token_is_auth_error(emu):
    creds = Credentials(emu.api_key, emu.api_secret, "72157000000000000-0123456789abcdef", "0123456789abcdef")
    c = FlickrClient(Endpoints.for_base(emu.endpoint), creds, calls_per_hour=None)
    with pytest.raises(AuthError) as ei:
        c.test_login()
    assert "0123456789abcdef" not in str(ei.value)
    bad_secret = Credentials(emu.api_key, emu.api_secret, emu.oauth_token, "wrong")
    with pytest.raises(AuthError) as ei:
        FlickrClient(Endpoints.for_base(emu.endpoint), bad_secret, calls_per_hour=None).test_login()
    assert ei.value.problem.startswith("signature_invalid")
    assert emu.oauth_token not in str(ei.value)


def test_full_oob_flow(emu):
    ep = Endpoints.for_base(emu.endpoint)
    tok, sec = get_request_token(ep, emu.api_key, emu.api_secret, callback="oob")
    s = requests.Session()
    resp = approve_in_browser(authorize_url(ep, tok, "write"), session=s)
    assert resp.status_code == 200
    m = re.search(r'id="verifier"[^>]*>\s*([^<\s]+)\s*<', resp.text)
    assert m, resp.text[:500]
    at = get_access_token(ep, emu.api_key, emu.api_secret, tok, sec, m.group(1))
    assert at.user_nsid == emu.user_nsid and at.username == emu.username
    c = FlickrClient(ep, Credentials(emu.api_key, emu.api_secret, at.token, at.token_secret), calls_per_hour=None)
    assert c.test_login().user_nsid == emu.user_nsid
    assert c.check_token() == "write"


def test_full_loopback_flow(emu):
    ep = Endpoints.for_base(emu.endpoint)
    with LoopbackReceiver() as rx:
        tok, sec = get_request_token(ep, emu.api_key, emu.api_secret, callback=rx.callback_url)
        s = requests.Session()
        resp = approve_in_browser(authorize_url(ep, tok, "delete"), session=s)  # follows redirect to rx
        assert resp.status_code == 200 and "close this window" in resp.text
        got = rx.wait(5)
    assert got is not None and got[0] == tok
    at = get_access_token(ep, emu.api_key, emu.api_secret, tok, sec, got[1])
    c = FlickrClient(ep, Credentials(emu.api_key, emu.api_secret, at.token, at.token_secret), calls_per_hour=None)
    assert c.check_token() == "delete"


def test_truncated_and_reset_reads_are_retried(emu):
    clock = FakeClock()
    c = client_for(emu, clock)
    emu.set_faults(
        [
            {"match": "flickr.test.login", "every": 1, "max": 1, "action": {"truncate": True}},
            {"match": "flickr.auth.oauth.checkToken", "every": 1, "max": 1, "action": {"reset": True}},
        ]
    )
    assert c.test_login().user_nsid == emu.user_nsid
    assert c.check_token() in ("write", "delete")
    assert c.stats.retries == 2


def test_emulator_rate_limit_rule_is_honoured(emu):
    clock = FakeClock()
    c = client_for(emu, clock)
    emu.set_faults([{"rate_limit": {"calls": 2, "seconds": 3600}}])
    c.test_login()
    c.test_login()
    with pytest.raises(RateLimited):
        c.test_login()
    assert c.stats.retries == 5  # max_retries, all answered 429
