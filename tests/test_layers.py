"""The layers import downwards only: flows → pipeline → extractors (DESIGN.md)."""

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
