import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pycsync.model import RemotePhoto
from pycsync.naming import (
    HASH_TAG_PREFIX,
    MEDIA_EXTENSIONS,
    NAME_TAG_PREFIX,
    VIDEO_EXTENSIONS,
    album_folder_for_key,
    album_title_for_folder,
    conflict_name,
    decode_name_tag,
    disambiguate,
    encode_name_tag,
    file_name_for_photo,
    folder_for_album,
    hash_tag,
    is_media,
    is_video,
    local_name,
    name_from_tag,
    name_tag,
    parse_machine_tags,
    title_for_file,
    title_name,
)

INVALID = re.compile(r'[<>:"|?*\\\x00-\x1f\x7f]')
# Windows device names, in any case, with or without an extension (CONIN$/CONOUT$ are the
# console; COM0/LPT0 are listed in Microsoft's naming rules since 2022)
RESERVED = re.compile(r"(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³]) *(\..*)?", re.IGNORECASE)
SHA = "0123456789abcdef" * 4


def assert_safe_part(part: str) -> None:
    assert part, "empty part"
    assert part not in (".", "..")
    assert not part.startswith("."), part
    assert "/" not in part
    assert not INVALID.search(part), part
    assert part == part.strip(), part
    assert not part.endswith((".", " ")), part
    assert not RESERVED.fullmatch(part), part
    assert len(part.encode("utf-8")) <= 255
    assert unicodedata.is_normalized("NFC", part)


# --------------------------------------------------------------------------- media types


def test_media_extensions():
    assert is_media("IMG_0001.JPG") and is_media("a.heic") and is_media("clip.MTS")
    assert is_video("clip.MOV") and not is_video("a.jpg")
    assert is_video("clip.2019.mov") and not is_video("clip.mov.jpg")  # the extension is after the last dot
    assert is_video("a.mov") and not is_video(".mov")  # a hidden file, not a video
    assert not is_media("notes.txt") and not is_media("IMG_1.xmp") and not is_media("jpg")
    assert not is_media(".jpg")  # a hidden file, not a photo
    assert VIDEO_EXTENSIONS < MEDIA_EXTENSIONS
    assert all(e == e.lower() and e.startswith(".") for e in MEDIA_EXTENSIONS)


# --------------------------------------------------------------------------- hostile album titles


@pytest.mark.parametrize(
    "title, folder",
    [
        ("../../x", "x"),
        ("/etc", "etc"),
        ("a/../../b", "a/b"),
        ("CON", "CON_"),
        ("con.txt", "con_.txt"),
        ("LPT9", "LPT9_"),
        ("COM10", "COM10"),
        ("CONIN$", "CONIN$_"),
        ("conout$.txt", "conout$_.txt"),
        ("CoNoUt$ .log.gz", "CoNoUt$_ .log.gz"),
        ("COM0", "COM0_"),
        ("lpt0.x", "lpt0_.x"),
        ("COM²", "COM²_"),
        ("CON\u00a0.txt", "CON\u00a0.txt"),  # Windows drops only spaces before a device name's dot
        ("CONX", "CONX"),
        ("", "_untitled"),
        ("   ", "_untitled"),
        ("..", "_untitled"),
        ("/", "_untitled"),
        ("a:b?c", "a_b_c"),
        ('<x>|"y"*', "_x___y__"),
        ("tab\there", "tab_here"),
        ("trailing...", "trailing"),
        ("trailing. . ", "trailing"),
        ("  padded  ", "padded"),
        (".hidden", "_.hidden"),
        ("a\\b", "a/b"),
        ("C:\\Users\\x", "C_/Users/x"),
        ("2019/Paris", "2019/Paris"),
        ("Vacances été 🌴", "Vacances été 🌴"),
        ("a//b/./c", "a/b/c"),
    ],
)
def test_folder_for_hostile_titles(title, folder):
    assert folder_for_album(title) == folder


