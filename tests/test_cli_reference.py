"""The command reference in docs/ is generated from the commands and kept current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from incident_beads.cli import COMMANDS, cli
from incident_beads.cli.reference import render, render_summaries

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "cli.md"
SUMMARIES_FILE = ROOT / "incident_beads" / "cli" / "_summaries.py"


def test_cli_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run `python -m incident_beads.cli.reference > docs/cli.md`")


def test_cli_reference_covers_every_command() -> None:
    text = render()
    for name in COMMANDS:
        assert f"`incident {name}`" in text


def test_command_summaries_are_current() -> None:
    assert SUMMARIES_FILE.read_text(encoding="utf-8") == render_summaries(), (
        "incident_beads/cli/_summaries.py is stale: run `python -m incident_beads.cli.reference "
        "--summaries > incident_beads/cli/_summaries.py`")


def test_help_lists_commands_without_importing_them() -> None:
    code = ("import sys; from incident_beads.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.endswith('_cmds')), file=sys.stderr)")
    lazy = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert lazy.stderr.strip() == "[]"
    # The same listing as click prints once every command is loaded.
    group = click.Group("incident", help=cli.help, params=cli.params,
                        context_settings=cli.context_settings)
    context = click.Context(cli, info_name="incident")
    for name in cli.list_commands(context):
        command = cli.get_command(context, name)
        assert command is not None
        group.add_command(command, name)
    eager = group.get_help(click.Context(group, info_name="incident", **group.context_settings))
    assert lazy.stdout.rstrip("\n") == eager
