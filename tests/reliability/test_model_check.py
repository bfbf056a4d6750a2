"""Randomized model check: two computers syncing one Flickr account, random edits on all three
sides, faults, crashes, lost states, syncs with and without --delete, one computer at a time or
both at once, interleaved by hypothesis, with the guarantees checked after every sync against a
small reference model.

The model keeps, per content (every edit writes a content never seen before):

* ``alive``: contents the user still holds somewhere (not overwritten by an edit, not deleted).
  After every sync, clean or not, each must still exist on a computer or on Flickr (no lost
  update; conflicts keep both; an edit beats a deletion).
* ``fresh[c]``: contents created since computer c's last clean sync. After it, each one on that
  computer or on Flickr must be on both (an edit is never lost to a deletion on the other side).
* ``gone[side]``: contents the user deleted, and the sides (a computer, or Flickr) they are gone
  from. A deletion stays deleted: once gone from a side, a content never comes back there (with
  --delete it also leaves the other sides, without it they keep it; either way nothing brings it
  back). Only a change to the same photo (an album edit, a replace, a move elsewhere) or a lost
  state (which forgets what was deleted and not yet passed on) lets it come back.
* ``places[content]``: the folders a content may be in, where the user (or Flickr's website)
  put it. No sync moves a file anywhere else: agreement between the sides would also hold if a
  run had moved files out of their folders on both.

After a clean sync of a computer, a second one plans nothing and writes nothing (convergence),
and that computer and Flickr agree (every file a photo in its folder's album and the reverse). At
no time may a content have two Flickr photos, a partial file sit under a real name, or one
computer have two folders whose names differ only in Unicode normal form. A state rebuilt while
a computer and Flickr agree changes nothing.

The first computer spells the accented folder decomposed (NFD, as macOS writes it), the second
composed. Run a long sweep with
``PYCSYNC_MODEL_EXAMPLES=1000 PYCSYNC_MODEL_STEPS=40 pytest tests/reliability/test_model_check.py --timeout=0``
(and ``PYCSYNC_MODEL_RANDOM=1`` for new seeds each time).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from pycsync import naming
from pycsync.app import SafetyAbort, SyncOptions, sync
from pycsync.emulator import EmulatorServer
from pycsync.flickr import Credentials, Endpoints, FlickrClient
from pycsync.ignore import IgnoreRules
from pycsync.safefs import META_DIR
from pycsync.state import StateDB, StateError
from tests.support.calls import write_calls
from tests.support.faults import fast_client
from tests.support.files import partial_files, sha, tree
from tests.support.media import jpeg
from tests.support.remote import duplicates

EXAMPLES = int(os.environ.get("PYCSYNC_MODEL_EXAMPLES", "100"))
SHRINK = os.environ.get("PYCSYNC_MODEL_SHRINK", "1") != "0"  # 0: report the first failure as found
STEPS = int(os.environ.get("PYCSYNC_MODEL_STEPS", "20"))
CREME = "Crème"
# the accented folder as each computer spells it on disk: decomposed (macOS), composed
SPELLINGS = (unicodedata.normalize("NFD", CREME), unicodedata.normalize("NFC", CREME))
FOLDERS = ("", "A", "B", "A/C", CREME)
COMPUTERS = (0, 1)
FLICKR = "flickr"
# what a computer may leave out of its selection (.pycsyncignore, exclude, --exclude), changed
# between runs; the last also leaves out files in the root
SELECTIONS = ((), ("B/",), ("A/C/", "/*.jpg"))
MEETING_EDITS = ["edit, delete on Flickr", "delete, edit on Flickr", "edit on both", "edit, delete there"]

FAULTS = [
    {"match": "upload", "action": {"reset": True}},
    {"match": "upload", "action": {"apply_then_drop": True}},
    {"match": "replace", "action": {"apply_then_drop": True}},
    {"match": "static", "action": {"truncate": True}},
    {"match": "flickr.photosets.create", "action": {"apply_then_drop": True}},
    {"match": "flickr.photosets.addPhoto", "action": {"http": 503}},
    {"match": "flickr.photosets.editPhotos", "action": {"apply_then_drop": True}},
    {"match": "flickr.photosets.removePhotos", "action": {"reset": True}},
    {"match": "flickr.photosets.editMeta", "action": {"http": 500}},
    {"match": "flickr.photos.setMeta", "action": {"http": 500}},
    {"match": "flickr.photos.addTags", "action": {"apply_then_drop": True}},
    {"match": "flickr.photos.delete", "action": {"reset": True}},
    {"match": "flickr.photosets.getList", "action": {"http": 502}},
]


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def folder_of(key: str) -> str:
    return nfc(key.rpartition("/")[0])


class SimulatedCrash(BaseException):
    """The process 'dies' right after the K-th answer arrived (its effect is on Flickr)."""


class SyncModel(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="pycsync-model-"))
        self.roots = [self.tmp / f"computer{c}" for c in COMPUTERS]
        for root in self.roots:
            root.mkdir()
        self.staging = self.tmp / "staging"
        self.staging.mkdir()
        self.emu = EmulatorServer(host="127.0.0.1", port=0).start()
        creds = Credentials(self.emu.api_key, self.emu.api_secret, self.emu.oauth_token, self.emu.oauth_token_secret)
        self.endpoints = Endpoints.for_base(self.emu.endpoint)
        self.flickr = FlickrClient(self.endpoints, creds, calls_per_hour=None)
        self.creds = creds
        self.seed = 1000
        self.alive: set[str] = set()
        self.fresh: dict[int, set[str]] = {c: set() for c in COMPUTERS}
        self.gone: dict[str, set] = {}  # content the user deleted -> the sides it is gone from for good
        self.deleted: set[str] = set()  # every content the user deleted somewhere, ever
        # side -> content moved there -> the computers that have not synced cleanly since
        self.moved: dict[object, dict[str, set[int]]] = {side: {} for side in (*COMPUTERS, FLICKR)}
        # deleted content -> the sides that held it when it was deleted, or since: a deletion
        # passed on reaches only those (a side that lost it to an edit before is not one)
        self.held: dict[str, set] = {}
        # the versions of one photo (edits here, replaces on Flickr) share the folders they may be
        # in: a move of one version, made elsewhere, takes the others along
        self.places: dict[str, set[str]] = {}  # first version -> folders (NFC) they may be in
        self.first: dict[str, str] = {}  # content -> the first version of its photo
        self.history: dict[str, set[str]] = {}  # photo id -> every content it was seen holding
        # content -> computers still to sync cleanly before it may no longer be in no album/the
        # root: Flickr has no upload into an album, so a run that stops between an upload and its
        # album edit, or another computer's run that reads the account in between, leaves it there
        self.unsorted: dict[str, set[int]] = {}
        self.renamed_folders: list[tuple[str, str]] = []  # (old, new) folders of albums renamed on Flickr
        # computer -> photos (first versions) moved on Flickr out of its selection: its file cannot
        # follow, stays where it is and is not synced (while the photo on Flickr stays outside)
        self.moved_out: dict[int, set[str]] = {c: set() for c in COMPUTERS}
        self.synced = {c: False for c in COMPUTERS}
        self.excludes: dict[int, tuple[str, ...]] = {c: () for c in COMPUTERS}
        self.titles = 0
        self.steps: list[str] = []  # printed with any failure (shrinking may not reproduce it)

    def teardown(self):
        self.flickr.close()
        self.emu.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ------------------------------------------------------------------ helpers

    def _new_content(self, folder: str) -> bytes:
        self.seed += 1
        data = jpeg(self.seed)
        self.alive.add(sha(data))
        for c in COMPUTERS:
            self.fresh[c].add(sha(data))
        self.first[sha(data)] = sha(data)
        self.places[sha(data)] = {nfc(folder)}
        return data

    def note(self, text: str) -> None:
        self.steps.append(text)

    def fail_message(self, text: str) -> str:
        return text + "\nsteps:\n  " + "\n  ".join(self.steps)

    def _local(self, c: int) -> dict[str, bytes]:
        return tree(self.roots[c])

    def _local_keys(self, c: int) -> list[str]:
        return sorted(self._local(c))

    def _photos(self) -> list[dict]:
        photos = self.emu.state()["photos"]
        for p in photos:
            self.history.setdefault(p["id"], set()).add(p["sha256"])
        return photos

    def _albums(self) -> list[dict]:
        return self.emu.state()["albums"]

    def _pick(self, items, i):
        return items[i % len(items)]

    def _spelled(self, c: int, folder: str) -> str:
        """A folder as computer ``c`` spells it: as on disk when it exists (the user opens the
        folder that is there), else in the computer's own normal form."""
        if folder != CREME:
            return folder
        there = [n for n in os.listdir(self.roots[c]) if nfc(n) == CREME]
        return there[0] if there else SPELLINGS[c]

    def _on(self, side) -> set[str]:
        if side == FLICKR:
            return {p["sha256"] for p in self._photos()}
        return {sha(v) for v in self._local(side).values()}

    def _trash(self, c: int) -> set[str]:
        trash = self.roots[c] / META_DIR / "trash"
        return {sha(p.read_bytes()) for p in trash.rglob("*") if p.is_file()} if trash.exists() else set()

    def _synced_content(self, c: int, key: str) -> str | None:
        """The content computer c's last synced state holds for ``key`` (None: not synced)."""
        db = self.roots[c] / META_DIR / "state.db"
        if not db.exists():
            return None
        try:
            state = StateDB(db)
        except StateError:
            return None
        try:
            item = state.load_base().items.get(nfc(key))
            return item.sha256 if item is not None else None
        finally:
            state.close()

    def _based(self, c: int, photo_id: str | None = None) -> set[str]:
        """Contents computer c's last synced state holds (they were on both sides at the time);
        only those of one photo, when given."""
        db = self.roots[c] / META_DIR / "state.db"
        if not db.exists():
            return set()
        try:
            state = StateDB(db)
        except StateError:
            return set()  # (damaged on purpose: the next run rebuilds it)
        try:
            items = state.load_base().items.values()
            return {b.sha256 for b in items if photo_id is None or b.photo_id == photo_id}
        finally:
            state.close()

    def _everything(self) -> set[str]:
        contents = self._on(FLICKR)
        for c in COMPUTERS:
            contents |= self._on(c) | self._trash(c)
        return contents

    def _deleted(self, content: str, side, stays: bool = True) -> None:
        """The user deleted ``content`` on ``side``: it must stay gone from there (and, once a
        --delete run has passed it on, from wherever else it went); unless not ``stays``."""
        for c in COMPUTERS:
            self.fresh[c].discard(content)
        self.deleted.add(content)
        if not stays:
            if content not in self._everything():
                self.alive.discard(content)
            return
        # a move made elsewhere and not yet synced meets the deletion: the moved file or photo is
        # that user's word on it, and it may come back (as a photo, or a file, of its own); a move
        # on Flickr meets it if this computer has not synced since
        met_on_flickr = side != FLICKR and side in self.moved[FLICKR].get(content, ())
        if not met_on_flickr and not any(content in self.moved[k] for k in COMPUTERS if k != side):
            self.gone.setdefault(content, set()).add(side)
            self.held.setdefault(content, set()).update(s for s in (*COMPUTERS, FLICKR) if content in self._on(s))
        if content not in self._everything():
            self.alive.discard(content)

    def _touched(self, content: str, where) -> None:
        """The photo was moved (on a computer, or between albums on Flickr) in a way that may
        rightly bring it back where it was deleted."""
        self.gone.pop(content, None)
        self.moved[where][content] = set(COMPUTERS)

    def _placements(self, side) -> Counter:
        """(folder, content) of every file of a computer, or of every photo on Flickr (the folder
        its album maps to; '' for a photo in no album)."""
        if side != FLICKR:
            return Counter((folder_of(k), sha(v)) for k, v in self._local(side).items())
        state = self.emu.state()
        by_id = {p["id"]: p for p in state["photos"]}
        out: Counter = Counter()
        for album in state["albums"]:
            folder = nfc(naming.folder_for_album(album["title"], "nested"))
            for pid in album["photo_ids"]:
                out[(folder, by_id[pid]["sha256"])] += 1
        out.update(("", p["sha256"]) for p in state["photos"] if not p["album_ids"])
        return out

    def _named_placements(self, side) -> Counter:
        """(folder, name, content) of every file, or of every photo (its title for a name)."""
        if side != FLICKR:
            files = self._local(side).items()
            return Counter((folder_of(k), nfc(k.rpartition("/")[2].rpartition(".")[0]), sha(v)) for k, v in files)
        state = self.emu.state()
        folders = {a["id"]: nfc(naming.folder_for_album(a["title"], "nested")) for a in state["albums"]}
        return Counter(
            (folders[a] if a else "", nfc(p["title"]), p["sha256"])
            for p in state["photos"]
            for a in p["album_ids"] or [""]
        )

    def _excluded(self, c: int, key: str) -> bool:
        return IgnoreRules.from_lines(self.excludes[c]).excludes(nfc(key))

    def _album_excluded(self, c: int, folder: str) -> bool:
        """Whether a photo of the album of this folder ('' for none) is outside c's selection."""
        return self._excluded(c, f"{folder}/x.jpg" if folder else "x.jpg")

    def _outside(self, c: int) -> tuple[dict, dict]:
        """What lies outside computer c's selection: its files there, and what the albums of its
        folders hold on Flickr."""
        local = {k: sha(v) for k, v in self._local(c).items() if self._excluded(c, k)}
        photos = {p["id"]: p["sha256"] for p in self._photos()}
        albums = {}
        for a in self._albums():
            folder = nfc(naming.folder_for_album(a["title"], "nested"))
            if self._album_excluded(c, folder):
                albums[a["id"]] = (a["title"], sorted(photos[i] for i in a["photo_ids"]))
        return local, albums

    def _in_selection(self, c: int, content: str) -> bool:
        """Whether the content shows inside c's selection, on c or on Flickr."""
        if any(sha(v) == content and not self._excluded(c, k) for k, v in self._local(c).items()):
            return True
        return any(
            not self._album_excluded(c, folder) for folder, there in self._placements(FLICKR) if there == content
        )

    def _sync(self, c: int, delete: bool = False, crash_after: int | None = None, rebuild: bool = False, alone=True):
        """One run of computer c; alone: no other run at the same time (then nothing outside its
        selection may change, here or on Flickr, whatever the run's outcome)."""
        outside = self._outside(c) if alone else None
        if delete:  # what the user deleted may now leave every side
            self.alive -= self.deleted
        client = fast_client(self.endpoints, self.creds, calls_per_hour=None)
        original = client.transport.session.send
        count = [0]

        def send(*args, **kwargs):
            resp = original(*args, **kwargs)
            count[0] += 1
            if crash_after is not None and count[0] == crash_after:
                resp.close()
                raise SimulatedCrash()
            return resp

        client.transport.session.send = send
        options = SyncOptions(
            self.roots[c],
            jobs=2,
            unknown_upload_wait=0.5,
            delete=delete,
            max_delete=100,
            rebuild_state=rebuild,
            excludes=self.excludes[c],
        )
        pending = self._on(c) - self._on(FLICKR)
        result: object = None
        try:
            result = sync(client, options)
        except SimulatedCrash:
            pass
        except SafetyAbort as exc:
            result = exc
        finally:
            client.close()
        if not self._clean(result):
            for content in pending:
                self.unsorted[content] = set(COMPUTERS)
        if outside is not None:
            assert self._outside(c) == outside, self.fail_message(
                f"computer {c}'s run changed what is outside its selection {list(self.excludes[c])}"
            )
        return result

    def _may_leave_unsorted(self, *computers: int) -> None:
        """Before runs that meet: what these computers hold that Flickr does not yet may be read
        by the other run before it is in its album (and land in that computer's root)."""
        for c in computers:
            for content in self._on(c) - self._on(FLICKR):
                self.unsorted[content] = set(COMPUTERS)

    @staticmethod
    def _clean(result) -> bool:
        return result is not None and not isinstance(result, SafetyAbort) and result.ok and not result.outcome.permanent

    # ------------------------------------------------------------------ local edits

    @rule(c=st.sampled_from(COMPUTERS), folder=st.sampled_from(FOLDERS))
    def local_add(self, c, folder):
        data = self._new_content(folder)
        path = self.roots[c] / self._spelled(c, folder) / f"l{self.seed}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.note(f"computer {c}: add {path.relative_to(self.roots[c])} = {sha(data)[:8]}")

    @rule(c=st.sampled_from(COMPUTERS), i=st.integers(0, 99))
    def local_change(self, c, i):
        keys = self._local_keys(c)
        if keys:
            self._change(c, self._pick(keys, i))

    def _change(self, c: int, key: str) -> None:
        path = self.roots[c] / key
        old = sha(path.read_bytes())
        moved = self._synced_content(c, key) != old and old in self._based(c)
        if moved and sum(sha(v) == old for v in self._local(c).values()) == 1:
            # moved (or renamed) since it last synced, then edited: no content ties it to its
            # photo any more, so to the run the old file was deleted and a new one added (without
            # --delete Flickr keeps the old photo)
            self.deleted.add(old)
        self.alive.discard(old)  # overwritten here by the user
        for k in COMPUTERS:
            self.fresh[k].discard(old)
        data = self._new_content(folder_of(key))
        self._version_of(sha(data), old)
        # the edit is the user's word on where this version is, even if a sync had put the file
        # there (a photo read before it was in its album lands in the root)
        self._may_be(sha(data), folder_of(key))
        path.write_bytes(data)
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
        self.note(f"computer {c}: change {key} {old[:8]} -> {sha(data)[:8]}")

    @rule(c=st.sampled_from(COMPUTERS), i=st.integers(0, 99), folder=st.sampled_from(FOLDERS), rename=st.booleans())
    def local_move(self, c, i, folder, rename):
        keys = self._local_keys(c)
        if not keys:
            return
        key = self._pick(keys, i)
        name = key.rpartition("/")[2]
        if rename:
            self.seed += 1
            name = f"m{self.seed}.jpg"
        dst = self.roots[c] / self._spelled(c, folder) / name
        if dst.exists():
            return
        content = sha((self.roots[c] / key).read_bytes())
        dst.parent.mkdir(parents=True, exist_ok=True)
        (self.roots[c] / key).rename(dst)
        self._may_be(content, nfc(folder))
        self._touched(content, c)
        if self._excluded(c, nfc(dst.relative_to(self.roots[c]).as_posix())) and not self._excluded(c, nfc(key)):
            # into a folder outside the selection: to the run, the file is gone (README, known
            # limits), and without --delete Flickr keeps what this computer no longer shows
            self.deleted.add(content)
        self.note(f"computer {c}: move {key} -> {dst.relative_to(self.roots[c])}")

    @rule(c=st.sampled_from(COMPUTERS), i=st.integers(0, 99))
    def local_delete(self, c, i):
        keys = self._local_keys(c)
        if keys:
            self._delete(c, self._pick(keys, i))

    def _delete(self, c: int, key: str) -> None:
        content = sha((self.roots[c] / key).read_bytes())
        synced = self._synced_content(c, key)
        (self.roots[c] / key).unlink()
        if self._excluded(c, key):
            # outside the selection, so no run sees it: nothing says the photo must stay away
            # (an album renamed on Flickr into the selection brings it, as any album new here)
            self._deleted(content, c, stays=False)
        elif content not in self._on(c):  # (the photo's other files here keep it on this side)
            self._deleted(content, c)
        # a file edited and deleted before any sync: the user deleted the version it last synced
        # too (Flickr keeps that one without --delete, and it must not come back here)
        if synced is not None and synced != content and synced not in self._on(c):
            self._deleted(synced, c)
        self.note(f"computer {c}: delete {key} ({content[:8]})")

    # ------------------------------------------------------------------ edits on Flickr

    @rule(album=st.integers(0, 9))
    def remote_upload(self, album):
        albums = self._albums()
        target = self._pick(albums, album) if albums and album < 6 else None
        folder = nfc(naming.folder_for_album(target["title"], "nested")) if target else ""
        data = self._new_content(folder)
        path = self.staging / f"r{self.seed}.jpg"
        path.write_bytes(data)
        pid = self.flickr.upload(path, title=f"r{self.seed}").photo_id
        if target:
            self.flickr.add_to_album(target["id"], pid)
        self.note(f"flickr: upload r{self.seed} = {sha(data)[:8]} into {target['title'] if target else 'no album'}")

    @rule(i=st.integers(0, 99))
    def remote_replace(self, i):
        if self._photos():
            self._replace(self._pick(self._photos(), i))

    def _replace(self, photo: dict) -> None:
        self.alive.discard(photo["sha256"])
        for c in COMPUTERS:
            self.fresh[c].discard(photo["sha256"])
        data = self._new_content("")
        self._version_of(sha(data), photo["sha256"])
        path = self.staging / f"x{self.seed}.jpg"
        path.write_bytes(data)
        self.flickr.replace(path, photo["id"])
        self.note(f"flickr: replace {photo['title']} {photo['sha256'][:8]} -> {sha(data)[:8]}")

    @rule(i=st.integers(0, 99))
    def remote_delete(self, i):
        if self._photos():
            self._delete_photo(self._pick(self._photos(), i))

    def _delete_photo(self, photo: dict) -> None:
        """Deleted on the website: every version of it a computer may still hold is deleted too."""
        self.flickr.delete_photo(photo["id"])
        versions = self.history.get(photo["id"], set()) | {photo["sha256"]}
        for c in COMPUTERS:
            versions |= self._based(c, photo["id"])
        on_flickr = self._on(FLICKR)
        for content in versions - on_flickr:
            self._deleted(content, FLICKR)
        self.note(f"flickr: delete {photo['title']} ({photo['sha256'][:8]})")

    @rule(i=st.integers(0, 99), j=st.integers(0, 9), add=st.booleans())
    def remote_album_edit(self, i, j, add):
        if not self._photos() or not self._albums():
            return
        photo = self._pick(self._photos(), i)
        content = photo["sha256"]
        if add:
            album = self._pick(self._albums(), j)
            self.flickr.add_to_album(album["id"], photo["id"])
            self._may_be(content, nfc(naming.folder_for_album(album["title"], "nested")))
            self.note(f"flickr: add {photo['title']} to {album['title']}")
        elif photo["album_ids"]:
            album_id = self._pick(photo["album_ids"], j)
            self.flickr.remove_from_album(album_id, [photo["id"]])
            self._may_be(content, "")  # in no album now, perhaps
            self.note(f"flickr: remove {photo['title']} from album {album_id}")
        self._touched(content, FLICKR)

    @rule(j=st.integers(0, 9))
    def remote_album_rename(self, j):
        """Renamed on Flickr's website: its folder follows on every computer."""
        if not self._albums():
            return
        album = self._pick(self._albums(), j)
        old = nfc(naming.folder_for_album(album["title"], "nested"))
        self.titles += 1
        title = f"R{self.titles}"
        self.flickr.edit_album_meta(album["id"], title)
        self.renamed_folders.append((old, title))  # (what was, or will be, put in the old folder too)
        self.note(f"flickr: rename album {album['title']} -> {title}")

    @rule(
        c=st.sampled_from(COMPUTERS),
        i=st.integers(0, 99),
        kind=st.sampled_from(MEETING_EDITS),
        then=st.sampled_from(["sync", "sync --delete", "go on"]),
    )
    def edits_that_meet(self, c, i, kind, then):
        """Two changes to one synced photo, made before the next sync: an edit here and a deletion
        on Flickr (or the reverse), edits on both, or an edit here and a deletion on the other
        computer; then, mostly, this computer syncs. Conflicts keep both; an edit beats a deletion
        (with or without --delete)."""
        photos = {p["sha256"]: p for p in self._photos()}
        shared = sorted(k for k, v in self._local(c).items() if sha(v) in photos)
        if not shared:
            return
        key = self._pick(shared, i)
        photo = photos[sha((self.roots[c] / key).read_bytes())]
        other = 1 - c
        there = sorted(k for k, v in self._local(other).items() if sha(v) == photo["sha256"])
        if kind == "edit, delete there" and not there:
            return
        self.note(f"computer {c}: {kind} ({key})")
        if kind.startswith("edit"):
            self._change(c, key)
        else:
            self._delete(c, key)
        if kind == "edit, delete on Flickr":
            self._delete_photo(photo)
        elif kind in ("delete, edit on Flickr", "edit on both"):
            self._replace(photo)
        else:
            self._delete(other, there[0])
        if then != "go on":
            self.synced[c] = True
            self._after(c, self._sync(c, then.endswith("--delete")), then)

    @rule(c=st.sampled_from(COMPUTERS), i=st.integers(0, len(SELECTIONS) - 1))
    def change_selection(self, c, i):
        """The user changes what computer c leaves out (before its next run)."""
        self.excludes[c] = SELECTIONS[i]
        self.note(f"computer {c}: selection: exclude {list(self.excludes[c])}")

    # ------------------------------------------------------------------ syncs

    def _after(self, c: int, result, what: str) -> None:
        self.note(f"computer {c}: {what}" + ("" if self._clean(result) else f" (not clean: {_outcome(result)})"))
        self._check_safe()
        self.fresh[c] -= self._based(c)  # passed on, if only by a run that failed elsewhere
        if self._clean(result):
            self._check_clean(c)

    @rule(c=st.sampled_from(COMPUTERS), delete=st.booleans())
    def sync_clean(self, c, delete):
        self.synced[c] = True  # (not from the result: rule choice must not depend on timing)
        self._after(c, self._sync(c, delete), "sync" + (" --delete" if delete else ""))

    @precondition(lambda self: self.synced[0] or self.synced[1])
    @rule(c=st.sampled_from(COMPUTERS), fault=st.sampled_from(range(len(FAULTS))), delete=st.booleans())
    def sync_with_fault(self, c, fault, delete):
        self.emu.set_faults([{**FAULTS[fault], "max": 1}])
        result = self._sync(c, delete)
        fired = self.emu.faults()[0]["fired"]
        self.emu.set_faults([])
        self._after(c, result, f"sync{' --delete' if delete else ''} with fault {FAULTS[fault]} (fired {fired})")

    @precondition(lambda self: self.synced[0] or self.synced[1])
    @rule(c=st.sampled_from(COMPUTERS), k=st.integers(3, 25), delete=st.booleans())
    def sync_and_crash(self, c, k, delete):
        self._sync(c, delete, crash_after=k)
        self.note(f"computer {c}: sync{' --delete' if delete else ''} crashing after request {k}")
        self._check_safe()
        self.fresh[c] -= self._based(c)

    @rule(delete=st.booleans())
    def sync_both_at_once(self, delete):
        """Both computers sync at the same moment: each run's album writes race the other's.

        Kept out, two open bugs (test_races_open.py): both computers making the same new album at
        once, which leaves two albums of one title; both computers replacing one photo at once,
        which loses the edit that lands first (the other replace overwrites it unseen, then the
        next sync of its computer downloads the winner over it)."""
        albums = {nfc(naming.folder_for_album(a["title"], "nested")) for a in self._albums()}
        new_folders = [{folder_of(k) for k in self._local(c)} - albums - {""} for c in COMPUTERS]
        on_flickr = self._on(FLICKR)
        edited = [{nfc(k) for k, v in self._local(c).items() if sha(v) not in on_flickr} for c in COMPUTERS]
        if new_folders[0] & new_folders[1] or edited[0] & edited[1]:
            return
        results: dict[int, object] = {}

        def run(c: int) -> None:
            results[c] = self._sync(c, delete, alone=False)

        outside = {c: self._outside(c) for c in COMPUTERS}
        self._may_leave_unsorted(*COMPUTERS)
        threads = [threading.Thread(target=run, args=(c,)) for c in COMPUTERS]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.synced = {c: True for c in COMPUTERS}
        outcomes = ", ".join(f"{c}: {_outcome(results.get(c))}" for c in COMPUTERS)
        self.note(f"both computers sync at once{' --delete' if delete else ''} ({outcomes})")
        for c in COMPUTERS:  # its own files outside its selection, and what neither may touch
            now = self._outside(c)
            assert now[0] == outside[c][0], self.fail_message(f"computer {c} changed its files outside its selection")
            both = set(outside[0][1]) & set(outside[1][1])
            assert {a: now[1][a] for a in both if a in now[1]} == {a: outside[c][1][a] for a in both}, (
                self.fail_message("an album outside both selections changed")
            )
        self._check_safe()
        for c in COMPUTERS:
            self.fresh[c] -= self._based(c)

    @precondition(lambda self: self.synced[0] or self.synced[1])
    @rule(c=st.sampled_from(COMPUTERS), how=st.sampled_from(["deleted", "damaged", "--rebuild-state"]))
    def lose_state(self, c, how):
        """The state is lost (deleted, damaged, or rebuilt on purpose) while the computer and
        Flickr agree (every file a photo of its name in its folder's album and the reverse), and
        is rebuilt from Flickr: nothing is transferred, created, moved or deleted, and the sync
        after it plans nothing.

        A state lost while changes on either side wait to be synced is kept out: the state alone
        knows what they mean (a deletion not passed on comes back; a website replace whose content
        tag names the old content is taken for the old content, a documented limit), and two such
        cases upload a photo again (open bugs: test_rebuild_gaps.py)."""
        if self._named_placements(c) != self._named_placements(FLICKR):
            return
        db = self.roots[c] / META_DIR / "state.db"
        if how == "deleted":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        elif how == "damaged" and db.exists():
            db.write_bytes(b"this is not a database" * 100)
            for suffix in ("-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        here = self._on(c)
        for content in list(self.gone):  # forgotten with the state: may come back
            if content in here:  # (this computer's copy is new again: uploaded, it reaches all)
                del self.gone[content]
            else:
                self.gone[content].discard(c)
                self.held.get(content, set()).discard(c)
        before = self._local(c)
        self.emu.reset_calls()
        result = self._sync(c, rebuild=how == "--rebuild-state")
        self.note(f"computer {c}: state {how}, sync rebuilds it ({_outcome(result)})")
        if self._clean(result):
            assert write_calls(self.emu) == {}, self.fail_message(f"a rebuild wrote: {write_calls(self.emu)}")
            assert self._local(c) == before, self.fail_message("a rebuild changed the folder")
        self._check_safe()
        if self._clean(result):
            self._check_clean(c)

    # ------------------------------------------------------------------ checks

    def _check_safe(self):
        everything = self._everything()
        lost = self.alive - everything
        assert not lost, self.fail_message(f"lost update: {sorted(lost)}")
        assert duplicates(self.emu.state()) == {}, self.fail_message("two Flickr photos for one content")
        known = {sha(jpeg(s)) for s in range(1001, self.seed + 1)}
        for c in COMPUTERS:
            assert partial_files(self.roots[c]) == [], self.fail_message("partial files")
            unknown = {k for k, v in self._local(c).items() if sha(v) not in known}
            assert not unknown, self.fail_message(f"partial or foreign files under real names: {unknown}")
            spelled = _folders(self.roots[c])
            assert len(spelled) == len({nfc(f) for f in spelled}), self.fail_message(
                f"computer {c} has look-alike folders: {sorted(spelled)}"
            )
        for side in (*COMPUTERS, FLICKR):
            present = self._on(side)
            back = {content for content, sides in self.gone.items() if side in sides and content in present}
            assert not back, self.fail_message(f"deleted, and back on {side}: {sorted(back)}")
            for content, sides in self.gone.items():  # once a deletion reached a side, it stays there
                holders = self.held.setdefault(content, set())
                if side in holders and content not in present:
                    sides.add(side)
                if content in present:
                    holders.add(side)
            self._check_places(side)

    def _version_of(self, new: str, old: str) -> None:
        """``new`` is a new version of the photo holding ``old``: it may be wherever that is."""
        self.first[new] = self.first.get(old, old)
        self._may_be(new, *self._places_of(old))

    def _places_of(self, content: str) -> set[str]:
        return self.places.get(self.first.get(content, content), set())

    def _may_be(self, content: str, *folders: str) -> None:
        self.places.setdefault(self.first.get(content, content), set()).update(folders)

    def _renamed(self, folders: set[str]) -> set[str]:
        """``folders`` and what renaming their albums on Flickr made of them (either name may be
        in use for a while; a folder inside the renamed one may follow it)."""
        out, grew = set(folders), True
        while grew:
            grew = False
            for old, new in self.renamed_folders:
                for folder in list(out):
                    if folder == old or folder.startswith(old + "/"):
                        renamed = new + folder[len(old) :]
                        if renamed not in out:
                            out.add(renamed)
                            grew = True
        return out

    def _check_places(self, side) -> None:
        """No file and no photo is anywhere its user (or the website) did not put it."""
        for folder, content in self._placements(side):
            allowed = self._renamed(self._places_of(content))
            if content in self.unsorted:
                allowed = allowed | {""}
            assert folder in allowed, self.fail_message(
                f"{content[:8]} on {side} in {folder!r}, which nobody put it in (only {sorted(allowed)})"
            )

    def _check_clean(self, c: int):
        """After a clean sync of computer c: fresh content on both it and Flickr, the two agree,
        deletions passed on stay gone, and a second sync is a no-op."""
        local, remote, trash = self._on(c), self._on(FLICKR), self._trash(c)
        for content in list(self.fresh[c]):
            if not self._in_selection(c, content) and content not in trash:
                continue  # (it has yet to sync: checked once it is inside)
            if content in local or content in remote or content in trash:
                # (an edit, never passed on before, in the trash was lost to a deletion)
                assert content in local and content in remote, self.fail_message(
                    f"an edit did not reach the other side: {content[:8]} on computer {c}={content in local}, "
                    f"in its trash={content in trash}"
                )
                self.fresh[c].discard(content)
        self.emu.reset_calls()
        again = self._sync(c)
        assert self._clean(again), self.fail_message(f"second run failed: {_outcome(again)}")
        assert write_calls(self.emu) == {}, self.fail_message(f"not converged: {write_calls(self.emu)}")
        assert again.plan.is_empty(), self.fail_message(f"second run still plans {again.plan.actions}")
        # (a deletion not passed on, without --delete, leaves its content on one side only)
        # and only inside this computer's selection
        mine = Counter(
            (folder_of(k), sha(v))
            for k, v in self._local(c).items()
            if sha(v) not in self.deleted and not self._excluded(c, k)
        )
        theirs = Counter(
            {
                (folder, content): n
                for (folder, content), n in self._placements(FLICKR).items()
                if content not in self.deleted and not self._album_excluded(c, folder)
            }
        )
        on_flickr: dict[str, set[str]] = {}  # photo (its first version) -> its places on Flickr
        for folder, content in self._placements(FLICKR):
            on_flickr.setdefault(self.first.get(content, content), set()).add(folder)
        moved_there = {self.first.get(x, x) for x, waiting in self.moved[FLICKR].items() if c in waiting}
        for folder, content in list(mine):
            photo = self.first.get(content, content)  # (replaced on Flickr too, perhaps)
            places = on_flickr.get(photo, set())
            if places and all(self._album_excluded(c, f) for f in places):
                if photo in self.moved_out[c] or photo in moved_there:
                    self.moved_out[c].add(photo)
                    del mine[(folder, content)]
            else:
                self.moved_out[c].discard(photo)
        assert mine == theirs, self.fail_message(
            f"computer {c} and Flickr disagree: here only {sorted((mine - theirs).elements())}, "
            f"on Flickr only {sorted((theirs - mine).elements())}"
        )
        for moves in self.moved.values():  # passed on to this computer
            for content, waiting in list(moves.items()):
                waiting.discard(c)
                if not waiting:
                    del moves[content]
        for content, waiting in list(self.unsorted.items()):
            waiting.discard(c)
            if not waiting:  # every computer has synced since: each photo is in its album
                del self.unsorted[content]
                for side in (*COMPUTERS, FLICKR):
                    self._check_places(side)
        # what is where now is where it belongs (until someone moves it)
        for side in (*COMPUTERS, FLICKR):
            for folder, content in self._placements(side):
                if folder or content not in self.unsorted:
                    self._may_be(content, folder)


def _folders(root: Path) -> list[str]:
    """Every folder below root (as spelled on disk), .pycsync left out."""
    out = []
    for dirpath, dirnames, _ in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        if not rel.parts:
            dirnames[:] = [d for d in dirnames if d != META_DIR]
        out += [(rel / d).as_posix() for d in dirnames]
    return out


def _outcome(result) -> str:
    if result is None:
        return "crashed"
    if isinstance(result, SafetyAbort):
        return f"refused: {result}"
    failed = [*result.outcome.failed, *result.outcome.permanent] if result.outcome else []
    return f"failed {failed}" if failed else "ok"


SyncModel.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=os.environ.get("PYCSYNC_MODEL_RANDOM") is None,
    phases=list(Phase) if SHRINK else [Phase.explicit, Phase.reuse, Phase.generate],
)

# (some 20 s on an idle 2-core machine; the suite's 120 s per test is too tight on a loaded one)
TestSyncModel = pytest.mark.timeout(600)(SyncModel.TestCase)


@pytest.fixture(autouse=True)
def _quiet_requests():
    yield
    requests.Session().close()
