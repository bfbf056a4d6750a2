"""Flickr's call budget per key: beyond ``rate_limit`` API calls in any ``rate_limit_window``
seconds, HTTP 429 with Flickr's bare HTML page and no Retry-After (unless asked for); every API
call counts (REST, upload, OAuth), static files do not; the window slides on the emulator's clock."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from pycsync.emulator.cli import emulator_command
from pycsync.emulator.config import EmulatorConfig
from tests.support.api import Api, control
from tests.support.media import make_jpeg_bytes

RECORDED_429 = (Path(__file__).parents[1] / "data" / "realflickr" / "http-429.flickrapi-2021.html").read_text()


def _budget(emulator, calls: int, window: float = 60, retry_after: bool = False) -> None:
    config = emulator.backend.config
    config.rate_limit, config.rate_limit_window, config.rate_limit_retry_after = calls, window, retry_after


def test_beyond_the_budget_flickr_answers_429_without_retry_after(emulator, flickr_clock):
    api = Api(emulator)
    photo = api.upload_id(make_jpeg_bytes(seed=1))
    url = api.ok("flickr.photos.getSizes", photo_id=photo)["sizes"]["size"][-1]["source"]
    _budget(emulator, 4)
    assert api.raw("flickr.test.echo").status_code == 200
    assert api.upload_raw(make_jpeg_bytes(seed=2)).status_code == 200
    assert requests.post(emulator.endpoint + "/services/oauth/request_token").status_code in (400, 401)
    for _ in range(3):  # the CDN is not the API: its files never count
        assert requests.get(url).status_code == 200
    assert api.raw("flickr.test.echo").status_code == 200
    refused = [api.raw("flickr.test.echo"), api.upload_raw(make_jpeg_bytes(seed=3))]
    for r in refused:
        assert r.status_code == 429 and r.text == RECORDED_429
        assert "Retry-After" not in r.headers and r.headers["Content-Type"].startswith("text/html")
    assert requests.get(url).status_code == 200
    assert control(emulator, "calls").json()["rate_limited"] == 2
    assert len(emulator.state()["photos"]) == 2, "a refused upload stores nothing"
    flickr_clock.advance(59)
    assert api.raw("flickr.test.echo").status_code == 429
    flickr_clock.advance(1)  # the first four calls leave the window
    assert [api.raw("flickr.test.echo").status_code for _ in range(5)] == [200] * 4 + [429]


def test_retry_after_when_asked_for(emulator, flickr_clock):
    _budget(emulator, 2, window=3600, retry_after=True)
    api = Api(emulator)
    api.raw("flickr.test.echo")
    flickr_clock.advance(1000.5)
    api.raw("flickr.test.echo")
    r = api.raw("flickr.test.echo")
    assert r.status_code == 429 and r.headers["Retry-After"] == "2600"  # when the first call leaves


def test_the_budget_on_the_command_line_and_in_the_config():
    help_text = CliRunner().invoke(emulator_command, ["--help"]).output
    for option in ("--rate-limit", "--rate-limit-window", "--rate-limit-retry-after"):
        assert option in help_text
    assert CliRunner().invoke(emulator_command, ["--rate-limit", "-1"]).exit_code == 2
    assert CliRunner().invoke(emulator_command, ["--rate-limit-window", "0"]).exit_code == 2
    assert EmulatorConfig().rate_limit == 0, "no limit unless asked for"
    with pytest.raises(ValueError):
        EmulatorConfig(rate_limit_window=0)
