"""The package's shape: every import points down the layer table, and no module-level circle.

Walks every module of `incident_beads` with `ast`: imports at module level and inside functions
and methods count; only `if TYPE_CHECKING:` blocks are exempt (they never run). A new module or
package must be placed in LAYERS on purpose, so the picture in docs/design.md stays true.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import NamedTuple

import incident_beads

PACKAGE = "incident_beads"
ROOT = Path(incident_beads.__file__).resolve().parent

# Bottom to top; a module may import only from its own layer or the layers below it.
# Keys are module or package names relative to the package (`__init__`: the package itself).
LAYERS: list[tuple[str, list[str]]] = [
    ("foundation", ["errors", "defaults", "words", "clock", "digests", "collector",
                    "typedrecord"]),
    ("configuration", ["config"]),
    ("processes", ["process"]),
    ("trust", ["people", "signing"]),
    ("repository seam", ["repo"]),
    ("store", ["beads"]),
    ("merge driver", ["mergedriver"]),
    ("push guard", ["guard"]),
    ("notifications", ["notify"]),
    ("lifecycle", ["lifecycle"]),
    ("metrics", ["metrics"]),
    ("hotfix", ["hotfix"]),
    ("knowledge", ["knowledge"]),
    ("fleet", ["fleet"]),
    ("facade", ["response", "__init__"]),
    ("front ends", ["monitoring", "mcp_server"]),
    ("demo", ["demo"]),
    ("command line", ["cli", "__main__"]),
]

_PLACES: dict[str, int] = {
    name: index for index, (_, names) in enumerate(LAYERS) for name in names
}


class Import(NamedTuple):
    source: str  # importing module, dotted
    target: str  # imported module, dotted
    path: Path
    line: int
    module_level: bool


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_package(module: str) -> bool:
    return (ROOT.parent / module.replace(".", "/") / "__init__.py").is_file()


def _exists(module: str) -> bool:
    base = ROOT.parent / module.replace(".", "/")
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _resolve_from(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        origin = ".".join(base + ([node.module] if node.module else []))
    else:
        origin = node.module or ""
    if origin != PACKAGE and not origin.startswith(PACKAGE + "."):
        return []
    targets = []
    for alias in node.names:
        candidate = f"{origin}.{alias.name}"
        # `from pkg import module` imports the module; `from pkg import name` the package.
        targets.append(candidate if _exists(candidate) else origin)
    return targets


class _Walker(ast.NodeVisitor):
    def __init__(self, module: str, path: Path) -> None:
        self.module = module
        self.path = path
        self.is_package = path.name == "__init__.py"
        self.depth = 0  # > 0 inside a function, method or class body's function
        self.found: list[Import] = []

    def _add(self, target: str, node: ast.stmt) -> None:
        self.found.append(Import(self.module, target, self.path, node.lineno, self.depth == 0))

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = _visit_function
    visit_AsyncFunctionDef = _visit_function

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for target in _resolve_from(self.module, self.is_package, node):
            self._add(target, node)


def _imports() -> list[Import]:
    found: list[Import] = []
    for path in sorted(ROOT.rglob("*.py")):
        walker = _Walker(_module_name(path), path)
        walker.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        found.extend(walker.found)
    return found


def _layer(module: str) -> int | None:
    parts = module.split(".")[1:] or ["__init__"]
    # the longest placed prefix wins: `guard.__main__` is the guard, `__main__` the command line
    for end in range(len(parts), 0, -1):
        key = ".".join(parts[:end])
        if key in _PLACES:
            return _PLACES[key]
    return None


def _where(item: Import) -> str:
    return f"{item.path.relative_to(ROOT.parent)}:{item.line}"


def upward_imports(imports: list[Import]) -> list[str]:
    """Each import that points to a higher layer, named with file, line and both layers."""
    problems = []
    for item in imports:
        source, target = _layer(item.source), _layer(item.target)
        if source is None or target is None or target <= source:
            continue
        problems.append(
            f"{_where(item)}: {item.source} ({LAYERS[source][0]}, layer {source}) imports "
            f"{item.target} ({LAYERS[target][0]}, layer {target})"
        )
    return problems


def circles(imports: list[Import]) -> list[list[str]]:
    """The module-level import circles, each as the list of modules it passes through."""
    graph: dict[str, set[str]] = {}
    for item in imports:
        if item.module_level and item.target != item.source:
            graph.setdefault(item.source, set()).add(item.target)
    # Tarjan's strongly connected components, iterative so deep packages do not recurse
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, list[str]]] = [(start, sorted(graph.get(start, ())))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, todo = work[-1]
            if todo:
                nxt = todo.pop(0)
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(graph.get(nxt, ()))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
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
                    found.append(sorted(component))
    return found


def _cycle_path(component: list[str], imports: list[Import]) -> str:
    """One concrete loop through a component, for the failure message."""
    members = set(component)
    edges: dict[str, list[Import]] = {}
    for item in imports:
        if item.module_level and item.source in members and item.target in members:
            edges.setdefault(item.source, []).append(item)
    start = component[0]
    path: list[Import] = []
    seen = {start}
    node = start
    while True:
        step = min(edges[node], key=lambda item: (item.target != start, item.target in seen))
        path.append(step)
        if step.target == start or step.target in seen:
            break
        seen.add(step.target)
        node = step.target
    steps = " -> ".join(f"{step.source} ({_where(step)})" for step in path)
    return f"{steps} -> {path[-1].target}"


def test_every_module_is_placed_in_a_layer() -> None:
    unplaced = sorted(
        {_module_name(path) for path in ROOT.rglob("*.py") if _layer(_module_name(path)) is None}
    )
    assert not unplaced, "place these in LAYERS (tests/test_layers.py): " + ", ".join(unplaced)


def test_no_import_points_to_a_higher_layer() -> None:
    problems = upward_imports(_imports())
    assert not problems, "imports that point up:\n" + "\n".join(problems)


def test_no_module_level_import_circle() -> None:
    imports = _imports()
    found = [_cycle_path(component, imports) for component in circles(imports)]
    assert not found, "module-level import circles:\n" + "\n".join(found)


def test_the_walk_sees_imports_inside_functions_and_skips_type_checking(tmp_path: Path) -> None:
    source = (
        "from __future__ import annotations\n"
        "TYPE_CHECKING = False\n"
        "if TYPE_CHECKING:\n"
        "    from incident_beads.cli import main\n"
        "from . import words\n"
        "def later() -> None:\n"
        "    from incident_beads.response import IncidentResponse\n"
    )
    walker = _Walker("incident_beads.errors", ROOT / "errors.py")
    walker.visit(ast.parse(source))
    seen = {(item.target, item.module_level) for item in walker.found}
    assert seen == {("incident_beads.words", True), ("incident_beads.response", False)}
    problems = upward_imports(walker.found)
    assert len(problems) == 1
    assert "errors.py:7" in problems[0]
    assert "(foundation, layer 0)" in problems[0] and "(facade, layer 14)" in problems[0]


def test_circles_are_found_and_named() -> None:
    here = ROOT / "x.py"
    imports = [
        Import("incident_beads.a", "incident_beads.b", here, 1, True),
        Import("incident_beads.b", "incident_beads.c", here, 2, True),
        Import("incident_beads.c", "incident_beads.a", here, 3, True),
        Import("incident_beads.c", "incident_beads.d", here, 4, False),
        Import("incident_beads.d", "incident_beads.c", here, 5, True),
    ]
    assert circles(imports) == [["incident_beads.a", "incident_beads.b", "incident_beads.c"]]
    loop = _cycle_path(["incident_beads.a", "incident_beads.b", "incident_beads.c"], imports)
    assert loop.startswith("incident_beads.a") and loop.endswith("-> incident_beads.a")


def test_the_design_page_shows_this_table() -> None:
    design = ROOT.parent / "docs" / "design.md"
    rows = []
    for line in design.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells[0].isdigit():
            rows.append((cells[1], [m.strip().strip("`") for m in cells[2].split(",")]))
    assert rows == [(name, names) for name, names in LAYERS]
