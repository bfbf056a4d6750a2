"""A Flickr-compatible API emulator (REST, upload/replace, OAuth 1.0a, static files).

Quick start::

    from pycsync.emulator import EmulatorServer

    with EmulatorServer() as emu:
        print(emu.endpoint, emu.api_key, emu.oauth_token)

Every Flickr path lives under ``emu.endpoint``: ``/services/rest/``,
``/services/upload/``, ``/services/replace/``, ``/services/oauth/*`` and the
``/static/...`` file URLs the API hands out.  ``/__emulator__/...`` is the
unsigned control surface (call counters, state dump, fault rules, users).
"""

from .faults import FaultConfigError, FaultEngine
from .server import EmulatorApp, EmulatorConfig, EmulatorServer

__all__ = ["EmulatorServer", "EmulatorApp", "EmulatorConfig", "FaultEngine", "FaultConfigError"]
