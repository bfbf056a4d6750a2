"""The signature primitives against the published test vectors of Flickr's own SDK (flickr-sdk test/oauth.ts)."""

from __future__ import annotations

from pycsync.emulator.oauth_signing import (
    base_string,
    base_url_from_environ,
    normalize_params,
    parse_authorization_header,
    rfc3986,
    sign,
)


def test_vector_without_token_secret():
    base = base_string("GET", "http://www.example.com", [("foo", "123"), ("bar", "456")])
    assert base == "GET&http%3A%2F%2Fwww.example.com&bar%3D456%26foo%3D123"
    assert sign(base, "consumer secret") == "lNBTzyWRRHBuoXmgK13Nht5oiKs="


def test_vector_with_token_secret():
    base = base_string("GET", "http://www.example.com", [("foo", "123"), ("bar", "456")])
    assert sign(base, "consumer secret", "keyboard cat") == "pytjoWTzMmvq13/Bai9YVX1tV9c="


def test_vector_flickr_rest_call():
    params = [
        ("method", "flickr.test.echo"),
        ("foo", "bar"),
        ("oauth_nonce", "p2m2bnHdXVIsQH0FUv0oN9XrJU57ak7dSSpHU36mn4k="),
        ("oauth_consumer_key", "consumer key"),
        ("oauth_token", "oauth token"),
        ("oauth_version", "1.0"),
        ("oauth_timestamp", "499166400"),
        ("oauth_signature_method", "HMAC-SHA1"),
    ]
    base = base_string("GET", "https://api.flickr.com/services/rest", params)
    assert sign(base, "consumer secret", "oauth token secret") == "Dz9rJCs/jKRPMeLztpj7T9Ur9m0="


def test_rfc3986_encoding():
    assert rfc3986("a b+c") == "a%20b%2Bc"
    assert rfc3986("!'()*~-._") == "%21%27%28%29%2A~-._"
    assert rfc3986("łódź") == "%C5%82%C3%B3d%C5%BA"
    # sorted by key then value, duplicates kept
    assert normalize_params([("b", "2"), ("a", "z"), ("a", "y")]) == "a=y&a=z&b=2"


def test_parse_authorization_header():
    got = parse_authorization_header('OAuth realm="x", oauth_consumer_key="k%20y", oauth_nonce="n"')
    assert got == [("oauth_consumer_key", "k y"), ("oauth_nonce", "n")]
    assert parse_authorization_header("Basic abc") is None
    assert parse_authorization_header(None) is None


def test_base_url_keeps_path_verbatim_and_drops_default_port():
    env = {"wsgi.url_scheme": "http", "HTTP_HOST": "LocalHost:80", "REQUEST_URI": "/services/rest/?a=b"}
    assert base_url_from_environ(env) == "http://localhost/services/rest/"
    env = {"wsgi.url_scheme": "http", "HTTP_HOST": "127.0.0.1:8765", "REQUEST_URI": "/services/rest"}
    assert base_url_from_environ(env) == "http://127.0.0.1:8765/services/rest"
    env = {"wsgi.url_scheme": "https", "HTTP_HOST": "api.flickr.com:443", "PATH_INFO": "/services/upload/"}
    assert base_url_from_environ(env) == "https://api.flickr.com/services/upload/"
