"""Tag reads: ``flickr.tags.getList*`` and ``flickr.machinetags.*``.

Only tags on photos the caller may see are counted (public photos, plus the
caller's own).  Machine tags are read from their clean form
``namespace:predicate=value`` (see ``emulator/tags.py``).
"""

from __future__ import annotations

import collections
import sqlite3

from ..errors import ApiError
from ..registry import method
from ..render import Node, text_node
from .context import Ctx
from .records import paginate, tag_node


def _visible_tags(ctx: Ctx, owner: str | None = None, machine: bool | None = None) -> list[sqlite3.Row]:
    sql = "SELECT t.* FROM tags t JOIN photos p ON p.id=t.photo_id WHERE "
    args: list = []
    if ctx.caller.nsid:
        sql += "(p.is_public=1 OR p.owner=?)"
        args.append(ctx.caller.nsid)
    else:
        sql += "p.is_public=1"
    if owner is not None:
        sql += " AND p.owner=?"
        args.append(owner)
    if machine is not None:
        sql += " AND t.machine=?"
        args.append(int(machine))
    return ctx.store.q(sql + " ORDER BY t.id", args)


@method("flickr.tags.getListPhoto", args="photo_id", errors=((1, "Photo not found"),))
def tags_list_photo(ctx: Ctx) -> list[Node]:
    """Get the tag list for a given photo.

    ``<photo id="..."><tags><tag id author authorname raw machine_tag>clean</tag>...</tags></photo>``
    -- the same tag elements as ``flickr.photos.getInfo``.
    """
    row = ctx.visible_photo(ctx.arg("photo_id"))
    node = Node("photo", {"id": str(row["id"])})
    tags = node.add(Node("tags", lists={"tag"}))
    for t in ctx.store.tags_for([row["id"]])[row["id"]]:
        tags.add(tag_node(ctx, t, row["owner"]))
    return [node]


@method("flickr.tags.getListUser", args="user_id?", errors=((1, "User not found"),))
def tags_list_user(ctx: Ctx) -> list[Node]:
    """Get the tag list for a given user (or the calling user).

    ``<who id="..."><tags><tag>clean</tag>...</tags></who>``, alphabetical.
    """
    user = ctx.user_or_caller()
    cleans = sorted({t["clean"] for t in _visible_tags(ctx, owner=user["nsid"])})
    node = Node("who", {"id": user["nsid"]})
    tags = node.add(Node("tags", lists={"tag"}))
    for c in cleans:
        tags.add(text_node("tag", c))
    return [node]


@method("flickr.tags.getListUserPopular", args="user_id? count?", errors=((1, "User not found"),))
def tags_list_user_popular(ctx: Ctx) -> list[Node]:
    """Get the popular tags for a given user (or the calling user).

    ``<who id><tags><tag count="N">clean</tag>...</tags></who>``, most used
    first; ``count`` (default 10) limits the list.
    """
    user = ctx.user_or_caller()
    try:
        limit = max(1, int(ctx.arg("count") or 10))
    except ValueError:
        limit = 10
    counts = collections.Counter(t["clean"] for t in _visible_tags(ctx, owner=user["nsid"]))
    node = Node("who", {"id": user["nsid"]})
    tags = node.add(Node("tags", lists={"tag"}))
    for clean, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]:
        tags.add(Node("tag", {"count": n}, text=clean))
    return [node]


@method("flickr.tags.getListUserRaw", perm="read", args="tag?")
def tags_list_user_raw(ctx: Ctx) -> list[Node]:
    """Get the raw versions of a given tag (or all tags) for the currently logged-in user.

    ``<who id><tags><tag clean="..."><raw>...</raw>...</tag>...</tags></who>``.
    """
    wanted = (ctx.arg("tag") or "").strip().lower()
    raws: dict[str, list[str]] = {}
    for t in _visible_tags(ctx, owner=ctx.caller.nsid):
        if wanted and t["clean"] != wanted:
            continue
        bucket = raws.setdefault(t["clean"], [])
        if t["raw"] not in bucket:
            bucket.append(t["raw"])
    node = Node("who", {"id": ctx.caller.nsid})
    tags = node.add(Node("tags", lists={"tag"}))
    for clean in sorted(raws):
        tag = tags.add(Node("tag", {"clean": clean}, lists={"raw"}))
        for raw in raws[clean]:
            tag.add(text_node("raw", raw))
    return [node]


# =============================================================================
# machine tags


