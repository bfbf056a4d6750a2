"""OAuth checks on REST calls: signatures, nonces, timestamps, tokens, permissions."""

from __future__ import annotations

import time

import pytest
import requests
from oauthlib.oauth1 import Client
from requests_oauthlib import OAuth1

from tests.support.api import Api
from tests.support.media import make_jpeg_bytes


@pytest.mark.parametrize(
    "http,sig", [("GET", "auth_header"), ("GET", "query"), ("POST", "auth_header"), ("POST", "query"), ("POST", "body")]
)
def test_signed_calls_every_transport(emulator, http, sig):
    api = Api(emulator)
    body = api.call("flickr.test.login", http=http, sig=sig)
    assert body["stat"] == "ok" and body["user"]["id"] == emulator.user_nsid


@pytest.mark.parametrize("path", ["/services/rest/", "/services/rest"])
def test_trailing_slash_or_not_both_verify(emulator, path):
    api = Api(emulator, rest_path=path)
    assert api.ok("flickr.test.login")["user"]["username"]["_content"] == emulator.username


def test_signature_covers_query_plus_body_plus_header(emulator):
    # params split over query string and form body, oauth params in the header
    url = f"{emulator.endpoint}/services/rest/?method=flickr.test.echo&format=json"
    r = requests.post(
        url,
        data={"nojsoncallback": "1", "foo": "a b+c/é"},
        auth=OAuth1(emulator.api_key, emulator.api_secret, emulator.oauth_token, emulator.oauth_token_secret),
        timeout=10,
    )
    assert r.status_code == 200, r.text
    assert r.json()["foo"]["_content"] == "a b+c/é"


