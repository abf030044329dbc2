"""The writer keeps every limit the reader checks; odd files at the store path are refused."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from incident_beads.beads import BeadsStore
from incident_beads.beads.layout_cache import SnapshotCache, read_snapshot
from incident_beads.beads.limits import MAX_LINE_BYTES, MAX_TEXT_BYTES
from incident_beads.beads.snapshot import parse_file, stat_key
from incident_beads.errors import InvalidInput, MalformedFile, Refused
from tests.cli_runner import CliResult, run_incident
from tests.conftest import git


@pytest.fixture
def incident(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    def run(root: Path, *args: str) -> CliResult:
        return run_incident(capsys, root, *args)

    return run


def _declare(incident, root: Path) -> str:  # type: ignore[no-untyped-def]
    assert incident(root, "init").code == 0
    made = incident(root, "create", "Checkout down", "--sev", "2", "--who", "all",
                    "--what", "checkout", "--json")
    assert made.code == 0, made.err
    return str(json.loads(made.out)["id"])


def test_long_impact_is_refused_pointing_to_docs(repo: Path, incident) -> None:  # type: ignore[no-untyped-def]
    incident_id = _declare(incident, repo)
    before = (repo / ".beads" / "issues.jsonl").read_bytes()
    result = incident(repo, "update", incident_id, "--status", "Investigating",
                      "--impact", "x" * (MAX_TEXT_BYTES + 1), "--action", "look")
    assert result.code == 1
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert "the impact has 65,537 bytes" in result.err and "docs/" in result.err
    assert (repo / ".beads" / "issues.jsonl").read_bytes() == before


def test_many_long_updates_never_write_a_line_a_clone_refuses(repo: Path, tmp_path: Path,
                                                               incident) -> None:  # type: ignore[no-untyped-def]
    """The reproduction: a dozen and more updates with long impacts, then a fresh clone."""
    incident_id = _declare(incident, repo)
    refused = None
    for n in range(40):
        result = incident(repo, "update", incident_id, "--status", "Investigating",
                          "--impact", f"{n} " + "y" * (MAX_TEXT_BYTES - 1000), "--action", "look")
        if result.code:
            refused = result
            break
    assert refused is not None and refused.code == 1
    assert f"at most {MAX_LINE_BYTES:,}" in refused.err and "docs/" in refused.err
    assert incident(repo, "sync").code == 0
    git(repo, "push", "-q", "origin", "main")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(tmp_path / "upstream.git"), str(clone))
    assert incident(clone, "doctor").code == 0
    assert incident(clone, "show", incident_id).code == 0
    assert incident(repo, "doctor").code == 0


def test_the_writer_checks_the_whole_line_before_replacing_the_file(store_repo: Path) -> None:
    store = BeadsStore(store_repo)
    issue = store.create("Big metadata")
    before = store.path.read_bytes()
    texts = {f"k{n}": "z" * (MAX_TEXT_BYTES - 10) for n in range(70)}  # each text fits
    with pytest.raises(InvalidInput, match="bytes on its line"), store.transaction() as tx:
        tx.set_metadata(issue.id, "notes", texts)
    assert store.path.read_bytes() == before
    with pytest.raises(InvalidInput, match="bytes of text"):
        store.update(issue.id, notes="n" * (MAX_TEXT_BYTES + 1))
    assert store.path.read_bytes() == before


def test_reader_refuses_a_long_line_even_with_a_warm_layout_cache(store_repo: Path) -> None:
    """The original and a fresh clone agree: a remembered layout does not skip the limit."""
    path = store_repo / ".beads" / "issues.jsonl"
    BeadsStore(store_repo).create("small")
    long_line = ('{"id":"x-big","title":"big","priority":2,"created_at":"2026-01-01T00:00:00Z",'
                 '"updated_at":"2026-01-01T00:00:00Z","notes":"' + "a" * MAX_LINE_BYTES + '"}\n')
    with open(path, "ab") as out:
        out.write(long_line.encode())
    data = path.read_bytes()
    # as an older writer left it: the layout of the file remembered without a check
    ends = [data.index(b"\n") + 1, len(data)]
    layout = parse_file(path, data[:ends[0]])
    layout.ids.append("x-big")
    layout.ends.append(len(data))
    cache = SnapshotCache(path)
    cache.save(layout, stat_key(os.stat(path)))
    assert SnapshotCache(path).load(path, data, os.stat(path)) is None  # a later command
    with pytest.raises(MalformedFile, match="at most"):
        read_snapshot(path, SnapshotCache(path))
    with pytest.raises(MalformedFile, match="at most"):
        read_snapshot(path, None)


def _fifo(root: Path) -> Path:
    path = root / ".beads" / "issues.jsonl"
    path.unlink()
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("args", [["list"], ["doctor"], ["show", "x-1"], ["init"],
                                  ["create", "t", "--sev", "3"]])
def test_a_fifo_at_the_store_path_is_refused_at_once(store_repo: Path, args: list[str]) -> None:
    _fifo(store_repo)
    done = subprocess.run([sys.executable, "-m", "incident_beads", "-C", str(store_repo), *args],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "is a FIFO, not a regular file" in done.stderr
    assert done.stderr.count("\n") == 1


def test_a_socket_at_the_store_path_is_refused(store_repo: Path, tmp_path: Path) -> None:
    path = store_repo / ".beads" / "issues.jsonl"
    path.unlink()
    cwd = os.getcwd()
    os.chdir(path.parent)  # a socket path must be short
    try:
        server = socket.socket(socket.AF_UNIX)
        server.bind(path.name)
    finally:
        os.chdir(cwd)
    try:
        with pytest.raises(Refused, match="is a socket"):
            BeadsStore(store_repo).create("t")
    finally:
        server.close()


def test_a_device_at_the_store_path_is_refused(store_repo: Path) -> None:
    path = store_repo / ".beads" / "issues.jsonl"
    path.unlink()
    path.symlink_to("/dev/zero")  # a link that leaves the repository is refused first
    with pytest.raises(Refused, match="outside the repository"):
        BeadsStore(store_repo).snapshot()
    path.unlink()
    if not os.access("/dev", os.W_OK):
        pytest.skip("cannot make a device node here")
    try:
        os.mknod(path, 0o600 | 0o020000, os.makedev(1, 5))  # /dev/zero's numbers
    except PermissionError:
        pytest.skip("making a device node needs privileges")
    with pytest.raises(Refused, match="is a device"):
        BeadsStore(store_repo).snapshot()
