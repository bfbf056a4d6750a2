"""The state DB on its own: each write is one transaction, all or nothing, and a failed one
leaves the file as it was and the connection ready for the next."""

from __future__ import annotations

import pytest

from pycsync.errors import StateError
from pycsync.model import BaseItem
from pycsync.state import StateDB


def item(key: str, photo_id: object = "1") -> BaseItem:
    return BaseItem(key, photo_id, "sha-" + key, 10, 20, "secret", True)  # type: ignore[arg-type]


def unbindable(key: str) -> BaseItem:
    """An item SQLite cannot store (its insert fails inside the transaction)."""
    return item(key, photo_id=object())


@pytest.fixture
def path(tmp_path):
    return tmp_path / "state.db"


def keys_on_disk(path) -> set[str]:
    """What another connection sees: only what was committed."""
    other = StateDB(path)
    try:
        return set(other.load_base().items)
    finally:
        other.close()


def test_a_failed_batch_leaves_nothing_of_itself(path):
    db = StateDB(path)
    db.put_item(item("a.jpg"))
    with pytest.raises(StateError, match="cannot be used"):
        db.put_items([item("b.jpg"), item("c.jpg"), unbindable("d.jpg")])
    assert set(db.load_base().items) == {"a.jpg"}
    assert keys_on_disk(path) == {"a.jpg"}
    db.close()


def test_a_failed_rekey_keeps_the_old_key(path):
    db = StateDB(path)
    db.put_item(item("old.jpg"))
    with pytest.raises(StateError, match="cannot be used"):
        db.rekey("old.jpg", unbindable("new.jpg"))  # the delete ran, the insert failed
    assert set(db.load_base().items) == {"old.jpg"}
    assert keys_on_disk(path) == {"old.jpg"}
    db.close()


def test_the_connection_works_after_a_failed_transaction(path):
    db = StateDB(path)
    with pytest.raises(StateError, match="cannot be used"):
        db.put_items([item("a.jpg"), unbindable("b.jpg")])
    db.put_item(item("c.jpg"))  # no transaction left open, the lock released
    db.set_album("A", "7215")
    db.close()
    again = StateDB(path)
    assert set(again.load_base().items) == {"c.jpg"} and again.load_base().albums == {"A": "7215"}
    again.close()
