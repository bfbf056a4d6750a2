"""The emulator's layout holds: layers import only downwards, the registry is a leaf, handlers get
a backend (never the app or the server), and no function is longer than 60 lines."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from pycsync.emulator.api import FAMILIES, REGISTRY
from tests.unit.test_import_cycles import import_graph

EMULATOR = Path(__file__).resolve().parents[2] / "src" / "pycsync" / "emulator"
PKG = "pycsync.emulator"

# what each part may import of the emulator (besides itself)
_LAYERS = {
    "registry": set(),
    "api": {"registry", "render", "errors", "tags", "media", "store", "config", "backend", "oauth_checks"},
    "web": {"api", "backend", "errors", "render", "oauth_signing", "media", "store", "faults", "tags"},
}


def _emulator_graph() -> dict[str, set[str]]:
    graph = import_graph()
    return {m: {t for t in deps if t.startswith(PKG + ".")} for m, deps in graph.items() if m.startswith(PKG)}


def _part(module: str) -> str:
    return module[len(PKG) + 1 :].split(".")[0] if module != PKG else ""


@pytest.mark.parametrize("part", sorted(_LAYERS))
def test_each_layer_imports_only_what_lies_below_it(part):
    for module, deps in _emulator_graph().items():
        if _part(module) != part:
            continue
        reached = {_part(d) for d in deps} - {part}
        assert reached <= _LAYERS[part], f"{module} imports {sorted(reached - _LAYERS[part])}"


def test_every_family_registers_its_methods_and_nothing_is_registered_twice():
    assert all(any(s.fn.__module__ == f.__name__ for s in map(REGISTRY.__getitem__, REGISTRY)) for f in FAMILIES)
    assert len(REGISTRY) == len(set(REGISTRY))


def test_handlers_take_the_request_context_only():
    for name in REGISTRY:
        params = list(inspect.signature(REGISTRY[name].fn).parameters)
        assert params == ["ctx"], (name, params)


def test_no_function_in_the_emulator_is_longer_than_60_lines():
    long = []
    for path in sorted(EMULATOR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 60:
                    long.append(f"{path.relative_to(EMULATOR)}:{node.lineno} {node.name} ({length} lines)")
    assert long == []
