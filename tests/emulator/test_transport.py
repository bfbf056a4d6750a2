"""HTTP-level fidelity: form bodies with a charset, GET vs POST, ``Expect: 100-continue``,
HTTP/1.1 chunked request bodies (REST and upload) and the upload size cut-off."""

from __future__ import annotations

import socket
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import requests
from oauthlib.oauth1 import Client
from requests_oauthlib import OAuth1

from pycsync.emulator import EmulatorServer
from tests.support.api import Api
from tests.support.media import make_jpeg_bytes

FORM_UTF8 = "application/x-www-form-urlencoded; charset=utf-8"


def _oauth(emu) -> OAuth1:
    return OAuth1(emu.api_key, emu.api_secret, emu.oauth_token, emu.oauth_token_secret)


def _upload_auth(emu, url: str, fields: dict) -> str:
    client = Client(
        emu.api_key,
        client_secret=emu.api_secret,
        resource_owner_key=emu.oauth_token,
        resource_owner_secret=emu.oauth_token_secret,
    )
    _, headers, _ = client.sign(
        url, http_method="POST", body=urlencode(fields), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    return headers["Authorization"]


def _multipart(fields: dict, data: bytes, boundary: str) -> bytes:
    out = b""
    for k, v in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
    out += (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\n'
            f"Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return out


def _chunks(body: bytes, size: int = 4096):
    for i in range(0, len(body), size):
        yield body[i : i + size]


def test_post_form_with_charset_and_get_query(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=1))
    url = f"{emulator.endpoint}/services/rest/"
    body = urlencode(
        {
            "method": "flickr.photos.setMeta",
            "photo_id": pid,
            "title": "Café ☕ & more",
            "format": "json",
            "nojsoncallback": "1",
        }
    )
    r = requests.post(url, data=body.encode(), headers={"Content-Type": FORM_UTF8}, auth=_oauth(emulator), timeout=10)
    assert r.status_code == 200 and r.json() == {"stat": "ok"}, r.text
    # the same over GET (parameters and signature in the query string)
    r = requests.get(
        url,
        params={"method": "flickr.photos.getInfo", "photo_id": pid, "format": "json", "nojsoncallback": "1"},
        auth=_oauth(emulator),
        timeout=10,
    )
    assert r.json()["photo"]["title"]["_content"] == "Café ☕ & more"
    # unsigned GET with api_key
    r = requests.get(url, params={"method": "flickr.test.echo", "api_key": emulator.api_key, "x": "ü"}, timeout=10)
    assert ET.fromstring(r.content).findtext("x") == "ü"


def test_chunked_rest_post(emulator):
    url = f"{emulator.endpoint}/services/rest/"
    body = urlencode({"method": "flickr.test.echo", "format": "json", "nojsoncallback": "1", "foo": "bär"}).encode()
    client = Client(
        emulator.api_key,
        client_secret=emulator.api_secret,
        resource_owner_key=emulator.oauth_token,
        resource_owner_secret=emulator.oauth_token_secret,
    )
    _, signed, _ = client.sign(
        url, http_method="POST", body=body.decode(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    r = requests.post(
        url,
        data=_chunks(body, 7),
        timeout=10,
        headers={"Content-Type": FORM_UTF8, "Authorization": signed["Authorization"]},
    )
    assert r.request.headers.get("Transfer-Encoding") == "chunked"
    assert r.status_code == 200 and r.json()["foo"] == {"_content": "bär"}


def test_chunked_upload_is_accepted(emulator):
    url = f"{emulator.endpoint}/services/upload/"
    data = make_jpeg_bytes(seed=3)
    boundary = uuid.uuid4().hex
    body = _multipart({"title": "streamed"}, data, boundary)
    r = requests.post(
        url,
        data=_chunks(body),
        timeout=10,
        headers={
            "Authorization": _upload_auth(emulator, url, {"title": "streamed"}),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    assert r.request.headers.get("Transfer-Encoding") == "chunked"
    root = ET.fromstring(r.content)
    assert root.get("stat") == "ok", r.text
    pid = root.findtext("photoid")
    assert Api(emulator).fetch(Api(emulator).original_url(pid)).content == data


def test_oversized_upload_body_is_cut_off_with_code_8():
    with EmulatorServer(max_photo_bytes=10_000, max_video_bytes=10_000) as emu:
        url = f"{emu.endpoint}/services/upload/"
        boundary = uuid.uuid4().hex
        body = _multipart({"title": "big"}, make_jpeg_bytes(seed=1) + b"\0" * (1_200_000), boundary)
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        for payload in (_chunks(body, 65536), body):  # chunked, then with Content-Length
            headers["Authorization"] = _upload_auth(emu, url, {"title": "big"})
            r = requests.post(url, data=payload, headers=headers, timeout=10)
            err = ET.fromstring(r.content).find("err")
            assert err.attrib == {"code": "8", "msg": "Filesize was too large"}
        assert emu.state()["photos"] == [] and list(emu.store.tmp_dir.iterdir()) == []


def _read_response(sock: socket.socket) -> bytes:
    data = b""
    while b"</rsp>" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_expect_100_continue(emulator):
    url = f"{emulator.endpoint}/services/upload/"
    boundary = uuid.uuid4().hex
    body = _multipart({"title": "waited"}, make_jpeg_bytes(seed=4), boundary)
    head = (
        f"POST /services/upload/ HTTP/1.1\r\nHost: 127.0.0.1:{emulator.port}\r\n"
        f"Authorization: {_upload_auth(emulator, url, {'title': 'waited'})}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n"
        f"Expect: 100-continue\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=10) as sock:
        sock.sendall(head)
        interim = sock.recv(1024)  # before any body byte is sent
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        final = _read_response(sock)
    assert final.startswith(b"HTTP/1.1 200 ")  # exactly one interim response
    assert b"<photoid" in final and final.count(b"100 Continue") == 0
