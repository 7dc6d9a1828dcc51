"""The package's architecture, enforced: layers import only downwards, no import cycles, small modules.

Layers, lowest first (``symalign.errors`` is the base every layer may use)::

    core < certify < io < numeric < verify < analysis < claims < export < cli

Imports are read with :mod:`ast` (module level and inside functions alike), so
a lazy import that climbs the ladder is caught too.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import symalign

PACKAGE = Path(symalign.__file__).parent
LAYERS = ["core", "certify", "io", "numeric", "verify", "analysis", "claims", "export", "cli"]
MAX_LINES = 520


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(importer: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    is_pkg = MODULES[importer].name == "__init__.py"
    base = importer.split(".") if is_pkg else importer.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(name: str) -> set[str]:
    """Every symalign module that ``name`` imports (the longest known prefix of each target)."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            mod = _resolve(name, node)
            targets.add(mod)
            targets.update(f"{mod}.{alias.name}" for alias in node.names)
    found = set()
    for t in targets:
        while t and t not in MODULES:
            t = t.rpartition(".")[0]
        if t.startswith("symalign") and t != name:
            found.add(t)
    return found


def _layer(name: str) -> int:
    parts = name.split(".")
    if len(parts) == 1 or parts[1] == "errors":
        return -1 if len(parts) > 1 else len(LAYERS)  # errors: base; the top-level package: above all
    return LAYERS.index(parts[1])


def test_every_module_is_in_a_layer():
    stray = [m for m in MODULES if m.count(".") >= 1 and m.split(".")[1] not in LAYERS + ["errors"]]
    assert stray == [], f"modules outside the layers {LAYERS}: {stray}"


def test_no_import_climbs_the_layers():
    bad = []
    for name in MODULES:
        for target in _imports(name):
            if target == "symalign":
                if name != "symalign":
                    bad.append(f"{name} imports the top-level package")
                continue
            if _layer(target) > _layer(name):
                bad.append(f"{name} ({LAYERS[_layer(name)] if _layer(name) >= 0 else 'base'}) imports {target}")
    assert bad == [], "imports from a higher layer:\n" + "\n".join(sorted(bad))


def test_no_import_cycle():
    graph = {name: _imports(name) - {"symalign"} for name in MODULES}
    # a package's __init__ importing its own submodules is not a cycle through them
    for name in graph:
        graph[name] = {t for t in graph[name] if not (t.startswith(name + ".") and MODULES[name].name == "__init__.py")}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_is_small(name):
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines (house limit ~500)"


def test_submodules_are_not_shadowed():
    """``import symalign.numeric.solve`` must give the module, not a function of the same name."""
    shadowed = []
    for info in pkgutil.walk_packages(symalign.__path__, "symalign."):
        module = importlib.import_module(info.name)
        parent_name, _, leaf = info.name.rpartition(".")
        parent = importlib.import_module(parent_name)
        if getattr(parent, leaf) is not module:
            shadowed.append(info.name)
    assert shadowed == []


def test_one_kkt_system_per_game(monkeypatch):
    """``solve`` builds the KKT system of a game once, however many phases use it (never for a family
    giving its exact quadratic utilities: that route needs no symbolic system)."""
    from symalign import Game, get_family, solve
    from symalign.core import kkt
    from symalign.core.families.custom import CustomFamily

    calls = []
    real = kkt.build_kkt_system

    def counting(game):
        calls.append(game)
        return real(game)

    monkeypatch.setattr(kkt, "build_kkt_system", counting)
    game = Game.create(get_family("active_alignment", "overlap"), 3, ["x", "y", "z"], alpha=1, beta=2,
                       gamma="1/2", a=[[1, 0, 0], [0, 1, 0], [0, 0, 1]], p=[0.5, 0.3, 0.2])
    sol = solve(game)
    assert sol.equilibria and sol.equilibria[0].exact
    assert len(calls) == 0, f"KKT system built {len(calls)} times"
    custom = Game.create(CustomFamily("-sum((w[d] - 1/3)**2, d) - sum(w[d]*m[d], d)/4"), 3, 3)
    sol = solve(custom)
    assert sol.equilibria and sol.equilibria[0].certified
    assert len(calls) == 1, f"KKT system built {len(calls)} times"
    assert kkt.kkt_system(game) is kkt.kkt_system(game)


# The checker reads the game as data only: from core, the game, its parameters, families (utilities as
# expressions) and the expression language; never a derivation route or a solver (core.derive, core.kkt,
# core.affine_solve, core.concavity, core.quadratic, core.rosen*, ...).
CERTIFY_MAY_IMPORT_FROM_CORE = ("symalign.core.game", "symalign.core.params", "symalign.core.expr",
                                "symalign.core.families")


def test_certify_imports_no_route():
    checker = [m for m in MODULES if m.startswith("symalign.certify")]
    assert checker, "symalign.certify is missing"
    bad = []
    for name in checker:
        for target in _imports(name):
            if target.startswith("symalign.certify") or target == "symalign.errors":
                continue
            if not target.startswith(CERTIFY_MAY_IMPORT_FROM_CORE):
                bad.append(f"{name} imports {target}")
    assert bad == [], "the checker imports a route:\n" + "\n".join(bad)


def test_certify_is_small():
    lines = sum(len(MODULES[m].read_text(encoding="utf-8").splitlines()) for m in MODULES
                if m.startswith("symalign.certify"))
    assert lines < 1500, f"symalign.certify has {lines} lines (the kernel must stay readable in one sitting)"
