"""The engine's vocabulary: what the fast constructors build, and what the settings mean."""

from __future__ import annotations

import dataclasses

import pytest

from pycsync.model import (
    BaseItem,
    LocalItem,
    Privacy,
    RemotePhoto,
    new_base_item,
    new_local_item,
    new_remote_photo,
)


@pytest.mark.parametrize(
    ("cls", "make"), [(LocalItem, new_local_item), (BaseItem, new_base_item), (RemotePhoto, new_remote_photo)]
)
def test_the_bulk_constructors_build_exactly_what_the_dataclass_builds(cls, make):
    values = [f"v{i}" if f.type == "str" else i for i, f in enumerate(dataclasses.fields(cls))]
    fast, slow = make(*values), cls(*values)
    assert fast == slow and type(fast) is cls
    assert [getattr(fast, f.name) for f in dataclasses.fields(cls)] == values
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(fast, dataclasses.fields(cls)[0].name, "other")  # (frozen like the dataclass's own)


def test_privacy_settings_map_to_the_upload_fields_and_audiences():
    flags = {p.value: p.visibility for p in Privacy}
    assert flags == {
        "private": (0, 0, 0),
        "friends": (0, 1, 0),
        "family": (0, 0, 1),
        "friends+family": (0, 1, 1),
        "public": (1, 0, 0),
    }
    assert Privacy.PRIVATE.audience == frozenset()
    assert Privacy.PUBLIC.audience > Privacy.FRIENDS_FAMILY.audience > Privacy.FAMILY.audience
