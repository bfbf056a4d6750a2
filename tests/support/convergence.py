"""What a sync must leave behind: both sides agreeing on the intended layout, and a further run
that changes nothing."""

from __future__ import annotations

from pathlib import Path

from tests.support.calls import static_calls, wait_for_answers, write_calls
from tests.support.files import local_placements, partial_files, sha, tree
from tests.support.remote import duplicates, remote_placements

#: every count of a --json summary that a run which changes nothing leaves at zero
SUMMARY_COUNTS = (
    "uploaded",
    "downloaded",
    "replaced",
    "moved",
    "deleted",
    "linked",
    "metadata",
    "conflicts",
    "metadata_conflicts",
    "failed",
)


def assert_converged(emulator, sync_json, root: Path, *args: str) -> dict:
    """A further sync changes nothing on either side: no write call, no byte downloaded, nothing
    planned, the local tree and the Flickr state unchanged. (Taken once Flickr has answered every
    request of the runs before: a timed-out replace that lands late would change its state.)"""
    wait_for_answers(emulator)
    before_tree, before_state = tree(root), emulator.state()
    emulator.reset_calls()
    summary = sync_json(root, *args)
    assert write_calls(emulator) == {}, f"a converged sync made write calls: {write_calls(emulator)}"
    assert static_calls(emulator) == 0, "a converged sync downloaded bytes"
    assert {k: summary[k] for k in SUMMARY_COUNTS} == dict.fromkeys(SUMMARY_COUNTS, 0), summary
    assert tree(root) == before_tree
    assert emulator.state() == before_state
    return summary


def assert_same_both_sides(root: Path, emulator, layout: dict[str, str] | None = None) -> None:
    """Both sides agree (every file is a photo in its folder's album, every photo a file), no
    content has two Flickr photos, and nothing partial is left. ``layout`` (path -> sha256) is the
    intended tree: agreement alone would also hold if a run had moved files out of their folders
    on both sides, or lost some everywhere, so the tree must also be exactly this one."""
    state = emulator.state()
    assert duplicates(state) == {}, "more than one Flickr photo for one content"
    local, remote = local_placements(root), remote_placements(state)
    assert local == remote, (sorted((local - remote).elements()), sorted((remote - local).elements()))
    if layout is not None:
        have = {k: sha(v) for k, v in tree(root).items()}
        assert have == layout, (
            f"not where they belong: {sorted(set(have.items()) - set(layout.items()))}, "
            f"missing: {sorted(set(layout.items()) - set(have.items()))}"
        )
    assert partial_files(root) == []
