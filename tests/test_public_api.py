"""The package's public names: lazy at run time, all visible to type checkers."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import incident_beads

INIT = Path(incident_beads.__file__)


def test_every_lazy_name_resolves_and_is_known_to_type_checkers() -> None:
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    typed: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom) and stmt.module:
                    typed.update({alias.name: stmt.module for alias in stmt.names})
    typed.pop("Any", None)
    assert typed == incident_beads._EXPORTS
    assert incident_beads.__all__ == sorted(incident_beads._EXPORTS)
    for name in incident_beads.__all__:
        assert getattr(incident_beads, name) is not None


def test_importing_the_package_loads_no_dependency() -> None:
    code = ("import sys, incident_beads; "
            "print(sorted(m for m in ('click', 'pydantic', 'git', 'markdown_it') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
