"""Shared helpers for the reliability suite: fast retries, whole-account checks, a small library.

Every test here runs the real engine against the emulator over HTTP. The client's retry backoff
and read timeout are shortened (the policy is the same, only the clock is faster) and the wait
for an upload whose answer was lost comes from PYCSYNC_UNKNOWN_UPLOAD_WAIT, as a user would set it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path

import pytest

import pycsync.cli as cli_module
from pycsync.flickr import FlickrClient
from tests.conftest import make_jpeg_bytes
from tests.integration.conftest import emulator_env, runner_for

# Reads that take longer than this time out (the "timeout" faults add more latency than that).
READ_TIMEOUT = 1.0
TIMEOUT_LATENCY_MS = 1500
UNKNOWN_UPLOAD_WAIT = "2"

META = ".pycsync"


def fast_client(*args, **kwargs) -> FlickrClient:
    kwargs.setdefault("backoff_base", 0.02)
    kwargs.setdefault("backoff_cap", 0.2)
    kwargs.setdefault("timeout", (5.0, READ_TIMEOUT))
    kwargs.setdefault("upload_timeout", (5.0, READ_TIMEOUT))
    return FlickrClient(*args, **kwargs)


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch):
    monkeypatch.setattr(cli_module, "FlickrClient", fast_client)


def env_for(emulator, tmp_path) -> dict[str, str]:
    return {**emulator_env(emulator, tmp_path), "PYCSYNC_UNKNOWN_UPLOAD_WAIT": UNKNOWN_UPLOAD_WAIT}


def sync_json_for(cli):
    """`pycsync sync ROOT --json ...` -> the parsed summary (exit status checked)."""

    def run(root: Path, *args: str, expect: int | None = 0) -> dict:
        result = cli("sync", str(root), "--json", *args)
        if expect is not None:
            assert result.exit_code == expect, (result.exit_code, result.output, result.stderr)
        summary = summary_of(result)
        summary["exit_code"] = result.exit_code
        summary["stderr"] = result.stderr
        return summary

    return run


@pytest.fixture
def cli_env(emulator, tmp_path) -> dict[str, str]:
    return env_for(emulator, tmp_path)


@pytest.fixture
def cli(cli_env):
    return runner_for(cli_env)


@pytest.fixture
def sync_json(cli):
    return sync_json_for(cli)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def jpeg(seed: int) -> bytes:
    return make_jpeg_bytes(seed=seed, size=(24, 16))


def put(path: Path, seed: int) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = jpeg(seed)
    path.write_bytes(data)
    return sha(data)


def local_files(root: Path) -> dict[str, bytes]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        if rel_dir.parts and rel_dir.parts[0] == META:
            dirnames[:] = []
            continue
        dirnames[:] = [d for d in dirnames if not (not rel_dir.parts and d == META)]
        for name in filenames:
            p = Path(dirpath) / name
            out[(rel_dir / name).as_posix()] = p.read_bytes()
    return out


def local_placements(root: Path) -> Counter:
    """(folder, sha256) of every local file."""
    return Counter((k.rpartition("/")[0], sha(v)) for k, v in local_files(root).items())


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
    counts = Counter(p["sha256"] for p in state["photos"])
    return {s: n for s, n in counts.items() if n > 1}


def partial_files(root: Path) -> list[str]:
    """Temp files outside .pycsync/tmp (there must never be any under a real name)."""
    return [k for k in local_files(root) if k.endswith((".part", ".tmp"))]


def assert_same_both_sides(root: Path, emulator, layout: dict[str, str] | None = None) -> None:
    """Both sides agree (every file is a photo in its folder's album, every photo a file), no
    content has two Flickr photos, and nothing partial is left. ``layout`` (path -> sha256) is the
    intended tree: agreement alone would also hold if a run had moved files out of their folders
    on both sides, or lost some everywhere, so the tree must also be exactly this one."""
    state = emulator.state()
    assert duplicates(state) == {}, "more than one Flickr photo for one content"
    local, remote = local_placements(root), remote_placements(state)
    assert local == remote, (sorted((local - remote).elements()), sorted((remote - local).elements()))
    if layout is not None:
        have = {k: sha(v) for k, v in local_files(root).items()}
        assert have == layout, (
            f"not where they belong: {sorted(set(have.items()) - set(layout.items()))}, "
            f"missing: {sorted(set(layout.items()) - set(have.items()))}"
        )
    assert partial_files(root) == []


WRITE_CALLS = (
    "upload",
    "replace",
    "flickr.photosets.create",
    "flickr.photosets.addPhoto",
    "flickr.photosets.editPhotos",
    "flickr.photosets.removePhotos",
    "flickr.photos.delete",
    "flickr.photos.setMeta",
    "flickr.photos.addTags",
    "flickr.photos.removeTag",
    "flickr.photosets.delete",
    "flickr.photosets.editMeta",
)


def write_calls(emulator) -> dict[str, int]:
    return {m: n for m, n in emulator.calls().items() if m in WRITE_CALLS}


def assert_converged(root: Path, emulator, sync_json) -> None:
    """Guarantee 3: a run with no concurrent change plans nothing and writes nothing."""
    emulator.reset_calls()
    summary = sync_json(root)
    assert write_calls(emulator) == {}, summary
    for k in ("uploaded", "downloaded", "replaced", "moved", "deleted", "linked", "failed"):
        assert summary[k] == 0, (k, summary)


def summary_of(result) -> dict:
    try:
        return json.loads(result.stdout)
    except ValueError:
        return {}


def build_library(root, flickr, sync_json) -> dict[str, str]:
    """A synced library, then changes on both sides; returns the tree (path -> sha256) that a
    sync must leave on both sides."""
    layout = {}
    for path, seed in (("A/a1.jpg", 1), ("A/a2.jpg", 2), ("B/b1.jpg", 3), ("r1.jpg", 4)):
        layout[path] = put(root / path, seed)
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
        layout[path] = put(root / path, seed)
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
