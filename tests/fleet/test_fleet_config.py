"""`[fleet]` in `.incident-beads.toml` and the person's own fleet file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fleet_helpers import Team, fleet_toml

from incident_beads.config import load_config
from incident_beads.errors import MalformedFile
from incident_beads.fleet.api import Fleet
from incident_beads.fleet.members import cache_dir, default_name, members_of, user_fleet
from tests.cli_runner import run_incident


def _user_file(text: str) -> Path:
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "incident-beads" / "fleet.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_urls_paths_names_and_branches(tmp_path: Path) -> None:
    (tmp_path / ".incident-beads.toml").write_text(
        '[fleet]\njobs = 8\nrepositories = [\n  "../payments",\n'
        '  {url = "git@example.com:org/web.git", branch = "release"},\n'
        '  {url = "https://example.com/org/api.git", name = "edge-api"},\n]\n')
    config = load_config(tmp_path)
    members = members_of(config, user=user_fleet())
    assert [(m.name, m.url, m.branch) for m in members] == [
        ("payments", str((tmp_path.parent / "payments").resolve()), ""),
        ("web", "git@example.com:org/web.git", "release"),
        ("edge-api", "https://example.com/org/api.git", "")]
    assert members[1].source == "refs/heads/release" and members[0].source == "HEAD"
    assert all(m.cache.parent == cache_dir() for m in members)
    assert str(cache_dir()).startswith(os.environ["HOME"])  # under the (temporary) home
    assert config.fleet.jobs == 8


def test_user_file_adds_repositories_once(tmp_path: Path) -> None:
    (tmp_path / ".incident-beads.toml").write_text('[fleet]\nrepositories = ["/srv/a.git"]\n')
    _user_file('[fleet]\nrepositories = ["/srv/a.git", "/srv/b.git"]\n')
    names = [m.name for m in Fleet(tmp_path).members]
    assert names == ["a", "b"]


@pytest.mark.parametrize("text, what", [
    ('[fleet]\nrepositories = [{url = "/x/a.git"}, {url = "/y/a.git"}]\n',
     "two fleet repositories are named 'a'"),
    ('[fleet]\nrepositories = [{url = "/x/a.git", brnach = "main"}]\n',
     "unknown key fleet.repositories[1].brnach"),
    ('[fleet]\nrepositories = [{name = "a"}]\n', "needs a url"),
    ('[fleet]\nrepositories = "a"\n', "fleet.repositories must be a list"),
    ('[fleet]\nrepositories = [3]\n', "must be a URL, a path or a table"),
    ('[fleet]\nrepositories = [{url = "/x/a.git", branch = "main:refs/heads/x"}]\n',
     "is not a branch name"),
    ('[fleet]\nrepositories = [{url = "/x/a.git", branch = "--upload-pack=x"}]\n',
     "is not a branch name"),
])
def test_bad_fleet_configuration_is_refused_by_name(tmp_path: Path, text: str,
                                                    what: str) -> None:
    (tmp_path / ".incident-beads.toml").write_text(text)
    with pytest.raises(MalformedFile) as raised:
        Fleet(tmp_path)
    assert what in str(raised.value)


def test_user_file_holds_only_the_fleet(tmp_path: Path) -> None:
    _user_file('[fleet]\nrepositories = ["/srv/a.git"]\n[beads]\nprefix = "x"\n')
    with pytest.raises(MalformedFile, match="only a \\[fleet\\] table belongs"):
        Fleet(tmp_path)


def test_user_fleet_works_outside_any_repository(
        payments: Team, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _user_file(f'[fleet]\nrepositories = ["{payments.upstream}"]\n')
    elsewhere = tmp_path / "not-a-repository"
    elsewhere.mkdir()
    assert run_incident(capsys, elsewhere, "fleet", "fetch").code == 0
    status = run_incident(capsys, elsewhere, "fleet", "status")
    assert status.out.startswith(f"payments  {payments.upstream}")
    assert "fetched 20" in status.out


def test_fleet_commands_without_a_fleet_say_how_to_add_one(
        mine: Team, capsys: pytest.CaptureFixture[str]) -> None:
    done = run_incident(capsys, mine.work, "list", "--fleet")
    assert done.code == 1 and "no fleet is configured" in done.err
    fleet_toml(mine.work, ["/srv/a.git"])
    done = run_incident(capsys, mine.work, "fleet", "fetch", "nobody")
    assert done.code == 1 and "no fleet repository named nobody" in done.err


def test_this_repository_listed_in_its_own_fleet_is_read_once(
        payments: Team, mine: Team, capsys: pytest.CaptureFixture[str]) -> None:
    mine.declared("Search results empty", services=["search"])
    fleet_toml(mine.work, [payments, mine])
    run_incident(capsys, mine.work, "fleet", "fetch")
    fleet = Fleet(mine.work)
    assert [m.name for m in fleet.others()] == ["payments"]
    rows = fleet.open_incidents().rows
    assert [r["repository"] for r in rows] == ["mine"]


def test_default_names() -> None:
    assert default_name("git@example.com:org/payments.git") == "payments"
    assert default_name("https://example.com/org/web/") == "web"
    assert default_name("/srv/repos/api.git") == "api"
