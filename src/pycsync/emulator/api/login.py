"""``flickr.test.*`` and ``flickr.auth.*``: who is calling, with which token."""

from __future__ import annotations

from ..errors import ApiError
from ..registry import method
from ..render import Node, text_node
from .context import Ctx


@method("flickr.test.echo")
def test_echo(ctx: Ctx) -> list[Node]:
    return [text_node(k, v) for k, v in ctx.params.items()]


@method("flickr.test.login", perm="read")
def test_login(ctx: Ctx) -> list[Node]:
    user = ctx.caller_row()
    node = Node("user", {"id": user["nsid"], "path_alias": user["path_alias"]})
    node.add(text_node("username", user["username"]))
    return [node]


@method("flickr.test.null", perm="read")
def test_null(ctx: Ctx) -> list[Node]:
    """Null test: succeeds (empty answer) for any call with read permission."""
    return []


@method("flickr.auth.oauth.checkToken", signed=True, args="oauth_token")
def check_token(ctx: Ctx) -> list[Node]:
    token = ctx.arg("oauth_token")
    row = ctx.store.token(token) if token else None
    if row is None or row["kind"] != "access" or row["state"] != "active":
        raise ApiError(98, "Invalid token")
    user = ctx.user_row(row["nsid"])
    if user is None:
        raise ApiError(98, "Invalid token")
    node = Node("oauth")
    node.add(text_node("token", row["token"]))
    node.add(text_node("perms", row["perms"]))
    node.add(Node("user", {"nsid": user["nsid"], "username": user["username"], "fullname": user["fullname"]}))
    return [node]
