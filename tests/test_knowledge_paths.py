"""Every knowledge writer stays inside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from incident_beads.errors import InvalidInput, Refused
from incident_beads.knowledge.paths import check_name, resolve_inside, slugify, write_inside


@pytest.mark.parametrize("name", ["../etc", "a/b", "..", ".hidden", "a\\b", "/abs", "x..y",
                                  "a b", "na\nme"])
def test_names_that_could_leave_the_folder_are_refused(name: str) -> None:
    with pytest.raises(Refused):
        check_name("service", name)


def test_empty_name_is_invalid() -> None:
    with pytest.raises(InvalidInput):
        check_name("service", " ")


def test_plain_names_pass() -> None:
    assert check_name("service", "checkout-api_v2.1") == "checkout-api_v2.1"


@pytest.mark.parametrize("path", ["../outside.md", "/tmp/x.md", "docs/../../x.md", ".git/config",
                                  ""])
def test_paths_outside_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(Refused):
        resolve_inside(tmp_path, path)


def test_symlink_pointing_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    os.symlink(outside, repo / "docs" / "runbooks")
    with pytest.raises(Refused):
        write_inside(repo, "docs/runbooks/api.md", "x")
    assert list(outside.iterdir()) == []


def test_symlink_inside_is_followed(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "docs")
    write_inside(tmp_path, "docs/a.md", "hello\n")
    assert (tmp_path / "real" / "a.md").read_text() == "hello\n"


def test_slugify_is_ascii_and_plain() -> None:
    assert slugify("[SEV-1] Checkout: 500s on /pay $(rm -rf) — café") == \
        "sev-1-checkout-500s-on-pay-rm-rf-cafe"
    assert slugify("!!!") == "incident"
