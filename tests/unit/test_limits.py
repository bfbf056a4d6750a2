"""The check of a plan against the account's limits (pure): item and non-public limits with their
exact numbers and ways out, files too large or too long, Pro-only replaces, safe content."""

from __future__ import annotations

import json

import pytest

from pycsync.flickr.models import PersonInfo, UploadLimits
from pycsync.limits import (
    FREE_MAX_ITEMS,
    FREE_MAX_NONPUBLIC,
    LIMITS_META,
    Account,
    Outgoing,
    account_from,
    check,
    read_account,
    without_refused,
)
from pycsync.model import Download, PlaceInAlbum, Plan, Replace, Upload

MB = 2**20


def free(items: int = 0, nonpublic: int = 0, **kw) -> Account:
    return Account(False, items, nonpublic, FREE_MAX_ITEMS, FREE_MAX_NONPUBLIC, **({"max_video_seconds": 180} | kw))


def pro(**kw) -> Account:
    return Account(True, 5000, 4000, None, None, **({"max_video_seconds": 600} | kw))


def uploads(n: int, start: int = 0, size: int = 1000) -> tuple[Upload, ...]:
    return tuple(Upload((f"A/{i}.jpg",), f"{i:064x}", size, str(i), f"{i}.jpg") for i in range(start, start + n))


def going(plan: Plan, privacy: str = "private", **kw) -> dict[str, Outgoing]:
    return {
        (a.keys[0] if isinstance(a, Upload) else a.key): Outgoing(a.size, False, privacy=privacy, **kw)
        for a in plan.actions
        if isinstance(a, (Upload, Replace))
    }


def test_fifty_non_public_fit_and_the_fifty_first_does_not():
    plan = Plan(actions=uploads(47))
    assert check(plan, free(nonpublic=3), going(plan)).ok
    verdict = check(plan, free(nonpublic=4), going(plan))
    assert not verdict.ok
    [excess] = verdict.excess
    assert (excess.limit, excess.have, excess.adding, excess.allowed, excess.over) == ("non-public items", 4, 47, 50, 1)
    message = verdict.message()
    assert "the account holds 4 of the 50 a free account may have" in message
    assert "this sync would add 47 new uploads that are not public (51, 1 over)" in message
    assert "--privacy public" in message and "narrow the selection" in message and "Flickr Pro" in message
    assert "nothing was uploaded" in message


def test_public_uploads_do_not_count_towards_the_fifty():
    plan = Plan(actions=uploads(300))
    assert check(plan, free(nonpublic=50), going(plan, privacy="public")).ok
    mixed = {k: Outgoing(1000, False, privacy="public" if i % 2 else "friends") for i, k in enumerate(going(plan))}
    verdict = check(plan, free(nonpublic=0), mixed)
    assert [(e.limit, e.adding, e.over) for e in verdict.excess] == [("non-public items", 150, 100)]


def test_the_thousand_item_limit_counts_every_upload():
    plan = Plan(actions=uploads(11))
    assert check(plan, free(items=989), going(plan, privacy="public")).ok
    verdict = check(plan, free(items=990), going(plan, privacy="public"))
    [excess] = verdict.excess
    assert (excess.limit, excess.have, excess.adding, excess.over) == ("items", 990, 11, 1)
    assert "the account holds 990 of the 1,000 a free account may have" in verdict.message()
    assert "narrow the selection to at most 10 new files" in verdict.message()


def test_both_limits_at_once_and_an_account_already_over_with_nothing_added():
    plan = Plan(actions=uploads(20))
    verdict = check(plan, free(items=999, nonpublic=49), going(plan))
    assert [e.limit for e in verdict.excess] == ["items", "non-public items"]
    # already past the limits (older uploads, the website): a plan adding nothing is no excess
    quiet = Plan(actions=(Download("A/x.jpg", "1", "u", "s", "photo"),))
    assert check(quiet, free(items=1500, nonpublic=90), {}).ok
    assert not check(Plan(actions=uploads(1)), free(items=10, nonpublic=90), {}).ok


def test_pro_accounts_have_no_item_or_non_public_limit():
    plan = Plan(actions=uploads(2000))
    assert check(plan, pro(), going(plan)).ok


def test_settings_changes_count_both_ways():
    plan = Plan(actions=uploads(5))
    # 10 photos made public free room for the 5 private uploads
    assert check(plan, free(nonpublic=50), going(plan), made_public=10).ok
    verdict = check(Plan(), free(nonpublic=45), {}, made_nonpublic=8)
    assert [(e.adding, e.over) for e in verdict.excess] == [(8, 3)]
    assert "8 photos made non-public by a .pycsync.toml" in verdict.message()


def test_files_too_large_or_too_long_are_held_back_with_the_limit():
    photo = Upload(("A/big.jpg",), "a" * 64, 201 * MB, "big", "big.jpg")
    same = Upload(("A/big2.jpg", "B/big2.jpg"), "b" * 64, 200 * MB, "big2", "big2.jpg")
    video = Upload(("A/long.mp4",), "c" * 64, 50 * MB, "long", "long.mp4")
    short = Upload(("A/short.mp4",), "d" * 64, 50 * MB, "short", "short.mp4")
    edit = Replace("A/edit.mp4", "77", "e" * 64, 2 * 2**30)
    plan = Plan(actions=(photo, same, video, short, edit, PlaceInAlbum("A", None, "A", ("A/big.jpg",))))
    outgoing = {
        "A/big.jpg": Outgoing(photo.size, False),
        "A/big2.jpg": Outgoing(same.size, False),
        "A/long.mp4": Outgoing(video.size, True, seconds=181.4),
        "A/short.mp4": Outgoing(short.size, True, seconds=180.0),
        "A/edit.mp4": Outgoing(edit.size, True),
    }
    verdict = check(plan, pro(max_video_seconds=180), outgoing)
    assert verdict.ok
    reasons = dict(verdict.too_big)
    assert list(reasons) == ["A/big.jpg", "A/long.mp4", "A/edit.mp4"]
    assert reasons["A/big.jpg"].startswith("too large for Flickr: 201 MB, and a photo may be at most 200 MB")
    assert reasons["A/long.mp4"].startswith(
        "too long for your pro Flickr account: 3 min 01 s, and a video may play at most 3 min 00 s (Flickr would cut"
    )
    assert reasons["A/edit.mp4"].startswith("too large for Flickr: 2 GB, and a video may be at most 1 GB")
    left = without_refused(plan, verdict)
    assert left.actions == (same, short, plan.actions[-1])


