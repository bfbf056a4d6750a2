"""Where credentials and settings live, and the `pycsync config` document that shows both.

Credentials: the API key and per-endpoint access tokens in the user config dir. The token
file is 0600 inside a 0700 directory. Environment variables override the file so automation
never needs to write secrets to disk: FLICKR_API_KEY / FLICKR_API_SECRET and
FLICKR_OAUTH_TOKEN / FLICKR_OAUTH_TOKEN_SECRET.

Settings: config.toml files and flags, merged by :func:`effective_config` (below).
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from pycsync.errors import ConfigError, NotSignedIn
from pycsync.flickr import Credentials
from pycsync.model import Layout, Privacy
from pycsync.safefs import SafeDir, UnsafeFolderError, make_private


def config_dir(env: Mapping[str, str]) -> Path:
    override = env.get("PYCSYNC_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir("pycsync"))


@dataclass
class TokenStore:
    """tokens.json: {"<endpoint>|<api key>": {token, token_secret, user_nsid, username, perms}}
    plus the last API key/secret used with each endpoint."""

    directory: Path

    @property
    def path(self) -> Path:
        return self.directory / "tokens.json"

    def _read(self) -> dict:
        try:
            return json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read {self.path}: {exc}") from exc

    def _write(self, data: dict) -> None:
        """Write a new file under a random name, created exclusively without following a link,
        in the folder once it is checked to be the user's own and private, then rename it."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            with SafeDir.open(self.directory) as folder:
                make_private(folder)
                tmp = f".{self.path.name}.{secrets.token_hex(8)}.tmp"
                fd = folder.create(tmp, 0o600)
                try:
                    with os.fdopen(fd, "w") as f:
                        json.dump(data, f, indent=2)
                        f.flush()
                        os.fsync(f.fileno())
                    folder.rename(tmp, folder, self.path.name)
                except BaseException:
                    folder.unlink(tmp)
                    raise
        except UnsafeFolderError as exc:
            raise ConfigError(f"not saving your Flickr token: {exc}") from None

    def save(self, endpoint: str, api_key: str, api_secret: str, token: dict) -> None:
        data = self._read()
        data.setdefault("apps", {})[endpoint] = {"api_key": api_key, "api_secret": api_secret}
        data.setdefault("tokens", {})[f"{endpoint}|{api_key}"] = token
        self._write(data)

    def app(self, endpoint: str) -> dict:
        return self._read().get("apps", {}).get(endpoint, {})

    def token(self, endpoint: str, api_key: str) -> dict | None:
        return self._read().get("tokens", {}).get(f"{endpoint}|{api_key}")


def resolve_credentials(env: Mapping[str, str], store: TokenStore, endpoint: str) -> Credentials:
    """Environment first, then what `pycsync auth` saved for this endpoint."""
    app = store.app(endpoint)
    key = env.get("FLICKR_API_KEY") or app.get("api_key")
    secret = env.get("FLICKR_API_SECRET") or app.get("api_secret")
    if not key or not secret:
        raise NotSignedIn(
            "no Flickr API key: run `pycsync auth --api-key KEY` or set FLICKR_API_KEY and FLICKR_API_SECRET"
        )
    token = env.get("FLICKR_OAUTH_TOKEN")
    token_secret = env.get("FLICKR_OAUTH_TOKEN_SECRET")
    if not (token and token_secret):
        saved = store.token(endpoint, key)
        if not saved:
            raise NotSignedIn("not signed in to Flickr: run `pycsync auth` first")
        token, token_secret = saved["token"], saved["token_secret"]
    return Credentials(key, secret, token, token_secret)


# ------------------------------------------------------------------ settings (config.toml)
#
# Sync settings come from, lowest first: built-in defaults, the user file
# (<config dir>/config.toml), the folder file (<sync root>/.pycsync/config.toml), and command
# line flags. `exclude` accumulates across all of them; every other setting is overridden.

