"""Writes whose answer was lost: each rule tested at its own level, apart from the fault matrix
and the crash tests (which drive whole runs of the CLI).

* In the run itself, the executor looks a lost upload up by its content tag (allowing for
  search lag) before calling it failed, and keeps its journal entry open when it cannot tell.
* In the next run (after a crash), the journal's open entries are settled first: an upload that
  landed is adopted, one that did not is sent once, a replace that landed is not a conflict.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pycsync import naming
from pycsync.app import SyncOptions, sync
from pycsync.executor import Executor, Settings
from pycsync.model import LocalItem, Plan, RemoteListing, Upload, name_of
from pycsync.safefs import META_DIR
from pycsync.state import StateDB
from tests.support.cli import runner_for, sync_json_for
from tests.support.clock import FlickrClock
from tests.support.convergence import assert_converged
from tests.support.faults import fast_client
from tests.support.files import sha, tree, write_jpeg
from tests.support.media import jpeg
from tests.support.remote import owner_client


@pytest.fixture
def client(emulator):
    made = owner_client(emulator, fast_client)
    yield made
    made.close()


@pytest.fixture
def state(root):
    (root / META_DIR).mkdir()
    db = StateDB(root / META_DIR / "state.db")
    yield db
    db.close()


def _scanned(root: Path, key: str) -> LocalItem:
    st = (root / key).stat()
    return LocalItem(key, key, st.st_size, st.st_mtime_ns, sha((root / key).read_bytes()))


def _upload(root, client, state, key: str, wait: float):
    item = _scanned(root, key)
    plan = Plan(actions=(Upload((key,), item.sha256, item.size, "a", name_of(key)),))
    settings = Settings(jobs=1, unknown_upload_wait=wait)
    return Executor(root, client, state, {key: item}, RemoteListing({}, {}), settings).run(plan)


# --------------------------------------------------------------------------- the same run


@pytest.mark.parametrize("fault", ["apply_then_drop", "truncate"])
def test_a_lost_upload_answer_is_looked_up_in_the_same_run(fault, emulator, root, client, state):
    write_jpeg(root / "A/a.jpg", 1)
    emulator.set_faults([{"search_lag_seconds": 0.5}, {"match": "upload", "max": 1, "action": {fault: True}}])
    outcome = _upload(root, client, state, "A/a.jpg", wait=5.0)
    assert outcome.failed == [] and outcome.done["uploaded"] == 1
    (photo,) = emulator.state()["photos"]
    assert emulator.calls()["upload"] == 1, "not sent again"
    assert emulator.calls()["flickr.photos.search"] >= 2, "looked up until search showed it"
    assert state.get_item("A/a.jpg").photo_id == photo["id"], "the base holds the landed photo"
    assert state.unfinished("upload") == [], "the journal entry is closed"


def test_a_lost_upload_not_found_in_time_stays_open_for_the_next_run(emulator, root, client, state):
    write_jpeg(root / "A/a.jpg", 1)
    emulator.set_faults([{"search_lag_seconds": 30}, {"match": "upload", "max": 1, "action": {"truncate": True}}])
    outcome = _upload(root, client, state, "A/a.jpg", wait=0.3)
    assert [key for key, _ in outcome.failed] == ["A/a.jpg"]
    assert state.get_item("A/a.jpg") is None, "not recorded as synced"
    (entry,) = state.unfinished("upload")
    assert entry[1:3] == ("A/a.jpg", sha(jpeg(1))) and "body_sent" in entry[3], "the next run looks again"


def test_an_upload_refused_before_its_body_left_is_not_looked_up(emulator, root, client, state):
    write_jpeg(root / "A/a.jpg", 1)
    emulator.set_faults([{"match": "upload", "max": 1, "action": {"http": 400}}])
    outcome = _upload(root, client, state, "A/a.jpg", wait=5.0)
    assert [key for key, _ in outcome.failed] == ["A/a.jpg"]
    assert emulator.calls().get("flickr.photos.search", 0) == 0
    assert state.unfinished("upload") == [], "surely not applied: nothing to look for later"


def test_an_upload_cut_off_before_its_body_left_is_not_looked_up(emulator, root, client, state):
    """The connection drops while the file is still being sent: Flickr cannot have it, so the
    run does not spend the lag allowance looking for it, and the next run need not either."""
    (root / "A").mkdir()
    (root / "A/big.jpg").write_bytes(jpeg(1) + bytes(32 << 20))  # far more than socket buffers hold
    emulator.set_faults([{"match": "upload", "max": 1, "action": {"reset": True}}])
    outcome = _upload(root, client, state, "A/big.jpg", wait=60.0)  # (a look would take a minute)
    assert [key for key, _ in outcome.failed] == ["A/big.jpg"]
    assert emulator.calls().get("flickr.photos.search", 0) == 0
    assert state.unfinished("upload") == [], "closed: nothing to look for later"


# --------------------------------------------------------------------------- the next run


def _run(client, root, wait: float = 5.0):
    return sync(client, SyncOptions(root, jobs=1, unknown_upload_wait=wait))


def _open_upload(root, key: str, content: str, body_sent: float | None) -> None:
    """The journal as a run killed during this upload leaves it."""
    (root / META_DIR).mkdir(exist_ok=True)
    db = StateDB(root / META_DIR / "state.db")
    entry = db.journal_begin("upload", key, content, sent=body_sent or 0.0)
    if body_sent is not None:
        db.journal_note(entry, body_sent=body_sent)
    db.close()


def _journal(root) -> list[tuple[str, str, str | None]]:
    db = StateDB(root / META_DIR / "state.db")
    try:
        return db._db.execute("SELECT kind, key, outcome FROM journal ORDER BY id").fetchall()
    finally:
        db.close()


def test_next_run_adopts_a_landed_upload_that_search_shows_late(emulator, root, client, flickr):
    """Killed while its answer was on the way: the photo landed, the listing does not show it
    yet (search lag), and the next run finds it by its content tag instead of uploading again."""
    import time

    write_jpeg(root / "A/a.jpg", 1)
    emulator.set_faults([{"search_lag_seconds": 1.0}])
    flickr.upload(root / "A/a.jpg", title="a", tags=[naming.hash_tag(sha(jpeg(1)))])
    _open_upload(root, "A/a.jpg", sha(jpeg(1)), body_sent=time.time())
    result = _run(client, root)
    assert result.ok and result.outcome.done["uploaded"] == 0
    assert emulator.calls()["upload"] == 1, "only the killed run's upload"
    ((kind, key, outcome),) = _journal(root)
    assert (kind, key) == ("upload", "A/a.jpg") and outcome.startswith("found photo")
    assert len(emulator.state()["photos"]) == 1 and emulator.state()["albums"][0]["title"] == "A"


def _landed_then_replaced_on_the_website(root, flickr, tmp_path) -> str:
    """A/a.jpg's upload landed (its run was killed before the answer came back), then the photo
    was replaced on Flickr's website before the next run: its content tag still names jpeg 1."""
    import time

    write_jpeg(root / "A/a.jpg", 1)
    photo_id = flickr.upload(root / "A/a.jpg", title="a", tags=[naming.hash_tag(sha(jpeg(1)))]).photo_id
    _open_upload(root, "A/a.jpg", sha(jpeg(1)), body_sent=time.time())
    write_jpeg(tmp_path / "web.jpg", 2)
    flickr.replace(tmp_path / "web.jpg", photo_id)
    return photo_id


