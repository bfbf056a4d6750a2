"""Transport against a scripted local HTTP server: retries/backoff (fake sleep), 429
Retry-After, OutcomeUnknown for non-idempotent writes, connect errors, signing on the wire,
streaming multipart uploads and downloads."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import io
import json
import logging
import re
import threading
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import pytest

from pycsync.flickr import (
    ApiError,
    AuthError,
    Endpoints,
    FileChanged,
    FlickrClient,
    HttpError,
    OutcomeUnknown,
    PermanentUploadError,
    RateLimited,
    TransientError,
    Unreachable,
    transport,
)
from pycsync.flickr.redact import REDACTED
from tests.support.flickr_stub import CREDS, FakeClock, Reply, json_fail, json_ok, xml_reply
from tests.support.net import free_port


def make_client(stub, clock: FakeClock | None = None, **kw) -> FlickrClient:
    clock = clock or FakeClock()
    kw.setdefault("calls_per_hour", None)
    return FlickrClient(Endpoints.for_base(stub.base), CREDS, sleep=clock.sleep, clock=clock, random=lambda: 0.5, **kw)


def verify_signature(rec, base_url, extra_params):
    """Server-side RFC 5849 check of a recorded request (independent implementation)."""
    auth = rec.headers["Authorization"]
    hp = {k: unquote(v) for k, v in re.findall(r'(\w+)="([^"]*)"', auth)}
    sig = hp.pop("oauth_signature")
    params = list(hp.items()) + list(extra_params)
    query = urlsplit(rec.path).query
    params += parse_qsl(query, keep_blank_values=True)

    def enc(s):
        return quote(str(s), safe="-._~")

    norm = "&".join(f"{k}={v}" for k, v in sorted((enc(k), enc(v)) for k, v in params))
    base = "&".join([rec.method, enc(base_url), enc(norm)])
    key = f"{enc(CREDS.api_secret)}&{enc(CREDS.token_secret)}"
    expected = base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest())
    assert sig == expected.decode()
    assert hp["oauth_consumer_key"] == CREDS.api_key and hp["oauth_token"] == CREDS.token


def test_read_is_signed_get_with_json_format(stub):
    stub.push(json_ok({"user": {"id": "1@N01", "username": {"_content": "bob"}}}))
    c = make_client(stub)
    login = c.test_login()
    assert (login.user_nsid, login.username) == ("1@N01", "bob")
    assert c.user_nsid == "1@N01"
    rec = stub.requests[0]
    assert rec.method == "GET"
    q = dict(parse_qsl(urlsplit(rec.path).query))
    assert q == {"method": "flickr.test.login", "format": "json", "nojsoncallback": "1"}
    verify_signature(rec, stub.base + "/services/rest/", [])
    assert c.stats.calls_by_method == {"flickr.test.login": 1}
    assert c.stats.bytes_down > 0


def test_write_is_signed_post_form(stub):
    stub.push(json_ok())
    c = make_client(stub)
    c.set_meta("123", title="Zürich & co", description="")
    rec = stub.requests[0]
    assert rec.method == "POST"
    assert rec.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = parse_qsl(rec.body.decode(), keep_blank_values=True)
    assert dict(form) == {
        "method": "flickr.photos.setMeta",
        "photo_id": "123",
        "title": "Zürich & co",
        "description": "",
        "format": "json",
        "nojsoncallback": "1",
    }
    verify_signature(rec, stub.base + "/services/rest/", form)
    assert c.stats.bytes_up == len(rec.body)


def test_retries_5xx_with_full_jitter_backoff(stub):
    clock = FakeClock()
    stub.push(
        Reply(503, "<html>busy</html>"),
        Reply(502, "<html>bad gw</html>"),
        json_ok({"user": {"id": "1@N01", "username": {"_content": "u"}}}),
    )
    c = make_client(stub, clock)
    assert c.test_login().user_nsid == "1@N01"
    # random() = 0.5 -> 0.5 * min(60, 1 * 2**attempt)
    assert clock.sleeps == [0.5, 1.0]
    assert c.stats.retries == 2
    assert c.stats.calls_by_method["flickr.test.login"] == 3


def test_each_retry_is_logged_with_its_reason_number_and_wait(stub, caplog):
    stub.push(
        Reply(503, "<html>busy</html>"), Reply(429, "<html/>", {"Retry-After": "7"}), json_ok({"user": {"id": "1"}})
    )
    with caplog.at_level(logging.INFO, logger="pycsync.flickr"):
        make_client(stub).test_login()
    assert [r.getMessage() for r in caplog.records if r.name == "pycsync.flickr"] == [
        "flickr flickr.test.login: flickr.test.login: HTTP 503; retry 1/5 in 0.5s",
        "flickr flickr.test.login: flickr.test.login: HTTP 429 Too Many Requests; retry 2/5 in 7.0s",
    ]


def test_a_retry_after_of_zero_retries_at_once(stub):
    clock = FakeClock()
    stub.push(Reply(429, "<html/>", {"Retry-After": "0"}), json_ok({"user": {"id": "1"}}))
    make_client(stub, clock).test_login()
    assert clock.sleeps == [0.0]


def test_backoff_is_capped_and_gives_up_after_max_retries(stub):
    clock = FakeClock()
    stub.default = Reply(500, "boom")
    c = make_client(stub, clock, max_retries=8, backoff_cap=10)
    with pytest.raises(TransientError) as ei:
        c.call("flickr.photos.getInfo", photo_id="1")
    assert ei.value.status == 500
    assert clock.sleeps == [0.5, 1, 2, 4, 5, 5, 5, 5]
    assert len(stub.requests) == 9


def test_transient_api_codes_retried(stub):
    clock = FakeClock()
    stub.push(
        json_fail(201, "Sorry, the Flickr API service is not currently available."),
        json_fail(105, "Service currently unavailable"),
        json_ok({"photo": {"id": "1"}}),
    )
    c = make_client(stub, clock)
    assert c.photo_info("1").photo_id == "1"
    assert len(clock.sleeps) == 2


def test_429_retry_after_pauses_the_shared_limiter(stub):
    clock = FakeClock()
    stub.push(Reply(429, "<html>Too Many Requests</html>", {"Retry-After": "30"}), json_ok({"photo": {"id": "1"}}))
    c = make_client(stub, clock, calls_per_hour=3000)
    t0 = clock.now
    c.photo_info("1")
    assert clock.sleeps[0] == 30
    assert clock.now - t0 >= 30
    assert c.limiter.total_acquired == 2


def test_retry_after_pauses_every_caller_not_only_the_one_it_answered(stub):
    """Two workers share one client. Worker 1's call is answered 429 with Retry-After: 30; at
    that moment worker 2 starts a call: its request must not leave before the 30 s are over."""
    clock = FakeClock()
    sent_at: dict[str, float] = {}

    def answer(photo_id):
        def reply(rec):
            sent_at[photo_id] = clock.now
            return json_ok({"photo": {"id": photo_id}})

        return reply

    stub.push(Reply(429, "<html>Too Many Requests</html>", {"Retry-After": "30"}), answer("2"), answer("1"))

    def sleep(seconds):  # each sleeper wakes at its own deadline on one shared clock
        until = clock.now + seconds
        clock.sleeps.append(seconds)
        if len(clock.sleeps) == 1:  # worker 1 starts waiting: worker 2 comes along now
            assert c.photo_info("2").photo_id == "2"
        clock.now = max(clock.now, until)

    c = FlickrClient(Endpoints.for_base(stub.base), CREDS, sleep=sleep, clock=clock, calls_per_hour=3000)
    t0 = clock.now
    assert c.photo_info("1").photo_id == "1"
    assert sent_at["2"] >= t0 + 30, "worker 2 did not wait for the pause"
    assert sent_at["1"] == t0 + 30
    assert clock.sleeps == [30, 30]


def test_non_idempotent_write_not_retried_on_5xx(stub):
    clock = FakeClock()
    stub.push(Reply(500, "oops"), json_ok({"photoset": {"id": "7"}}))
    c = make_client(stub, clock)
    with pytest.raises(OutcomeUnknown):
        c.create_album("t", "1")
    assert len(stub.requests) == 1 and clock.sleeps == []


def test_non_idempotent_write_retried_when_surely_not_applied(stub):
    clock = FakeClock()
    stub.push(
        Reply(429, "slow down"),
        json_fail(106, "Write operation failed"),
        json_ok({"photoset": {"id": "72157000000000001", "url": "u"}}),
    )
    c = make_client(stub, clock)
    assert c.create_album("t", "1", "d") == "72157000000000001"
    assert len(stub.requests) == 3


def test_non_idempotent_dropped_connection_is_outcome_unknown(stub):
    stub.push(Reply(action="drop"), json_ok({"photoset": {"id": "7"}}))
    c = make_client(stub)
    with pytest.raises(OutcomeUnknown):
        c.create_album("t", "1")
    assert len(stub.requests) == 1


def test_idempotent_dropped_and_truncated_are_retried(stub):
    stub.push(
        Reply(action="drop"),
        Reply(200, json.dumps({"stat": "ok", "photo": {"id": "1"}}), action="truncate"),
        json_ok({"photo": {"id": "1"}}),
    )
    c = make_client(stub)
    assert c.photo_info("1").photo_id == "1"
    assert len(stub.requests) == 3
    assert c.stats.retries == 2


def test_connect_error_is_transient_and_retried():
    clock = FakeClock()
    ep = Endpoints.for_base(f"http://127.0.0.1:{free_port()}")
    c = FlickrClient(ep, CREDS, calls_per_hour=None, sleep=clock.sleep, clock=clock, max_retries=2, random=lambda: 1.0)
    with pytest.raises(TransientError) as ei:
        c.create_album("t", "1")  # non-idempotent, but surely not sent: retried
    assert not isinstance(ei.value, OutcomeUnknown)
    assert clock.sleeps == [1.0, 2.0]
    assert "ck-123" not in str(ei.value) and "72157-tok" not in str(ei.value)


def test_auth_errors(stub):
    stub.push(
        Reply(401, "oauth_problem=token_rejected", {"Content-Type": "text/plain"}),
        json_fail(98, "Invalid auth token"),
        json_fail(99, "Insufficient permissions. Method requires write privileges; read granted."),
    )
    c = make_client(stub)
    with pytest.raises(AuthError) as ei:
        c.test_login()
    assert ei.value.problem == "token_rejected" and ei.value.status == 401
    with pytest.raises(AuthError) as ei:
        c.test_login()
    assert ei.value.code == 98
    with pytest.raises(AuthError) as ei:
        c.add_tags("1", ["x"])
    assert ei.value.code == 99
    assert len(stub.requests) == 3  # never retried


def test_benign_error_codes_treated_as_success(stub):
    stub.push(
        json_fail(3, "Photo already in set"),
        json_fail(1, "Photo not found"),
        json_fail(3, "Photo not in set"),
        json_fail(1, "Photoset not found"),
        json_fail(1, "Tag not found"),
    )
    c = make_client(stub)
    c.add_to_album("s", "p")
    c.delete_photo("p")
    c.remove_from_album("s", ["p", "q"])
    c.delete_album("s")
    c.remove_tag("1-2-3")
    form = dict(parse_qsl(stub.requests[2].body.decode()))
    assert form["method"] == "flickr.photosets.removePhotos" and form["photo_ids"] == "p,q"
    stub.push(json_fail(2, "Photo not found"))
    with pytest.raises(ApiError) as ei:
        c.add_to_album("s", "p")
    assert ei.value.code == 2


def parse_multipart(rec):
    msg = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + rec.headers["Content-Type"].encode() + b"\r\n\r\n" + rec.body
    )
    fields, files = {}, {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        fn = part.get_filename()
        if fn is not None:
            files[name] = (fn, part.get_content_type(), part.get_payload(decode=True))
        else:
            fields[name] = part.get_payload(decode=True).decode("utf-8")
    return fields, files


def test_upload_multipart_streaming_signed_without_photo(stub, tmp_path):
    data = bytes(range(256)) * 4096  # 1 MiB
    f = tmp_path / "IMG 0001.jpg"
    f.write_bytes(data)
    stub.push(xml_reply('<photoid secret="abc" originalsecret="def">53637883806</photoid>'))
    c = make_client(stub)
    seen = []
    r = c.upload(
        f,
        title="IMG 0001",
        description="déjà vu",
        tags=["a", "central station", "checksum:md5=ff"],
        is_public=1,
        hidden=2,
        progress=seen.append,
    )
    assert (r.photo_id, r.secret, r.original_secret) == ("53637883806", "abc", "def")
    rec = stub.requests[0]
    assert rec.path == "/services/upload/"
    assert int(rec.headers["Content-Length"]) == len(rec.body)
    fields, files = parse_multipart(rec)
    assert fields == {
        "title": "IMG 0001",
        "description": "déjà vu",
        "tags": 'a "central station" checksum:md5=ff',
        "is_public": "1",
        "is_friend": "0",
        "is_family": "0",
        "hidden": "2",
    }
    assert files["photo"][0] == "IMG 0001.jpg" and files["photo"][1] == "image/jpeg"
    assert files["photo"][2] == data
    verify_signature(rec, stub.base + "/services/upload/", fields.items())
    assert seen and seen[-1] == len(data) and seen == sorted(seen)
    assert {type(n) for n in seen} == {int}  # bytes, counted whole
    assert c.stats.calls_by_method == {"upload": 1}
    assert c.stats.bytes_up == len(rec.body)


def test_an_open_file_is_sent_whole_on_every_attempt_with_its_fields_as_flickr_reads_them(stub, tmp_path):
    data = bytes(range(256)) * 64
    (tmp_path / "blob").write_bytes(data)
    stub.push(Reply(429, "<html/>", {"Retry-After": "0"}), xml_reply("<photoid>9</photoid>"))
    c = make_client(stub)
    fields = [("is_public", True), ("is_friend", False), ("title", None), ("safety_level", 2)]
    with open(tmp_path / "blob", "rb") as opened:
        opened.read(100)  # wherever the caller left it
        assert c.transport.upload(stub.base + "/services/upload/", fields, opened).photo_id == "9"
    assert len(stub.requests) == 2
    for rec in stub.requests:
        assert parse_multipart(rec) == (
            {"is_public": "1", "is_friend": "0", "safety_level": "2"},
            {"photo": ("photo", "application/octet-stream", data)},
        )
    assert c.stats.calls_by_method == {"upload": 2}


def test_a_body_of_fixed_length_sends_what_the_file_held_when_it_was_measured(tmp_path):
    (tmp_path / "a.jpg").write_bytes(b"0123456789")
    with open(tmp_path / "a.jpg", "rb") as fh:
        body = transport._FixedLength(fh, 6, "a.jpg", "replace")
        assert (body.len, body.read(0), body.read(4), body.len) == (6, b"", b"0123", 2)
        assert (body.read(), body.len, body.read(), body.read(5)) == (b"45", 0, b"", b"")  # not the 4 bytes more
        for rest in (None, -1):
            fh.seek(0)
            assert transport._FixedLength(fh, 10, "a.jpg", "replace").read(rest) == b"0123456789"


def test_a_file_that_shrinks_while_it_is_sent_is_never_sent_short(tmp_path):
    (tmp_path / "a.jpg").write_bytes(b"0123456789")
    with open(tmp_path / "a.jpg", "rb") as fh:
        body = transport._FixedLength(fh, 20, "A/a.jpg", "replace")
        assert (body.read(8), body.read(8)) == (b"01234567", b"89")
        with pytest.raises(FileChanged) as changed:
            body.read(8)
    assert (str(changed.value), changed.value.path, changed.value.method) == (
        "A/a.jpg changed while it was being sent",
        "A/a.jpg",
        "replace",
    )


def test_the_debug_log_shows_each_request_its_outcome_and_never_a_secret(stub, tmp_path, caplog):
    (tmp_path / "a.jpg").write_bytes(b"\xff\xd8" + b"\0" * 98)
    stub.push(xml_reply("<photoid>5</photoid>"), Reply(200, "", action="drop"))
    c = make_client(stub, max_retries=0)
    with caplog.at_level(logging.DEBUG, logger="pycsync.flickr"):
        c.upload(tmp_path / "a.jpg", title="a")
        with pytest.raises(OutcomeUnknown) as lost:
            c.upload(tmp_path / "a.jpg", title="a")
    assert lost.value.method == "upload"
    lines = [r.getMessage() for r in caplog.records if r.name == "pycsync.flickr"]
    sent = len(stub.requests[0].body)
    upload = "POST " + re.escape(stub.base + "/services/upload/")
    assert len(lines) == 2
    assert re.fullmatch(
        upload + rf" -> 200 in \d+\.\d\ds \({sent} bytes\) <\?xml .*<photoid>5</photoid>.*", lines[0], re.S
    )
    assert re.fullmatch(upload + r" -> - in \d+\.\d\ds ConnectionError\(.*\)", lines[1], re.S)
    assert not any(secret in line for line in lines for secret in (CREDS.api_secret, CREDS.token_secret))


def test_api_calls_and_uploads_never_follow_a_redirect(stub, tmp_path):
    """A redirect would turn a POST into a GET elsewhere: it is an error, and nothing more is sent."""
    (tmp_path / "a.jpg").write_bytes(b"\xff\xd8" + b"\0" * 98)
    stub.routes["/elsewhere"] = xml_reply("<photoid>5</photoid>")  # what following it would find
    c = make_client(stub, max_retries=0)
    calls = (
        lambda: c.test_login(),
        lambda: c.set_meta("1", title="t", description=""),
        lambda: c.upload(tmp_path / "a.jpg", title="a"),
    )
    for call in calls:
        stub.push(Reply(302, "", {"Location": stub.base + "/elsewhere"}))
        with pytest.raises(HttpError) as redirected:
            call()
        assert redirected.value.status == 302
    assert [r.path.split("?")[0] for r in stub.requests] == ["/services/rest/"] * 2 + ["/services/upload/"]


def test_replace(stub, tmp_path):
    f = tmp_path / "v.mp4"
    f.write_bytes(b"\x00" * 10)
    stub.push(xml_reply("<photoid>42</photoid>"))
    r = make_client(stub).replace(f, "42")
    assert (r.photo_id, r.secret) == ("42", None)
    fields, files = parse_multipart(stub.requests[0])
    assert fields == {"photo_id": "42"} and files["photo"][0] == "v.mp4"
    assert stub.requests[0].path == "/services/replace/"


def test_upload_dropped_connection_is_outcome_unknown(stub, tmp_path):
    f = tmp_path / "a.jpg"
    f.write_bytes(b"x" * 1000)
    stub.push(Reply(action="drop"), xml_reply("<photoid>1</photoid>"))
    c = make_client(stub)
    with pytest.raises(OutcomeUnknown):
        c.upload(f, title="a")
    assert len(stub.requests) == 1


def test_upload_truncated_answer_and_5xx_are_outcome_unknown(stub, tmp_path):
    f = tmp_path / "a.jpg"
    f.write_bytes(b"x")
    stub.push(xml_reply('<photoid secret="a" originalsecret="b">1</photoid>'))
    stub.script[0].action = "truncate"
    stub.push(Reply(500, "<html>err</html>"))
    c = make_client(stub)
    with pytest.raises(OutcomeUnknown):
        c.upload(f, title="a")
    with pytest.raises(OutcomeUnknown):
        c.upload(f, title="a")
    assert len(stub.requests) == 2


def test_upload_retried_when_server_says_it_failed_or_429(stub, tmp_path):
    f = tmp_path / "a.jpg"
    f.write_bytes(b"abc")
    clock = FakeClock()
    stub.push(
        xml_reply('<err code="3" msg="General upload failure" />', stat="fail"),
        Reply(429, "slow", {"Retry-After": "2"}),
        xml_reply('<photoid secret="s" originalsecret="o">5</photoid>'),
    )
    c = make_client(stub, clock)
    assert c.upload(f, title="a").photo_id == "5"
    assert len(stub.requests) == 3
    assert clock.sleeps[1] == 2
    assert all(parse_multipart(r)[1]["photo"][2] == b"abc" for r in stub.requests)


def test_upload_permanent_error(stub, tmp_path):
    f = tmp_path / "a.txt"
    f.write_bytes(b"not an image")
    stub.push(xml_reply('<err code="5" msg="Filetype was not recognised" />', stat="fail"))
    with pytest.raises(PermanentUploadError) as ei:
        make_client(stub).upload(f, title="a")
    assert ei.value.code == 5


def test_upload_connect_error_is_transient(tmp_path):
    f = tmp_path / "a.jpg"
    f.write_bytes(b"abc")
    clock = FakeClock()
    c = FlickrClient(
        Endpoints.for_base(f"http://127.0.0.1:{free_port()}"),
        CREDS,
        calls_per_hour=None,
        sleep=clock.sleep,
        clock=clock,
        max_retries=1,
    )
    with pytest.raises(TransientError) as ei:
        c.upload(f, title="a")
    assert not isinstance(ei.value, OutcomeUnknown)
    assert c.stats.calls_by_method["upload"] == 2


# ----------------------------------------------------------------------------- download


def test_download_streams_follows_redirect_and_signs_own_host(stub):
    payload = b"\x89PNG" + bytes(range(256)) * 1000
    stub.routes["/photos/u/1/play/orig/s/"] = Reply(302, b"", {"Location": "/video/1/s/orig.mp4?s=x"})
    stub.routes["/video/1/s/orig.mp4"] = Reply(
        200, payload, {"Content-Type": "video/mp4", "Content-Disposition": 'attachment; filename="1_orig.mp4"'}
    )
    c = make_client(stub)
    out = io.BytesIO()
    prog = []
    r = c.download(stub.base + "/photos/u/1/play/orig/s/", out, progress=prog.append, chunk=4096)
    assert out.getvalue() == payload
    assert (r.bytes_written, r.content_type, r.content_disposition_filename) == (
        len(payload),
        "video/mp4",
        "1_orig.mp4",
    )
    assert prog[-1] == len(payload) and len(prog) > 10
    assert all("Authorization" in rec.headers for rec in stub.requests)
    verify_signature(stub.requests[0], stub.base + "/photos/u/1/play/orig/s/", [])
    assert c.stats.calls_by_method == {"download": 2}
    assert c.stats.bytes_down == len(payload)


def test_download_retries_only_before_first_byte(stub):
    clock = FakeClock()
    body = b"y" * 100000
    stub.push(Reply(503, "busy"), Reply(200, body))
    c = make_client(stub, clock)
    out = io.BytesIO()
    assert c.download(stub.base + "/x.jpg", out).bytes_written == len(body)
    assert out.getvalue() == body and len(clock.sleeps) == 1

    stub.push(Reply(200, body, action="truncate"), Reply(200, body))
    out = io.BytesIO()
    with pytest.raises(TransientError) as ei:
        c.download(stub.base + "/x.jpg", out, chunk=1024)
    assert "interrupted" in str(ei.value) or "truncated" in str(ei.value)
    assert 0 < len(out.getvalue()) < len(body)
    assert len(stub.requests) == 3  # the partial download was not retried


def test_download_404_is_not_transient(stub):
    stub.push(Reply(404, "not found"))
    with pytest.raises(HttpError) as ei:
        make_client(stub).download(stub.base + "/gone.jpg", io.BytesIO())
    assert ei.value.status == 404


def test_download_429_is_rate_limited(stub):
    stub.default = Reply(429, "slow", {"Retry-After": "1"})
    clock = FakeClock()
    with pytest.raises(RateLimited):
        make_client(stub, clock, max_retries=1).download(stub.base + "/a.jpg", io.BytesIO())
    assert clock.sleeps == [1]


def test_download_foreign_host_not_signed(stub):
    # a host that is neither an endpoint host nor *.flickr.com gets no Authorization header
    stub.push(Reply(200, b"abc"))
    other = FlickrClient(Endpoints.for_base("http://localhost:1"), CREDS, calls_per_hour=None)
    other.download(stub.base + "/a.jpg", io.BytesIO())
    assert "Authorization" not in stub.requests[0].headers


def test_concurrent_calls_share_pool_limiter_and_stats(stub, caplog):
    from concurrent.futures import ThreadPoolExecutor

    stub.default = json_ok({"photo": {"id": "1"}})
    clock = FakeClock()
    c = make_client(stub, clock, calls_per_hour=1000)
    with caplog.at_level("WARNING"), ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda i: c.photo_info(str(i)), range(200)))
    assert len(results) == 200
    assert c.stats.calls_by_method == {"flickr.photos.getInfo": 200}
    assert c.limiter.total_acquired == 200
    assert "pool is full" not in caplog.text


# ----------------------------------------------------------------------------- what is sent and told


def test_a_call_sends_its_parameters_but_never_lets_them_replace_the_method_or_the_format(stub):
    stub.push(json_ok())
    c = make_client(stub)
    rest = stub.base + "/services/rest/"
    params = {"photo_id": "1", "title": None, "method": "flickr.photos.delete", "format": "xml", "extras": "tags"}
    c.transport.rest(rest + "?via=proxy", "flickr.photos.getInfo", {**params, "nojsoncallback": "0", "page": 2})
    rec = stub.requests[0]
    assert rec.method == "GET", "a call is a read unless told otherwise"
    said = {name.lower(): value for name, value in rec.headers.items()}  # (header names have no case)
    assert said["user-agent"] == "pycsync (+https://github.com/) python-requests"  # what Flickr sees
    assert parse_qsl(urlsplit(rec.path).query) == [
        ("via", "proxy"),  # the endpoint's own query stays
        ("method", "flickr.photos.getInfo"),
        ("photo_id", "1"),
        ("extras", "tags"),
        ("page", "2"),
        ("format", "json"),
        ("nojsoncallback", "1"),
    ]
    verify_signature(rec, rest, [])


def test_a_call_that_finds_nobody_is_retried_unless_told_otherwise():
    clock = FakeClock()
    endpoints = Endpoints.for_base(f"http://127.0.0.1:{free_port()}")
    c = FlickrClient(
        endpoints, CREDS, calls_per_hour=None, sleep=clock.sleep, clock=clock, max_retries=2, random=lambda: 1.0
    )
    with pytest.raises(Unreachable) as unreachable:
        c.transport.rest(endpoints.rest, "flickr.test.login")
    assert clock.sleeps == [1.0, 2.0]
    origin = endpoints.rest.rsplit("/services", 1)[0]
    assert (str(unreachable.value), unreachable.value.url, unreachable.value.method) == (
        f"flickr.test.login: cannot reach {origin}: connection refused",
        origin,
        "flickr.test.login",
    )
    with pytest.raises(Unreachable):
        c.transport.rest(endpoints.rest, "flickr.test.login", retry_unreachable=False)
    assert clock.sleeps == [1.0, 2.0], "told at once"


def test_a_read_whose_answer_is_lost_is_worth_retrying_and_a_writes_is_of_unknown_outcome(stub):
    stub.push(Reply(action="drop"), Reply(action="drop"))
    c = make_client(stub, max_retries=0)
    with pytest.raises(TransientError) as lost:
        c.transport.rest(stub.base + "/services/rest/", "flickr.photos.getInfo", {"photo_id": "1"})
    said = "the connection was reset after the request was sent"
    assert (type(lost.value).__name__, str(lost.value), lost.value.method) == (
        "TransientError",
        f"flickr.photos.getInfo: {said}",
        "flickr.photos.getInfo",
    )
    with pytest.raises(OutcomeUnknown) as unknown:
        c.call("flickr.photosets.create", write=True, idempotent=False, title="t")
    assert (str(unknown.value), unknown.value.method) == (f"flickr.photosets.create: {said}", "flickr.photosets.create")


def test_the_debug_log_shows_each_call_as_sent_and_the_start_of_an_answer_that_failed(stub, caplog):
    echoed = Reply(503, f"{CREDS.token_secret} " + "b" * 1000)  # (a server that echoes what it was sent)
    stub.push(json_ok({"photo": {"id": "1"}}), echoed, Reply(action="drop"), Reply(action="drop"))
    c = make_client(stub, max_retries=0)
    rest = stub.base + "/services/rest/"
    with caplog.at_level(logging.DEBUG, logger="pycsync.flickr"):
        c.call("flickr.photos.getInfo", photo_id="1")
        with pytest.raises(TransientError):
            c.call("flickr.photos.setMeta", write=True, photo_id="1")
        with pytest.raises(TransientError):
            c.call("flickr.photos.getInfo", photo_id="2")
        with pytest.raises(TransientError):
            c.call("flickr.photos.setMeta", write=True, photo_id="2")
    lines = [r.getMessage() for r in caplog.records if r.name == "pycsync.flickr" and r.levelno == logging.DEBUG]
    took = r" in \d\.\d\ds"
    expected = [
        re.escape(f"GET {rest}?method=flickr.photos.getInfo&photo_id=1&format=json&nojsoncallback=1 -> 200") + took,
        re.escape(f"POST {rest} [method=flickr.photos.setMeta&photo_id=1&format=json&nojsoncallback=1] -> 503")
        + took
        + f" {re.escape(REDACTED)} b{{{300 - len(CREDS.token_secret) - 1}}}",  # the answer's first 300 characters
        re.escape(f"GET {rest} -> -") + took + r" ConnectionError\(.*\)",
        re.escape(f"POST {rest} -> -") + took + r" ConnectionError\(.*\)",
    ]
    assert len(lines) == len(expected)
    for line, pattern in zip(lines, expected, strict=True):
        assert re.fullmatch(pattern, line, re.S), line


def test_the_servers_clock_is_read_from_each_answer(stub):
    import time

    stub.push(json_ok({"photo": {"id": "1"}}))
    c = make_client(stub)
    assert (c.server_time, c.transport.own_answer_time) == (None, None)
    before = int(time.time())
    c.photo_info("1")
    assert before - 1 <= c.server_time <= time.time() + 1  # (the stub's Date header: its clock is ours)
    assert c.transport.own_answer_time == c.server_time
    elsewhere = []
    other = threading.Thread(target=lambda: elsewhere.append(c.transport.own_answer_time))
    other.start()
    other.join()
    assert elsewhere == [None], "another thread's last answer is its own"


def test_a_429_without_retry_after_waits_the_backoffs_whole_step(stub):
    clock = FakeClock()
    stub.push(Reply(429, "slow down"), Reply(429, "slow down"), json_ok({"photo": {"id": "1"}}))
    c = make_client(stub, clock)  # random() = 0.5: jitter would halve each wait
    c.photo_info("1")
    assert clock.sleeps == [1.0, 2.0]
    assert (c.transport.backoff_delay(3), c.transport.backoff_delay(3, jitter=False)) == (4.0, 8.0)


def test_an_upload_tells_its_retries_and_progress_and_counts_what_went_each_way(stub, tmp_path, caplog):
    data = bytes(range(256)) * 64
    (tmp_path / "blob").write_bytes(data)
    answer = xml_reply("<photoid>9</photoid>")
    stub.push(Reply(429, "<html/>", {"Retry-After": "0"}), answer)
    c = make_client(stub)
    seen: list[int] = []
    with caplog.at_level(logging.INFO, logger="pycsync.flickr"), open(tmp_path / "blob", "rb") as opened:
        c.transport.upload(
            stub.base + "/services/replace/", [("photo_id", "9")], opened, kind="replace", progress=seen.append
        )
    assert [r.getMessage() for r in caplog.records if r.name == "pycsync.flickr"] == [
        "flickr replace: replace: HTTP 429 Too Many Requests; retry 1/5 in 0.0s"
    ]
    assert seen[-1] == len(data)
    assert c.stats.bytes_up == sum(len(r.body) for r in stub.requests)
    assert c.stats.bytes_down == len("<html/>") + len(answer.body.encode())


def test_a_replace_whose_answer_is_lost_or_failed_names_itself_and_counts_what_it_sent(stub, tmp_path):
    (tmp_path / "v.mp4").write_bytes(b"\0" * 1000)
    stub.push(Reply(action="drop"), Reply(500, "<html>err</html>"))
    c = make_client(stub)
    for said in ("the connection was reset after the request was sent", "HTTP 500"):
        with pytest.raises(OutcomeUnknown) as unknown:
            c.replace(tmp_path / "v.mp4", "42")
        assert (str(unknown.value), unknown.value.method) == (f"replace: {said}", "replace")
    assert c.stats.bytes_up == sum(len(r.body) for r in stub.requests)


def test_a_file_that_shrinks_while_it_is_uploaded_stops_the_upload(stub, tmp_path):
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"\xff\xd8" + b"\0" * (1 << 20))
    stub.default = xml_reply("<photoid>1</photoid>")

    def shrink(sent: int) -> None:
        with open(photo, "r+b") as fh:
            fh.truncate(100)

    with pytest.raises(FileChanged) as changed:
        make_client(stub).replace(photo, "1", progress=shrink, name="A/a.jpg")
    assert (str(changed.value), changed.value.path, changed.value.method) == (
        "A/a.jpg changed while it was being sent",
        "A/a.jpg",
        "replace",
    )


def test_an_upload_that_finds_nobody_says_where_it_went(tmp_path):
    (tmp_path / "a.jpg").write_bytes(b"abc")
    base = f"http://127.0.0.1:{free_port()}"
    c = FlickrClient(Endpoints.for_base(base), CREDS, calls_per_hour=None, max_retries=0)
    with pytest.raises(Unreachable) as unreachable:
        c.upload(tmp_path / "a.jpg", title="a")
    assert (str(unreachable.value), unreachable.value.url) == (f"upload: cannot reach {base}: connection refused", base)


def test_the_debug_log_shows_the_start_of_an_uploads_answer(stub, tmp_path, caplog):
    (tmp_path / "a.jpg").write_bytes(b"\xff\xd8" + b"\0" * 98)
    answer = xml_reply("<!-- " + "c" * 1000 + " --><photoid>5</photoid>")
    stub.push(answer)
    c = make_client(stub)
    with caplog.at_level(logging.DEBUG, logger="pycsync.flickr"):
        c.upload(tmp_path / "a.jpg", title="a")
    [line] = [r.getMessage() for r in caplog.records if r.name == "pycsync.flickr"]
    sent = len(stub.requests[0].body)
    assert line.endswith(f"s ({sent} bytes) " + answer.body[:300])


# ----------------------------------------------------------------------------- download failures


def _secret_url(stub, path: str) -> tuple[str, str]:
    """A download URL that carries a secret, and the same as every message must show it."""
    return f"{stub.base}{path}?x={CREDS.token_secret}", f"{stub.base}{path}?x={REDACTED}"


def test_a_failed_download_says_what_failed_and_where_and_never_a_secret(stub, caplog):
    url, shown = _secret_url(stub, "/a.jpg")
    busy = Reply(503, "busy", {"Retry-After": "7"})
    stub.push(Reply(404, "not found"), busy, busy, Reply(action="drop"))
    clock = FakeClock()
    c = make_client(stub, clock, max_retries=1)
    with pytest.raises(HttpError) as gone:
        c.download(url, io.BytesIO())
    assert (str(gone.value), gone.value.status, gone.value.url) == (f"HTTP 404: download of {shown} failed", 404, shown)
    with caplog.at_level(logging.INFO, logger="pycsync.flickr"), pytest.raises(TransientError) as failed:
        c.download(url, io.BytesIO())
    assert (str(failed.value), failed.value.method, failed.value.status, failed.value.retry_after) == (
        "download: HTTP 503",
        "download",
        503,
        7.0,
    )
    assert clock.sleeps == [7.0]
    assert [r.getMessage() for r in caplog.records if r.name == "pycsync.flickr"] == [
        "flickr download: download: HTTP 503; retry 1/1 in 7.0s"
    ]
    with pytest.raises(TransientError) as lost:
        make_client(stub, max_retries=0).download(url, io.BytesIO())
    assert (type(lost.value).__name__, str(lost.value), lost.value.method) == (
        "TransientError",
        f"download: the connection was reset after the request was sent ({shown})",
        "download",
    )


def test_a_download_that_finds_nobody_says_where_and_never_a_secret():
    base = f"http://127.0.0.1:{free_port()}"
    url, shown = f"{base}/a.jpg?x={CREDS.token_secret}", f"{base}/a.jpg?x={REDACTED}"
    c = FlickrClient(Endpoints.for_base(base), CREDS, calls_per_hour=None, max_retries=0)
    with pytest.raises(Unreachable) as unreachable:
        c.download(url, io.BytesIO())
    assert (str(unreachable.value), unreachable.value.url, unreachable.value.shown, unreachable.value.method) == (
        f"download: cannot reach {shown}: connection refused",
        base,
        shown,
        "download",
    )


def test_a_download_cut_off_after_its_first_byte_is_not_retried_and_says_how_far_it_got(stub):
    url, shown = _secret_url(stub, "/a.jpg")
    stub.push(Reply(200, b"y" * 100_000, action="truncate"))
    out = io.BytesIO()
    with pytest.raises(TransientError) as cut:
        make_client(stub).download(url, out)
    assert (type(cut.value).__name__, str(cut.value), cut.value.method) == (
        "TransientError",
        f"download: download interrupted after {len(out.getvalue())} bytes: the answer was cut off after the "
        f"request was sent ({shown})",
        "download",
    )
    assert len(stub.requests) == 1


def test_a_redirect_loop_ends_after_ten_hops(stub):
    url, shown = _secret_url(stub, "/loop")
    stub.routes["/loop"] = Reply(302, "", {"Location": url})
    with pytest.raises(HttpError) as looped:
        make_client(stub).download(url, io.BytesIO())
    assert (str(looped.value), looped.value.status, looped.value.url) == (
        f"HTTP 310: too many redirects from {shown}",
        310,
        shown,
    )
    assert len(stub.requests) == 1 + transport.MAX_REDIRECTS


def test_a_download_answered_with_its_file_and_a_location_is_that_file(stub):
    stub.routes["/elsewhere"] = Reply(200, b"other")
    stub.push(Reply(200, b"photo", {"Location": "/elsewhere"}))
    out = io.BytesIO()
    make_client(stub).download(stub.base + "/a.jpg", out)
    assert out.getvalue() == b"photo" and len(stub.requests) == 1


def test_the_debug_log_shows_each_hop_of_a_download_and_never_a_secret(stub, caplog):
    url, shown = _secret_url(stub, "/a.jpg")
    stub.routes["/a.jpg"] = Reply(302, "", {"Location": "/b.jpg"})
    stub.routes["/b.jpg"] = Reply(200, b"photo")
    with caplog.at_level(logging.DEBUG, logger="pycsync.flickr"):
        make_client(stub).download(url, io.BytesIO())
    lines = [r.getMessage() for r in caplog.records if r.name == "pycsync.flickr"]
    assert len(lines) == 2
    assert re.fullmatch(re.escape(f"GET {shown} -> 302") + r" in \d\.\d\ds", lines[0])
    assert re.fullmatch(re.escape(f"GET {stub.base}/b.jpg -> 200") + r" in \d\.\d\ds", lines[1])


def test_a_photo_servers_retry_after_pauses_no_api_call(stub):
    """A download comes from the photo servers: their Retry-After says nothing of the API's."""
    clock = FakeClock()
    answers = iter([Reply(503, "busy", {"Retry-After": "30"}), Reply(200, b"photo")])
    stub.routes["/a.jpg"] = lambda rec: next(answers)
    stub.push(json_ok({"photo": {"id": "1"}}))

    def sleep(seconds):
        clock.sleeps.append(seconds)
        if len(clock.sleeps) == 1:  # while the download waits, a worker makes an API call
            assert c.photo_info("1").photo_id == "1"
        clock.now += seconds

    c = FlickrClient(Endpoints.for_base(stub.base), CREDS, sleep=sleep, clock=clock, calls_per_hour=3000)
    c.download(stub.base + "/a.jpg", io.BytesIO())
    assert clock.sleeps == [30], "the API call did not wait"


