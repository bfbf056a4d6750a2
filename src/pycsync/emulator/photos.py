"""Shared helpers for rendering photos: URLs, sizes, extras, the standard photo record."""

from __future__ import annotations

import math
import sqlite3
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .auth import Caller
from .errors import ApiError, photo_not_found
from .render import Node, text_node

if TYPE_CHECKING:  # pragma: no cover
    from .server import EmulatorApp
    from .store import Store

# (label, suffix, longest edge, square)
SIZES: list[tuple[str, str, int, bool]] = [
    ("Square", "s", 75, True),
    ("Large Square", "q", 150, True),
    ("Thumbnail", "t", 100, False),
    ("Small", "m", 240, False),
    ("Small 320", "n", 320, False),
    ("Small 400", "w", 400, False),
    ("Medium", "", 500, False),
    ("Medium 640", "z", 640, False),
    ("Medium 800", "c", 800, False),
    ("Large", "b", 1024, False),
    ("Large 1600", "h", 1600, False),
    ("Large 2048", "k", 2048, False),
    ("X-Large 3K", "3k", 3072, False),
    ("X-Large 4K", "4k", 4096, False),
    ("X-Large 5K", "5k", 5120, False),
    ("X-Large 6K", "6k", 6144, False),
]
_SIZE_BY_SUFFIX = {s[1]: s for s in SIZES}
URL_EXTRAS = {
    "url_sq": "s",
    "url_q": "q",
    "url_t": "t",
    "url_s": "m",
    "url_n": "n",
    "url_w": "w",
    "url_m": "",
    "url_z": "z",
    "url_c": "c",
    "url_l": "b",
    "url_h": "h",
    "url_k": "k",
    "url_3k": "3k",
    "url_4k": "4k",
    "url_5k": "5k",
    "url_6k": "6k",
    "url_o": "o",
}
KNOWN_EXTRAS = {
    "description",
    "license",
    "date_upload",
    "date_taken",
    "owner_name",
    "icon_server",
    "original_format",
    "last_update",
    "geo",
    "tags",
    "machine_tags",
    "o_dims",
    "views",
    "media",
    "path_alias",
    "realname",
    "safety_level",
    *URL_EXTRAS,
}
VIDEO_FALLBACK_DIMS = (640, 360)


@dataclass
class Ctx:
    """Everything a REST method implementation needs."""

    app: EmulatorApp
    caller: Caller
    params: dict[str, str]
    base: str
    _users: dict[str, Any] = field(default_factory=dict)

    @property
    def store(self) -> Store:
        return self.app.store

    @property
    def config(self):  # noqa: ANN201
        return self.app.config

    def arg(self, name: str, default: str | None = None) -> str | None:
        v = self.params.get(name)
        return default if v is None else v

    def user_row(self, nsid: str) -> sqlite3.Row | None:
        if nsid not in self._users:
            self._users[nsid] = self.store.user(nsid)
        return self._users[nsid]

    def resolve_user(self, value: str | None) -> sqlite3.Row | None:
        """``me`` (the caller), an NSID or a username; ``None`` if unknown."""
        if value is None:
            return None
        value = value.strip()
        if value == "me":
            return self.user_row(self.caller.nsid) if self.caller.nsid else None
        row = self.user_row(value)
        if row is None:
            row = self.store.q1("SELECT * FROM users WHERE username=? OR path_alias=?", (value, value))
        return row

    def user_or_caller(self) -> sqlite3.Row:
        """The user named by the ``user_id`` argument, else the caller (error 1 if neither)."""
        uid = self.arg("user_id")
        user = self.resolve_user(uid) if uid else (self.user_row(self.caller.nsid) if self.caller.nsid else None)
        if user is None:
            raise ApiError(1, "User not found")
        return user

    # ---- visibility ---------------------------------------------------------
    def is_owner(self, row: sqlite3.Row) -> bool:
        return self.caller.nsid is not None and row["owner"] == self.caller.nsid

    def can_see(self, row: sqlite3.Row) -> bool:
        return self.is_owner(row) or bool(row["is_public"])

    def visible_photo(self, photo_id: str | None, secret: str | None = None) -> sqlite3.Row:
        if not photo_id:
            raise photo_not_found(photo_id or "")
        row = self.store.photo(photo_id)
        if row is None:
            raise photo_not_found(photo_id)
        if not self.can_see(row) and not (secret and secret in (row["secret"], row["originalsecret"])):
            raise photo_not_found(photo_id)
        return row

    def own_photo(self, photo_id: str | None, code: int = 1, message: str | None = None) -> sqlite3.Row:
        row = self.store.photo(photo_id) if photo_id else None
        if row is None or not self.is_owner(row):
            if message:
                raise ApiError(code, message)
            raise photo_not_found(photo_id or "")
        return row

    # ---- URLs ----------------------------------------------------------------
    def original_format(self, row: sqlite3.Row) -> str:
        if row["media"] == "video" and self.config.video_original_format == "jpg":
            return "jpg"
        return row["format"]

    def static_original_url(self, row: sqlite3.Row) -> str:
        return f"{self.base}/static/{row['server']}/{row['id']}_{row['originalsecret']}_o.{self.original_format(row)}"

    def play_orig_url(self, row: sqlite3.Row) -> str:
        return f"{self.base}/photos/{row['owner']}/{row['id']}/play/orig/{row['originalsecret']}/"

    def url_o(self, row: sqlite3.Row) -> str:
        """The ``url_o`` extra.

        For videos this deliberately points at the *playable original*
        (``/photos/<nsid>/<id>/play/orig/<originalsecret>/``, which answers 302
        to the video file) instead of the poster-frame JPEG that the static
        ``_o.jpg`` URL would give, because pycsync downloads originals by
        ``url_o``.  Real Flickr hands out the poster JPEG here.
        """
        if row["media"] == "video":
            return self.play_orig_url(row)
        return self.static_original_url(row)

    def size_url(self, row: sqlite3.Row, suffix: str) -> str:
        if suffix == "o":
            return self.url_o(row)
        tail = f"_{suffix}" if suffix else ""
        return f"{self.base}/static/{row['server']}/{row['id']}_{row['secret']}{tail}.jpg"

    def page_url(self, row: sqlite3.Row) -> str:
        return f"{self.base}/photos/{row['owner']}/{row['id']}/"


