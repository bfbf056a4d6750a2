"""Fault injection: every kind of rule is proven to fire."""

from __future__ import annotations

import json
import time

import pytest
import requests

from pycsync.emulator import EmulatorServer
from pycsync.emulator.faults import FaultConfigError, FaultEngine
from tests.support.api import Api, control
from tests.support.media import make_jpeg_bytes


def test_error_action_rest_json_and_nothing_applied(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=1))
    emulator.set_faults(
        [
            {
                "match": "flickr.photosets.create",
                "every": 1,
                "action": {"error": 105, "message": "Service currently unavailable"},
            }
        ]
    )
    body = api.call("flickr.photosets.create", title="x", primary_photo_id=pid)
    assert body == {"stat": "fail", "code": 105, "message": "Service currently unavailable"}
    root = api.xml("flickr.photosets.create", title="x", primary_photo_id=pid)
    assert root.find("err").get("code") == "105"
    assert emulator.state()["albums"] == []
    assert [r["fired"] for r in emulator.faults()] == [2]
    recent = emulator.recent_calls()[-1]
    assert recent["name"] == "flickr.photosets.create" and recent["fault"] == "error" and recent["status"] == 200


def test_error_action_on_upload_is_xml(emulator):
    emulator.set_faults([{"match": "upload", "action": {"error": 3}}])
    root = Api(emulator).upload(make_jpeg_bytes(seed=1))
    assert root.get("stat") == "fail" and root.find("err").get("code") == "3"
    assert root.find("err").get("msg") == "General upload failure"
    assert emulator.state()["photos"] == []


@pytest.mark.parametrize("status", [500, 502, 503])
def test_http_action(emulator, status):
    emulator.set_faults([{"match": "flickr.test.login", "max": 1, "action": {"http": status}}])
    api = Api(emulator)
    r = api.raw("flickr.test.login")
    assert r.status_code == status and r.headers["Content-Type"].startswith("text/html")
    assert str(status) in r.text
    assert api.raw("flickr.test.login").status_code == 200  # max=1
    assert emulator.calls()["flickr.test.login"] == 2


def test_429_with_retry_after(emulator):
    emulator.set_faults([{"match": "oauth", "action": {"http": 429, "retry_after": 7}}])
    r = requests.get(f"{emulator.endpoint}/services/oauth/request_token", timeout=10)
    assert r.status_code == 429 and r.headers["Retry-After"] == "7" and "<html>" in r.text.lower()


def test_latency_actions():
    with EmulatorServer(latency_ms=150) as emu:
        api = Api(emu)
        t0 = time.perf_counter()
        api.ok("flickr.test.login")
        assert time.perf_counter() - t0 >= 0.15
        emu.set_faults([{"match": "flickr.test.echo", "action": {"latency_ms": 300}}])
        t0 = time.perf_counter()
        api.ok("flickr.test.echo")
        assert time.perf_counter() - t0 >= 0.45
        assert emu.recent_calls()[-1]["fault"] == "latency"


def test_reset_drops_the_connection_and_applies_nothing(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=1))
    emulator.set_faults([{"match": "flickr.photos.setMeta", "action": {"reset": True}}])
    with pytest.raises(requests.exceptions.ConnectionError):
        api.raw("flickr.photos.setMeta", photo_id=pid, title="changed")
    emulator.set_faults([])
    assert api.info(pid)["title"]["_content"] == "photo"
    assert emulator.recent_calls()[-2]["fault"] == "reset"


def test_reset_on_upload(emulator):
    emulator.set_faults([{"match": "upload", "every": 1, "max": 1, "action": {"reset": True}}])
    api = Api(emulator)
    with pytest.raises(requests.exceptions.ConnectionError):
        api.upload_raw(make_jpeg_bytes(seed=1, size=(400, 400)))
    assert emulator.state()["photos"] == []
    assert api.upload(make_jpeg_bytes(seed=1)).get("stat") == "ok"


def test_apply_then_drop_commits_the_change(emulator):
    emulator.set_faults([{"match": "upload", "max": 1, "action": {"apply_then_drop": True}}])
    api = Api(emulator)
    with pytest.raises(requests.exceptions.ConnectionError):
        api.upload_raw(make_jpeg_bytes(seed=1), title="landed anyway")
    photos = emulator.state()["photos"]
    assert [p["title"] for p in photos] == ["landed anyway"]
    assert emulator.recent_calls()[-1]["status"] == "dropped"


