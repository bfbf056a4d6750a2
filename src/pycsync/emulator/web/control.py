"""The unsigned control surface under ``/__emulator__/`` (not counted, never faulted).

=========================  ==============================================================
``GET  /__emulator__/info``      the start-line JSON (endpoint, keys, default user and token)
``GET  /__emulator__/calls``     ``{"counts": {...}, "recent": [...last 200...]}``
``POST /__emulator__/reset``     reset the call counters
``GET  /__emulator__/state``     JSON dump of users, albums and photos
``GET  /__emulator__/faults``    current rules with ``matched`` / ``fired`` counts
``POST /__emulator__/faults``    ``{"rules": [...]}`` replaces the rules
``POST /__emulator__/users``     ``{"username": ..., "fullname"?, "email"?}`` -> new user + token
``POST /__emulator__/tokens``    ``{"user_nsid": ..., "perms": "read"}`` -> extra access token
``POST /__emulator__/revoke``    ``{"oauth_token": ...}`` revokes an access token
``POST /__emulator__/account``   a user's account kind, limits and preferences (see
                                 :func:`account_settings`; ``null`` restores the default)
``GET  /__emulator__/network``   the network model: latency, bandwidth, upload processing time
``POST /__emulator__/network``   ``{"latency_ms"?, "bandwidth_mbps"?, "upload_processing_ms"?}``
=========================  ==============================================================

It hands out the API secret and access tokens: it answers local, same-origin requests only, and
takes state changes only as ``application/json`` (web/guard.py; docs/emulator.md, "Security").
"""

from __future__ import annotations

import dataclasses
import json
import math
import sqlite3
from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Request, Response

from ..accounts import PRIVACY_FLAGS
from ..backend import Backend
from ..faults import FaultConfigError
from ..store import Store
from .responses import request_base_url

__all__ = ["handle_control", "state_dump", "account_settings", "network_settings", "network_state"]


def _json(obj: Any, status: int = 200) -> Response:
    return Response(json.dumps(obj, indent=1, sort_keys=False), status=status, content_type="application/json")


def _body(req: Request) -> dict[str, Any]:
    """The JSON body of a state change (guard.control_refusal has checked it is declared JSON);
    a JSON list is the fault rules."""
    if not req.get_data():
        return {}
    try:
        data = json.loads(req.get_data())
    except ValueError as e:
        raise ValueError(f"the body is not JSON: {e}") from None
    return data if isinstance(data, dict) else {"rules": data}


def _users_dump(store: Store) -> list[dict[str, Any]]:
    return [
        {"nsid": u["nsid"], "username": u["username"], "fullname": u["fullname"], "is_default": bool(u["is_default"])}
        for u in store.users()
    ]


def _albums_dump(store: Store) -> tuple[list[dict[str, Any]], dict[int, list[str]]]:
    """Every album, and photo id -> the albums it is in."""
    albums = []
    memberships: dict[int, list[str]] = {}
    for s in store.q("SELECT * FROM sets ORDER BY owner, sort, id"):
        members = store.set_members(s["id"])
        for m in members:
            memberships.setdefault(m, []).append(s["id"])
        albums.append(
            {
                "id": s["id"],
                "owner": s["owner"],
                "title": s["title"],
                "description": s["description"],
                "primary": str(s["primary_id"]),
                "photo_ids": [str(m) for m in members],
                "date_create": s["date_create"],
                "date_update": s["date_update"],
            }
        )
    return albums, memberships


_PHOTO_COLUMNS = (
    "sha256",
    "size",
    "media",
    "format",
    "mime",
    "width",
    "height",
    "is_public",
    "is_friend",
    "is_family",
    "secret",
    "originalsecret",
    "dateupload",
    "lastupdate",
    "datetaken",
    "takenunknown",
    "takengranularity",
    "filename",
)


def _photo_dump(r: sqlite3.Row, tags: list[sqlite3.Row], albums: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(r["id"]),
        "owner": r["owner"],
        "title": r["title"],
        "description": r["description"],
        "tags": [x["raw"] for x in tags],
        "clean_tags": [x["clean"] for x in tags],
        "machine_tags": [x["clean"] for x in tags if x["machine"]],
        "original_format": r["format"],
    }
    out.update({col: r[col] for col in _PHOTO_COLUMNS})
    out["album_ids"] = albums
    return out


def state_dump(backend: Backend) -> dict[str, Any]:
    """Users, albums and photos as JSON, for tests and for looking inside a running emulator."""
    store = backend.store
    with store.lock:
        albums, memberships = _albums_dump(store)
        rows = store.q("SELECT * FROM photos ORDER BY dateupload, id")
        tags = store.tags_for([r["id"] for r in rows])
        photos = [_photo_dump(r, tags.get(r["id"], []), memberships.get(r["id"], [])) for r in rows]
        return {"users": _users_dump(store), "albums": albums, "photos": photos}


def _info(backend: Backend, req: Request) -> Response:
    return _json(backend.server_info(request_base_url(req.environ)))


def _calls(backend: Backend, req: Request) -> Response:
    return _json(backend.recorder.snapshot())


def _reset(backend: Backend, req: Request) -> Response:
    backend.recorder.reset()
    return _json({"ok": True})


def _state(backend: Backend, req: Request) -> Response:
    return _json(state_dump(backend))


def _get_faults(backend: Backend, req: Request) -> Response:
    return _json({"rules": backend.faults.rules_info()})


def _set_faults(backend: Backend, req: Request) -> Response:
    try:
        backend.faults.set_rules(_body(req).get("rules", []))
    except (FaultConfigError, ValueError, TypeError, KeyError) as e:
        return _json({"error": str(e)}, 400)
    return _json({"rules": backend.faults.rules_info()})


