"""The REST method registry: what each method is called, needs and documents.

A leaf module: it imports nothing else of the emulator, so every API family can use it and
nothing it does can lead back to a family. ``@method(...)`` only *marks* a handler with its
:class:`MethodSpec`; :meth:`Registry.collect` builds the registry from the family modules it is
given (see ``api/__init__.py``), so there is no table filled by import side effects. The same
specs feed dispatch (permissions, signing) and ``flickr.reflection.*``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any, TypeVar

__all__ = ["Arg", "MethodSpec", "Registry", "method", "PERM_LEVELS", "perm_level", "perm_name"]

#: token permissions, each implying the ones before it
PERM_LEVELS = {"none": 0, "read": 1, "write": 2, "delete": 3}
_LEVEL_NAMES = {v: k for k, v in PERM_LEVELS.items()}

# Descriptions of argument names shared by many methods (reflection output).
ARG_TEXT = {
    "photo_id": "The id of the photo.",
    "photoset_id": "The id of the photoset (album).",
    "user_id": "The NSID of the user (or 'me' for the calling user when authenticated).",
    "extras": "A comma-delimited list of extra information to fetch for each returned record.",
    "per_page": "Number of items to return per page (maximum 500).",
    "page": "The page of results to return (default 1).",
    "privacy_filter": "Return only photos matching a privacy level (1 public ... 5 private); owner only.",
    "media": "Filter results by media type: all (default), photos or videos.",
    "min_upload_date": "Minimum upload date (unix timestamp or MySQL datetime), inclusive.",
    "max_upload_date": "Maximum upload date (unix timestamp or MySQL datetime), inclusive.",
    "min_taken_date": "Minimum taken date (MySQL datetime or unix timestamp), inclusive.",
    "max_taken_date": "Maximum taken date (MySQL datetime or unix timestamp), inclusive.",
    "title": "The title.",
    "description": "The description.",
    "tags": "Space-separated tags; multi-word tags in double quotes.",
    "photo_ids": "A comma-delimited list of photo ids.",
    "primary_photo_id": "The id of the photo to use as the primary (cover) photo.",
    "secret": "The secret of the photo; when correct, the permission check is skipped.",
}


def perm_level(perms: str | None) -> int:
    return PERM_LEVELS.get(perms or "none", 0)


def perm_name(level: int) -> str:
    return _LEVEL_NAMES[level]


@dataclass(frozen=True)
class Arg:
    """One documented argument of a method (what ``flickr.reflection.getMethodInfo`` reports)."""

    name: str
    optional: bool
    text: str


@dataclass(frozen=True)
class MethodSpec:
    name: str
    fn: Callable[..., Any]  # (ctx) -> list[Node]
    perm: int
    signed: bool = False
    args: tuple[Arg, ...] = ()
    errors: tuple[tuple[int, str], ...] = ()

    @property
    def description(self) -> str:
        doc = (self.fn.__doc__ or "").strip()
        return " ".join(doc.split("\n\n", 1)[0].split())


def _parse_args(spec: str) -> tuple[Arg, ...]:
    """``"photo_id secret?"`` -> required photo_id, optional secret (plus the implicit api_key)."""
    out = [Arg("api_key", False, "Your API application key (or the OAuth consumer key when signing).")]
    for word in spec.split():
        optional = word.endswith("?")
        name = word.rstrip("?")
        out.append(Arg(name, optional, ARG_TEXT.get(name, f"The {name.replace('_', ' ')}.")))
    return tuple(out)


F = TypeVar("F", bound=Callable[..., Any])
_SPEC_ATTR = "__flickr_method__"


def method(
    name: str, perm: str = "none", signed: bool = False, *, args: str = "", errors: tuple[tuple[int, str], ...] = ()
) -> Callable[[F], F]:
    """Mark a handler as the REST method ``name``: its permission level, documented arguments
    (``"photo_id secret?"``: ``?`` = optional) and method-specific errors."""

    def deco(fn: F) -> F:
        setattr(fn, _SPEC_ATTR, MethodSpec(name, fn, PERM_LEVELS[perm], signed, _parse_args(args), tuple(errors)))
        return fn

    return deco


class Registry:
    """The methods of some family modules, by name; names match case-insensitively."""

    def __init__(self, specs: Iterable[MethodSpec]) -> None:
        self._specs: dict[str, MethodSpec] = {}
        for spec in specs:
            if spec.name in self._specs:
                raise ValueError(f"method {spec.name} is registered twice")
            self._specs[spec.name] = spec
        self._by_lower = {name.lower(): spec for name, spec in self._specs.items()}

    @classmethod
    def collect(cls, *modules: ModuleType) -> Registry:
        """Every handler marked with ``@method`` in the given modules."""
        specs = []
        for module in modules:
            for value in vars(module).values():
                spec = getattr(value, _SPEC_ATTR, None)
                if isinstance(spec, MethodSpec) and getattr(value, "__module__", None) == module.__name__:
                    specs.append(spec)
        return cls(specs)

    def lookup(self, name: str) -> MethodSpec | None:
        """Method names are matched case-insensitively (``flickr.photos.setdates`` works).

        (inferred) Flickr's dispatcher accepts other casings -- e.g. the flickr-uploader tool
        calls ``flickr.photos.setdates`` -- so the emulator does too; error 112 still quotes the
        name as sent.
        """
        return self._specs.get(name) or self._by_lower.get(name.lower())

    def names(self) -> list[str]:
        return sorted(self._specs)

    def __getitem__(self, name: str) -> MethodSpec:
        return self._specs[name]

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._specs))

    def __len__(self) -> int:
        return len(self._specs)
