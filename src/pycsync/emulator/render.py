"""One response tree, rendered to Flickr's REST XML, JSON and JSONP.

A response payload is a list of :class:`Node` objects (the children of
``<rsp>``).  Each node carries its attributes with their JSON types already
decided (``int`` -> JSON number, ``str`` -> JSON string, ``None`` -> JSON
``null`` and omitted from XML), an optional text (``_content`` in JSON) and
child nodes.  ``lists`` names the child elements that are rendered as JSON
arrays even when there are zero or one of them (``"photo": []``).

JSON mapping (https://www.flickr.com/services/api/response.json.html):
attributes become members, element text becomes ``_content``, child elements
become nested objects, repeated elements become arrays, and the ``<rsp>``
root disappears (``stat`` is added instead).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

XML_HEADER = '<?xml version="1.0" encoding="utf-8" ?>\n'
XML_CONTENT_TYPE = "text/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
JSONP_CONTENT_TYPE = "text/javascript; charset=utf-8"

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CALLBACK_OK = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$.]*$")

Scalar = int | str | None


@dataclass
class Node:
    name: str
    attrs: dict[str, Scalar] = field(default_factory=dict)
    text: str | None = None
    children: list["Node"] = field(default_factory=list)
    lists: frozenset[str] | set[str] = frozenset()

    def add(self, child: "Node") -> "Node":
        self.children.append(child)
        return child

    # ---- JSON ---------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in self.attrs.items():
            out[k] = v
        if self.text is not None:
            out["_content"] = self.text
        groups: dict[str, list[Node]] = {}
        for c in self.children:
            groups.setdefault(c.name, []).append(c)
        for name in self.lists:
            groups.setdefault(name, [])
        for name, nodes in groups.items():
            if name in self.lists or len(nodes) > 1:
                out[name] = [n.to_json() for n in nodes]
            else:
                out[name] = nodes[0].to_json()
        return out

    # ---- XML ----------------------------------------------------------
    def to_xml(self, indent: int = 0) -> str:
        pad = "\t" * indent
        attrs = "".join(f' {k}="{xml_attr(v)}"' for k, v in self.attrs.items() if v is not None)
        if self.children:
            inner = "".join(c.to_xml(indent + 1) for c in self.children)
            return f"{pad}<{self.name}{attrs}>\n{inner}{pad}</{self.name}>\n"
        if self.text is not None:
            return f"{pad}<{self.name}{attrs}>{xml_text(self.text)}</{self.name}>\n"
        return f"{pad}<{self.name}{attrs} />\n"


def text_node(name: str, text: Any, **attrs: Scalar) -> Node:
    return Node(name, dict(attrs), "" if text is None else str(text))


def xml_text(value: Any) -> str:
    s = _INVALID_XML.sub("", str(value))
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attr(value: Any) -> str:
    s = xml_text(value).replace('"', "&quot;")
    return s.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


def render_xml(payload: Iterable[Node]) -> str:
    nodes = list(payload)
    if not nodes:
        return XML_HEADER + '<rsp stat="ok">\n</rsp>\n'
    return XML_HEADER + '<rsp stat="ok">\n' + "".join(n.to_xml(1) for n in nodes) + "</rsp>\n"


def render_xml_error(code: int, message: str, extra: Iterable[Node] = ()) -> str:
    body = f'\t<err code="{code}" msg="{xml_attr(message)}" />\n'
    body += "".join(n.to_xml(1) for n in extra)
    return XML_HEADER + f'<rsp stat="fail">\n{body}</rsp>\n'


class Payload(list):
    """A method's result: the children of ``<rsp>``.

    ``lists`` names top-level elements rendered as JSON arrays whenever they
    occur (e.g. getAllContexts' ``set``); absent ones are simply left out.
    """

    def __init__(self, nodes: Iterable[Node] = (), lists: Iterable[str] = ()) -> None:
        super().__init__(nodes)
        self.lists = frozenset(lists)


def payload_json(payload: Iterable[Node]) -> dict[str, Any]:
    nodes = list(payload)
    present = {n.name for n in nodes}
    lists = frozenset(getattr(payload, "lists", frozenset()) & present)
    root = Node("rsp", children=nodes, lists=lists)
    out = root.to_json()
    out["stat"] = "ok"
    return out


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def valid_callback(name: str) -> bool:
    return bool(_CALLBACK_OK.match(name))


def render(payload: Iterable[Node] | None, fmt: str, callback: str | None, nojsoncallback: bool,
           error: tuple[int, str] | None = None) -> tuple[str, str]:
    """Return ``(body, content_type)`` for a REST response in the asked format."""
    if fmt == "json":
        if error is not None:
            obj: dict[str, Any] = {"stat": "fail", "code": error[0], "message": error[1]}
        else:
            obj = payload_json(payload or [])
        text = dumps(obj)
        if nojsoncallback:
            return text, JSON_CONTENT_TYPE
        name = callback if callback and valid_callback(callback) else "jsonFlickrApi"
        return f"{name}({text})", JSONP_CONTENT_TYPE
    if error is not None:
        return render_xml_error(*error), XML_CONTENT_TYPE
    return render_xml(payload or []), XML_CONTENT_TYPE
