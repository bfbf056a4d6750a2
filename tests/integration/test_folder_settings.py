"""Per-folder upload settings (.pycsync.toml): new uploads get their folder's settings; a changed
setting is applied to the photos already on Flickr, one call per changed photo and setting and
nothing when nothing changed; the most specific file wins over its parents and over the
command line; a file that lets more people see photos than your own settings is shown; the file
itself never leaves the disk."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.calls import write_calls
from tests.support.convergence import assert_converged
from tests.support.files import write_jpeg
from tests.support.remote import photo_titled

SETTING_CALLS = {
    "flickr.photos.setPerms",
    "flickr.photos.setSafetyLevel",
    "flickr.photos.setContentType",
    "flickr.photos.licenses.setLicense",
    "flickr.photos.addTags",
    "flickr.photos.removeTag",
}


def _file(root: Path, folder: str, text: str) -> Path:
    path = root / folder / ".pycsync.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _photo(emulator, title: str) -> dict:
    """A photo as the emulator stores it: privacy, safety level (0 safe), content type, hidden
    (2: hidden), license, tags."""
    photo = photo_titled(emulator, title)
    row = emulator.store.photo(photo["id"])
    return {
        "privacy": (row["is_public"], row["is_friend"], row["is_family"]),
        "safety_level": row["safety_level"],
        "content_type": row["content_type"],
        "hidden": row["hidden"],
        "license": str(row["license"]),
        "tags": [t for t in photo["tags"] if not t.startswith("pycsync:")],
    }


def _setting_calls(emulator) -> dict[str, int]:
    return {m: n for m, n in emulator.calls().items() if m in SETTING_CALLS}


def test_uploads_get_their_folders_settings_and_subfolders_inherit_them(cli, root, emulator, sync_json):
    _file(
        root,
        "Portfolio",
        'privacy = "public"\nsafety_level = "moderate"\ncontent_type = "screenshot"\nhidden = true\n'
        'license = "cc-by-4.0"\ntags = ["portfolio", "New York"]\n',
    )
    _file(root, "Portfolio/Drafts", 'privacy = "private"\ntags = ["draft"]\n')
    write_jpeg(root / "Portfolio" / "p.jpg", 1)
    write_jpeg(root / "Portfolio" / "Drafts" / "d.jpg", 2)
    write_jpeg(root / "Family" / "f.jpg", 3)
    emulator.reset_calls()
    summary = sync_json(root)
    assert summary["uploaded"] == 3 and summary["failed"] == 0
    assert _photo(emulator, "p") == {
        "privacy": (1, 0, 0),
        "safety_level": 1,
        "content_type": 2,
        "hidden": 2,
        "license": "11",
        "tags": ["portfolio", "New York"],
    }
    assert _photo(emulator, "d") == {
        "privacy": (0, 0, 0),
        "safety_level": 1,
        "content_type": 2,
        "hidden": 2,
        "license": "11",
        "tags": ["portfolio", "New York", "draft"],
    }
    family = _photo(emulator, "f")
    assert family["privacy"] == (0, 0, 0) and family["tags"] == [] and family["license"] == "0"
    # one setLicense per upload whose folder sets a license (an upload cannot carry one); the
    # rest travels with the upload itself
    assert _setting_calls(emulator) == {"flickr.photos.licenses.setLicense": 2}
    assert summary["privacy"]["uploaded_as"] == {"public": 1, "private": 2}
    assert not any(".pycsync.toml" in p["filename"] for p in emulator.state()["photos"])
    assert_converged(emulator, sync_json, root)


def test_a_changed_setting_is_applied_once_to_the_photos_already_there(cli, root, emulator, sync_json):
    for i in range(3):
        write_jpeg(root / "Work" / f"w{i}.jpg", i)
    write_jpeg(root / "Work" / "Old" / "o.jpg", 10)
    write_jpeg(root / "Home" / "h.jpg", 11)
    sync_json(root)
    _file(root, "Work", 'license = "cc-by-nc-4.0"\ntags = ["work", "2024"]\n')
    emulator.reset_calls()
    summary = sync_json(root)
    assert summary["settings_changed"] == 4 and summary["uploaded"] == 0
    assert _setting_calls(emulator) == {"flickr.photos.licenses.setLicense": 4, "flickr.photos.addTags": 4}
    assert all(_photo(emulator, t)["license"] == "14" for t in ("w0", "w1", "w2", "o"))
    assert _photo(emulator, "o")["tags"] == ["work", "2024"] and _photo(emulator, "h")["tags"] == []
    assert_converged(emulator, sync_json, root)  # nothing changed: not one call

    _file(root, "Work", 'license = "cc-by-nc-4.0"\ntags = ["work"]\nprivacy = "friends"\n')
    emulator.reset_calls()
    sync_json(root)
    # setPerms per photo; the tag removed: its id (getInfo), then removeTag
    assert _setting_calls(emulator) == {"flickr.photos.setPerms": 4, "flickr.photos.removeTag": 4}
    assert emulator.calls()["flickr.photos.getInfo"] == 4
    assert _photo(emulator, "w1")["tags"] == ["work"] and _photo(emulator, "w1")["privacy"] == (0, 1, 0)
    assert _photo(emulator, "h")["privacy"] == (0, 0, 0)
    assert_converged(emulator, sync_json, root)


def test_what_pycsync_gave_is_the_reference_a_website_change_stands(cli, root, emulator, sync_json, web):
    _file(root, "A", 'privacy = "friends"\n')
    write_jpeg(root / "A" / "a.jpg", 1)
    sync_json(root)
    web.flickr.set_perms(photo_titled(emulator, "a")["id"], is_public=1, is_friend=0, is_family=0)
    emulator.reset_calls()
    sync_json(root)
    assert _setting_calls(emulator) == {}, "the website's change is not undone"
    assert _photo(emulator, "a")["privacy"] == (1, 0, 0)
    _file(root, "A", 'privacy = "family"\n')
    sync_json(root)
    assert _photo(emulator, "a")["privacy"] == (0, 0, 1), "a changed setting is applied"


def test_the_most_specific_setting_wins_over_the_command_line_and_config(cli, cli_env, root, emulator, sync_json):
    (root / ".pycsync").mkdir()
    (root / ".pycsync" / "config.toml").write_text('privacy = "friends"\n')
    _file(root, "Mine", 'privacy = "private"\n')
    write_jpeg(root / "Mine" / "m.jpg", 1)
    write_jpeg(root / "Other" / "o.jpg", 2)
    sync_json(root, "--privacy", "family")
    assert _photo(emulator, "m")["privacy"] == (0, 0, 0), "the folder's own file wins"
    assert _photo(emulator, "o")["privacy"] == (0, 0, 1), "the flag wins over config.toml where no file says"
    config = json.loads(cli("config", str(root / "Mine"), "--json", "--privacy", "family").stdout)
    assert config["folder"]["settings"]["privacy"] == {"value": "private", "source": "Mine/.pycsync.toml"}


def test_a_file_widening_who_may_see_photos_is_shown_before_and_after(cli, root, emulator, sync_json):
    write_jpeg(root / "Share" / "old.jpg", 1)
    sync_json(root)  # private, as your own settings say
    path = _file(root, "Share", 'privacy = "public"\n')
    write_jpeg(root / "Share" / "new.jpg", 2)
    result = cli("sync", str(root))
    assert result.exit_code == 0, result.output
    out = result.output
    notice_at = out.find("1 new photo or video will be public")
    assert notice_at != -1 and notice_at < out.find("uploaded "), "said before the first upload"
    notice = out[notice_at : out.find("\n", notice_at)]
    assert "1 photo already on Flickr will become public (anyone can see them) (their folder's .pycsync.toml)" in notice
    assert f'privacy = "public" comes from {path}' in notice and "edit or remove that file to change it" in notice
    summary = out[out.find("done: ") :]
    assert "1 uploaded as public" in summary and "1 photo settings changed" in summary
    assert f"comes from {path}" in summary, "and again after the run"
    assert _photo(emulator, "old")["privacy"] == (1, 0, 0)
    doc = json.loads(cli("sync", str(root), "--json").stdout)
    assert doc["privacy"]["widened_by"] == [], "nothing uploaded or changed: nothing to say"


def test_a_pull_changes_no_setting_and_a_dry_run_only_says(cli, root, emulator, sync_json):
    write_jpeg(root / "A" / "a.jpg", 1)
    sync_json(root)
    _file(root, "A", 'hidden = true\ncontent_type = "other"\n')
    emulator.reset_calls()
    assert sync_json(root, "--pull")["settings_changed"] == 0
    assert _setting_calls(emulator) == {}
    dry = cli("sync", str(root), "--dry-run")
    assert "would set        A/a.jpg on Flickr: content_type other, hidden true" in dry.output
    assert write_calls(emulator) == {}
    status = json.loads(cli("status", str(root), "--json").stdout)
    assert status["totals"]["settings"] == 1 and status["albums"]["A"]["settings"] == ["A/a.jpg"]
    assert status["in_sync"] is False
    # setSafetyLevel carries hidden; setContentType the content type: two calls, once
    emulator.reset_calls()
    assert sync_json(root)["settings_changed"] == 1
    assert _setting_calls(emulator) == {"flickr.photos.setSafetyLevel": 1, "flickr.photos.setContentType": 1}
    assert (_photo(emulator, "a")["hidden"], _photo(emulator, "a")["content_type"]) == (2, 3)


def test_a_photo_in_two_folders_that_disagree_keeps_its_value(cli, root, emulator, sync_json):
    write_jpeg(root / "A" / "same.jpg", 1)
    write_jpeg(root / "B" / "same.jpg", 1)  # the same content: one photo in two albums
    sync_json(root)
    _file(root, "A", 'license = "cc0"\n')
    _file(root, "B", 'license = "cc-by-4.0"\n')
    doc = json.loads(cli("sync", str(root), "--json").stdout)
    assert doc["settings_changed"] == 0
    [note] = doc["unsynced_files"]
    assert note["path"] == "A/same.jpg"
    assert note["reason"] == "in folders with different license settings: A (cc0), B (cc-by-4.0); left as it is"


def test_a_bad_per_folder_file_stops_config_sync_and_status(cli, root, emulator):
    write_jpeg(root / "A" / "1.jpg", 1)
    (root / "A" / ".pycsync.toml").write_text('hidden = "yes"\n')
    for command, target in (("config", root / "A"), ("sync", root), ("status", root)):
        result = cli(command, str(target))
        assert result.exit_code == 2, (command, result.output)
        assert str(root / "A" / ".pycsync.toml") in result.stderr and "hidden must be true or false" in result.stderr
    assert emulator.state()["photos"] == []


def test_each_changed_setting_is_applied_alone_said_as_set_and_remembered(cli, root, emulator, sync_json):
    write_jpeg(root / "A" / "a.jpg", 1)
    _file(root, "A", 'tags = ["x", "y"]\n')
    sync_json(root)
    for text, said, expected in (
        ('safety_level = "restricted"\ntags = []\n', "safety_level restricted, tags (none)", ("safety_level", 2)),
        ('safety_level = "restricted"\nhidden = true\n', "hidden true", ("hidden", 2)),
    ):
        _file(root, "A", text)
        result = cli("sync", str(root))
        assert result.exit_code == 0, result.output
        assert f"settings changed A/a.jpg  ({said})" in result.output
        assert _photo(emulator, "a")[expected[0]] == expected[1] and _photo(emulator, "a")["tags"] == []
        emulator.reset_calls()
        assert sync_json(root)["settings_changed"] == 0, "remembered: not set again"
        assert _setting_calls(emulator) == {}


def test_an_upload_gets_hidden_false_as_said_and_a_license_that_failed_is_set_by_the_next_run(
    cli, root, emulator, sync_json
):
    _file(root, "A", 'hidden = false\nlicense = "cc0"\n')
    write_jpeg(root / "A" / "a.jpg", 1)
    emulator.set_faults(
        [
            {
                "match": "flickr.photos.licenses.setLicense",
                "max": 1,
                "action": {"error": 2, "message": "License not found"},
            }
        ]
    )
    result = cli("sync", str(root))
    emulator.set_faults([])
    assert result.exit_code == 0, result.output
    assert "uploaded, but its license was not set" in result.output + result.stderr
    assert _photo(emulator, "a")["hidden"] == 1 and _photo(emulator, "a")["license"] == "0"
    emulator.reset_calls()
    assert sync_json(root)["settings_changed"] == 1
    assert _setting_calls(emulator) == {"flickr.photos.licenses.setLicense": 1}
    assert _photo(emulator, "a")["license"] == "9"
    assert_converged(emulator, sync_json, root)
