"""A Flickr-compatible API emulator (REST, upload/replace, OAuth 1.0a, static files).

Quick start::

    from pycsync.emulator import EmulatorServer

    with EmulatorServer() as emu:
        print(emu.endpoint, emu.api_key, emu.oauth_token)

Every Flickr path lives under ``emu.endpoint``: ``/services/rest/``,
``/services/upload/``, ``/services/replace/``, ``/services/oauth/*`` and the
``/static/...`` file URLs the API hands out (also reachable under the
``live.staticflickr.com`` / ``farm{n}`` path forms, so swapping only the host of a
static URL works).  ``/__emulator__/...`` is the unsigned control surface (call
counters, state dump, fault rules, users).

The implemented REST methods are whatever ``flickr.reflection.getMethods``
answers -- it is generated from the registry in :mod:`.rest` (plus
``methods_people``, ``methods_photos``, ``methods_tags`` and
``methods_reflection``), as is ``flickr.reflection.getMethodInfo``.  Method
names match case-insensitively; unknown ones answer error 112.  Formats:
``rest`` (XML, the default), ``json`` (JSONP unless ``nojsoncallback=1``) and
``php_serial``.
"""

from .faults import FaultConfigError, FaultEngine
from .server import EmulatorApp, EmulatorConfig, EmulatorServer

__all__ = ["EmulatorServer", "EmulatorApp", "EmulatorConfig", "FaultEngine", "FaultConfigError"]
