"""Run every `bench/bench_*.py` script and write their reports to `docs/performance.md`.

Each script prints a markdown section (its floor, medians and ratios) on stdout; this runner
only collects them, so a script can also be run on its own.

`python bench/run_all.py bench_commands.py bench_api.py` runs only the scripts named and
replaces their sections of `docs/performance.md`, keeping the others as they were.
"""

from __future__ import annotations

import compileall
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE.parent / "docs" / "performance.md"
PACKAGE = HERE.parent / "incident_beads"


def main() -> int:
    """Run the scripts in name order (all, or those named); fail if any fails."""
    named = sys.argv[1:]
    scripts = sorted(HERE.glob("bench_*.py"))
    unknown = sorted(set(named) - {s.name for s in scripts})
    if unknown:
        print(f"run_all.py: no such script: {', '.join(unknown)}", file=sys.stderr)
        return 2
    if named:
        scripts = [s for s in scripts if s.name in named]
    kept = _sections(OUTPUT.read_text(encoding="utf-8")) if named and OUTPUT.exists() else {}
    # Measure the package as installed, with its bytecode written: where the environment says
    # not to write bytecode (PYTHONDONTWRITEBYTECODE), every command would compile each
    # changed module from source again.
    compileall.compile_dir(PACKAGE, quiet=1)
    sections = []
    failed = []
    for script in scripts:
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
    if kept:  # the sections not run again stay, every section in script order
        kept.update({s.name: text for s, text in zip(scripts, sections, strict=True)})
        sections = [kept[name] for name in sorted(kept)]
    header = (
        "# Performance\n\n"
        "Written by `python bench/run_all.py`; every figure is a median measured in the same run "
        "as the floor it is divided by, so the ratios hold across machines better than the "
        f"times do. Machine: {platform.machine()}, {_cpus()} CPU(s), Python "
        f"{platform.python_version()}.\n\n"
        "What a read trusts without checking every line, and how it is checked: the store "
        "remembers each file's layout (line ends, ids, which lines hold a `\\u` escape, and "
        "which lines hold each label or word a command searched for) under `.git/`, keyed by "
        "the file's inode, size and change times. A remembered layout is used only for that "
        "very file, and only after a sample of its line ends is found to end lines (once "
        "per process and stat: a process trusts the layout it checked, or made for its own "
        "write, while the file keeps that stat); a "
        "remembered list of lines (escapes, or a word's) is used only after every listed line, "
        "or a sample of them, and a stride of all lines are found to hold it exactly when "
        "listed; every line parsed must hold the id it was remembered for. A store changed "
        "outside the tool has another stat and is checked in full; a label or id is searched "
        "in the raw bytes, and every line holding an escape (which could spell it otherwise) "
        "is parsed too. A process that has just written the store answers a search for a "
        "word it had searched from the lines its write kept (their bytes as written), only "
        "while the file's inode, size and change times are still those it wrote. "
        "Step 0 ranks past incidents from an index under `.git/` keyed by the hash of each "
        "incident line's bytes: an entry is used only for those very bytes, and any other "
        "line is parsed and checked afresh. "
        "Step 0's summaries of write-ups (front matter and title) and of the critical "
        "patterns file's sections are remembered under `.git/` keyed by each file's "
        "repository-relative path, inode, size and change times: a file whose stat "
        "matches its entry is not read, any other is parsed afresh and one that is gone "
        "drops out; a file modified in the 2 s before a scan (a second change in the same "
        "clock tick could keep its stat) is remembered with the hash of its bytes and used "
        "only while it hashes the same, and a summary JSON "
        "cannot give back exactly (a set, a tuple, bytes, a float that is not finite) is "
        "never remembered. The "
        "recent deployments of step 0 and `incident deploys` come from an index under `.git/` "
        "only while the fingerprint of the refs matches: every file under `refs/` but the "
        "tool's own `refs/incident-beads/` (path, inode, size, times), `packed-refs`, "
        "`shallow`, `info/grafts`, the git configuration files and those they include, and "
        "the `[git]` settings; it "
        "answers for the moment it was read for or a later one by replaying git's `--since` "
        "walk, and a reftable repository is never indexed.\n"
    )
    OUTPUT.write_text(header + "\n" + "\n".join(sections), encoding="utf-8")
    print(f"wrote {OUTPUT}", file=sys.stderr)
    return 1 if failed else 0


def _sections(text: str) -> dict[str, str]:
    """The sections of an existing report by script name (each ends with its `ran in` line)."""
    found: dict[str, str] = {}
    start = text.find("\n## ")
    for match in re.finditer(r"^_(bench_\w+\.py) ran in \d+ s\._\n", text, re.MULTILINE):
        if start >= 0:
            found[match.group(1)] = text[start:match.end()].strip() + "\n"
        start = match.end()
    return found


def _cpus() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
