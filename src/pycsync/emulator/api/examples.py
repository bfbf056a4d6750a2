"""Example responses for ``flickr.reflection.getMethodInfo`` (its ``<response>`` element).

Flickr's reflection carries an example answer for every method. Here each example is the
method's real answer in a small sample account built for it (a user, two photos with tags and a
position, an album, an upload ticket) in a throw-away store, rendered as XML without the
``<rsp>`` envelope -- so an example can never disagree with what the method answers.
Examples are made on first request and kept for the life of the process.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..backend import Backend
from ..errors import ApiError
from ..faults import FaultEngine
from ..media import POSTER_JPEG
from ..oauth_checks import Caller
from ..registry import MethodSpec, Registry
from ..store import Store
from ..tags import parse_tag_string
from .context import Ctx
from .dispatch import dispatch

if TYPE_CHECKING:  # pragma: no cover
    from ..config import EmulatorConfig

__all__ = ["example_response"]

_BASE = "https://www.flickr.com"
_lock = threading.RLock()  # (reentrant: getMethodInfo's own example asks for another example)
_cache: dict[str, str] = {}


@dataclass
class _Sample:
    store: Store
    nsid: str
    token: str
    photo: int
    other: int
    set_id: str
    tag_id: str
    ticket: str


def _sample(store: Store) -> _Sample:
    user = store.default_user()
    nsid = str(user["nsid"])
    store.update_user(nsid, path_alias="sample", location="Bedford, UK")
    sha, size = store.put_bytes(POSTER_JPEG)
    photos = []
    for title in ("orford castle", "flickr rocks"):
        pid = store.insert_photo(
            taken="2004-11-19 12:51:19",
            owner=nsid,
            title=title,
            description="hello!",
            is_public=1,
            secret="1e92283336",
            originalsecret="1bc09ce34a",
            server="65535",
            farm=66,
            format="jpg",
            mime="image/jpeg",
            media="photo",
            sha256=sha,
            size=size,
            width=32,
            height=18,
            latitude=52.091,
            longitude=1.526,
            accuracy=16,
            visible_at=0,
        )
        store.insert_tags(pid, nsid, parse_tag_string('woo "hoop la" checksum:sha256=0e5751c026e5'))
        photos.append(pid)
    set_id = "72157624618609504"
    now = store.now()
    store.x(
        "INSERT INTO sets(id, owner, title, description, primary_id, date_create, date_update, sort) "
        "VALUES (?,?,?,?,?,?,?,0)",
        (set_id, nsid, "Mah Kittehs", "Sixty and Niner.", photos[0], now, now),
    )
    store.write_members(set_id, photos)
    tag = store.one("SELECT tag_id AS id FROM tags WHERE photo_id=? ORDER BY id", (photos[0],))
    ticket = "161192644-72157718911685379"
    store.x(
        "INSERT INTO tickets(id, owner, photo_id, status, created, ready_at, imported) VALUES (?,?,?,1,?,?,?)",
        (ticket, nsid, photos[0], now, now, now),
    )
    internal = user["internal_id"]
    token = str(store.default_token()["token"])
    return _Sample(store, nsid, token, photos[0], photos[1], set_id, f"{internal}-{photos[0]}-{tag['id']}", ticket)


# argument -> its value in the sample account
_ARGS: dict[str, Callable[[_Sample], str]] = {
    "photo_id": lambda s: str(s.photo),
    "photo_ids": lambda s: f"{s.photo},{s.other}",
    "primary_photo_id": lambda s: str(s.photo),
    "photoset_id": lambda s: s.set_id,
    "photoset_ids": lambda s: s.set_id,
    "user_id": lambda s: s.nsid,
    "username": lambda s: "emulator",
    "find_email": lambda s: "emulator@example.com",
    "url": lambda s: f"{_BASE}/photos/sample/",
    "tags": lambda s: "woo",
    "tag_id": lambda s: s.tag_id,
    "tag": lambda s: "woo",
    "title": lambda s: "orford castle",
    "tickets": lambda s: s.ticket,
    "method_name": lambda s: "flickr.test.echo",
    "oauth_token": lambda s: s.token,
    "min_date": lambda s: "1",
    "dates": lambda s: "1,4102444800",
    "date_taken": lambda s: "2004-11-19 12:51:19",
    "is_public": lambda s: "1",
    "is_friend": lambda s: "0",
    "is_family": lambda s: "0",
    "license_id": lambda s: "4",
    "content_type": lambda s: "1",
    "safety_level": lambda s: "1",
    "namespace": lambda s: "checksum",
    "predicate": lambda s: "sha256",
}


def _args(spec: MethodSpec, sample: _Sample) -> dict[str, str]:
    params = {"method": spec.name}
    for arg in spec.args:
        if arg.name in _ARGS:
            params[arg.name] = _ARGS[arg.name](sample)
        elif not arg.optional and arg.name != "api_key":
            params[arg.name] = "1"
    return params


def _make(spec: MethodSpec, config: EmulatorConfig, registry: Registry) -> str:
    store = Store(None, default_username="emulator")
    try:
        sample = _sample(store)
        quiet = dataclasses.replace(config, types="real", read_metadata=False)
        backend = Backend(store, quiet, FaultEngine(), registry)
        caller = Caller(consumer_key=store.api_key, nsid=sample.nsid, perms="delete", token=sample.token, signed=True)
        ctx = Ctx(backend, caller, _args(spec, sample), _BASE)
        try:
            nodes = dispatch(ctx, spec.name)
        except ApiError:
            return ""
        return "".join(node.to_xml(0) for node in nodes).strip()
    finally:
        store.close()


def example_response(spec: MethodSpec, config: EmulatorConfig, registry: Registry) -> str:
    """The method's answer in the sample account, as XML without the envelope ("" if empty)."""
    with _lock:
        if spec.name not in _cache:
            _cache[spec.name] = _make(spec, config, registry)
        return _cache[spec.name]