def test_truncate_sends_half_the_body(emulator):
    api = Api(emulator)
    data = make_jpeg_bytes(seed=1, size=(200, 200))
    pid = api.upload_id(data)
    url = api.original_url(pid)
    emulator.set_faults([{"match": "static", "action": {"truncate": True}}])
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        requests.get(url, timeout=10)
    # at the socket level: the full Content-Length is announced, half the body arrives
    import socket
    from urllib.parse import urlsplit

    u = urlsplit(url)
    with socket.create_connection((u.hostname, u.port), timeout=10) as s:
        s.sendall(f"GET {u.path} HTTP/1.1\r\nHost: {u.netloc}\r\n\r\n".encode())
        raw = b""
        while chunk := s.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    assert f"Content-Length: {len(data)}".encode() in head
    assert len(body) == len(data) // 2 and body == data[: len(data) // 2]
    # a truncated REST write is still applied
    emulator.set_faults([{"match": "flickr.photos.setMeta", "action": {"truncate": True}}])
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        api.raw("flickr.photos.setMeta", photo_id=pid, title="applied")
    emulator.set_faults([])
    assert api.info(pid)["title"]["_content"] == "applied"


def test_rate_limit(emulator):
    emulator.set_faults([{"rate_limit": {"calls": 3, "seconds": 1}}])
    api = Api(emulator)
    codes = [api.raw("flickr.test.echo").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    r = api.raw("flickr.test.echo")
    assert int(r.headers["Retry-After"]) >= 1 and "<html>" in r.text.lower()
    time.sleep(1.1)
    assert api.raw("flickr.test.echo").status_code == 200


def test_search_lag(emulator, flickr_clock):
    api = Api(emulator)
    old = api.upload_id(make_jpeg_bytes(seed=1))
    emulator.set_faults([{"search_lag_seconds": 1.0}])
    new = api.upload_id(make_jpeg_bytes(seed=2))

    def visible():
        out = {}
        out["search"] = [p["id"] for p in api.ok("flickr.photos.search", user_id="me")["photos"]["photo"]]
        out["notinset"] = [p["id"] for p in api.ok("flickr.photos.getNotInSet")["photos"]["photo"]]
        out["recent"] = [p["id"] for p in api.ok("flickr.photos.recentlyUpdated", min_date="0")["photos"]["photo"]]
        out["people"] = [p["id"] for p in api.ok("flickr.people.getPhotos", user_id="me")["photos"]["photo"]]
        return out

    assert all(v == [old] for v in visible().values())
    assert api.info(new)["id"] == new  # direct reads are not lagged
    flickr_clock.advance(0.9)
    assert all(v == [old] for v in visible().values())
    flickr_clock.advance(0.1)
    assert all(v == [new, old] for v in visible().values())


def test_probability_is_seeded_and_every_after_max():
    def fired(seed):
        eng = FaultEngine([{"match": "*", "probability": 0.3, "action": {"http": 500}}], seed=seed)
        return [eng.decide("x").kind for _ in range(50)]

    a, b = fired(1), fired(1)
    assert a == b and 5 < a.count("http") < 30
    assert fired(2) != a
    eng = FaultEngine([{"match": "upload", "after": 1, "every": 2, "max": 2, "action": {"http": 503}}])
    got = [eng.decide("upload").kind for _ in range(8)]
    assert got == [None, None, "http", None, "http", None, None, None]
    assert eng.decide("flickr.test.login").kind is None
    info = eng.rules_info()[0]
    assert info["fired"] == 2 and info["matched"] == 8


def test_match_forms():
    eng = FaultEngine(
        [
            {"match": "flickr.photosets.*", "action": {"error": 1}},
            {"match": ["static", "oauth"], "action": {"http": 500}},
            {"match": "rest", "action": {"http": 502}},
        ]
    )
    assert eng.decide("flickr.photosets.create").kind == "error"
    assert eng.decide("oauth/access_token").kind == "http"
    assert eng.decide("static").action["http"] == 500
    assert eng.decide("flickr.test.login").action["http"] == 502
    assert eng.decide("upload").kind is None


def test_invalid_rules_rejected():
    with pytest.raises(FaultConfigError):
        FaultEngine([{"match": "x"}])
    with pytest.raises(FaultConfigError):
        FaultEngine([{"action": {"http": 200}}])
    with pytest.raises(FaultConfigError):
        FaultEngine([{"action": {"http": 500, "reset": True}}])


def test_faults_from_json_file_and_control_endpoint(tmp_path):
    path = tmp_path / "faults.json"
    path.write_text(json.dumps([{"match": "flickr.test.echo", "action": {"error": 201}}]))
    with EmulatorServer(faults=str(path), seed=3) as emu:
        api = Api(emu)
        assert api.call("flickr.test.echo")["code"] == 201
        rules = control(emu, "faults").json()["rules"]
        assert rules[0]["fired"] == 1 and rules[0]["match"] == "flickr.test.echo"
        r = control(emu, "faults", "POST", {"rules": [{"match": "flickr.test.echo", "http": 503}]})
        assert r.status_code == 200
        assert api.raw("flickr.test.echo").status_code == 503
        assert control(emu, "faults", "POST", {"rules": [{"match": "x"}]}).status_code == 400
        control(emu, "faults", "POST", {"rules": []})
        assert api.call("flickr.test.echo")["stat"] == "ok"
