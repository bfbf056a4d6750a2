"""/services/upload/ and /services/replace/ (docs/flickr-behaviour.md, "Upload and replace")."""

from __future__ import annotations

import hashlib
import re
import time
import xml.etree.ElementTree as ET

import pytest
import requests

from pycsync.emulator import EmulatorServer
from tests.support.api import Api
from tests.support.clock import FlickrClock
from tests.support.media import make_jpeg_bytes, make_mp4_bytes, make_png_bytes


def test_sync_upload_answers_a_bare_photo_id(emulator, api):
    """A synchronous upload answers ``<photoid>N</photoid>`` and nothing else (recorded 2017; the
    answer with secrets is a replace's)."""
    r = api.upload_raw(make_jpeg_bytes(seed=1), "IMG_0042.jpg", format="json")  # format is ignored
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/xml; charset=utf-8"
    m = re.fullmatch(
        r'<\?xml version="1.0" encoding="utf-8" \?>\n<rsp stat="ok">\n\t?<photoid>(\d+)</photoid>\n</rsp>\n', r.text
    )
    assert m, r.text
    info = api.info(m.group(1))
    assert info["title"]["_content"] == "IMG_0042"  # default title: file name without extension
    assert emulator.calls()["upload"] == 1


def test_omitted_privacy_takes_the_accounts_default(emulator, api):
    """is_public / is_friend / is_family left out take the user's default privacy (public unless set)."""
    visibility = lambda pid: api.info(pid)["visibility"]  # noqa: E731
    assert visibility(api.upload_id(make_jpeg_bytes(seed=1))) == {"ispublic": 1, "isfriend": 0, "isfamily": 0}
    emulator.set_account(default_privacy="friends+family")
    assert visibility(api.upload_id(make_jpeg_bytes(seed=2))) == {"ispublic": 0, "isfriend": 1, "isfamily": 1}
    # each flag the request gives wins; the others still come from the default
    assert visibility(api.upload_id(make_jpeg_bytes(seed=3), is_family=0)) == {
        "ispublic": 0,
        "isfriend": 1,
        "isfamily": 0,
    }
    with EmulatorServer(default_privacy="private") as emu:
        other = Api(emu)
        assert other.info(other.upload_id(make_jpeg_bytes(seed=4)))["visibility"]["ispublic"] == 0


def test_fields_title_description_tags_privacy(api):
    pid = api.upload_id(
        make_jpeg_bytes(seed=1),
        "x.jpg",
        title="",
        description="d é",
        tags='a "b c" ns:p=V',
        is_public=1,
        is_friend=0,
        is_family=1,
    )
    info = api.info(pid)
    assert info["title"]["_content"] == ""  # explicitly empty stays empty
    assert info["description"]["_content"] == "d é"
    assert [t["raw"] for t in info["tags"]["tag"]] == ["a", "b c", "ns:p=V"]
    assert info["visibility"] == {"ispublic": 1, "isfriend": 0, "isfamily": 1}


def test_default_title_is_configurable():
    with EmulatorServer(default_title="") as emu:
        api = Api(emu)
        assert api.info(api.upload_id(make_jpeg_bytes(seed=1), "IMG_1.jpg"))["title"]["_content"] == ""


def test_exif_date_taken_else_upload_time(api):
    pid = api.upload_id(make_jpeg_bytes(seed=1, exif_datetime="2015:03:04 05:06:07"))
    d = api.info(pid)["dates"]
    assert (d["taken"], d["takenunknown"]) == ("2015-03-04 05:06:07", "0")
    pid = api.upload_id(make_png_bytes(seed=1), "p.png")
    d = api.info(pid)["dates"]
    assert d["takenunknown"] == "1"
    assert d["taken"] == time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(int(d["posted"])))


def _tiff(seed: int) -> bytes:
    return b"II*\x00\x08\x00\x00\x00" + bytes([seed]) * 64


