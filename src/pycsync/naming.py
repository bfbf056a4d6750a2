"""Mapping between Flickr's names (album titles, photo titles) and local folder and file names.

Everything here is a pure function. Remote names come from anyone who can edit the account, so
every name derived from them must be a safe relative path on Windows, macOS and Linux that stays
inside the sync root and is never hidden (the scanner skips hidden entries).
"""

from __future__ import annotations

import posixpath
import re
import unicodedata

from .model import Layout, RemotePhoto, folder_of, join_key

IMAGE_EXTENSIONS: frozenset[str] = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".gif", ".tif", ".tiff", ".heic", ".heif", ".webp", ".bmp"}
)
VIDEO_EXTENSIONS: frozenset[str] = frozenset(
    {
        ".mp4", ".mov", ".m4v", ".avi", ".mpg", ".mpeg", ".3gp", ".3g2", ".mts", ".m2ts", ".ts",
        ".wmv", ".ogv", ".ogg", ".mkv", ".webm", ".asf", ".flv", ".dv",
    }
)  # fmt: skip
MEDIA_EXTENSIONS: frozenset[str] = IMAGE_EXTENSIONS | VIDEO_EXTENSIONS
#: cameras' raw formats: Flickr accepts none of them (a RAW is passed over, never a failure)
RAW_EXTENSIONS: frozenset[str] = frozenset(
    {
        ".3fr", ".ari", ".arw", ".bay", ".cr2", ".cr3", ".crw", ".dcr", ".dng", ".erf", ".fff", ".gpr",
        ".iiq", ".k25", ".kdc", ".mef", ".mos", ".mrw", ".nef", ".nrw", ".orf", ".pef", ".ptx", ".raf",
        ".raw", ".rw2", ".rwl", ".sr2", ".srf", ".srw", ".x3f",
    }
)  # fmt: skip
#: a RAW's developed twin: a JPEG of the same name in the same folder
JPEG_EXTENSIONS: frozenset[str] = frozenset({".jpg", ".jpeg", ".jpe"})

NAME_MAX_BYTES = 255  # the per-component limit of every common filesystem
UNTITLED = "_untitled"

#: a folder's own settings (pycsync.folder_settings): a dot-file, so never taken for a photo
SETTINGS_FILE = ".pycsync.toml"

HASH_TAG_PREFIX = "pycsync:sha256="
NAME_TAG_PREFIX = "pycsync:name="

# Characters some OS refuses in a name, plus lone surrogates (they cannot be encoded to UTF-8).
_INVALID_IN_PART = re.compile(r'[<>:"|?*\x00-\x1f\x7f\ud800-\udfff]')
_INVALID_IN_NAME = re.compile(r'[<>:"|?*\x00-\x1f\x7f\ud800-\udfff/\\]')
_SEPARATORS = re.compile(r"[/\\]")
# Windows device names (any case, with any extension): CONIN$ and CONOUT$ are the console;
# COM0 and LPT0 are in Microsoft's list too, and a name reserved on some Windows is unsafe.
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in "0123456789\u00b9\u00b2\u00b3"}
)
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def is_media(name: str) -> bool:
    """Whether ``name`` has a photo or video extension (any case; a dot-file has none)."""
    i = name.rfind(".")  # inline rather than a helper: the scanner calls this for every file
    return i > 0 and name[i:].lower() in MEDIA_EXTENSIONS


def is_video(name: str) -> bool:
    i = name.rfind(".")
    return i > 0 and name[i:].lower() in VIDEO_EXTENSIONS


# --------------------------------------------------------------------------- safe components


def _trim(part: str) -> str:
    """Strip leading whitespace and trailing whitespace and dots (Windows drops trailing ones)."""
    part = part.lstrip()
    end = len(part)
    while end and (part[end - 1] == "." or part[end - 1].isspace()):
        end -= 1
    return part[:end]


