"""Right after a run that wrote to Flickr, a run with nothing to do still costs three calls: the
run recorded what its own writes did to the albums (members, count, Flickr's clock at its last
write), so the next listing recognises those albums instead of reading them again. And the
token's identity and permission, asked once, are known from then on: a revoked token is still
refused at once, by the first call's answer."""

from __future__ import annotations

import json

from tests.support.calls import LOGIN, NO_CHANGE
from tests.support.library import make_library


def test_quiet_right_after_uploads_into_new_and_existing_albums_and_outside_them(emulator, root, counted, flickr_clock):
    make_library(root, {"A": 3, "B/C": 2}, loose=1)
    summary, calls = counted(root)
    assert calls == {**LOGIN, **calls_without(calls, LOGIN)}, "the first run asks who the token is"
    flickr_clock.advance()
    make_library(root, {"A": 5, "New": 4, "Pair": 2, "Solo": 1}, loose=3)
    summary, calls = counted(root)
    assert summary["uploaded"] == 2 + 4 + 2 + 1 + 2
    assert "flickr.test.login" not in calls and "flickr.auth.oauth.checkToken" not in calls
    flickr_clock.advance()
    summary, calls = counted(root)
    assert calls == NO_CHANGE
    assert summary["files_hashed"] == 0 and summary["uploaded"] == summary["downloaded"] == 0


def test_quiet_right_after_moves_renames_and_an_emptied_album(emulator, root, counted, flickr_clock):
    make_library(root, {"A": 4, "B": 3, "Lone": 1})
    counted(root)
    flickr_clock.advance()
    (root / "A" / "IMG_0000.jpg").rename(root / "B" / "from A.jpg")  # A -> B
    (root / "B" / "IMG_0001.jpg").rename(root / "B" / "renamed.jpg")  # retitled
    (root / "Lone" / "IMG_0000.jpg").rename(root / "A" / "lone.jpg")  # Lone emptied: Flickr drops it
    (root / "Lone").rmdir()
    summary, calls = counted(root)
    assert summary["moved"] == 3 and summary["uploaded"] == 0, summary
    assert calls["flickr.photosets.removePhotos"] == 2 and calls["flickr.photos.setMeta"] == 3
    assert "Lone" not in {a["title"] for a in emulator.state()["albums"]}
    flickr_clock.advance()
    assert counted(root)[1] == NO_CHANGE


def test_quiet_right_after_deletions(emulator, root, counted, flickr_clock):
    make_library(root, {"A": 4, "B": 2}, loose=2)
    counted(root)
    flickr_clock.advance()
    (root / "A" / "IMG_0001.jpg").unlink()
    (root / "loose_0000.jpg").unlink()
    for name in ("IMG_0000.jpg", "IMG_0001.jpg"):  # B emptied
        (root / "B" / name).unlink()
    summary, calls = counted(root, "--delete")
    assert len(emulator.state()["photos"]) == 8 - 4, summary
    flickr_clock.advance()
    assert counted(root, "--delete")[1] == NO_CHANGE


def test_a_website_edit_after_the_run_to_an_album_it_wrote_is_still_read(
    emulator, root, counted, flickr_clock, flickr, tmp_path
):
    """One photo out, another in, a second after our run added to the album: the count is what
    our writes left, but the album's last update is later than any of them."""
    make_library(root, {"A": 3})
    counted(root)
    flickr_clock.advance()
    make_library(root, {"A": 5})
    counted(root)  # two addPhoto to A
    flickr_clock.advance(1)
    album = next(a for a in emulator.state()["albums"] if a["title"] == "A")
    make_library(tmp_path, {"web": 1})
    newcomer = flickr.upload(tmp_path / "web" / "IMG_0000.jpg", title="from the web").photo_id
    flickr.remove_from_album(album["id"], [album["photo_ids"][0]])
    flickr.add_to_album(album["id"], newcomer)
    flickr_clock.advance()
    summary, calls = counted(root)
    assert calls == {**NO_CHANGE, "flickr.photosets.getPhotos": 1, "static": 1}
    assert (root / "A" / "from the web.jpg").exists()


def test_a_new_token_is_asked_who_it_is_once(emulator, root, counted, flickr_clock, cli_env):
    make_library(root, {"A": 2})
    counted(root)
    flickr_clock.advance()
    token = emulator.add_token(perms="delete")
    cli_env.update(FLICKR_OAUTH_TOKEN=token["oauth_token"], FLICKR_OAUTH_TOKEN_SECRET=token["oauth_token_secret"])
    assert counted(root)[1] == {**LOGIN, **NO_CHANGE}
    flickr_clock.advance()
    assert counted(root)[1] == NO_CHANGE


def test_a_revoked_token_is_refused_by_the_first_call(emulator, root, cli, counted, flickr_clock):
    make_library(root, {"A": 2})
    counted(root)
    flickr_clock.advance()
    emulator.revoke_token(emulator.oauth_token)
    emulator.reset_calls()
    make_library(root, {"A": 3})  # something to upload: nothing of it is tried
    result = cli("sync", str(root), "--json")
    assert result.exit_code == 3, (result.output, result.stderr)
    assert json.loads(result.stdout)["error"]["kind"] == "auth"
    assert emulator.calls() == {"flickr.photosets.getList": 1}


def calls_without(calls: dict[str, int], drop: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in calls.items() if k not in drop}
