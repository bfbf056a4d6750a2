import os
import unicodedata

import pytest

import pycsync.local as local
from pycsync.ignore import IgnoreRules
from pycsync.local import ScanResult, Skipped, hash_file, scan
from pycsync.model import BaseItem
from tests.support.files import sha

NFC = unicodedata.normalize("NFC", "café.jpg")
NFD = unicodedata.normalize("NFD", "café.jpg")
MTIME = 1_600_000_000_123_456_789


def put(root, rel: str, data: bytes = b"photo") -> str:
    path = os.path.join(root, *rel.split("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    os.utime(path, ns=(MTIME, MTIME))
    return path


def base_item(key: str, sha256: str, size: int, mtime_ns: int = MTIME) -> BaseItem:
    return BaseItem(key, "p1", sha256, size, mtime_ns, "secret")


def reasons(result: ScanResult) -> dict[str, str]:
    return {s.path: s.reason for s in result.skipped}


# --------------------------------------------------------------------------- listing


def test_lists_media_with_keys_sizes_and_hashes(tmp_path):
    put(tmp_path, "IMG_1.JPG", b"one")
    put(tmp_path, "2019/Paris/clip.mov", b"three")
    r = scan(tmp_path, base={})
    assert set(r.items) == {"IMG_1.JPG", "2019/Paris/clip.mov"}
    item = r.items["2019/Paris/clip.mov"]
    assert (item.key, item.path, item.size, item.mtime_ns) == (
        "2019/Paris/clip.mov",
        "2019/Paris/clip.mov",
        5,
        MTIME,
    )
    assert item.sha256 == sha(b"three") and item.hashed
    assert r.skipped == []


def test_accepts_str_root(tmp_path):
    put(tmp_path, "a.jpg")
    assert set(scan(str(tmp_path), base={}).items) == {"a.jpg"}


def test_missing_root_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        scan(tmp_path / "nope", base={})
    put(tmp_path, "f.jpg")
    with pytest.raises(NotADirectoryError):
        scan(tmp_path / "f.jpg", base={})


def test_non_media_reported_junk_and_hidden_silent(tmp_path):
    put(tmp_path, "notes.txt")
    put(tmp_path, "a/IMG_1.xmp")
    put(tmp_path, "a/Thumbs.db")
    put(tmp_path, "desktop.ini")
    put(tmp_path, ".DS_Store")
    put(tmp_path, ".hidden.jpg")
    put(tmp_path, ".hidden_dir/x.jpg")
    put(tmp_path, "a/.git/objects/y.jpg")
    put(tmp_path, ".pycsync/state/z.jpg")
    put(tmp_path, "a/ok.jpg")
    r = scan(tmp_path, base={})
    assert set(r.items) == {"a/ok.jpg"}
    assert r.skipped == [  # passed over by design: not "unsynced"
        Skipped("a/IMG_1.xmp", "XMP sidecar without its photo or video", unsynced=False),
        Skipped("notes.txt", "not a photo or video", unsynced=False),
    ]


def test_raw_files_are_told_apart_and_paired_with_their_jpeg(tmp_path):
    """A RAW file is passed over by design (Flickr does not accept RAW), with that reason; one
    with a JPEG of the same name in the same folder is reported as that JPEG's original."""
    put(tmp_path, "a/IMG_1.CR2")
    put(tmp_path, "a/img_1.jpg")  # the same name in another case: its JPEG
    put(tmp_path, "a/IMG_2.nef")
    put(tmp_path, "a/IMG_2.png")  # not a JPEG
    put(tmp_path, "b/IMG_1.dng")  # the JPEG is in another folder
    put(tmp_path, "b/DSC.ARW")
    put(tmp_path, "b/DSC.jpeg")
    r = scan(tmp_path, base={})
    assert set(r.items) == {"a/img_1.jpg", "a/IMG_2.png", "b/DSC.jpeg"}
    raw = local.RAW
    assert r.skipped == [
        Skipped("a/IMG_1.CR2", local.RAW_WITH_JPEG.format(jpeg="img_1.jpg"), unsynced=False, raw=True),
        Skipped("a/IMG_2.nef", raw, unsynced=False, raw=True),
        Skipped("b/DSC.ARW", local.RAW_WITH_JPEG.format(jpeg="DSC.jpeg"), unsynced=False, raw=True),
        Skipped("b/IMG_1.dng", raw, unsynced=False, raw=True),
    ]
    assert raw == "RAW file: Flickr does not accept RAW files"
    assert "RAW original of DSC.jpeg, which is synced in its place" in r.skipped[2].reason
    assert scan(tmp_path, base={}, ignore=IgnoreRules.load(tmp_path, ("*.dng",))).skipped[-1].path == "b/DSC.ARW"


# --------------------------------------------------------------------------- sidecars


def test_a_sidecar_belongs_to_its_photo_and_is_no_photo(tmp_path):
    put(tmp_path, "a/IMG_1.jpg", b"one")
    put(tmp_path, "a/IMG_1.jpg.xmp", b"<x/>")  # digiKam, darktable
    put(tmp_path, "a/IMG_2.jpg", b"two")
    put(tmp_path, "a/IMG_2.xmp", b"<xx/>")  # Adobe's, the only one for IMG_2
    put(tmp_path, "a/IMG_3.JPG", b"three")
    put(tmp_path, "a/IMG_3.JPG.XMP", b"<y/>")  # any case
    put(tmp_path, "a/IMG_3.xmp", b"<z/>")  # Adobe's too: NAME.EXT.xmp wins, and it is not reported
    r = scan(tmp_path, base={})
    assert set(r.items) == {"a/IMG_1.jpg", "a/IMG_2.jpg", "a/IMG_3.JPG"}
    assert r.skipped == []
    assert {k: (s.path, s.size, s.mtime_ns) for k, s in r.sidecars.items()} == {
        "a/IMG_1.jpg": ("a/IMG_1.jpg.xmp", 4, MTIME),
        "a/IMG_2.jpg": ("a/IMG_2.xmp", 5, MTIME),
        "a/IMG_3.JPG": ("a/IMG_3.JPG.XMP", 4, MTIME),
    }
    assert r.sidecars["a/IMG_1.jpg"].signature == f"IMG_1.jpg.xmp|4|{MTIME}"


def test_an_adobe_sidecar_named_after_two_photos_is_nobodys(tmp_path):
    put(tmp_path, "IMG_1.jpg", b"one")
    put(tmp_path, "IMG_1.mov", b"clip")
    put(tmp_path, "IMG_1.xmp")
    put(tmp_path, "lone.jpg.xmp")
    r = scan(tmp_path, base={})
    assert r.sidecars == {}
    assert reasons(r) == {
        "IMG_1.xmp": "XMP sidecar named after several photos or videos: not read (name it NAME.EXT.xmp)",
        "lone.jpg.xmp": "XMP sidecar without its photo or video",
    }


def test_a_sidecar_of_an_excluded_photo_or_excluded_itself_is_not_read(tmp_path):
    put(tmp_path, "keep.jpg", b"1")
    put(tmp_path, "keep.jpg.xmp")
    put(tmp_path, "Private/x.jpg", b"2")
    put(tmp_path, "Private/x.jpg.xmp")
    r = scan(tmp_path, base={}, ignore=IgnoreRules.load(tmp_path, ["Private/"]))
    assert set(r.sidecars) == {"keep.jpg"}
    r = scan(tmp_path, base={}, ignore=IgnoreRules.load(tmp_path, ["*.xmp"]))
    assert r.sidecars == {} and r.skipped == []


def test_zero_byte_media_is_skipped(tmp_path):
    put(tmp_path, "empty.jpg", b"")
    r = scan(tmp_path, base={})
    assert r.items == {}
    assert reasons(r) == {"empty.jpg": "empty file (Flickr rejects zero-byte uploads)"}


def test_special_files_skipped_silently(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no fifos here")
    os.mkfifo(tmp_path / "pipe.jpg")
    put(tmp_path, "a.jpg")
    r = scan(tmp_path, base={})
    assert set(r.items) == {"a.jpg"} and r.skipped == []


def test_progress_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(local, "PROGRESS_EVERY", 2)
    for i in range(5):
        put(tmp_path, f"d/{i}.jpg")
    calls: list[int] = []
    scan(tmp_path, base={}, progress=calls.append)
    assert calls == [2, 4, 5]


def test_hash_file(tmp_path):
    assert hash_file(put(tmp_path, "a.jpg", b"abc")) == sha(b"abc")


# --------------------------------------------------------------------------- quick check


def test_quick_check_reuses_the_base_hash_without_reading(tmp_path):
    put(tmp_path, "a.jpg", b"real content")
    fake = "f" * 64  # differs from the content: only reuse can produce it
    base = {"a.jpg": base_item("a.jpg", fake, len(b"real content"))}
    r = scan(tmp_path, base=base)
    assert r.items["a.jpg"].sha256 == fake and not r.items["a.jpg"].hashed

    full = scan(tmp_path, base=base, full=True)
    assert full.items["a.jpg"].sha256 == sha(b"real content") and full.items["a.jpg"].hashed


def test_quick_check_rehashes_when_size_or_mtime_differ(tmp_path):
    put(tmp_path, "a.jpg", b"12345")
    for size, mtime in [(5, MTIME + 1), (4, MTIME)]:
        base = {"a.jpg": base_item("a.jpg", "f" * 64, size, mtime)}
        item = scan(tmp_path, base=base).items["a.jpg"]
        assert item.sha256 == sha(b"12345") and item.hashed


def test_quick_check_does_not_open_files(tmp_path, monkeypatch):
    put(tmp_path, "a.jpg", b"x")

    def no_open(*args, **kwargs):
        raise AssertionError("file was opened")

    monkeypatch.setattr(local.os, "open", no_open)
    r = scan(tmp_path, base={"a.jpg": base_item("a.jpg", "e" * 64, 1)})
    assert r.items["a.jpg"].sha256 == "e" * 64


# --------------------------------------------------------------------------- ignore rules


def test_ignore_rules_prune_folders_and_hide_files(tmp_path):
    put(tmp_path, "raw/a.jpg")
    put(tmp_path, "x/raw/b.jpg")
    put(tmp_path, "keep/a.mov")
    put(tmp_path, "keep/b.mov")
    put(tmp_path, "keep/readme.txt")
    rules = IgnoreRules.from_lines(["/raw/", "*.mov", "!b.mov", "*.txt"])
    r = scan(tmp_path, base={}, ignore=rules)
    assert set(r.items) == {"x/raw/b.jpg", "keep/b.mov"}
    assert r.skipped == []  # an ignored non-media file is not reported
    assert r.excluded == 1  # keep/a.mov; raw/ is not walked unless asked to count
    counted = scan(tmp_path, base={}, ignore=rules, count_excluded=True)
    assert counted.excluded == 2 and set(counted.items) == set(r.items)


# --------------------------------------------------------------------------- symlinks


@pytest.fixture
def linked(tmp_path):
    root = tmp_path / "root"
    put(root, "real/a.jpg", b"A")
    put(tmp_path, "outside/b.jpg", b"B")
    try:
        os.symlink(tmp_path / "outside", root / "dirlink")
        os.symlink(root / "real" / "a.jpg", root / "filelink.jpg")
        os.symlink(root, root / "real" / "loop")
        os.symlink(tmp_path / "missing.jpg", root / "broken.jpg")
    except (OSError, NotImplementedError):
        pytest.skip("cannot create symlinks here")
    return root


def test_symlinks_not_followed_by_default(linked):
    r = scan(linked, base={})
    assert set(r.items) == {"real/a.jpg"}
    assert reasons(r) == {
        "broken.jpg": "symbolic link (not followed)",
        "dirlink": "symbolic link (not followed)",
        "filelink.jpg": "symbolic link (not followed)",
        "real/loop": "symbolic link (not followed)",
    }


def test_followed_symlinks_are_loop_safe(linked):
    r = scan(linked, base={}, follow_symlinks=True)
    assert set(r.items) == {"real/a.jpg", "dirlink/b.jpg", "filelink.jpg"}
    assert r.items["filelink.jpg"].sha256 == sha(b"A")
    assert r.items["dirlink/b.jpg"].path == "dirlink/b.jpg"
    got = reasons(r)
    assert got["broken.jpg"] == "broken symbolic link"
    assert "already scanned" in got["real/loop"]


def test_two_links_to_one_folder_are_scanned_once(tmp_path):
    put(tmp_path, "z/a.jpg")
    try:
        os.symlink(tmp_path / "z", tmp_path / "link1")
        os.makedirs(tmp_path / "deep")
        os.symlink(tmp_path / "z", tmp_path / "deep" / "link2")
    except (OSError, NotImplementedError):
        pytest.skip("cannot create symlinks here")
    r = scan(tmp_path, base={}, follow_symlinks=True)
    # Breadth first, real folders before links: the real path wins.
    assert set(r.items) == {"z/a.jpg"}
    assert set(reasons(r)) == {"deep/link2", "link1"}
    assert "already scanned" in reasons(r)["deep/link2"]


# --------------------------------------------------------------------------- name twins


def test_nfd_name_gets_an_nfc_key_and_keeps_its_spelling(tmp_path):
    folder = unicodedata.normalize("NFD", "Noël")
    put(tmp_path, f"{folder}/{NFD}")
    r = scan(tmp_path, base={})
    key = unicodedata.normalize("NFC", f"Noël/{NFD}")
    assert list(r.items) == [key]
    assert r.items[key].path == f"{folder}/{NFD}"


def test_folders_spelled_otherwise_than_their_key_are_reported_with_their_spelling(tmp_path):
    noel, ete = unicodedata.normalize("NFD", "Noël"), unicodedata.normalize("NFD", "Été")
    put(tmp_path, f"{noel}/a.jpg")
    put(tmp_path, f"{noel}/plain/b.jpg")
    put(tmp_path, f"{ete}/c.jpg")
    put(tmp_path, "Ascii/d.jpg")
    r = scan(tmp_path, base={})
    nfc = unicodedata.normalize
    assert r.folders == {
        nfc("NFC", "Noël"): noel,
        nfc("NFC", "Noël/plain"): f"{noel}/plain",
        nfc("NFC", "Été"): ete,
    }


def test_nfc_nfd_twins_keep_the_first_in_sorted_order(tmp_path):
    put(tmp_path, NFC, b"nfc")
    put(tmp_path, NFD, b"nfd")
    if len(os.listdir(tmp_path)) != 2:
        pytest.skip("this filesystem normalises names")
    r = scan(tmp_path, base={})
    first, second = sorted([NFC, NFD])
    assert list(r.items) == [NFC]
    assert r.items[NFC].path == first
    assert list(reasons(r)) == [second]
    assert "Unicode normalisation" in reasons(r)[second]


def test_nfc_nfd_twin_folders(tmp_path):
    a, b = sorted(unicodedata.normalize(f, "Été") for f in ("NFC", "NFD"))
    put(tmp_path, f"{a}/1.jpg")
    put(tmp_path, f"{b}/2.jpg")
    if len(os.listdir(tmp_path)) != 2:
        pytest.skip("this filesystem normalises names")
    r = scan(tmp_path, base={})
    assert list(r.items) == [unicodedata.normalize("NFC", "Été/1.jpg")]
    assert list(reasons(r)) == [b]


def test_case_twins_keep_the_first_in_sorted_order(tmp_path):
    put(tmp_path, "d/a.jpg", b"lower")
    put(tmp_path, "d/A.jpg", b"upper")
    put(tmp_path, "d/A.JPG", b"both")
    if len(os.listdir(tmp_path / "d")) != 3:
        pytest.skip("case-insensitive filesystem")
    r = scan(tmp_path, base={})
    assert list(r.items) == ["d/A.JPG"]
    assert set(reasons(r)) == {"d/A.jpg", "d/a.jpg"}
    assert "letter case" in reasons(r)["d/a.jpg"]


def test_case_twin_already_synced_wins(tmp_path):
    put(tmp_path, "a.jpg", b"synced")
    put(tmp_path, "A.jpg", b"new")
    if len(os.listdir(tmp_path)) != 2:
        pytest.skip("case-insensitive filesystem")
    base = {"a.jpg": base_item("a.jpg", sha(b"synced"), 6)}
    r = scan(tmp_path, base=base)
    assert list(r.items) == ["a.jpg"]
    assert list(reasons(r)) == ["A.jpg"]


def test_case_twins_in_different_folders_are_fine(tmp_path):
    put(tmp_path, "x/a.jpg")
    put(tmp_path, "y/A.jpg")
    assert set(scan(tmp_path, base={}).items) == {"x/a.jpg", "y/A.jpg"}


# --------------------------------------------------------------------------- unreadable / racing


def test_unreadable_file_is_skipped(tmp_path, monkeypatch):
    bad = put(tmp_path, "bad.jpg")
    put(tmp_path, "good.jpg")
    if os.name == "posix" and os.geteuid() != 0:
        os.chmod(bad, 0)
    else:  # root reads anything: make the open fail instead
        real_open = local.os.open

        def deny(path, *args, **kwargs):
            if os.fspath(path) == bad:
                raise PermissionError(13, "Permission denied", path)
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(local.os, "open", deny)
    try:
        r = scan(tmp_path, base={})
    finally:
        os.chmod(bad, 0o644)
    assert set(r.items) == {"good.jpg"}
    assert reasons(r) == {"bad.jpg": "permission denied"}
    assert r.unlisted("bad.jpg") and not r.unlisted("good.jpg")


def test_unreadable_folder_is_skipped(tmp_path, monkeypatch):
    put(tmp_path, "locked/a.jpg")
    put(tmp_path, "open/b.jpg")
    locked = os.path.join(tmp_path, "locked")
    if os.name == "posix" and os.geteuid() != 0:
        os.chmod(locked, 0)
    else:
        real_scandir = local.os.scandir

        def deny(path):
            if os.fspath(path) == locked:
                raise PermissionError(13, "Permission denied", path)
            return real_scandir(path)

        monkeypatch.setattr(local.os, "scandir", deny)
    try:
        r = scan(tmp_path, base={})
    finally:
        os.chmod(locked, 0o755)
    assert set(r.items) == {"open/b.jpg"}
    assert reasons(r) == {"locked": "permission denied"}
    assert r.unlisted("locked/a.jpg") and not r.unlisted("lockedx/a.jpg")


def test_unreadable_root_raises(tmp_path, monkeypatch):
    def deny(path):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(local.os, "scandir", deny)
    with pytest.raises(PermissionError):
        scan(tmp_path, base={})


def test_file_vanishing_before_hashing_is_dropped_silently(tmp_path, monkeypatch):
    put(tmp_path, "gone.jpg")
    real_open = local.os.open

    def vanish(path, *args, **kwargs):
        os.remove(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(local.os, "open", vanish)
    r = scan(tmp_path, base={})
    assert r.items == {} and r.skipped == []


def test_file_changed_while_hashing_is_skipped(tmp_path, monkeypatch):
    path = put(tmp_path, "busy.jpg", b"before")
    put(tmp_path, "calm.jpg", b"calm")
    real_digest = local.hashlib.file_digest

    def digest_and_append(f, name):
        result = real_digest(f, name)
        if os.path.samestat(os.fstat(f.fileno()), os.stat(path)):
            with open(path, "ab") as g:
                g.write(b" and after")
        return result

    monkeypatch.setattr(local.hashlib, "file_digest", digest_and_append)
    r = scan(tmp_path, base={})
    assert set(r.items) == {"calm.jpg"}
    assert reasons(r) == {"busy.jpg": "changed while being read; will retry next run"}


def test_changed_before_hashing_reports_the_post_hash_stat(tmp_path, monkeypatch):
    path = put(tmp_path, "a.jpg", b"old")
    real_open = local.os.open

    def rewrite_then_open(p, *args, **kwargs):
        with open(p, "wb") as g:
            g.write(b"newer content")
        return real_open(p, *args, **kwargs)

    monkeypatch.setattr(local.os, "open", rewrite_then_open)
    item = scan(tmp_path, base={}).items["a.jpg"]
    assert item.sha256 == sha(b"newer content")
    assert item.size == len(b"newer content")
    assert item.mtime_ns == os.stat(path).st_mtime_ns