@pytest.mark.parametrize(
    "name,data,media,fmt",
    [
        ("a.png", None, "photo", "png"),
        ("a.gif", b"GIF89a\x02\x00\x02\x00" + b"\x00" * 40, "photo", "gif"),
        ("a.tif", b"MM\x00*\x00\x00\x00\x08" + b"\x01" * 40, "photo", "tiff"),
        ("a.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40, "photo", "webp"),
        ("a.heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 40, "photo", "heic"),
        (
            "a.bmp",
            b"BM" + b"\x00" * 12 + b"\x28\x00\x00\x00" + b"\x02\x00\x00\x00\x02\x00\x00\x00" + b"\x00" * 40,
            "photo",
            "bmp",
        ),
        ("a.mov", b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  " + b"\x00" * 40, "video", "mov"),
        ("a.3gp", b"\x00\x00\x00\x14ftyp3gp5\x00\x00\x02\x003gp5" + b"\x00" * 40, "video", "3gp"),
        ("a.avi", b"RIFF\x24\x00\x00\x00AVI LIST" + b"\x00" * 40, "video", "avi"),
        ("a.mpg", b"\x00\x00\x01\xba" + b"\x44" * 60, "video", "mpg"),
        ("a.mts", (b"\x47" + b"\x00" * 187) * 3, "video", "mts"),
        ("a.wmv", b"\x30\x26\xb2\x75\x8e\x66\xcf\x11" + b"\x00" * 40, "video", "wmv"),
        ("a.mkv", b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska" + b"\x00" * 40, "video", "mkv"),
        ("a.webm", b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + b"\x00" * 40, "video", "webm"),
        ("a.ogv", b"OggS\x00\x02" + b"\x00" * 40, "video", "ogv"),
    ],
)
def test_types_sniffed_from_bytes_and_stored_verbatim(emulator, api, name, data, media, fmt):
    data = data or make_png_bytes(seed=3)
    pid = api.upload_id(data, name)
    photo = next(p for p in emulator.state()["photos"] if p["id"] == pid)
    assert (photo["media"], photo["format"]) == (media, fmt)
    assert photo["sha256"] == hashlib.sha256(data).hexdigest() and photo["size"] == len(data)
    info = api.info(pid)
    assert info["media"] == media
    assert info["originalformat"] == ("jpg" if media == "video" else fmt)


def test_upload_errors(api):
    def err(r):
        root = ET.fromstring(r.content)
        assert r.status_code == 200 and root.get("stat") == "fail", r.text
        return int(root.find("err").get("code")), root.find("err").get("msg")

    assert err(api.upload_raw(None, title="no file")) == (2, "No photo specified")
    assert err(api.upload_raw(make_jpeg_bytes(seed=1), file_field="image")) == (2, "No photo specified")
    assert err(api.upload_raw(b"", "empty.jpg")) == (4, "Filesize was zero")
    assert err(api.upload_raw(b"hello world, not an image", "a.jpg")) == (5, "Filetype was not recognised")
    assert api.emu.state()["photos"] == []


def test_size_limits():
    with EmulatorServer(max_photo_bytes=1000, max_video_bytes=3000) as emu:
        api = Api(emu)
        r = api.upload(make_jpeg_bytes(seed=1, size=(64, 64)))
        assert r.find("err").get("code") == "8" and r.find("err").get("msg") == "Filesize was too large"
        assert api.upload(make_mp4_bytes(seed=1, size=2000), "v.mp4").get("stat") == "ok"
        assert api.upload(make_mp4_bytes(seed=1, size=4000), "v.mp4").find("err").get("code") == "8"


def test_upload_oauth_and_permissions(emulator, api):
    data = make_jpeg_bytes(seed=1)
    r = requests.post(
        f"{emulator.endpoint}/services/upload/",
        files={"photo": ("a.jpg", data)},
        data={"api_key": emulator.api_key},
        timeout=10,
    )
    assert r.status_code == 401 and r.text.startswith("oauth_problem=parameter_absent")
    bad = Api(emulator, emulator.oauth_token, "0000000000000000")
    r = bad.upload_raw(data, title="t")
    assert r.status_code == 401 and r.text.startswith("oauth_problem=signature_invalid&debug_sbs=")
    assert "title%3Dt" in r.text  # the text field is signed...
    assert "photo" not in r.text.split("debug_sbs=")[1]  # ...the file part is not
    tok = emulator.add_token(perms="read")
    r = Api(emulator, tok["oauth_token"], tok["oauth_token_secret"]).upload(data)
    assert r.find("err").get("code") == "99"
    r = Api(emulator, "72157000000000000-0123456789abcdef", "0123456789abcdef").upload(data)
    assert r.find("err").get("code") == "98"


def test_photo_sent_as_a_text_field_breaks_the_signature(emulator):
    # the client signs only `title` but sends `photo` as a plain (non-file) field: Flickr puts it
    # in its base string and the signature fails (DPZFlickr issue 11)
    from oauthlib.oauth1 import Client

    url = f"{emulator.endpoint}/services/upload/"
    client = Client(
        emulator.api_key,
        client_secret=emulator.api_secret,
        resource_owner_key=emulator.oauth_token,
        resource_owner_secret=emulator.oauth_token_secret,
    )
    _, headers, _ = client.sign(url, "POST", "title=t", {"Content-Type": "application/x-www-form-urlencoded"})
    r = requests.post(
        url,
        files={"title": (None, "t"), "photo": (None, "@/tmp/x.jpg")},
        headers={"Authorization": headers["Authorization"]},
        timeout=10,
    )
    assert r.status_code == 401
    assert "%26photo%3D" in r.text  # photo=... is in the base string


def test_async_upload_and_check_tickets(monkeypatch):
    with EmulatorServer(async_delay=0.5) as emu:
        clock = FlickrClock().drive(emu, monkeypatch)
        api = Api(emu)
        r = api.upload(make_jpeg_bytes(seed=1), **{"async": 1})
        ticket = r.findtext("ticketid")
        assert re.fullmatch(r"\d+-\d{17}", ticket)
        bad = api.upload(b"junk bytes", **{"async": 1}).findtext("ticketid")
        body = api.ok("flickr.photos.upload.checkTickets", tickets=f"{ticket},{bad},123-456")
        t = {x["id"]: x for x in body["uploader"]["ticket"]}
        assert t[ticket]["complete"] == 0 and t["123-456"]["invalid"] == 1
        clock.advance(0.4)
        body = api.ok("flickr.photos.upload.checkTickets", tickets=ticket)
        assert body["uploader"]["ticket"][0]["complete"] == 0, "still importing"
        clock.advance(0.1)
        body = api.ok("flickr.photos.upload.checkTickets", tickets=f"{ticket},{bad}")
        t = {x["id"]: x for x in body["uploader"]["ticket"]}
        assert t[ticket]["complete"] == 1 and t[bad]["complete"] == 2
        assert api.info(t[ticket]["photoid"])["id"] == t[ticket]["photoid"]
        xml = api.xml("flickr.photos.upload.checkTickets", tickets=ticket)
        assert xml.find("uploader/ticket").get("complete") == "1"


def test_replace_keeps_id_meta_sets_and_rotates_secrets(emulator, flickr_clock, api):
    first = make_jpeg_bytes(seed=1)
    pid = api.upload_id(first, "a.jpg", title="keep", tags="t1")
    sid = api.create_set("S", pid)
    before = api.info(pid)
    flickr_clock.advance()
    second = make_png_bytes(seed=2)
    r = api.replace(second, pid, "a.png")
    assert r.get("stat") == "ok"
    el = r.find("photoid")
    assert el.text == pid
    after = api.info(pid)
    assert (el.get("secret"), el.get("originalsecret")) == (after["secret"], after["originalsecret"])
    assert after["secret"] != before["secret"] and after["originalsecret"] != before["originalsecret"]
    assert after["originalformat"] == "png" and after["title"]["_content"] == "keep"
    assert [t["raw"] for t in after["tags"]["tag"]] == ["t1"]
    assert int(after["dates"]["lastupdate"]) > int(before["dates"]["lastupdate"])
    assert [p["id"] for p in api.ok("flickr.photosets.getPhotos", photoset_id=sid)["photoset"]["photo"]] == [pid]
    got = api.fetch(api.original_url(pid))
    assert got.content == second and got.headers["Content-Type"] == "image/png"
    # the old secret URL is gone
    old = f"{emulator.endpoint}/static/65535/{pid}_{before['originalsecret']}_o.jpg"
    assert requests.get(old, timeout=10).status_code == 404
    assert emulator.calls()["replace"] == 1


def test_replace_errors(emulator, api):
    pid = api.upload_id(make_jpeg_bytes(seed=1))
    r = api.replace(make_jpeg_bytes(seed=2), "123")
    assert r.get("stat") == "fail" and r.find("err").get("code") == "1"
    assert api.replace(b"", pid).find("err").get("code") == "4"
    assert api.replace(b"nope nope nope", pid).find("err").get("code") == "5"
    other = emulator.add_user("other")
    them = Api(emulator, other["oauth_token"], other["oauth_token_secret"])
    assert them.replace(make_jpeg_bytes(seed=3), pid).find("err").get("code") == "1"
    r = api.replace(make_jpeg_bytes(seed=4), pid, **{"async": 1})
    ticket = r.findtext("ticketid")
    t = api.ok("flickr.photos.upload.checkTickets", tickets=ticket)["uploader"]["ticket"][0]
    assert t["complete"] == 1 and t["photoid"] == pid


def test_dedup_check(api):
    data = make_jpeg_bytes(seed=1)
    pid = api.upload_id(data)
    assert api.upload_id(data)  # no dedup by default
    r = api.upload(data, dedup_check=1)
    assert r.find("err").get("code") == "9" and r.findtext("duplicate_photo_id") == pid


def test_upload_without_trailing_slash(emulator, api):
    r = api.upload_raw(make_jpeg_bytes(seed=1), path="/services/upload", title="x")
    assert r.status_code == 200 and "<photoid" in r.text
    pid = re.search(r">(\d+)</photoid>", r.text).group(1)
    r = api.upload_raw(make_jpeg_bytes(seed=2), path="/services/replace", photo_id=pid)
    assert r.status_code == 200 and "<photoid" in r.text


def test_blobs_are_content_addressed_and_collected(emulator, api):
    data = make_jpeg_bytes(seed=1)
    a = api.upload_id(data)
    b = api.upload_id(data)
    sha = hashlib.sha256(data).hexdigest()
    blob = emulator.store.blob_dir / sha[:2] / sha
    assert blob.read_bytes() == data
    api.ok("flickr.photos.delete", photo_id=a)
    assert blob.exists()  # still used by b
    api.ok("flickr.photos.delete", photo_id=b)
    assert not blob.exists()
    assert list(emulator.store.tmp_dir.iterdir()) == []  # no spool left behind
