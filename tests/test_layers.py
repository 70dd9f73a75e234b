"""The layers import downwards only: flows → pipeline → extractors (DESIGN.md), and no package has an import
cycle inside it (STYLE.md: "a module that needs a late import to dodge one is two modules").

The cycle test reads every ``import`` and ``from ... import`` statement with ``ast``: at module level,
inside functions and under ``if TYPE_CHECKING:`` alike. A late import inside a function counts: one made
for start-up time (``flows.cli`` importing ``flows.ingest`` for ``ingest``, ``serve`` importing FastAPI)
closes no cycle, and one made to dodge a cycle is the cycle this test is for. ``importlib.import_module``
with a string (``flows.cli`` registering command modules) is not seen.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
FORBIDDEN = {
    "extractors": {"pipeline", "flows", "prefect", "fastapi", "uvicorn", "pytesseract", "cv2"},
    "pipeline": {"flows", "prefect", "fastapi", "uvicorn", "typer"},
}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_point_down(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
        if _imports(path) & FORBIDDEN[package]
    }
    assert offenders == {}


def test_only_the_engine_module_imports_pytesseract() -> None:
    users = {str(p.relative_to(ROOT)) for p in ROOT.glob("[pef]*/**/*.py") if "pytesseract" in _imports(p)}
    assert users == {"pipeline/tesseract.py"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(path: Path, module: str) -> set[str]:
    """Every module name an import statement in ``path`` names: ``import a.b``, ``from a import b`` (a.b
    when b is a module), ``from .b import c`` (resolved from ``module``)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            source = ".".join(part for part in (base, node.module) if part)
            names.add(source)
            names.update(f"{source}.{alias.name}" for alias in node.names)
    return names


def import_graph(package: str) -> dict[str, set[str]]:
    """Module → the modules of the same package it imports."""
    paths = {_module_name(path): path for path in (ROOT / package).rglob("*.py")}
    return {
        module: (_imported_modules(path, module) & paths.keys()) - {module} for module, path in paths.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path that ends where it starts (depth-first search), or None."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return path[path.index(module) :] + [module]
        if module in done:
            return None
        for imported in sorted(graph[module]):
            if cycle := visit(imported, [*path, module]):
                return cycle
        done.add(module)
        return None

    return next((cycle for module in sorted(graph) if (cycle := visit(module, []))), None)


@pytest.mark.parametrize("package", ["extractors", "pipeline", "flows"])
def test_no_import_cycle_inside_a_package(package: str) -> None:
    cycle = find_cycle(import_graph(package))
    assert cycle is None, " → ".join(cycle or [])


def test_the_cycle_finder_sees_a_late_import_and_a_relative_one(tmp_path: Path) -> None:
    graph = {"p.a": {"p.b"}, "p.b": {"p.c"}, "p.c": {"p.a"}, "p.d": {"p.a"}}
    assert find_cycle(graph) == ["p.a", "p.b", "p.c", "p.a"]
    assert find_cycle({**graph, "p.c": set()}) is None
    late = tmp_path / "late.py"
    late.write_text("def f():\n    from . import api\n    import flows.web\n")
    assert {"flows.api", "flows.web"} <= _imported_modules(late, "flows.late")
