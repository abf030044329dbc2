"""Time the lifecycle calls on a store that already holds many resolved incidents.

Each call is one locked read-modify-write of `.beads/issues.jsonl`; `declare` also scans the
resolved incidents for a recurrence, and by default loads step 0 (the context ranking) first,
timed on its own. The floor is a bare `BeadsStore.create` on the same file.

Run: .venv/bin/python bench/bench_lifecycle.py [N]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from incident_beads import IncidentResponse
from incident_beads.beads.issue import encode_line, format_ts
from incident_beads.beads.store import BeadsStore

ROUNDS = 15


def resolved_line(n: int, start: datetime) -> bytes:
    detected = start + timedelta(hours=7 * n)
    resolved = detected + timedelta(minutes=45)
    state = {
        "kind": "incident", "severity": "SEV-2", "phase": "resolved",
        "assessment": {"detected_at": detected.isoformat(),
                       "services": ["checkout" if n % 4 == 0 else f"svc-{n % 20}"],
                       "what_broken": f"feature {n} broken", "error_messages": [f"E{n}"]},
        "timestamps": {"detected": detected.isoformat(), "resolved": resolved.isoformat()},
        "resolution": {"at": resolved.isoformat(), "by": "ada", "summary": "rollback",
                       "root_cause": "bad deploy", "impact": "users", "message": "m",
                       "duration_minutes": 45, "checklist": {}},
    }
    return encode_line({
        "id": f"bench-{n:04d}", "title": f"[SEV-2] Feature {n} broken", "status": "closed",
        "priority": 1, "issue_type": "bug", "created_at": format_ts(detected),
        "updated_at": format_ts(resolved), "closed_at": format_ts(resolved),
        "close_reason": "fixed", "labels": ["incident", "sev-2"],
        "metadata": {"incident_beads": state}})


def median_ms(call: Callable[[], object]) -> float:
    times = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    # The last weeks of the store fall inside the recurrence window, as in a busy repository.
    start = datetime.now(UTC) - timedelta(hours=7 * count)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / ".beads").mkdir()
        (root / ".beads" / "issues.jsonl").write_bytes(
            b"".join(resolved_line(n, start) for n in range(count)))
        store = BeadsStore(root)
        api = IncidentResponse(root, actor="bench")
        floor = median_ms(lambda: store.create("plain task"))
        declared = [api.declare("Checkout down", severity=1, services=["checkout"],
                                load_context=False)]
        figures = {
            "declare (with recurrence scan)": median_ms(
                lambda: declared.append(api.declare("Checkout down", severity=1,
                                                    services=["checkout"],
                                                    load_context=False))),
            "declare with step 0 (context loaded)": median_ms(
                lambda: declared.append(api.declare("Checkout down", severity=1,
                                                    services=["checkout"]))),
            "post_update": median_ms(lambda: api.post_update(
                declared[0].id, status="Identified", impact="all", action="a", eta="+5m")),
            "mitigate": median_ms(lambda: api.mitigate(declared[0].id, "rollback", "in-progress")),
            "overdue": median_ms(api.overdue),
            "check": median_ms(lambda: api.check(declared[0].id)),
        }
    print(f"## Lifecycle calls\n\nA store of {count} resolved incidents, one every 7 h, one in "
          "four on the declared service (about a dozen inside the recurrence window); medians "
          f"of {ROUNDS} calls. Floor: a bare `BeadsStore.create`, {floor:.1f} ms.\n")
    print("| call | median | x floor |\n|---|---|---|")
    for name, took in figures.items():
        print(f"| {name} | {took:.1f} ms | {took / floor:.1f} |")


if __name__ == "__main__":
    main()
