"""Album titles and descriptions (pycsync.albummeta) and how a title of a folder's own meets the
planner's folder <-> album naming: pure, with a property over every combination of the two
sides and the base."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pycsync.albummeta import AlbumInputs, own_album_title, plan_albums
from pycsync.model import (
    Direction,
    MoveFolder,
    PlaceInAlbum,
    Plan,
    Policy,
    RemoteAlbum,
    SyncAlbumMeta,
)
from tests.unit.sim import World

BOTH = Policy()


def test_a_folder_that_titles_its_album_is_not_renamed_after_it():
    w = World()
    w.touch("2019/Paris/x.jpg", "c1")
    titled = Policy(album_titles={"2019/Paris": "Paris, the rainy week"})
    (place,) = [a for a in w.plan(titled).actions if isinstance(a, PlaceInAlbum)]
    assert place.title == "Paris, the rainy week"  # a new album takes the title at its creation
    w.sync(titled)
    aid = w.base_albums["2019/Paris"]
    assert w.plan(titled).is_empty()
    w.albums[aid] = ("Paris in May", w.albums[aid][1])  # renamed on Flickr: the file follows, not the folder
    assert w.plan(titled).is_empty()
    # the file's title taken out, while the last synced title was the album's own: not renamed
    # either (the metadata sync titles the album after the folder again)
    assert w.plan(Policy(titled_albums=frozenset({aid}))).is_empty()
    # a folder named after its album follows a rename, as always
    assert [type(a) for a in w.plan(BOTH).actions] == [MoveFolder]


def test_a_lost_state_finds_the_folder_that_titles_its_album():
    w = World()
    w.touch("2019/Paris/x.jpg", "c1")
    titled = Policy(album_titles={"2019/Paris": "Paris, the rainy week"})
    w.sync(titled)
    aid = w.base_albums["2019/Paris"]
    w.base.clear()  # a lost state: the folder is matched to its album by its photos and title
    w.base_albums.clear()
    p = w.plan(titled)
    assert p.albums["2019/Paris"] == aid
    assert not [a for a in p.actions if isinstance(a, (MoveFolder, PlaceInAlbum))]


def test_own_album_title():
    assert own_album_title("2019/Paris", "2019/Paris", "nested") is None
    assert own_album_title("Paris: May", "Paris_ May", "nested") is None  # the folder's name was made from it
    assert own_album_title("Paris", "Paris (72157)", "nested", "72157") is None
    assert own_album_title("Paris", "2019/Paris", "nested") == "Paris"
    assert own_album_title("  ", "A", "nested") is None
    assert own_album_title(" lead", " lead", "nested") is None  # (a folder a title with a space made)
    assert own_album_title("A", "A/B", "flat") is None  # (flat: the top-level folder is the album)


TEXT = st.sampled_from(["", "a", "b", "Paris"])
TITLE = st.sampled_from([None, "T1", "T2", "A"])  # "A": the folder's own name (no title of its own)


def _plan(declared, album: RemoteAlbum, base, direction=Direction.BOTH) -> Plan:
    inputs = AlbumInputs(
        declared={} if declared is None else {"A": declared},
        bases={} if base is None else {"1": base},
        folders=frozenset({"A"}),
        layout="nested",
    )
    return plan_albums(Plan(albums={"A": "1"}), {"1": album}, inputs, direction)


def _table(title, description) -> dict:
    return {k: v for k, v in (("title", title), ("description", description)) if v}


@given(
    here=st.one_of(st.none(), st.tuples(TITLE, TEXT)),
    there=st.tuples(TITLE, TEXT),
    base=st.one_of(st.none(), st.tuples(TITLE, TEXT)),
)
def test_one_run_converges_and_loses_nothing_it_should_keep(here, there, base):
    """Whatever each side holds and whatever the base: after one run both sides agree, the next
    run plans nothing (and records nothing new), a side that did not change since the base takes
    the other's value, and a folder with no settings file never empties Flickr's values."""
    declared = None if here is None else _table(*here)
    album = RemoteAlbum("1", there[0] or "A", "p", 1, 0, there[1])
    base_map = None if base is None else {"title": own_album_title(base[0], "A", "nested"), "description": base[1]}
    plan = _plan(declared, album, base_map)
    actions = [a for a in plan.actions if isinstance(a, SyncAlbumMeta)]
    new_declared, new_album = declared, album
    recorded = plan.album_records.get("1", base_map)
    if actions:
        (a,) = actions
        if a.to_local:
            new_declared = {**(declared or {})}
            for name in a.to_local:
                value = a.title if name == "title" else a.description
                new_declared.pop(name, None)
                if value:
                    new_declared[name] = value
        if a.to_remote:
            new_album = RemoteAlbum("1", a.title or a.default_title, "p", 1, 0, a.description)
        recorded = a.base
        assert a.title != "A"  # (the folder's own name is never written as a title of its own)
    again = _plan(new_declared, new_album, recorded)
    assert not again.actions and not again.album_records, "a second run finds more to do"
    mine = own_album_title((new_declared or {}).get("title"), "A", "nested")
    theirs = own_album_title(new_album.title, "A", "nested")
    assert mine == theirs and (new_declared or {}).get("description", "") == new_album.description
    if declared is None:  # no settings file: Flickr's side is never changed
        assert new_album == album
    elif base is not None and plan.meta_conflicts == ():
        here_title = own_album_title(here[0], "A", "nested")
        if (here_title, here[1]) == (base_map["title"], base_map["description"]):
            assert (theirs, new_album.description) == (own_album_title(there[0], "A", "nested"), there[1])


def test_one_way_runs_write_one_side_only():
    album = RemoteAlbum("1", "A", "p", 1, 0, "theirs")
    base = {"title": None, "description": ""}
    (pull,) = _plan({"description": "mine"}, album, base, Direction.PULL).actions or (None,)
    assert pull is None  # the folder's change waits for a run that may write on Flickr
    (push,) = _plan({"description": "mine"}, album, base, Direction.PUSH).actions
    assert isinstance(push, SyncAlbumMeta) and push.to_remote == ("description",) and push.to_local == ()


def test_a_new_albums_description_rides_in_its_creation():
    place = PlaceInAlbum("A", None, "A", ("A/x.jpg",))
    inputs = AlbumInputs(declared={"A": {"description": "May"}}, bases={}, folders=frozenset({"A"}), layout="nested")
    plan = plan_albums(Plan(actions=(place,), albums={}), {}, inputs, Direction.BOTH)
    assert plan.actions == (PlaceInAlbum("A", None, "A", ("A/x.jpg",), "May"),)
