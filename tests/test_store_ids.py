"""Issue ids as bd makes them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from incident_beads.beads import ids
from incident_beads.errors import InvalidInput, Refused


def test_hash_ids_match_bds_own_test_vector() -> None:
    # bd's internal/idgen/hash_test.go: GenerateHashID("bd", "Fix login", "Details",
    # "jira-import", 2024-01-02T03:04:05.006Z, length, nonce 0)
    moment = datetime(2024, 1, 2, 3, 4, 5, 6000, tzinfo=UTC)
    expected = {3: "bd-vju", 4: "bd-8d8e", 5: "bd-bi3tk", 6: "bd-8bi3tk", 7: "bd-r5sr6bm",
                8: "bd-8r5sr6bm"}
    for length, want in expected.items():
        count = {3: 0, 4: 500, 5: 1000, 6: 10_000, 7: 100_000, 8: 1_000_000}[length]
        assert ids.new_id("bd", set(), title="Fix login", description="Details",
                          creator="jira-import", created_at=moment, issue_count=count) == want


@pytest.mark.parametrize(("count", "length"), [
    (0, 3), (163, 3), (164, 4), (983, 4), (984, 5), (5898, 5), (5899, 6), (35389, 6),
    (35390, 7), (10**9, 8)])
def test_suffix_length_grows_with_the_store(count: int, length: int) -> None:
    assert ids.hash_length(count) == length


def test_a_collision_retries_other_nonces_then_longer_suffixes() -> None:
    args = {"title": "t", "description": "", "creator": "", "issue_count": 0,
            "created_at": datetime(2026, 1, 1, tzinfo=UTC)}
    taken: set[str] = set()
    made = [ids.new_id("p", taken, **args) for _ in range(1)]  # type: ignore[arg-type]
    for _ in range(12):
        taken.add(ids.new_id("p", taken, **args))  # type: ignore[arg-type]
    assert made[0] in taken
    assert sorted(len(i) for i in taken)[-1] == len("p-") + 4  # the 11th and 12th are longer
    assert sum(1 for i in taken if len(i) == 5) == 10


def test_no_free_id_is_a_clean_refusal() -> None:
    class Everything:
        def __contains__(self, item: object) -> bool:
            return True

    with pytest.raises(Refused, match="no free id"):
        ids.new_id("p", Everything(), title="t", description="", creator="",
                   created_at=datetime(2026, 1, 1, tzinfo=UTC), issue_count=0)


def test_child_ids_take_the_next_free_number_up_to_three_levels() -> None:
    assert ids.child_id("bd-a1b", {"bd-a1b.1", "bd-a1b.3"}) == "bd-a1b.2"
    assert ids.child_id("bd-a1b.1.2", set()) == "bd-a1b.1.2.1"
    with pytest.raises(InvalidInput):
        ids.child_id("bd-a1b.1.2.3", set())


def test_prefixes() -> None:
    assert ids.prefix_of("bd-drain-0oe") == "bd-drain"
    assert ids.prefix_of("bd-a1b.2.1") == "bd"
    assert ids.most_common_prefix(["bd-a", None, "bd-wisp-b", "bd-wisp-c", "hq-d"]) == "bd"
    assert ids.most_common_prefix([None, None]) == ""
    assert ids.most_common_prefix([]) == ""
    assert ids.prefix_from_name("My_Repo.2") == "my-repo-2"
    assert ids.prefix_from_name("2049-tools") == "tools"
    assert ids.prefix_from_name("___") == "inc"
