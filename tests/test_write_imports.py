"""What a write command loads, and the temporary file every write goes through."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from incident_beads.beads import BeadsStore, fileio

_RUN = ("import json, os, sys\nfrom incident_beads.cli import main\n"
        "try:\n    main(['-C', sys.argv[1], *sys.argv[2:]])\n"
        "except SystemExit as exc:\n    assert exc.code in (None, 0), exc.code\n"
        "print(json.dumps(sorted(m for m in os.environ['WATCHED'].split() if m in sys.modules)),"
        " file=sys.stderr)")
HEAVY = ("tempfile", "secrets", "shutil", "_hashlib", "markdown_it", "yaml",
         "click.shell_completion")
#: What phase 0, post-mortem drafts and the report need, and a resolution does not.
NOT_RESOLVING = ("incident_beads.knowledge.context", "incident_beads.knowledge.ranking",
                 "incident_beads.knowledge.postmortem", "incident_beads.knowledge.report",
                 "incident_beads.hotfix.deploys", "yaml", "tempfile", "secrets")


def loaded(root: Path, *args: str, watched: tuple[str, ...] = HEAVY) -> list[str]:
    """Run `incident ARGS` in a fresh interpreter: which of the `watched` modules it imported."""
    done = subprocess.run([sys.executable, "-c", _RUN, str(root), *args], capture_output=True,
                          text=True, env={**os.environ, "WATCHED": " ".join(watched)})
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stderr.strip().splitlines()[-1])
    assert isinstance(found, list)
    return found


def test_declaring_and_updating_load_no_module_they_do_not_use(store_repo: Path) -> None:
    # the first declaration builds the deployments index, reading git through GitPython
    loaded(store_repo, "create", "Search slow", "--sev", "3", "--what", "x", "--service", "search")
    assert loaded(store_repo, "create", "Checkout down", "--sev", "3", "--what", "x",
                  "--service", "checkout") == []
    incident = BeadsStore(store_repo).query(label="incident")[0].id
    assert loaded(store_repo, "update", incident, "--status", "identified",
                  "--impact", "some users", "--action", "rolling back") == []
    loaded(store_repo, "mitigate", incident, "--option", "rollback", "--result", "worked")
    assert loaded(store_repo, "resolve", incident, "--resolution", "rolled back",
                  "--root-cause", "bad deploy", "--no-longer-occurring", "--error-rates-normal",
                  "--users-can-use-feature", "--evidence", "dashboards green",
                  "--stakeholders-notified", watched=NOT_RESOLVING) == []
    assert (store_repo / "docs" / "solutions").is_dir()  # it did write its documents


def test_the_temporary_file_is_new_private_and_beside_the_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "issues.jsonl"
    taken = tmp_path / f".issues.jsonl.{'00' * 6}{fileio.TEMP_SUFFIX}"
    taken.write_bytes(b"someone else's")
    draws = iter([bytes(6), bytes(6), b"\x01" * 6])
    monkeypatch.setattr(os, "urandom", lambda n: next(draws))
    fd, name = fileio.temporary_beside(target)
    os.close(fd)
    assert name == str(tmp_path / f".issues.jsonl.{'01' * 6}{fileio.TEMP_SUFFIX}")
    assert stat.S_IMODE(os.stat(name).st_mode) == 0o600
    assert taken.read_bytes() == b"someone else's"  # a name in use is never opened
