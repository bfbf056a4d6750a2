"""Serving originals and derived sizes; video play URLs (contract section 5.1)."""

from __future__ import annotations

import pytest
import requests

from pycsync.emulator import EmulatorServer

from .helpers import Api


def test_url_o_is_byte_identical_with_headers(emulator, make_jpeg):
    api = Api(emulator)
    data = make_jpeg(seed=1, size=(300, 200))
    pid = api.upload_id(data)
    p = api.ok("flickr.photos.search", user_id="me", extras="url_o")["photos"]["photo"][0]
    r = requests.get(p["url_o"], timeout=10)
    assert r.status_code == 200 and r.content == data
    assert r.headers["Content-Type"] == "image/jpeg" and r.headers["Content-Length"] == str(len(data))
    h = requests.head(p["url_o"], timeout=10)
    assert h.status_code == 200 and h.headers["Content-Length"] == str(len(data)) and h.content == b""
    assert emulator.calls()["static"] == 2
    # derived sizes serve bytes too
    sizes = api.ok("flickr.photos.getSizes", photo_id=pid)["sizes"]["size"]
    small = next(s for s in sizes if s["label"] == "Small")
    assert requests.get(small["source"], timeout=10).status_code == 200


def test_range_requests(emulator, make_jpeg):
    api = Api(emulator)
    data = make_jpeg(seed=2)
    url = api.original_url(api.upload_id(data))
    r = requests.get(url, headers={"Range": "bytes=10-19"}, timeout=10)
    assert r.status_code == 206 and r.content == data[10:20]
    assert r.headers["Content-Range"] == f"bytes 10-19/{len(data)}"
    r = requests.get(url, headers={"Range": "bytes=-5"}, timeout=10)
    assert r.status_code == 206 and r.content == data[-5:]
    r = requests.get(url, headers={"Range": f"bytes={len(data)}-"}, timeout=10)
    assert r.status_code == 416


def test_wrong_secret_or_format_is_404(emulator, make_png):
    api = Api(emulator)
    pid = api.upload_id(make_png(seed=1), "a.png")
    info = api.info(pid)
    base = f"{emulator.endpoint}/static/65535/{pid}"
    assert requests.get(f"{base}_{info['originalsecret']}_o.png", timeout=10).status_code == 200
    assert requests.get(f"{base}_{info['originalsecret']}_o.jpg", timeout=10).status_code == 404
    assert requests.get(f"{base}_0000000000_o.png", timeout=10).status_code == 404
    assert requests.get(f"{base}_{info['secret']}_o.png", timeout=10).status_code == 404
    assert requests.get(f"{base}_{info['originalsecret']}_b.jpg", timeout=10).status_code == 404
    assert requests.get(f"{emulator.endpoint}/static/65535/1_abc_o.png", timeout=10).status_code == 404


def test_download_suffix_sets_content_disposition(emulator, make_jpeg):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg(seed=1))
    info = api.info(pid)
    r = requests.get(f"{emulator.endpoint}/static/65535/{pid}_{info['secret']}_z_d.jpg", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == f'attachment; filename="{pid}_{info["secret"]}_z.jpg"'


@pytest.mark.parametrize("brand,mime,ext", [(b"isom", "video/mp4", "mp4"), (b"qt  ", "video/quicktime", "mov")])
def test_video_original_redirect_and_real_type(emulator, make_mp4, brand, mime, ext):
    api = Api(emulator)
    data = make_mp4(seed=1, brand=brand)
    pid = api.upload_id(data, f"clip.{ext}")
    sizes = {s["label"]: s for s in api.ok("flickr.photos.getSizes", photo_id=pid)["sizes"]["size"]}
    info = api.info(pid)
    assert info["originalformat"] == "jpg" and info["media"] == "video"
    assert "video" in info
    orig = sizes["Video Original"]
    assert (
        orig["source"] == f"{emulator.endpoint}/photos/{emulator.user_nsid}/{pid}/play/orig/{info['originalsecret']}/"
    )
    assert orig["media"] == "video"
    r = requests.get(orig["source"], allow_redirects=False, timeout=10)
    assert r.status_code == 302
    r = requests.get(orig["source"], timeout=10)
    assert r.status_code == 200 and r.content == data
    assert r.headers["Content-Type"] == mime
    assert r.headers["Content-Disposition"] == f'attachment; filename="{pid}.{ext}"'
    # url_o points at the playable original (pycsync downloads by url_o)
    p = api.ok("flickr.photos.search", user_id="me", extras="url_o")["photos"]["photo"][0]
    assert p["url_o"] == orig["source"]
    # the static _o.jpg URL is the poster frame
    poster = requests.get(sizes["Original"]["source"], timeout=10)
    assert poster.status_code == 200 and poster.headers["Content-Type"] == "image/jpeg"
    assert poster.content[:3] == b"\xff\xd8\xff"
    # only the owner is offered the Video Original
    api.ok("flickr.photos.setPerms", photo_id=pid, is_public=1, is_friend=0, is_family=0)
    anon = Api(emulator, signed=False)
    labels = [s["label"] for s in anon.ok("flickr.photos.getSizes", photo_id=pid)["sizes"]["size"]]
    assert "Video Original" not in labels and "Site MP4" in labels
    # a wrong originalsecret is a 404
    bad = orig["source"].replace(info["originalsecret"], "0000000000")
    assert requests.get(bad, timeout=10).status_code == 404


def test_video_original_format_real(make_mp4):
    with EmulatorServer(video_original_format="real") as emu:
        api = Api(emu)
        data = make_mp4(seed=4)
        pid = api.upload_id(data, "v.mp4")
        info = api.info(pid)
        assert info["originalformat"] == "mp4"
        r = requests.get(f"{emu.endpoint}/static/65535/{pid}_{info['originalsecret']}_o.mp4", timeout=10)
        assert r.content == data and r.headers["Content-Type"] == "video/mp4"


def test_large_file_streams(emulator, tmp_path):
    api = Api(emulator)
    big = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(range(256)) * (12 * 4096)  # ~12 MB
    pid = api.upload_id(big, "big.mp4")
    with requests.get(api.original_url(pid), stream=True, timeout=30) as r:
        got = b"".join(r.iter_content(1 << 20))
    assert got == big
