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

Layout (as moto lays out a service): ``config`` (every setting), ``store`` (SQLite state and
blobs), ``backend`` (what handlers get: store, config, clock, auth, faults, registry),
``registry`` (the method registry, a leaf), ``api/`` (the REST methods, one module per API
family), ``web/`` (routing, fault middleware, the endpoints and the keep-alive HTTP handler),
``server`` (the lifecycle) and ``cli`` (``pycsync emulator``).

The implemented REST methods are whatever ``flickr.reflection.getMethods`` answers -- it is
generated from the registry, as is ``flickr.reflection.getMethodInfo``.  Method names match
case-insensitively; unknown ones answer error 112.  Formats: ``rest`` (XML, the default),
``json`` (JSONP unless ``nojsoncallback=1``) and ``php_serial``.
"""

from .config import EmulatorConfig
from .faults import FaultConfigError, FaultEngine
from .server import EmulatorServer
from .web.app import EmulatorApp

__all__ = ["EmulatorServer", "EmulatorApp", "EmulatorConfig", "FaultEngine", "FaultConfigError"]
