"""What a server sends is bounded: a download by what Flickr accepts, the size declared and the
free disk space; an API answer by its size and nesting. A violation is a clear failure of that
file (or of the run, for an answer the run needs), and nothing partial is kept.

A hostile server on 127.0.0.1 sits in front of the emulator; everything it sends is bounded in
time and size, so a client that never stops cannot fill the disk either.
"""

from __future__ import annotations

import json
import shutil
import zlib

from pycsync.app import SyncOptions, sync
from pycsync.errors import DiskFull
from pycsync.safefs import META_DIR
from tests.reliability.hostile import HostileProxy, stream_forever
from tests.support.files import sha, tree
from tests.support.media import jpeg


def _upload(flickr, tmp_path, title: str, seed: int) -> str:
    staging = tmp_path / "staging"
    staging.mkdir(exist_ok=True)
    (staging / f"{title}.jpg").write_bytes(jpeg(seed))
    return flickr.upload(staging / f"{title}.jpg", title=title).photo_id


def _nothing_partial(root) -> None:
    tmp = root / META_DIR / "tmp"
    assert not tmp.exists() or list(tmp.iterdir()) == [], "a partial download was kept"


def test_a_64_gib_photo_is_refused_at_once_and_nothing_kept(emulator, root, flickr, cli, tmp_path):
    huge = _upload(flickr, tmp_path, "huge", 1)
    _upload(flickr, tmp_path, "fine", 2)
    sent = []

    def intercept(handler) -> bool:
        if "/static/" not in handler.path or huge not in handler.path:
            return False
        headers = {"Content-Type": "image/jpeg", "Content-Length": str(64 << 30)}
        sent.append(stream_forever(handler, headers))
        return True

    with HostileProxy(emulator.endpoint, intercept) as proxy:
        result = cli("sync", str(root), "--json", env={"PYCSYNC_ENDPOINT": proxy.endpoint})
    summary = json.loads(result.stdout)
    assert result.exit_code == 1, result.stderr
    (failure,) = summary["failures"]
    assert failure["path"] == "huge.jpg" and "more than Flickr accepts for a photo" in failure["error"], failure
    assert "68.7 GB" in failure["error"] or "64.0 GiB" in failure["error"], failure
    assert sent and sent[0] < 32 << 20, f"the client read {sent[0]} bytes of a photo it had to refuse"
    assert set(tree(root)) == {"fine.jpg"} and sha(tree(root)["fine.jpg"]) == sha(jpeg(2))
    _nothing_partial(root)


def test_a_download_that_needs_more_than_the_free_space_is_refused(emulator, root, flickr, tmp_path):
    _upload(flickr, tmp_path, "photo", 3)
    free = shutil.disk_usage(tmp_path).free
    result = sync(flickr, SyncOptions(root=root, min_free_space=free + (1 << 30)))
    assert not result.ok
    # the disk is already below the margin: no download can fit, so the run stops there (exit 6)
    assert isinstance(result.error, DiskFull) and "free" in str(result.error), result.error
    assert result.outcome.failed == []
    assert tree(root) == {}
    _nothing_partial(root)
    # with room to spare, the same photo comes down
    assert sync(flickr, SyncOptions(root=root)).ok
    assert sha(tree(root)["photo.jpg"]) == sha(jpeg(3))


def _gzip_bomb(size: int) -> bytes:
    """A valid Flickr answer padded with ``size`` bytes of spaces, gzip-compressed (~1000:1)."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [squeeze.compress(b'{"stat": "ok", "photosets": {"page": 1, "pages": 1, "photoset": []}')]
    block = b" " * (1 << 20)
    for _ in range(size >> 20):
        parts.append(squeeze.compress(block))
    parts.append(squeeze.compress(b"}"))
    parts.append(squeeze.flush())
    return b"".join(parts)


def _answer(handler, body: bytes, encoding: str | None = None) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    if encoding:
        handler.send_header("Content-Encoding", encoding)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def test_a_huge_compressed_answer_is_refused_with_a_clear_error(emulator, root, cli):
    bomb = _gzip_bomb(256 << 20)
    assert len(bomb) < 512 << 10

    def intercept(handler) -> bool:
        if "method=flickr.photosets.getList" not in handler.path:
            return False
        _answer(handler, bomb, "gzip")
        return True

    with HostileProxy(emulator.endpoint, intercept) as proxy:
        result = cli("sync", str(root), env={"PYCSYNC_ENDPOINT": proxy.endpoint})
    assert result.exit_code == 1, (result.exit_code, result.output, result.stderr)
    assert "flickr.photosets.getList" in result.stderr and "larger than 16 MiB" in result.stderr, result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_a_deeply_nested_answer_is_refused_with_a_clear_error(emulator, root, cli):
    deep = b'{"stat": "ok", "photosets": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

    def intercept(handler) -> bool:
        if "method=flickr.photosets.getList" not in handler.path:
            return False
        _answer(handler, deep)
        return True

    with HostileProxy(emulator.endpoint, intercept) as proxy:
        result = cli("sync", str(root), env={"PYCSYNC_ENDPOINT": proxy.endpoint})
    assert not isinstance(result.exception, RecursionError), "a raw RecursionError ended the run"
    assert result.exit_code == 1, (result.exit_code, result.output, result.stderr)
    assert "flickr.photosets.getList" in result.stderr and "nested too deeply" in result.stderr, result.stderr
