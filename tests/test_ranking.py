"""Ranking: the true match first among look-alike incidents, scores shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from knowledge_fixtures import Clock, resolved

from incident_beads import IncidentResponse
from incident_beads.config import Config, KnowledgeConfig
from incident_beads.knowledge.api import Knowledge
from incident_beads.knowledge.ranking import RankDoc, rank, tokenize

# Look-alikes: same words spread over different fields and services.
LOOK_ALIKES = [
    ("Checkout returns 500 errors", ["checkout"], ["HTTP 500 on /pay"], "payment gateway timeout"),
    ("Checkout slow under load", ["checkout"], ["p99 latency 8s"], "db connection pool exhausted"),
    ("Login returns 500 errors", ["auth"], ["HTTP 500 on /login"], "redis connection timeout"),
    ("Search timeouts", ["search"], ["elasticsearch timeout"], "shard rebalancing"),
    ("Payment webhooks dropped", ["payments"], ["webhook 502"], "gateway certificate expired"),
]


def _doc(key: str, **fields: str) -> RankDoc:
    return RankDoc(key, "incident", fields, {"title": fields.get("title", key)})


def test_tokenize_stems_and_drops_stop_words() -> None:
    assert tokenize("The Timeouts of checkout_api were timing") == \
        ["timeout", "checkout", "api", "tim"]


def test_component_and_title_outweigh_a_passing_mention() -> None:
    docs = [_doc("a", title="Disk full on build agents", symptoms="checkout mentioned once"),
            _doc("b", title="Checkout broken", component="checkout")]
    assert [m.doc.key for m in rank(docs, "checkout")] == ["b", "a"]


def test_rare_terms_weigh_more_than_common_ones() -> None:
    docs = [_doc(str(n), title=f"service {n} error") for n in range(10)]
    docs.append(_doc("rare", title="service error kafka"))
    assert rank(docs, "service error kafka")[0].doc.key == "rare"


def test_no_query_no_results() -> None:
    assert rank([_doc("a", title="x")], "the of and") == []


@pytest.fixture
def knowledge_with_look_alikes(store_repo: Path) -> Knowledge:
    clock = Clock()
    config = Config(knowledge=KnowledgeConfig(recurrence_window_days=0))
    api = IncidentResponse(store_repo, clock=clock, actor="ada", config=config)
    for title, services, errors, cause in LOOK_ALIKES:
        resolved(api, clock, title, services=services, errors=errors, root_cause=cause)
        clock.advance(hours=1)
    return Knowledge(store_repo, clock=clock, config=config)


@pytest.mark.parametrize(("query", "service", "expected"), [
    ("checkout 500 payment gateway timeout", "checkout", "Checkout returns 500 errors"),
    ("checkout latency connection pool", None, "Checkout slow under load"),
    ("login 500 redis", None, "Login returns 500 errors"),
    ("gateway certificate expired webhooks", None, "Payment webhooks dropped"),
])
def test_true_match_ranks_first(knowledge_with_look_alikes: Knowledge, query: str,
                                service: str | None, expected: str) -> None:
    similar = knowledge_with_look_alikes.context(query, service=service).similar
    assert similar[0].doc.info["title"] == expected
    assert similar[0].score > similar[1].score > 0


def test_context_from_an_incident_id_leaves_it_out(knowledge_with_look_alikes: Knowledge,
                                                   store_repo: Path) -> None:
    knowledge = knowledge_with_look_alikes
    login = next(i for i in knowledge.store.issues() if "Login" in i.title)
    report = knowledge.context(login.id)
    assert login.id not in [m.doc.key for m in report.similar]
    assert report.service == "auth"


def test_hand_written_write_up_is_ranked_too(knowledge_with_look_alikes: Knowledge,
                                             store_repo: Path) -> None:
    path = store_repo / "docs/solutions/database-issues/vacuum-freeze.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\nmodule: Billing\ndate: 2025-03-01\nproblem_type: database_issue\n"
                    "component: database\nsymptoms: [\"queries stall\", wraparound warning]\n"
                    "root_cause: transaction id wraparound\nresolution_type: migration\n"
                    "severity: critical\ntags: [postgres, vacuum]\n---\n\n"
                    "# Postgres wraparound stalled billing\n\nBody.\n")
    top = knowledge_with_look_alikes.context("postgres wraparound stall").similar[0]
    assert top.doc.kind == "writeup"
    assert top.doc.info["writeup"] == "docs/solutions/database-issues/vacuum-freeze.md"
    assert top.doc.info["title"] == "Postgres wraparound stalled billing"
