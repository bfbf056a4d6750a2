"""`pycsync verify [--deep]`: a clean library verifies (exit 0); a photo deleted or replaced on
Flickr behind pycsync's back, a file damaged on disk, and what is only on one side are each
reported (exit 1); and verify never makes a write call or changes a byte or an mtime in the
folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.calls import static_calls, write_calls
from tests.support.files import on_disk, sha, write_jpeg
from tests.support.media import jpeg
from tests.support.remote import photo_titled


def _library(root: Path, sync_json) -> None:
    for i in range(3):
        write_jpeg(root / "A" / f"a{i}.jpg", i)
    write_jpeg(root / "B" / "b.jpg", 10)
    write_jpeg(root / "top.jpg", 11)
    (root / "A" / "notes.txt").write_text("not a photo")
    sync_json(root)


def _verify(cli, root: Path, *args: str, expect: int) -> dict:
    result = cli("verify", str(root), "--json", *args)
    assert result.exit_code == expect, (result.exit_code, result.stdout, result.stderr)
    return json.loads(result.stdout)


def _findings(doc: dict) -> dict[str, list[str]]:
    names = ("missing_on_flickr", "missing_here", "different", "unverified", "not_synced", "moved")
    return {name: [f["path"] for f in doc[name]] for name in names if doc[name]}


@pytest.mark.parametrize("deep", [False, True], ids=["tags", "deep"])
def test_a_clean_library_verifies_and_nothing_is_written(cli, root, emulator, sync_json, deep):
    _library(root, sync_json)
    before, state = on_disk(root), emulator.state()
    emulator.reset_calls()
    doc = _verify(cli, root, *(["--deep"] if deep else []), expect=0)
    assert doc["ok"] is True and _findings(doc) == {}
    assert doc["checked"]["files"] == 5 and doc["checked"]["photos"] == 5 and doc["checked"]["matched"] == 5
    assert doc["checked"]["downloaded"] == (5 if deep else 0)
    assert doc["checked"]["bytes_downloaded"] == (sum(len(jpeg(i)) for i in (0, 1, 2, 10, 11)) if deep else 0)
    assert write_calls(emulator) == {}, "verify never writes to Flickr"
    assert static_calls(emulator) == (5 if deep else 0)
    assert on_disk(root) == before and emulator.state() == state
    text = cli("verify", str(root), *(["--deep"] if deep else []))
    assert text.exit_code == 0
    assert "verified: 5 files and 5 photos hold the same content" in text.stdout


def test_verify_costs_a_few_calls_whatever_the_number_of_photos(cli, root, emulator, sync_json):
    """N photos in M albums (each under 500): the sign-in check, photosets.getList, one
    photosets.getPhotos per album, photos.getNotInSet: M + 3 calls; --deep adds only downloads."""
    for album in range(4):
        for i in range(6):
            write_jpeg(root / f"Album{album}" / f"{i}.jpg", album * 100 + i)
    write_jpeg(root / "loose.jpg", 999)
    sync_json(root)
    emulator.reset_calls()
    _verify(cli, root, expect=0)
    assert emulator.calls() == {
        "flickr.test.login": 1,
        "flickr.photosets.getList": 1,
        "flickr.photosets.getPhotos": 4,
        "flickr.photos.getNotInSet": 1,
    }
    emulator.reset_calls()
    _verify(cli, root, "--deep", expect=0)
    calls = emulator.calls()
    assert calls.pop("static") == 25
    assert sum(calls.values()) == 4 + 3


@pytest.mark.parametrize("deep", [False, True], ids=["tags", "deep"])
def test_a_photo_deleted_or_replaced_behind_pycsyncs_back_is_reported(cli, root, emulator, sync_json, web, deep):
    _library(root, sync_json)
    web.delete(photo_titled(emulator, "a0")["id"])
    replaced = photo_titled(emulator, "a1")["id"]
    web.replace(replaced, jpeg(77))  # keeps its old content tag: only its new secret tells
    emulator.reset_calls()
    doc = _verify(cli, root, *(["--deep"] if deep else []), expect=1)
    assert doc["ok"] is False
    assert _findings(doc) == {"missing_on_flickr": ["A/a0.jpg"], "different": ["A/a1.jpg"]}
    assert "deleted on Flickr" in doc["missing_on_flickr"][0]["why"]
    assert doc["different"][0]["photo_id"] == replaced
    assert write_calls(emulator) == {}
    text = cli("verify", str(root))
    assert text.exit_code == 1 and "NOT verified: 2 differences" in text.stdout
    assert "Missing on Flickr (1):\n  A/a0.jpg  (deleted on Flickr" in text.stdout


@pytest.mark.parametrize("deep", [False, True], ids=["tags", "deep"])
def test_a_file_damaged_on_disk_is_reported_even_with_its_size_and_time(cli, root, emulator, sync_json, deep):
    _library(root, sync_json)
    path = root / "B" / "b.jpg"
    st = path.stat()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped bit's worth of rot
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    emulator.reset_calls()
    doc = _verify(cli, root, *(["--deep"] if deep else []), expect=1)
    assert _findings(doc) == {"different": ["B/b.jpg"]}
    assert "changed or damaged here" in doc["different"][0]["why"]
    assert write_calls(emulator) == {}


def test_what_is_only_on_one_side_is_reported(cli, root, emulator, sync_json, web):
    _library(root, sync_json)
    write_jpeg(root / "A" / "new.jpg", 50)
    (root / "A" / "a2.jpg").unlink()
    web.upload(jpeg(60), "fresh", album="B")
    doc = _verify(cli, root, expect=1)
    assert _findings(doc) == {
        "missing_on_flickr": ["A/new.jpg"],
        "missing_here": ["A/a2.jpg", "B/fresh.jpg"],
    }
    reasons = {f["path"]: f["why"] for f in doc["missing_here"]}
    assert reasons == {"A/a2.jpg": "deleted here, still on Flickr", "B/fresh.jpg": "only on Flickr"}


def test_deep_catches_an_original_whose_tag_lies(cli, root, emulator, sync_json, web):
    """A photo carrying the content tag of the file but holding other bytes (another tool wrote
    the tag, Flickr's copy was damaged): tags vouch for it, downloading it does not."""
    write_jpeg(root / "C" / "c.jpg", 5)
    web.upload(jpeg(6), "c", album="C", tagged=True, file_name="c.jpg")
    emulator_photo = photo_titled(emulator, "c")
    web.flickr.add_tags(emulator_photo["id"], [f"pycsync:sha256={sha(jpeg(5))}"])
    for tag in web.flickr.photo_info(emulator_photo["id"]).tags:
        if tag.raw == f"pycsync:sha256={sha(jpeg(6))}":
            web.flickr.remove_tag(tag.tag_id)
    sync_json(root)  # the first sync links them by the tag: nothing is transferred
    assert len(emulator.state()["photos"]) == 1
    assert _verify(cli, root, expect=0)["ok"] is True, "the tag vouches for it"
    doc = _verify(cli, root, "--deep", expect=1)
    assert _findings(doc) == {"different": ["C/c.jpg"]}
    assert doc["different"][0]["why"] == "Flickr's original differs from the file (downloaded and hashed)"


def test_selection_rules_and_files_that_cannot_sync(cli, root, emulator, sync_json):
    _library(root, sync_json)
    write_jpeg(root / "A" / "skip.tmp.jpg", 70)
    assert _verify(cli, root, "--exclude", "*.tmp.jpg", expect=0)["checked"]["files"] == 5
    write_jpeg(root / "A" / "A0.JPG", 71)  # a case twin of a0.jpg: cannot sync as things are
    doc = _verify(cli, root, "--exclude", "*.tmp.jpg", expect=1)
    assert _findings(doc) == {"not_synced": ["A/A0.JPG"]}
    assert "differs only in letter case" in doc["not_synced"][0]["why"]


def test_deep_hashes_video_originals_not_their_posters(cli, root, emulator, sync_json):
    from tests.support.media import make_mp4_bytes

    (root / "V").mkdir()
    video = make_mp4_bytes(seed=3, size=200_000)
    (root / "V" / "clip.mp4").write_bytes(video)
    sync_json(root)
    doc = _verify(cli, root, "--deep", expect=0)
    assert doc["checked"]["downloaded"] == 1 and doc["checked"]["bytes_downloaded"] == len(video)
