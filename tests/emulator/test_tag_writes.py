"""photos.addTags / setTags / removeTag as real Flickr does them (docs/flickr-behaviour.md, "Tags"):
full tag ids, one clean form per photo, the 75-tag limit, tags added by other people and who may
remove them, raw and clean forms, and lastupdate moving so that photos.recentlyUpdated sees edits."""

from __future__ import annotations

from typing import Any

from pycsync.emulator import EmulatorServer
from tests.support.api import Api
from tests.support.media import make_jpeg_bytes


def _tags(api: Api, pid: str) -> list[dict[str, Any]]:
    return api.info(pid)["tags"]["tag"]


def _other(emu: EmulatorServer, name: str = "bob") -> Api:
    user = emu.add_user(name)
    return Api(emu, user["oauth_token"], user["oauth_token_secret"])


def _age(emu: EmulatorServer, pid: str, seconds: int = 1000) -> int:
    """Pretend the photo was last updated ``seconds`` ago; returns that time."""
    emu.store.x("UPDATE photos SET lastupdate=lastupdate-? WHERE id=?", (seconds, int(pid)))
    return int(emu.store.photo(pid)["lastupdate"])


def test_full_tag_ids_name_the_owner_the_photo_and_the_tag(emulator):
    api = Api(emulator)
    a = api.upload_id(make_jpeg_bytes(seed=1), tags="beach Sunset")
    b = api.upload_id(make_jpeg_bytes(seed=2), tags="sunset")
    internal = emulator.store.user(emulator.user_nsid)["internal_id"]
    ids_a = {t["_content"]: t["id"] for t in _tags(api, a)}
    ids_b = {t["_content"]: t["id"] for t in _tags(api, b)}
    assert ids_a["beach"].startswith(f"{internal}-{a}-")
    # a tag's own id (the last part) is the same on every photo that carries it
    assert ids_a["sunset"].split("-")[2] == ids_b["sunset"].split("-")[2]
    assert ids_a["sunset"].split("-")[2] != ids_a["beach"].split("-")[2]


def test_add_tags_parses_quotes_and_skips_what_the_photo_has(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=3), tags="cat")
    answer = api.ok("flickr.photos.addTags", photo_id=pid, tags='Cat "Central Station" Łódź ns:pred="a b"')
    assert [(t["raw"], t["_content"]) for t in _tags(api, pid)] == [
        ("cat", "cat"),
        ("Central Station", "centralstation"),
        ("Łódź", "łódź"),
        ("ns:pred=a b", "ns:pred=ab"),
    ]
    # the answer lists the request's tags as the photo has them (recorded shape)
    listed = answer["tags"]["tag"]
    assert [t["raw"] for t in listed] == ["cat", "Central Station", "Łódź", "ns:pred=a b"]
    full = {t["raw"]: t["id"] for t in _tags(api, pid)}
    assert all(t["full_tag_id"] == full[t["raw"]] and t["id"] == full[t["raw"]].split("-")[2] for t in listed)
    assert set(listed[0]) == {"author", "authorname", "raw", "machine_tag", "_content", "full_tag_id", "id"}
    # as recorded, a machine tag shows in this answer in its plain clean form with machine_tag 0
    assert (listed[3]["_content"], listed[3]["machine_tag"]) == ("nspredab", 0)
    assert _tags(api, pid)[3]["machine_tag"] == 1


def test_the_75_tag_limit_counts_every_author_and_is_all_or_nothing(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=4), tags=" ".join(f"t{i}" for i in range(74)))
    api.fail("flickr.photos.addTags", 2, photo_id=pid, tags="x y")
    assert len(_tags(api, pid)) == 74
    api.ok("flickr.photos.addTags", photo_id=pid, tags="x t1")  # t1 is already there: one more, 75
    assert len(_tags(api, pid)) == 75
    api.fail("flickr.photos.setTags", 2, photo_id=pid, tags=" ".join(f"n{i}" for i in range(76)))


def test_others_add_tags_only_where_the_owner_lets_everybody(emulator):
    owner, bob = Api(emulator), _other(emulator)
    pid = owner.upload_id(make_jpeg_bytes(seed=5), tags="mine", is_public=1)
    private = owner.upload_id(make_jpeg_bytes(seed=6), is_public=0)
    bob.fail("flickr.photos.addTags", 1, photo_id=pid, tags="bobs")  # default: contacts only (2)
    owner.ok("flickr.photos.setPerms", photo_id=pid, is_public=1, is_friend=0, is_family=0, perm_addmeta=3)
    owner.ok("flickr.photos.setPerms", photo_id=private, is_public=0, is_friend=0, is_family=0, perm_addmeta=3)
    bob.ok("flickr.photos.addTags", photo_id=pid, tags="bobs")
    bob.fail("flickr.photos.addTags", 1, photo_id=private, tags="bobs")  # a photo bob cannot see
    bob.fail("flickr.photos.setTags", 1, photo_id=pid, tags="bobs")  # only the owner sets
    tags = {t["_content"]: t for t in _tags(owner, pid)}
    assert tags["bobs"]["author"] == bob.emu.store.q1("SELECT nsid FROM users WHERE username='bob'")["nsid"]
    assert tags["bobs"]["authorname"] == "bob"
    assert tags["bobs"]["id"].split("-")[0] == tags["mine"]["id"].split("-")[0]  # the owner's, not bob's