def test_folder_for_nfd_title_is_nfc():
    nfd = unicodedata.normalize("NFD", "Café/Noël")
    assert folder_for_album(nfd) == unicodedata.normalize("NFC", "Café/Noël")


def test_folder_for_long_title_is_truncated_on_a_character_boundary():
    title = "é" * 150  # 300 bytes
    folder = folder_for_album(title)
    assert folder == "é" * 127  # 254 bytes: the 128th 'é' would not fit whole
    long_ascii = folder_for_album("x" * 300 + "/y")
    assert long_ascii == "x" * 255 + "/y"


def test_truncation_cannot_expose_a_device_name_or_trailing_dot():
    assert folder_for_album("CON" + " " * 300 + "x") == "CON_"
    assert folder_for_album("CON." + "x" * 300) == "CON_." + "x" * 250  # cut one byte more for the '_'
    assert folder_for_album("." + "x" * 300) == "_." + "x" * 253  # the same for a hidden name's '_'
    assert folder_for_album("a" * 254 + ".b") == "a" * 254
    emoji = folder_for_album("🌴" * 70)  # 4 bytes each
    assert emoji == "🌴" * 63


def test_folder_for_album_is_deterministic():
    assert folder_for_album("a:b/../CON") == folder_for_album("a:b/../CON") == "a_b/CON_"


def test_flat_layout_keeps_one_level():
    assert folder_for_album("2019/Paris", "flat") == "2019_Paris"
    assert folder_for_album("../../x", "flat") == "x"
    assert folder_for_album("", "flat") == "_untitled"
    with pytest.raises(ValueError):
        folder_for_album("x", "diagonal")


@given(st.text())
def test_folder_for_album_is_always_safe(title):
    folder = folder_for_album(title)
    assert not folder.startswith("/") and not folder.endswith("/")
    for part in folder.split("/"):
        assert_safe_part(part)


@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("/\\.: ")))
def test_folder_for_separator_heavy_titles_is_safe(title):
    for part in folder_for_album(title).split("/"):
        assert_safe_part(part)
    assert_safe_part(folder_for_album(title, "flat"))


def test_lone_surrogates_are_replaced():
    assert folder_for_album("a\ud800b") == "a_b"


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("folder", ["Paris", "2019/Paris", "Été 2020/Noël", "a b/c-d (e)"])
def test_nested_round_trip(folder):
    title = album_title_for_folder(folder, "nested")
    assert title == folder
    assert folder_for_album(title) == folder
    assert album_folder_for_key(f"{folder}/IMG_1.jpg", "nested") == folder


@pytest.mark.parametrize("folder", ["Paris", "Été 2020"])
def test_flat_round_trip(folder):
    title = album_title_for_folder(folder, "flat")
    assert title == folder
    assert folder_for_album(title, "flat") == folder


def test_flat_layout_uses_the_top_folder():
    assert album_title_for_folder("2019/Paris", "flat") == "2019"
    assert album_title_for_folder("2019/Paris/day 1", "flat") == "2019"
    assert album_folder_for_key("2019/Paris/day 1/x.jpg", "flat") == "2019"
    assert album_folder_for_key("2019/Paris/x.jpg", "flat") == "2019"
    assert album_folder_for_key("2019/x.jpg", "flat") == "2019"
    assert album_folder_for_key("x.jpg", "flat") == ""
    assert album_folder_for_key("x.jpg", "nested") == ""
    assert album_folder_for_key("2019/Paris/x.jpg", "nested") == "2019/Paris"


# --------------------------------------------------------------------------- photo file names