def test_next_run_fetches_a_landed_upload_replaced_since_on_the_website(emulator, root, client, flickr, tmp_path):
    """The content tag is a claim the website's replace made stale: the photo found is hashed,
    and the file, unchanged since its upload, takes the website's version (as any replace on
    Flickr), in its album, in this run."""
    photo_id = _landed_then_replaced_on_the_website(root, flickr, tmp_path)
    result = _run(client, root)
    assert result.ok and result.plan.conflicts == ()
    assert (root / "A/a.jpg").read_bytes() == jpeg(2)
    assert emulator.calls()["upload"] == 1, "only the killed run's upload"
    (photo,) = emulator.state()["photos"]
    assert photo["id"] == photo_id and emulator.state()["albums"][0]["title"] == "A"
    assert [o for k, _, o in _journal(root) if k == "upload"] == [
        f"found photo {photo_id}, replaced since by someone else"
    ]
    again = _run(client, root)
    assert again.ok and again.plan.is_empty()


def test_next_run_keeps_both_when_a_landed_upload_was_replaced_on_the_website_and_edited_here(
    emulator, root, client, flickr, tmp_path
):
    _landed_then_replaced_on_the_website(root, flickr, tmp_path)
    write_jpeg(root / "A/a.jpg", 3)  # edited here after the killed run
    result = _run(client, root)
    assert result.ok and len(result.plan.conflicts) == 1
    on_flickr = sorted(p["sha256"] for p in emulator.state()["photos"])
    assert on_flickr == sorted([sha(jpeg(2)), sha(jpeg(3))]), "an edit was lost, or the website's"
    here = sorted(sha(p.read_bytes()) for p in (root / "A").iterdir())
    assert here == on_flickr
    assert _run(client, root).plan.is_empty()


def test_next_run_uploads_once_what_did_not_land(emulator, root, client):
    import time

    write_jpeg(root / "A/a.jpg", 1)
    _open_upload(root, "A/a.jpg", sha(jpeg(1)), body_sent=time.time() - 10)
    result = _run(client, root, wait=0.5)
    assert result.ok and result.outcome.done["uploaded"] == 1
    assert emulator.calls()["upload"] == 1
    outcomes = [outcome for _, _, outcome in _journal(root)]
    assert outcomes == ["not found: did not land", f"photo {_only_photo(emulator)}"]


def test_next_run_does_not_wait_for_an_upload_whose_body_never_left(emulator, root, client):
    write_jpeg(root / "A/a.jpg", 1)
    _open_upload(root, "A/a.jpg", sha(jpeg(1)), body_sent=None)
    result = _run(client, root, wait=60)  # (were it to look, the test would take a minute)
    assert result.ok and result.outcome.done["uploaded"] == 1
    assert emulator.calls().get("flickr.photos.search", 0) == 0
    assert _journal(root)[0][2] == "not found: body never fully sent"


