"""Golden scenarios: each folder here holds a ``scenario.json`` describing both sides before a
first sync, the changes made afterwards on each side, and what both sides must look like after the
next sync. Pictures are generated from seeds at test time (no binaries in the repository).

scenario.json::

    {
      "description": "...",
      "options": ["--layout", "flat"],          # given to every sync (optional)
      "initial": {
        "local": {"A/x.jpg": 1},                 # path -> seed ("v3": a video from seed 3)
        "flickr": [{"album": "A", "title": "x", "seed": 1, "tagged": false, "ext": "jpg"}]
      },                                         # album null/absent: a photo in no album
      "after_first": {"local": ..., "flickr": ..., "calls": ...},   # optional checks
      "changes": {
        "local": [{"op": "write", "path": "A/x.jpg", "seed": 5}, {"op": "delete", "path": "..."},
                  {"op": "move", "from": "...", "to": "..."}, {"op": "copy", "from": "...", "to": "..."}],
        "flickr": [{"op": "upload", "album": "A", "title": "t", "seed": 7},
                   {"op": "replace", "photo": 1, "seed": 8},         # photo = seed of its content
                   {"op": "delete", "photo": 1}, {"op": "move", "photo": 1, "from": "A", "to": "B"},
                   {"op": "add_to_album", "photo": 1, "album": "B"},
                   {"op": "remove_from_album", "photo": 1, "album": "A"},
                   {"op": "retitle", "photo": 1, "title": "new"}]
      },
      "sync": ["--delete"],                      # extra options of the second sync (optional)
      "expected": {
        "exit": 0,
        "local": {"A/x.jpg": 5, "A/x (conflict *).jpg": 6},       # glob patterns allowed
        "flickr": {"A": {"x": 5, "x (conflict *)": 6}, "": {"loose": 3}},
        "trash": {"A/y.jpg": 2},
        "calls": {"upload": 0, "static": 0}      # exact counts of these calls during the sync
      }
    }

After the second sync a third one must converge: nothing planned, no write call, no download.
"""

from __future__ import annotations

import fnmatch
import json
import shutil
from pathlib import Path

import pytest

from tests.support.convergence import assert_converged
from tests.support.files import sha, trash, tree
from tests.support.media import jpeg, make_mp4_bytes
from tests.support.remote import Web

HERE = Path(__file__).parent
SCENARIOS = sorted(p.parent.name for p in HERE.glob("*/scenario.json"))


def content(seed) -> bytes:
    if isinstance(seed, str) and seed.startswith("v"):
        return make_mp4_bytes(seed=int(seed[1:]), brand=b"isom")
    return jpeg(int(seed))


def write(root: Path, rel: str, seed) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content(seed))


def match_one(patterns: dict, actual: dict[str, str], what: str) -> None:
    """Every pattern matches exactly one actual name holding its seed's content, and every actual
    name is matched by some pattern."""
    left = dict(actual)
    for pattern, seed in patterns.items():
        hits = [name for name in left if fnmatch.fnmatchcase(name, pattern)]
        assert len(hits) == 1, f"{what}: {pattern!r} matches {hits} among {sorted(actual)}"
        assert left.pop(hits[0]) == sha(content(seed)), f"{what}: {hits[0]!r} does not hold seed {seed}"
    assert not left, f"{what}: unexpected {sorted(left)}"


def check_local(root: Path, expected: dict) -> None:
    match_one(expected, {k: sha(v) for k, v in tree(root).items()}, "local")


def check_trash(root: Path, expected: dict) -> None:
    match_one(expected, {k: sha(v) for k, v in trash(root).items()}, "trash")


def check_flickr(emulator, expected: dict) -> None:
    state = emulator.state()
    photos = {p["id"]: p for p in state["photos"]}
    albums = {a["title"]: a["photo_ids"] for a in state["albums"]}
    loose = [pid for pid, p in photos.items() if not p["album_ids"]]
    if loose:
        albums[""] = loose
    assert sorted(albums) == sorted(expected), f"albums {sorted(albums)} != {sorted(expected)}"
    for title, members in albums.items():
        match_one(expected[title], {photos[i]["title"]: photos[i]["sha256"] for i in members}, f"album {title!r}")
        assert len(members) == len(expected[title]), f"album {title!r}: two photos with one title"
    seeds = {str(s) for album in expected.values() for s in album.values()}
    assert len(photos) == len(seeds), f"{len(photos)} photos on Flickr, expected {len(seeds)}"


