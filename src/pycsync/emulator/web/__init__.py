"""The HTTP side of the emulator: routing, fault middleware, the endpoints and the keep-alive
request handler. Endpoints receive the :class:`~pycsync.emulator.backend.Backend` and a request."""
