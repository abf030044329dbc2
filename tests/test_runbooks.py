"""Runbooks: the seed's shape, one issue updated in place, people's notes kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from incident_beads.errors import NotFound, Refused
from incident_beads.knowledge.runbooks import Runbooks


def test_runbook_has_the_seed_shape(tmp_path: Path) -> None:
    books = Runbooks(tmp_path)
    path, _ = books.add("api", "DB pool exhausted", symptoms=["503 on /checkout"],
                        diagnosis=["kubectl logs deploy/api | grep pool"],
                        resolution="Restart the pods", escalation=["team-db", "cto"])
    assert path == "docs/runbooks/api.md"
    text = (tmp_path / path).read_text()
    for line in ("# Runbook: api", "## Common Issues", "### Issue: DB pool exhausted",
                 "**Symptoms:**", "- 503 on /checkout", "**Diagnosis:**", "```bash",
                 "kubectl logs deploy/api | grep pool", "**Resolution:**", "Restart the pods",
                 "**Escalation:**", "- Primary: team-db", "- Secondary: cto"):
        assert line in text.splitlines()


def test_same_issue_is_updated_in_place_and_notes_survive(tmp_path: Path) -> None:
    books = Runbooks(tmp_path)
    books.add("api", "DB pool exhausted", symptoms=["503"], resolution="restart")
    path = tmp_path / "docs/runbooks/api.md"
    path.write_text(path.read_text() + "\nNote from a person: ask Bob first.\n")
    books.add("api", "db pool  EXHAUSTED", symptoms=["latency", "503"], diagnosis=["psql"])
    once = path.read_text()
    books.add("api", "DB pool exhausted", symptoms=["latency"])
    assert path.read_text() == once
    assert once.count("### Issue:") == 1
    assert "Note from a person: ask Bob first." in once
    _, issues = books.show("api")
    assert issues[0].symptoms == ["503", "latency"]
    assert issues[0].diagnosis == ["psql"]
    assert issues[0].resolution == "restart"


def test_hand_written_issue_gets_a_block_and_keeps_its_text(tmp_path: Path) -> None:
    path = tmp_path / "docs/runbooks/web.md"
    path.parent.mkdir(parents=True)
    path.write_text("# Runbook: web\n\n## Common Issues\n\n### Issue: Cache stampede\n\n"
                    "Hand-written advice.\n")
    Runbooks(tmp_path).add("web", "Cache stampede", symptoms=["cpu 100%"])
    text = path.read_text()
    assert text.count("### Issue: Cache stampede") == 1
    assert text.index("- cpu 100%") < text.index("Hand-written advice.")


def test_markup_in_input_is_inert(tmp_path: Path) -> None:
    books = Runbooks(tmp_path)
    books.add("api", "x <script>", symptoms=["<img src=x>", "[link](http://e)"])
    html = MarkdownIt("commonmark").render((tmp_path / "docs/runbooks/api.md").read_text())
    assert "<img" not in html and "<script>" not in html and "<a href" not in html
    assert books.show("api")[1][0].symptoms == ["<img src=x>", "[link](http://e)"]


@pytest.mark.parametrize("service", ["../../etc/passwd", "a/b", "..", "/abs"])
def test_service_names_leaving_the_folder_are_refused(tmp_path: Path, service: str) -> None:
    with pytest.raises(Refused):
        Runbooks(tmp_path).add(service, "x")
    assert not (tmp_path / "docs").exists()


def test_show_missing_runbook_says_how_to_add_one(tmp_path: Path) -> None:
    with pytest.raises(NotFound) as info:
        Runbooks(tmp_path).show("api")
    assert "incident runbook add api" in (info.value.hint or "")