def _truncate(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` UTF-8 bytes without splitting a character."""
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    return raw[:limit].decode("utf-8", "ignore")


def _reserved_stem(part: str) -> str | None:
    """The device-name stem when Windows would treat ``part`` as a device (CON, CON.txt, ...)."""
    stem = part.split(".", 1)[0].rstrip(" ")
    return stem if stem.upper() in _RESERVED else None


def _safe_part(text: str, invalid: re.Pattern[str], limit: int = NAME_MAX_BYTES) -> str:
    """One path component that every OS accepts and that is not hidden, or '' if nothing is left.

    Truncation happens before the '_' fix-ups so that cutting cannot re-expose a trailing dot or a
    device name; when a fix-up is needed the text is cut one byte shorter to make room for it.
    """
    # Trim first so that whitespace control characters (tab, newline) at the ends are dropped
    # rather than turned into '_'.
    part = _trim(_truncate(invalid.sub("_", _trim(text)), limit))
    if not part:
        return ""
    if part.startswith("."):
        return "_" + _trim(_truncate(part, limit - 1))
    stem = _reserved_stem(part)
    if stem is not None:
        # The stem ends in a letter or digit, so neither cutting nor trimming can reach it.
        part = _trim(_truncate(part, limit - 1))
        return stem + "_" + part[len(stem) :]
    return part


# --------------------------------------------------------------------------- albums <-> folders


def folder_for_album(title: str, layout: str = Layout.NESTED) -> str:
    """A safe folder path (relative, inside the root) for any album title.

    '/' and '\\' in a title make subfolders in the nested layout; the flat layout has one level
    of folders only, so there the cleaned parts are joined with '_' instead.
    """
    flat = Layout(layout) is Layout.FLAT
    raw_parts = _SEPARATORS.split(unicodedata.normalize("NFC", title))
    path = "/".join(p for p in (_safe_part(raw, _INVALID_IN_PART) for raw in raw_parts) if p)
    if path and flat:
        path = _safe_part(path.replace("/", "_"), _INVALID_IN_PART)
    return path or UNTITLED


def album_title_for_folder(folder: str, layout: str) -> str:
    """The album title pycsync gives a folder's album."""
    if Layout(layout) is Layout.FLAT:
        return folder.split("/", 1)[0]
    return folder


def album_folder_for_key(key: str, layout: str) -> str:
    """The folder whose album the file ``key`` belongs to ('' = the root, which has no album)."""
    folder = key.rpartition("/")[0]
    if layout == "nested":  # (the common case without an Enum lookup: this runs per file)
        return folder
    if Layout(layout) is Layout.FLAT:
        return folder.split("/", 1)[0]
    return folder


# --------------------------------------------------------------------------- photos <-> files


def file_name_for_photo(title: str, ext: str, photo_id: str) -> str:
    """A safe file name for a remote photo: its cleaned title plus ``ext`` (kept as given).

    Raises ValueError when ``ext`` is not a media extension, since a file with any other name
    would be skipped by the next scan.
    """
    if not ext.startswith("."):
        ext = "." + ext
    if ext.lower() not in MEDIA_EXTENSIONS:
        raise ValueError(f"not a photo or video extension: {ext!r}")
    limit = NAME_MAX_BYTES - len(ext.encode("utf-8"))
    title = unicodedata.normalize("NFC", title)
    stem = _safe_part(title, _INVALID_IN_NAME, limit) or _safe_part(photo_id, _INVALID_IN_NAME, limit) or UNTITLED
    return stem + ext


def name_from_tag(file_name: str, photo_id: str = UNTITLED) -> str | None:
    """The local name for a photo whose name tag holds ``file_name``: that name when it is valid
    everywhere, else its safe form; None when it is no photo or video name at all."""
    stem, dot, ext = file_name.rpartition(".")
    if not dot or not is_media(file_name):
        return None
    return file_name_for_photo(stem, ext, photo_id)


def title_name(title: str, media: str, original_format: str, photo_id: str) -> str:
    """The local name a photo gets from its title (and format), when no name tag names it."""
    fmt = original_format.lower()
    known = is_video if media == "video" else is_media
    # (a video's format is its poster's: the executor corrects the extension from the download)
    ext = fmt if known(f"x.{fmt}") else ("mp4" if media == "video" else "jpg")
    if title.lower().endswith(f".{ext}") and len(title) > len(ext) + 1:
        title = title[: -len(ext) - 1]  # a title that carries its extension: no IMG_1.jpg.jpg
    return file_name_for_photo(title, ext, photo_id)


def local_name(photo: RemotePhoto) -> str:
    """The local file name for a photo: its name tag's (pycsync's own uploads), else its title's."""
    if photo.file_name:
        name = name_from_tag(photo.file_name, photo.photo_id)
        if name is not None:
            return name
    return title_name(photo.title, photo.media, photo.original_format, photo.photo_id)


def _with_suffix(name: str, suffix: str) -> str:
    """``stem + suffix + ext``, cutting the stem so the name stays within the byte limit."""
    stem, ext = posixpath.splitext(name)
    room = NAME_MAX_BYTES - len((suffix + ext).encode("utf-8"))
    return _truncate(stem, room) + suffix + ext


def disambiguate(name: str, photo_id: str, taken: set[str]) -> str:
    """``name``, or a variant carrying the photo id when its casefolded form is in ``taken``.

    The variant depends on the id rather than on the order photos are seen, so every run picks
    the same name. ``taken`` is not modified.
    """
    if name.casefold() not in taken:
        return name
    candidate = _with_suffix(name, f" ({photo_id})")
    n = 2
    while candidate.casefold() in taken:
        candidate = _with_suffix(name, f" ({photo_id}-{n})")
        n += 1
    return candidate


def conflict_name(key: str, sha256: str) -> str:
    """The key under which a conflicting local version is kept, beside the original."""
    name = _with_suffix(key.rpartition("/")[2], f" (conflict {sha256[:8]})")
    return join_key(folder_of(key), name)


def title_for_file(name: str) -> str:
    return posixpath.splitext(name)[0]


# --------------------------------------------------------------------------- machine tags


def encode_name_tag(name: str) -> str:
    """Hex, because Flickr lowercases machine tag values and the name's case must survive."""
    return name.encode("utf-8").hex()


def decode_name_tag(value: str) -> str | None:
    """The file name in a name tag value, or None when it is not one pycsync could have written."""
    if not _HEX.fullmatch(value):
        return None
    try:
        name = bytes.fromhex(value).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if name in (".", "..") or "/" in name or "\x00" in name:
        return None
    return name


def hash_tag(sha256: str) -> str:
    return HASH_TAG_PREFIX + sha256.lower()


def name_tag(name: str) -> str:
    return NAME_TAG_PREFIX + encode_name_tag(name)


def parse_machine_tags(machine_tags: str) -> tuple[str | None, str | None]:
    """(sha256, file name) from a photo's space-separated ``machine_tags`` extra.

    A value that is malformed, or that appears more than once with different values, is reported
    as unknown (None): guessing could link a photo to the wrong file.
    """
    hashes: set[str] = set()
    names: set[str] = set()
    for tag in machine_tags.split():
        lowered = tag.lower()
        if lowered.startswith(HASH_TAG_PREFIX):
            value = lowered[len(HASH_TAG_PREFIX) :]
            if _SHA256.fullmatch(value):
                hashes.add(value)
        elif lowered.startswith(NAME_TAG_PREFIX):
            name = decode_name_tag(tag[len(NAME_TAG_PREFIX) :])
            if name is not None:
                names.add(name)
    return (
        hashes.pop() if len(hashes) == 1 else None,
        names.pop() if len(names) == 1 else None,
    )
