"""``flickr.photos.upload.*``: the status of asynchronous upload tickets."""

from __future__ import annotations

from ..registry import method
from ..render import Node
from .context import Ctx
from .params import id_list


@method("flickr.photos.upload.checkTickets", args="tickets")
def check_tickets(ctx: Ctx) -> list[Node]:
    node = Node("uploader", lists={"ticket"})
    now = ctx.backend.clock()
    for tid in id_list(ctx.arg("tickets")):
        t = ctx.store.q1("SELECT * FROM tickets WHERE id=?", (tid,))
        if t is None:
            node.add(Node("ticket", {"id": tid, "invalid": 1}))
            continue
        if now < t["ready_at"]:
            node.add(Node("ticket", {"id": tid, "complete": 0}))
        elif t["status"] == 1 and t["photo_id"] is not None:
            node.add(
                Node(
                    "ticket",
                    {
                        "id": tid,
                        "complete": 1,
                        "photoid": str(t["photo_id"]),
                        "imported": str(t["imported"] or int(t["ready_at"])),
                    },
                )
            )
        else:
            node.add(Node("ticket", {"id": tid, "complete": 2}))
    return [node]
