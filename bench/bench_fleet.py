"""Time the fleet on 50 local repositories of 2,000 issues each.

Two floors, each measured in the same run as what is divided by it:

- `fleet fetch` with nothing new, against git's own `git fetch` of up-to-date refs in 50 plain
  bare clones of the same upstreams, as many at once as the fleet fetches (4);
- `report --fleet`, against reading those 50 stores from the object database: one
  `git cat-file --batch` per cache, every line of every store through `json.loads`.

Then both again over 10 and 25 repositories, to show how cost grows with the fleet.

Run: .venv/bin/python bench/bench_fleet.py [REPOSITORIES] [ISSUES]
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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from incident_beads.beads.issue import encode_line, format_ts

_WORD_TEXT = ("checkout payment login search cache database pool timeout latency webhook queue "
              "worker certificate dns memory leak disk full retry storm deadlock index "
              "migration replica lag throttling quota gateway redis kafka postgres nginx cdn")
WORDS = _WORD_TEXT.split()
SERVICES = ("checkout", "auth", "search", "payments", "billing", "api", "web", "worker")
START = datetime(2025, 1, 1, tzinfo=UTC)
JOBS = 4
REPEAT = 5


def phrase(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def incident(rng: random.Random, prefix: str, n: int) -> dict[str, Any]:
    """A resolved incident as the lifecycle writes it: timeline, comments, timestamps."""
    detected = START + timedelta(hours=3 * n)
    acked, mitigated = detected + timedelta(minutes=rng.randint(1, 30)), None
    mitigated = acked + timedelta(minutes=rng.randint(5, 120))
    resolved = mitigated + timedelta(minutes=rng.randint(5, 240))
    level = rng.randint(1, 4)
    events = [{"at": (detected + timedelta(minutes=k)).isoformat(), "by": "ada", "kind": kind,
               "text": phrase(rng, 12)}
              for k, kind in enumerate(("declared", "update", "mitigation", "update",
                                        "mitigated", "resolved"))]
    state = {
        "kind": "incident", "severity": f"SEV-{level}", "peak_severity": f"SEV-{level}",
        "phase": "resolved",
        "assessment": {"detected_at": detected.isoformat(), "services": [rng.choice(SERVICES)],
                       "what_broken": phrase(rng, 6), "who_affected": "EU users",
                       "error_messages": [phrase(rng, 5)]},
        "timestamps": {"detected": detected.isoformat(), "declared": detected.isoformat(),
                       "acknowledged": acked.isoformat(), "mitigated": mitigated.isoformat(),
                       "resolved": resolved.isoformat()},
        "timeline": events,
        "resolution": {"at": resolved.isoformat(), "by": "ada", "summary": phrase(rng, 8),
                       "root_cause": phrase(rng, 6), "impact": "users", "message": "m",
                       "duration_minutes": int((resolved - detected).total_seconds() // 60),
                       "checklist": {"no_longer_occurring": True}},
    }
    return {"id": f"{prefix}-{n:05d}", "title": f"[SEV-{level}] {phrase(rng, 5)}",
            "status": "closed", "priority": level - 1, "issue_type": "bug",
            "created_at": format_ts(detected), "updated_at": format_ts(resolved),
            "closed_at": format_ts(resolved), "close_reason": phrase(rng, 10),
            "labels": ["incident", f"sev-{level}"],
            "description": f"## Incident Assessment\n\n{phrase(rng, 30)}",
            "comments": [{"id": k, "author": "ada", "text": e["text"],
                          "created_at": format_ts(detected)} for k, e in enumerate(events)],
            "metadata": {"incident_beads": state}}


def task(rng: random.Random, prefix: str, n: int, parent: str) -> dict[str, Any]:
    """A post-mortem action item."""
    when = format_ts(START + timedelta(hours=3 * n))
    return {"id": f"{prefix}-{n:05d}", "title": phrase(rng, 6), "status": "closed",
            "priority": 2, "issue_type": "task", "created_at": when, "updated_at": when,
            "closed_at": when, "labels": ["post-mortem"], "description": phrase(rng, 20),
            "dependencies": [{"issue_id": f"{prefix}-{n:05d}", "depends_on_id": parent,
                              "type": "discovered-from"}],
            "metadata": {"incident_beads": {"kind": "action", "incident_id": parent,
                                            "owner": "ada", "action_kind": "prevent"}}}


def store_bytes(rng: random.Random, prefix: str, issues: int) -> bytes:
    """`issues` lines: incidents, each followed by an action item."""
    lines = []
    parent = ""
    for n in range(issues):
        if n % 2 == 0:
            record = incident(rng, prefix, n)
            parent = record["id"]
        else:
            record = task(rng, prefix, n, parent)
        lines.append(encode_line(record))
    return b"".join(lines)


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def build_fleet(top: Path, count: int, issues: int) -> list[Path]:
    """`count` team repositories pushed to bare upstreams that serve partial clones."""
    rng = random.Random(21)
    upstreams = []
    for k in range(count):
        name = f"team{k:02d}"
        work, upstream = top / "work" / name, top / "upstream" / f"{name}.git"
        git(top, "init", "-q", "--bare", "-b", "main", str(upstream))
        git(upstream, "config", "uploadpack.allowFilter", "true")
        git(top, "init", "-q", "-b", "main", str(work))
        (work / ".beads").mkdir()
        (work / ".beads" / "issues.jsonl").write_bytes(store_bytes(rng, name, issues))
        solutions = work / "docs" / "solutions" / "runtime-errors"
        solutions.mkdir(parents=True)
        for n in range(20):
            (solutions / f"doc-{n:02d}.md").write_text(
                f"---\nmodule: {rng.choice(SERVICES)}\nproblem_type: runtime_error\n"
                f"symptoms:\n  - {phrase(rng, 5)}\nroot_cause: {phrase(rng, 4)}\n---\n\n"
                f"# {phrase(rng, 6)}\n\n{phrase(rng, 80)}\n")
        (work / "src").mkdir()
        for n in range(30):  # code the fleet never reads
            (work / "src" / f"module{n}.py").write_text(f"# {phrase(rng, 400)}\n")
        git(work, "add", "-A")
        git(work, "commit", "-q", "-m", "state")
        git(work, "push", "-q", str(upstream), "main")
        upstreams.append(upstream)
    return upstreams


def configure(root: Path, upstreams: list[Path]) -> None:
    names = ", ".join(f'"{u}"' for u in upstreams)
    (root / ".incident-beads.toml").write_text(f"[fleet]\njobs = {JOBS}\n"
                                               f"repositories = [{names}]\n")


def median_of(action: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def git_fetch_floor(clones: list[Path]) -> None:
    """git's own fetch of refs that are already up to date, JOBS at a time."""
    def one(clone: Path) -> None:
        subprocess.run(["git", "fetch", "-q", "origin"], cwd=clone, check=True)

    with ThreadPoolExecutor(JOBS) as pool:
        list(pool.map(one, clones))


