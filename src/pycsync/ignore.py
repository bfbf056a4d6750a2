"""The selection: gitignore-style rules from ``.pycsyncignore``, ``exclude`` in config.toml and
``--exclude GLOB``.

Patterns are matched against keys (NFC, '/'-separated, relative to the root), case-sensitively,
with git's semantics: the last matching pattern wins, ``!`` re-includes, a trailing ``/`` matches
folders only, a pattern containing ``/`` is anchored to the root, and a folder's exclusion covers
everything inside it (a file cannot be re-included below an excluded folder).

Each pattern is translated by ``pathspec`` (the maintained gitignore implementation); deciding
which pattern applies to a path itself, and walking its folders, is done here, so that the rules
above hold exactly as git applies them.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

IGNORE_FILE = ".pycsyncignore"


@dataclass(frozen=True, slots=True)
class _Rule:
    regex: re.Pattern[str]
    excludes: bool  # False: a '!' pattern (re-includes)
    # pathspec's named group that matches the '/' after a folder the pattern matched; a match
    # that used it at an earlier '/' only matched a folder above the path, not the path itself
    mark: str | None

    def applies(self, key: str, is_dir: bool) -> bool:
        """Whether the pattern matches ``key`` itself (not merely a folder above it)."""
        probe = key + "/" if is_dir else key
        found = self.regex.match(probe)
        if found is None:
            return False
        at = found.start(self.mark) if self.mark is not None else -1
        if at != -1:  # the pattern matched a folder: this one, or one above it
            return is_dir and at == len(key)
        # 'a/**' matches what is inside 'a' (the match stops at a '/'), not 'a' itself
        return not is_dir or found.end() < len(probe)


def _parse(line: str) -> _Rule | None:
    line = unicodedata.normalize("NFC", line.rstrip("\r\n"))
    try:
        pattern = GitIgnoreSpecPattern(line)
    except (ValueError, re.error) as e:
        raise ValueError(f"invalid ignore pattern {line.strip()!r}: {e}") from None
    if pattern.include is None or pattern.regex is None:  # blank line or comment
        return None
    regex = re.compile(_classes_skip_slash(pattern.regex.pattern))
    return _Rule(regex, pattern.include, next(iter(regex.groupindex), None))


def _classes_skip_slash(source: str) -> str:
    """``source`` with every character class kept from matching '/'.

    In git a bracket expression never matches the folder separator (``x[!a].png`` does not
    match ``x/.png``, nor ``x[.-0].png`` it); pathspec translates ``[!a]`` to ``[^a]`` and
    ``[.-0]`` to ``[.-0]``, which do. Each class of the regex gets a ``(?!/)`` in front
    (``[^/]``, pathspec's own '?' and '*', already excludes it).
    """
    out: list[str] = []
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c == "\\":
            out.append(source[i : i + 2])
            i += 2
            continue
        if c != "[":
            out.append(c)
            i += 1
            continue
        j = i + 1
        negated = source.startswith("^", j)
        j += negated
        j += source.startswith("]", j)  # a leading ']' is a member, not the end
        while j < n and source[j] != "]":
            j += 2 if source[j] == "\\" else 1
        members = source[i : j + 1]
        out.append(members if members == "[^/]" else "(?!/)" + members)
        i = j + 1
    return "".join(out)


class IgnoreRules:
    """A compiled list of ignore patterns; empty rules ignore nothing and are falsy."""

    def __init__(self, rules: Iterable[_Rule] = ()) -> None:
        # Stored last-first so that the first match found is the one that wins.
        self._rules = tuple(reversed(tuple(rules)))
        self._folders: dict[str, bool] = {}  # folder key -> excluded (itself or above)

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
            if rule.applies(key, is_dir):
                return rule.excludes
        return False

    def ignored(self, key: str, is_dir: bool) -> bool:
        """Whether ``key`` or any folder above it is excluded."""
        folder = key.rpartition("/")[0]
        return (bool(folder) and self._folder_ignored(folder)) or self.matches(key, is_dir)

    def _folder_ignored(self, folder: str) -> bool:
        known = self._folders.get(folder)
        if known is None:
            parent = folder.rpartition("/")[0]
            known = (bool(parent) and self._folder_ignored(parent)) or self.matches(folder, True)
            self._folders[folder] = known
        return known

    def excludes(self, key: str) -> bool:
        """Whether the file ``key`` is outside the selection (the planner's predicate)."""
        return self.ignored(key, False)