def test_only_the_endpoints_and_flickrs_own_hosts_over_https_see_a_signature():
    """What a download's request is signed for (the signature carries the user's token)."""
    t = FlickrClient(Endpoints.for_base("http://127.0.0.1:9"), CREDS, calls_per_hour=None).transport
    urls = {
        "http://127.0.0.1:9/a.jpg": True,  # an endpoint's own origin
        "https://127.0.0.1:9/a.jpg": False,
        "https://www.flickr.com/photos/u/1/play/orig/s/": True,
        "https://flickr.com/x": True,
        "https://WWW.Flickr.com/x": True,
        "http://www.flickr.com/photos/u/1/play/orig/s/": False,  # never in the clear
        "https://live.staticflickr.com/65535/1_s_o.jpg": False,  # (a photo's secret is in its URL)
        "https://notflickr.com/x": False,
        "https://flickr.com.example.net/x": False,
        "https://example.net/x": False,
        "https:///x": False,
    }
    assert {url: t._should_sign(url) for url in urls} == urls


@pytest.mark.parametrize(
    "busy, waits",
    [
        (Reply(503, "<html/>", {"Retry-After": "30"}), [30, 30]),  # the server said how long
        (Reply(429, "<html/>"), [1.0, 1.0]),  # too many calls: every caller waits the step
        (Reply(503, "<html/>"), [0.5]),  # one call failed: only it backs off (with jitter)
    ],
    ids=["503-retry-after", "429", "503"],
)
def test_which_failures_pause_every_caller(stub, busy, waits):
    """Worker 1's call fails; while it waits, worker 2 makes a call: it waits too only when the
    server said how long, or said that there were too many calls."""
    clock = FakeClock()
    stub.push(busy, json_ok({"photo": {"id": "2"}}), json_ok({"photo": {"id": "1"}}))

    def sleep(seconds):
        clock.sleeps.append(seconds)
        if len(clock.sleeps) == 1:
            assert c.photo_info("2").photo_id == "2"
        clock.now += seconds

    c = FlickrClient(
        Endpoints.for_base(stub.base), CREDS, sleep=sleep, clock=clock, calls_per_hour=3000, random=lambda: 0.5
    )
    assert c.photo_info("1").photo_id == "1"
    assert clock.sleeps == waits


