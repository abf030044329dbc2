"""`incident fleet fetch`: real bare upstreams, real `git fetch`, a cache with no work tree."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest
from fleet_helpers import Team, fleet_toml, git

from incident_beads.fleet import gitcache
from incident_beads.fleet.api import Fleet
from tests.cli_runner import run_incident


def _cache_of(fleet: Fleet, name: str) -> Path:
    return next(m.cache for m in fleet.members if m.name == name)


def test_fetch_brings_tip_store_and_knowledge_without_work_tree(
        payments: Team, web: Team, mine: Team) -> None:
    fleet_toml(mine.work, [payments, web])
    fleet = Fleet(mine.work)
    seen: list[tuple[str, int, int]] = []
    results = fleet.fetch(lambda r, done, total: seen.append((r.name, done, total)))
    assert [r.ok for r in results] == [True, True]
    assert sorted(name for name, _, _ in seen) == ["payments", "web"]
    assert [(done, total) for _, done, total in seen] == [(1, 2), (2, 2)]
    by_name = {r.name: r for r in results}
    assert by_name["payments"].mode == "partial"
    assert by_name["web"].mode == "shallow"  # this server cannot filter
    cache = _cache_of(fleet, "payments")
    assert git(cache, "rev-parse", "--is-bare-repository") == "true"
    assert not (cache / ".beads").exists()
    tip = git(payments.upstream, "rev-parse", "main")
    assert by_name["payments"].tip == tip
    # only the tip: one commit, no history
    assert git(cache, "rev-list", "--count", "refs/incident-beads/tip") == "1"
    # blobs on demand: the store and the knowledge are here, the code is not
    missing = git(cache, "-c", "protocol.allow=never", "rev-list", "--objects",
                  "--missing=print", tip)
    code_blob = git(payments.work, "rev-parse", "HEAD:app.py")
    store_blob = git(payments.work, "rev-parse", "HEAD:.beads/issues.jsonl")
    assert f"?{code_blob}" in missing.splitlines()
    assert f"?{store_blob}" not in missing.splitlines()


def test_second_fetch_is_incremental(payments: Team, mine: Team) -> None:
    fleet_toml(mine.work, [payments])
    fleet = Fleet(mine.work)
    first = fleet.fetch()[0]
    again = fleet.fetch()[0]
    assert first.changed and first.blobs > 0
    assert not again.changed and again.blobs == 0 and again.tip == first.tip
    new_id = payments.declared("Refunds stuck in queue", services=["refunds"])
    later = fleet.fetch()[0]
    assert later.changed and later.tip != first.tip
    assert later.blobs == 1  # the store changed; the knowledge files did not
    assert new_id in {r["id"] for r in fleet.open_incidents().rows}


def test_unreachable_repository_is_reported_and_the_others_update(
        payments: Team, web: Team, mine: Team, top: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    fleet_toml(mine.work, [payments, str(top / "no-such-team.git"), web])
    done = run_incident(capsys, mine.work, "fleet", "fetch", "--json")
    assert done.code == 1
    rows = {r["name"]: r for r in json.loads(done.out)}
    assert rows["payments"]["ok"] and rows["web"]["ok"]
    assert not rows["no-such-team"]["ok"]
    assert "does not appear to be a git repository" in rows["no-such-team"]["error"]
    assert "1 of 3 fleet repositories could not be fetched: no-such-team" in done.err
    assert "fleet fetch: 3/3" in done.err  # the progress line
    listed = run_incident(capsys, mine.work, "list", "--fleet")
    assert listed.code == 0
    assert "web/" in listed.out
    assert "skipped no-such-team: no-such-team has not been fetched yet" in listed.err


def test_reading_needs_no_network_and_no_upstream(payments: Team, web: Team,
                                                  mine: Team) -> None:
    fleet_toml(mine.work, [payments, web])
    fleet = Fleet(mine.work)
    fleet.fetch()
    shutil.rmtree(payments.upstream)
    shutil.rmtree(web.upstream)
    rows = fleet.open_incidents().rows
    assert [r["repository"] for r in rows] == ["web"]
    report = fleet.context("checkout 502", service="checkout")
    assert report.similar[0].doc.info["repository"] == "payments"


def test_reading_never_downloads_a_missing_blob(payments: Team, mine: Team) -> None:
    fleet_toml(mine.work, [payments])
    fleet = Fleet(mine.work)
    fleet.fetch()
    member = fleet.members[0]
    payments.declared("Refunds stuck in queue", services=["refunds"])
    # the tip moved but its blobs were not fetched (a fetch cut short)
    state = gitcache.load_state(member.cache)
    tip, _ = gitcache.fetch_tip(member.cache, member.url, member.source, 60, state)
    gitcache.save_state(member.cache, {**state, "tip": tip})
    result = fleet.open_incidents()
    assert result.rows == []
    assert result.skipped[0].repository == "payments"
    assert "missing from the cache" in result.skipped[0].reason
    store_blob = git(payments.work, "rev-parse", "HEAD:.beads/issues.jsonl")
    missing = git(member.cache, "-c", "protocol.allow=never", "rev-list", "--objects",
                  "--missing=print", tip)
    assert f"?{store_blob}" in missing.splitlines()  # still missing: nothing was downloaded
    assert fleet.fetch()[0].blobs == 1
    assert len(fleet.open_incidents().rows) == 1


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_server_that_refuses_the_connection_is_reported(payments: Team, mine: Team) -> None:
    url = f"git://127.0.0.1:{_closed_port()}/billing.git"
    fleet_toml(mine.work, [url, payments])
    results = {r.name: r for r in Fleet(mine.work).fetch()}
    assert results["payments"].ok
    refused = results["billing"]
    assert not refused.ok and "unable to connect" in refused.error
