"""Reliability of the store: parallel writers, killed writers, bad files, fuzzing, links."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_beads.beads import BeadsStore, validate
from incident_beads.beads.snapshot import parse_file
from incident_beads.errors import MalformedFile, Refused
from tests.cli_runner import run_incident as _cli

pytestmark = pytest.mark.reliability
FORK = multiprocessing.get_context("fork")
STAMP = '"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"'


def _line(issue_id: str, extra: str = "") -> bytes:
    return f'{{"id":"{issue_id}","title":"t {issue_id}","priority":2,{STAMP}{extra}}}\n'.encode()




# parallel writers ----------------------------------------------------------------------------
def _writer(root: str, worker: int, count: int) -> None:
    store = BeadsStore(root)
    for n in range(count):
        issue = store.create(f"worker {worker} issue {n}", labels=[f"w{worker}"])
        store.update(issue.id, notes=f"updated by {worker}")
    os._exit(0)


def test_eight_processes_creating_and_updating_lose_nothing(store_repo: Path) -> None:
    workers = [FORK.Process(target=_writer, args=(str(store_repo), w, 50)) for w in range(8)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    store = BeadsStore(store_repo)
    issues = list(store.issues())
    assert len(issues) == 400 == len({i.id for i in issues})
    assert sorted(i.title for i in issues) == sorted(
        f"worker {w} issue {n}" for w in range(8) for n in range(50))
    assert all(i.data["notes"] == f"updated by {i.labels[0][1:]}" for i in issues)
    assert validate(store.path) == []


# killed writers --------------------------------------------------------------------------------
def _update_forever(root: str, issue_id: str, start: int) -> None:
    store = BeadsStore(root)
    n = start
    while True:
        n += 1
        store.update(issue_id, notes=str(n))


def test_a_writer_killed_at_random_points_leaves_before_or_after(store_repo: Path) -> None:
    path = store_repo / ".beads" / "issues.jsonl"
    path.write_bytes(b"".join(_line(f"k-{n:03d}") for n in range(40)))
    target = "k-020"
    others = [line for line in path.read_bytes().splitlines() if b'"k-020"' not in line]
    seen, rng = 0, random.Random(2026)
    for _ in range(200):
        child = FORK.Process(target=_update_forever, args=(str(store_repo), target, seen))
        child.start()
        time.sleep(rng.uniform(0, 0.012))
        os.kill(child.pid or 0, signal.SIGKILL)
        child.join()
        snapshot = parse_file(path, path.read_bytes())  # raises if the file is not valid
        lines = path.read_bytes().splitlines()
        assert [line for line in lines if b'"k-020"' not in line] == others
        notes = snapshot.get(target).data.get("notes")
        now = int(notes) if notes else 0
        assert now >= seen  # a whole state, never a step back
        seen = now
    BeadsStore(store_repo).update(target, notes="last")
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".incident-beads.tmp")]
    assert validate(path) == []


# bad files ----------------------------------------------------------------------------------
GOOD = _line("b-001") + _line("b-002")
BAD_FILES = {
    "malformed JSON": (GOOD + b'{"id":"b-003","title":}\n', 3, "not valid JSON"),
    "truncated last line": (GOOD + b'{"id":"b-003","title":"half', 3, "not valid JSON"),
    "byte order mark": (b"\xef\xbb\xbf" + GOOD, 1, "byte order mark"),
    "CRLF": (GOOD.replace(b"\n", b"\r\n"), 1, "CR LF"),
    "duplicate ids": (GOOD + _line("b-001"), 3, "duplicate id b-001 (first on line 1)"),
    "invalid UTF-8": (GOOD + _line("b-003").replace(b"t b-003", b"t \xff\xfe"), 3,
                      "not valid UTF-8"),
    "priority as text": (GOOD + _line("b-003").replace(b'"priority":2', b'"priority":"2"'), 3,
                         "`priority` must be an integer"),
    "labels as text": (_line("b-003", ',"labels":"incident"') + GOOD, 1, "`labels` must be a list"),
    "title as number": (GOOD + _line("b-003").replace(b'"t b-003"', b"3"), 3, "`title` must be"),
    "dependencies of strings": (GOOD + _line("b-003", ',"dependencies":["b-001"]'), 3,
                                "`dependencies` must be a list of objects"),
    "id missing": (GOOD + b'{"title":"no id","priority":1}\n', 3, "no string `id`"),
    "not an object": (GOOD + b"[1, 2]\n", 3, "must be a JSON object"),
    "NaN": (GOOD + _line("b-003", ',"estimated_minutes":NaN'), 3, "NaN is not JSON"),
    "huge integer": (GOOD + _line("b-003", ',"x":' + "9" * 5000), 3, "not valid JSON"),
    "deep nesting": (GOOD + b'{"id":"b-003","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}\n", 3,
                     "nested too deeply"),
    "10 MB line": (GOOD + _line("b-003", ',"description":"' + "x" * 10_000_000 + '"'), 3,
                   "bytes (at most"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_stops_with_file_and_line_and_is_left_as_it_was(
        case: str, store_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content, line, what = BAD_FILES[case]
    path = store_repo / ".beads" / "issues.jsonl"
    path.write_bytes(content)
    store = BeadsStore(store_repo)
    with pytest.raises(MalformedFile) as failure:
        store.create("an incident", issue_type="bug")
    assert str(failure.value).startswith(f"{path}:{line}: ") and what in str(failure.value)
    with pytest.raises(MalformedFile):
        list(store.issues())
    assert path.read_bytes() == content
    for args in (["list"], ["show", "b-001"], ["list", "--json"]):
        result = _cli(capsys, store_repo, *args)
        assert result.code == 1, args
        assert result.err.startswith(f"incident: {path}:{line}: ") and result.err.count("\n") == 1
    write = _cli(capsys, store_repo, "create", "Checkout down", "--sev", "2", "--what", "5xx")
    assert write.code == 1 and write.err.startswith(f"incident: {path}:{line}: ")
    assert _cli(capsys, store_repo, "doctor").code == 1
    assert _cli(capsys, store_repo, "init").code == 0  # an existing store is left alone
    assert path.read_bytes() == content
    problems = validate(path)
    assert any(p.line == line and p.level == "error" for p in problems)


# fuzzing ----------------------------------------------------------------------------------
_pieces = st.sampled_from([b"{", b"}", b"[", b"]", b'"id"', b'"title"', b'"priority"', b":", b",",
                           b'"p-1"', b"1", b"-0", b"1e999", b"NaN", b"null", b"true", b"\n",
                           b"\r", b"\xef\xbb\xbf", b"\xff", b'"\\ud800"', b'"_type"', b'"status"',
                           b'"tombstone"', b'"labels"', b" ", b"\x00"])
jsonl_bytes = st.one_of(st.binary(max_size=300), st.lists(_pieces, max_size=60).map(b"".join))


@settings(max_examples=400, deadline=None)
@given(jsonl_bytes)
def test_the_reader_raises_only_its_own_errors(data: bytes) -> None:
    try:
        snapshot = parse_file(Path("fuzz.jsonl"), data)
    except MalformedFile as exc:
        assert exc.line is not None and exc.line >= 1
        return
    for issue in snapshot.issues():
        issue.summary()
        issue.metadata  # noqa: B018 - reading it must not crash


@settings(max_examples=150, deadline=None)
@given(jsonl_bytes)
def test_doctor_reports_every_file_without_crashing(tmp_path_factory: pytest.TempPathFactory,
                                                    data: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "issues.jsonl"
    path.write_bytes(data)
    for problem in validate(path):
        assert problem.line >= 1


# links out of the repository ------------------------------------------------------------------
def test_a_beads_folder_linked_outside_the_repository_is_refused(
        repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "issues.jsonl").write_bytes(GOOD)
    (repo / ".beads").symlink_to(outside)
    with pytest.raises(Refused, match="outside the repository"):
        BeadsStore(repo)
    for args in (["list"], ["init"], ["doctor"]):
        result = _cli(capsys, repo, *args)
        assert result.code == 1 and "outside the repository" in result.err
    assert sorted(p.name for p in outside.iterdir()) == ["issues.jsonl"]
    assert (outside / "issues.jsonl").read_bytes() == GOOD


def test_an_issues_file_linked_outside_the_repository_is_refused(
        store_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret.jsonl"
    secret.write_bytes(GOOD)
    link = store_repo / ".beads" / "issues.jsonl"
    link.unlink()
    link.symlink_to(secret)
    with pytest.raises(Refused, match="outside the repository"):
        BeadsStore(store_repo)
    assert _cli(capsys, store_repo, "show", "b-001").code == 1
    assert secret.read_bytes() == GOOD and link.is_symlink()


def test_links_inside_the_repository_are_followed_and_kept(store_repo: Path) -> None:
    real = store_repo / "tracking" / "issues.jsonl"
    real.parent.mkdir()
    real.write_bytes(GOOD)
    link = store_repo / ".beads" / "issues.jsonl"
    link.unlink()
    link.symlink_to(Path("..") / "tracking" / "issues.jsonl")
    BeadsStore(store_repo).update("b-001", notes="through the link")
    assert link.is_symlink()
    assert json.loads(real.read_bytes().splitlines()[0])["notes"] == "through the link"


def test_titles_with_shell_characters_round_trip_through_the_cli(
        store_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    title = "$(touch pwned); `id` && rm -rf ~ | tee >/dev/null 'quoted' \"dq\" \\ %s"
    issue = BeadsStore(store_repo).create(title)
    shown = _cli(capsys, store_repo, "show", issue.id, "--json")
    assert json.loads(shown.out)[0]["title"] == title
    made = _cli(capsys, store_repo, "create", title, "--sev", "3", "--what", "$(id)", "--json")
    assert made.code == 0, made.err
    titles = [i.title for i in BeadsStore(store_repo).issues()]
    assert sorted(titles) == sorted([title, f"[SEV-3] {title}"])  # the incident names its SEV
    assert not (store_repo / "pwned").exists()
