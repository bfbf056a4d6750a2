"""gitignore-style rules for ``.pycsyncignore`` and ``--exclude GLOB``.

Patterns are matched against keys (NFC, '/'-separated, relative to the root), case-sensitively,
with git's semantics: the last matching pattern wins, ``!`` re-includes, a trailing ``/`` matches
folders only, a pattern containing ``/`` is anchored to the root, and a folder's exclusion covers
everything inside it (a file cannot be re-included below an excluded folder).
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

IGNORE_FILE = ".pycsyncignore"


@dataclass(frozen=True, slots=True)
class _Rule:
    regex: re.Pattern[str]
    negated: bool
    dir_only: bool


def _translate_class(body: str) -> str:
    """A regex character class for the inside of a glob ``[...]`` (never matching '/')."""
    negated = body[:1] in ("!", "^")
    if negated:
        body = body[1:]
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            i += 1
            out.append(re.escape(body[i]))
        elif c == "-":
            out.append("-")  # a range operator, or a literal at either end as in globs
        else:
            out.append(re.escape(c))
        i += 1
    return "[^/" + "".join(out) + "]" if negated else "[" + "".join(out) + "]"


def _translate_segment(seg: str) -> str:
    """Regex for one '/'-free piece of a glob: ``*``, ``?``, ``[...]`` and ``\\`` escapes."""
    out = []
    i = 0
    while i < len(seg):
        c = seg[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "\\" and i + 1 < len(seg):
            i += 1
            out.append(re.escape(seg[i]))
        elif c == "[":
            # ']' right after '[' or '[!' is a literal member, as in fnmatch.
            start = i + 1 + (seg[i + 1 : i + 2] in ("!", "^"))
            end = seg.find("]", start + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                out.append(_translate_class(seg[i + 1 : end]))
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def _translate(pattern: str, anchored: bool) -> str:
    """Regex for a whole glob (without '!' or trailing '/'); '**' segments span folders."""
    segs: list[str] = []
    for seg in pattern.split("/"):
        if not (seg == "**" and segs and segs[-1] == "**"):  # 'a/**/**/b' is 'a/**/b'
            segs.append(seg)
    if not anchored and segs[0] != "**":
        segs.insert(0, "**")
    out = []
    sep = ""  # what must come before the next segment
    for i, seg in enumerate(segs):
        last = i == len(segs) - 1
        if seg != "**":
            out.append(sep + _translate_segment(seg))
            sep = "/"
        elif i == 0:
            out.append(".*" if last else "(?:.*/)?")
        elif last:
            out.append("/.*")
        else:
            out.append("(?:/.*)?")
    return "".join(out)


def _parse(line: str) -> _Rule | None:
    line = line.rstrip("\r\n")
    # Trailing spaces are dropped unless escaped with a backslash.
    while line.endswith(" ") and not line.endswith("\\ "):
        line = line[:-1]
    if not line or line.startswith("#"):
        return None
    negated = line.startswith("!")
    if negated or line.startswith("\\!") or line.startswith("\\#"):
        line = line[1:]
    dir_only = line.endswith("/")
    line = line.rstrip("/")
    anchored = "/" in line
    line = line.lstrip("/")
    if not line:
        return None
    regex = _translate(unicodedata.normalize("NFC", line), anchored)
    try:
        return _Rule(re.compile(regex, re.DOTALL), negated, dir_only)
    except re.error as e:
        raise ValueError(f"invalid ignore pattern {line!r}: {e}") from None


class IgnoreRules:
    """A compiled list of ignore patterns; empty rules ignore nothing and are falsy."""

    def __init__(self, rules: Iterable[_Rule] = ()) -> None:
        # Stored last-first so that the first match found is the one that wins.
        self._rules = tuple(reversed(tuple(rules)))

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> IgnoreRules:
        return cls(r for r in map(_parse, lines) if r is not None)

    @classmethod
    def load(cls, root: str | os.PathLike[str], extra: Iterable[str] = ()) -> IgnoreRules:
        """Rules from ``<root>/.pycsyncignore`` (if any), then ``extra`` (e.g. ``--exclude``)."""
        try:
            with open(os.path.join(root, IGNORE_FILE), encoding="utf-8-sig") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            lines = []
        return cls.from_lines([*lines, *extra])

    def __bool__(self) -> bool:
        return bool(self._rules)

    def matches(self, key: str, is_dir: bool) -> bool:
        """Whether the patterns exclude ``key`` itself, its folders assumed not excluded.

        For a walk that already pruned excluded folders; use ``ignored`` otherwise.
        """
        for rule in self._rules:
            if rule.regex.fullmatch(key) and (is_dir or not rule.dir_only):
                return not rule.negated
        return False

    def ignored(self, key: str, is_dir: bool) -> bool:
        """Whether ``key`` or any folder above it is excluded."""
        i = key.find("/")
        while i != -1:
            if self.matches(key[:i], True):
                return True
            i = key.find("/", i + 1)
        return self.matches(key, is_dir)
