"""Every Mermaid block in the docs and every one the tool writes parses with the real mermaid.

The parser is the `mermaid` npm package under Node, with jsdom as its DOM (mermaid sanitizes
labels with DOMPurify, which needs one): `.ci/run` installs both into `.ci-tools/`. Without Node
or those packages the tests skip and say why.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from knowledge_fixtures import Clock, resolved

from incident_beads import IncidentResponse
from incident_beads.demo import run_demo
from incident_beads.knowledge.api import Knowledge

ROOT = Path(__file__).resolve().parent.parent
MODULES = Path(os.environ.get("INCIDENT_BEADS_NODE_MODULES", ROOT / ".ci-tools" / "node_modules"))
SCRIPT = Path(__file__).resolve().parent / "mermaid" / "parse.mjs"
FENCE = re.compile(r"^```mermaid\n(.*?)^```", re.S | re.M)
NASTY = ("Checkout: 'Order' <b>500</b> [x](javascript:1) at 09:40; %%{init: {}}%% :crit, "
         "2020-01-01, 1d # `kubectl rollout undo` ``` a:b -- end")


def _why_not() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    for package in ("mermaid", "jsdom"):
        if not (MODULES / package).is_dir():
            return f"{package} is not installed in {MODULES} (.ci/run installs it with npm)"
    return None


needs_mermaid = pytest.mark.skipif(_why_not() is not None, reason=str(_why_not()))


def blocks_in(text: str, name: str) -> list[tuple[str, str]]:
    """The Mermaid blocks of a markdown text, named `name#n`."""
    return [(f"{name}#{n}", body) for n, body in enumerate(FENCE.findall(text), start=1)]


def parse(blocks: list[tuple[str, str]], tmp_path: Path) -> str:
    """Run the real parser over `blocks`; its report, one line per block."""
    # Node resolves `import "mermaid"` from the script's folder: give it one beside the modules.
    folder = tmp_path / "mermaid-check"
    folder.mkdir()
    shutil.copy(SCRIPT, folder / "parse.mjs")
    (folder / "node_modules").symlink_to(MODULES)
    done = subprocess.run(["node", str(folder / "parse.mjs")], input=json.dumps(blocks),
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode in (0, 1), done.stderr
    report = done.stdout
    assert report.count("\n") == len(blocks), (report, done.stderr)
    return report


def assert_all_parse(blocks: list[tuple[str, str]], tmp_path: Path) -> None:
    report = parse(blocks, tmp_path)
    failures = [line for line in report.splitlines() if not line.startswith("ok ")]
    assert not failures, "\n".join(failures)


@needs_mermaid
def test_the_checker_refuses_a_broken_block(tmp_path: Path) -> None:
    report = parse([("good", "flowchart LR\n  A --> B"), ("bad", "flowchart LR\n  A -->")],
                   tmp_path)
    assert report.startswith("ok good\nFAIL bad: ")


@needs_mermaid
def test_every_block_in_the_docs_parses(tmp_path: Path) -> None:
    blocks = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        blocks += blocks_in(page.read_text(encoding="utf-8"), str(page.relative_to(ROOT)))
    assert len(blocks) >= 5
    assert_all_parse(blocks, tmp_path)


@needs_mermaid
def test_every_block_the_tool_writes_parses(tmp_path: Path, store_repo: Path) -> None:
    # The demo writes a post-mortem, write-ups, patterns and runbooks over a real history.
    result = run_demo(tmp_path / "demo", out=lambda line: None)
    blocks = []
    for path in sorted(result.root.rglob("*.md")):
        blocks += blocks_in(path.read_text(encoding="utf-8"), str(path.relative_to(result.root)))
    blocks += blocks_in(Knowledge(result.root).report().render(), "report")
    # And a title full of Mermaid and markdown syntax, through the post-mortem and the report.
    clock = Clock()
    api = IncidentResponse(store_repo, clock=clock, actor="ada")
    nasty = resolved(api, clock, NASTY, severity=1, errors=[NASTY], resolution=NASTY)
    api.record_event(nasty, NASTY)
    knowledge = Knowledge(store_repo, clock=clock)
    draft = knowledge.postmortem_draft(nasty)
    blocks += blocks_in((store_repo / draft.path).read_text(encoding="utf-8"), "nasty draft")
    blocks += blocks_in(knowledge.report().render(), "nasty report")
    kinds = {body.split("\n", 1)[0] for _, body in blocks}
    assert {"gantt", "---"} <= kinds, kinds  # the post-mortem's gantt, the report's xychart
    assert_all_parse(blocks, tmp_path)