class _CountingServer(http.server.ThreadingHTTPServer):
    """Answers every GET with an empty photo; counts the connections opened and closed."""

    daemon_threads = True

    def __init__(self) -> None:
        counting = self
        self.opened = 0
        self.closed = threading.Semaphore(0)

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802  (http.server's name)
                body = json.dumps({"stat": "ok", "photo": {"id": "1"}}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def finish(self) -> None:
                super().finish()
                counting.closed.release()

        super().__init__(("127.0.0.1", 0), Handler)

    def process_request(self, request, client_address) -> None:
        self.opened += 1
        super().process_request(request, client_address)


def test_a_client_closes_the_connections_of_its_own_session_and_leaves_a_given_ones_open():
    import requests

    server = _CountingServer()
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        endpoints = Endpoints.for_base(f"http://127.0.0.1:{server.server_address[1]}")
        own = FlickrClient(endpoints, CREDS, calls_per_hour=None)
        own.photo_info("1")
        own.close()
        assert server.closed.acquire(timeout=10), "its connection was left open"
        with requests.Session() as session:
            given = FlickrClient(endpoints, CREDS, calls_per_hour=None, session=session)
            given.photo_info("1")
            given.close()
            session.get(endpoints.rest).close()  # on the connection the client used
        assert server.opened == 2
    finally:
        server.shutdown()
        server.server_close()
