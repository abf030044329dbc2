"""Every shell and Python example in README.md and docs/ runs as written and ends as the text says.

An example may be preceded by one HTML comment that the rendered page hides:

- `<!-- example: expect=TEXT; expect=TEXT -->`: the output must contain each TEXT;
- `<!-- example: setup=NAME -->`: run it in the folder a setup below prepares;
- `<!-- example: not run, REASON -->`: the one way to leave an example out, with its reason.

Shell examples run with `bash -euo pipefail` in a git repository with one commit and a bare
upstream, with the project's `incident` first on PATH; Python examples run in the same folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from markdown_it import MarkdownIt

from tests.conftest import git

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELL = {"bash", "sh", "shell"}
PYTHON = {"python", "py"}
MARKER = "<!-- example:"


class Example(NamedTuple):
    """One fenced block of a page and what its marker asks."""

    page: str
    line: int
    language: str
    code: str
    expect: tuple[str, ...]
    setup: str
    not_run: str


def _examples() -> list[Example]:
    found = []
    for page in PAGES:
        tokens = MarkdownIt("commonmark").parse(page.read_text(encoding="utf-8"))
        for before, token in zip([None, *tokens], tokens, strict=False):
            language = token.info.strip().split(" ")[0] if token.type == "fence" else ""
            if language not in SHELL | PYTHON:
                continue
            marker = ""
            if before is not None and before.type == "html_block" \
                    and before.content.strip().startswith(MARKER):
                marker = before.content.strip()[len(MARKER):].removesuffix("-->").strip()
            expect, setup, not_run = [], "", ""
            if marker.startswith("not run"):
                not_run = marker.removeprefix("not run").strip(" ,")
            else:
                for part in filter(None, (p.strip() for p in marker.split(";"))):
                    key, _, value = part.partition("=")
                    if key == "expect":
                        expect.append(value)
                    elif key == "setup":
                        setup = value
                    else:
                        raise AssertionError(f"{page.name}: unknown example marker {part!r}")
            assert token.map is not None
            found.append(Example(str(page.relative_to(ROOT)), token.map[0] + 1, language,
                                 token.content, tuple(expect), setup, not_run))
    return found


EXAMPLES = _examples()


def _work_repo(tmp_path: Path) -> Path:
    upstream = tmp_path / "upstream.git"
    work = tmp_path / "work"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(upstream))
    git(tmp_path, "init", "-q", "-b", "main", str(work))
    (work / "app.py").write_text("print('hello')\n")
    git(work, "add", "app.py")
    git(work, "commit", "-q", "-m", "Initial commit")
    git(work, "remote", "add", "origin", str(upstream))
    git(work, "push", "-q", "origin", "main")
    return work


def _server(tmp_path: Path) -> Path:
    """A bare repository `app.git` in the current folder, as on a git server."""
    folder = tmp_path / "srv"
    folder.mkdir()
    git(folder, "init", "-q", "--bare", "-b", "main", "app.git")
    return folder


SETUPS: dict[str, Callable[[Path], Path]] = {"": _work_repo, "server": _server}


def test_every_example_is_run_or_says_why_not() -> None:
    assert len(EXAMPLES) >= 8
    for example in EXAMPLES:
        assert example.not_run or example.setup in SETUPS, example
        if example.not_run:
            assert len(example.not_run) > 10, f"{example.page}:{example.line}: give the reason"


@pytest.mark.parametrize(
    "example", [e for e in EXAMPLES if not e.not_run],
    ids=lambda e: f"{e.page}:{e.line}")
def test_example_runs_as_written(example: Example, tmp_path: Path) -> None:
    cwd = SETUPS[example.setup](tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    if example.language in SHELL:
        command = ["bash", "-euo", "pipefail", "-c", example.code]
    else:
        (tmp_path / "example.py").write_text(example.code, encoding="utf-8")
        command = [sys.executable, str(tmp_path / "example.py")]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env,
                          timeout=300)
    where = f"{example.page}:{example.line}"
    assert done.returncode == 0, f"{where} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    for text in example.expect:
        assert text in done.stdout, f"{where}: {text!r} not in its output:\n{done.stdout}"
