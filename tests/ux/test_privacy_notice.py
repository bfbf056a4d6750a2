"""A run that makes photos visible to anyone but you says so, before it uploads and in its
summary; a settings file that came with the folder never widens who may see them unnoticed."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.files import write_jpeg


def _folder_file(root, text: str) -> None:
    (root / ".pycsync").mkdir(exist_ok=True)
    (root / ".pycsync" / "config.toml").write_text(text)


def _user_file(cli_env, text: str) -> None:
    config = Path(cli_env["PYCSYNC_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(text)


def test_a_folder_file_that_makes_uploads_public_is_shown_up_front_and_in_the_summary(cli, root, emulator):
    _folder_file(root, 'privacy = "public"\n')
    write_jpeg(root / "A" / "a.jpg", 1)
    write_jpeg(root / "A" / "b.jpg", 2)
    result = cli("sync", str(root))
    assert result.exit_code == 0, result.output
    assert all(p["is_public"] == 1 for p in emulator.state()["photos"]), "the setting itself is honoured"
    out = result.output  # stdout and stderr as the user sees them
    warning = out.find("public")
    assert warning != -1, out
    assert warning < out.find("uploaded "), "said before the first upload"
    notice = out[out.rfind("\n", 0, warning) + 1 : out.find("\n", warning)]
    assert "2 new" in notice and str(root / ".pycsync" / "config.toml") in notice, notice
    assert "wider than your own" in notice and '"private"' in notice, notice
    summary = out[out.find("done: ") :]
    assert "2 uploaded as public" in summary and "wider than your own" in summary, summary


def test_the_json_summary_says_who_may_see_the_uploads(cli, root):
    _folder_file(root, 'privacy = "friends"\n')
    write_jpeg(root / "a.jpg", 1)
    result = cli("sync", str(root), "--json")
    summary = json.loads(result.stdout)
    assert summary["privacy"] == {
        "setting": "friends",
        "uploaded": 1,
        "widened": {"by": str(root / ".pycsync" / "config.toml"), "your_setting": "private"},
        "uploaded_as": {"friends": 1},
        "changed_to": {},
        "widened_by": [{"by": str(root / ".pycsync" / "config.toml"), "value": "friends", "your_setting": "private"}],
    }
    assert "friends" in result.stderr and "wider than your own" in result.stderr


def test_a_folder_file_may_narrow_without_a_word(cli, cli_env, root):
    _user_file(cli_env, 'privacy = "friends+family"\n')
    _folder_file(root, 'privacy = "family"\n')
    write_jpeg(root / "a.jpg", 1)
    result = cli("sync", str(root), "--json")
    privacy = json.loads(result.stdout)["privacy"]
    assert privacy == {
        "setting": "family",
        "uploaded": 1,
        "widened": None,
        "uploaded_as": {"family": 1},
        "changed_to": {},
        "widened_by": [],
    }
    assert "wider" not in result.stderr
    assert "family" in result.stderr, "uploads that are not private are still said"


def test_a_folder_file_widening_another_way_is_shown(cli, cli_env, root):
    _user_file(cli_env, 'privacy = "friends"\n')
    _folder_file(root, 'privacy = "family"\n')  # not more people, other people
    write_jpeg(root / "a.jpg", 1)
    result = cli("sync", str(root), "--json")
    widened = json.loads(result.stdout)["privacy"]["widened"]
    assert widened == {"by": str(root / ".pycsync" / "config.toml"), "your_setting": "friends"}


def test_public_from_the_command_line_is_said_but_is_no_widening(cli, root):
    _folder_file(root, 'privacy = "private"\n')
    write_jpeg(root / "a.jpg", 1)
    result = cli("sync", str(root), "--privacy", "public")
    assert "1 new photo or video will be public" in result.output, result.output
    assert "wider" not in result.output


def test_private_uploads_and_runs_without_uploads_say_nothing(cli, root, sync_json):
    write_jpeg(root / "a.jpg", 1)
    result = cli("sync", str(root))
    assert "public" not in result.output and "will be" not in result.output
    _folder_file(root, 'privacy = "public"\n')
    quiet = cli("sync", str(root))
    assert "will be" not in quiet.output, "nothing uploaded: nothing to say"
    assert json.loads(cli("sync", str(root), "--json").stdout)["privacy"]["uploaded"] == 0


def test_a_dry_run_says_what_would_be_public(cli, root):
    _folder_file(root, 'privacy = "public"\n')
    write_jpeg(root / "a.jpg", 1)
    result = cli("sync", str(root), "--dry-run")
    assert "1 new photo or video would be public" in result.output, result.output