def _only_photo(emulator) -> str:
    (photo,) = emulator.state()["photos"]
    return photo["id"]


def test_next_run_takes_a_landed_replace_for_this_files_content(emulator, root, client, flickr):
    """Killed after Flickr took a replace but before the base was updated: the photo's content
    changed on Flickr and the file changed here, to the same content. No conflict, nothing sent
    again, and the content tag is pointed at the new content."""
    write_jpeg(root / "A/a.jpg", 1)
    assert _run(client, root).ok
    photo_id = _only_photo(emulator)
    write_jpeg(root / "A/a.jpg", 2)
    db = StateDB(root / META_DIR / "state.db")
    db.journal_begin("replace", "A/a.jpg", sha(jpeg(2)), photo_id=photo_id)
    db.close()
    flickr.replace(root / "A/a.jpg", photo_id)  # it landed; its answer (and the retag) did not
    emulator.reset_calls()
    result = _run(client, root)
    assert result.ok and result.plan.conflicts == ()
    assert emulator.calls().get("replace", 0) == 0 and emulator.calls().get("upload", 0) == 0
    assert [o for k, _, o in _journal(root) if k == "replace"] == ["landed"]
    (photo,) = emulator.state()["photos"]
    assert photo["sha256"] == sha(jpeg(2))
    assert naming.hash_tag(sha(jpeg(2))) in photo["machine_tags"], "retagged with the new content"
    assert naming.hash_tag(sha(jpeg(1))) not in photo["machine_tags"]


def test_next_run_replaces_again_what_did_not_land(emulator, root, client):
    write_jpeg(root / "A/a.jpg", 1)
    assert _run(client, root).ok
    photo_id = _only_photo(emulator)
    write_jpeg(root / "A/a.jpg", 2)
    db = StateDB(root / META_DIR / "state.db")
    db.journal_begin("replace", "A/a.jpg", sha(jpeg(2)), photo_id=photo_id)
    db.close()
    emulator.reset_calls()
    result = _run(client, root)
    assert result.ok and result.plan.conflicts == () and result.outcome.done["replaced"] == 1
    assert emulator.calls()["replace"] == 1
    # the photo still holds the content the last sync knew: the replace did not land
    assert [o for k, _, o in _journal(root) if k == "replace"][0] == "known"
    assert [p["sha256"] for p in emulator.state()["photos"]] == [sha(jpeg(2))]


def test_an_edit_whose_upload_answer_was_lost_is_linked_by_the_next_run_not_fetched_as_a_copy(
    emulator, root, cli_env, web, monkeypatch
):
    """x.jpg was edited here while its photo moved into album A on Flickr, so the edit becomes a
    photo of its own; its upload landed but the answer was lost, and search did not show it in
    time. By the next run Flickr lists it: the journal's entry is settled by the listing, the
    photo holds exactly the edit's content, so x.jpg is linked to it (no second upload), and
    nothing fetches it as a second file beside x.jpg (`x (ID).jpg`, which the planner's link
    once did)."""
    clock = FlickrClock().drive(emulator, monkeypatch)
    sync_json = sync_json_for(runner_for({**cli_env, "PYCSYNC_UNKNOWN_UPLOAD_WAIT": "0.2"}))
    write_jpeg(root / "x.jpg", 1)
    sync_json(root)
    (first,) = emulator.state()["photos"]
    web.add_to_album(first["id"], "A")
    write_jpeg(root / "x.jpg", 2)
    emulator.reset_calls()
    emulator.set_faults([{"search_lag_seconds": 60}, {"match": "upload", "max": 1, "action": {"truncate": True}}])
    lost = sync_json(root, expect=None)
    assert lost["exit_code"] != 0 and lost["failed"] == 1 and emulator.calls()["upload"] == 1
    (landed,) = [p for p in emulator.state()["photos"] if p["id"] != first["id"]]
    assert landed["sha256"] == sha(jpeg(2)), "the edit's upload landed"
    assert [k for _, k, _, _ in _unfinished_uploads(root)] == ["x.jpg"], "the journal holds it open"

    clock.advance(61)  # Flickr's index has caught up
    linked = sync_json(root)
    assert _journal(root)[-1] == ("upload", "x.jpg", f"found photo {landed['id']}")
    assert (linked["uploaded"], linked["linked"]) == (0, 1)
    assert emulator.calls()["upload"] == 1, "the landed edit is not sent again"
    assert tree(root) == {"x.jpg": jpeg(2), "A/x.jpg": jpeg(1)}, "one file per photo, no second copy"
    assert sorted(p["id"] for p in emulator.state()["photos"]) == sorted([first["id"], landed["id"]])
    assert_converged(emulator, sync_json, root)


def _unfinished_uploads(root):
    db = StateDB(root / META_DIR / "state.db")
    try:
        return db.unfinished("upload")
    finally:
        db.close()
