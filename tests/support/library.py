"""Libraries of photos to sync, built the same way by every test that needs one."""

from __future__ import annotations

import zlib
from pathlib import Path

from tests.support.files import sha, write_jpeg
from tests.support.media import jpeg, make_jpeg_bytes


def make_library(root: Path, albums: dict[str, int], loose: int = 0, seed: int = 0) -> list[str]:
    """``albums``: folder -> number of photos; ``loose``: photos in the root. Returns the keys.

    A file's content depends only on its key and ``seed``, and existing files are left alone, so
    growing a library adds files without touching the others.
    """
    keys = [f"{folder}/IMG_{i:04d}.jpg" for folder, count in albums.items() for i in range(count)]
    keys += [f"loose_{i:04d}.jpg" for i in range(loose)]
    for key in keys:
        path = root / key
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        make_jpeg_bytes(path, seed=zlib.crc32(f"{seed}:{key}".encode()), size=(8, 8))
    return keys


def build_library(root, flickr, sync_json) -> dict[str, str]:
    """A synced library, then changes on both sides; returns the tree (path -> sha256) that a
    sync must leave on both sides."""
    layout = {}
    for path, seed in (("A/a1.jpg", 1), ("A/a2.jpg", 2), ("B/b1.jpg", 3), ("r1.jpg", 4)):
        layout[path] = sha(write_jpeg(root / path, seed))
    sync_json(root)
    # local: an edit (replace), two new files in an existing album and one in another (addPhoto
    # each), a new album of three (photosets.create, then editPhotos with all of them)
    for path, seed in (
        ("A/a1.jpg", 11),
        ("A/a3.jpg", 12),
        ("A/a4.jpg", 13),
        ("B/b2.jpg", 14),
        ("C/c1.jpg", 15),
        ("C/c2.jpg", 16),
        ("C/c3.jpg", 17),
    ):
        layout[path] = sha(write_jpeg(root / path, seed))
    (root / "A/a2.jpg").rename(root / "A/a2 renamed.jpg")  # a retitle on Flickr, no upload
    layout["A/a2 renamed.jpg"] = layout.pop("A/a2.jpg")
    # Flickr: a new photo in album B, a new photo in no album, and B/b1 replaced (downloads)
    albums = {a.title: a.album_id for a in flickr.list_albums()}
    staging = root.parent / "staging"
    staging.mkdir(exist_ok=True)
    x = staging / "X.jpg"
    x.write_bytes(jpeg(21))
    pid = flickr.upload(x, title="X").photo_id
    flickr.add_to_album(albums["B"], pid)
    y = staging / "Y.jpg"
    y.write_bytes(jpeg(22))
    flickr.upload(y, title="Y")
    b1 = next(p for p in flickr.search() if p["title"] == "b1")
    z = staging / "b1.jpg"
    z.write_bytes(jpeg(23))
    flickr.replace(z, b1["id"])
    layout.update({"B/X.jpg": sha(jpeg(21)), "Y.jpg": sha(jpeg(22)), "B/b1.jpg": sha(jpeg(23))})
    return layout
