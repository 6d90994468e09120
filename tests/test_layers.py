"""The layout: the data path of every command reads downward, nothing imports back up, and
modules and functions stay small.

Every module of ``src/gradcli`` has a layer (the table below, by package or module, the
longest name first).  A module may import modules of its own layer or of a lower one, never
of a higher one: imports inside functions count too (the CLI imports lazily), as do imports
under ``if TYPE_CHECKING``.  The imports made when a module loads form no circle.  The
README's "Architecture" section draws the same layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "gradcli"

#: Layer of each package or module (the longest matching name wins); lower layers are
#: imported by higher ones, never the other way round.
LAYERS = {
    "gradcli": 0,  # the version
    "gradcli.record": 0,
    "gradcli.errors": 0,
    "gradcli.text": 0,
    "gradcli.limits": 1,
    "gradcli.output": 1,
    "gradcli.io": 1,
    "gradcli.language": 2,
    "gradcli.model": 3,
    "gradcli.calculus": 4,
    "gradcli.check": 5,
    "gradcli.codegen": 5,
    "gradcli.results": 6,
    "gradcli.render": 7,
    "gradcli.app": 8,
    "gradcli.cli": 9,
    "gradcli.__main__": 10,
}


def _module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


MODULES = {_module_name(p)[0]: p for p in sorted((SRC / PACKAGE).rglob("*.py"))}


def layer(module: str) -> int:
    best = max((name for name in LAYERS if module == name or module.startswith(name + ".")), key=len)
    return LAYERS[best]


def _resolve(name: str) -> str | None:
    """The module of this package that ``name`` is, or is in (a name imported from it)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports(module: str) -> list[tuple[str, int, bool]]:
    """(imported module, line, at load time) for each import of a module of this package."""
    path = MODULES[module]
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    at_load = {id(n) for n in tree.body}
    for node in tree.body:  # imports under a top-level if/try run at load time too
        if isinstance(node, (ast.If, ast.Try)):
            at_load |= {id(n) for n in ast.walk(node)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            # ``from . import ast``: the submodule; ``from .shapes import is_matrix``: the module
            names = [f"{origin}.{a.name}" if f"{origin}.{a.name}" in MODULES else origin for a in node.names]
        else:
            continue
        for name in names:
            target = _resolve(name) if name.split(".")[0] == PACKAGE else None
            if target is not None and target != module:
                out.append((target, node.lineno, id(node) in at_load))
    return out


def test_every_module_has_a_layer():
    assert set(MODULES) >= set(LAYERS), sorted(set(LAYERS) - set(MODULES))
    for module in MODULES:
        layer(module)  # a module outside every entry of the table fails here


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_runs_back_up(module):
    upward = [f"{module}:{line} imports {target} (layer {layer(target)} > {layer(module)})"
              for target, line, _ in imports(module) if layer(target) > layer(module)]
    assert not upward, "\n".join(upward)


def test_no_import_circle_at_load_time():
    graph = {m: sorted({t for t, _, load in imports(m) if load}) for m in MODULES}
    # Tarjan's strongly connected components, iteratively
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    circles: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    circles.append(sorted(component))
    assert not circles, f"import circles: {circles}"


def test_the_walk_sees_imports_inside_functions():
    # the CLI imports its use cases when a command runs: those imports are walked too
    lazy = {t for t, _, load in imports("gradcli.cli.commands") if not load}
    assert "gradcli.app.derivative" in lazy and "gradcli.render.dot" in lazy


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module):
    """No module over 500 lines, no function over 80: a new idea gets a module of its own."""
    text = MODULES[module].read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 500, f"{module} has {len(text.splitlines())} lines"
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 80]
    assert not long, f"{module}: {', '.join(long)}"