def read_floor(caches: list[Path]) -> int:
    """Read every store from the object database and decode each line, nothing more."""
    lines = 0
    for cache in caches:
        with subprocess.Popen(["git", "cat-file", "--batch"], cwd=cache,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE) as proc:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(b"refs/incident-beads/tip:.beads/issues.jsonl\n")
            proc.stdin.close()
            size = int(proc.stdout.readline().split()[2])
            data = proc.stdout.read(size)
        lines += len([json.loads(line) for line in data.splitlines()])
    return lines


def raw_floor(caches: list[Path]) -> int:
    """Only the bytes of every store out of the object database."""
    total = 0
    for cache in caches:
        total += len(subprocess.run(["git", "cat-file", "blob",
                                     "refs/incident-beads/tip:.beads/issues.jsonl"],
                                    cwd=cache, check=True, capture_output=True).stdout)
    return total


def measure(top: Path, upstreams: list[Path]) -> dict[str, float]:
    from incident_beads.fleet.api import Fleet

    root = top / f"oncall-{len(upstreams)}"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    configure(root, upstreams)
    fleet = Fleet(root)
    began = time.perf_counter()
    first = fleet.fetch()
    first_seconds = time.perf_counter() - began
    assert all(r.ok for r in first), [r.error for r in first if not r.ok]
    clones = []
    for upstream in upstreams:
        clone = top / "clones" / upstream.name
        if not clone.exists():
            git(top, "clone", "-q", "--bare", f"file://{upstream}", str(clone))
        clones.append(clone)
    caches = [m.cache for m in fleet.members]
    fetch_floor = median_of(lambda: git_fetch_floor(clones))
    fetch = median_of(fleet.fetch)
    floor = median_of(lambda: read_floor(caches))
    raw = median_of(lambda: raw_floor(caches))
    report = median_of(lambda: Fleet(root).report().figures())
    figures = Fleet(root).report().figures()
    cli = median_of(lambda: subprocess.run(
        [sys.executable, "-m", "incident_beads", "-C", str(root), "report", "--fleet", "--json"],
        check=True, capture_output=True))
    return {"repositories": len(upstreams), "incidents": figures["incidents"],
            "first_fetch": first_seconds, "fetch_floor": fetch_floor, "fetch": fetch,
            "raw_floor": raw, "read_floor": floor, "report": report, "report_cli": cli}


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    issues = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    with tempfile.TemporaryDirectory() as folder:
        top = Path(folder)
        os.environ["XDG_CACHE_HOME"] = str(top / "cache")
        os.environ["XDG_CONFIG_HOME"] = str(top / "config")
        upstreams = build_fleet(top, count, issues)
        sizes = sorted({max(1, count // 5), max(1, count // 2), count})
        rows = [measure(top, upstreams[:n]) for n in sizes]
    full = rows[-1]
    ms = 1000
    lines = [
        "## Fleet (bench_fleet.py)", "",
        f"{count} local repositories of {issues:,} issues each (half incidents, half action "
        f"items; {full['incidents']:,} incidents in all), served over `file://` by upstreams "
        f"that allow partial clones; medians of {REPEAT} runs, {JOBS} fetches at once.", "",
        "| repositories | first `fleet fetch` | git fetch, up to date (floor) | `fleet fetch`, "
        "nothing new | ratio | read stores: bytes only | read stores + `json.loads` (floor) | "
        "`report --fleet` (in process) | ratio | `incident report --fleet` (command) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['repositories']} | {r['first_fetch']:.1f} s | {r['fetch_floor'] * ms:.0f} ms "
            f"| {r['fetch'] * ms:.0f} ms | {r['fetch'] / r['fetch_floor']:.2f}x "
            f"| {r['raw_floor'] * ms:.0f} ms | {r['read_floor'] * ms:.0f} ms "
            f"| {r['report'] * ms:.0f} ms | {r['report'] / r['read_floor']:.2f}x "
            f"| {r['report_cli'] * ms:.0f} ms |")
    per_fetch = [r["fetch"] / r["repositories"] * ms for r in rows]
    per_report = [r["report"] / r["repositories"] * ms for r in rows]
    # the floors grow linearly by construction; a ratio that does not rise with the fleet
    # says the command grows as they do (the machine's load moves both alike)
    fetch_ratios = [r["fetch"] / r["fetch_floor"] for r in rows]
    report_ratios = [r["report"] / r["read_floor"] for r in rows]
    flat = (fetch_ratios[-1] <= fetch_ratios[0] * 1.25
            and report_ratios[-1] <= report_ratios[0] * 1.25)
    growth = ("the ratios to the floors do not rise with the fleet, so both grow linearly "
              "with the number of repositories, as the floors do" if flat else
              "a ratio to its floor rises with the fleet: more than linear growth")
    lines += ["", f"Per repository: `fleet fetch` with nothing new "
              f"{' / '.join(f'{x:.0f}' for x in per_fetch)} ms, `report --fleet` "
              f"{' / '.join(f'{x:.0f}' for x in per_report)} ms (at "
              f"{' / '.join(str(r['repositories']) for r in rows)} repositories): {growth}. "
              f"At {full['repositories']} repositories, `fleet fetch` with nothing new is "
              f"**{full['fetch'] / full['fetch_floor']:.2f}x** git's own fetch of up-to-date "
              f"refs, and `report --fleet` is **{full['report'] / full['read_floor']:.2f}x** "
              "the floor of reading the stores (bytes and `json.loads`), "
              f"{full['report'] / full['raw_floor']:.1f}x the bytes alone: checking every line "
              "as the store does and building the incidents' records is most of the rest."]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