def _machine_triples(ctx: Ctx) -> list[tuple[str, str, str]]:
    out = []
    for t in _visible_tags(ctx, machine=True):
        ns_pred, _, value = t["clean"].partition("=")
        ns, _, pred = ns_pred.partition(":")
        if ns and pred and value:
            out.append((ns, pred, value))
    return out


def _paged(ctx: Ctx, name: str, item: str, entries: list[tuple[dict, str]], extra: dict | None = None) -> Node:
    pg = paginate(entries, ctx.arg("page"), ctx.arg("per_page"), 100)
    node = Node(
        name,
        {**(extra or {}), "page": pg.page, "total": pg.total, "perpage": pg.per_page, "pages": pg.pages},
        lists={item},
    )
    for attrs, text in pg.items:
        node.add(Node(item, attrs, text=text))
    return node


@method("flickr.machinetags.getNamespaces", args="predicate? per_page? page?")
def machinetags_namespaces(ctx: Ctx) -> list[Node]:
    """Return a list of unique namespaces, optionally limited to those with a given predicate.

    ``<namespaces page total perpage pages><namespace usage predicates>ns</namespace>``.
    """
    want = (ctx.arg("predicate") or "").strip().lower()
    usage: collections.Counter[str] = collections.Counter()
    preds: dict[str, set[str]] = {}
    for ns, pred, _ in _machine_triples(ctx):
        if want and pred != want:
            continue
        usage[ns] += 1
        preds.setdefault(ns, set()).add(pred)
    entries = [({"usage": usage[ns], "predicates": len(preds[ns])}, ns) for ns in sorted(usage)]
    return [_paged(ctx, "namespaces", "namespace", entries)]


@method("flickr.machinetags.getPredicates", args="namespace? per_page? page?")
def machinetags_predicates(ctx: Ctx) -> list[Node]:
    """Return a list of unique predicates, optionally limited to a given namespace.

    ``<predicates ...><predicate usage namespaces>pred</predicate>``.
    """
    want = (ctx.arg("namespace") or "").strip().lower()
    usage: collections.Counter[str] = collections.Counter()
    spaces: dict[str, set[str]] = {}
    for ns, pred, _ in _machine_triples(ctx):
        if want and ns != want:
            continue
        usage[pred] += 1
        spaces.setdefault(pred, set()).add(ns)
    entries = [({"usage": usage[p], "namespaces": len(spaces[p])}, p) for p in sorted(usage)]
    return [_paged(ctx, "predicates", "predicate", entries)]


@method("flickr.machinetags.getPairs", args="namespace? predicate? per_page? page?")
def machinetags_pairs(ctx: Ctx) -> list[Node]:
    """Return a list of unique namespace and predicate pairs.

    ``<pairs ...><pair namespace predicate usage>ns:pred</pair>``.
    """
    want_ns = (ctx.arg("namespace") or "").strip().lower()
    want_pred = (ctx.arg("predicate") or "").strip().lower()
    usage: collections.Counter[tuple[str, str]] = collections.Counter()
    for ns, pred, _ in _machine_triples(ctx):
        if (want_ns and ns != want_ns) or (want_pred and pred != want_pred):
            continue
        usage[(ns, pred)] += 1
    entries = [
        ({"namespace": ns, "predicate": pred, "usage": usage[(ns, pred)]}, f"{ns}:{pred}") for ns, pred in sorted(usage)
    ]
    return [_paged(ctx, "pairs", "pair", entries)]


@method(
    "flickr.machinetags.getValues",
    args="namespace predicate per_page? page?",
    errors=((1, "Not a valid namespace"), (2, "Not a valid predicate")),
)
def machinetags_values(ctx: Ctx) -> list[Node]:
    """Return a list of unique values for a namespace and predicate.

    ``<values namespace predicate page total perpage pages><value usage>v</value>``.
    """
    ns_want = (ctx.arg("namespace") or "").strip().lower()
    pred_want = (ctx.arg("predicate") or "").strip().lower()
    if not ns_want:
        raise ApiError(1, "Not a valid namespace")
    if not pred_want:
        raise ApiError(2, "Not a valid predicate")
    usage: collections.Counter[str] = collections.Counter(
        v for ns, pred, v in _machine_triples(ctx) if ns == ns_want and pred == pred_want
    )
    entries = [({"usage": usage[v]}, v) for v in sorted(usage)]
    return [_paged(ctx, "values", "value", entries, {"namespace": ns_want, "predicate": pred_want})]