def _add_user(backend: Backend, req: Request) -> Response:
    body = _body(req)
    username = body.get("username")
    if not username:
        return _json({"error": "username required"}, 400)
    try:
        user = backend.store.create_user(
            str(username),
            fullname=str(body.get("fullname", "")),
            email=str(body["email"]) if body.get("email") else None,
        )
    except ValueError as e:
        return _json({"error": str(e)}, 409)
    user.pop("perms", None)
    return _json(user)


def _users(backend: Backend, req: Request) -> Response:
    return _json({"users": state_dump(backend)["users"]})


def _add_token(backend: Backend, req: Request) -> Response:
    body = _body(req)
    nsid = body.get("user_nsid") or backend.store.default_user()["nsid"]
    perms = body.get("perms", "delete")
    if backend.store.user(nsid) is None or perms not in ("read", "write", "delete"):
        return _json({"error": "unknown user or bad perms"}, 400)
    tok = backend.store.create_access_token(nsid, perms)
    return _json({"user_nsid": nsid, **tok})


_BOOLEAN_SETTINGS = ("geo_import", "hide_exif", "deleted")
_LIMIT_SETTINGS = ("max_items", "max_nonpublic", "max_videos")
#: the prefs.* defaults and the values each may take
_PREF_SETTINGS = {
    "geo_perms": range(7),
    "default_safety_level": range(1, 4),
    "default_content_type": range(1, 4),
    "default_hidden": range(1, 3),
}


def account_settings(body: dict[str, Any]) -> dict[str, Any]:
    """Validate the settings of ``POST /__emulator__/account`` (ValueError names the bad one)."""
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key == "user_nsid":
            continue
        if key == "account" and value not in (None, "pro", "free"):
            raise ValueError('account must be "pro" or "free"')
        if key == "default_privacy" and value is not None and value not in PRIVACY_FLAGS:
            raise ValueError(f"default_privacy must be one of {', '.join(PRIVACY_FLAGS)}")
        if key in _BOOLEAN_SETTINGS and value is not None:
            value = int(bool(value))
        if key in _LIMIT_SETTINGS and value is not None:
            value = int(value)
        if key in _PREF_SETTINGS and value is not None:
            value = int(value)
            if value not in _PREF_SETTINGS[key]:
                raise ValueError(f"{key} must be one of {', '.join(map(str, _PREF_SETTINGS[key]))}")
        out[key] = value
    return out


def _account(backend: Backend, req: Request) -> Response:
    body = _body(req)
    nsid = body.get("user_nsid") or backend.store.default_user()["nsid"]
    if backend.store.user(nsid) is None:
        return _json({"error": f"unknown user {nsid}"}, 404)
    try:
        backend.store.update_user(nsid, **account_settings(body))
    except (ValueError, TypeError) as e:
        return _json({"error": str(e)}, 400)
    return _json({"user_nsid": nsid, **dataclasses.asdict(backend.account(nsid))})


NETWORK_SETTINGS = ("latency_ms", "bandwidth_mbps", "upload_processing_ms")


def network_settings(body: dict[str, Any]) -> dict[str, float]:
    """Validate the settings of ``POST /__emulator__/network`` (ValueError names the bad one)."""
    out: dict[str, float] = {}
    for key, value in body.items():
        if key not in NETWORK_SETTINGS:
            raise ValueError(f"unknown network setting {key!r} (known: {', '.join(NETWORK_SETTINGS)})")
        number = float(value or 0)
        if number < 0 or not math.isfinite(number):
            raise ValueError(f"{key} must be a number >= 0")
        out[key] = number
    return out


def network_state(backend: Backend) -> dict[str, float]:
    return {key: float(getattr(backend.config, key) or 0) for key in NETWORK_SETTINGS}


def _get_network(backend: Backend, req: Request) -> Response:
    return _json(network_state(backend))


def _set_network(backend: Backend, req: Request) -> Response:
    try:
        settings = network_settings(_body(req))
    except (ValueError, TypeError) as e:
        return _json({"error": str(e)}, 400)
    for key, value in settings.items():
        setattr(backend.config, key, value)
    return _json(network_state(backend))


def _revoke(backend: Backend, req: Request) -> Response:
    token = _body(req).get("oauth_token", "")
    row = backend.store.token(token)
    if row is None:
        return _json({"error": "unknown token"}, 404)
    backend.store.update_token(token, state="revoked")
    return _json({"ok": True})


_ACTIONS: dict[tuple[str, str], Callable[[Backend, Request], Response]] = {
    ("info", "GET"): _info,
    ("calls", "GET"): _calls,
    ("reset", "POST"): _reset,
    ("state", "GET"): _state,
    ("faults", "GET"): _get_faults,
    ("faults", "POST"): _set_faults,
    ("faults", "PUT"): _set_faults,
    ("users", "POST"): _add_user,
    ("users", "GET"): _users,
    ("tokens", "POST"): _add_token,
    ("revoke", "POST"): _revoke,
    ("account", "POST"): _account,
    ("network", "GET"): _get_network,
    ("network", "POST"): _set_network,
}


def handle_control(backend: Backend, environ: dict) -> Response:
    req = Request(environ)
    path = environ.get("PATH_INFO", "").rstrip("/")
    action = path[len("/__emulator__") :].lstrip("/")
    handler = _ACTIONS.get((action, req.method))
    if handler is None:
        return _json({"error": f"unknown control call {req.method} {path}"}, 404)
    try:
        return handler(backend, req)
    except ValueError as e:  # a body that is not JSON
        return _json({"error": str(e)}, 400)
