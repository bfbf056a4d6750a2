"""No input gives a 500: every REST method's arguments, and the upload and replace fields, fuzzed
with hypothesis over real HTTP. Flickr answers odd input with HTTP 200 and ``stat="fail"`` (e.g.
getExif of a 20-digit photo id: code 1 "Photo not found", recorded 2025); only a fault rule may
make the emulator answer 5xx."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pycsync.emulator import EmulatorServer
from pycsync.emulator.api import REGISTRY
from tests.support.api import Api
from tests.support.media import make_jpeg_bytes, make_mp4_bytes

_ODD = [
    "",
    " ",
    "0",
    "-1",
    "me",
    "12345678901234567890",  # 20 digits (beyond SQLite's integers)
    "9" * 40,
    "-" + "9" * 30,
    "1e9",
    "0x10",
    "NaN",
    "2019-02-30 25:61:61",
    "0000-00-00 00:00:00",
    "1-2-3",
    "a,,b",
    '"quoted tag" ns:pred="v a"',
    "*:*=",
    "\u00e9\u0301\U0001f600",
    "<script>",
    "%00",
]


@pytest.fixture(scope="module")
def world():
    """An account with photos (public, private, a video, tagged), an album and a ticket, so that
    fuzzed ids sometimes name real things."""
    with EmulatorServer() as emu:
        api = Api(emu)
        ids = [
            api.upload_id(make_jpeg_bytes(seed=1), tags="a checksum:md5=x", is_public=1),
            api.upload_id(make_jpeg_bytes(seed=2), is_public=0),
            api.upload_id(make_mp4_bytes(seed=3), "v.mp4"),
        ]
        set_id = api.create_set("S", ids[0])
        tag_id = api.info(ids[0])["tags"]["tag"][0]["id"]
        ticket = api.upload(make_jpeg_bytes(seed=4), **{"async": 1}).findtext("ticketid")
        known = [*ids, set_id, tag_id, ticket, emu.user_nsid, emu.username, emu.oauth_token]
        yield emu, api, known


def _values(known: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(_ODD + known),
        st.integers(min_value=-(2**80), max_value=2**80).map(str),
        st.text(max_size=24),
        st.lists(st.sampled_from(known + ["0", "x"]), max_size=4).map(",".join),
    )


def _params(name: str, known: list[str]) -> st.SearchStrategy[dict[str, str]]:
    documented = [a.name for a in REGISTRY[name].args if a.name != "api_key"]
    names = st.sampled_from(documented) if documented else st.just("foo")
    extra = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
    return st.dictionaries(st.one_of(names, names, extra), _values(known), max_size=max(3, len(documented) + 1))


def _answered_normally(r: Any, fmt: str) -> None:
    assert r.status_code == 200, (r.status_code, r.text[:300])
    if fmt == "json":
        assert json.loads(r.text)["stat"] in ("ok", "fail"), r.text[:300]
    else:
        assert r.text.startswith('<?xml version="1.0" encoding="utf-8" ?>\n<rsp stat='), r.text[:300]


_SETTINGS = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,  # the same examples every run: a failure reproduces
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_no_argument_of_any_method_gives_a_500(world, name):
    emu, api, known = world

    @_SETTINGS
    @given(params=_params(name, known), fmt=st.sampled_from(["json", "rest"]))
    def check(params: dict[str, str], fmt: str) -> None:
        clean = {k: v for k, v in params.items() if not k.startswith("oauth_") and k not in ("method", "format")}
        _answered_normally(api.raw(name, fmt=fmt if fmt == "json" else None, **clean), fmt)

    check()


@pytest.mark.parametrize("path", ["/services/upload/", "/services/replace/"])
def test_no_upload_or_replace_field_gives_a_500(world, path):
    emu, api, known = world
    fields = st.sampled_from(
        ["title", "description", "tags", "is_public", "is_friend", "is_family", "safety_level", "content_type"]
        + ["hidden", "async", "dedup_check", "photo_id"]
    )
    files = st.one_of(
        st.just(make_jpeg_bytes(seed=9)), st.just(make_mp4_bytes(seed=9, size=64)), st.binary(max_size=64)
    )

    @_SETTINGS
    @given(params=st.dictionaries(fields, _values(known), max_size=6), data=st.one_of(st.none(), files))
    def check(params: dict[str, str], data: bytes | None) -> None:
        r = api.upload_raw(data, "f.jpg", path=path, **params)
        assert r.status_code == 200, (r.status_code, r.text[:300])
        assert r.text.startswith('<?xml version="1.0" encoding="utf-8" ?>\n<rsp stat='), r.text[:300]

    check()


@pytest.mark.parametrize(
    "method",
    ["flickr.photos.getInfo", "flickr.photos.getSizes", "flickr.photos.getAllContexts", "flickr.photos.getExif"],
)
def test_a_20_digit_photo_id_is_photo_not_found(world, method):
    """As recorded (getExif, 2025): HTTP 200, code 1, "Photo not found" -- not an HTML 500."""
    emu, api, known = world
    body = api.fail(method, 1, photo_id="12345678901234567890")
    assert body["message"] == "Photo not found"
