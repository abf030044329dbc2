"""Time `incident` commands as a user runs them, each against the floor the issue names.

Usage: python bench/bench_commands.py [--sizes 1000,10000,100000] [--repeat 5]

The command line's floor is starting Python with click imported (`python -c 'import click'`,
the framework every command needs) plus the file work the command cannot avoid, done in that
same process: for a write, reading the store and writing it atomically (temporary file, fsync,
rename) to a file beside it, so that the store stays the file the commands have seen; for a
read, reading the file. Every run is a fresh process; runs of a command
and of its floor alternate, and each figure is the median of `--repeat` pairs, so a machine
busy with other work slows both alike. Memory is the child's peak RSS (interpreter included)
as a multiple of the store file's size.

The stores are the corpus issues of `bench_store.py` plus one resolved incident per 200
issues (some on the `checkout` service), so the read paths have a few hundred incidents to
find at 100,000 issues.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_lifecycle import resolved_line
from bench_store import build_store

PYTHON = sys.executable
INCIDENT = [PYTHON, "-m", "incident_beads"]
TARGETS = {"write": 2.5, "write-100k": 1.5, "read": 3.0, "start": 1.5, "memory": 2.0}

WRITE_FLOOR = """
import os, sys, click
path = sys.argv[1]
with open(path, "rb") as handle:
    data = handle.read()
temp = path + ".floor.tmp"
with open(temp, "wb") as out:
    out.write(data)
    out.flush()
    os.fsync(out.fileno())
os.replace(temp, path + ".floor")  # beside the store: replacing it would make it a new file
folder = os.open(os.path.dirname(path), os.O_RDONLY)
os.fsync(folder)
os.close(folder)
"""
READ_FLOOR = """
import sys, click
with open(sys.argv[1], "rb") as handle:
    handle.read()
"""


def run(argv: list[str], cwd: Path) -> tuple[float, int]:
    """Seconds and peak RSS (KiB) of one child process; fail loudly if it fails.

    What earlier runs wrote is flushed to disk first, untimed: otherwise a 160 MB durable write
    waits for the writeback of the run before it, whichever of the pair that was.
    """
    os.sync()
    began = time.perf_counter()
    child = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    took = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    err = child.stderr.read() if child.stderr else b""
    if child.returncode not in (0, 3):  # 3: an escalation (a recurrence) is still a write
        raise SystemExit(f"{' '.join(argv)} failed ({child.returncode}): {err.decode()[-500:]}")
    return took, usage.ru_maxrss


def paired(command: Callable[[], list[str]], floor: list[str], cwd: Path, repeat: int,
           before: Callable[[], None] | None = None) -> dict[str, float]:
    """Median seconds of `command` and of `floor`, alternated, and the command's peak RSS."""
    mine, base, rss = [], [], []
    for _ in range(repeat):
        if before is not None:
            before()
        took, peak = run(command(), cwd)
        mine.append(took)
        rss.append(peak)
        base.append(run(floor, cwd)[0])
    return {"cmd": statistics.median(mine), "floor": statistics.median(base),
            "rss_kib": max(rss)}