def test_multipart_rest_post_signs_non_file_fields(emulator):
    fields = {"method": "flickr.test.echo", "format": "json", "nojsoncallback": "1", "x": "y"}
    url = f"{emulator.endpoint}/services/rest/"
    client = Client(
        emulator.api_key,
        client_secret=emulator.api_secret,
        resource_owner_key=emulator.oauth_token,
        resource_owner_secret=emulator.oauth_token_secret,
    )
    from urllib.parse import urlencode

    _, headers, _ = client.sign(url, "POST", urlencode(fields), {"Content-Type": "application/x-www-form-urlencoded"})
    multipart = {k: (None, v) for k, v in fields.items()}
    r = requests.post(url, files=multipart, headers={"Authorization": headers["Authorization"]}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["x"]["_content"] == "y"


def test_bad_signature_is_401_with_debug_sbs(emulator):
    api = Api(emulator, emulator.oauth_token, "0000000000000000")
    r = api.raw("flickr.test.login")
    assert r.status_code == 401
    assert r.headers["Content-Type"] == "text/plain;charset=UTF-8"
    assert r.text.startswith("oauth_problem=signature_invalid&debug_sbs=")
    sbs = r.text.split("debug_sbs=", 1)[1]  # the base string as it is, as Flickr writes it
    assert sbs.startswith(f"POST&{requests.utils.quote(emulator.endpoint, safe='')}%2Fservices%2Frest%2F&")
    assert "method%3Dflickr.test.login" in sbs


def test_tampered_parameter_fails(emulator):
    client = Client(
        emulator.api_key,
        client_secret=emulator.api_secret,
        resource_owner_key=emulator.oauth_token,
        resource_owner_secret=emulator.oauth_token_secret,
        signature_type="QUERY",
    )
    url, _, _ = client.sign(f"{emulator.endpoint}/services/rest/?method=flickr.test.echo&a=1")
    r = requests.get(url.replace("a=1", "a=2"), timeout=10)
    assert r.status_code == 401 and "signature_invalid" in r.text


def _signed_url(emu, nonce=None, timestamp=None, method="flickr.test.login"):
    client = Client(
        emu.api_key,
        client_secret=emu.api_secret,
        resource_owner_key=emu.oauth_token,
        resource_owner_secret=emu.oauth_token_secret,
        signature_type="QUERY",
        nonce=nonce,
        timestamp=timestamp,
    )
    url, _, _ = client.sign(f"{emu.endpoint}/services/rest/?method={method}&format=json&nojsoncallback=1")
    return url


def test_nonce_reuse_is_rejected(emulator):
    url = _signed_url(emulator, nonce="fixednonce123")
    assert requests.get(url, timeout=10).status_code == 200
    r = requests.get(url, timeout=10)
    assert r.status_code == 401 and r.text == "oauth_problem=nonce_used"


def test_timestamp_outside_window_is_refused(emulator):
    r = requests.get(_signed_url(emulator, timestamp=str(int(time.time()) - 3600)), timeout=10)
    assert r.status_code == 401 and r.text.startswith("oauth_problem=timestamp_refused")


def test_timestamp_window_is_configurable():
    from pycsync.emulator import EmulatorServer

    with EmulatorServer(timestamp_window=10_000) as emu:
        r = requests.get(_signed_url(emu, timestamp=str(int(time.time()) - 3600)), timeout=10)
        assert r.status_code == 200


def test_unknown_consumer_and_missing_params(emulator):
    api = Api(emulator, api_key="f" * 32)
    r = api.raw("flickr.test.login")
    assert r.status_code == 401 and r.text == "oauth_problem=consumer_key_unknown"
    # oauth params without a signature
    r = requests.get(
        f"{emulator.endpoint}/services/rest/",
        params={
            "method": "flickr.test.login",
            "oauth_consumer_key": emulator.api_key,
            "oauth_nonce": "x",
            "oauth_timestamp": str(int(time.time())),
            "oauth_signature_method": "HMAC-SHA1",
        },
        timeout=10,
    )
    assert r.status_code == 401
    assert r.text == "oauth_problem=parameter_absent&oauth_parameters_absent=oauth_signature"


def test_unknown_and_revoked_token_is_code_98(emulator):
    api = Api(emulator, "72157000000000000-0123456789abcdef", "0123456789abcdef")
    r = api.raw("flickr.test.login")
    assert r.status_code == 200
    assert r.json() == {"stat": "fail", "code": 98, "message": "Invalid auth token"}
    extra = emulator.add_token(perms="write")
    api = Api(emulator, extra["oauth_token"], extra["oauth_token_secret"])
    api.ok("flickr.test.login")
    emulator.revoke_token(extra["oauth_token"])
    api.fail("flickr.test.login", 98)


def test_insufficient_permissions_is_code_99(emulator):
    pid = Api(emulator).upload_id(make_jpeg_bytes(seed=1))
    tok = emulator.add_token(perms="read")
    api = Api(emulator, tok["oauth_token"], tok["oauth_token_secret"])
    api.ok("flickr.photos.getInfo", photo_id=pid)
    body = api.fail("flickr.photos.setMeta", 99, photo_id=pid, title="x")
    assert body["message"] == "Insufficient permissions. Method requires write privileges; read granted."
    tok = emulator.add_token(perms="write")
    api = Api(emulator, tok["oauth_token"], tok["oauth_token_secret"])
    api.ok("flickr.photos.setMeta", photo_id=pid, title="x")
    body = api.fail("flickr.photos.delete", 99, photo_id=pid)
    assert body["message"].endswith("requires delete privileges; write granted.")


def test_unsigned_api_key_calls_see_public_data_only(emulator):
    owner = Api(emulator)
    private = owner.upload_id(make_jpeg_bytes(seed=1), is_public=0)
    public = owner.upload_id(make_jpeg_bytes(seed=2), is_public=1)
    anon = Api(emulator, signed=False)
    assert anon.ok("flickr.photos.getInfo", photo_id=public)["photo"]["id"] == public
    body = anon.fail("flickr.photos.getInfo", 1, photo_id=private)
    assert body["message"] == "Photo not found"
    got = anon.ok("flickr.people.getPhotos", user_id=emulator.user_nsid)["photos"]
    assert [p["id"] for p in got["photo"]] == [public]
    body = anon.fail("flickr.test.login", 99)
    assert body["message"] == "Insufficient permissions. Method requires read privileges; none granted."


def test_bad_api_key_is_code_100(emulator):
    r = requests.get(
        f"{emulator.endpoint}/services/rest/",
        params={"method": "flickr.test.echo", "api_key": "nope", "format": "json", "nojsoncallback": 1},
        timeout=10,
    )
    assert r.json() == {"stat": "fail", "code": 100, "message": "Invalid API Key (Key has invalid format)"}
    r = requests.get(
        f"{emulator.endpoint}/services/rest/",
        params={"method": "flickr.test.echo", "api_key": "a" * 32, "format": "json", "nojsoncallback": 1},
        timeout=10,
    )
    assert r.json()["code"] == 100 and r.json()["message"] == "Invalid API Key (Key not found)"


def test_check_token_needs_a_signature(emulator):
    anon = Api(emulator, signed=False)
    anon.fail("flickr.auth.oauth.checkToken", 97, oauth_token=emulator.oauth_token)
    body = Api(emulator).ok("flickr.auth.oauth.checkToken")
    assert body["oauth"]["token"]["_content"] == emulator.oauth_token
    assert body["oauth"]["perms"]["_content"] == "delete"
    assert body["oauth"]["user"] == {
        "nsid": emulator.user_nsid,
        "username": emulator.username,
        "fullname": "Emulator User",
    }
