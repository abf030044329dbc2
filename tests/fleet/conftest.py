"""Fixtures of the fleet tests: three teams' repositories and the on-call person's own."""

from __future__ import annotations

from pathlib import Path

import pytest
from fleet_helpers import Team


@pytest.fixture
def top(tmp_path: Path) -> Path:
    """Where the teams' repositories and upstreams live."""
    return tmp_path


@pytest.fixture
def payments(top: Path) -> Team:
    """A team whose server serves partial clones, with one resolved checkout incident."""
    team = Team(top, "payments")
    team.resolved("Checkout returns 502 on payment", services=["checkout"],
                  errors=["upstream connect error 502"])
    return team


@pytest.fixture
def web(top: Path) -> Team:
    """A team whose server cannot filter (a shallow fetch then), with one open incident."""
    team = Team(top, "web", allow_filter=False)
    team.declared("Login page slow", services=["login"])
    return team


@pytest.fixture
def mine(top: Path) -> Team:
    """The repository the on-call person works in."""
    return Team(top, "mine")
