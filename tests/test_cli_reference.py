"""The command reference in docs/ is generated from the commands and kept current."""

from __future__ import annotations

from pathlib import Path

from incident_beads.cli import COMMANDS
from incident_beads.cli.reference import render

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def test_cli_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run `python -m incident_beads.cli.reference > docs/cli.md`")


def test_cli_reference_covers_every_command() -> None:
    text = render()
    for name in COMMANDS:
        assert f"`incident {name}`" in text
