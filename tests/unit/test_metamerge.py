"""The three-way merge of one photo's metadata: each rule, then properties over random histories."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pycsync.metadata import FIELDS, Location, Meta, field_value, fields_equal, tag_set
from pycsync.metamerge import FieldConflict, PhotoMeta, dump_base, load_base, merge, settled_base

BASE_META = Meta(
    title="Sunset", description="caption", tags=("paris", "Eiffel"), taken="2019-05-04 13:14:15", location=None
)


def base_of(meta: Meta) -> dict:
    return settled_base(None, meta, meta)


def test_nothing_changed_nothing_to_do():
    result = merge(BASE_META, BASE_META, base_of(BASE_META))
    assert result.noop and result.meta == BASE_META and result.conflicts == ()


def test_a_field_changed_on_one_side_wins():
    here = Meta(
        title="Sunset over Paris",
        description="caption",
        tags=("paris", "Eiffel"),
        taken="2019-05-04 13:14:15",
    )
    there = Meta(
        title="Sunset",
        description="new caption on Flickr",
        tags=("paris", "Eiffel"),
        taken="2019-05-04 13:14:15",
        location=Location(48.85, 2.29, 16),
    )
    result = merge(here, there, base_of(BASE_META))
    assert result.meta.title == "Sunset over Paris" and result.to_remote == ("title",)
    assert result.meta.description == "new caption on Flickr" and result.meta.location == Location(48.85, 2.29, 16)
    assert result.to_local == ("description", "location")
    assert result.remote_fields() == ("title",) and result.conflicts == ()


def test_changed_differently_on_both_sides_the_folder_wins_and_it_is_reported():
    here = Meta(title="Mine", description="caption", tags=("paris", "Eiffel"), taken="2019-05-04 13:14:15")
    there = Meta(title="Theirs", description="caption", tags=("paris", "Eiffel"), taken="2019-05-04 13:14:15")
    result = merge(here, there, base_of(BASE_META))
    assert result.meta.title == "Mine" and result.to_remote == ("title",) and result.to_local == ()
    assert result.conflicts == (FieldConflict("title", "Mine", "Theirs"),)


def test_tags_merge_as_sets_from_both_sides():
    here = Meta(
        title="Sunset", description="caption", tags=("Paris", "Louvre"), taken=BASE_META.taken
    )  # -Eiffel +louvre
    there = Meta(title="Sunset", description="caption", tags=("paris", "eiffel", "night"), taken=BASE_META.taken)
    result = merge(here, there, base_of(BASE_META))
    assert result.meta.tags == ("Paris", "Louvre", "night")
    assert result.tags_add == ("Louvre",) and result.tags_remove == {"eiffel"}
    assert result.to_local == ("tags",) and result.conflicts == ()


def test_a_first_sync_loses_nothing():
    here = Meta(title=None, description="", tags=("a",), taken="2019-05-04 13:14:15", location=Location(1, 2))
    there = Meta(title="On Flickr", description="theirs", tags=("b",), taken="2018-01-01 00:00:00")
    result = merge(here, there, None)
    assert result.meta == Meta("On Flickr", "theirs", ("a", "b"), "2019-05-04 13:14:15", 0, Location(1, 2))
    # a value beats an empty field; two values: the folder's, reported
    assert result.conflicts == (FieldConflict("taken", ("2019-05-04 13:14:15", 0), ("2018-01-01 00:00:00", 0)),)
    assert result.to_remote == ("taken", "location") and result.to_local == ("title", "description", "tags")
    assert result.tags_add == ("a",) and not result.tags_remove


def test_a_base_survives_the_state():
    base = settled_base(None, BASE_META.with_field("location", Location(1.5, -2.25, 12)), BASE_META)
    assert "location" not in base  # still differs: unknown
    again = PhotoMeta(load_base(dump_base(base)), 5, frozenset({"x"}))
    assert again.base == {**base, "tags": frozenset(base["tags"])} and not again.complete
    full = PhotoMeta(load_base(dump_base(base_of(BASE_META))))
    assert full.complete and full.as_meta() == BASE_META.with_field("tags", ("eiffel", "paris"))
    assert load_base("not json") == {} and load_base('{"location": [1], "title": 3}') == {"title": "3"}


# --------------------------------------------------------------------------- properties

titles = st.sampled_from([None, "A", "B", "C"])
descriptions = st.sampled_from(["", "x", "y"])
tag_lists = st.lists(st.sampled_from(["a", "B", "c", "New York", "d"]), max_size=4).map(tuple)
dates = st.sampled_from([None, ("2019-05-04 13:14:15", 0), ("2019-05-01 00:00:00", 4), ("2018-01-01 00:00:00", 6)])
places = st.sampled_from([None, Location(1.0, 2.0, None), Location(1.0, 2.0, 11), Location(-3.5, 4.25, 16)])


@st.composite
def metas(draw) -> Meta:
    date = draw(dates)
    return Meta(
        title=draw(titles),
        description=draw(descriptions),
        tags=draw(tag_lists),
        taken=date[0] if date else None,
        granularity=date[1] if date else 0,
        location=draw(places),
    )


def same(a: Meta, b: Meta) -> bool:
    return all(fields_equal(f, field_value(a, f), field_value(b, f)) for f in FIELDS)


@given(metas(), metas(), metas(), st.booleans())
def test_applying_a_merge_converges(base, here, there, known):
    """Once both sides hold the merge, the next merge against the settled base does nothing."""
    old = base_of(base) if known else None
    result = merge(here, there, old)
    after = settled_base(old, result.meta, result.meta)
    assert merge(result.meta, result.meta, after).noop
    # and what it says to write is exactly what differs on each side
    assert set(result.to_local) == {
        f for f in FIELDS if not fields_equal(f, field_value(here, f), field_value(result.meta, f))
    }
    written = set(result.remote_fields())
    assert written == {f for f in FIELDS if not fields_equal(f, field_value(there, f), field_value(result.meta, f))}


@given(metas(), metas())
def test_one_side_changed_wins_without_conflict(base, changed):
    wins = changed if changed.taken is not None else changed.with_field("taken", field_value(base, "taken"))
    for here, there, side in ((changed, base, "local"), (base, changed, "remote")):
        result = merge(here, there, base_of(base))
        assert same(result.meta, wins) and result.conflicts == ()
        assert (result.changes_local if side == "remote" else result.changes_remote) or same(base, wins)


@given(metas(), metas(), metas())
def test_the_folder_wins_conflicts_and_tags_are_never_lost_or_revived(base, here, there):
    result = merge(here, there, base_of(base))
    for f in FIELDS:
        if f == "tags":
            continue
        mine, theirs, was = field_value(here, f), field_value(there, f), field_value(base, f)
        if f == "taken" and (mine is None or theirs is None):
            continue  # (an empty date is no change: see test_a_date_taken_is_never_emptied)
        if not fields_equal(f, mine, was) and not fields_equal(f, theirs, was) and not fields_equal(f, mine, theirs):
            assert fields_equal(f, field_value(result.meta, f), mine)
            assert any(c.field == f for c in result.conflicts)
    merged, mine, theirs, was = tag_set(result.meta.tags), tag_set(here.tags), tag_set(there.tags), tag_set(base.tags)
    assert (mine - was) | (theirs - was) <= merged  # every addition is kept
    assert not merged & ((was - mine) | (was - theirs))  # every removal is applied
    assert merged <= mine | theirs


@given(metas(), st.booleans())
def test_a_date_taken_is_never_emptied(base, known):
    """Flickr has no photo without a date taken: an empty date on one side takes the other's."""
    undated = base.with_field("taken", None)
    for here, there in ((undated, base), (base, undated)):
        result = merge(here, there, base_of(base) if known else None)
        assert result.meta.taken == base.taken and result.conflicts == ()
        if base.taken is not None:
            assert ("taken" in result.to_local) == (here is undated)
            assert ("taken" in result.remote_fields()) == (there is undated)


@given(metas(), metas())
def test_a_first_sync_keeps_both_sides_tags_and_every_value(here, there):
    result = merge(here, there, None)
    assert tag_set(result.meta.tags) == tag_set(here.tags) | tag_set(there.tags)
    for f in ("title", "description", "taken", "location"):
        if field_value(here, f) not in (None, "") or field_value(there, f) not in (None, ""):
            assert field_value(result.meta, f) not in (None, "")
