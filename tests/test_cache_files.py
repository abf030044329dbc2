"""The JSON caches kept for speed under `.git/incident-beads/`: read back, or nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

from incident_beads.beads.cache_files import cache_path, read_cache, write_cache


def _repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    return tmp_path


def test_a_cache_comes_back_as_written_with_its_version(tmp_path: Path) -> None:
    path = cache_path(_repo(tmp_path), "thing.json")
    assert path == tmp_path / ".git" / "incident-beads" / "thing.json"
    write_cache(path, 3, {"text": "caf\u00e9 \ud800", "n": [1, 2]})
    assert read_cache(path, 3) == {"v": 3, "text": "caf\u00e9 \ud800", "n": [1, 2]}
    assert read_cache(path, 4) is None  # another version is no cache


def test_what_is_not_json_is_not_written_and_a_broken_file_is_no_cache(tmp_path: Path) -> None:
    path = cache_path(_repo(tmp_path), "thing.json")
    assert path is not None
    write_cache(path, 1, {"bad": {1, 2}})
    write_cache(path, 1, {"bad": float("nan")})
    assert not path.exists()
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b"{not json")
    assert read_cache(path, 1) is None
    path.write_bytes(b"[1]")
    assert read_cache(path, 1) is None


def test_no_cache_outside_git(tmp_path: Path) -> None:
    assert cache_path(tmp_path, "thing.json") is None
    write_cache(None, 1, {})
    assert read_cache(None, 1) is None
