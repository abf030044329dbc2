"""The settings' sections: frozen dataclasses whose methods are shared, not compiled per class."""

from __future__ import annotations

import dataclasses

import pytest

from incident_beads.config import Config, GitConfig, MetricCheck, NotifyConfig, SeverityPolicy
from incident_beads.config.frozen import Frozen, Plain
from incident_beads.knowledge.runbooks import RunbookIssue
from incident_beads.notify.outbox import Delivery


def test_a_section_is_built_by_position_or_keyword_with_its_defaults() -> None:
    assert SeverityPolicy(15, None, True) == SeverityPolicy(
        response_minutes=15, update_minutes=None, postmortem_required=True)
    check = MetricCheck("errors", "rate(x[5m])", above=0.1)
    assert (check.below, check.above, check.service) == (None, 0.1, "")
    assert NotifyConfig().severity == {} and NotifyConfig().severity is not NotifyConfig().severity


@pytest.mark.parametrize(("make", "message"), [
    (lambda: SeverityPolicy(15, None),  # type: ignore[call-arg]
     "missing required argument 'postmortem_required'"),
    (lambda: SeverityPolicy(15, None, True, 4),  # type: ignore[call-arg]
     "takes 3 positional arguments, 4 given"),
    (lambda: SeverityPolicy(15, None, True, response_minutes=3),  # type: ignore[misc]
     "multiple values"),
    (lambda: GitConfig(remtoe="x"),  # type: ignore[call-arg]
     "unexpected keyword argument 'remtoe'"),
])
def test_wrong_arguments_are_refused_as_a_dataclass_refuses_them(make: object,
                                                                message: str) -> None:
    with pytest.raises(TypeError, match=message):
        make()  # type: ignore[operator]


def test_a_section_cannot_be_changed_but_can_be_replaced() -> None:
    git = GitConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        git.remote = "upstream"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del git.remote
    moved = dataclasses.replace(git, remote="upstream")
    assert (git.remote, moved.remote) == ("origin", "upstream")
    assert dataclasses.asdict(Config())["git"]["remote"] == "origin"


def test_sections_compare_hash_and_show_by_their_fields() -> None:
    assert GitConfig() == GitConfig() and hash(GitConfig()) == hash(GitConfig())
    assert GitConfig(remote="a") != GitConfig(remote="b")
    assert SeverityPolicy(1, 2, False) != (1, 2, False)
    assert repr(SeverityPolicy(1, None, True)) == (
        "SeverityPolicy(response_minutes=1, update_minutes=None, postmortem_required=True)")


def test_every_section_shares_the_base_methods() -> None:
    sections = [cls for cls in vars(__import__("incident_beads.config.sections",
                                               fromlist=["x"])).values()
                if isinstance(cls, type) and dataclasses.is_dataclass(cls)]
    assert len(sections) == 13
    for cls in sections:
        assert issubclass(cls, Frozen), cls
        assert not {"__init__", "__eq__", "__setattr__"} & set(vars(cls)), cls


def test_a_plain_value_changes_compares_and_is_not_hashed() -> None:
    delivery = Delivery()
    delivery.status, delivery.attempts = "sent", 1
    assert delivery == Delivery("sent", 1) and delivery != Delivery()
    assert dataclasses.asdict(delivery)["attempts"] == 1
    issue = RunbookIssue("Pool exhausted")
    issue.symptoms.append("timeouts")
    assert RunbookIssue("Pool exhausted").symptoms == []  # each gets its own list
    with pytest.raises(TypeError):
        hash(issue)
    assert repr(Delivery()).startswith("Delivery(status='pending', attempts=0")
    for cls in (Delivery, RunbookIssue):
        assert issubclass(cls, Plain) and not {"__init__", "__eq__", "__repr__"} & set(vars(cls))
