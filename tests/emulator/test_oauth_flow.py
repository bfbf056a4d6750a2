"""Three-legged OAuth: request_token, authorize page, access_token (Flickr's auth.oauth documentation)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
import requests
from oauthlib.oauth1 import SIGNATURE_TYPE_BODY, SIGNATURE_TYPE_QUERY
from requests_oauthlib import OAuth1

from tests.support.api import Api


def request_token(emu, callback="oob", *, http="POST", sig="auth_header", path="request_token"):
    sigtype = {"auth_header": "AUTH_HEADER", "query": SIGNATURE_TYPE_QUERY, "body": SIGNATURE_TYPE_BODY}[sig]
    auth = OAuth1(emu.api_key, emu.api_secret, callback_uri=callback, signature_type=sigtype)
    url = f"{emu.endpoint}/services/oauth/{path}"
    if http == "GET":
        return requests.get(url, auth=auth, timeout=10)
    return requests.post(url, auth=auth, timeout=10)


def access_token(emu, token, secret, verifier, *, http="POST", sig="auth_header"):
    sigtype = {"auth_header": "AUTH_HEADER", "query": SIGNATURE_TYPE_QUERY, "body": SIGNATURE_TYPE_BODY}[sig]
    auth = OAuth1(emu.api_key, emu.api_secret, token, secret, verifier=verifier, signature_type=sigtype)
    url = f"{emu.endpoint}/services/oauth/access_token"
    if http == "GET":
        return requests.get(url, auth=auth, timeout=10)
    return requests.post(url, auth=auth, timeout=10)


def authorize(emu, token, perms="write", button="authorize", follow=False):
    s = requests.Session()
    url = f"{emu.endpoint}/services/oauth/authorize?oauth_token={token}&perms={perms}"
    page = s.get(url, timeout=10)
    assert page.status_code == 200
    assert '<form method="post"' in page.text
    assert 'name="authorize"' in page.text and 'name="deny"' in page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    fields[button] = "1"
    return s.post(url, data=fields, timeout=10, allow_redirects=follow)


def test_request_token_shape_and_key_formats(emulator):
    r = request_token(emulator)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain")
    assert r.text.startswith("oauth_callback_confirmed=true&oauth_token=")
    d = dict(parse_qsl(r.text))
    assert re.fullmatch(r"\d{17}-[0-9a-f]{16}", d["oauth_token"])
    assert re.fullmatch(r"[0-9a-f]{16}", d["oauth_token_secret"])
    assert re.fullmatch(r"[0-9a-f]{32}", emulator.api_key)
    assert re.fullmatch(r"[0-9a-f]{16}", emulator.api_secret)
    assert re.fullmatch(r"\d{11}@N0\d", emulator.user_nsid)
    assert re.fullmatch(r"\d{17}-[0-9a-f]{16}", emulator.oauth_token)


@pytest.mark.parametrize(
    "http,sig", [("GET", "query"), ("GET", "auth_header"), ("POST", "body"), ("POST", "auth_header")]
)
def test_full_oob_flow_any_transport(emulator, http, sig):
    r = request_token(emulator, http=http, sig=sig)
    assert r.status_code == 200, r.text
    d = dict(parse_qsl(r.text))
    done = authorize(emulator, d["oauth_token"], "read")
    assert done.status_code == 200
    m = re.search(r'id="verifier">([^<]+)<', done.text)
    assert m and re.fullmatch(r"\d{3}-\d{3}-\d{3}", m.group(1))
    at = access_token(emulator, d["oauth_token"], d["oauth_token_secret"], m.group(1), http=http, sig=sig)
    assert at.status_code == 200, at.text
    keys = [k for k, _ in parse_qsl(at.text)]
    assert keys == ["fullname", "oauth_token", "oauth_token_secret", "user_nsid", "username"]
    assert "%40" in at.text  # form-encoded nsid
    got = dict(parse_qsl(at.text))
    assert got["user_nsid"] == emulator.user_nsid and got["username"] == emulator.username
    api = Api(emulator, got["oauth_token"], got["oauth_token_secret"])
    assert api.ok("flickr.test.login")["user"]["id"] == emulator.user_nsid
    assert api.ok("flickr.auth.oauth.checkToken")["oauth"]["perms"]["_content"] == "read"
    # the request token is single use
    again = access_token(emulator, d["oauth_token"], d["oauth_token_secret"], m.group(1))
    assert again.status_code == 401 and "oauth_problem=token_rejected" in again.text


def test_callback_redirect_keeps_existing_query(emulator):
    r = request_token(emulator, callback="http://127.0.0.1:9/cb?state=xyz")
    d = dict(parse_qsl(r.text))
    done = authorize(emulator, d["oauth_token"], "delete")
    assert done.status_code == 302
    loc = urlsplit(done.headers["Location"])
    assert (loc.netloc, loc.path) == ("127.0.0.1:9", "/cb")
    q = parse_qs(loc.query)
    assert q["state"] == ["xyz"] and q["oauth_token"] == [d["oauth_token"]]
    verifier = q["oauth_verifier"][0]
    assert re.fullmatch(r"[0-9a-f]{16}", verifier)
    at = access_token(emulator, d["oauth_token"], d["oauth_token_secret"], verifier)
    got = dict(parse_qsl(at.text))
    assert (
        Api(emulator, got["oauth_token"], got["oauth_token_secret"]).ok("flickr.auth.oauth.checkToken")["oauth"][
            "perms"
        ]["_content"]
        == "delete"
    )


def test_missing_callback_is_parameter_absent(emulator):
    auth = OAuth1(emulator.api_key, emulator.api_secret)  # no callback_uri
    r = requests.post(f"{emulator.endpoint}/services/oauth/request_token", auth=auth, timeout=10)
    assert r.status_code == 401
    assert r.headers["Content-Type"] == "text/plain;charset=UTF-8"
    assert r.text == "oauth_problem=parameter_absent&oauth_parameters_absent=oauth_callback"


def test_deny_ends_the_flow(emulator):
    d = dict(parse_qsl(request_token(emulator).text))
    page = authorize(emulator, d["oauth_token"], button="deny")
    assert page.status_code == 200 and "verifier" not in page.text
    r = access_token(emulator, d["oauth_token"], d["oauth_token_secret"], "123-456-789")
    assert r.status_code == 401 and "oauth_problem=token_rejected" in r.text
    # and the authorize page no longer accepts it
    again = requests.get(f"{emulator.endpoint}/services/oauth/authorize?oauth_token={d['oauth_token']}&perms=read")
    assert again.status_code == 400


def test_wrong_verifier_and_unknown_token(emulator):
    d = dict(parse_qsl(request_token(emulator).text))
    authorize(emulator, d["oauth_token"])
    r = access_token(emulator, d["oauth_token"], d["oauth_token_secret"], "000-000-000")
    assert r.status_code == 401 and r.text == "oauth_problem=verifier_invalid"
    r = access_token(emulator, "72157000000000000-0000000000000000", "0000000000000000", "1")
    assert r.status_code == 401 and r.text == "oauth_problem=token_rejected"


def test_access_token_before_authorization(emulator):
    d = dict(parse_qsl(request_token(emulator).text))
    r = access_token(emulator, d["oauth_token"], d["oauth_token_secret"], "123-456-789")
    assert r.status_code == 401 and "oauth_problem=" in r.text


def test_bad_signature_on_request_token(emulator):
    auth = OAuth1(emulator.api_key, "not-the-secret", callback_uri="oob")
    r = requests.post(f"{emulator.endpoint}/services/oauth/request_token", auth=auth, timeout=10)
    assert r.status_code == 401
    # debug_sbs is the base string itself, not encoded again (as Flickr writes it)
    assert r.text.startswith("oauth_problem=signature_invalid&debug_sbs=POST&http%3A%2F%2F127.0.0.1")


def test_unknown_consumer_key(emulator):
    auth = OAuth1("0" * 32, emulator.api_secret, callback_uri="oob")
    r = requests.post(f"{emulator.endpoint}/services/oauth/request_token", auth=auth, timeout=10)
    assert r.status_code == 401 and r.text == "oauth_problem=consumer_key_unknown"


def test_authorize_page_rejects_bad_input(emulator):
    base = f"{emulator.endpoint}/services/oauth/authorize"
    assert requests.get(base, timeout=10).status_code == 400
    d = dict(parse_qsl(request_token(emulator).text))
    assert requests.get(f"{base}?oauth_token={d['oauth_token']}&perms=admin", timeout=10).status_code == 400


def test_authorize_as_second_user(emulator):
    other = emulator.add_user("second")
    d = dict(parse_qsl(request_token(emulator).text))
    s = requests.Session()
    url = (
        f"{emulator.endpoint}/services/oauth/authorize?oauth_token={d['oauth_token']}&perms=write"
        f"&as_user={other['user_nsid']}"
    )
    page = s.post(url, data={"authorize": "1"}, timeout=10)
    verifier = re.search(r'id="verifier">([^<]+)<', page.text).group(1)
    got = dict(parse_qsl(access_token(emulator, d["oauth_token"], d["oauth_token_secret"], verifier).text))
    assert got["user_nsid"] == other["user_nsid"] and got["username"] == "second"
