import logging

import pytest

from pycsync.flickr import redact


def test_query_string():
    out = redact(
        "GET http://h/services/rest/?method=flickr.test.login&oauth_token=7215-abc"
        "&api_key=KEY123&oauth_signature=ab%2Bc%3D&format=json"
    )
    assert "7215-abc" not in out and "KEY123" not in out and "ab%2Bc" not in out
    assert "method=flickr.test.login" in out and "format=json" in out


def test_authorization_header():
    h = (
        'OAuth oauth_nonce="123", oauth_timestamp="1", oauth_version="1.0", '
        'oauth_signature_method="HMAC-SHA1", oauth_consumer_key="ck-value", '
        'oauth_token="tok-value", oauth_signature="sig%3D"'
    )
    out = redact("Authorization: " + h)
    for s in ("ck-value", "tok-value", "sig%3D"):
        assert s not in out
    assert 'oauth_signature_method="HMAC-SHA1"' in out


def test_debug_sbs_percent_encoded():
    body = (
        "oauth_problem=signature_invalid&debug_sbs=POST&https%3A%2F%2Fapi.flickr.com%2F"
        "services%2Frest%2F&comment_text%3Dx%26method%3Dm%26oauth_consumer_key%3Dabcdef"
        "%26oauth_token%3D7215-ff%26oauth_version%3D1.0"
    )
    out = redact(body)
    assert "abcdef" not in out and "7215-ff" not in out
    assert "oauth_problem=signature_invalid" in out
    assert "method%3Dm" in out
    out2 = redact("x%3Doauth_token%253D12-ab%2526y%253D1")
    assert "12-ab" not in out2


def test_token_exchange_body_and_json_and_repr():
    out = redact("fullname=J&oauth_token=721-087&oauth_token_secret=a202d1f853ec69de&user_nsid=2%40N07")
    assert "721-087" not in out and "a202d1f853ec69de" not in out and "user_nsid=2%40N07" in out
    out = redact('{"api_key": {"_content": "KEY"}, "oauth_token":"TOK", "stat": "ok"}')
    assert "KEY" not in out and "TOK" not in out and '"stat": "ok"' in out
    out = redact("{'oauth_token_secret': 'SEC', 'x': 1}")
    assert "SEC" not in out


def test_explicit_secrets_plain_and_encoded():
    out = redact("secret s3cr3t/+= and s3cr3t%2F%2B%3D", secrets=["s3cr3t/+=", None, ""])
    assert "s3cr3t" not in out


def test_harmless_text_untouched():
    text = "photo_id=123&title=hello world&per_page=500"
    assert redact(text) == text
    assert redact("") == ""
    # file names that look like a photo URL's last part are no URL
    for name in ("A/2021/20210101_123456.jpg: changed since the scan", "2021/20210101_1234567890.jpg uploaded"):
        assert redact(name) == name


@pytest.mark.parametrize(
    "text, shown",
    [
        (
            'http://127.0.0.1:43347 "GET /static/65535/52283704142_f5a4199a2d_o.jpg HTTP/1.1" 200 3374',
            'http://127.0.0.1:43347 "GET /static/65535/52283704142_REDACTED_o.jpg HTTP/1.1" 200 3374',
        ),
        (
            "GET https://live.staticflickr.com/65535/52283704142_f5a4199a2d_o.jpg -> 200",
            "GET https://live.staticflickr.com/65535/52283704142_REDACTED_o.jpg -> 200",
        ),
        (
            "https://farm66.staticflickr.com/65535/52283704142_f5a4199a2d_b_d.jpg",
            "https://farm66.staticflickr.com/65535/52283704142_REDACTED_b_d.jpg",
        ),
        (
            "https://live.staticflickr.com/65535/52283704142_f5a4199a2d.jpg",
            "https://live.staticflickr.com/65535/52283704142_REDACTED.jpg",
        ),
        (
            "https://www.flickr.com/photos/12345678@N00/52283704142/play/orig/f5a4199a2d/",
            "https://www.flickr.com/photos/12345678@N00/52283704142/play/orig/REDACTED/",
        ),
        (
            "https://live.staticflickr.com/video/52283704142/f5a4199a2d/orig.mp4?s=eyJpIjo1MjI4&x=1",
            "https://live.staticflickr.com/video/52283704142/REDACTED/orig.mp4?s=REDACTED&x=1",
        ),
        (
            "Max retries exceeded with url: /static/65535/52573881249_fdde82902e_o.jpg (Caused by",
            "Max retries exceeded with url: /static/65535/52573881249_REDACTED_o.jpg (Caused by",
        ),
        (
            '{"url_o":"https:\\/\\/live.staticflickr.com\\/65535\\/52283704142_f5a4199a2d_o.jpg"}',
            '{"url_o":"https:\\/\\/live.staticflickr.com\\/65535\\/52283704142_REDACTED_o.jpg"}',
        ),
    ],
)
def test_photo_urls_lose_their_secret_but_keep_the_photo_id(text, shown):
    assert redact(text) == shown


def test_photo_secret_fields_are_redacted():
    out = redact('{"originalsecret":"f5a4199a2d","secret":"0123456789"} secret=abcdef0123&photo_id=1')
    assert "f5a4199a2d" not in out and "0123456789" not in out and "abcdef0123" not in out and "photo_id=1" in out
    out = redact('<photoid secret="ca957348bc" originalsecret="cd55de71dc">35467821184</photoid>')
    assert "ca957348bc" not in out and "cd55de71dc" not in out and "35467821184" in out


def test_debug_logging_is_redacted(stub, caplog):
    import json

    from pycsync.flickr import Credentials, Endpoints, FlickrClient
    from tests.support.flickr_stub import Reply

    stub.push(Reply(200, json.dumps({"stat": "ok", "user": {"id": "1@N01", "username": {"_content": "u"}}})))
    creds = Credentials("APIKEYVALUE", "APISECRETVALUE", "TOKENVALUE-1", "TOKENSECRETVALUE")
    with caplog.at_level(logging.DEBUG, logger="pycsync.flickr"):
        FlickrClient(Endpoints.for_base(stub.base), creds).test_login()
    text = caplog.text
    assert "flickr.test.login" in text
    for s in ("APIKEYVALUE", "APISECRETVALUE", "TOKENVALUE-1", "TOKENSECRETVALUE"):
        assert s not in text
