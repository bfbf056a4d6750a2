"""OAuth signing through our oauthlib-based path, checked against Flickr SDK's published test vectors."""

import base64
import hashlib
import hmac
import re
from urllib.parse import quote, unquote

from pycsync.flickr.oauth import (
    Credentials,
    encode_params,
    hmac_sha1_signature,
    sign_request,
    signature_base_string,
    upload_auth_header,
)


def _header_params(auth: str) -> dict[str, str]:
    assert auth.startswith("OAuth ")
    return {k: unquote(v) for k, v in re.findall(r'(\w+)="([^"]*)"', auth)}


def test_vector_1_no_token_secret():
    base = signature_base_string("GET", "http://www.example.com", {"foo": "123", "bar": "456"}, normalize_url=False)
    assert base == "GET&http%3A%2F%2Fwww.example.com&bar%3D456%26foo%3D123"
    assert hmac_sha1_signature(base, "consumer secret") == "lNBTzyWRRHBuoXmgK13Nht5oiKs="
    assert hmac_sha1_signature(base, "consumer secret", None) == "lNBTzyWRRHBuoXmgK13Nht5oiKs="


def test_vector_2_with_token_secret():
    base = signature_base_string("GET", "http://www.example.com", [("foo", 123), ("bar", 456)], normalize_url=False)
    assert hmac_sha1_signature(base, "consumer secret", "keyboard cat") == "pytjoWTzMmvq13/Bai9YVX1tV9c="


def test_vector_3_full_request_through_sign_request():
    creds = Credentials("consumer key", "consumer secret", "oauth token", "oauth token secret")
    headers = sign_request(
        creds,
        "GET",
        "https://api.flickr.com/services/rest?method=flickr.test.echo&foo=bar",
        nonce="p2m2bnHdXVIsQH0FUv0oN9XrJU57ak7dSSpHU36mn4k=",
        timestamp=499166400,
    )
    p = _header_params(headers["Authorization"])
    assert p["oauth_signature"] == "Dz9rJCs/jKRPMeLztpj7T9Ur9m0="
    assert p["oauth_consumer_key"] == "consumer key"
    assert p["oauth_token"] == "oauth token"
    assert p["oauth_signature_method"] == "HMAC-SHA1"
    assert p["oauth_version"] == "1.0"
    assert "Content-Type" not in headers


def _independent_signature(method, url, params, consumer_secret, token_secret):
    """Textbook RFC 5849 implementation used to cross-check what the server will verify."""

    def enc(s):
        return quote(str(s), safe="-._~")

    pairs = sorted((enc(k), enc(v)) for k, v in params)
    param_str = "&".join(f"{k}={v}" for k, v in pairs)
    base = "&".join([method, enc(url), enc(param_str)])
    key = f"{enc(consumer_secret)}&{enc(token_secret)}"
    return base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()


def test_post_body_and_query_params_are_signed_unicode_and_reserved_chars():
    creds = Credentials("ck", "cs!*'()", "tok", "ts&=")
    fields = [
        ("method", "flickr.photos.setMeta"),
        ("title", "Zürich & friends (1) *"),
        ("description", "a+b=c ~ ok"),
        ("format", "json"),
    ]
    body = encode_params(fields)
    assert "+" not in body.replace("%2B", "")  # spaces are %20
    url = "http://127.0.0.1:9/services/rest/?x=1%202"
    headers = sign_request(creds, "POST", url, body=body, nonce="abc", timestamp=1700000000)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    hp = _header_params(headers["Authorization"])
    sig = hp.pop("oauth_signature")
    params = list(hp.items()) + fields + [("x", "1 2")]
    expected = _independent_signature("POST", "http://127.0.0.1:9/services/rest/", params, "cs!*'()", "ts&=")
    assert sig == expected


def test_get_request_token_signature_has_callback_and_empty_token_secret():
    creds = Credentials("ck", "cs")
    headers = sign_request(
        creds, "GET", "https://www.flickr.com/services/oauth/request_token", callback="oob", nonce="n", timestamp=1
    )
    hp = _header_params(headers["Authorization"])
    assert hp["oauth_callback"] == "oob"
    assert "oauth_token" not in hp
    sig = hp.pop("oauth_signature")
    assert sig == _independent_signature(
        "GET", "https://www.flickr.com/services/oauth/request_token", hp.items(), "cs", ""
    )


def test_access_token_signature_includes_verifier():
    creds = Credentials("ck", "cs", "reqtok", "reqsecret")
    headers = sign_request(
        creds,
        "GET",
        "https://www.flickr.com/services/oauth/access_token",
        verifier="123-456-789",
        nonce="n",
        timestamp=1,
    )
    hp = _header_params(headers["Authorization"])
    assert hp["oauth_verifier"] == "123-456-789"
    assert hp["oauth_token"] == "reqtok"
    sig = hp.pop("oauth_signature")
    assert sig == _independent_signature(
        "GET", "https://www.flickr.com/services/oauth/access_token", hp.items(), "cs", "reqsecret"
    )


def test_upload_header_signs_text_fields_but_not_photo():
    creds = Credentials("ck", "cs", "tok", "ts")
    fields = [("title", "My photo"), ("tags", 'a "central station"'), ("is_public", "0")]
    auth = upload_auth_header(creds, "https://up.flickr.com/services/upload/", fields, nonce="n1", timestamp=2)
    hp = _header_params(auth)
    assert "oauth_body_hash" not in hp
    sig = hp.pop("oauth_signature")
    assert sig == _independent_signature(
        "POST", "https://up.flickr.com/services/upload/", list(hp.items()) + fields, "cs", "ts"
    )


def test_fresh_nonce_per_request():
    creds = Credentials("ck", "cs", "tok", "ts")
    a = _header_params(sign_request(creds, "GET", "https://x.test/services/rest/?a=1")["Authorization"])
    b = _header_params(sign_request(creds, "GET", "https://x.test/services/rest/?a=1")["Authorization"])
    assert a["oauth_nonce"] != b["oauth_nonce"]


def test_credentials_repr_hides_secrets():
    creds = Credentials("KEYVALUE", "SECRETVALUE", "TOKENVALUE", "TOKSECRET")
    r = repr(creds)
    for s in ("KEYVALUE", "SECRETVALUE", "TOKENVALUE", "TOKSECRET"):
        assert s not in r
