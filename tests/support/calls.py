"""The emulator's per-method call counts, read as the tests' questions: what did a run change on
Flickr, what did it download."""

from __future__ import annotations

from tests.support.waiting import wait_until

#: every Flickr API method that changes something on Flickr (uploads and replaces go to their own
#: endpoints and count as "upload" and "replace")
WRITE_REST_METHODS = frozenset(
    {
        "flickr.photos.delete",
        "flickr.photos.setMeta",
        "flickr.photos.addTags",
        "flickr.photos.removeTag",
        "flickr.photos.setTags",
        "flickr.photos.setPerms",
        "flickr.photos.setDates",
        "flickr.photos.geo.setLocation",
        "flickr.photos.geo.removeLocation",
        "flickr.photosets.create",
        "flickr.photosets.delete",
        "flickr.photosets.addPhoto",
        "flickr.photosets.removePhoto",
        "flickr.photosets.removePhotos",
        "flickr.photosets.editPhotos",
        "flickr.photosets.editMeta",
        "flickr.photosets.orderSets",
        "flickr.photosets.setPrimaryPhoto",
        "flickr.photosets.reorderPhotos",
    }
)

#: the calls a folder's first sync with a token makes before listing: who am I, and what may this
#: token do (later runs with the same token know both from the state)
LOGIN = {"flickr.test.login": 1, "flickr.auth.oauth.checkToken": 1}

#: a sync with nothing to do, whatever the library's size (tests/performance/test_no_change_calls.py)
NO_CHANGE = {
    "flickr.photosets.getList": 1,
    "flickr.photos.recentlyUpdated": 1,
    "flickr.people.getInfo": 1,
}


def is_write(method: str) -> bool:
    return method in ("upload", "replace") or method in WRITE_REST_METHODS


def write_calls(emulator) -> dict[str, int]:
    """Every call since the last reset that changes something on Flickr."""
    return {m: n for m, n in emulator.calls().items() if is_write(m)}


def static_calls(emulator) -> int:
    """Downloads of file bytes (originals, video play URLs) since the last reset."""
    return emulator.calls().get("static", 0)


def calls_started(emulator, name: str) -> int:
    """Calls of ``name`` since the last reset, counted as the emulator starts handling each (before
    any latency a fault adds), so a test can act while one is held."""
    return emulator.calls().get(name, 0)


def wait_for_calls(emulator, name: str, count: int = 1, timeout: float = 30) -> None:
    """Until the emulator has started ``count`` calls of ``name``."""
    wait_until(lambda: calls_started(emulator, name) >= count, f"{count} {name} calls", timeout)


def wait_for_answers(emulator, timeout: float = 30) -> None:
    """Until the emulator has answered every request it started (of the last 200): one a client
    gave up on (a read timeout) still takes effect when its latency ends, as on Flickr."""
    wait_until(
        lambda: all(c["status"] is not None for c in emulator.recent_calls()),
        "the emulator answered every request it started",
        timeout,
    )