CONFIG_FILE = "config.toml"
PRIVACY_CHOICES = tuple(p.value for p in Privacy)
LAYOUT_CHOICES = tuple(layout.value for layout in Layout)
SECRET_WORDS = ("key", "secret", "token", "password")
#: what only a folder's own .pycsync.toml sets (pycsync.folder_settings)
PER_FOLDER_ONLY = ("safety_level", "content_type", "hidden", "license", "tags")


def _choice(choices: tuple[str, ...]):
    def parse(value):
        if not isinstance(value, str) or value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return value

    return parse


def _int_range(low: int, high: int | None):
    def parse(value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be a whole number")
        if value < low or (high is not None and value > high):
            raise ValueError(f"must be between {low} and {high}" if high is not None else f"must be {low} or more")
        return value

    return parse


def _jobs(value):
    """A number of transfers at once, or "auto" (as many as keep the link busy, measured)."""
    if value == "auto":
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError('must be a whole number between 1 and 32, or "auto"')
    return _int_range(1, 32)(value)


def jobs_number(value: int | str) -> int:
    """The executor's number for a jobs setting (pycsync.concurrency.AUTO for "auto")."""
    return 0 if value == "auto" else int(value)


def _percent(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be a number (a percentage)")
    if not 0 <= value <= 100:
        raise ValueError("must be a percentage between 0 and 100")
    return float(value)


def _bool(value):
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _globs(value):
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError('must be a list of patterns, e.g. exclude = ["*.tmp", "Private/"]')
    return tuple(value)


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    parse: Callable[[Any], Any]  # value -> validated value, raises ValueError with a readable reason
    help: str
    flag: str


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting("privacy", "private", _choice(PRIVACY_CHOICES), "who may see new uploads", "--privacy"),
        Setting(
            "layout",
            "nested",
            _choice(LAYOUT_CHOICES),
            "nested: every folder is an album; flat: only top-level folders",
            "--layout",
        ),
        Setting("jobs", 8, _jobs, 'parallel transfers ("auto": as many as keep the link busy)', "--jobs"),
        Setting(
            "exclude", (), _globs, "extra files to skip (gitignore syntax); adds up across files and flags", "--exclude"
        ),
        Setting("delete", False, _bool, "propagate deletions both ways", "--delete/--no-delete"),
        Setting("max_delete", 50.0, _percent, "refuse to delete more than this percentage of a side", "--max-delete"),
        Setting(
            "rate_limit", 3000, _int_range(0, None), "Flickr API calls per hour at most (0: no limit)", "--rate-limit"
        ),
        Setting(
            "metadata",
            True,
            _bool,
            "sync titles, descriptions, tags, dates taken and places both ways (false: pixels only)",
            "--metadata/--no-metadata",
        ),
    )
}

SOURCE_DEFAULT, SOURCE_USER, SOURCE_FOLDER, SOURCE_FLAG = "default", "user", "folder", "flag"


def user_config_path(env: Mapping[str, str]) -> Path:
    return config_dir(env) / CONFIG_FILE


def folder_config_path(root: Path) -> Path:
    return Path(root) / ".pycsync" / CONFIG_FILE


def read_config_file(path: Path) -> dict:
    """The validated settings of one config.toml ({} when it does not exist)."""
    import tomllib

    try:
        with open(path, "rb") as f:
            raw = tomllib.load(f)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    out = {}
    for name, value in raw.items():
        setting = SETTINGS.get(name.replace("-", "_"))
        if setting is None:
            raise ConfigError(f"{path}: {_unknown(name)}")
        try:
            out[setting.name] = setting.parse(value)
        except ValueError as exc:
            raise ConfigError(f"{path}: {setting.name} {exc}") from None
    return out


