"""The planner's decision table and the README's table "what pycsync does" name the same rows,
and every pair of statuses a key can be in is either decided or needs nothing."""

from __future__ import annotations

import itertools
from pathlib import Path

from pycsync.planner import DECISIONS, EARLIER_PASSES, NOTHING_TO_DO, Local, Remote, _Planner

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def readme_rows() -> list[tuple[str, str]]:
    """The first two cells of each row of the README's decision table."""
    table = README[README.index("| on your disk | on Flickr | pycsync does |") :].split("\n\n", 1)[0]
    rows = [line.split("|")[1:3] for line in table.splitlines()[2:]]
    return [(disk.strip(), flickr.strip()) for disk, flickr in rows]


def possible(local: Local, remote: Remote) -> bool:
    """A key is in the base on both sides or on neither, and comes from at least one side."""
    unknown = (Local.NEW, Local.ABSENT), (Remote.NEW, Remote.ABSENT)
    return (local in unknown[0]) == (remote in unknown[1]) and (local, remote) != (Local.ABSENT, Remote.ABSENT)


def test_every_possible_pair_is_decided_or_needs_nothing_and_no_other():
    for pair in itertools.product(Local, Remote):
        decided, idle = pair in DECISIONS, pair in NOTHING_TO_DO
        if possible(*pair):
            assert decided != idle, pair
        else:
            assert not decided and not idle, f"{pair} cannot happen"


def test_the_readme_table_has_exactly_the_rows_the_planner_runs():
    rows = readme_rows()
    assert len(rows) == len(set(rows)), "a README row twice"
    ran = {(d.on_disk, d.on_flickr) for d in DECISIONS.values()} | set(EARLIER_PASSES)
    assert set(rows) == ran


def test_each_row_is_a_method_of_the_planner():
    for decide in [d.decide for d in DECISIONS.values()] + list(EARLIER_PASSES.values()):
        assert getattr(_Planner, decide.__name__) is decide
