"""Flickr's limits, checked before anything is sent, against a free-account emulator: a plan
passing the 50 non-public or the 1,000 items stops before the first upload (exit 7) with the
exact numbers and the ways out, and `status` and `--dry-run` say the same; files too large or too
long are skipped before sending and not retried until they change; an upload Flickr refuses for
the account (6, 7, 15) stops further uploads at once, with one message, and nothing else."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from pycsync.emulator import EmulatorServer
from tests.support.calls import write_calls
from tests.support.cli import emulator_env, runner_for
from tests.support.files import write_jpeg
from tests.support.media import jpeg, make_jpeg_bytes, make_mp4_with_header

#: the account's kind and limits: read once, before the first upload
LIMIT_CALLS = {"flickr.people.getInfo", "flickr.people.getLimits"}


def _files(root: Path, n: int, folder: str = "A") -> None:
    """``n`` small photos, each its own content, in ``folder``."""
    (root / folder).mkdir(parents=True, exist_ok=True)
    for i in range(n):
        make_jpeg_bytes(root / folder / f"{i:04d}.jpg", seed=zlib.crc32(f"{folder}/{i}".encode()), size=(8, 8))


@pytest.fixture
def free(emulator):
    emulator.set_account(account="free")
    return emulator


def test_a_push_past_fifty_non_public_stops_before_the_first_upload(cli, root, free):
    _files(root, 51)
    free.reset_calls()
    result = cli("sync", str(root), "--push")
    assert result.exit_code == 7, result.output
    message = result.stderr
    assert "this sync would pass your free Flickr account's limits, so nothing was uploaded" in message
    assert "the account holds 0 of the 50 a free account may have; this sync would add 51 new uploads" in message
    assert "(51, 1 over)" in message
    assert "--privacy public" in message and "narrow the selection" in message and "Flickr Pro" in message
    assert free.state()["photos"] == [] and write_calls(free) == {}
    assert set(free.calls()) >= LIMIT_CALLS, "the account was read"
    assert free.calls()["flickr.people.getLimits"] == 1 and free.calls()["flickr.people.getInfo"] == 1

    doc = json.loads(cli("sync", str(root), "--push", "--json").stdout)
    assert doc["error"]["kind"] == "safety_abort" and doc["error"]["exit_status"] == 7
    assert doc["error"]["limits"]["exceeds"] == [
        {"limit": "non-public items", "have": 0, "adding": 51, "allowed": 50, "over": 1}
    ]
    assert doc["error"]["limits"]["account"]["kind"] == "free"

    for command in (("sync", "--dry-run"), ("status",)):
        same = cli(*command, str(root))
        assert same.exit_code == 7, (command, same.output)
        assert "this sync would add 51 new uploads that are not public (51, 1 over)" in same.stderr, command
    assert write_calls(free) == {}


def test_the_same_push_with_public_uploads_succeeds(cli, root, free, sync_json):
    _files(root, 51)
    summary = sync_json(root, "--push", "--privacy", "public")
    assert summary["uploaded"] == 51 and summary["failed"] == 0
    assert summary["limits"]["account"]["kind"] == "free" and summary["limits"]["ok"] is True
    assert all(p["is_public"] == 1 for p in free.state()["photos"])


def test_a_folder_settings_file_making_them_public_is_a_way_out(cli, root, free, sync_json):
    _files(root, 51)
    (root / "A" / ".pycsync.toml").write_text('privacy = "public"\n')
    summary = sync_json(root, "--push")
    assert summary["uploaded"] == 51
    assert summary["privacy"]["uploaded_as"] == {"public": 51}


def test_what_the_account_holds_already_counts(cli, root, free, web):
    for i in range(45):
        web.upload(jpeg(1000 + i), f"old{i}")  # (private, as the website's uploader sends them here)
    for i in range(3):
        public = web.upload(jpeg(2000 + i), f"public{i}")
        web.flickr.set_perms(public, is_public=1, is_friend=0, is_family=0)  # public: not counted
    _files(root, 6)
    result = cli("sync", str(root), "--push")
    assert result.exit_code == 7
    assert "the account holds 45 of the 50 a free account may have; this sync would add 6" in result.stderr
    assert "(51, 1 over)" in result.stderr
    assert len(free.state()["photos"]) == 48


def test_a_free_account_asked_for_content_other_than_safe_stops_before_sending(cli, root, free):
    """Free accounts take safe content only (Flickr answers error 15): a folder that asks for
    moderate content stops the run before the first upload, naming the file."""
    _files(root, 2, "Public")
    settings = root / "Public" / ".pycsync.toml"
    settings.write_text('privacy = "public"\nsafety_level = "moderate"\n')
    free.reset_calls()
    result = cli("sync", str(root))
    assert result.exit_code == 7, result.output
    assert "safe content only: 2 uploads or photos are set to a safety level other than safe" in result.stderr
    assert "Public/.pycsync.toml" in result.stderr and 'set safety_level = "safe" in those files' in result.stderr
    assert free.state()["photos"] == [] and write_calls(free) == {}
    settings.write_text('privacy = "public"\n')
    assert cli("sync", str(root)).exit_code == 0 and len(free.state()["photos"]) == 2


def test_a_push_past_a_thousand_items_stops_likewise(cli, root, free):
    _files(root, 1001)
    result = cli("sync", str(root), "--push", "--privacy", "public")
    assert result.exit_code == 7, result.output
    assert "photos and videos: the account holds 0 of the 1,000 a free account may have" in result.stderr
    assert "this sync would upload 1,001 more (1,001, 1 over)" in result.stderr
    assert "narrow the selection to at most 1,000 new files" in result.stderr
    assert free.state()["photos"] == []


def test_the_item_limit_flickr_shows_is_the_one_used(tmp_path, root):
    """A free account's owner sees its upload limit in people.getInfo: it wins over the published
    1,000 (here the emulator is set to 5)."""
    with EmulatorServer(host="127.0.0.1", port=0, account="free", free_max_items=5) as emu:
        cli = runner_for(emulator_env(emu, tmp_path))
        _files(root, 6)
        result = cli("sync", str(root), "--privacy", "public")
        assert result.exit_code == 7 and "the account holds 0 of the 5 a free account may have" in result.stderr
        (root / "A" / "0005.jpg").unlink()
        assert cli("sync", str(root), "--privacy", "public").exit_code == 0


def test_a_pro_account_has_no_such_limits(cli, root, emulator, sync_json):
    _files(root, 60)
    summary = sync_json(root)
    assert summary["uploaded"] == 60 and summary["limits"]["account"]["kind"] == "pro"


def test_the_limit_check_costs_no_call_when_nothing_is_sent(cli, root, free, sync_json):
    _files(root, 3)
    sync_json(root)
    free.reset_calls()
    sync_json(root)
    assert "flickr.people.getLimits" not in free.calls(), "a run that sends nothing reads no limits"
    assert free.calls()["flickr.people.getInfo"] == 1, "(the listing's count check, as ever)"
    write_jpeg(root / "A" / "new.jpg", 99)
    free.reset_calls()
    sync_json(root)
    # people.getInfo is the listing's count check, read once for both; getLimits is remembered
    assert free.calls()["flickr.people.getInfo"] == 1 and "flickr.people.getLimits" not in free.calls()


def test_files_too_large_are_skipped_before_sending_and_not_retried_until_they_change(tmp_path, root):
    with EmulatorServer(host="127.0.0.1", port=0, max_photo_bytes=4000) as emu:
        cli = runner_for(emulator_env(emu, tmp_path))
        write_jpeg(root / "A" / "good.jpg", 1)
        big = root / "A" / "big.jpg"
        make_jpeg_bytes(big, seed=9, size=(200, 200))
        assert big.stat().st_size > 4000
        first = cli("sync", str(root), "--json")
        assert first.exit_code == 0, first.stderr
        summary = json.loads(first.stdout)
        assert summary["uploaded"] == 1 and summary["failed"] == 0
        [held] = summary["unsynced_files"]
        assert held["path"] == "A/big.jpg"
        assert held["reason"].startswith("too large for Flickr: ")
        assert "and a photo may be at most 3.9 kB" in held["reason"]
        assert held["reason"].endswith("not sent, and not tried again until the file changes")
        assert emu.calls()["upload"] == 1, "never sent"
        emu.reset_calls()
        again = cli("sync", str(root))
        assert (
            again.exit_code == 0
            and "A/big.jpg" in again.output
            and "not retried until the file changes" in again.output
        )
        assert "upload" not in emu.calls() and "flickr.people.getLimits" not in emu.calls()
        big.write_bytes(jpeg(3))  # small enough now
        fixed = cli("sync", str(root), "--json")
        assert json.loads(fixed.stdout)["uploaded"] == 1


def test_videos_too_long_for_the_account_are_skipped_before_sending(cli, root, free, sync_json):
    """A free account's videos play at most 3 minutes (people.getLimits): Flickr would cut a
    longer one, so it is not sent."""
    (root / "V").mkdir()
    (root / "V" / "long.mp4").write_bytes(make_mp4_with_header(200))
    (root / "V" / "short.mp4").write_bytes(make_mp4_with_header(60))
    summary = sync_json(root, "--privacy", "public")
    assert summary["uploaded"] == 1
    [held] = summary["unsynced_files"]
    assert held["path"] == "V/long.mp4"
    assert held["reason"].startswith(
        "too long for your free Flickr account: 3 min 20 s, and a video may play at most 3 min 00 s (Flickr would cut"
    )


@pytest.mark.parametrize(
    "code, message, why",
    [
        (6, "Upload limit reached. For more info, visit flickr.com/pro", "the account is full"),
        (7, "User exceeded video upload limit", "the account's video limit is reached"),
        (15, "Non-safe content not allowed", "the account takes safe content only"),
    ],
)
def test_an_upload_refused_for_the_account_stops_further_uploads_at_once(cli, root, emulator, web, code, message, why):
    """Flickr refuses the third upload for the account (its count ran ahead of pycsync's, or it
    refuses the content): no further upload is sent, one message says why, and the rest of the
    run -- a download, the albums of what was uploaded -- goes on."""
    web.upload(jpeg(500), "from-flickr", album="B")
    _files(root, 6)
    emulator.set_faults([{"match": "upload", "after": 2, "action": {"error": code, "message": message}}])
    emulator.reset_calls()
    result = cli("sync", str(root), "--jobs", "1")
    assert result.exit_code == 1, result.output
    assert emulator.calls()["upload"] == 3, "the refused upload, and none after it"
    assert result.stderr.count("Flickr refused an upload") == 2, "said when it happened and in the summary"
    assert f"{why} (Flickr error {code}: {message})" in result.stderr
    assert "No further uploads are sent in this run" in result.stderr
    assert (root / "B" / "from-flickr.jpg").exists(), "the download went on"
    state = emulator.state()
    [album] = [a for a in state["albums"] if a["title"] == "A"]
    assert len(album["photo_ids"]) == 2, "what was uploaded went into its album"
    doc = json.loads(cli("sync", str(root), "--json").stdout)  # the fault fires again: stopped again
    assert doc["uploads_stopped"].startswith("Flickr refused an upload")
    assert doc["failed"] == 0 and doc["unsynced"] == 4 and doc["uploaded"] == 0
    assert all(
        f["reason"].startswith("not uploaded: Flickr refused an upload of this run") for f in doc["unsynced_files"]
    )
    emulator.set_faults([])
    assert json.loads(cli("sync", str(root), "--json").stdout)["uploaded"] == 4, "sent once Flickr takes them"


def test_a_free_accounts_edits_wait_instead_of_failing(cli, root, free, sync_json):
    """Flickr replaces a photo's file on Pro accounts only: the edit is reported, not sent."""
    write_jpeg(root / "A" / "x.jpg", 1)
    sync_json(root, "--privacy", "public")
    write_jpeg(root / "A" / "x.jpg", 2)
    free.reset_calls()
    summary = sync_json(root)
    assert "replace" not in free.calls() and summary["failed"] == 0 and summary["replaced"] == 0
    [waiting] = summary["unsynced_files"]
    assert waiting["path"] == "A/x.jpg" and "only on a Pro account" in waiting["reason"]
    free.set_account(account="pro")
    assert sync_json(root)["replaced"] == 1


def test_an_upload_of_one_content_in_two_folders_refused_for_the_account_leaves_both_unsynced(cli, root, emulator):
    write_jpeg(root / "A" / "x.jpg", 1)
    write_jpeg(root / "B" / "x.jpg", 1)  # one photo, in two albums
    emulator.set_faults([{"match": "upload", "action": {"error": 6, "message": "Upload limit reached"}}])
    doc = json.loads(cli("sync", str(root), "--json").stdout)
    assert doc["uploaded"] == 0 and doc["failed"] == 0 and emulator.calls()["upload"] == 1
    assert {f["path"] for f in doc["unsynced_files"]} == {"A/x.jpg", "B/x.jpg"}
    assert all(f["reason"].startswith("not uploaded: Flickr refused an upload") for f in doc["unsynced_files"])
