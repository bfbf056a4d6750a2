"""The Flickr side: the emulator's state read back in comparable shapes, and changes made on
Flickr as its website's user would make them."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

from pycsync import naming
from pycsync.flickr import Credentials, Endpoints, FlickrClient
from tests.support.files import sha


def owner_client(emulator, make=FlickrClient, **kwargs) -> FlickrClient:
    """A client (``make``: FlickrClient or a factory such as faults.fast_client) signed in with
    the emulator's ready token, with no hourly call budget unless given one."""
    creds = Credentials(emulator.api_key, emulator.api_secret, emulator.oauth_token, emulator.oauth_token_secret)
    kwargs.setdefault("calls_per_hour", None)
    return make(Endpoints.for_base(emulator.endpoint), creds, **kwargs)


def remote_photos(emulator) -> list[dict]:
    return emulator.state()["photos"]


def photos_by_id(emulator) -> dict[str, dict]:
    return {p["id"]: p for p in emulator.state()["photos"]}


def album_ids(emulator) -> dict[str, str]:
    """album title -> id (titles are unique in these tests)."""
    return {a["title"]: a["id"] for a in emulator.state()["albums"]}


def albums_by_sha(emulator) -> dict[str, list[str]]:
    """album title -> sorted sha256 of its members ("" for photos in no album)."""
    return _albums_by(emulator, "sha256")


def albums_by_title(emulator) -> dict[str, list[str]]:
    """album title -> sorted photo titles ("" for photos in no album)."""
    return _albums_by(emulator, "title")


def _albums_by(emulator, field: str) -> dict[str, list[str]]:
    state = emulator.state()
    photos = {p["id"]: p for p in state["photos"]}
    out = {a["title"]: sorted(photos[i][field] for i in a["photo_ids"]) for a in state["albums"]}
    loose = sorted(p[field] for p in state["photos"] if not p["album_ids"])
    if loose:
        out[""] = loose
    return out


def remote_placements(state: dict) -> Counter:
    """(album title, sha256) of every photo in every album, ('', sha256) for photos in none."""
    by_id = {p["id"]: p for p in state["photos"]}
    out: Counter = Counter()
    for album in state["albums"]:
        for pid in album["photo_ids"]:
            out[(album["title"], by_id[pid]["sha256"])] += 1
    for p in state["photos"]:
        if not p["album_ids"]:
            out[("", p["sha256"])] += 1
    return out


def duplicates(state: dict) -> dict[str, int]:
    """sha256 -> number of photos, for every content Flickr holds more than once."""
    counts = Counter(p["sha256"] for p in state["photos"])
    return {s: n for s, n in counts.items() if n > 1}


def photo_with_sha(emulator, digest: str) -> dict:
    hits = [p for p in emulator.state()["photos"] if p["sha256"] == digest]
    assert len(hits) == 1, f"expected exactly one photo with sha {digest[:8]}, found {len(hits)}"
    return hits[0]


def photo_titled(emulator, title: str) -> dict:
    hits = [p for p in emulator.state()["photos"] if p["title"] == title]
    assert len(hits) == 1, f"expected exactly one photo titled {title!r}, found {len(hits)}"
    return hits[0]


class Web:
    """Changes made on Flickr by the account owner, as on the website (or another tool):
    no pycsync machine tags unless asked for."""

    _counter = itertools.count()

    def __init__(self, flickr, emulator, scratch: Path):
        self.flickr = flickr
        self.emulator = emulator
        self.scratch = scratch
        scratch.mkdir(parents=True, exist_ok=True)

    def _file(self, data: bytes, ext: str) -> Path:
        path = self.scratch / f"upload-{next(self._counter)}.{ext}"
        path.write_bytes(data)
        return path

    def upload(
        self,
        data: bytes,
        title: str,
        album: str | None = None,
        *,
        ext: str = "jpg",
        tagged: bool = False,
        file_name: str | None = None,
    ) -> str:
        tags = []
        if tagged:  # what pycsync itself would have written
            tags = [naming.hash_tag(sha(data)), naming.name_tag(file_name or f"{title}.{ext}")]
        photo_id = self.flickr.upload(self._file(data, ext), title=title, tags=tags).photo_id
        if album is not None:
            self.add_to_album(photo_id, album)
        return photo_id

    def album_id(self, title: str) -> str | None:
        return album_ids(self.emulator).get(title)

    def add_to_album(self, photo_id: str, album: str) -> str:
        album_id = self.album_id(album)
        if album_id is None:
            return self.flickr.create_album(album, photo_id)
        self.flickr.add_to_album(album_id, photo_id)
        return album_id

    def remove_from_album(self, photo_id: str, album: str) -> None:
        self.flickr.remove_from_album(self.album_id(album), [photo_id])

    def move(self, photo_id: str, src_album: str, dst_album: str) -> None:
        self.add_to_album(photo_id, dst_album)
        self.remove_from_album(photo_id, src_album)

    def replace(self, photo_id: str, data: bytes, ext: str = "jpg") -> None:
        self.flickr.replace(self._file(data, ext), photo_id)

    def delete(self, photo_id: str) -> None:
        self.flickr.delete_photo(photo_id)

    def retitle(self, photo_id: str, title: str) -> None:
        self.flickr.set_meta(photo_id, title=title)