def check_calls(emulator, expected: dict) -> None:
    calls = emulator.calls()
    got = {m: calls.get(m, 0) for m in expected}
    assert got == expected, f"calls {got} != {expected}"


def check(root, emulator, expected: dict) -> None:
    if "local" in expected:
        check_local(root, expected["local"])
    if "flickr" in expected:
        check_flickr(emulator, expected["flickr"])
    if "trash" in expected:
        check_trash(root, expected["trash"])
    if "calls" in expected:
        check_calls(emulator, expected["calls"])


def photo_of(emulator, seed) -> str:
    digest = sha(content(seed))
    hits = [p["id"] for p in emulator.state()["photos"] if p["sha256"] == digest]
    assert len(hits) == 1, f"no single photo holds seed {seed}"
    return hits[0]


def change_local(root: Path, op: dict) -> None:
    kind = op["op"]
    if kind == "write":
        write(root, op["path"], op["seed"])
    elif kind == "delete":
        (root / op["path"]).unlink()
    elif kind in ("move", "copy"):
        dst = root / op["to"]
        dst.parent.mkdir(parents=True, exist_ok=True)
        if kind == "move":
            (root / op["from"]).rename(dst)
        else:
            shutil.copy2(root / op["from"], dst)
    else:
        raise ValueError(f"unknown local change {kind!r}")


def upload(web: Web, spec: dict) -> str:
    seed = spec["seed"]
    video = isinstance(seed, str) and seed.startswith("v")
    ext = spec.get("ext", "mp4" if video else "jpg")
    return web.upload(
        content(seed),
        spec["title"],
        spec.get("album"),
        ext=ext,
        tagged=spec.get("tagged", False),
        file_name=spec.get("file_name"),
    )


def change_flickr(web: Web, emulator, op: dict) -> None:
    kind = op["op"]
    if kind == "upload":
        upload(web, op)
        return
    pid = photo_of(emulator, op["photo"])
    if kind == "replace":
        web.replace(pid, content(op["seed"]))
    elif kind == "delete":
        web.delete(pid)
    elif kind == "move":
        web.move(pid, op["from"], op["to"])
    elif kind == "add_to_album":
        web.add_to_album(pid, op["album"])
    elif kind == "remove_from_album":
        web.remove_from_album(pid, op["album"])
    elif kind == "retitle":
        web.retitle(pid, op["title"])
    else:
        raise ValueError(f"unknown Flickr change {kind!r}")


def sync(cli, root: Path, args: list[str], expect: int) -> dict:
    result = cli("sync", str(root), "--json", *args)
    assert result.exit_code == expect, (result.exit_code, result.output, result.stderr)
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario(name, emulator, cli, sync_json, flickr, tmp_path):
    spec = json.loads((HERE / name / "scenario.json").read_text())
    options = spec.get("options", [])
    root = tmp_path / "photos"
    root.mkdir()
    web = Web(flickr, emulator, tmp_path / "web")

    for rel, seed in spec["initial"].get("local", {}).items():
        write(root, rel, seed)
    for photo in spec["initial"].get("flickr", []):
        upload(web, photo)
    emulator.reset_calls()
    sync(cli, root, options, 0)
    check(root, emulator, spec.get("after_first", {}))
    assert_converged(emulator, sync_json, root, *options)

    for op in spec["changes"].get("local", []):
        change_local(root, op)
    for op in spec["changes"].get("flickr", []):
        change_flickr(web, emulator, op)
    expected = spec["expected"]
    emulator.reset_calls()
    args = [*options, *spec.get("sync", [])]
    sync(cli, root, args, expected.get("exit", 0))
    check(root, emulator, expected)
    if "trash" not in expected:
        check_trash(root, {})

    assert_converged(emulator, sync_json, root, *args)


def test_every_scenario_is_well_formed():
    assert len(SCENARIOS) >= 10
    for name in SCENARIOS:
        spec = json.loads((HERE / name / "scenario.json").read_text())
        assert set(spec) <= {"description", "options", "initial", "after_first", "changes", "sync", "expected"}, name
        assert spec["description"] and "expected" in spec and "changes" in spec, name
        assert {"local", "flickr"} & set(spec["expected"]), name
