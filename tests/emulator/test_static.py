"""Serving originals and derived sizes; video play URLs (docs/flickr-behaviour.md, "Sizes and URLs", "Videos")."""

from __future__ import annotations

import io

import pytest
import requests

from tests.support.api import Api
from tests.support.media import make_jpeg_bytes, make_mp4_bytes, make_png_bytes


def test_url_o_is_byte_identical_with_headers(emulator):
    api = Api(emulator)
    data = make_jpeg_bytes(seed=1, size=(300, 200))
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


def test_range_requests(emulator):
    api = Api(emulator)
    data = make_jpeg_bytes(seed=2)
    url = api.original_url(api.upload_id(data))
    r = requests.get(url, headers={"Range": "bytes=10-19"}, timeout=10)
    assert r.status_code == 206 and r.content == data[10:20]
    assert r.headers["Content-Range"] == f"bytes 10-19/{len(data)}"
    r = requests.get(url, headers={"Range": "bytes=-5"}, timeout=10)
    assert r.status_code == 206 and r.content == data[-5:]
    r = requests.get(url, headers={"Range": f"bytes={len(data)}-"}, timeout=10)
    assert r.status_code == 416


def test_wrong_secret_or_format_is_404(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_png_bytes(seed=1), "a.png")
    info = api.info(pid)
    base = f"{emulator.endpoint}/static/65535/{pid}"
    assert requests.get(f"{base}_{info['originalsecret']}_o.png", timeout=10).status_code == 200
    assert requests.get(f"{base}_{info['originalsecret']}_o.jpg", timeout=10).status_code == 404
    assert requests.get(f"{base}_0000000000_o.png", timeout=10).status_code == 404
    assert requests.get(f"{base}_{info['secret']}_o.png", timeout=10).status_code == 404
    assert requests.get(f"{base}_{info['originalsecret']}_b.jpg", timeout=10).status_code == 404
    assert requests.get(f"{emulator.endpoint}/static/65535/1_abc_o.png", timeout=10).status_code == 404


def test_download_suffix_sets_content_disposition(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=1))
    info = api.info(pid)
    r = requests.get(f"{emulator.endpoint}/static/65535/{pid}_{info['secret']}_z_d.jpg", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == f'attachment; filename="{pid}_{info["secret"]}_z.jpg"'


@pytest.mark.parametrize("brand,mime,ext", [(b"isom", "video/mp4", "mp4"), (b"qt  ", "video/quicktime", "mov")])
def test_video_original_for_its_owner_and_the_poster_for_everyone(emulator, brand, mime, ext):
    api = Api(emulator)
    data = make_mp4_bytes(seed=1, brand=brand)
    pid = api.upload_id(data, f"clip.{ext}", is_public=1)
    sizes = {s["label"]: s for s in api.ok("flickr.photos.getSizes", photo_id=pid)["sizes"]["size"]}
    info = api.info(pid)
    assert info["originalformat"] == "jpg" and info["media"] == "video"  # the poster frame's format
    assert "video" in info
    orig = sizes["Video Original"]
    assert (
        orig["source"] == f"{emulator.endpoint}/photos/{emulator.user_nsid}/{pid}/play/orig/{info['originalsecret']}/"
    )
    assert orig["media"] == "video"
    # the original video is its owner's only: a request signed by them, else not found
    assert requests.get(orig["source"], allow_redirects=False, timeout=10).status_code == 404
    assert api.fetch(orig["source"], allow_redirects=False).status_code == 302
    r = api.fetch(orig["source"])
    assert r.status_code == 200 and r.content == data
    assert r.headers["Content-Type"] == mime
    assert r.headers["Content-Disposition"] == f'attachment; filename="{pid}.{ext}"'
    other = emulator.add_user("other")
    them = Api(emulator, other["oauth_token"], other["oauth_token_secret"])
    assert them.fetch(orig["source"], allow_redirects=False).status_code == 404
    # url_o and getSizes' "Original" are the poster frame (a JPEG), as on Flickr
    p = api.ok("flickr.photos.search", user_id="me", extras="url_o")["photos"]["photo"][0]
    assert p["url_o"] == sizes["Original"]["source"] and p["url_o"].endswith(f"_{info['originalsecret']}_o.jpg")
    poster = requests.get(sizes["Original"]["source"], timeout=10)
    assert poster.status_code == 200 and poster.headers["Content-Type"] == "image/jpeg"
    assert poster.content[:3] == b"\xff\xd8\xff"
    # others get the renditions Flickr lists (recorded 2024), but not the Video Original
    anon = Api(emulator, signed=False)
    listed = {s["label"]: s for s in anon.ok("flickr.photos.getSizes", photo_id=pid)["sizes"]["size"]}
    assert "Video Original" not in listed
    assert [label for label in listed if listed[label]["media"] == "video"] == ["Video Player", "700", "iphone_wifi"]
    assert (listed["700"]["width"], listed["700"]["height"]) == (None, None)
    assert requests.get(listed["700"]["source"], timeout=10).content == data
    # a wrong originalsecret is a 404
    bad = orig["source"].replace(info["originalsecret"], "0000000000")
    assert api.fetch(bad).status_code == 404


def test_big_sizes_have_secrets_of_their_own(emulator):
    """Large 1600 / 2048 (and the X-Large sizes) use their own secret in the URL (recorded 2017)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2500, 1500), (5, 6, 7)).save(out, "JPEG")
    api = Api(emulator)
    pid = api.upload_id(out.getvalue())
    info = api.info(pid)
    sizes = {s["label"]: s["source"] for s in api.ok("flickr.photos.getSizes", photo_id=pid)["sizes"]["size"]}
    assert f"_{info['secret']}_b.jpg" in sizes["Large"]
    for label, suffix in (("Large 1600", "h"), ("Large 2048", "k")):
        assert info["secret"] not in sizes[label] and sizes[label].endswith(f"_{suffix}.jpg")
        assert requests.get(sizes[label], timeout=10).status_code == 200
        assert (
            requests.get(sizes[label].replace(sizes[label].split("_")[-2], info["secret"]), timeout=10).status_code
            == 404
        )


def test_large_file_streams(emulator, tmp_path):
    api = Api(emulator)
    big = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(range(256)) * (12 * 4096)  # ~12 MB
    pid = api.upload_id(big, "big.mp4")
    with api.fetch(api.original_url(pid), stream=True) as r:
        got = b"".join(r.iter_content(1 << 20))
    assert got == big
