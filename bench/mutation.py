"""Mutation testing (mutmut) of the modules that hold pycsync's guarantees; see docs/mutation.md.

    python bench/mutation.py run [--profile pure|engine] [--jobs N] [--mutate FILE] [--tests ARG] [MUTANT_GLOB ...]
    python bench/mutation.py figures [--profile pure|engine]

``pure`` (the default) is ``[tool.mutmut]`` in pyproject.toml, so ``mutmut run`` is the same run:
the planner, names and selection rules with the unit and scenario tests. ``engine`` overlays
``[tool.mutmut.engine]``: the executor, the state database and the client's retries and rate
limiting, with the tests that drive them (over HTTP, so much slower). A glob such as
``"pycsync.naming*"`` runs one module's mutants only. ``--mutate`` and ``--tests`` narrow a
profile for a quick screen (``--mutate src/pycsync/flickr/transport.py --tests tests/flickr``): a
mutant the narrower tests kill is killed by the profile's too, which hold them; a survivor of a
screen is not yet a survivor of the profile. ``figures`` prints killed / total per module from
the last run's results in ``mutants/``.

Both profiles share ``mutants/`` (mutmut's working copy): switching profiles makes mutmut start
that profile afresh.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ("pure", "engine")
#: mutmut's exit code per mutant -> what it means here (mutmut.stats.status_by_exit_code)
DETECTED = {1: "killed", 3: "killed", 36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout"}
UNDETECTED = {0: "survived", 5: "no tests", 33: "no tests", None: "not checked"}


def settings(profile: str, mutate: list[str] | None = None, tests: list[str] | None = None) -> dict[str, Any]:
    """``[tool.mutmut]`` with the profile's overrides on top, and then these: ``mutate`` (the
    files to mutate) and ``tests`` (pytest's arguments that select the tests)."""
    table = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]
    base = {k: v for k, v in table.items() if k not in PROFILES}
    chosen = base if profile == "pure" else {**base, **table[profile]}
    if mutate:
        chosen["only_mutate"] = mutate
    if tests:
        chosen["pytest_add_cli_args_test_selection"] = tests
    return chosen


def run(profile: str, jobs: int, patterns: list[str], memory_gb: float, chosen: dict[str, Any]) -> int:
    import os
    import resource

    import mutmut.configuration as configuration
    from mutmut.__main__ import cli

    os.chdir(ROOT)  # mutmut works in ./mutants
    # a mutant can loop forever growing a list (``i += 2`` made ``i -= 2``): mutmut limits each
    # mutant's CPU time, not its memory, and such a loop takes 10 GB in seconds. The limit is
    # inherited by every mutant's process; reaching it fails the tests, so the mutant is killed.
    limit = int(memory_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    def reader():  # what mutmut would read from pyproject.toml, with the profile applied
        return lambda key, default: chosen.get(key, default)

    configuration._config_reader = reader
    configuration.reset_config()
    sys.argv = ["mutmut", "run", "--max-children", str(jobs), *patterns]
    try:
        cli()
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def figures() -> dict[str, Counter]:
    """module -> Counter of outcomes, from mutmut's per-file results (``mutants/**/*.py.meta``)."""
    out: dict[str, Counter] = defaultdict(Counter)
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        module = meta.relative_to(ROOT / "mutants" / "src").with_suffix("").with_suffix("")
        codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
        for code in codes.values():
            outcome = DETECTED.get(code) or UNDETECTED.get(code) or f"exit {code}"
            out[".".join(module.parts)][outcome] += 1
    return out


def print_figures() -> None:
    for module, seen in sorted(figures().items()):
        checked = sum(seen.values()) - seen["not checked"]
        detected = seen["killed"] + seen["timeout"]
        detail = ", ".join(f"{n} {what}" for what, n in sorted(seen.items()) if n)
        score = f"{100 * detected / checked:.1f} %" if checked else "-"
        print(f"{module}: {detected} of {checked} checked mutants detected ({score}); {detail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("run", "figures"))
    parser.add_argument("--profile", choices=PROFILES, default="pure")
    parser.add_argument("--jobs", type=int, default=1, help="mutants tested at once (default 1)")
    parser.add_argument("--memory-gb", type=float, default=3, help="address space per process (default 3)")
    parser.add_argument("--mutate", action="append", metavar="FILE", help="mutate only this file (repeatable)")
    parser.add_argument(
        "--tests", action="append", metavar="ARG", help="pytest's test selection instead of the profile's (repeatable)"
    )
    parser.add_argument("patterns", nargs="*", help='mutant names to run, e.g. "pycsync.naming*"')
    args = parser.parse_intermixed_args(argv)
    if args.command == "figures":
        print_figures()
        return 0
    chosen = settings(args.profile, args.mutate, args.tests)
    code = run(args.profile, args.jobs, args.patterns, args.memory_gb, chosen)
    print_figures()
    return code


if __name__ == "__main__":
    sys.exit(main())
