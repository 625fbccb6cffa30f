"""The package's structure: imports point one way, the CLI uses the public API, modules stay small.

The graph is read from the source with :mod:`ast`, not from ``sys.modules``: every import of
``invoicebackup.*`` counts, at module level or inside a function (a lazy import is still a
dependency), except those under ``if TYPE_CHECKING:``, which exist for the type checker only.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import invoicebackup

SRC = Path(invoicebackup.__file__).resolve().parent

#: Cycles allowed for now, each with why: none since the PDF-layer rewrite removed ``_engine``.
KNOWN_CYCLES: set[frozenset[str]] = set()

#: The longest a module may be without saying why at its top.
MAX_LINES = 800
MARKER = "Longer than 800 lines because"

#: Modules over the limit without the marker, each with why: none since the PDF-layer rewrite.
KNOWN_LONG: set[str] = set()


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Every module of the package under *root*, by dotted name (a package by its own name)."""
    names: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement under *node*, at any depth, outside ``if TYPE_CHECKING:`` bodies."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
        return
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        children: list[ast.AST] = list(node.orelse)
    else:
        children = list(ast.iter_child_nodes(node))
    for child in children:
        yield from _imports(child)


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Which of the package's modules each of its modules imports."""
    modules = module_names(root, package)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        here = name.split(".") if is_package else name.split(".")[:-1]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _imports(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                if node.level:
                    base = ".".join(here[: len(here) - node.level + 1])
                    base = f"{base}.{node.module}" if node.module else base
                else:
                    base = node.module or ""
                # ``from . import _pdf`` imports the module _pdf; ``from . import __version__``
                # and ``from .x import y`` import the package and x. (Importing a submodule runs
                # its package's ``__init__`` first, as every import does: that edge is left out.)
                targets = [
                    sub if (sub := f"{base}.{alias.name}") in modules else base
                    for alias in node.names
                ]
            for target in targets:
                if target in modules and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


GRAPH = import_graph(SRC, "invoicebackup")


def test_the_graph_sees_imports_of_every_kind(tmp_path: Path) -> None:
    """Module-level, function-level and relative imports count; TYPE_CHECKING ones do not."""
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("from .a import thing\n")
    (package / "a.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import x\n"
        "def f():\n    from . import c\n"
    )
    (package / "b.py").write_text("import pkg.a\n")
    (package / "c.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from .. import b\nfrom ..c import y\n")
    graph = import_graph(package, "pkg")
    assert graph == {
        "pkg": {"pkg.a"},
        "pkg.a": {"pkg.c"},
        "pkg.b": {"pkg.a"},
        "pkg.c": set(),
        "pkg.sub": {"pkg.b", "pkg.c"},
    }
    assert cycles(graph) == []
    (package / "c.py").write_text("try:\n    pass\nexcept ImportError:\n    from .b import z\n")
    assert cycles(import_graph(package, "pkg")) == [frozenset({"pkg.a", "pkg.b", "pkg.c"})]


def test_the_graph_of_this_package_is_read() -> None:
    """The walk finds the package's real edges, and leaves out the TYPE_CHECKING-only ones."""
    assert {"invoicebackup.plan", "invoicebackup._assembly"} <= GRAPH["invoicebackup.compile"]
    assert "invoicebackup.manifest" in GRAPH["invoicebackup.serialization"]
    assert "invoicebackup.permissions" not in GRAPH["invoicebackup.errors"]  # types only


def test_no_import_cycle() -> None:
    """No module depends, directly or through others, on a module that depends on it."""
    found = set(cycles(GRAPH))
    assert found - KNOWN_CYCLES == set()


def test_known_cycles_are_still_there() -> None:
    """An exception that no longer applies is removed from KNOWN_CYCLES, so none comes back."""
    assert KNOWN_CYCLES - set(cycles(GRAPH)) == set(), "remove it from KNOWN_CYCLES"


def test_errors_import_nothing_of_ours() -> None:
    """The errors module is at the bottom: every module may raise its errors."""
    assert GRAPH["invoicebackup.errors"] == set()


def test_the_cli_uses_the_public_api_only() -> None:
    """cli.py imports no private module (``invoicebackup._*``): it is a shell on the public API."""
    private = {m for m in GRAPH["invoicebackup.cli"] if m.rsplit(".", 1)[-1].startswith("_")}
    assert private == set()


@pytest.mark.parametrize("name", sorted(module_names(SRC, "invoicebackup")))
def test_no_long_module_without_a_reason(name: str) -> None:
    """A module over 800 lines says why in its docstring (``Longer than 800 lines because …``)."""
    path = module_names(SRC, "invoicebackup")[name]
    text = path.read_text(encoding="utf-8")
    if len(text.splitlines()) <= MAX_LINES or name in KNOWN_LONG:
        return
    docstring = ast.get_docstring(ast.parse(text)) or ""
    assert MARKER in " ".join(docstring.split()), f"{name}: {len(text.splitlines())} lines"
