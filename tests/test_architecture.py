"""The package's imports point one way: no cycle anywhere in `playground/`, imports inside functions
included (only those under `if TYPE_CHECKING:` are left out: they run no code). The layer contracts
themselves are import-linter's (pyproject.toml), run by .ci/run."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "playground"


def module_files(package: Path) -> dict[str, Path]:
    files = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        files[".".join(parts)] = path
    return files


def _typing_only_nodes(tree: ast.AST) -> set[int]:
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(inner) for statement in node.body for inner in ast.walk(statement)}
    return skipped


def _imported_names(node: ast.AST, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            parent = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*parent, base] if base else parent)
        return [base, *(f"{base}.{alias.name}" for alias in node.names)]
    return []


def import_graph(files: dict[str, Path], top: str) -> dict[str, set[str]]:
    """module -> the package's modules it imports (a name imported from a module counts as that module)."""

    def owner(name: str) -> str | None:
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _typing_only_nodes(tree)
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            for imported in _imported_names(node, package):
                target = owner(imported) if imported.split(".")[0] == top else None
                # A package importing its own submodules is how packages are built, not a back arrow.
                if target and target != name and not target.startswith(name + "."):
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that reach each other (strongly connected, size > 1), by repeated reachability."""
    reach = {}
    for start in graph:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        reach[start] = seen
    groups = {frozenset(m for m in graph if m == a or (m in reach[a] and a in reach[m])) for a in graph}
    return sorted(sorted(g) for g in groups if len(g) > 1)


def test_the_cycle_finder_finds_a_known_cycle_and_ignores_type_hints(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg.b import thing\n")
    (pkg / "b.py").write_text("def f():\n    from pkg import c\n")  # inside a function: counts
    (pkg / "c.py").write_text("from . import a\n")  # relative: counts
    (pkg / "sub" / "__init__.py").write_text("from pkg.sub import d\n")
    (pkg / "sub" / "d.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\nimport pkg.sub\n")
    graph = import_graph(module_files(pkg), "pkg")
    assert graph["pkg.sub.d"] == {"pkg.sub"} and graph["pkg.sub"] == set()
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_playground_has_no_import_cycle():
    found = cycles(import_graph(module_files(PACKAGE), "playground"))
    assert found == [], "import cycles: " + "; ".join(" <-> ".join(group) for group in found)
