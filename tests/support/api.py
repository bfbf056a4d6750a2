"""Test-side Flickr client for the emulator tests.

Signing is done with oauthlib / requests_oauthlib -- never with the emulator's
own code -- so the tests check the server against an independent implementation.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode

import requests
from oauthlib.oauth1 import SIGNATURE_TYPE_AUTH_HEADER, SIGNATURE_TYPE_BODY, SIGNATURE_TYPE_QUERY, Client
from requests_oauthlib import OAuth1

SIG_TYPES = {"auth_header": SIGNATURE_TYPE_AUTH_HEADER, "query": SIGNATURE_TYPE_QUERY, "body": SIGNATURE_TYPE_BODY}


class Api:
    """Calls one emulator as one token holder."""

    def __init__(
        self,
        emu: Any,
        token: str | None = None,
        token_secret: str | None = None,
        *,
        api_key: str | None = None,
        api_secret: str | None = None,
        signed: bool = True,
        rest_path: str = "/services/rest/",
    ) -> None:
        self.emu = emu
        self.endpoint = emu.endpoint
        self.api_key = api_key or emu.api_key
        self.api_secret = api_secret or emu.api_secret
        self.token = emu.oauth_token if token is None and signed else token
        self.token_secret = emu.oauth_token_secret if token_secret is None and signed else token_secret
        self.signed = signed
        self.rest_url = self.endpoint + rest_path
        self.session = requests.Session()

    def oauth(self, sig: str = "auth_header") -> OAuth1:
        return OAuth1(self.api_key, self.api_secret, self.token, self.token_secret, signature_type=SIG_TYPES[sig])

    # ------------------------------------------------------------------ REST
    def raw(
        self,
        method: str | None,
        *,
        http: str = "POST",
        fmt: str | None = "json",
        sig: str = "auth_header",
        nojsoncallback: bool = True,
        **params: Any,
    ) -> requests.Response:
        p: dict[str, Any] = {}
        if method is not None:
            p["method"] = method
        if fmt is not None:
            p["format"] = fmt
            if fmt == "json" and nojsoncallback:
                p["nojsoncallback"] = "1"
        p.update({k: v for k, v in params.items() if v is not None})
        auth = self.oauth(sig) if self.signed else None
        if not self.signed:
            p.setdefault("api_key", self.api_key)
        if http == "GET":
            return self.session.get(self.rest_url, params=p, auth=auth, timeout=30)
        return self.session.post(self.rest_url, data=p, auth=auth, timeout=30)

    def call(self, method: str, **params: Any) -> dict:
        """JSON call; returns the decoded body (``stat`` included)."""
        r = self.raw(method, **params)
        assert r.status_code == 200, (r.status_code, r.text)
        assert r.headers["Content-Type"].startswith("application/json"), r.headers["Content-Type"]
        return json.loads(r.text)

    def ok(self, method: str, **params: Any) -> dict:
        body = self.call(method, **params)
        assert body["stat"] == "ok", body
        return body

    def fail(self, method: str, code: int, **params: Any) -> dict:
        body = self.call(method, **params)
        assert body["stat"] == "fail", body
        assert body["code"] == code, body
        return body

    def xml(self, method: str, **params: Any) -> ET.Element:
        r = self.raw(method, fmt=None, **params)
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].startswith("text/xml"), r.headers["Content-Type"]
        assert r.text.startswith('<?xml version="1.0" encoding="utf-8" ?>\n<rsp stat='), r.text[:80]
        return ET.fromstring(r.content)

    # ------------------------------------------------------------------ upload
    def upload_raw(
        self,
        data: bytes | None,
        filename: str = "photo.jpg",
        *,
        path: str = "/services/upload/",
        file_field: str = "photo",
        **fields: Any,
    ) -> requests.Response:
        """Multipart upload signed the way Flickr wants: every field but the file."""
        url = self.endpoint + path
        fields = {k: str(v) for k, v in fields.items() if v is not None}
        client = Client(
            self.api_key,
            client_secret=self.api_secret,
            resource_owner_key=self.token,
            resource_owner_secret=self.token_secret,
        )
        if fields:
            _, headers, _ = client.sign(
                url,
                http_method="POST",
                body=urlencode(fields),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        else:
            _, headers, _ = client.sign(url, http_method="POST")
        auth_header = {"Authorization": headers["Authorization"]}
        if data is None:  # no file part at all
            return self.session.post(url, data=fields, headers=auth_header, timeout=60)
        return self.session.post(
            url, data=fields, files={file_field: (filename, data)}, headers=auth_header, timeout=60
        )

    def upload(self, data: bytes, filename: str = "photo.jpg", **fields: Any) -> ET.Element:
        r = self.upload_raw(data, filename, **fields)
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].startswith("text/xml")
        return ET.fromstring(r.content)

    def upload_id(self, data: bytes, filename: str = "photo.jpg", **fields: Any) -> str:
        root = self.upload(data, filename, **fields)
        assert root.get("stat") == "ok", ET.tostring(root)
        return root.findtext("photoid")

    def replace(self, data: bytes, photo_id: str, filename: str = "photo.jpg", **fields: Any) -> ET.Element:
        r = self.upload_raw(data, filename, path="/services/replace/", photo_id=photo_id, **fields)
        assert r.status_code == 200, r.text
        return ET.fromstring(r.content)

    # ------------------------------------------------------------------ conveniences
    def info(self, photo_id: str) -> dict:
        return self.ok("flickr.photos.getInfo", photo_id=photo_id)["photo"]

    def fetch(self, url: str, **kwargs: Any) -> requests.Response:
        """GET a file URL signed as this token holder (a video's original is its owner's only)."""
        return self.session.get(url, auth=self.oauth() if self.signed else None, timeout=30, **kwargs)

    def original_url(self, photo_id: str) -> str:
        sizes = self.ok("flickr.photos.getSizes", photo_id=photo_id)["sizes"]["size"]
        labels = {s["label"]: s["source"] for s in sizes}
        return labels.get("Video Original") or labels["Original"]

    def create_set(self, title: str, primary: str, **kw: Any) -> str:
        return self.ok("flickr.photosets.create", title=title, primary_photo_id=primary, **kw)["photoset"]["id"]


def control(emu: Any, path: str, method: str = "GET", body: Any = None) -> requests.Response:
    """A control-surface call; state changes go as JSON (the only way the emulator takes them)."""
    url = f"{emu.endpoint}/__emulator__/{path}"
    if method != "GET" and body is None:
        body = {}
    return requests.request(method, url, json=body, timeout=10)
