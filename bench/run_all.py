"""Run every `bench/bench_*.py` script and write their reports to `docs/performance.md`.

Each script prints a markdown section (its floor, medians and ratios) on stdout; this runner
only collects them, so a script can also be run on its own.
"""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE.parent / "docs" / "performance.md"


def main() -> int:
    """Run the scripts in name order; fail if any fails."""
    sections = []
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"running {script.name} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
        took = time.perf_counter() - started
        if done.returncode != 0:
            failed.append(script.name)
            sections.append(f"## {script.name}\n\nFAILED (exit {done.returncode}):\n\n"
                            f"```\n{done.stderr[-2000:]}\n```\n")
            continue
        sections.append(done.stdout.strip() + f"\n\n_{script.name} ran in {took:.0f} s._\n")
    header = (
        "# Performance\n\n"
        "Written by `python bench/run_all.py`; every figure is a median measured in the same run "
        "as the floor it is divided by, so the ratios hold across machines better than the "
        f"times do. Machine: {platform.machine()}, {_cpus()} CPU(s), Python "
        f"{platform.python_version()}.\n"
    )
    OUTPUT.write_text(header + "\n" + "\n".join(sections), encoding="utf-8")
    print(f"wrote {OUTPUT}", file=sys.stderr)
    return 1 if failed else 0


def _cpus() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