def test_who_may_remove_a_tag(emulator):
    owner, bob, eve = Api(emulator), _other(emulator), _other(emulator, "eve")
    pid = owner.upload_id(make_jpeg_bytes(seed=7), tags="mine", is_public=1)
    owner.ok("flickr.photos.setPerms", photo_id=pid, is_public=1, is_friend=0, is_family=0, perm_addmeta=3)
    bob.ok("flickr.photos.addTags", photo_id=pid, tags="bobs1 bobs2")
    ids = {t["_content"]: t["id"] for t in _tags(owner, pid)}
    bob.fail("flickr.photos.removeTag", 1, tag_id=ids["mine"])  # not his tag
    eve.fail("flickr.photos.removeTag", 1, tag_id=ids["bobs1"])  # not hers either
    bob.ok("flickr.photos.removeTag", tag_id=ids["bobs1"])  # his own
    owner.ok("flickr.photos.removeTag", tag_id=ids["bobs2"])  # the owner may remove anyone's
    owner.fail("flickr.photos.removeTag", 1, tag_id=ids["bobs2"])  # gone
    for bad in ("", "x", ids["mine"].split("-")[2], f"1-{pid}-999999999", "1-2-3-4"):
        owner.fail("flickr.photos.removeTag", 1, tag_id=bad)
    assert [t["_content"] for t in _tags(owner, pid)] == ["mine"]


def _photo_with_bobs_tag(emu: EmulatorServer) -> tuple[Api, str]:
    owner, bob = Api(emu), _other(emu)
    pid = owner.upload_id(make_jpeg_bytes(seed=8), tags="old keep", is_public=1)
    owner.ok("flickr.photos.setPerms", photo_id=pid, is_public=1, is_friend=0, is_family=0, perm_addmeta=3)
    bob.ok("flickr.photos.addTags", photo_id=pid, tags="bobs")
    return owner, pid


def test_set_tags_leaves_exactly_the_given_tags_by_default():
    with EmulatorServer() as emu:
        owner, pid = _photo_with_bobs_tag(emu)
        before = {t["_content"]: t["id"] for t in _tags(owner, pid)}
        owner.ok("flickr.photos.setTags", photo_id=pid, tags='Keep "new one"')
        after = _tags(owner, pid)
        assert [(t["raw"], t["_content"]) for t in after] == [("keep", "keep"), ("new one", "newone")]
        assert after[0]["id"] == before["keep"]  # a kept tag keeps its id and raw form


def test_set_tags_can_be_configured_to_keep_others_tags():
    with EmulatorServer(set_tags_keeps_others=True) as emu:
        owner, pid = _photo_with_bobs_tag(emu)
        owner.ok("flickr.photos.setTags", photo_id=pid, tags="")
        assert [t["_content"] for t in _tags(owner, pid)] == ["bobs"]


def test_every_tag_write_moves_lastupdate_so_recently_updated_sees_it(emulator):
    owner, bob = Api(emulator), _other(emulator)
    pid = owner.upload_id(make_jpeg_bytes(seed=9), tags="a", is_public=1)
    owner.ok("flickr.photos.setPerms", photo_id=pid, is_public=1, is_friend=0, is_family=0, perm_addmeta=3)
    writes = [
        lambda: owner.ok("flickr.photos.addTags", photo_id=pid, tags="b"),
        lambda: owner.ok("flickr.photos.setTags", photo_id=pid, tags="c d"),
        lambda: owner.ok("flickr.photos.removeTag", tag_id=_tags(owner, pid)[0]["id"]),
        lambda: bob.ok("flickr.photos.addTags", photo_id=pid, tags="e"),  # someone else's tag too
    ]
    for write in writes:
        old = _age(emulator, pid)
        assert [p["id"] for p in owner.ok("flickr.photos.recentlyUpdated", min_date=old + 1)["photos"]["photo"]] == []
        write()
        fresh = owner.ok("flickr.photos.recentlyUpdated", min_date=old + 1)["photos"]["photo"]
        assert [p["id"] for p in fresh] == [pid] and int(fresh[0]["lastupdate"]) > old


def test_adding_only_tags_the_photo_has_changes_nothing(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=10), tags="same")
    old = _age(emulator, pid)
    api.ok("flickr.photos.addTags", photo_id=pid, tags="Same SAME")
    assert int(emulator.store.photo(pid)["lastupdate"]) == old
