"""Time the merge driver on a 20,000-issue file against only checking the three versions.

Each side changes 300 issues (30 of them on both sides) and adds 100; the floor is what any
merge must do anyway, parsing and checking base, ours and theirs line by line. Prints the
medians and their ratio as a markdown section. Target: ratio at most 2.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incident_beads.beads.issue import encode_line
from incident_beads.beads.snapshot import parse_file
from incident_beads.mergedriver import merge_files

ISSUES = 20_000
RUNS = 7
TARGET = 2.0


def issue(n: int, at: str = "2026-03-01T10:00:00Z") -> dict[str, Any]:
    """One incident-like issue with a label and a comment."""
    return {"id": f"inc-{n:05x}", "title": f"[SEV-3] issue {n}", "status": "open",
            "priority": 2, "issue_type": "bug", "created_at": at, "updated_at": at,
            "labels": ["incident", "sev-3"],
            "comments": [{"id": str(n), "issue_id": f"inc-{n:05x}", "author": "ann",
                          "text": "declared", "created_at": at}]}


def versions() -> tuple[bytes, bytes, bytes]:
    """Base, ours and theirs."""
    pick = random.Random(7)
    base = [issue(n) for n in range(ISSUES)]
    ours, theirs = [dict(d) for d in base], [dict(d) for d in base]
    shared = pick.sample(range(ISSUES), 30)
    for n in [*pick.sample(range(ISSUES), 270), *shared]:
        ours[n] = {**ours[n], "title": "retitled", "updated_at": "2026-03-01T11:00:00Z"}
    for n in [*pick.sample(range(ISSUES), 270), *shared]:
        theirs[n] = {**theirs[n], "notes": "noted", "updated_at": "2026-03-01T12:00:00Z"}
    ours += [issue(ISSUES + n) for n in range(100)]
    theirs += [issue(2 * ISSUES + n) for n in range(100)]
    def text(version: list[dict[str, Any]]) -> bytes:
        return b"".join(map(encode_line, version))

    return text(base), text(ours), text(theirs)


def main() -> None:
    """Interleave the two measurements and print the section."""
    base, ours, theirs = versions()
    floor, merge = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        for data in (base, ours, theirs):
            parse_file(Path("x"), data)
        floor.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = merge_files(base, ours, theirs)
        merge.append(time.perf_counter() - started)
    assert result.clean and result.data.count(b"\n") == ISSUES + 200
    ratio = statistics.median(merge) / statistics.median(floor)
    print(f"## Merge driver\n\n{ISSUES:,} issues ({len(base) / 1e6:.1f} MB), 300 changed and 100 "
          f"added on each side, 30 changed on both.\n\n"
          f"| measurement | median |\n|---|---|\n"
          f"| check the three versions (floor) | {statistics.median(floor) * 1000:.0f} ms |\n"
          f"| `merge_files` | {statistics.median(merge) * 1000:.0f} ms |\n\n"
          f"Ratio {ratio:.2f} (target at most {TARGET}): "
          f"{'met' if ratio <= TARGET else 'NOT met'}.")


if __name__ == "__main__":
    main()