def test_file_name_for_photo():
    assert file_name_for_photo("IMG_0001", "jpg", "42") == "IMG_0001.jpg"
    assert file_name_for_photo("IMG_0001", ".MOV", "42") == "IMG_0001.MOV"
    assert file_name_for_photo("a/b\\c:d", "jpg", "42") == "a_b_c_d.jpg"
    assert file_name_for_photo("", "png", "42") == "42.png"
    assert file_name_for_photo("  \t ", "png", "42") == "42.png"
    assert file_name_for_photo("CON", "jpg", "42") == "CON_.jpg"
    assert file_name_for_photo("CONOUT$", "jpg", "42") == "CONOUT$_.jpg"
    assert file_name_for_photo("conin$.tar", "jpg", "42") == "conin$_.tar.jpg"
    assert file_name_for_photo(".secret", "jpg", "42") == "_.secret.jpg"
    assert file_name_for_photo("dots...", "jpg", "42") == "dots.jpg"
    assert file_name_for_photo("../..", "jpg", "42") == "_.._.jpg"


def test_file_name_round_trips_a_safe_name():
    # the planner rebuilds an uploaded file's exact name from its stem and extension
    for name in ["IMG_1.JPG", "a.jpg.jpg", "Été 🌴.HEIC"]:
        stem, ext = name.rsplit(".", 1)
        assert file_name_for_photo(stem, ext, "1") == name


def test_file_name_is_nfc_and_within_255_bytes():
    name = file_name_for_photo(unicodedata.normalize("NFD", "é") * 200, "jpeg", "1")
    assert unicodedata.is_normalized("NFC", name)
    assert name.endswith(".jpeg") and len(name.encode()) <= 255
    assert name == "é" * 125 + ".jpeg"


def test_file_name_rejects_non_media_extension():
    with pytest.raises(ValueError, match="not a photo or video extension: '.txt'"):
        file_name_for_photo("x", "txt", "1")


@given(st.text(), st.sampled_from(sorted(MEDIA_EXTENSIONS)))
def test_file_name_for_photo_is_always_safe(title, ext):
    name = file_name_for_photo(title, ext, "1234")
    assert is_media(name)
    assert_safe_part(name)


@pytest.mark.parametrize(
    "title, media, original_format, name",
    [
        ("Sunset", "photo", "png", "Sunset.png"),
        ("Sunset", "photo", "JPEG", "Sunset.jpeg"),
        ("Sunset", "photo", "", "Sunset.jpg"),  # no format known: a JPEG, Flickr's default
        ("Sunset", "photo", "pdf", "Sunset.jpg"),
        # a video's original_format is its poster's (a jpg): the name gets a video extension
        ("Clip", "video", "jpg", "Clip.mp4"),
        ("Clip", "video", "mov", "Clip.mov"),
        ("IMG_1.PNG", "photo", "png", "IMG_1.png"),  # a title that carries its extension
        ("a.png", "photo", "png", "a.png"),
        ("Clip.mp4", "video", "jpg", "Clip.mp4"),
        (".png", "photo", "png", "_.png.png"),  # only an extension: it is the title
    ],
)
def test_title_name_takes_the_extension_from_the_format_and_the_media(title, media, original_format, name):
    assert title_name(title, media, original_format, "42") == name


@pytest.mark.parametrize(
    "tag, name",
    [
        ("IMG_1.JPG", "IMG_1.JPG"),
        ("archive.2019.jpg", "archive.2019.jpg"),  # the extension is after the last dot
        ("a:b.jpg", "a_b.jpg"),  # valid on Linux, not on Windows
        (" .jpg", "42.jpg"),  # nothing left of the name: the photo id
        ("notes.txt", None),
        ("jpg", None),
    ],
)
def test_name_from_tag_keeps_a_valid_name_and_rejects_what_is_no_media(tag, name):
    assert name_from_tag(tag, "42") == name


def test_local_name_is_the_name_tags_else_the_titles():
    def photo(file_name, media="photo"):
        return RemotePhoto("42", "Title", media, "jpg", "s", "u", 1, file_name=file_name)

    assert local_name(photo("IMG_1.JPG")) == "IMG_1.JPG"
    assert local_name(photo(" .jpg")) == "42.jpg"  # nothing left of the tagged name: the id
    assert local_name(photo("notes.txt")) == "Title.jpg"  # no media name: the title's
    assert local_name(photo(None)) == "Title.jpg"
    assert local_name(photo(None, "video")) == "Title.mp4"


