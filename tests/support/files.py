"""The local side: files written, read back and compared."""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from pathlib import Path

from pycsync.safefs import META_DIR
from tests.support.media import jpeg


def sha(data: bytes) -> str:
    """The content hash pycsync and the emulator key photos by (hex sha256)."""
    return hashlib.sha256(data).hexdigest()


def write_jpeg(path: Path, seed: int) -> bytes:
    """Write ``jpeg(seed)`` to ``path`` (making its folders); returns the bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = jpeg(seed)
    path.write_bytes(data)
    return data


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root except pycsync's own folder (``root/.pycsync``), as {posix path: bytes}."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).parts[0] != META_DIR
    }


def local_shas(root: Path) -> dict[str, str]:
    return {k: sha(v) for k, v in tree(root).items()}


def local_placements(root: Path) -> Counter:
    """(folder, sha256) of every local file."""
    return Counter((k.rpartition("/")[0], sha(v)) for k, v in tree(root).items())


def partial_files(root: Path) -> list[str]:
    """Temp files outside .pycsync/tmp (there must never be any under a real name)."""
    return [k for k in tree(root) if k.endswith((".part", ".tmp"))]


def trash(root: Path) -> dict[str, bytes]:
    """Files in .pycsync/trash/, keyed by their path below the run's time-stamped folder."""
    base = root / META_DIR / "trash"
    if not base.exists():
        return {}
    out = {}
    for p in sorted(base.rglob("*")):
        if p.is_file():
            out["/".join(p.relative_to(base).parts[1:])] = p.read_bytes()
    return out


def on_disk(root: Path) -> dict[str, tuple]:
    """Everything under root, .pycsync included: kind, mode, size, mtime, and bytes of files."""
    out: dict[str, tuple] = {".": (root.lstat().st_mode, root.lstat().st_mtime_ns)}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            st = path.lstat()
            data = path.read_bytes() if path.is_file() and not path.is_symlink() else None
            out[path.relative_to(root).as_posix()] = (st.st_mode, st.st_size, st.st_mtime_ns, data)
    return out
