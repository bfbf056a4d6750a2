"""Configuration: .pycsync/config.toml in the sync root, a user config.toml, flags over files,
`pycsync config` showing where each value comes from, and clear errors (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.files import write_jpeg

CONFIG_KEYS = {"root", "files", "settings", "folder", "account"}
SETTING_NAMES = ["privacy", "layout", "jobs", "exclude", "delete", "max_delete", "rate_limit", "metadata"]


def user_file(cli_env) -> Path:
    path = Path(cli_env["PYCSYNC_CONFIG_DIR"]) / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def folder_file(root: Path) -> Path:
    path = root / ".pycsync" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def config_json(cli, root: Path, *args: str) -> dict:
    result = cli("config", str(root), "--json", *args)
    assert result.exit_code == 0, (result.output, result.stderr)
    return json.loads(result.stdout)


def test_defaults_when_no_file_exists(cli, root):
    doc = config_json(cli, root)
    assert set(doc) == CONFIG_KEYS
    assert list(doc["settings"]) == SETTING_NAMES
    assert {k: v["value"] for k, v in doc["settings"].items()} == {
        "privacy": "private",
        "layout": "nested",
        "jobs": 8,
        "exclude": [],
        "delete": False,
        "max_delete": 50.0,
        "rate_limit": 3000,
        "metadata": True,
    }
    assert {v["source"] for v in doc["settings"].values()} == {"default"}
    assert doc["files"]["folder"] == {"path": str(root / ".pycsync" / "config.toml"), "exists": False}
    assert doc["files"]["user"]["exists"] is False


def test_flags_override_the_folder_file_which_overrides_the_user_file(cli, cli_env, root):
    user_file(cli_env).write_text('privacy = "friends"\njobs = 2\nexclude = ["*.tmp"]\nrate_limit = 1000\n')
    folder_file(root).write_text('privacy = "public"\nlayout = "flat"\nexclude = ["Private/"]\ndelete = true\n')
    doc = config_json(cli, root, "--jobs", "8", "--exclude", "*.bak", "--no-delete")
    s = doc["settings"]
    assert s["privacy"] == {"value": "public", "source": "folder"}
    assert s["layout"] == {"value": "flat", "source": "folder"}
    assert s["jobs"] == {"value": 8, "source": "flag"}
    assert s["rate_limit"] == {"value": 1000, "source": "user"}
    assert s["delete"] == {"value": False, "source": "flag"}
    assert s["max_delete"] == {"value": 50.0, "source": "default"}
    assert s["exclude"] == {"value": ["*.tmp", "Private/", "*.bak"], "source": "user+folder+flag"}
    assert doc["files"]["user"]["exists"] and doc["files"]["folder"]["exists"]

    text = cli("config", str(root), "--jobs", "8", "--exclude", "*.bak", "--no-delete")
    assert text.exit_code == 0
    rows = {line.split()[0]: line for line in text.stdout.splitlines() if line.strip()}
    assert rows["privacy"].split()[1:] == ["public", "folder", "file"]
    assert rows["jobs"].split()[1:] == ["8", "command", "line"]
    assert rows["exclude"].endswith("user file + folder file + command line")


def test_secrets_are_never_printed(cli, cli_env, root):
    result = cli("config", str(root))
    assert result.exit_code == 0
    doc = config_json(cli, root)
    for output in (result.stdout, json.dumps(doc)):
        for name in ("FLICKR_API_KEY", "FLICKR_API_SECRET", "FLICKR_OAUTH_TOKEN", "FLICKR_OAUTH_TOKEN_SECRET"):
            assert cli_env[name] not in output
    assert doc["account"]["api_secret"] == {"value": "<redacted>", "source": "environment (FLICKR_API_SECRET)"}
    assert doc["account"]["token"]["value"] == "<redacted>"
    assert doc["account"]["endpoint"] == {
        "value": cli_env["PYCSYNC_ENDPOINT"],
        "source": "environment (PYCSYNC_ENDPOINT)",
    }
    assert "<redacted>" in result.stdout


def test_not_signed_in_is_shown_without_failing(cli, root):
    env = {"FLICKR_API_KEY": "", "FLICKR_API_SECRET": "", "FLICKR_OAUTH_TOKEN": "", "FLICKR_OAUTH_TOKEN_SECRET": ""}
    result = cli("config", str(root), env=env)
    assert result.exit_code == 0
    assert "Not signed in: run `pycsync auth`." in result.stdout
    assert "(not set)" in result.stdout


@pytest.mark.parametrize(
    "content, message",
    [
        ('privay = "public"\n', "unknown setting 'privay' (did you mean 'privacy'?)"),
        ('privacy = "everyone"\n', "privacy must be one of private, friends, family, friends+family, public"),
        ("jobs = 0\n", "jobs must be between 1 and 32"),
        ('jobs = "4"\n', "jobs must be a whole number"),
        ('exclude = "*.tmp"\n', "exclude must be a list of patterns"),
        ("max_delete = 150\n", "max_delete must be a percentage between 0 and 100"),
        ('delete = "yes"\n', "delete must be true or false"),
        ("rate_limit = -1\n", "rate_limit must be 0 or more"),
        ("privacy = \n", "not valid TOML"),
    ],
)
def test_a_bad_folder_file_is_a_clear_usage_error_and_nothing_syncs(cli, root, emulator, content, message):
    write_jpeg(root / "A" / "1.jpg", 1)
    path = folder_file(root)
    path.write_text(content)
    for command in ("config", "sync", "status"):
        result = cli(command, str(root))
        assert result.exit_code == 2, (command, result.output)
        assert str(path) in result.stderr and message in result.stderr, result.stderr
    assert emulator.state()["photos"] == []


def test_a_secret_in_a_config_file_is_refused_without_echoing_it(cli, cli_env, root):
    user_file(cli_env).write_text('api_secret = "s3cr3t-value"\n')
    result = cli("config", str(root))
    assert result.exit_code == 2
    assert "keys and tokens never go in config files" in result.stderr
    assert "s3cr3t-value" not in result.output


def test_bad_flag_values_are_usage_errors(cli, root):
    assert cli("sync", str(root), "--jobs", "0").exit_code == 2
    assert cli("sync", str(root), "--privacy", "everyone").exit_code == 2
    result = cli("sync", str(root), "--max-delete", "120")
    assert result.exit_code == 2 and "--max-delete must be a percentage" in result.stderr


def test_sync_uses_the_folder_configuration(cli, cli_env, root, emulator, sync_json):
    folder_file(root).write_text('privacy = "friends"\nlayout = "flat"\nexclude = ["*.skip.jpg"]\n')
    user_file(cli_env).write_text("jobs = 1\n")
    write_jpeg(root / "Trips" / "2019" / "a.jpg", 1)
    write_jpeg(root / "Trips" / "b.skip.jpg", 2)
    summary = sync_json(root)
    assert summary["uploaded"] == 1
    state = emulator.state()
    assert [a["title"] for a in state["albums"]] == ["Trips"], "layout = flat from the folder file"
    [photo] = state["photos"]
    assert (photo["is_public"], photo["is_friend"], photo["is_family"]) == (0, 1, 0)

    write_jpeg(root / "Trips" / "c.jpg", 3)
    sync_json(root, "--privacy", "public")  # a flag beats the file
    public = [p for p in emulator.state()["photos"] if p["title"] == "c"]
    assert public[0]["is_public"] == 1


def test_delete_can_be_switched_on_by_the_folder_file(cli, root, emulator, sync_json):
    for i in range(4):
        write_jpeg(root / "A" / f"{i}.jpg", i)
    sync_json(root)
    (root / "A" / "0.jpg").unlink()
    folder_file(root).write_text("delete = true\n")
    assert sync_json(root, "--no-delete")["deleted"] == 0
    assert sync_json(root)["deleted"] == 1


def test_config_of_a_folder_inside_the_tree_explains_each_photo_setting(cli, cli_env, root):
    """`pycsync config PATH/sub/folder`: the sync folder's settings, then the folder's photo
    settings, each with the .pycsync.toml (or run-wide setting) it comes from."""
    folder_file(root).write_text('privacy = "friends"\n')
    (root / ".pycsync.toml").write_text('tags = ["mine"]\nlicense = "all-rights-reserved"\n')
    (root / "Work").mkdir()
    (root / "Work" / ".pycsync.toml").write_text('license = "cc-by-4.0"\nhidden = true\ntags = ["work"]\n')
    (root / "Work" / "2024").mkdir()
    (root / "Work" / "2024" / ".pycsync.toml").write_text('safety_level = "safe"\n[album]\ndescription = "2024"\n')

    doc = config_json(cli, root / "Work" / "2024")
    assert doc["root"] == str(root.resolve()), "the sync folder is found above the folder"
    assert doc["settings"]["privacy"] == {"value": "friends", "source": "folder"}
    folder = doc["folder"]
    assert folder["path"] == "Work/2024"
    assert folder["files"] == [str(root / ".pycsync.toml"), str(root / "Work" / ".pycsync.toml")] + [
        str(root / "Work" / "2024" / ".pycsync.toml")
    ]
    assert folder["settings"] == {
        "privacy": {"value": "friends", "source": "folder"},
        "safety_level": {"value": "safe", "source": "Work/2024/.pycsync.toml"},
        "content_type": {"value": None, "source": "default"},
        "hidden": {"value": True, "source": "Work/.pycsync.toml"},
        "license": {"value": "cc-by-4.0", "source": "Work/.pycsync.toml"},
        "tags": {"value": ["mine", "work"], "source": ".pycsync.toml+Work/.pycsync.toml"},
    }
    assert folder["album"] == {"description": "2024"}
    assert config_json(cli, root / "Work", "--privacy", "public")["folder"]["settings"]["privacy"] == {
        "value": "public",
        "source": "flag",
    }

    text = cli("config", str(root / "Work" / "2024")).stdout
    rows = {line.split()[0]: line for line in text.splitlines() if line.strip()}
    assert rows["license"].split()[1:] == ["cc-by-4.0", "Work/.pycsync.toml"]
    assert rows["content_type"].split()[1:] == ["(account", "default)", "default"]
    assert rows["tags"].split()[1:] == ["mine,", "work", ".pycsync.toml", "+", "Work/.pycsync.toml"]
    assert "Photo settings for Work/2024" in text


def test_a_per_folder_key_in_config_toml_says_where_it_belongs(cli, root):
    folder_file(root).write_text('license = "cc0"\n')
    result = cli("config", str(root))
    assert result.exit_code == 2
    assert "'license' is a per-folder setting: put it in a .pycsync.toml" in result.stderr