def _unknown(name: str) -> str:
    import difflib

    if any(word in name.lower() for word in SECRET_WORDS):
        return (
            f"unknown setting {name!r}: keys and tokens never go in config files; "
            "use `pycsync auth` or the FLICKR_* environment variables"
        )
    if name.replace("-", "_") in PER_FOLDER_ONLY:
        return (
            f"{name!r} is a per-folder setting: put it in a .pycsync.toml in the folder it is for (in the "
            "sync folder itself for all of it)"
        )
    close = difflib.get_close_matches(name, SETTINGS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown setting {name!r}{hint}; known settings: {', '.join(SETTINGS)}"


@dataclass(frozen=True)
class Value:
    value: object
    source: str  # default | user | folder | flag (exclude: several joined with "+")


@dataclass(frozen=True)
class Widening:
    """A settings file inside the synced folder lets more people see new uploads than your own
    settings (the defaults, your config file, the command line) do. Such a file arrives with the
    folder (an archive, a shared drive, another sync tool), so this is always shown."""

    setting: str
    value: str  # what the folder's file says
    yours: Value  # what your own settings say, and where that comes from
    file: Path
    remedy: str = ""  # how to undo it ("" : the command line flag overrides it)

    def describe(self) -> str:
        yours = {SOURCE_DEFAULT: "the default", SOURCE_FLAG: "from the command line"}.get(
            self.yours.source, "from your config file"
        )
        remedy = self.remedy or f"--{self.setting} overrides it"
        return (
            f'{self.setting} = "{self.value}" comes from {self.file}, a file inside the synced folder, '
            f'wider than your own setting ("{self.yours.value}", {yours}); {remedy}'
        )

    def edit_to_change(self) -> Widening:
        """The same widening by a per-folder settings file, which beats the command line (it is
        the most specific setting): only editing the file changes it."""
        return dataclasses.replace(self, remedy="edit or remove that file to change it")


def folder_widening(setting: str, yours: Value, value: object, file: Path) -> Widening | None:
    """The rule for every settings file that comes with the synced folder (its .pycsync/
    config.toml now, per-folder files later): it may narrow who sees new uploads freely; when it
    widens that beyond your own settings, the Widening returned must be shown (before the run
    uploads anything and in its summary). Your own settings from the command line always win."""
    if setting != "privacy" or not isinstance(value, str) or not isinstance(yours.value, str):
        return None
    if not Privacy(value).audience - Privacy(yours.value).audience:
        return None
    return Widening(setting, value, yours, file)


@dataclass(frozen=True)
class EffectiveConfig:
    values: dict[str, Value]
    user_file: Path
    folder_file: Path | None
    widenings: dict[str, Widening] = field(default_factory=dict)
    # name -> what your own settings say (defaults, your config file, the command line), without
    # the synced folder's own file
    own: dict[str, Value] = field(default_factory=dict)

    def __getitem__(self, name: str):
        return self.values[name].value

    def source(self, name: str) -> str:
        return self.values[name].source

    def widening(self, name: str) -> Widening | None:
        """How the folder's settings file widened ``name`` beyond your own settings, if it did."""
        return self.widenings.get(name)

    def yours(self, name: str) -> Value:
        """``name`` as your own settings have it (the folder's file left out)."""
        return self.own.get(name, self.values[name])


def effective_config(
    env: Mapping[str, str],
    root: Path | None,
    flags: Mapping[str, Any] | None = None,
    flag_sources: Mapping[str, str] | None = None,
) -> EffectiveConfig:
    """Defaults < user config.toml < the folder's .pycsync/config.toml < flags (None: not given).

    ``flag_sources`` names a flag's value's real origin (an environment variable read by the
    option) instead of "flag"."""
    user_file = user_config_path(env)
    folder_file = folder_config_path(root) if root is not None else None
    layers = [(SOURCE_USER, read_config_file(user_file))]
    if folder_file is not None:
        layers.append((SOURCE_FOLDER, read_config_file(folder_file)))
    given = {}
    for name, value in (flags or {}).items():
        if value is None or (name == "exclude" and not value):
            continue
        try:
            given[name] = SETTINGS[name].parse(tuple(value) if name == "exclude" else value)
        except ValueError as exc:
            raise ConfigError(f"{SETTINGS[name].flag.split('/')[0]} {exc}") from None
    layers.append((SOURCE_FLAG, given))
    values = {}
    widenings = {}
    own = {}
    for name, setting in SETTINGS.items():
        if name == "exclude":
            globs, sources = [], []
            for source, layer in layers:
                if layer.get(name):
                    globs.extend(layer[name])
                    sources.append(source)
            values[name] = Value(tuple(globs), "+".join(sources) or SOURCE_DEFAULT)
            continue
        current = yours = Value(setting.default, SOURCE_DEFAULT)
        for source, layer in layers:
            if name in layer:
                current = Value(layer[name], source)
                if source != SOURCE_FOLDER:
                    yours = current
        if current.source == SOURCE_FLAG and flag_sources and name in flag_sources:
            current = Value(current.value, flag_sources[name])
        values[name] = current
        own[name] = current if current.source != SOURCE_FOLDER else yours
        if current.source == SOURCE_FOLDER and folder_file is not None:
            wider = folder_widening(name, yours, current.value, folder_file)
            if wider is not None:
                widenings[name] = wider
    return EffectiveConfig(values, user_file, folder_file, widenings, own)


def unknown_upload_wait(env: Mapping[str, str]) -> float:
    """PYCSYNC_UNKNOWN_UPLOAD_WAIT: seconds to look for an upload whose answer was lost (60)."""
    raw = (env.get("PYCSYNC_UNKNOWN_UPLOAD_WAIT") or "").strip()
    if not raw:
        return 60.0
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"PYCSYNC_UNKNOWN_UPLOAD_WAIT must be a number of seconds, not {raw!r}") from None
    if not 0 <= value < float("inf"):
        raise ConfigError("PYCSYNC_UNKNOWN_UPLOAD_WAIT must be 0 or more seconds")
    return value


