"""Where credentials live: the API key and per-endpoint access tokens in the user config dir.

The token file is 0600 inside a 0700 directory. Environment variables override the file so
automation never needs to write secrets to disk: FLICKR_API_KEY / FLICKR_API_SECRET and
FLICKR_OAUTH_TOKEN / FLICKR_OAUTH_TOKEN_SECRET.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import platformdirs

from pycsync.flickr import Credentials


class ConfigError(Exception):
    """Bad configuration or missing set-up: exit status 2."""


class NotSignedIn(Exception):
    """No usable access token: exit status 3."""


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
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=2)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

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
            "no Flickr API key: run `pycsync auth --api-key KEY --api-secret SECRET` "
            "or set FLICKR_API_KEY and FLICKR_API_SECRET"
        )
    token = env.get("FLICKR_OAUTH_TOKEN")
    token_secret = env.get("FLICKR_OAUTH_TOKEN_SECRET")
    if not (token and token_secret):
        saved = store.token(endpoint, key)
        if not saved:
            raise NotSignedIn("not signed in to Flickr: run `pycsync auth` first")
        token, token_secret = saved["token"], saved["token_secret"]
    return Credentials(key, secret, token, token_secret)
