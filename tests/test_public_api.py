"""The package's public names: lazy at run time, all visible to type checkers."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import incident_beads

INIT = Path(incident_beads.__file__)


def _typed_names() -> dict[str, str]:
    """What the `if TYPE_CHECKING:` block imports from the package, as type checkers see it."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    typed: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom) and stmt.module != "typing":
                    for alias in stmt.names:
                        # `X as X`: an explicit re-export, which mypy --strict requires
                        assert alias.asname == alias.name, f"write {alias.name} as {alias.name}"
                        typed[alias.name] = str(stmt.module)
    return typed


def test_every_lazy_name_resolves_and_is_known_to_type_checkers() -> None:
    typed = _typed_names()
    assert len(typed) > 40
    assert incident_beads._public_api() == typed  # the lazy loader reads the same lines
    assert incident_beads.__all__ == sorted(typed)
    for name, module in typed.items():
        value = getattr(incident_beads, name)
        assert value is getattr(importlib.import_module(module), name)
    assert set(typed) <= set(dir(incident_beads))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        incident_beads.Nope  # noqa: B018


def test_importing_the_package_loads_no_dependency() -> None:
    code = ("import sys, incident_beads; "
            "print(sorted(m for m in ('click', 'pydantic', 'git', 'markdown_it') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
