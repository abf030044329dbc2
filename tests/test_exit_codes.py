"""A bug exits with its own code, so a caller can tell it from a refusal (exit 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_beads.cli import _errors
from incident_beads.cli.store_cmds import list_
from tests.cli_runner import run_incident


def test_an_internal_error_exits_70_with_one_line_asking_for_a_report(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(list_, "callback", broken)
    done = run_incident(capsys, tmp_path, "list")
    assert done.code == _errors.INTERNAL_ERROR == 70
    lines = done.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("incident: internal error: RuntimeError: boom")
    assert "please report it" in lines[0]


def test_a_refusal_still_exits_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    done = run_incident(capsys, tmp_path, "show", "bd-nope")
    assert done.code == 1
    assert "internal error" not in done.err
