"""Helpers for the acceptance tests: acting "on Flickr" as a website user, reading the emulator's
state back in comparable shapes, and checking that a further sync converges (plans nothing and
makes no write call).
"""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

from pycsync import naming
from tests.conftest import make_jpeg_bytes
from tests.integration.conftest import tree

WRITE_REST_METHODS = {
    "flickr.photos.delete",
    "flickr.photos.setMeta",
    "flickr.photos.addTags",
    "flickr.photos.removeTag",
    "flickr.photos.setTags",
    "flickr.photos.setPerms",
    "flickr.photos.setDates",
    "flickr.photos.geo.setLocation",
    "flickr.photos.geo.removeLocation",
    "flickr.photosets.create",
    "flickr.photosets.delete",
    "flickr.photosets.addPhoto",
    "flickr.photosets.removePhoto",
    "flickr.photosets.removePhotos",
    "flickr.photosets.editPhotos",
    "flickr.photosets.editMeta",
    "flickr.photosets.orderSets",
    "flickr.photosets.setPrimaryPhoto",
    "flickr.photosets.reorderPhotos",
}

SUMMARY_COUNTS = (
    "uploaded",
    "downloaded",
    "replaced",
    "moved",
    "deleted",
    "linked",
    "metadata",
    "conflicts",
    "metadata_conflicts",
    "failed",
)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def jpeg(seed: int) -> bytes:
    return make_jpeg_bytes(seed=seed)


def is_write(method: str) -> bool:
    return method in ("upload", "replace") or method in WRITE_REST_METHODS


def write_calls(emulator) -> dict[str, int]:
    """Every call since the last reset that changes something on Flickr."""
    return {m: n for m, n in emulator.calls().items() if is_write(m)}


def static_calls(emulator) -> int:
    """Downloads of file bytes (originals, video play URLs) since the last reset."""
    return emulator.calls().get("static", 0)


def photos_by_id(emulator) -> dict[str, dict]:
    return {p["id"]: p for p in emulator.state()["photos"]}


def album_ids(emulator) -> dict[str, str]:
    """album title -> id (titles are unique in these tests)."""
    return {a["title"]: a["id"] for a in emulator.state()["albums"]}


def albums_by_sha(emulator) -> dict[str, list[str]]:
    """album title -> sorted sha256 of its members ("" for photos in no album)."""
    state = emulator.state()
    photos = {p["id"]: p for p in state["photos"]}
    out = {a["title"]: sorted(photos[i]["sha256"] for i in a["photo_ids"]) for a in state["albums"]}
    loose = sorted(p["sha256"] for p in state["photos"] if not p["album_ids"])
    if loose:
        out[""] = loose
    return out


def albums_by_title(emulator) -> dict[str, list[str]]:
    """album title -> sorted photo titles ("" for photos in no album)."""
    state = emulator.state()
    photos = {p["id"]: p for p in state["photos"]}
    out = {a["title"]: sorted(photos[i]["title"] for i in a["photo_ids"]) for a in state["albums"]}
    loose = sorted(p["title"] for p in state["photos"] if not p["album_ids"])
    if loose:
        out[""] = loose
    return out


def photo_with_sha(emulator, digest: str) -> dict:
    hits = [p for p in emulator.state()["photos"] if p["sha256"] == digest]
    assert len(hits) == 1, f"expected exactly one photo with sha {digest[:8]}, found {len(hits)}"
    return hits[0]


def photo_titled(emulator, title: str) -> dict:
    hits = [p for p in emulator.state()["photos"] if p["title"] == title]
    assert len(hits) == 1, f"expected exactly one photo titled {title!r}, found {len(hits)}"
    return hits[0]


def trash(root: Path) -> dict[str, bytes]:
    """Files in .pycsync/trash/, keyed by their path below the run's time-stamped folder."""
    base = root / ".pycsync" / "trash"
    if not base.exists():
        return {}
    out = {}
    for p in sorted(base.rglob("*")):
        if p.is_file():
            out["/".join(p.relative_to(base).parts[1:])] = p.read_bytes()
    return out


def local_shas(root: Path) -> dict[str, str]:
    return {k: sha(v) for k, v in tree(root).items()}


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


def assert_converged(emulator, sync_json, root: Path, *args: str) -> dict:
    """A further sync changes nothing on either side: no write call, no byte downloaded, nothing
    planned, the local tree and the Flickr state unchanged."""
    before_tree, before_state = tree(root), emulator.state()
    emulator.reset_calls()
    summary = sync_json(root, *args)
    assert write_calls(emulator) == {}, f"a converged sync made write calls: {write_calls(emulator)}"
    assert static_calls(emulator) == 0, "a converged sync downloaded bytes"
    assert {k: summary[k] for k in SUMMARY_COUNTS} == dict.fromkeys(SUMMARY_COUNTS, 0), summary
    assert tree(root) == before_tree
    assert emulator.state() == before_state
    return summary
