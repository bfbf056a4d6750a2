"""Videos go up and come back byte-identical with a video extension (Flickr reports a video's
original format as its poster's, so the real type comes from the served file)."""

from __future__ import annotations

from tests.support.calls import static_calls, write_calls
from tests.support.convergence import assert_converged
from tests.support.files import sha, tree, write_jpeg
from tests.support.media import make_mp4_bytes
from tests.support.remote import photo_titled, photo_with_sha


def test_video_round_trips_with_its_extension_and_bytes(emulator, root, tmp_path, sync_json):
    clip = make_mp4_bytes(seed=1)
    (root / "Trip").mkdir()
    (root / "Trip" / "clip.mp4").write_bytes(clip)
    write_jpeg(root / "Trip" / "still.jpg", 2)
    assert sync_json(root)["uploaded"] == 2
    video = photo_with_sha(emulator, sha(clip))
    assert video["media"] == "video" and video["title"] == "clip"
    assert_converged(emulator, sync_json, root)

    other = tmp_path / "copy"
    other.mkdir()
    assert sync_json(other)["downloaded"] == 2
    assert tree(other) == tree(root)
    assert_converged(emulator, sync_json, other)


def test_video_uploaded_on_flickr_downloads_as_a_video_file(emulator, root, sync_json, web):
    clip = make_mp4_bytes(seed=3, size=8000)
    web.upload(clip, "Birthday party", "Family", ext="mp4")
    mov = make_mp4_bytes(seed=4, brand=b"qt  ")
    web.upload(mov, "old camera", "Family", ext="mov")
    sync_json(root)
    assert tree(root) == {"Family/Birthday party.mp4": clip, "Family/old camera.mov": mov}
    assert_converged(emulator, sync_json, root)


def test_video_edit_replaces_the_same_video(emulator, root, sync_json, web):
    (root / "V").mkdir()
    (root / "V" / "clip.mp4").write_bytes(make_mp4_bytes(seed=5))
    sync_json(root)
    old = photo_titled(emulator, "clip")
    edited = make_mp4_bytes(seed=6)
    (root / "V" / "clip.mp4").write_bytes(edited)
    emulator.reset_calls()
    assert sync_json(root)["replaced"] == 1
    assert write_calls(emulator).get("replace") == 1
    assert photo_with_sha(emulator, sha(edited))["id"] == old["id"]
    assert_converged(emulator, sync_json, root)

    # and a replacement on Flickr comes down over it, still as clip.mp4
    newer = make_mp4_bytes(seed=7)
    web.replace(old["id"], newer, ext="mp4")
    emulator.reset_calls()
    sync_json(root)
    assert static_calls(emulator) == 2  # the play URL and the file it redirects to
    assert tree(root) == {"V/clip.mp4": newer}
    assert_converged(emulator, sync_json, root)
