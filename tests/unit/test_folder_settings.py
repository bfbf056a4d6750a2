"""Per-folder settings files (.pycsync.toml): what they may hold, how they resolve down the tree,
where each value comes from, and which of them widen who sees photos."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pycsync.config import SOURCE_DEFAULT, SOURCE_USER, Value
from pycsync.errors import ConfigError
from pycsync.folder_settings import (
    FILE_NAME,
    FOLDER_SETTINGS,
    LICENSES,
    FolderSettings,
    find_root,
    read_folder_file,
)
from pycsync.local import scan
from tests.support.media import make_jpeg_bytes


def _write(root: Path, folder: str, text: str) -> Path:
    path = root / folder / FILE_NAME if folder else root / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _settings(root: Path, privacy: str = "private", yours: str | None = None) -> FolderSettings:
    folders = scan(root, base={}).settings_folders
    mine = Value(yours, SOURCE_USER) if yours is not None else None
    return FolderSettings.load(root, folders, Value(privacy, SOURCE_DEFAULT), mine)


def test_every_key_is_read_and_normalised(tmp_path):
    path = _write(
        tmp_path,
        "",
        'privacy = "public"\nsafety-level = "moderate"\ncontent_type = "screenshot"\nhidden = true\n'
        'license = "CC BY-SA 4.0"\ntags = ["portfolio", "  New   York ", "portfolio"]\n'
        '[album]\ndescription = "Best of"\n',
    )
    file = read_folder_file(path, "")
    assert file is not None
    assert dict(file.settings) == {
        "privacy": "public",
        "safety_level": "moderate",
        "content_type": "screenshot",
        "hidden": True,
        "license": "cc-by-sa-4.0",
        "tags": ("portfolio", "New York"),
    }
    assert dict(file.album) == {"description": "Best of"}
    assert read_folder_file(tmp_path / "nowhere" / FILE_NAME, "nowhere") is None


@pytest.mark.parametrize(
    "value, name",
    [(0, "all-rights-reserved"), (16, "cc-by-nc-nd-4.0"), ('"All Rights Reserved"', "all-rights-reserved")]
    + [('"Public Domain Dedication (CC0)"', "cc0"), ('"cc0"', "cc0"), ('"cc_by_2.0"', "cc-by-2.0")],
)
def test_licenses_by_name_or_flickr_id(tmp_path, value, name):
    file = read_folder_file(_write(tmp_path, "", f"license = {value}\n"), "")
    assert file is not None and file.settings["license"] == name
    assert LICENSES[name] in range(17)


@pytest.mark.parametrize(
    "text, message",
    [
        ('privacy = "everyone"\n', "privacy must be one of private, friends, family, friends+family, public"),
        ('safety_level = "adult"\n', "safety_level must be one of safe, moderate, restricted"),
        ('content_type = "art"\n', "content_type must be one of photo, screenshot, other"),
        ('hidden = "yes"\n', "hidden must be true or false"),
        ("license = 17\n", "license must be a license name or one of Flickr's license ids"),
        ('license = "mine"\n', "license must be one of all-rights-reserved"),
        ('tags = "a b"\n', "tags must be a list of tags"),
        ('tags = ["pycsync:sha256=00"]\n', "pycsync's own"),
        ('tags = ["say \\"hi\\""]\n', "hold no double quote"),
        ('tags = [""]\n', "is not a tag"),
        ('privay = "public"\n', "unknown setting 'privay' (did you mean 'privacy'?)"),
        ("jobs = 4\n", "'jobs' is a setting of the whole sync: put it in .pycsync/config.toml"),
        ('api_secret = "x"\n', "keys and tokens never go in settings files"),
        ('album = "x"\n', "album must be a table"),
        ('[album]\ncover = "x"\n', "unknown album setting 'cover'"),
        ('[album]\ntitle = "  "\n', "album.title is empty"),
        ("[album]\ndescription = 3\n", "album.description must be text"),
        ("privacy = \n", "not valid TOML"),
    ],
)
def test_a_bad_file_is_a_clear_error_naming_it(tmp_path, text, message):
    path = _write(tmp_path, "A", text)
    with pytest.raises(ConfigError) as raised:
        read_folder_file(path, "A")
    assert str(path) in str(raised.value) and message in str(raised.value), str(raised.value)


def test_too_many_tags_and_oversized_files_are_refused(tmp_path):
    many = ", ".join(f'"t{i}"' for i in range(51))
    with pytest.raises(ConfigError, match="more than 50"):
        read_folder_file(_write(tmp_path, "", f"tags = [{many}]\n"), "")
    with pytest.raises(ConfigError, match="larger than 64 KiB"):
        read_folder_file(_write(tmp_path, "", "# " + "x" * 70_000 + "\n"), "")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / FILE_NAME).write_bytes(b"privacy = '\xff'\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        read_folder_file(tmp_path / "bin" / FILE_NAME, "bin")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs fifos")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    (tmp_path / "F").mkdir()
    os.mkfifo(tmp_path / "F" / FILE_NAME)
    with pytest.raises(ConfigError, match="not a regular file"):
        read_folder_file(tmp_path / "F" / FILE_NAME, "F")


def test_the_scan_finds_the_files_and_never_takes_them_for_photos(tmp_path):
    _write(tmp_path, "", 'license = "cc0"\n')
    _write(tmp_path, "A/B", 'privacy = "friends"\n')
    make_jpeg_bytes(tmp_path / "A" / "B" / "x.jpg")
    result = scan(tmp_path, base={})
    assert result.settings_folders == {"": "", "A/B": "A/B"}
    assert list(result.items) == ["A/B/x.jpg"]
    assert not any(FILE_NAME in s.path for s in result.skipped)


def test_the_most_specific_file_wins_and_tags_add_up(tmp_path):
    _write(tmp_path, "", 'license = "cc0"\ntags = ["mine"]\n')
    _write(tmp_path, "Trips", 'privacy = "friends"\nhidden = true\ntags = ["trips", "mine"]\n')
    _write(tmp_path, "Trips/Paris", 'privacy = "public"\nlicense = "cc-by-4.0"\n')
    (tmp_path / "Trips" / "Rome").mkdir()
    folders = _settings(tmp_path, privacy="family")

    paris = folders.resolve("Trips/Paris")
    assert {n: v.value for n, v in paris.values.items()} == {
        "privacy": "public",
        "safety_level": None,
        "content_type": None,
        "hidden": True,
        "license": "cc-by-4.0",
        "tags": ("mine", "trips"),
    }
    assert {n: v.source for n, v in paris.values.items()} == {
        "privacy": "Trips/Paris/.pycsync.toml",
        "safety_level": SOURCE_DEFAULT,
        "content_type": SOURCE_DEFAULT,
        "hidden": "Trips/.pycsync.toml",
        "license": "Trips/Paris/.pycsync.toml",
        "tags": ".pycsync.toml+Trips/.pycsync.toml",
    }
    assert dict(paris.declared) == {
        "privacy": "public",
        "hidden": True,
        "license": "cc-by-4.0",
        "tags": ("mine", "trips"),
    }
    rome = folders.resolve("Trips/Rome")
    assert rome["privacy"] == "friends" and rome["license"] == "cc0"
    top = folders.resolve("")
    assert top.values["privacy"] == Value("family", SOURCE_DEFAULT), "the run-wide setting where no file says"
    assert "privacy" not in top.declared, "run-wide settings are no declarations"
    assert list(FOLDER_SETTINGS) == list(paris.values)


def test_album_tables_belong_to_their_own_folder_only(tmp_path):
    _write(tmp_path, "A", '[album]\ndescription = "About A"\n')
    (tmp_path / "A" / "B").mkdir()
    folders = _settings(tmp_path)
    assert folders.album("A") == {"description": "About A"}
    assert folders.album("A/B") == {} and folders.album("") == {}


def test_only_files_that_widen_beyond_your_own_setting_are_widenings(tmp_path):
    _write(tmp_path, "Public", 'privacy = "public"\n')
    _write(tmp_path, "Family", 'privacy = "family"\n')
    _write(tmp_path, "Private", 'privacy = "private"\n')
    widenings = _settings(tmp_path, privacy="friends+family", yours="friends").widenings()
    assert [w.file for w in widenings] == [tmp_path / "Family" / FILE_NAME, tmp_path / "Public" / FILE_NAME]
    text = widenings[1].describe()
    assert 'privacy = "public" comes from' in text and '"friends", from your config file' in text
    assert "edit or remove that file to change it" in text and "--privacy" not in text
    assert _settings(tmp_path, privacy="public").widenings() == [], "nothing is wider than public"


def test_for_folder_reads_only_the_chain_and_find_root_finds_the_sync_folder(tmp_path):
    _write(tmp_path, "", 'tags = ["top"]\n')
    _write(tmp_path, "A", 'tags = ["a"]\n')
    _write(tmp_path, "Other", "privacy = \n")  # not on the way: never read
    (tmp_path / "A" / "B").mkdir()
    assert find_root(tmp_path / "A" / "B") == ((tmp_path / "A" / "B").resolve(), ""), "never synced: PATH itself"
    (tmp_path / ".pycsync").mkdir()
    root, rel = find_root(tmp_path / "A" / "B")
    assert (root, rel) == (tmp_path.resolve(), "A/B")
    folders = FolderSettings.for_folder(root, rel, Value("private", SOURCE_DEFAULT))
    assert folders.resolve("A/B")["tags"] == ("top", "a")
    assert find_root(tmp_path) == (tmp_path.resolve(), "")
    assert find_root(tmp_path / "nowhere" / "x") == (tmp_path.resolve(), "nowhere/x")


@pytest.mark.parametrize(
    "text, changes, table",
    [
        (None, {"description": "From the website"}, {"description": "From the website"}),
        ('[album]\ntitle = "T"\n', {"title": None}, None),  # (an emptied table goes)
        ('[album]\ndescription = "x"\n', {"description": ""}, None),
        ("", {"title": 'a "quoted" \\ title'}, {"title": 'a "quoted" \\ title'}),
        ("[album]\n", {"description": "two\nlines\n"}, {"description": "two\nlines\n"}),
        ("[album]\n", {"description": "\nleading"}, {"description": "\nleading"}),
        ("[album]\n", {"description": "cr\r\nlf"}, {"description": "cr\r\nlf"}),
        ('[album]\ndescription = "x"\n', {"title": "T"}, {"description": "x", "title": "T"}),
    ],
)
def test_album_toml_writes_exactly_the_values_it_is_given(text, changes, table):
    import tomllib

    from pycsync.folder_settings import album_toml

    assert tomllib.loads(album_toml(text, changes)).get("album") == table


def test_album_toml_keeps_the_rest_of_the_file_as_it_was():
    from pycsync.folder_settings import album_toml

    text = (
        "# Portfolio: public, CC BY\n"
        'privacy = "public"   # since 2020\n'
        'tags = ["portfolio", "New York"]\n'
        "\n"
        "[album]\n"
        "# what Flickr shows\n"
        'description = "old"  # keep this note\n'
    )
    assert album_toml(text, {"description": "new", "title": "Best of"}) == text.replace('"old"', '"new"') + (
        'title = "Best of"\n'
    )
