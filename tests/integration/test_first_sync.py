"""Upload a fresh tree, download it into an empty folder, and converge."""

from __future__ import annotations

from tests.support.files import tree, write_jpeg
from tests.support.remote import remote_photos


def test_upload_then_download_into_an_empty_folder(emulator, root, tmp_path, sync_json):
    write_jpeg(root / "2019" / "Paris" / "IMG_0001.JPG", 1)
    write_jpeg(root / "2019" / "Paris" / "IMG_0002.jpg", 2)
    write_jpeg(root / "Trips" / "beach.jpeg", 3)
    write_jpeg(root / "loose.jpg", 4)
    summary = sync_json(root)
    assert summary["uploaded"] == 4 and summary["failed"] == 0
    state = emulator.state()
    assert sorted(a["title"] for a in state["albums"]) == ["2019/Paris", "Trips"]
    assert all(p["is_public"] == 0 for p in state["photos"])

    again = sync_json(root)
    assert again["api_calls"].get("upload", 0) == 0 and again["uploaded"] == 0

    other = tmp_path / "copy"
    other.mkdir()
    pulled = sync_json(other)
    assert pulled["downloaded"] == 4
    assert tree(other) == tree(root), "names (case and extension) and bytes round-trip"
    assert len(remote_photos(emulator)) == 4


def test_second_run_makes_no_write_calls(emulator, root, sync_json):
    for i in range(5):
        write_jpeg(root / f"A/{i}.jpg", i)
    sync_json(root)
    emulator.reset_calls()
    summary = sync_json(root)
    writes = {
        m: n
        for m, n in emulator.calls().items()
        if m in ("upload", "replace")
        or "photosets.create" in m
        or "addPhoto" in m
        or "editPhotos" in m
        or "delete" in m
        or "setMeta" in m
    }
    assert writes == {} and summary["uploaded"] == summary["downloaded"] == 0