def seed_incidents(root: Path, size: int) -> None:
    """Append one resolved incident per 200 issues, the last weeks inside the recurrence window."""
    count = max(5, size // 200)
    start = datetime.now(UTC) - timedelta(hours=7 * count)
    with open(root / ".beads" / "issues.jsonl", "ab") as out:
        for n in range(count):
            out.write(resolved_line(n, start))


def open_incident(root: Path, title: str, service: str) -> str:
    """Declare an open SEV-3 incident through the command line; return its id.

    Each on its own service: one resolved just before on the same service would be a recurrence.
    """
    done = subprocess.run([*INCIDENT, "create", title, "--sev", "3", "--what", "x",
                           "--service", service, "--json"],
                          cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"create failed: {done.stderr}")
    import json

    found = json.loads(done.stdout)
    return str(found["id"])


def bench_size(size: int, repeat: int, workdir: Path) -> list[tuple[str, dict[str, float]]]:
    """Every command on one store of `size` issues."""
    root = workdir / f"store-{size}"
    build_store(root, size)
    seed_incidents(root, size)
    store = str(root / ".beads" / "issues.jsonl")
    write_floor = [PYTHON, "-c", WRITE_FLOOR, store]
    read_floor = [PYTHON, "-c", READ_FLOOR, store]
    subprocess.run([*INCIDENT, "list", "--json"], cwd=root, check=True, capture_output=True)
    target = open_incident(root, "Bench target", "payments")
    # The first durable writes of as much data after the store was built are slow for any
    # writer (two of 0.7-0.8 s at 100,000 issues, where the next take 0.25 s): untimed, so the
    # pairs compare the command and its floor in the steady state, whichever would come first.
    for _ in range(2):
        run(write_floor, root)
    resolving: list[str] = []
    counter = iter(range(10**6))
    rows: list[tuple[str, dict[str, float]]] = []

    def prepare_resolve() -> None:
        n = next(counter)
        resolving.append(open_incident(root, f"Bench resolve {n}", f"svc-resolve-{n}"))
        # resolving needs the rung that worked (or a verified hotfix) on record
        subprocess.run([*INCIDENT, "mitigate", resolving[-1], "--option", "rollback",
                        "--result", "worked"], cwd=root, check=True, capture_output=True)

    writes: dict[str, Callable[[], list[str]]] = {
        "create": lambda: [*INCIDENT, "create", f"Bench outage {next(counter)}", "--sev", "3",
                           "--what", "x", "--service", "search"],
        "update": lambda: [*INCIDENT, "update", target, "--status", "identified",
                           "--impact", "some users", "--action", "rolling back"],
        "mitigate": lambda: [*INCIDENT, "mitigate", target, "--option", "rollback",
                             "--result", "in-progress"],
        "resolve": lambda: [*INCIDENT, "resolve", resolving[-1], "--resolution", "rolled back",
                            "--root-cause", "bad deploy", "--no-longer-occurring",
                            "--error-rates-normal", "--users-can-use-feature",
                            "--evidence", "dashboards green", "--stakeholders-notified"],
    }
    for name, command in writes.items():
        print(f"  {size}: {name}", file=sys.stderr, flush=True)
        rows.append((name, paired(command, write_floor, root, repeat,
                                  prepare_resolve if name == "resolve" else None)))
    reads: dict[str, list[str]] = {
        "overdue": [*INCIDENT, "overdue"],
        "report": [*INCIDENT, "report"],
        "context": [*INCIDENT, "context", "checkout down", "--service", "checkout"],
        "list --label incident": [*INCIDENT, "list", "--label", "incident", "--all", "--json"],
    }
    for name, argv in reads.items():
        print(f"  {size}: {name}", file=sys.stderr, flush=True)
        rows.append((name, paired(lambda argv=argv: argv, read_floor, root, repeat)))
    return rows


def startup(repeat: int, workdir: Path) -> list[tuple[str, dict[str, float]]]:
    """`--help` and `list --json` on a small store against `python -c 'import click'`."""
    root = workdir / "small"
    build_store(root, 7)
    floor = [PYTHON, "-c", "import click"]
    subprocess.run([*INCIDENT, "list", "--json"], cwd=root, check=True, capture_output=True)
    return [(name, paired(lambda argv=argv: argv, floor, root, repeat))
            for name, argv in (("incident --help", [*INCIDENT, "--help"]),
                               ("incident list --json", [*INCIDENT, "list", "--json"]))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        start_rows = startup(args.repeat * 3, workdir)
        # as many pairs at 100,000 issues too: a durable write of 160 MB meets the disk's
        # writeback now and then, and three pairs let one such run set the median
        results = {size: bench_size(size, args.repeat, workdir) for size in sizes}
        sizes_of = {size: (workdir / f"store-{size}" / ".beads" / "issues.jsonl").stat().st_size
                    for size in sizes}
    print("## Commands (bench_commands.py)\n")
    print("Each command in a fresh process, alternated with its floor in the same run; medians "
          f"of {args.repeat} pairs. The floor of a write is "
          "`python -c 'import click'` plus reading the store and writing it atomically beside "
          "it (temporary file, fsync, rename); of a read, `import click` plus reading the file. "
          "The write floor runs twice, untimed, before the pairs: the first durable writes after "
          "a store is built are slow for any writer. "
          "Memory: the command's peak RSS, "
          "interpreter included, over the file's size. The machine was shared with other work "
          "while this ran: the ratios, measured pairwise, hold better than the times.\n")
    print("| command | floor | median | x floor |\n|---|---:|---:|---:|")
    for name, row in start_rows:
        print(f"| `{name}` (7 issues; target {TARGETS['start']}x) | {row['floor'] * 1000:.0f} ms "
              f"| {row['cmd'] * 1000:.0f} ms | {row['cmd'] / row['floor']:.2f}x |")
    print("\n| issues | file | command | target | floor | median | x floor | peak RSS, x file |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|")
    for size, rows in results.items():
        mb = sizes_of[size] / 1e6
        for name, row in rows:
            kind = "read" if name in ("overdue", "report", "context",
                                      "list --label incident") else "write"
            target = (TARGETS["write-100k"] if kind == "write" and size >= 100_000
                      else TARGETS[kind])
            memory = row["rss_kib"] * 1024 / sizes_of[size]
            print(f"| {size:,} | {mb:.1f} MB | `{name}` | {target}x | "
                  f"{row['floor'] * 1000:.0f} ms | {row['cmd'] * 1000:.0f} ms | "
                  f"{row['cmd'] / row['floor']:.2f}x | {memory:.2f} |")
    print(f"\nTargets: writes at most {TARGETS['write']}x their floor at 1,000 and 10,000 "
          f"issues and {TARGETS['write-100k']}x at 100,000; `overdue`, `report`, `context` and "
          f"`list --label incident` at most {TARGETS['read']}x reading the file at 100,000; "
          f"peak memory at most {TARGETS['memory']}x the file at 100,000 (below that the "
          "interpreter itself outweighs the file).")


if __name__ == "__main__":
    main()