# ------------------------------------------------------------------ the `pycsync config` document


def describe(cfg: EffectiveConfig, root: Path, env: Mapping[str, str], endpoint: str, endpoint_source: str) -> dict:
    """The effective settings for ``root`` and the Flickr account they would use, each with
    where it comes from (the documented `pycsync config --json`). Secrets are never read out."""
    return {
        "root": str(root.resolve()),
        "files": {
            "user": {"path": str(cfg.user_file), "exists": cfg.user_file.is_file()},
            "folder": {"path": str(cfg.folder_file), "exists": bool(cfg.folder_file and cfg.folder_file.is_file())},
        },
        "settings": {
            name: {"value": list(v.value) if isinstance(v.value, tuple) else v.value, "source": v.source}
            for name, v in cfg.values.items()
        },
        "account": account(env, TokenStore(config_dir(env)), endpoint, endpoint_source),
    }


def account(env: Mapping[str, str], store: TokenStore, endpoint: str, endpoint_source: str) -> dict:
    """Where the endpoint and credentials come from, values redacted (reads no secret out)."""
    app = store.app(endpoint)
    out: dict = {"endpoint": {"value": endpoint, "source": endpoint_source}, "token_file": str(store.path)}
    saved_by_auth = "saved by `pycsync auth`"

    def entry(var: str, saved: object) -> dict:
        if env.get(var):
            return {"value": "<redacted>", "source": f"environment ({var})"}
        if saved:
            return {"value": "<redacted>", "source": saved_by_auth}
        return {"value": None, "source": None}

    key = env.get("FLICKR_API_KEY") or app.get("api_key")
    token = store.token(endpoint, key) if key else None
    out["api_key"] = entry("FLICKR_API_KEY", app.get("api_key"))
    out["api_secret"] = entry("FLICKR_API_SECRET", app.get("api_secret"))
    env_token = bool(env.get("FLICKR_OAUTH_TOKEN") and env.get("FLICKR_OAUTH_TOKEN_SECRET"))
    out["token"] = entry("FLICKR_OAUTH_TOKEN", token and not env_token)
    out["token_secret"] = entry("FLICKR_OAUTH_TOKEN_SECRET", token and not env_token)
    out["user"] = {k: token.get(k) for k in ("username", "user_nsid", "perms")} if token and not env_token else None
    return out
