"""The fleet benchmark's repositories are real: every generated incident reads back."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from incident_beads.fleet.api import Fleet

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_fleet.py"


def test_bench_fleet_builds_readable_repositories(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_fleet", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench_fleet"] = bench
    spec.loader.exec_module(bench)
    upstreams = bench.build_fleet(tmp_path, 2, 40)
    root = tmp_path / "oncall"
    root.mkdir()
    bench.configure(root, upstreams)
    fleet = Fleet(root)
    assert all(r.ok and r.mode == "partial" for r in fleet.fetch())
    figures = fleet.report().figures()
    assert figures["incidents"] == 40 and figures["skipped"] == []
    assert set(figures["breakdown"]["by_repository"]) == {"team00", "team01"}
    assert bench.read_floor([m.cache for m in fleet.members]) == 80
