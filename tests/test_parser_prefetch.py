"""A resolution starts loading the markdown parser before it writes the store."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from knowledge_fixtures import CONFIRMED, Clock

from incident_beads import IncidentResponse
from incident_beads.beads import store as store_module
from incident_beads.knowledge import document


def test_a_resolution_loads_the_parser_before_it_writes_the_store(
        store_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    api = IncidentResponse(store_repo, clock=clock, actor="ada")
    incident = api.declare("Checkout down", severity=3, services=["checkout"]).id
    api.mitigate(incident, "rollback", "worked")
    done: list[str] = []
    write = store_module.write_changes  # type: ignore[attr-defined]

    def writing(*args: Any, **kwargs: Any) -> Any:
        done.append("store written")
        return write(*args, **kwargs)

    monkeypatch.setattr(store_module, "write_changes", writing)
    monkeypatch.setattr(document, "load_parser_in_background",
                        lambda: done.append("parser loading"))
    api.resolve(incident, resolution="rolled back", root_cause="bad deploy", **CONFIRMED)
    assert done[:2] == ["parser loading", "store written"]


def test_the_parser_is_loaded_in_a_background_thread_unless_it_is_loaded(
        monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[tuple[Any, ...]] = []

    class Thread:
        def __init__(self, *, target: Any, args: tuple[Any, ...], name: str,
                     daemon: bool) -> None:
            started.append((target.__name__, args, daemon))

        def start(self) -> None:
            started.append(("started",))

    monkeypatch.setattr(threading, "Thread", Thread)
    document.load_parser_in_background()  # loaded in this process already: nothing to do
    assert started == []
    monkeypatch.setattr(document, "sys", SimpleNamespace(modules={}))
    document.load_parser_in_background()
    assert started == [("import_module", ("markdown_it",), True), ("started",)]
