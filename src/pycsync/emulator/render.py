"""One response tree, rendered to Flickr's REST XML, JSON and JSONP.

A response payload is a list of :class:`Node` objects (the children of
``<rsp>``).  Each node carries its attributes with their JSON types already
decided (``int`` -> JSON number, ``str`` -> JSON string, ``None`` -> JSON
``null`` and an empty attribute in XML, e.g. ``path_alias=""`` for a user
without an alias -- clients read ``attrib["path_alias"] or None``), an
optional text (``_content`` in JSON) and child nodes.  ``lists`` names the
child elements that are rendered as JSON arrays even when there are zero or
one of them (``"photo": []``).

JSON mapping (https://www.flickr.com/services/api/response.json.html):
attributes become members, element text becomes ``_content``, child elements
become nested objects, repeated elements become arrays, and the ``<rsp>``
root disappears (``stat`` is added instead).

``format=php_serial`` serialises the very same tree as the JSON answer with
PHP's ``serialize()`` encoding (Flickr's PHP clients, e.g. phpFlickr, ask for
it); string lengths are UTF-8 byte counts.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

XML_HEADER = '<?xml version="1.0" encoding="utf-8" ?>\n'
XML_CONTENT_TYPE = "text/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
JSONP_CONTENT_TYPE = "text/javascript; charset=utf-8"
PHP_CONTENT_TYPE = "text/plain; charset=utf-8"  # (inferred) no documented value
FORMATS = frozenset({"rest", "json", "php_serial"})

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CALLBACK_OK = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$.]*$")


@dataclass(frozen=True)
class Flex:
    """A number real Flickr sends sometimes as a JSON number, sometimes as a string.

    ``real`` is how today's Flickr sends this field here ("number" or "string"); a
    :class:`Typing` decides what a given answer says (docs/flickr-behaviour.md, "Inconsistent
    typing"). ``None`` is ``null`` in JSON and empty in XML.
    """

    value: int | float | None
    real: str = "number"
    text: str | None = None  # how XML (and a JSON string) writes it, when not ``str(value)``

    def __str__(self) -> str:
        if self.text is not None:
            return self.text
        return "" if self.value is None else str(self.value)


def num(value: int | None) -> Flex:
    """A field real Flickr sends as a JSON number today (and as a string elsewhere or in other years)."""
    return Flex(value, "number")


def numstr(value: int | None) -> Flex:
    """A field real Flickr sends as a numeric JSON string today (and as a number elsewhere or in other years)."""
    return Flex(value, "string")


class Typing:
    """How the :class:`Flex` fields of a JSON answer are typed.

    ``real``: as today's Flickr; ``numbers`` / ``strings``: always one way; ``random``: either
    way, chosen from the seed, the field name and the value (so a run with the same seed answers
    the same, whatever order its requests come in).
    """

    def __init__(self, mode: str = "real", seed: int = 0) -> None:
        self.mode = mode
        self.seed = seed

    def json(self, name: str, flex: Flex) -> int | float | str | None:
        if flex.value is None:
            return None
        if self.mode == "numbers":
            as_number = True
        elif self.mode == "strings":
            as_number = False
        elif self.mode == "random":
            as_number = zlib.crc32(f"{self.seed}:{name}:{flex.value}".encode()) & 1 == 1
        else:
            as_number = flex.real == "number"
        return flex.value if as_number else str(flex)


REAL = Typing()

Scalar = int | float | str | Flex | None


@dataclass
class Node:
    name: str
    attrs: dict[str, Scalar] = field(default_factory=dict)
    text: Scalar = None  # an int renders as a JSON number (e.g. people.getInfo's photo count)
    children: list[Node] = field(default_factory=list)
    lists: frozenset[str] | set[str] = frozenset()

    def add(self, child: Node) -> Node:
        self.children.append(child)
        return child

    # ---- JSON ---------------------------------------------------------
    def to_json(self, typing: Typing = REAL) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in self.attrs.items():
            out[k] = typing.json(k, v) if isinstance(v, Flex) else v
        if self.text is not None:
            out["_content"] = typing.json(self.name, self.text) if isinstance(self.text, Flex) else self.text
        groups: dict[str, list[Node]] = {}
        for c in self.children:
            groups.setdefault(c.name, []).append(c)
        for name in self.lists:
            groups.setdefault(name, [])
        for name, nodes in groups.items():
            if name in self.lists or len(nodes) > 1:
                out[name] = [n.to_json(typing) for n in nodes]
            else:
                out[name] = nodes[0].to_json(typing)
        return out

    # ---- XML ----------------------------------------------------------
    def to_xml(self, indent: int = 0) -> str:
        pad = "\t" * indent
        attrs = "".join(f' {k}="{xml_attr("" if v is None else v)}"' for k, v in self.attrs.items())
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


def payload_json(payload: Iterable[Node], typing: Typing = REAL) -> dict[str, Any]:
    nodes = list(payload)
    present = {n.name for n in nodes}
    lists = frozenset(getattr(payload, "lists", frozenset()) & present)
    root = Node("rsp", children=nodes, lists=lists)
    out = root.to_json(typing)
    out["stat"] = "ok"
    return out


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def valid_callback(name: str) -> bool:
    """A JSONP callback must be a plain (dotted) JavaScript identifier.

    Anything else (quotes, parentheses, ``<script>``...) is not echoed into
    the response; the default ``jsonFlickrApi`` wrapper is used instead.
    """
    return len(name) <= 128 and bool(_CALLBACK_OK.match(name))


def php_serialize(value: Any) -> str:
    """PHP ``serialize()`` of a JSON-like value (dict, list, str, int, bool, None)."""
    if value is None:
        return "N;"
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, float):
        return f"d:{value!r};"
    if isinstance(value, str):
        return f's:{len(value.encode("utf-8"))}:"{value}";'
    items = value.items() if isinstance(value, dict) else enumerate(value)
    inner = "".join(php_serialize(k) + php_serialize(v) for k, v in items)
    return f"a:{len(value)}:{{{inner}}}"


def render(
    payload: Iterable[Node] | None,
    fmt: str,
    callback: str | None,
    nojsoncallback: bool,
    error: tuple[int, str] | None = None,
    typing: Typing = REAL,
) -> tuple[str, str]:
    """Return ``(body, content_type)`` for a REST response in the asked format."""
    obj: dict[str, Any]
    if fmt == "php_serial":
        if error is not None:
            obj = {"stat": "fail", "code": error[0], "message": error[1]}
        else:
            obj = payload_json(payload or [], typing)
        return php_serialize(obj), PHP_CONTENT_TYPE
    if fmt == "json":
        if error is not None:
            obj = {"stat": "fail", "code": error[0], "message": error[1]}
        else:
            obj = payload_json(payload or [], typing)
        text = dumps(obj)
        if nojsoncallback:
            return text, JSON_CONTENT_TYPE
        name = callback if callback and valid_callback(callback) else "jsonFlickrApi"
        return f"{name}({text})", JSONP_CONTENT_TYPE
    if error is not None:
        return render_xml_error(*error), XML_CONTENT_TYPE
    return render_xml(payload or []), XML_CONTENT_TYPE
