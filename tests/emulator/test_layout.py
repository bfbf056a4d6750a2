"""The emulator's layout holds: layers import only downwards, the registry is a leaf, handlers get
a backend (never the app or the server), and no function is longer than 60 lines."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from pycsync.emulator.api import FAMILIES, REGISTRY
from tests.support.imports import import_graph

EMULATOR = Path(__file__).resolve().parents[2] / "src" / "pycsync" / "emulator"
PKG = "pycsync.emulator"

# the layers, top down: a module may import its own layer's and lower layers' modules, never a
# higher layer's (the registry, at the bottom, imports nothing of the emulator at all)
_LAYERS = [
    {"cli", "server", "__init__", "__main__"},
    {"web"},
    {"api"},
    {"backend"},
    {
        "accounts",
        "budget",
        "config",
        "errors",
        "faults",
        "media",
        "metadata",
        "network",
        "oauth_checks",
        "oauth_signing",
    }
    | {"recorder", "render", "sizes", "store", "tags"},
    {"registry"},
]


def _layer(part: str) -> int:
    return next(i for i, layer in enumerate(_LAYERS) if part in layer)


def _emulator_graph() -> dict[str, set[str]]:
    graph = import_graph()
    return {m: {t for t in deps if t.startswith(PKG + ".")} for m, deps in graph.items() if m.startswith(PKG)}


def _part(module: str) -> str:
    return module[len(PKG) + 1 :].split(".")[0] if module != PKG else "__init__"


def test_each_layer_imports_only_what_lies_below_it():
    for module, deps in _emulator_graph().items():
        level = _layer(_part(module))
        above = sorted(d for d in deps if _layer(_part(d)) < level)
        assert above == [], f"{module} imports {above} from a higher layer"


def test_every_module_has_a_layer():
    for module in _emulator_graph():
        assert _layer(_part(module)) >= 0


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
