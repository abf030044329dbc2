"""`.incident-beads.toml`: every key optional, typos refused by name, the docs complete."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from incident_beads.config import _SECTIONS, Config, load_config
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
