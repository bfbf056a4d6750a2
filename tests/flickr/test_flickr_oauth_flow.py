"""OAuth flow helpers against a scripted server, and the loopback callback receiver."""

import re
import threading
from urllib.parse import unquote, urlsplit

import pytest
import requests

from pycsync.flickr import (
    AuthError,
    Endpoints,
    LoopbackReceiver,
    authorize_url,
    get_access_token,
    get_request_token,
)
from tests.support.flickr_stub import Reply


def hdr(rec):
    return {k: unquote(v) for k, v in re.findall(r'(\w+)="([^"]*)"', rec.headers["Authorization"])}


def test_request_token_access_token_roundtrip(stub):
    ep = Endpoints.for_base(stub.base)
    stub.push(
        Reply(
            200,
            "oauth_callback_confirmed=true&oauth_token=72157626737672178-022bbd2f4c2f"
            "3432&oauth_token_secret=fccb68c4e6103197",
        )
    )
    tok, sec = get_request_token(ep, "ck", "cs")
    assert (tok, sec) == ("72157626737672178-022bbd2f4c2f3432", "fccb68c4e6103197")
    h = hdr(stub.requests[0])
    assert stub.requests[0].path == "/services/oauth/request_token"
    assert h["oauth_callback"] == "oob" and "oauth_token" not in h

    stub.push(
        Reply(
            200,
            "fullname=Jamal%20Fanaian&oauth_token=72157626318069415-087bfc7b5816092c"
            "&oauth_token_secret=a202d1f853ec69de&user_nsid=21207597%40N07"
            "&username=jamalfanaian",
        )
    )
    at = get_access_token(ep, "ck", "cs", tok, sec, " 123-456-789 ")
    assert at.token == "72157626318069415-087bfc7b5816092c"
    assert at.token_secret == "a202d1f853ec69de"
    assert (at.user_nsid, at.username, at.fullname) == ("21207597@N07", "jamalfanaian", "Jamal Fanaian")
    assert "a202d1f853ec69de" not in repr(at)
    h = hdr(stub.requests[1])
    assert h["oauth_verifier"] == "123-456-789" and h["oauth_token"] == tok


def test_authorize_url():
    ep = Endpoints.for_base(None)
    assert (
        authorize_url(ep, "72157-ab", "delete")
        == "https://www.flickr.com/services/oauth/authorize?oauth_token=72157-ab&perms=delete"
    )
    with pytest.raises(ValueError):
        authorize_url(ep, "t", "admin")


def test_oauth_problem_is_auth_error_without_secrets(stub):
    ep = Endpoints.for_base(stub.base)
    stub.push(Reply(401, "oauth_problem=verifier_invalid&debug_sbs=GET%26oauth_token%3DREQTOK"))
    with pytest.raises(AuthError) as ei:
        get_access_token(ep, "CONSUMER", "CSECRET", "REQTOK", "REQSECRET", "v")
    assert ei.value.problem == "verifier_invalid"
    for s in ("CONSUMER", "CSECRET", "REQTOK", "REQSECRET"):
        assert s not in str(ei.value)


def test_loopback_receiver_gets_verifier_and_ignores_noise():
    with LoopbackReceiver() as rx:
        url = rx.callback_url
        parts = urlsplit(url)
        assert parts.hostname == "127.0.0.1" and parts.port == rx.port
        base = f"http://127.0.0.1:{rx.port}"
        assert requests.get(base + "/favicon.ico", timeout=5).status_code == 404
        assert requests.get(base + "/", timeout=5).status_code == 404
        assert rx.wait(0.01) is None
        r = requests.get(url + "?oauth_problem=user_refused", timeout=5)
        assert r.status_code == 400
        assert rx.wait(0.01) is None
        r = requests.get(url + "?oauth_token=tok-1&oauth_verifier=fe4eac402339100e", timeout=5)
        assert r.status_code == 200 and "close this window" in r.text
        assert r.headers["Content-Type"].startswith("text/html")
        assert rx.wait(1) == ("tok-1", "fe4eac402339100e")
        # a second hit does not overwrite the first result
        requests.get(url + "?oauth_token=tok-2&oauth_verifier=x", timeout=5)
        assert rx.wait(0) == ("tok-1", "fe4eac402339100e")
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)


def test_loopback_wait_from_another_thread():
    with LoopbackReceiver() as rx:
        got = []
        t = threading.Thread(target=lambda: got.append(rx.wait(5)))
        t.start()
        requests.get(rx.callback_url + "?oauth_token=a&oauth_verifier=b", timeout=5)
        t.join(5)
        assert got == [("a", "b")]