def dims(row: sqlite3.Row) -> tuple[int, int] | None:
    if row["width"] and row["height"]:
        return int(row["width"]), int(row["height"])
    if row["media"] == "video":
        return VIDEO_FALLBACK_DIMS
    return None


def scaled(wh: tuple[int, int] | None, edge: int, square: bool) -> tuple[int, int] | None:
    if square:
        return edge, edge
    if wh is None:
        return None
    w, h = wh
    longest = max(w, h)
    if longest <= edge:
        return w, h
    f = edge / longest
    return max(1, round(w * f)), max(1, round(h * f))


def available_sizes(row: sqlite3.Row) -> list[tuple[str, str, tuple[int, int] | None]]:
    """Derived sizes Flickr would offer: squares always, others smaller than the original."""
    wh = dims(row)
    out = []
    for label, suffix, edge, square in SIZES:
        if square:
            out.append((label, suffix, (edge, edge)))
        elif wh is None:
            if edge <= 1024:
                out.append((label, suffix, None))
        elif edge <= 500 or edge < max(wh):
            # the small standard sizes always exist (never upscaled); bigger ones only below the original
            out.append((label, suffix, scaled(wh, edge, False)))
    return out


def parse_extras(value: str | None) -> list[str]:
    if not value:
        return []
    out = []
    for item in value.replace(" ", ",").split(","):
        item = item.strip().lower()
        if item and item not in out:
            out.append(item)
    return out


def can_see_original(ctx: Ctx, row: sqlite3.Row) -> bool:
    return ctx.is_owner(row) or bool(row["is_public"])


