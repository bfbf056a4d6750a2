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
=========================  ==============================================================
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from .faults import FaultConfigError

if TYPE_CHECKING:  # pragma: no cover
    from .server import EmulatorApp

__all__ = ["handle_control", "state_dump"]


def _json(obj: Any, status: int = 200) -> Response:
    return Response(json.dumps(obj, indent=1, sort_keys=False), status=status, content_type="application/json")


def _body(req: Request) -> dict:
    if not req.get_data():
        return dict(req.values.items())
    try:
        data = json.loads(req.get_data())
    except ValueError:
        return dict(req.form.items())
    return data if isinstance(data, dict) else {"rules": data}


def state_dump(app: EmulatorApp) -> dict:
    store = app.store
    with store.lock:
        users = [
            {
                "nsid": u["nsid"],
                "username": u["username"],
                "fullname": u["fullname"],
                "is_default": bool(u["is_default"]),
            }
            for u in store.users()
        ]
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
        rows = store.q("SELECT * FROM photos ORDER BY dateupload, id")
        tags = store.tags_for([r["id"] for r in rows])
        photos = []
        for r in rows:
            t = tags.get(r["id"], [])
            photos.append(
                {
                    "id": str(r["id"]),
                    "owner": r["owner"],
                    "title": r["title"],
                    "description": r["description"],
                    "tags": [x["raw"] for x in t],
                    "clean_tags": [x["clean"] for x in t],
                    "machine_tags": [x["clean"] for x in t if x["machine"]],
                    "sha256": r["sha256"],
                    "size": r["size"],
                    "media": r["media"],
                    "format": r["format"],
                    "original_format": r["format"],
                    "mime": r["mime"],
                    "width": r["width"],
                    "height": r["height"],
                    "is_public": r["is_public"],
                    "is_friend": r["is_friend"],
                    "is_family": r["is_family"],
                    "secret": r["secret"],
                    "originalsecret": r["originalsecret"],
                    "dateupload": r["dateupload"],
                    "lastupdate": r["lastupdate"],
                    "datetaken": r["datetaken"],
                    "takenunknown": r["takenunknown"],
                    "takengranularity": r["takengranularity"],
                    "filename": r["filename"],
                    "album_ids": memberships.get(r["id"], []),
                }
            )
    return {"users": users, "albums": albums, "photos": photos}


def handle_control(app: EmulatorApp, environ: dict) -> Response:
    req = Request(environ)
    path = environ.get("PATH_INFO", "").rstrip("/")
    action = path[len("/__emulator__") :].lstrip("/")
    method = req.method
    if action == "info" and method == "GET":
        return _json(app.server_info(environ))
    if action == "calls" and method == "GET":
        return _json(app.recorder.snapshot())
    if action == "reset" and method == "POST":
        app.recorder.reset()
        return _json({"ok": True})
    if action == "state" and method == "GET":
        return _json(state_dump(app))
    if action == "faults":
        if method == "GET":
            return _json({"rules": app.faults.rules_info()})
        if method in ("POST", "PUT"):
            try:
                app.faults.set_rules(_body(req).get("rules", []))
            except (FaultConfigError, ValueError, TypeError, KeyError) as e:
                return _json({"error": str(e)}, 400)
            return _json({"rules": app.faults.rules_info()})
    if action == "users" and method == "POST":
        body = _body(req)
        username = body.get("username")
        if not username:
            return _json({"error": "username required"}, 400)
        try:
            user = app.store.create_user(
                str(username),
                fullname=str(body.get("fullname", "")),
                email=str(body["email"]) if body.get("email") else None,
            )
        except ValueError as e:
            return _json({"error": str(e)}, 409)
        user.pop("perms", None)
        return _json(user)
    if action == "users" and method == "GET":
        return _json({"users": state_dump(app)["users"]})
    if action == "tokens" and method == "POST":
        body = _body(req)
        nsid = body.get("user_nsid") or app.store.default_user()["nsid"]
        perms = body.get("perms", "delete")
        if app.store.user(nsid) is None or perms not in ("read", "write", "delete"):
            return _json({"error": "unknown user or bad perms"}, 400)
        tok = app.store.create_access_token(nsid, perms)
        return _json({"user_nsid": nsid, **tok})
    if action == "revoke" and method == "POST":
        token = _body(req).get("oauth_token", "")
        row = app.store.token(token)
        if row is None:
            return _json({"error": "unknown token"}, 404)
        app.store.update_token(token, state="revoked")
        return _json({"ok": True})
    return _json({"error": f"unknown control call {method} {path}"}, 404)