def test_a_free_account_cannot_replace_so_the_edit_waits():
    edit = Replace("A/x.jpg", "77", "e" * 64, 1000)
    plan = Plan(actions=(edit,))
    verdict = check(plan, free(), going(plan))
    assert verdict.ok and verdict.too_big == ()
    assert [k for k, _ in verdict.waiting] == ["A/x.jpg"]
    assert "Flickr replaces a photo's file only on a Pro account" in verdict.waiting[0][1]
    assert without_refused(plan, verdict).actions == ()
    assert check(plan, pro(), going(plan)).waiting == ()


def test_a_free_account_takes_safe_content_only():
    plan = Plan(actions=uploads(2))
    outgoing = going(plan, privacy="public", safety_level="moderate", safety_source="Art/.pycsync.toml")
    verdict = check(plan, free(), outgoing)
    assert [e.limit for e in verdict.excess] == ["safe content only"]
    assert "2 uploads or photos are set to a safety level other than safe (Art/.pycsync.toml)" in verdict.message()
    assert 'safety_level = "safe"' in verdict.message()
    assert check(plan, pro(), outgoing).ok
    assert check(plan, free(), going(plan, privacy="public", safety_level="safe")).ok
    changed = check(Plan(), free(), {}, unsafe_changes=(("B/y.jpg", "B/.pycsync.toml"),))
    assert [e.adding for e in changed.excess] == [1]


def test_the_verdict_as_json():
    plan = Plan(actions=uploads(3))
    doc = check(plan, free(nonpublic=49), going(plan)).as_json()
    assert doc["ok"] is False and doc["account"]["kind"] == "free"
    assert doc["exceeds"] == [
        {"limit": "non-public items", "have": 49, "adding": 3, "allowed": 50, "over": 2},
    ]


def test_the_account_from_people_get_info_and_get_limits():
    files = UploadLimits(200 * MB, 2**30, 180)
    acct = account_from(PersonInfo("n", False, 120, upload_count=121, upload_limit=1000), files, 118, 30)
    assert (acct.pro, acct.items, acct.nonpublic, acct.max_items, acct.max_nonpublic) == (False, 121, 30, 1000, 50)
    assert acct.max_video_seconds == 180
    shown = account_from(PersonInfo("n", False, 5, upload_limit=500), files, 5, 0)
    assert shown.max_items == 500, "the limit Flickr shows wins over the published one"
    paid = account_from(PersonInfo("n", True, 5), UploadLimits(None, None, 600), 5, 3)
    assert (paid.max_items, paid.max_nonpublic, paid.max_photo_bytes, paid.max_video_bytes) == (
        None,
        None,
        200 * MB,
        2**30,
    )


class _Client:
    def __init__(self, pro: bool):
        self.calls: list[str] = []
        self.pro = pro

    def person_info(self, nsid):
        self.calls.append("people.getInfo")
        return PersonInfo(nsid, self.pro, 10)

    def upload_limits(self):
        self.calls.append("people.getLimits")
        return UploadLimits(200 * MB, 2**30, 600 if self.pro else 180)


@pytest.mark.parametrize("pro_account", [False, True])
def test_read_account_costs_two_calls_at_most_and_caches_get_limits(pro_account):
    meta: dict[str, str] = {}
    store = (meta.get, meta.__setitem__)
    client = _Client(pro_account)
    first = read_account(client, "n", items=10, nonpublic=2, meta=store, now=1000.0)  # type: ignore[arg-type]
    assert client.calls == ["people.getInfo", "people.getLimits"]
    assert json.loads(meta[LIMITS_META])["pro"] is pro_account
    client.calls.clear()
    again = read_account(client, "n", items=10, nonpublic=2, meta=store, now=1000.0 + 86400)  # type: ignore[arg-type]
    assert client.calls == ["people.getInfo"] and again == first
    client.calls.clear()
    listed = PersonInfo("n", pro_account, 10)
    read_account(client, "n", items=10, nonpublic=2, person=listed, meta=store, now=2000.0)  # type: ignore[arg-type]
    assert client.calls == [], "the listing's people.getInfo and the cached limits: no call at all"
    # a week later, another kind of account, or another account: asked again
    for now, person, nsid in ((1000.0 + 8 * 86400, listed, "n"), (2000.0, PersonInfo("n", not pro_account, 1), "n")):
        client.calls.clear()
        read_account(client, nsid, items=1, nonpublic=0, person=person, meta=store, now=now)  # type: ignore[arg-type]
        assert client.calls == ["people.getLimits"]
    client.calls.clear()
    read_account(client, "other", items=1, nonpublic=0, person=listed, meta=store, now=2000.0)  # type: ignore[arg-type]
    assert client.calls == ["people.getLimits"]
