"""Time `incident context` on a repository with 1,000 past incidents and 1,000 write-ups.

Floor: reading the same inputs and doing nothing with them (the store's lines through
`json.loads`, every write-up's text). The ratio says what ranking and rendering add to that.
Two rows for `context`: with the documents unchanged since the last run (their summaries
remembered under `.git/`, what a repository's second declaration finds), and with every
write-up parsed (the summaries index removed before each run, as after a fresh clone).

Run: .venv/bin/python bench/bench_context.py [N]
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from incident_beads.beads.issue import encode_line, format_ts
from incident_beads.knowledge.api import Knowledge
from incident_beads.knowledge.context import ContextReport

_WORD_TEXT = ("checkout payment login search cache database pool timeout latency webhook queue "
              "worker certificate dns memory leak disk full retry storm deadlock index "
              "migration replica lag throttling quota gateway redis kafka postgres nginx cdn")
WORDS = _WORD_TEXT.split()
SERVICES = ("checkout", "auth", "search", "payments", "billing", "api", "web", "worker")
START = datetime(2025, 1, 1, tzinfo=UTC)


def phrase(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def incident_line(rng: random.Random, n: int) -> bytes:
    detected = START + timedelta(hours=7 * n)
    resolved = detected + timedelta(minutes=rng.randint(10, 300))
    service = rng.choice(SERVICES)
    state = {
        "kind": "incident", "severity": f"SEV-{rng.randint(1, 4)}", "phase": "resolved",
        "assessment": {"detected_at": detected.isoformat(), "services": [service],
                       "what_broken": phrase(rng, 6), "error_messages": [phrase(rng, 5)]},
        "timestamps": {"detected": detected.isoformat(), "resolved": resolved.isoformat()},
        "resolution": {"at": resolved.isoformat(), "by": "ada", "summary": phrase(rng, 6),
                       "root_cause": phrase(rng, 5), "impact": "users", "message": "m",
                       "duration_minutes": 30, "checklist": {}},
    }
    return encode_line({
        "id": f"bench-{n:04d}", "title": f"[SEV-2] {phrase(rng, 5)}", "status": "closed",
        "priority": 1, "issue_type": "bug", "created_at": format_ts(detected),
        "updated_at": format_ts(resolved), "closed_at": format_ts(resolved),
        "close_reason": "fixed", "labels": ["incident", "sev-2"],
        "metadata": {"incident_beads": state}})


def writeup(rng: random.Random, n: int) -> str:
    return (f"---\nmodule: {rng.choice(SERVICES)}\ndate: 2025-06-01\n"
            f"problem_type: runtime_error\ncomponent: {rng.choice(SERVICES)}\nsymptoms:\n"
            f"  - {phrase(rng, 5)}\n  - {phrase(rng, 4)}\nroot_cause: {phrase(rng, 4)}\n"
            f"resolution_type: code_fix\nseverity: high\ntags: [{rng.choice(WORDS)}, "
            f"{rng.choice(WORDS)}]\n---\n\n# {phrase(rng, 6)}\n\n## Problem\n\n"
            f"{phrase(rng, 40)}\n\n## Solution\n\n{phrase(rng, 60)}\n")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        (root / ".beads").mkdir()
        (root / ".beads" / "issues.jsonl").write_bytes(
            b"".join(incident_line(rng, n) for n in range(count)))
        for n in range(count):
            path = root / "docs" / "solutions" / "runtime-errors" / f"doc-{n:04d}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(writeup(rng, n))
            old = int(START.timestamp()) * 10**9  # written long ago, as past write-ups are
            os.utime(path, ns=(old, old))
        knowledge = Knowledge(root)
        cold_times, context_times, floor_times = [], [], []
        for _ in range(7):
            for index in (root / ".git" / "incident-beads").glob("knowledge-*.json"):
                index.unlink()
            began = time.perf_counter()
            run_context(knowledge)
            cold_times.append(time.perf_counter() - began)
            began = time.perf_counter()
            report = run_context(knowledge)
            context_times.append(time.perf_counter() - began)
            began = time.perf_counter()
            read_inputs(root)
            floor_times.append(time.perf_counter() - began)
        took, floor = statistics.median(context_times), statistics.median(floor_times)
        cold = statistics.median(cold_times)
        print(f"## Context (bench_context.py)\n\n{count} incidents + {count} write-ups; medians of "
              f"7 runs.\n\n| what | median | x floor |\n|---|---:|---:|\n"
              f"| read the store (`json.loads` per line) and every write-up (floor) | "
              f"{floor * 1000:.0f} ms | 1.00 |\n"
              f"| `context`, every write-up parsed (no summaries index) | "
              f"{cold * 1000:.0f} ms | {cold / floor:.2f} |\n"
              f"| `context`, documents unchanged since the last run (ranked, top score "
              f"{report.similar[0].score:.2f}) | {took * 1000:.0f} ms | {took / floor:.2f} |\n\n"
              f"Ratio: **{took / floor:.2f}x** the floor.")


def run_context(knowledge: Knowledge) -> ContextReport:
    return knowledge.context("checkout payment timeout gateway", service="checkout",
                             include_deployments=False)


def read_inputs(root: Path) -> int:
    """The floor: read what `context` reads, and nothing more."""
    lines = (root / ".beads" / "issues.jsonl").read_bytes().splitlines()
    parsed = [json.loads(line) for line in lines]
    texts = [p.read_text() for p in (root / "docs" / "solutions").rglob("*.md")]
    return len(parsed) + len(texts)


if __name__ == "__main__":
    main()
