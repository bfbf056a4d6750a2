"""A user's own tag that is also a tag a folder's .pycsync.toml adds (issue 12): the settings'
tags are pycsync's on the photos of that folder only. A keyword typed in the folder's photos
stays in their sidecars and on Flickr; the same tag on any other photo is an ordinary tag, both
ways. Real CLI, emulator over HTTP."""

from __future__ import annotations

from pathlib import Path

from pycsync.flickr import FlickrClient
from tests.support.calls import write_calls
from tests.support.convergence import assert_converged
from tests.support.photos import photo, read_xmp, sidecar


def tags(flickr: FlickrClient, photo_id: str) -> list[str]:
    return sorted(t.raw for t in flickr.photo_info(photo_id).tags if not t.machine)


def ids_by_title(emulator) -> dict[str, str]:
    return {p["title"]: p["id"] for p in emulator.state()["photos"]}


def library(root: Path) -> Path:
    (root / "Portfolio").mkdir(parents=True)
    (root / "Portfolio" / ".pycsync.toml").write_text('tags = ["portfolio"]\n')
    photo(root / "Portfolio" / "best.jpg", 1, keywords=["portfolio", "night"])  # the user's own keyword too
    photo(root / "Portfolio" / "other.jpg", 2)
    photo(root / "Family" / "beach.jpg", 3)
    return root


def test_a_keyword_a_folder_setting_also_adds_stays_in_the_photo_and_on_flickr(emulator, root, sync_json, flickr):
    library(root)
    sync_json(root)
    ids = ids_by_title(emulator)
    assert tags(flickr, ids["best"]) == ["night", "portfolio"]
    assert tags(flickr, ids["other"]) == ["portfolio"]
    assert_converged(emulator, sync_json, root)
    assert not (root / "Portfolio" / "other.jpg.xmp").exists()  # (the setting's tag is not written here)
    # removed from the photo's keywords, it stays on Flickr: the folder's setting gives it
    sidecar(root / "Portfolio" / "best.jpg.xmp", Xmp_dc_subject=["night"])
    emulator.reset_calls()
    sync_json(root)
    assert write_calls(emulator) == {}
    assert tags(flickr, ids["best"]) == ["night", "portfolio"]
    assert_converged(emulator, sync_json, root)


def test_the_same_tag_on_a_photo_of_another_folder_is_an_ordinary_tag_both_ways(emulator, root, sync_json, flickr):
    library(root)
    sync_json(root)
    ids = ids_by_title(emulator)
    # added on Flickr to a photo no setting tags: it reaches the photo's sidecar
    flickr.add_tags(ids["beach"], ["portfolio"])
    sync_json(root)
    assert read_xmp(root / "Family" / "beach.jpg.xmp")["Xmp.dc.subject"] == ["portfolio"]
    assert_converged(emulator, sync_json, root)
    # removed from the sidecar: removed from Flickr, and it stays removed
    sidecar(root / "Family" / "beach.jpg.xmp", Xmp_dc_subject=["sea"])
    emulator.reset_calls()
    sync_json(root)
    assert tags(flickr, ids["beach"]) == ["sea"]
    assert_converged(emulator, sync_json, root)
    assert read_xmp(root / "Family" / "beach.jpg.xmp")["Xmp.dc.subject"] == ["sea"]
