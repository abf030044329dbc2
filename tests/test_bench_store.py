"""The benchmark's stores are real stores: shaped like the corpus, valid, readable."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from incident_beads.beads import BeadsStore, validate

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_store.py"


def test_bench_builds_a_valid_store_from_the_corpus(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_store", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench_store"] = bench
    spec.loader.exec_module(bench)
    ids = bench.build_store(tmp_path / "store", 800)  # more than one copy of the corpus
    store = BeadsStore(tmp_path / "store")
    assert [issue.id for issue in store.issues()] == ids and len(set(ids)) == 800
    assert [v for v in validate(store.path) if v.level == "error"] == []
    result = bench.measure("update-first", tmp_path / "store", ids[400])
    assert result["seconds"] > 0 and store.get(ids[400]).data["notes"].startswith("touched")
    journal = bench.measure("journal", tmp_path / "store", ids[10])
    assert journal["seconds"] > 0
