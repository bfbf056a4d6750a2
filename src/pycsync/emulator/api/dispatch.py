"""Running one REST method for one caller: the checks every method shares, then its handler."""

from __future__ import annotations

from ..errors import ApiError
from ..registry import perm_name
from ..render import Node
from .context import Ctx

__all__ = ["dispatch"]


def dispatch(ctx: Ctx, name: str) -> list[Node]:
    """Run the method ``name`` for the caller in ``ctx``: error 112 for an unknown method, 97 for an
    unsigned call to a method that must be signed, 99 for a token without the permission."""
    spec = ctx.backend.registry.lookup(name)
    if spec is None:
        raise ApiError(112, f'Method "{name}" not found')
    if spec.signed and not ctx.caller.signed:
        raise ApiError(97, "Missing signature")
    if ctx.caller.level < spec.perm:
        raise ApiError(
            99,
            f"Insufficient permissions. Method requires {perm_name(spec.perm)} privileges; {ctx.caller.perms} granted.",
        )
    result: list[Node] = spec.fn(ctx)
    return result
