"""A run's check phase, between plan and execute: scan -> list -> plan -> **check** -> execute.

The planner's plan gets the per-folder settings changes for photos already on Flickr
(:mod:`pycsync.settings_plan`), is held against the account's limits (:mod:`pycsync.limits`:
a plan passing the item or non-public limit stops the run with exit 7 before anything is sent;
files too large or too long are taken out and reported), and is priced
(:mod:`pycsync.estimate`). `sync`, `sync --dry-run` and `status` all run it, so they give the
same verdict. The account is read at most once per run, and only when the plan sends a file or
changes who may see a photo.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pycsync import naming
from pycsync.estimate import Estimate, estimate
from pycsync.flickr import FlickrClient
from pycsync.flickr.models import PersonInfo
from pycsync.folder_settings import FolderSettings
from pycsync.limits import (
    Account,
    LimitsAbort,
    Outgoing,
    Verdict,
    check,
    read_account,
    video_seconds,
    without_refused,
)
from pycsync.model import (
    ApplySettings,
    Base,
    Direction,
    LocalItem,
    Plan,
    RemoteListing,
    Replace,
    Upload,
    folder_of,
)
from pycsync.planner import phase
from pycsync.settings_plan import plan_settings, privacy_moves

NOT_SENT = "not sent, and not tried again until the file changes"


@dataclass
class Checked:
    """The plan to run and what the check found."""

    plan: Plan
    estimate: Estimate
    verdict: Verdict | None = None  # None: nothing needed the account
    # held back from this run, with why (not sent: too large or too long; waiting: edits of a
    # free account's photos; photos whose folders disagree on a setting)
    unsynced: list[tuple[str, str]] = field(default_factory=list)
    # (key, reason) of the files too large or too long, to remember as refused until they change
    refused: list[tuple[str, str]] = field(default_factory=list)


class RunCheck:
    """The check of one run; ``run(plan, base)`` for each plan the run makes (a run plans again
    after renaming folders or comparing originals), reading the account once."""

    def __init__(
        self,
        client: FlickrClient,
        *,
        user_nsid: str,
        root: Path,
        local: Mapping[str, LocalItem],
        remote: RemoteListing,
        folders: FolderSettings,
        applied: Mapping[str, Mapping[str, object]],
        direction: Direction,
        excluded: Callable[[str], bool] | None = None,
        person: PersonInfo | None = None,
        meta: tuple[Callable[[str], str | None], Callable[[str, str], None]] | None = None,
    ):
        self.client = client
        self.user_nsid = user_nsid
        self.root = Path(root)
        self.local = local
        self.remote = remote
        self.folders = folders
        self.applied = applied
        self.direction = direction
        self.excluded = excluded
        self.person = person
        self.meta = meta
        self.account: Account | None = None
        self._seconds: dict[str, float | None] = {}

    def run(self, plan: Plan, base: Base) -> Checked:
        """The plan to execute: raises :class:`~pycsync.limits.LimitsAbort` when it passes the
        account's item or non-public limits."""
        unsynced: list[tuple[str, str]] = []
        changes: tuple[ApplySettings, ...] = ()
        if self.direction is not Direction.PULL:  # (settings change Flickr)
            changes, disagreements = plan_settings(plan, base, self.remote, self.folders, self.applied, self.excluded)
            unsynced.extend(disagreements)
            if changes:
                plan = dataclasses.replace(plan, actions=tuple(sorted((*plan.actions, *changes), key=phase)))
        verdict = None
        refused: list[tuple[str, str]] = []
        if self._needs_account(plan, changes):
            made_nonpublic, made_public = privacy_moves(changes)
            verdict = check(
                plan,
                self._account(),
                self._outgoing(plan),
                made_nonpublic=made_nonpublic,
                made_public=made_public,
                unsafe_changes=self._unsafe(changes),
            )
            if not verdict.ok:
                raise LimitsAbort(verdict)
            plan = without_refused(plan, verdict)
            refused = list(verdict.too_big)
            unsynced.extend((k, f"{why}; {NOT_SENT}") for k, why in verdict.too_big)
            unsynced.extend(verdict.waiting)
        licensed = sum(
            1
            for a in plan.actions
            if isinstance(a, Upload) and "license" in self.folders.resolve(folder_of(a.keys[0])).declared
        )
        limiter = self.client.limiter
        cost = estimate(
            plan,
            rate_limit=limiter.calls_per_hour if limiter is not None else None,
            calls_so_far=self.client.stats.total_calls,
            license_uploads=licensed,
        )
        return Checked(plan, cost, verdict, unsynced, refused)

    def _needs_account(self, plan: Plan, changes: tuple[ApplySettings, ...]) -> bool:
        if any(isinstance(a, (Upload, Replace)) for a in plan.actions):
            return True
        return any(name in ("privacy", "safety_level") for a in changes for name, _, _ in a.changes)

    def _account(self) -> Account:
        if self.account is None:
            photos = self.remote.photos.values()
            self.account = read_account(
                self.client,
                self.user_nsid,
                items=len(self.remote.photos),
                nonpublic=sum(1 for p in photos if p.privacy != "public"),  # (not told: counted, to be safe)
                person=self.person,
                meta=self.meta,
            )
        return self.account

    def _outgoing(self, plan: Plan) -> dict[str, Outgoing]:
        out = {}
        for a in plan.actions:
            if not isinstance(a, (Upload, Replace)):
                continue
            key = a.keys[0] if isinstance(a, Upload) else a.key
            video = naming.is_video(key)
            resolved = self.folders.resolve(folder_of(key))
            safety = resolved.declared.get("safety_level")
            out[key] = Outgoing(
                a.size,
                video,
                self._length(key) if video else None,
                privacy=str(resolved["privacy"]),
                safety_level=None if safety is None else str(safety),
                safety_source=resolved.values["safety_level"].source,
            )
        return out

    def _length(self, key: str) -> float | None:
        if key not in self._seconds:
            item = self.local.get(key)
            self._seconds[key] = video_seconds(self.root / item.path) if item is not None else None
        return self._seconds[key]

    def _unsafe(self, changes: tuple[ApplySettings, ...]) -> tuple[tuple[str, str], ...]:
        out = []
        for a in changes:
            for name, _, new in a.changes:
                if name == "safety_level" and new != "safe":
                    out.append((a.key, self.folders.resolve(folder_of(a.key)).values["safety_level"].source))
        return tuple(out)
