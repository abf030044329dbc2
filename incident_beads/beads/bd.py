"""Keep a `bd` database and the file in agreement around the store's writes.

Where a `bd` binary is on PATH and `.beads/` holds a bd database, a write first brings in the
issues that exist only in bd's database (`bd export` to a temporary file, merged by id: the file
is never replaced by the export, since bd drops lines that exist only in the file), and after
the write asks bd to import the file (`bd import`). Where bd or its database is absent, nothing
runs and nothing is said. A failing bd never undoes a write: it becomes a warning.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from incident_beads.beads.issue import encode_line
from incident_beads.beads.line_check import check_line
from incident_beads.errors import MalformedFile

if TYPE_CHECKING:
    from incident_beads.beads.store import BeadsStore
    from incident_beads.beads.transaction import Changes

BD_TIMEOUT_SECONDS = 60
ISSUES_RELATIVE = ".beads/issues.jsonl"


def has_bd_database(beads_dir: Path) -> bool:
    """True when `.beads/` holds a bd database (bd 1.x: `dolt/`; SQLite era: `*.db`)."""
    if (beads_dir / "dolt").is_dir():
        return True
    try:
        return any(entry.suffix == ".db" and entry.is_file() for entry in beads_dir.iterdir())
    except OSError:
        return False


def find_bd(beads_dir: Path) -> str | None:
    """The `bd` binary to talk to, or None when bd or its database is absent."""
    if not has_bd_database(beads_dir):
        return None  # looked at first: no write without a bd database loads shutil
    import shutil  # these three load only when a write talks to bd: reads start faster

    return shutil.which("bd")


def attach(store: BeadsStore) -> None:
    """Wire bd into the store's writes as its configuration allows."""
    if store.config.bd_export_merge:
        store.before_changes.append(lambda changes: merge_bd_export(store, changes))
    if store.config.bd_import:
        store.after_write.append(import_into_bd)


def import_into_bd(store: BeadsStore) -> None:
    """Ask bd to import the file just written; a failure becomes one of the store's warnings."""
    binary = find_bd(store.beads_dir)
    if binary is None:
        return
    problem = _run(store, [binary, "import", ISSUES_RELATIVE])
    if problem:
        store.warnings.append(f"bd import failed ({problem}); the file was written, bd's "
                              f"database is behind it (hint: run `bd import {ISSUES_RELATIVE}`)")


def merge_bd_export(store: BeadsStore, changes: Changes) -> int:
    """Add to `changes` the issues bd's database has and the file lacks; return how many."""
    binary = find_bd(store.beads_dir)
    if binary is None:
        return 0
    import tempfile

    with tempfile.TemporaryDirectory(prefix="incident-beads-bd-") as folder:
        exported = Path(folder) / "export.jsonl"
        problem = _run(store, [binary, "export", "-o", str(exported)])
        if problem:
            store.warnings.append(f"bd export failed ({problem}); issues only bd has "
                                  "were not brought into the file")
            return 0
        try:
            records = _read_export(exported)
        except (OSError, ValueError) as exc:
            store.warnings.append(f"bd export wrote an unreadable file ({exc}); "
                                  "nothing was brought in from bd")
            return 0
    added = 0
    seen: dict[str, int] = {}
    for number, record in enumerate(records, start=1):
        issue_id = record.get("id")
        if (record.get("_type", "issue") != "issue" or not isinstance(issue_id, str)
                or changes.exists(issue_id) or record.get("status") == "tombstone"):
            continue
        try:
            check_line("bd export", number, encode_line(record)[:-1], seen, None)
        except MalformedFile as exc:
            store.warnings.append(f"skipped an issue of bd's export: {exc.one_line()}")
            continue
        changes.adopt(record)
        added += 1
    return added


def _read_export(path: Path) -> list[dict[str, Any]]:
    import jsonlines

    if not path.exists():
        return []
    records: list[dict[str, Any]] = []
    with jsonlines.open(path) as reader:
        for record in reader.iter(skip_empty=True):
            if isinstance(record, dict):
                records.append(record)
    return records


def _run(store: BeadsStore, argv: list[str]) -> str:
    """Run bd in the repository without a shell; describe a failure, or return ''."""
    import subprocess

    try:
        done = subprocess.run(argv, cwd=store.root, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=BD_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        return f"no answer within {BD_TIMEOUT_SECONDS} s"
    except OSError as exc:
        return exc.strerror or str(exc)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [""])[-1]
        return f"exit {done.returncode}" + (f": {last}" if last else "")
    return ""
