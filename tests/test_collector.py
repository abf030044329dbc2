"""The cyclic garbage collector: paused for a command, on again for a caller and for servers."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

import incident_beads.cli as cli_module
from incident_beads import collector
from incident_beads.config import load_config
from incident_beads.mcp_server import server as mcp_server
from incident_beads.monitoring import receiver


@pytest.fixture
def collecting() -> Iterator[None]:
    gc.enable()
    yield
    gc.unfreeze()
    gc.enable()


def test_a_command_runs_with_the_collector_paused_and_gives_it_back(
        collecting: None, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []

    def run(group: Any, argv: Any) -> None:
        seen.append(gc.isenabled())
        raise SystemExit(0)

    monkeypatch.setattr(cli_module, "run", run)
    with pytest.raises(SystemExit):
        cli_module.main(["list"])
    assert seen == [False] and gc.isenabled()
    assert gc.get_freeze_count() == 0  # a caller's objects stay collectable
    gc.disable()  # a caller that had it off keeps it off
    with pytest.raises(SystemExit):
        cli_module.main(["list"])
    assert not gc.isenabled()


def test_the_process_s_own_command_line_freezes_what_it_made_before_it_ends(
        collecting: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def run(group: Any, argv: Any) -> None:
        raise SystemExit(0)

    monkeypatch.setattr(cli_module, "run", run)
    with pytest.raises(SystemExit):
        cli_module.main()
    assert gc.get_freeze_count() > 0 and gc.isenabled()


def test_the_receiver_collects_while_it_serves(
        collecting: None, store_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import waitress.server  # type: ignore[import-untyped]

    seen: list[bool] = []

    class Server:
        effective_port = 9095

        def run(self) -> None:
            seen.append(gc.isenabled())

        def close(self) -> None:
            pass

    monkeypatch.setattr(waitress.server, "create_server", lambda *a, **k: Server())
    with collector.paused():
        receiver.serve(store_repo, load_config(store_repo), "127.0.0.1:9095", log=print)
    assert seen == [True]


def test_the_mcp_server_collects_while_it_serves(
        collecting: None, store_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    monkeypatch.setattr(anyio, "run", lambda main: seen.append(gc.isenabled()))
    with collector.paused():
        mcp_server.serve(store_repo)
    assert seen == [True]
