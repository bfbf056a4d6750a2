"""The REST methods (``/services/rest/``), one module per API family, as moto lays out a service.

=====================  ==============================================================
``login``              ``flickr.test.*``, ``flickr.auth.*``
``people``             ``flickr.people.*``
``urls``               ``flickr.urls.*``
``contacts``           ``flickr.contacts.*``
``favorites``          ``flickr.favorites.*``
``photos``             single-photo reads (info, sizes, contexts, EXIF, perms)
``photos_edit``        single-photo writes (delete, meta, dates, perms, ...)
``photo_tags``         ``flickr.photos.addTags`` / ``setTags`` / ``removeTag``
``photos_search``      photo lists (search, not in set, recently updated, counts, ...)
``photosets``          ``flickr.photosets.*`` reads
``photosets_edit``     ``flickr.photosets.*`` writes
``comments``           ``flickr.photos.comments.*``, ``flickr.photosets.comments.*``
``licenses``           ``flickr.photos.licenses.*``
``geo``                ``flickr.photos.geo.*``
``prefs``              ``flickr.prefs.*``
``upload``             ``flickr.photos.upload.*``
``tags``               ``flickr.tags.*``, ``flickr.machinetags.*``
``collection_tree``    ``flickr.collections.*``
``reflection``         ``flickr.reflection.*``
=====================  ==============================================================

Shared by the families (and importing none of them): ``context`` (the request context),
``params`` (argument parsing), ``listing`` (selecting photos), ``records`` (rendering photos),
``set_access`` (which sets a caller sees). Each handler is ``(ctx) -> list[Node]`` marked with
``@method``; :data:`REGISTRY` is built here from the family modules, and :func:`dispatch` runs
the permission checks and the handler.
"""

from __future__ import annotations

from ..registry import Registry
from . import (
    collection_tree,
    comments,
    contacts,
    favorites,
    geo,
    licenses,
    login,
    people,
    photo_tags,
    photos,
    photos_edit,
    photos_search,
    photosets,
    photosets_edit,
    prefs,
    reflection,
    tags,
    upload,
    urls,
)
from .context import Ctx
from .dispatch import dispatch

__all__ = ["REGISTRY", "dispatch", "Ctx"]

FAMILIES = (
    login,
    people,
    urls,
    contacts,
    favorites,
    photos,
    photos_edit,
    photo_tags,
    photos_search,
    photosets,
    photosets_edit,
    comments,
    licenses,
    geo,
    prefs,
    upload,
    tags,
    collection_tree,
    reflection,
)

#: every REST method the emulator implements (what flickr.reflection.getMethods answers)
REGISTRY = Registry.collect(*FAMILIES)
