"""Rendering photos: derived sizes, the ``extras`` attributes, the standard photo record and
photos response, tags, and paging."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..render import Flex, Node, Scalar, num, numstr, text_node
from ..sizes import SIZES
from .context import Ctx
from .params import int_arg

__all__ = [
    "SIZES",
    "URL_EXTRAS",
    "available_sizes",
    "dims",
    "add_extras",
    "photo_record",
    "photos_node",
    "Page",
    "paginate",
    "tag_id",
    "tag_node",
    "context_nodes",
    "coordinate",
    "location_attrs",
    "geo_perm_flags",
    "geo_attrs",
]

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
VIDEO_FALLBACK_DIMS = (640, 360)

Dims = tuple[int, int]


def dims(row: sqlite3.Row) -> Dims | None:
    if row["width"] and row["height"]:
        return int(row["width"]), int(row["height"])
    if row["media"] == "video":
        return VIDEO_FALLBACK_DIMS
    return None


def scaled(wh: Dims | None, edge: int, square: bool) -> Dims | None:
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


def available_sizes(row: sqlite3.Row) -> list[tuple[str, str, Dims | None]]:
    """Derived sizes Flickr would offer: squares always, others smaller than the original."""
    wh = dims(row)
    out: list[tuple[str, str, Dims | None]] = []
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


# ---------------------------------------------------------------------------- extras


Tags = list[sqlite3.Row]


def _taken(ctx: Ctx, row: sqlite3.Row, tags: Tags) -> dict[str, Any]:
    return {
        "datetaken": row["datetaken"],
        "datetakengranularity": num(int(row["takengranularity"])),
        "datetakenunknown": numstr(int(row["takenunknown"])),
    }


def _original(ctx: Ctx, row: sqlite3.Row, tags: Tags) -> dict[str, Any]:
    if not ctx.can_see(row):
        return {}
    return {"originalsecret": row["originalsecret"], "originalformat": ctx.original_format(row)}


def _o_dims(ctx: Ctx, row: sqlite3.Row, tags: Tags) -> dict[str, Any]:
    wh = dims(row) if row["media"] == "photo" else ((row["width"], row["height"]) if row["width"] else None)
    return {"o_width": numstr(wh[0]), "o_height": numstr(wh[1])} if wh else {}


def coordinate(value: float) -> Flex:
    """A latitude or longitude as Flickr writes it: six decimals in XML (``39.748750``, recorded
    2024), a JSON number (``37.791``, recorded 2014)."""
    return Flex(round(float(value), 6), "number", text=f"{float(value):.6f}")


def location_attrs(row: sqlite3.Row) -> dict[str, Any]:
    """``latitude longitude accuracy context`` of a photo that has a location."""
    return {
        "latitude": coordinate(row["latitude"]),
        "longitude": coordinate(row["longitude"]),
        "accuracy": num(int(row["accuracy"])),
        "context": num(int(row["geo_context"])),
    }


def geo_perm_flags(row: sqlite3.Row, prefix: str = "geo_is_") -> dict[str, Any]:
    """Who may see a photo's location, in Flickr's order: public, contact, friend, family."""
    return {f"{prefix}{who}": int(row[f"geo_is_{who}"]) for who in ("public", "contact", "friend", "family")}


def geo_attrs(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    """The ``geo`` extra: the location and who may see it, when the photo has one the caller may
    see; else zeros and nothing more (as recorded)."""
    if not ctx.location_visible(row):
        return {"latitude": num(0), "longitude": num(0), "accuracy": num(0), "context": num(0)}
    return {**location_attrs(row), **geo_perm_flags(row)}


def _owner(ctx: Ctx, row: sqlite3.Row, field: str, default: Any = "") -> Any:
    owner = ctx.user_row(row["owner"])
    return owner[field] if owner else default


# extra -> the attributes it adds, in the order Flickr's answers list them
_EXTRAS: dict[str, Callable[[Ctx, sqlite3.Row, Tags], dict[str, Any]]] = {
    "license": lambda ctx, row, tags: {"license": row["license"]},
    "date_upload": lambda ctx, row, tags: {"dateupload": str(row["dateupload"])},
    "date_taken": _taken,
    "owner_name": lambda ctx, row, tags: {"ownername": _owner(ctx, row, "username")},
    "realname": lambda ctx, row, tags: {"realname": _owner(ctx, row, "fullname")},
    "icon_server": lambda ctx, row, tags: {"iconserver": "0", "iconfarm": 0},
    "original_format": _original,
    "last_update": lambda ctx, row, tags: {"lastupdate": str(row["lastupdate"])},
    "geo": lambda ctx, row, tags: geo_attrs(ctx, row),
    "tags": lambda ctx, row, tags: {"tags": " ".join(t["clean"] for t in tags)},
    "machine_tags": lambda ctx, row, tags: {"machine_tags": " ".join(t["clean"] for t in tags if t["machine"])},
    "o_dims": _o_dims,
    "views": lambda ctx, row, tags: {"views": numstr(row["views"])},
    "count_views": lambda ctx, row, tags: {"count_views": numstr(row["views"])},
    "count_comments": lambda ctx, row, tags: {"count_comments": numstr(0)},
    "media": lambda ctx, row, tags: {"media": row["media"], "media_status": "ready"},
    "path_alias": lambda ctx, row, tags: {"pathalias": _owner(ctx, row, "path_alias", None)},
    "safety_level": lambda ctx, row, tags: {"safety_level": str(row["safety_level"])},
}


def _url_extras(ctx: Ctx, a: dict[str, Any], row: sqlite3.Row, extras: Sequence[str]) -> None:
    """``url_X`` with ``width_X`` / ``height_X`` for each size the photo has.

    width/height always accompany url_X (clients index them unconditionally); unknown
    dimensions are null in JSON, "" in XML.
    """
    wanted = [e for e in extras if e in URL_EXTRAS]
    if not wanted:
        return
    sizes = {s[1]: s for s in available_sizes(row)}
    for e in wanted:
        suffix = URL_EXTRAS[e]
        key = e[4:]
        wh: Dims | None
        if suffix == "o":
            if not ctx.can_see(row):
                continue
            a[f"url_{key}"] = ctx.size_url(row, "o")
            wh = dims(row)
        elif suffix in sizes:
            _, _, wh = sizes[suffix]
            a[f"url_{key}"] = ctx.size_url(row, suffix)
        else:
            continue
        a[f"height_{key}"] = num(wh[1] if wh else None)
        a[f"width_{key}"] = num(wh[0] if wh else None)


def add_extras(ctx: Ctx, node: Node, row: sqlite3.Row, extras: Sequence[str], tags: list[sqlite3.Row]) -> None:
    """The attributes (and ``description`` child) the ``extras`` argument asks for."""
    ex = set(extras)
    for name, attrs in _EXTRAS.items():
        if name in ex:
            node.attrs.update(attrs(ctx, row, tags))
    _url_extras(ctx, node.attrs, row, extras)
    if "description" in ex:
        node.add(text_node("description", row["description"]))


# ---------------------------------------------------------------------------- records


def photo_record(
    ctx: Ctx,
    row: sqlite3.Row,
    extras: Sequence[str],
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
    items: list[Any]

    def attrs(self, total_real: str = "string", *, per_page: bool = False) -> dict[str, Scalar]:
        """``page pages perpage total`` (with ``per_page`` too where Flickr sends both), typed as
        the standard photos response types them today; ``total_real``: how ``total`` is typed."""
        out: dict[str, Scalar] = {"page": num(self.page)}
        if per_page:
            out["per_page"] = num(self.per_page)
        out.update(pages=num(self.pages), perpage=num(self.per_page), total=Flex(self.total, total_real))
        return out


def paginate(
    items: Sequence[Any],
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
    return Page(page, pages, per_page, total, list(servable[start : start + per_page]))


def photos_node(
    ctx: Ctx,
    pg: Page,
    rows: list[sqlite3.Row],
    extras: Sequence[str],
    *,
    name: str = "photos",
    always: tuple[str, ...] = (),
) -> Node:
    """The standard photos response: ``<photos page pages perpage total><photo .../>...``."""
    tags = ctx.store.tags_for([r["id"] for r in rows]) if ({"tags", "machine_tags"} & set(extras)) else {}
    ex = list(extras) + [a for a in always if a not in extras]
    node = Node(name, pg.attrs(), lists={"photo"})
    for r in rows:
        node.add(photo_record(ctx, r, ex, tags.get(r["id"], [])))
    return node


# ---------------------------------------------------------------------------- tags


def tag_id(ctx: Ctx, t: sqlite3.Row, owner: str) -> str:
    """Flickr's full tag id: ``<photo owner's internal id>-<photo id>-<tag id>`` -- the first part
    is the photo owner's even for a tag someone else added, the last part the tag's own id
    (docs/flickr-behaviour.md, "Tags")."""
    user = ctx.user_row(owner)
    internal = user["internal_id"] if user else 0
    return f"{internal}-{t['photo_id']}-{t['tag_id']}"


def tag_node(ctx: Ctx, t: sqlite3.Row, owner: str) -> Node:
    """``<tag id author authorname raw machine_tag>clean</tag>`` (getInfo, tags.getListPhoto) of a
    tag on a photo of ``owner``."""
    author = ctx.user_row(t["author"])
    return Node(
        "tag",
        {
            "id": tag_id(ctx, t, owner),
            "author": t["author"],
            "authorname": author["username"] if author else "",
            "raw": t["raw"],
            "machine_tag": int(t["machine"]),
        },
        text=t["clean"],
    )


# ---------------------------------------------------------------------------- contexts


def _neighbour(ctx: Ctx, name: str, row: sqlite3.Row | None) -> Node:
    if row is None:
        # "the element is still returned, but contains id="0"" (Flickr's documentation)
        return Node(name, {"id": 0})
    owner = ctx.user_row(row["owner"])
    alias = (owner["path_alias"] if owner else None) or row["owner"]
    return Node(
        name,
        {
            "id": str(row["id"]),
            "owner": row["owner"],
            "secret": row["secret"],
            "server": row["server"],
            "farm": int(row["farm"]),
            "title": row["title"],
            "url": f"/photos/{alias}/{row['id']}/",
            "thumb": ctx.size_url(row, "s"),
            "license": row["license"],
            "media": row["media"],
            "is_faved": 0,
        },
    )


def context_nodes(ctx: Ctx, rows: list[sqlite3.Row], photo_id: int) -> list[Node]:
    """``count``, ``prevphoto`` and ``nextphoto`` of a photo within ``rows`` (a stream or a set)."""
    ids = [r["id"] for r in rows]
    i = ids.index(photo_id)
    prev = rows[i - 1] if i > 0 else None
    nxt = rows[i + 1] if i + 1 < len(rows) else None
    return [
        Node("count", text=len(rows)),
        _neighbour(ctx, "prevphoto", prev),
        _neighbour(ctx, "nextphoto", nxt),
    ]
