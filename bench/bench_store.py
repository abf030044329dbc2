"""Time the beads store against the floor of the same work, on stores shaped like bd's files.

Usage: python bench/bench_store.py [--sizes 1000,10000,100000] [--repeat 3] [--out FILE]

Every figure is the median of `--repeat` runs, each in a fresh subprocess so that one run's
heap, caches and imports do not flatter the next. Writes are compared with reading the file and
replacing it atomically (temporary file, fsync, rename, fsync of the folder); list with reading
it and `json.loads` of every line. Memory is the growth of the peak RSS during the operation
(the kernel's high-water mark is reset first), as a multiple of the file's size.

"first touch": the store has never seen the file, so it checks every line. "steady": its
validated-layout cache under `.git/` is warm, as it is from the second command on. Writes
include the journal commit (`refs/incident-beads/journal`); a last row times that commit alone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "tests" / "corpus"
TARGETS = {"create": 1.5, "update": 1.5, "list": 2.0, "memory": 3.0, "cold start": 6.0}


# building stores ----------------------------------------------------------------------------
def corpus_records() -> list[tuple[dict[str, Any], tuple[str, str]]]:
    """Every corpus issue with the separators its line was written with."""
    records = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        for line in path.read_bytes().splitlines():
            separators = (", ", ": ") if b'", "' in line else (",", ":")
            records.append((json.loads(line), separators))
    return records


def fresh_id(copy: int, old: str) -> str:
    """A new id for the `copy`-th repetition of corpus issue `old` (the same on every call)."""
    return f"bench-{hashlib.sha256(f'{copy}|{old}'.encode()).hexdigest()[:12]}"


def build_store(root: Path, size: int) -> list[str]:
    """A git repository whose store holds `size` corpus issues under fresh ids; return the ids."""
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".beads").mkdir()
    records = corpus_records()
    known = {record["id"] for record, _ in records}
    ids: list[str] = []
    with open(root / ".beads" / "issues.jsonl", "w", encoding="utf-8") as out:
        for n in range(size):
            record, separators = records[n % len(records)]
            copy = n // len(records)
            data = json.loads(json.dumps(record))
            data["id"] = fresh_id(copy, record["id"])
            data["title"] = f"{record['title']} #{n}"
            for dep in data.get("dependencies") or []:
                dep["issue_id"] = data["id"]
                if dep.get("depends_on_id") in known:
                    dep["depends_on_id"] = fresh_id(copy, dep["depends_on_id"])
            out.write(json.dumps(data, ensure_ascii=False, separators=separators) + "\n")
            ids.append(data["id"])
    return ids


# one measurement, in its own process ---------------------------------------------------------
def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def measure(kind: str, root: Path, arg: str) -> dict[str, float]:
    """Run one operation and report its seconds and peak RSS growth in bytes."""
    from incident_beads.beads.store import BeadsStore

    path = root / ".beads" / "issues.jsonl"
    if kind.endswith("first"):
        shutil.rmtree(root / ".git" / "incident-beads", ignore_errors=True)
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak RSS to the current RSS
    base = _rss_kib("VmRSS")
    start = time.perf_counter()
    if kind == "floor-write":
        data = path.read_bytes()
        fd, tmp = tempfile.mkstemp(dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
        folder = os.open(path.parent, os.O_RDONLY)
        os.fsync(folder)
        os.close(folder)
    elif kind == "floor-list":
        with open(path, "rb") as handle:
            rows = [json.loads(line) for line in handle.read().splitlines()]
        assert rows
    elif kind.startswith("create"):
        BeadsStore(root).create(f"Bench incident {arg}", issue_type="bug", priority=1,
                                labels=["incident", "sev-2"], description="made by the bench")
    elif kind.startswith("update"):
        BeadsStore(root).update(arg, notes=f"touched by the bench {time.time()}")
    elif kind.startswith("list"):
        assert BeadsStore(root).summaries(include_closed=True)
    elif kind == "journal":  # what the journal adds to a one-line write, on its own
        from incident_beads.beads.journal import Journal

        journal = Journal.of(root)
        assert journal is not None
        with open(path, "rb") as handle:
            line = handle.readline()
        pending = journal.record({arg or "bench-journal": line})
        assert pending is not None and pending.commit() == ""
    else:
        raise SystemExit(f"unknown measurement {kind}")
    seconds = time.perf_counter() - start
    peak = _rss_kib("VmHWM")
    return {"seconds": seconds, "peak_bytes": max(0, peak - base) * 1024}


def run_child(kind: str, root: Path, arg: str = "") -> dict[str, float]:
    """One measurement in a fresh process. What earlier runs wrote is flushed to disk first,
    untimed: otherwise a durable 160 MB write waits for the writeback of the run before it."""
    os.sync()
    done = subprocess.run([sys.executable, __file__, "--measure", kind, str(root), arg],
                          capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def paired(kind: str, floor_kind: str, root: Path, repeat: int, arg: str = "",
           warm: bool = False) -> dict[str, float]:
    """Median seconds, peak memory and ratio, each run right after a run of its floor.

    The machine is shared, so its load drifts; a ratio of neighbouring runs drifts less.
    """
    runs = []
    for _ in range(repeat):
        floor = run_child(floor_kind, root)
        if warm:  # a command that checks the file and leaves the cache warm
            run_child("list-first", root)
        run = run_child(kind, root, arg)
        runs.append({**run, "floor": floor["seconds"], "ratio": run["seconds"] / floor["seconds"]})
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


# cold start --------------------------------------------------------------------------------
def cold_start(root: Path, repeat: int) -> dict[str, float]:
    def best(argv: list[str]) -> float:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    command = [sys.executable, "-m", "incident_beads", "-C", str(root), "list", "--json"]
    floor = best([sys.executable, "-c", "pass"])
    steady = best(command)
    cache = root / ".git" / "incident-beads"
    first_times = []
    for _ in range(repeat):
        shutil.rmtree(cache, ignore_errors=True)
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        first_times.append(time.perf_counter() - start)
    return {"floor": floor, "steady": steady, "first": statistics.median(first_times)}


# the report --------------------------------------------------------------------------------
def bench(sizes: list[int], repeat: int, workdir: Path) -> list[str]:
    rows = ["| issues | file | operation | floor | first touch | steady "
            f"| peak memory, x file: first / steady (target {TARGETS['memory']}x) |",
            "|---:|---:|---|---:|---:|---:|---:|"]
    for size in sizes:
        root = workdir / f"store-{size}"
        ids = build_store(root, size)
        file_size = (root / ".beads" / "issues.jsonl").stat().st_size
        for op, floor_kind, arg in (("create", "floor-write", str(size)),
                                    ("update", "floor-write", ids[len(ids) // 2]),
                                    ("list", "floor-list", "")):
            # small stores are quick, and an fsync's jitter is a larger share of their time
            runs = repeat * 3 if size <= 10_000 else repeat
            first = paired(f"{op}-first", floor_kind, root, runs, arg)
            steady = paired(f"{op}-steady", floor_kind, root, runs, arg, warm=True)
            floor = statistics.median([first["floor"], steady["floor"]])
            rows.append(
                f"| {size:,} | {file_size / 1e6:.1f} MB | {op} (target {TARGETS[op]}x) "
                f"| {floor * 1000:.0f} ms "
                f"| {first['ratio']:.2f}x ({first['seconds'] * 1000:.0f} ms) "
                f"| {steady['ratio']:.2f}x ({steady['seconds'] * 1000:.0f} ms) "
                f"| {first['peak_bytes'] / file_size:.2f} / "
                f"{steady['peak_bytes'] / file_size:.2f} |")
            print(rows[-1], file=sys.stderr, flush=True)
        # The journal runs beside the write (streamed while the file is written and synced);
        # alone, its commit costs this much, as a share of the write's floor.
        journal = paired("journal", "floor-write", root, repeat * 3, ids[len(ids) // 3])
        rows.append(f"| {size:,} | {file_size / 1e6:.1f} MB | journal commit alone (in create "
                    f"and update above) | {journal['floor'] * 1000:.0f} ms "
                    f"| {journal['ratio']:.2f}x ({journal['seconds'] * 1000:.0f} ms) | | |")
        print(rows[-1], file=sys.stderr, flush=True)
        shutil.rmtree(root)
    small = workdir / "small"
    build_store(small, 7)
    cold = cold_start(small, max(5, repeat * 3))
    rows += ["", "| cold start (`incident list --json`, 7 issues) | `python3 -c pass` "
             "| first touch | steady |", "|---|---:|---:|---:|",
             f"| target {TARGETS['cold start']}x | {cold['floor'] * 1000:.0f} ms "
             f"| {cold['first'] / cold['floor']:.2f}x ({cold['first'] * 1000:.0f} ms) "
             f"| {cold['steady'] / cold['floor']:.2f}x ({cold['steady'] * 1000:.0f} ms) |"]
    return rows


def main() -> None:
    """Build the stores, measure, print a markdown table."""
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        kind, root, arg = sys.argv[2], Path(sys.argv[3]), sys.argv[4]
        print(json.dumps(measure(kind, root, arg)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-store-") as folder:
        rows = bench(sizes, args.repeat, Path(folder))
    text = "\n".join(rows)
    print("## Store (bench_store.py)\n\nFloors: reading the file and replacing it atomically "
          "(temporary file, fsync, rename) for writes; reading it and `json.loads` of every "
          "line for list. \"first touch\": the store checks every line of a file it has not "
          "seen; \"steady\": its remembered layout is warm, as from the second command on.\n")
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
