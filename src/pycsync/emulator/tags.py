"""Flickr tag handling: parsing tag strings, clean forms, machine tags, search predicates."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "Tag",
    "parse_tag_string",
    "clean_tag",
    "split_machine_tag",
    "MachineTagQuery",
    "parse_machine_tag_query",
    "MAX_TAGS_PER_PHOTO",
    "plain_clean",
    "make_tag",
]

MAX_TAGS_PER_PHOTO = 75

_MT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):([A-Za-z_][A-Za-z0-9_]*)=(.+)$", re.S)


@dataclass(frozen=True)
class Tag:
    raw: str
    clean: str
    machine: bool


def _clean_plain(text: str) -> str:
    # lower-case, drop whitespace and punctuation; letters/digits of any script survive
    return "".join(ch for ch in text.lower() if ch.isalnum())


def split_machine_tag(raw: str) -> tuple[str, str, str] | None:
    m = _MT.match(raw.strip())
    if not m:
        return None
    value = m.group(3)
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not value:
        return None
    return m.group(1), m.group(2), value


def clean_tag(raw: str) -> tuple[str, bool]:
    """Return (clean form, is_machine_tag)."""
    mt = split_machine_tag(raw)
    if mt is not None:
        ns, pred, value = mt
        return f"{ns.lower()}:{pred.lower()}={_clean_plain(value)}", True
    return _clean_plain(raw), False


def plain_clean(raw: str) -> str:
    """The clean form of any text read as a plain tag (machine-tag syntax and all punctuation gone)."""
    return _clean_plain(raw)


def make_tag(raw: str) -> Tag | None:
    """A tag as Flickr stores it: the raw form as written, except that a machine tag's quoted value
    loses its quotes (``ns:pred="a b"`` is stored as ``ns:pred=a b``, as real raw forms show)."""
    raw = raw.strip()
    if not raw:
        return None
    mt = split_machine_tag(raw)
    if mt is not None:
        raw = f"{mt[0]}:{mt[1]}={mt[2]}"
    clean, machine = clean_tag(raw)
    if not clean or clean.endswith("="):
        return None
    return Tag(raw, clean, machine)


def parse_tag_string(text: str | None) -> list[Tag]:
    """Split a Flickr tags argument: space separated, ``"double quoted"`` phrases.

    Duplicates (same clean form) are dropped, first occurrence wins.
    """
    if not text:
        return []
    out: list[Tag] = []
    seen: set[str] = set()
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == '"':
            j = text.find('"', i + 1)
            if j < 0:
                j = n
            token = text[i + 1 : j]
            i = j + 1
        else:
            j = i
            buf = []
            # a token runs to the next whitespace; a quoted part inside it
            # (machine tag values: ns:pred="a b") keeps its spaces
            while j < n and not text[j].isspace():
                if text[j] == '"':
                    k = text.find('"', j + 1)
                    if k < 0:
                        k = n
                    buf.append(text[j : k + 1])
                    j = k + 1
                else:
                    buf.append(text[j])
                    j += 1
            token = "".join(buf)
            i = j
        tag = make_tag(token)
        if tag is not None and tag.clean not in seen:
            seen.add(tag.clean)
            out.append(tag)
    return out


@dataclass(frozen=True)
class MachineTagQuery:
    namespace: str | None  # None = any
    predicate: str | None
    value: str | None  # clean form; None = any

    def matches(self, ns: str, pred: str, value_clean: str) -> bool:
        if self.namespace is not None and self.namespace != ns:
            return False
        if self.predicate is not None and self.predicate != pred:
            return False
        return not (self.value is not None and self.value != value_clean)


_MTQ = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*|\*)?:([A-Za-z_][A-Za-z0-9_]*|\*)?(?:=(.*))?$", re.S)


def parse_machine_tag_query(text: str | None) -> list[MachineTagQuery]:
    """Parse the ``machine_tags`` search argument.

    Forms: ``ns:pred=value``, ``ns:pred="value"``, ``ns:`` (any tag in the
    namespace), ``ns:pred=`` / ``ns:pred`` (any value), ``*:pred=value``,
    ``ns:*=value``.  Items are comma separated; invalid items are ignored.
    """
    out: list[MachineTagQuery] = []
    if not text:
        return out
    for item in _split_commas(text):
        item = item.strip()
        if not item or ":" not in item:
            continue
        m = _MTQ.match(item)
        if not m:
            continue
        ns, pred, value = m.group(1), m.group(2), m.group(3)
        if ns is None and pred is None:
            continue
        if ns is None and not value:
            continue
        if value is not None:
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
        out.append(
            MachineTagQuery(
                None if ns in (None, "*") else ns.lower(),
                None if pred in (None, "*") else pred.lower(),
                _clean_plain(value) if value else None,
            )
        )
    return out


def _split_commas(text: str) -> list[str]:
    parts: list[str] = []
    buf: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts


def split_tag_query(text: str | None) -> tuple[list[str], list[str]]:
    """The ``tags`` search argument: comma list; ``-tag`` excludes. Returns clean forms."""
    include: list[str] = []
    exclude: list[str] = []
    if not text:
        return include, exclude
    for item in _split_commas(text):
        item = item.strip().strip('"')
        if not item:
            continue
        neg = item.startswith("-")
        if neg:
            item = item[1:]
        clean, _ = clean_tag(item)
        if not clean:
            continue
        (exclude if neg else include).append(clean)
    return include, exclude
