"""Per-folder settings: a ``.pycsync.toml`` in any folder of the tree, for that folder and below.

A folder's file says how its photos are shown on Flickr: who may see them (``privacy``), their
``safety_level``, ``content_type``, whether they are ``hidden`` from public searches, their
``license`` and extra ``tags``. Unlike ``privacy`` in ``.pycsync/config.toml`` or ``--privacy``,
which only say who sees *new uploads*, a folder file describes *the photos of its folder*: a
value it sets is given to new uploads there and, when it changes, to the photos already on
Flickr (see :mod:`pycsync.settings_plan`).

Resolution, lowest first: built-in defaults, the run-wide settings (your config.toml, the sync
folder's ``.pycsync/config.toml``, command line flags), then the ``.pycsync.toml`` files from the
sync folder down to the folder itself: the most specific wins. ``tags`` add up down the tree.

The file may also hold an ``[album]`` table about the folder's own album (not inherited):
``title`` and ``description``, synced both ways by the metadata sync (see
:mod:`pycsync.albummeta`), which writes a change made on Flickr back into the table with
:func:`album_toml`, leaving the rest of the file as it was. Keys are written as in config.toml
(``safety_level`` or ``safety-level``). The file is a dot-file, so the scan never takes it for
a photo, and it never leaves the disk.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pycsync.config import (
    PRIVACY_CHOICES,
    SETTINGS,
    SOURCE_DEFAULT,
    Value,
    Widening,
    folder_widening,
)
from pycsync.errors import ConfigError
from pycsync.naming import SETTINGS_FILE as FILE_NAME

#: a settings file is a few lines; anything longer is refused before it is parsed
MAX_FILE_BYTES = 64 * 1024
#: extra tags per folder chain (Flickr keeps at most 75 tags per photo, pycsync's own two included)
MAX_TAGS = 50

SAFETY_LEVELS = {"safe": 1, "moderate": 2, "restricted": 3}
CONTENT_TYPES = {"photo": 1, "screenshot": 2, "other": 3}

#: Flickr's license ids (flickr.photos.licenses.getInfo) under the names a settings file uses
LICENSES: dict[str, int] = {
    "all-rights-reserved": 0,
    "cc-by-nc-sa-2.0": 1,
    "cc-by-nc-2.0": 2,
    "cc-by-nc-nd-2.0": 3,
    "cc-by-2.0": 4,
    "cc-by-sa-2.0": 5,
    "cc-by-nd-2.0": 6,
    "no-known-copyright-restrictions": 7,
    "us-government-work": 8,
    "cc0": 9,
    "public-domain-mark": 10,
    "cc-by-4.0": 11,
    "cc-by-sa-4.0": 12,
    "cc-by-nd-4.0": 13,
    "cc-by-nc-4.0": 14,
    "cc-by-nc-sa-4.0": 15,
    "cc-by-nc-nd-4.0": 16,
}
# Flickr's own names for them, as getInfo lists them, accepted too
_LICENSE_ALIASES = {
    "all-rights-reserved": "all-rights-reserved",
    "public-domain-dedication-(cc0)": "cc0",
    "public-domain-dedication": "cc0",
    "united-states-government-work": "us-government-work",
}


def _choice(choices) -> object:
    def parse(value):
        if not isinstance(value, str) or value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return value

    return parse


def _bool(value):
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _license(value):
    """A license by name ("cc-by-4.0", Flickr's "CC BY 4.0") or by Flickr's id (0-16)."""
    if isinstance(value, int) and not isinstance(value, bool):
        for name, lid in LICENSES.items():
            if lid == value:
                return name
        raise ValueError("must be a license name or one of Flickr's license ids, 0 to 16")
    if not isinstance(value, str):
        raise ValueError('must be a license name, e.g. "cc-by-4.0" or "all-rights-reserved"')
    slug = "-".join(value.strip().lower().replace("_", " ").split())
    slug = _LICENSE_ALIASES.get(slug, slug)
    if slug not in LICENSES:
        raise ValueError(f"must be one of {', '.join(LICENSES)} (or Flickr's license id, 0 to 16)")
    return slug


def _tags(value):
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError('must be a list of tags, e.g. tags = ["portfolio", "New York"]')
    tags = []
    for tag in value:
        tag = " ".join(tag.split())
        if not tag or '"' in tag:
            raise ValueError(f"{tag!r} is not a tag: tags are non-empty and hold no double quote")
        if tag.lower().startswith("pycsync:"):
            raise ValueError(f"{tag!r}: tags starting with pycsync: are pycsync's own")
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValueError(f"holds {len(tags)} tags, more than {MAX_TAGS}")
    return tuple(tags)


@dataclass(frozen=True)
class FolderSetting:
    name: str
    parse: object  # value -> validated value, raises ValueError with a readable reason
    help: str


#: what a .pycsync.toml may set, in the order `pycsync config` shows them
FOLDER_SETTINGS: dict[str, FolderSetting] = {
    s.name: s
    for s in (
        FolderSetting("privacy", _choice(PRIVACY_CHOICES), "who may see the folder's photos"),
        FolderSetting("safety_level", _choice(tuple(SAFETY_LEVELS)), "safe, moderate or restricted"),
        FolderSetting("content_type", _choice(tuple(CONTENT_TYPES)), "photo, screenshot or other"),
        FolderSetting("hidden", _bool, "hidden from public searches"),
        FolderSetting("license", _license, "the photos' license"),
        FolderSetting("tags", _tags, "extra tags (add up down the tree)"),
    )
}

#: what the [album] table may hold (about the folder's own album; not inherited)
ALBUM_KEYS: dict[str, object] = {
    "title": lambda v: _title(_text(v, 65_536)),
    "description": lambda v: _text(v, 65_536),
}


def _text(value, limit: int) -> str:
    if not isinstance(value, str):
        raise ValueError("must be text")
    if len(value) > limit:
        raise ValueError(f"is longer than {limit} characters")
    return value


def _title(value: str) -> str:
    if not value.strip():
        raise ValueError("is empty: Flickr gives every album a title (leave it out to title it after the folder)")
    return value


@dataclass(frozen=True)
class FolderFile:
    """One validated ``.pycsync.toml``."""

    folder: str  # the folder's key ('' for the sync folder itself)
    path: Path  # where it is on disk
    settings: Mapping[str, object]  # name -> validated value
    album: Mapping[str, object] = field(default_factory=dict)  # the [album] table, validated
    signature: tuple[int, int] | None = None  # (size, mtime_ns) as read: rewritten only while unchanged

    @property
    def shown(self) -> str:
        """How sources name it: its path relative to the sync folder."""
        return f"{self.folder}/{FILE_NAME}" if self.folder else FILE_NAME


def read_folder_file(path: Path, folder: str) -> FolderFile | None:
    """The validated settings file at ``path`` (None when there is none). Read in one bounded
    read of a regular file (never a fifo or a device, even through a link)."""
    import tomllib

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    with open(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ConfigError(f"{path} is not a regular file")
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_FILE_BYTES // 1024} KiB; a settings file is a few lines")
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid TOML: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    settings: dict[str, object] = {}
    album: dict[str, object] = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name == "album":
            album = _album_table(path, value)
            continue
        setting = FOLDER_SETTINGS.get(name)
        if setting is None:
            raise ConfigError(f"{path}: {_unknown(key)}")
        try:
            settings[name] = setting.parse(value)  # type: ignore[operator]
        except ValueError as exc:
            raise ConfigError(f"{path}: {name} {exc}") from None
    return FolderFile(folder, Path(path), settings, album, (st.st_size, st.st_mtime_ns))


def album_toml(text: str | None, changes: Mapping[str, str | None]) -> str:
    """The settings file ``text`` (None: none yet) with these ``[album]`` keys set (None or "":
    taken out), everything else in it (comments, order, other settings) as it was. tomllib
    only reads; tomlkit keeps the rest of the file intact."""
    import tomllib

    import tomlkit

    doc = tomlkit.parse(text) if text else tomlkit.document()
    album = doc.get("album")
    if album is None:
        album = tomlkit.table()
        doc["album"] = album
    for name, value in changes.items():
        if not value:
            album.pop(name, None)
            continue
        album[name] = tomlkit.string(value, multiline="\n" in value)
        if tomllib.loads(tomlkit.dumps(doc))["album"][name] != value:  # (a CR before a LF)
            album[name] = tomlkit.string(value)
    if not album:
        del doc["album"]
    return tomlkit.dumps(doc)


def _album_table(path: Path, value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise ConfigError(f'{path}: album must be a table: [album] then description = "..."')
    out = {}
    for key, item in value.items():
        parse = ALBUM_KEYS.get(key.replace("-", "_"))
        if parse is None:
            raise ConfigError(f"{path}: unknown album setting {key!r}; known: {', '.join(ALBUM_KEYS)}")
        try:
            out[key.replace("-", "_")] = parse(item)  # type: ignore[operator]
        except ValueError as exc:
            raise ConfigError(f"{path}: album.{key} {exc}") from None
    return out


def _unknown(name: str) -> str:
    import difflib

    if name.replace("-", "_") in SETTINGS:
        return (
            f"{name!r} is a setting of the whole sync: put it in .pycsync/config.toml in the sync folder "
            "(a .pycsync.toml holds only what differs per folder)"
        )
    from pycsync.config import SECRET_WORDS

    if any(word in name.lower() for word in SECRET_WORDS):
        return f"unknown setting {name!r}: keys and tokens never go in settings files"
    close = difflib.get_close_matches(name.replace("-", "_"), [*FOLDER_SETTINGS, "album"], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown setting {name!r}{hint}; a .pycsync.toml may set {', '.join(FOLDER_SETTINGS)} and [album]"


def _parents(folder: str) -> list[str]:
    """'' and every folder from the top down to ``folder`` itself."""
    if not folder:
        return [""]
    parts = folder.split("/")
    return ["", *("/".join(parts[: i + 1]) for i in range(len(parts)))]


@dataclass(frozen=True)
class Resolved:
    """The settings that apply to one folder, each with where it comes from."""

    folder: str
    values: Mapping[str, Value]  # name -> value and source (a file's path relative to the root)
    declared: Mapping[str, object]  # what the folder files (not the run-wide settings) set
    files: tuple[FolderFile, ...]  # the files that apply, from the top down

    def __getitem__(self, name: str) -> object:
        return self.values[name].value


class FolderSettings:
    """The ``.pycsync.toml`` files of one tree over the run-wide settings.

    ``privacy`` is the run-wide privacy (your files, the sync folder's config.toml and the
    command line) with its source; ``yours`` your own privacy setting, without the sync folder's
    config.toml (a folder file that lets more people see photos than that is a widening).
    """

    def __init__(self, files: Iterable[FolderFile], privacy: Value, yours: Value | None = None):
        self.files: dict[str, FolderFile] = {f.folder: f for f in files}
        self.privacy = privacy
        self.yours = yours if yours is not None else privacy
        self._cache: dict[str, Resolved] = {}

    @classmethod
    def empty(cls, privacy: str = "private") -> FolderSettings:
        value = Value(privacy, SOURCE_DEFAULT)
        return cls((), value, value)

    @classmethod
    def load(cls, root: Path, folders: Mapping[str, str], privacy: Value, yours: Value | None = None) -> FolderSettings:
        """The files of ``folders`` (folder key -> its path relative to the root as spelled on
        disk, '' for the root), as the scan found them."""
        root = Path(root)
        files = []
        for key, rel in sorted(folders.items()):
            found = read_folder_file(root / rel / FILE_NAME if rel else root / FILE_NAME, key)
            if found is not None:
                files.append(found)
        return cls(files, privacy, yours)

    @classmethod
    def for_folder(cls, root: Path, rel: str, privacy: Value, yours: Value | None = None) -> FolderSettings:
        """Only the files on the way from ``root`` down to the folder at ``rel`` (relative to the
        root, as spelled on disk): for `pycsync config PATH/sub/folder`."""
        return cls.load(root, {_key(f): f for f in _parents(rel)}, privacy, yours)

    def __bool__(self) -> bool:
        return bool(self.files)

    def resolve(self, folder: str) -> Resolved:
        """The settings of ``folder`` (a key's folder part, '' for the root)."""
        cached = self._cache.get(folder)
        if cached is not None:
            return cached
        chain = tuple(self.files[f] for f in _parents(folder) if f in self.files)
        values: dict[str, Value] = {"privacy": self.privacy}
        declared: dict[str, object] = {}
        tags: list[str] = []
        tag_sources: list[str] = []
        for file in chain:
            for name, value in file.settings.items():
                if name == "tags":
                    tags.extend(t for t in value if t not in tags)  # type: ignore[attr-defined]
                    tag_sources.append(file.shown)
                    continue
                values[name] = Value(value, file.shown)
                declared[name] = value
        if tag_sources:
            values["tags"] = Value(tuple(tags), "+".join(tag_sources))
            declared["tags"] = tuple(tags)
        for name in FOLDER_SETTINGS:
            values.setdefault(name, Value(() if name == "tags" else None, SOURCE_DEFAULT))
        resolved = Resolved(folder, {n: values[n] for n in FOLDER_SETTINGS}, declared, chain)
        self._cache[folder] = resolved
        return resolved

    def shown(self, path: Path) -> str:
        """How sources name the settings file at ``path`` ("" when it is none of these)."""
        for file in self.files.values():
            if file.path == Path(path):
                return file.shown
        return ""

    def album(self, folder: str) -> Mapping[str, object]:
        """The ``[album]`` table of the folder's own file ({} when it has none)."""
        file = self.files.get(folder)
        return file.album if file is not None else {}

    def album_titles(self) -> dict[str, str]:
        """folder -> the title its own file gives its album (``[album] title``)."""
        return {f: str(file.album["title"]) for f, file in self.files.items() if "title" in file.album}

    def widenings(self) -> list[Widening]:
        """The folder files that let more people see photos than your own settings do (see
        :func:`pycsync.config.folder_widening`): shown before and after every run that uploads or
        changes a photo they cover."""
        out = []
        for file in sorted(self.files.values(), key=lambda f: f.folder):
            value = file.settings.get("privacy")
            if value is None:
                continue
            wider = folder_widening("privacy", self.yours, value, file.path)
            if wider is not None:
                out.append(wider.edit_to_change())
        return out


def _key(rel: str) -> str:
    return unicodedata.normalize("NFC", rel)


def find_root(path: Path) -> tuple[Path, str]:
    """(sync folder, the folder's path relative to it as spelled on disk) for a path inside a
    synced tree: the nearest folder at or above ``path`` holding a ``.pycsync/`` folder; ``path``
    itself when none does (a tree never synced)."""
    path = Path(path).expanduser().resolve()
    for candidate in (path, *path.parents):
        if (candidate / ".pycsync").is_dir():
            rel = path.relative_to(candidate).as_posix()
            return candidate, "" if rel == "." else rel
    return path, ""


def describe_folder(resolved: Resolved, root: Path) -> dict:
    """The per-folder part of `pycsync config --json`: the files that apply to the folder and
    each setting's value and source (None: not set, the account's own default applies)."""
    own = next((f for f in resolved.files if f.folder == resolved.folder), None)
    return {
        "path": resolved.folder,
        "files": [str(f.path) for f in resolved.files],
        "settings": {
            name: {"value": list(v.value) if isinstance(v.value, tuple) else v.value, "source": v.source}
            for name, v in resolved.values.items()
        },
        "album": dict(own.album) if own is not None else {},
    }