def add_extras(ctx: Ctx, node: Node, row: sqlite3.Row, extras: list[str], tags: list[sqlite3.Row]) -> None:
    a = node.attrs
    ex = set(extras)
    owner = ctx.user_row(row["owner"])
    if "license" in ex:
        a["license"] = row["license"]
    if "date_upload" in ex:
        a["dateupload"] = str(row["dateupload"])
    if "date_taken" in ex:
        a["datetaken"] = row["datetaken"]
        a["datetakengranularity"] = int(row["takengranularity"])
        a["datetakenunknown"] = str(row["takenunknown"])
    if "owner_name" in ex:
        a["ownername"] = owner["username"] if owner else ""
    if "realname" in ex:
        a["realname"] = owner["fullname"] if owner else ""
    if "icon_server" in ex:
        a["iconserver"] = "0"
        a["iconfarm"] = 0
    if "original_format" in ex and can_see_original(ctx, row):
        a["originalsecret"] = row["originalsecret"]
        a["originalformat"] = ctx.original_format(row)
    if "last_update" in ex:
        a["lastupdate"] = str(row["lastupdate"])
    if "geo" in ex:
        a["latitude"] = "0"
        a["longitude"] = "0"
        a["accuracy"] = "0"
        a["context"] = 0
    if "tags" in ex:
        a["tags"] = " ".join(t["clean"] for t in tags)
    if "machine_tags" in ex:
        a["machine_tags"] = " ".join(t["clean"] for t in tags if t["machine"])
    if "o_dims" in ex:
        wh = dims(row) if row["media"] == "photo" else ((row["width"], row["height"]) if row["width"] else None)
        if wh:
            a["o_width"] = str(wh[0])
            a["o_height"] = str(wh[1])
    if "views" in ex:
        a["views"] = str(row["views"])
    if "media" in ex:
        a["media"] = row["media"]
        a["media_status"] = "ready"
    if "path_alias" in ex:
        a["pathalias"] = owner["path_alias"] if owner else None
    if "safety_level" in ex:
        a["safety_level"] = str(row["safety_level"])
    wanted_urls = [e for e in extras if e in URL_EXTRAS]
    if wanted_urls:
        sizes = {s[1]: s for s in available_sizes(row)}
        for e in wanted_urls:
            suffix = URL_EXTRAS[e]
            key = e[4:]
            # width_X / height_X always accompany url_X (clients index them unconditionally);
            # unknown dimensions are null in JSON, "" in XML
            if suffix == "o":
                if not can_see_original(ctx, row):
                    continue
                a[f"url_{key}"] = ctx.url_o(row)
                wh = (int(row["width"]), int(row["height"])) if row["width"] and row["height"] else None
            elif suffix in sizes:
                _, _, wh = sizes[suffix]
                a[f"url_{key}"] = ctx.size_url(row, suffix)
            else:
                continue
            a[f"height_{key}"] = wh[1] if wh else None
            a[f"width_{key}"] = wh[0] if wh else None
    if "description" in ex:
        node.add(text_node("description", row["description"]))


def photo_record(
    ctx: Ctx,
    row: sqlite3.Row,
    extras: list[str],
    tags: list[sqlite3.Row],
    *,
    with_owner: bool = True,
    isprimary: str | None = None,
) -> Node:
    attrs: dict[str, Any] = {"id": str(row["id"])}
    if with_owner:
        attrs["owner"] = row["owner"]
    attrs.update(secret=row["secret"], server=row["server"], farm=int(row["farm"]), title=row["title"])
    if isprimary is not None:
        attrs["isprimary"] = isprimary
    attrs.update(ispublic=int(row["is_public"]), isfriend=int(row["is_friend"]), isfamily=int(row["is_family"]))
    node = Node("photo", attrs)
    add_extras(ctx, node, row, extras, tags)
    return node


@dataclass
class Page:
    page: int
    pages: int
    per_page: int
    total: int
    items: list


def int_arg(value: str | None, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def paginate(
    items: list,
    page_arg: str | None,
    per_page_arg: str | None,
    default_pp: int,
    *,
    cap: int | None = None,
    max_page: int | None = None,
) -> Page:
    per_page = int_arg(per_page_arg, default_pp)
    if per_page < 1:
        per_page = default_pp
    per_page = min(per_page, 500)
    page = max(1, int_arg(page_arg, 1))
    if max_page is not None:
        page = min(page, max_page)
    total = len(items)
    pages = math.ceil(total / per_page)
    servable = items[:cap] if cap is not None else items
    last = max(1, math.ceil(len(servable) / per_page))
    # like Flickr, paging past the end (or past the search cap) serves the last page again
    p = min(page, last)
    start = (p - 1) * per_page
    return Page(page, pages, per_page, total, servable[start : start + per_page])


def photos_node(
    ctx: Ctx,
    pg: Page,
    rows: list[sqlite3.Row],
    extras: list[str],
    *,
    name: str = "photos",
    always: tuple[str, ...] = (),
) -> Node:
    tags = ctx.store.tags_for([r["id"] for r in rows]) if ({"tags", "machine_tags"} & set(extras)) else {}
    ex = list(extras) + [a for a in always if a not in extras]
    node = Node(
        name, {"page": pg.page, "pages": pg.pages, "perpage": pg.per_page, "total": str(pg.total)}, lists={"photo"}
    )
    for r in rows:
        node.add(photo_record(ctx, r, ex, tags.get(r["id"], [])))
    return node


def now_local_string(ts: float | None = None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts if ts is not None else time.time()))
