"""Plan estimates (pure): calls per action as the executor makes them, bytes each way, and the
time at the hourly budget, with a run beyond the hour said up front."""

from __future__ import annotations

from pycsync.estimate import action_calls, duration, estimate, settings_calls
from pycsync.model import (
    ApplySettings,
    Confirm,
    CopyLocal,
    DeletePhoto,
    Download,
    Link,
    MoveLocal,
    MoveRemote,
    PlaceInAlbum,
    Plan,
    RemoveFromAlbum,
    Replace,
    TrashLocal,
    Upload,
)


def _uploads(n: int, size: int = 1_000_000) -> list[Upload]:
    return [Upload((f"A/{i}.jpg",), f"{i:064x}", size, str(i), f"{i}.jpg") for i in range(n)]


def test_the_initial_upload_costs_what_the_readme_says():
    """N uploads + 2 calls per new album + ceil(N/500) (the secrets read back)."""
    ups = _uploads(1001)
    plan = Plan(actions=(*ups, PlaceInAlbum("A", None, "A", tuple(k for u in ups for k in u.keys))))
    est = estimate(plan, rate_limit=3000)
    assert est.calls == 1001 + 2 + 3
    assert est.bytes_up == 1001 * 1_000_000 and est.downloads == 0
    assert est.describe() == "≈ 1,006 API calls: about 20 min at 3000/h; 1.0 GB up"
    assert not est.beyond_the_hour


def test_calls_per_action():
    assert action_calls(Replace("a", "1", "s", 10)) == 4
    assert action_calls(PlaceInAlbum("A", None, "A", ("a",))) == 1
    assert action_calls(PlaceInAlbum("A", None, "A", ("a", "b", "c"))) == 2
    assert action_calls(PlaceInAlbum("A", "9", "A", ("a", "b", "c"))) == 3
    assert action_calls(MoveRemote("a", "b", "1", "9", "b", "b.jpg")) == 1 + 3 + 1
    assert action_calls(MoveRemote("a", "b", "1", None, None)) == 0
    assert action_calls(RemoveFromAlbum("9", ("1", "2"))) == 1
    assert action_calls(DeletePhoto("1")) == 1
    assert action_calls(TrashLocal("a", photo_id="1")) == 1 and action_calls(TrashLocal("a")) == 0
    for free in (
        Download("a", "1", "u", "s", "photo"),
        Confirm("a", "1", "u", "s", "h"),
        CopyLocal("a", "b", "1", "s"),
        MoveLocal("a", "b", "1"),
        Link("a", "1", "h", "s"),
    ):
        assert action_calls(free) == 0, free


def test_settings_changes_cost_one_call_per_changed_setting():
    one = ApplySettings("1", "a", (("privacy", "private", "public"),))
    assert settings_calls(one) == 1
    both = ApplySettings("1", "a", (("safety_level", "safe", "moderate"), ("hidden", False, True)))
    assert settings_calls(both) == 1, "setSafetyLevel sets both"
    every = ApplySettings(
        "1",
        "a",
        (
            ("privacy", "private", "friends"),
            ("safety_level", None, "safe"),
            ("content_type", None, "other"),
            ("hidden", None, True),
            ("license", None, "cc0"),
            ("tags", ("x", "y"), ("y", "z")),
        ),
    )
    # setPerms, setSafetyLevel, setContentType, setLicense, addTags; getInfo + one removeTag
    assert settings_calls(every) == 1 + 1 + 1 + 1 + 1 + 2
    assert settings_calls(ApplySettings("1", "a", (("tags", (), ("a", "b")),))) == 1


def test_a_run_beyond_the_hour_says_so():
    est = estimate(Plan(actions=tuple(_uploads(12_376, size=100))), rate_limit=3000)
    assert est.calls == 12_376 + 25
    assert est.describe().startswith("≈ 12,401 API calls: about 4 h 8 min at 3000/h; 1.2 MB up.")
    assert est.beyond_the_hour and "keeps going, waiting for the budget" in est.describe()
    assert est.as_json()["seconds_at_rate_limit"] == round(12_401 / 3000 * 3600)
    # the calls the run has made already count in the same hour
    assert estimate(Plan(actions=tuple(_uploads(2990))), rate_limit=3000, calls_so_far=5).calls == 2996
    assert estimate(Plan(actions=tuple(_uploads(2990))), rate_limit=3000, calls_so_far=5).beyond_the_hour
    assert not estimate(Plan(actions=tuple(_uploads(2990))), rate_limit=3000).beyond_the_hour


def test_no_budget_and_nothing_to_do():
    est = estimate(Plan(actions=tuple(_uploads(5000))), rate_limit=None)
    assert est.hours is None and not est.beyond_the_hour
    assert est.describe() == "≈ 5,010 API calls; 5.0 GB up"
    assert estimate(Plan(), rate_limit=3000).describe() == "≈ 0 API calls"
    down = estimate(Plan(actions=(Download("a", "1", "u", "s", "photo"),)), rate_limit=3000)
    assert down.describe() == "≈ 0 API calls; 1 file down"


def test_license_uploads_add_a_call_each():
    assert estimate(Plan(actions=tuple(_uploads(3))), rate_limit=3000, license_uploads=3).calls == 3 + 1 + 3


def test_durations():
    assert duration(0.001) == "under a minute"
    assert duration(0.5) == "30 min"
    assert duration(4 + 8 / 60) == "4 h 8 min"