def test_title_for_file():
    assert title_for_file("IMG_0001.JPG") == "IMG_0001"
    assert title_for_file("a.b.mp4") == "a.b"
    assert title_for_file(file_name_for_photo("Paris 2019", "jpg", "1")) == "Paris 2019"


# --------------------------------------------------------------------------- disambiguation


def test_disambiguate_free_name_unchanged():
    assert disambiguate("a.jpg", "7", {"b.jpg"}) == "a.jpg"


def test_disambiguate_is_case_insensitive_and_uses_the_id():
    taken = {"a.jpg"}
    assert disambiguate("A.JPG", "7", taken) == "A (7).JPG"
    assert taken == {"a.jpg"}  # not modified


def test_disambiguate_is_stable_regardless_of_order():
    # Two photos titled alike: each gets the same name whichever is placed first.
    first = disambiguate("x.jpg", "111", set())
    second = disambiguate("x.jpg", "222", {first.casefold()})
    assert (first, second) == ("x.jpg", "x (222).jpg")
    again = disambiguate("x.jpg", "222", {"x.jpg"})
    assert again == second


def test_disambiguate_adds_a_counter_when_needed():
    assert disambiguate("x.jpg", "5", {"x.jpg", "x (5).jpg"}) == "x (5-2).jpg"
    taken = {"x.jpg", "x (5).jpg", "x (5-2).jpg"}
    assert disambiguate("x.jpg", "5", taken) == "x (5-3).jpg"


def test_disambiguate_stays_within_255_bytes():
    name = "a" * 251 + ".jpg"
    out = disambiguate(name, "12345678901", {name})
    assert out.endswith(" (12345678901).jpg") and len(out.encode()) == 255


def test_conflict_name():
    assert conflict_name("2019/Paris/IMG_1.JPG", SHA) == "2019/Paris/IMG_1 (conflict 01234567).JPG"
    assert conflict_name("x.mov", SHA) == "x (conflict 01234567).mov"
    long = conflict_name("é" * 125 + ".jpg", SHA)
    assert len(long.encode()) <= 255 and long.endswith(" (conflict 01234567).jpg")


# --------------------------------------------------------------------------- machine tags


@pytest.mark.parametrize("name", ["IMG_0001.JPG", "Été à Noël 🌴.heic", "MiXeD CaSe.Mp4", "a b.jpg", "ÅNGSTRÖM.jpg"])
def test_name_tag_round_trip(name):
    value = encode_name_tag(name)
    assert re.fullmatch(r"[0-9a-f]+", value)
    assert decode_name_tag(value) == name
    assert decode_name_tag(value.upper()) == name


@pytest.mark.parametrize("value", ["", "zz", "abc", "61 62", "ff", "2e", "2e2e", "612f62", "6100"])
def test_decode_name_tag_rejects_invalid(value):
    assert decode_name_tag(value) is None


def test_tags_and_parse():
    sha = SHA.upper()
    tags = f"other:tag=1 {hash_tag(sha)} {name_tag('Été.JPG')}"
    assert hash_tag(sha) == HASH_TAG_PREFIX + SHA
    assert name_tag("a").startswith(NAME_TAG_PREFIX)
    assert parse_machine_tags(tags) == (SHA, "Été.JPG")
    # Flickr lowercases machine tags; the hex survives.
    assert parse_machine_tags(tags.lower()) == (SHA, "Été.JPG")
    assert parse_machine_tags(tags.upper()) == (SHA, "Été.JPG")


def test_parse_machine_tags_missing_or_bad():
    assert parse_machine_tags("") == (None, None)
    assert parse_machine_tags("pycsync:sha256=xyz pycsync:name=zz") == (None, None)
    ambiguous = f"{hash_tag(SHA)} {hash_tag('f' * 64)} {name_tag('a.jpg')} {name_tag('a.jpg')}"
    assert parse_machine_tags(ambiguous) == (None, "a.jpg")
