"""No import cycle anywhere in ``src/`` (the graph and the detector: tests/support/imports.py).

Run for a report: ``python -m tests.unit.test_import_cycles`` prints every module with its
intra-package imports and then the cycles found (none: exit status 0).
"""

from __future__ import annotations

import sys

from tests.support.imports import import_graph, strongly_connected


def test_the_detector_finds_a_cycle_through_three_modules_and_ignores_a_chain():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_the_graph_sees_relative_type_checking_and_function_level_imports(tmp_path):
    pkg = tmp_path / "p"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from .a import x\n")
    (pkg / "a.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .sub import b\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "b.py").write_text("def f():\n    from .. import a\n")
    graph = import_graph(tmp_path)
    assert graph == {"p": {"p.a"}, "p.a": {"p.sub.b"}, "p.sub": set(), "p.sub.b": {"p.a"}}
    assert strongly_connected(graph) == [["p.a", "p.sub.b"]]


def test_no_import_cycle_in_src():
    assert strongly_connected(import_graph()) == []


def main() -> int:
    graph = import_graph()
    for name in sorted(graph):
        print(f"{name} -> {', '.join(sorted(graph[name])) or '-'}")
    cycles = strongly_connected(graph)
    print(f"\n{len(graph)} modules, {sum(len(v) for v in graph.values())} intra-package imports")
    for component in cycles:
        print("CYCLE:", " <-> ".join(component))
    print(f"{len(cycles)} import cycle(s)")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
