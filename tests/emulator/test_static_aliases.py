"""Static file serving under Flickr's host path forms, with HEAD, Range and the ``_d`` download suffix."""

from __future__ import annotations

import pytest
import requests

from tests.support.api import Api
from tests.support.media import make_jpeg_bytes


@pytest.fixture
def photo(emulator):
    api = Api(emulator)
    data = make_jpeg_bytes(seed=7, size=(90, 60))
    pid = api.upload_id(data)
    info = api.info(pid)
    return data, pid, info["secret"], info["originalsecret"]


@pytest.mark.parametrize("prefix", ["/static", "", "/farm66", "/static/farm66"])
def test_original_under_every_path_form(emulator, photo, prefix):
    data, pid, secret, osecret = photo
    base = f"{emulator.endpoint}{prefix}/65535/{pid}"
    r = requests.get(f"{base}_{osecret}_o.jpg", timeout=10)
    assert r.status_code == 200 and r.content == data and r.headers["Content-Type"] == "image/jpeg"
    assert requests.get(f"{base}_{secret}_z.jpg", timeout=10).status_code == 200
    assert requests.get(f"{base}_{secret}.jpg", timeout=10).status_code == 200
    assert requests.get(f"{base}_{secret}_o.jpg", timeout=10).status_code == 404  # wrong secret for _o
    assert requests.get(f"{emulator.endpoint}{prefix}/65535/1_{osecret}_o.jpg", timeout=10).status_code == 404


def test_live_path_host_swap(emulator, photo):
    """A client that rewrites only the host of a live.staticflickr.com URL gets the bytes."""
    data, pid, _, osecret = photo
    live = f"https://live.staticflickr.com/65535/{pid}_{osecret}_o.jpg"
    swapped = live.replace("https://live.staticflickr.com", emulator.endpoint)
    assert requests.get(swapped, timeout=10).content == data
    farm = f"https://farm66.staticflickr.com/65535/{pid}_{osecret}_o.jpg"
    assert requests.get(farm.replace("https://farm66.staticflickr.com", emulator.endpoint), timeout=10).content == data


def test_head_and_ranges_on_alias(emulator, photo):
    data, pid, _, osecret = photo
    url = f"{emulator.endpoint}/65535/{pid}_{osecret}_o.jpg"
    h = requests.head(url, timeout=10)
    assert h.status_code == 200 and h.content == b"" and h.headers["Content-Length"] == str(len(data))
    assert h.headers["Accept-Ranges"] == "bytes"
    r = requests.get(url, headers={"Range": "bytes=0-9"}, timeout=10)
    assert r.status_code == 206 and r.content == data[:10]
    assert r.headers["Content-Range"] == f"bytes 0-9/{len(data)}" and r.headers["Content-Length"] == "10"
    r = requests.get(url, headers={"Range": "bytes=100-"}, timeout=10)
    assert r.status_code == 206 and r.content == data[100:]
    r = requests.get(url, headers={"Range": f"bytes=0-{len(data) + 500}"}, timeout=10)  # end clipped to the size
    assert r.status_code == 206 and r.content == data
    r = requests.get(url, headers={"Range": f"bytes={len(data) + 1}-{len(data) + 9}"}, timeout=10)
    assert r.status_code == 416 and r.headers["Content-Range"] == f"bytes */{len(data)}"
    h = requests.head(url, headers={"Range": "bytes=5-9"}, timeout=10)
    assert h.status_code == 206 and h.headers["Content-Length"] == "5" and h.content == b""
    for ignored in ("bytes=0-1,5-6", "bytes=9-5", "items=0-5", "bytes=x-y"):  # multi-range / invalid: whole file
        r = requests.get(url, headers={"Range": ignored}, timeout=10)
        assert r.status_code == 200 and r.content == data, ignored
    assert requests.post(url, timeout=10).status_code == 405


def test_download_suffix_on_original_and_alias(emulator, photo):
    data, pid, secret, osecret = photo
    r = requests.get(f"{emulator.endpoint}/65535/{pid}_{osecret}_o_d.jpg", timeout=10)
    assert r.status_code == 200 and r.content == data
    assert r.headers["Content-Disposition"] == f'attachment; filename="{pid}_{osecret}_o.jpg"'
    r = requests.get(f"{emulator.endpoint}/static/65535/{pid}_{secret}_d.jpg", timeout=10)  # Medium, as a download
    assert r.headers["Content-Disposition"] == f'attachment; filename="{pid}_{secret}.jpg"'
    plain = requests.get(f"{emulator.endpoint}/static/65535/{pid}_{osecret}_o.jpg", timeout=10)
    assert "Content-Disposition" not in plain.headers
