import dataclasses

import pytest

from pycsync.flickr import Endpoints


def test_real_flickr():
    ep = Endpoints.for_base(None)
    assert ep.rest == "https://api.flickr.com/services/rest/"
    assert ep.upload == "https://up.flickr.com/services/upload/"
    assert ep.replace == "https://up.flickr.com/services/replace/"
    assert ep.request_token == "https://www.flickr.com/services/oauth/request_token"
    assert ep.authorize == "https://www.flickr.com/services/oauth/authorize"
    assert ep.access_token == "https://www.flickr.com/services/oauth/access_token"
    assert ep.is_real_flickr


@pytest.mark.parametrize("base", ["http://127.0.0.1:8080", "http://127.0.0.1:8080/"])
def test_base_url(base):
    ep = Endpoints.for_base(base)
    assert ep.rest == "http://127.0.0.1:8080/services/rest/"
    assert ep.upload == "http://127.0.0.1:8080/services/upload/"
    assert ep.replace == "http://127.0.0.1:8080/services/replace/"
    assert ep.request_token == "http://127.0.0.1:8080/services/oauth/request_token"
    assert ep.authorize == "http://127.0.0.1:8080/services/oauth/authorize"
    assert ep.access_token == "http://127.0.0.1:8080/services/oauth/access_token"
    assert ep.origins() == {"http://127.0.0.1:8080"}
    assert not ep.is_real_flickr


def test_base_with_prefix_and_frozen():
    ep = Endpoints.for_base("https://example.org/flickr/")
    assert ep.rest == "https://example.org/flickr/services/rest/"
    with pytest.raises(dataclasses.FrozenInstanceError):
        ep.rest = "x"  # type: ignore[misc]


def test_bad_base():
    with pytest.raises(ValueError):
        Endpoints.for_base("not a url")
