"""Time the API's writes (`declare`, `post_update`) in one process against the in-process floor.

Usage: python bench/bench_api.py [--sizes 100000] [--repeat 7]

The floor is the least a write of one issue can do in a process that is already running:
read the store and replace it atomically (temporary file, fsync, rename) with one line
changed. Each call and its floor alternate in the same process, and each figure is the median
of `--repeat` pairs, so a machine busy with other work slows both alike. The first call of
each kind is made once before timing, so imports and the store's remembered layout are warm,
as in a long-running process (a service, the MCP server).

The stores are those of `bench_commands.py`: corpus issues plus one resolved incident per
200 issues, some on the declared service, so `declare` has a recurrence window to scan.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_commands import build_store, seed_incidents

from incident_beads import IncidentResponse

TARGET = 1.3


def rewrite_one_line(path: Path, counter: list[int]) -> None:
    """The floor: read the file, change one line, write it atomically in its place.

    Written beside the store, so the store stays the file the API has seen; the unchanged
    parts are written from the bytes read, without copying them.
    """
    data = path.read_bytes()
    cut = data.index(b"\n") + 1  # the first line is the one changed
    counter[0] += 1
    line = data[:cut].replace(b'"title":"', f'"title":"{counter[0] % 10}'.encode(), 1)
    temp = path.with_name(path.name + ".floor.tmp")
    with open(temp, "wb") as out:
        out.write(line)
        out.write(memoryview(data)[cut:])
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, path.with_name(path.name + ".floor"))
    folder = os.open(path.parent, os.O_RDONLY)
    os.fsync(folder)
    os.close(folder)


def paired(call: Callable[[], object], floor: Callable[[], object],
           repeat: int) -> tuple[float, float]:
    """Median seconds of `call` and of `floor`, alternated."""
    mine, base = [], []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        mine.append(time.perf_counter() - began)
        began = time.perf_counter()
        floor()
        base.append(time.perf_counter() - began)
    return statistics.median(mine), statistics.median(base)


def bench_size(size: int, repeat: int, workdir: Path) -> list[tuple[str, float, float]]:
    root = workdir / f"store-{size}"
    build_store(root, size)
    seed_incidents(root, size)
    store = root / ".beads" / "issues.jsonl"
    api = IncidentResponse(root, actor="bench")
    counter = [0]
    titles = iter(range(10**6))

    def floor() -> None:
        rewrite_one_line(store, counter)

    def declare(load_context: bool) -> Callable[[], object]:
        return lambda: api.declare(f"Search outage {next(titles)}", severity=3,
                                   what_broken="x", services=[f"svc-api-{next(titles)}"],
                                   load_context=load_context)

    target = api.declare("Bench target", severity=3, what_broken="x", services=["payments"])
    declare(False)()
    api.post_update(target.id, status="Identified", impact="some", action="a")
    rows = []
    for name, call in (
            ("declare", declare(True)),
            ("declare (load_context=False)", declare(False)),
            ("post_update", lambda: api.post_update(target.id, status="Identified",
                                                    impact="some users",
                                                    action="rolling back"))):
        print(f"  {size}: {name}", file=sys.stderr, flush=True)
        took, base = paired(call, floor, repeat)
        rows.append((name, took, base))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        results = {size: bench_size(size, args.repeat, workdir) for size in sizes}
        megabytes = {size: (workdir / f"store-{size}" / ".beads" / "issues.jsonl")
                     .stat().st_size / 1e6 for size in sizes}
    print("## API writes (bench_api.py)\n")
    print("Each call in one running process (imports and the store's layout warm), alternated "
          "with the in-process floor: read the store and replace it atomically (temporary "
          f"file, fsync, rename) with one line changed. Medians of {args.repeat} pairs; "
          f"target at most {TARGET}x.\n")
    print("| issues | file | call | floor | median | x floor |\n|---:|---:|---|---:|---:|---:|")
    for size, rows in results.items():
        for name, took, base in rows:
            print(f"| {size:,} | {megabytes[size]:.1f} MB | `{name}` | {base * 1000:.0f} ms | "
                  f"{took * 1000:.0f} ms | {took / base:.2f}x |")


if __name__ == "__main__":
    main()
