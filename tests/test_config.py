"""`.incident-beads.toml`: every key optional, typos refused by name, the docs complete."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from incident_beads.config import Config, load_config
from incident_beads.config.load import _SECTIONS
from incident_beads.errors import MalformedFile

DOC = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def test_no_file_means_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path) == Config()


def test_keys_override_defaults(tmp_path: Path) -> None:
    (tmp_path / ".incident-beads.toml").write_text(
        '[git]\nmain_branch = "trunk"\nprotected_branches = ["trunk"]\n'
        '[severity.SEV-2]\nupdate_minutes = 20\n')
    config = load_config(tmp_path)
    assert config.git.main_branch == "trunk"
    assert config.git.protected_branches == ("trunk",)
    assert config.severity["SEV-2"].update_minutes == 20
    assert config.severity["SEV-2"].response_minutes == 60


@pytest.mark.parametrize(("text", "named"), [
    ("[git]\nmian_branch = 'x'\n", "git.mian_branch"),
    ("[gti]\n", "[gti]"),
    ("[hotfix]\ndeploy_timeout_seconds = 'soon'\n", "hotfix.deploy_timeout_seconds"),
    ("[severity.SEV-5]\n", "SEV-5"),
    ("[git\n", "not valid TOML"),
])
def test_mistakes_are_refused_by_name(tmp_path: Path, text: str, named: str) -> None:
    (tmp_path / ".incident-beads.toml").write_text(text)
    with pytest.raises(MalformedFile) as refused:
        load_config(tmp_path)
    assert named in refused.value.message
    assert ".incident-beads.toml" in refused.value.message


def test_every_key_is_documented() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for section, kind in _SECTIONS.items():
        assert f"[{section}]" in doc
        for field in dataclasses.fields(kind):
            assert re.search(rf"^{field.name}\s*=", doc, re.M), f"{section}.{field.name}"


@pytest.mark.parametrize(("text", "key", "seed"), [
    ("[severity.SEV-1]\npostmortem_required = false\n", "severity.SEV-1.postmortem_required",
     "true"),
    ("[severity.SEV-2]\npostmortem_required = false\n", "severity.SEV-2.postmortem_required",
     "true"),
    ("[knowledge]\npostmortem_within_hours = 10000\n", "knowledge.postmortem_within_hours",
     "48"),
    ("[severity.SEV-1]\nresponse_minutes = 16\n", "severity.SEV-1.response_minutes", "15"),
    ("[severity.SEV-2]\nresponse_minutes = 120\n", "severity.SEV-2.response_minutes", "60"),
    ("[severity.SEV-1]\nupdate_minutes = 60\n", "severity.SEV-1.update_minutes", "15"),
    ("[severity.SEV-2]\nupdate_minutes = 0\n", "severity.SEV-2.update_minutes", "30"),
])
def test_seed_rules_are_ceilings(tmp_path: Path, text: str, key: str, seed: str) -> None:
    (tmp_path / ".incident-beads.toml").write_text(text)
    with pytest.raises(MalformedFile) as refused:
        load_config(tmp_path)
    assert key in refused.value.message and "loosens a seed rule" in refused.value.message
    assert f"the seed's value is {seed}" in refused.value.message


def test_tighter_rules_and_looser_minor_severities_are_allowed(tmp_path: Path) -> None:
    (tmp_path / ".incident-beads.toml").write_text(
        "[knowledge]\npostmortem_within_hours = 24\n"
        "[severity.SEV-1]\nresponse_minutes = 10\nupdate_minutes = 10\n"
        "[severity.SEV-3]\nresponse_minutes = 480\npostmortem_required = true\n"
        "[severity.SEV-4]\npostmortem_required = false\n")
    config = load_config(tmp_path)
    assert config.severity["SEV-1"].response_minutes == 10
    assert config.knowledge.postmortem_within_hours == 24
    assert config.severity["SEV-3"].response_minutes == 480


def test_a_loosened_rule_stops_every_command(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cli_runner import run_incident

    (tmp_path / ".beads").mkdir()
    (tmp_path / ".beads" / "issues.jsonl").write_bytes(b"")
    (tmp_path / ".incident-beads.toml").write_text(
        "[severity.SEV-1]\npostmortem_required = false\n")
    code, out, err = run_incident(capsys, tmp_path, "create", "Checkout down", "--sev", "1")
    assert code == 1 and out == ""
    assert "severity.SEV-1.postmortem_required = false" in err and "value is true" in err
    assert (tmp_path / ".beads" / "issues.jsonl").read_bytes() == b""
