"""The quality-gate table of the contract: what each gate asks for at each severity."""

from __future__ import annotations

from typing import NamedTuple

from incident_beads.errors import InvalidInput, Refused

CODE_REVIEW = "code-review"
TESTS = "tests"
STAGING = "staging"
SECURITY_SCAN = "security-scan"
DOCUMENTATION = "documentation"
GATES: tuple[str, ...] = (CODE_REVIEW, TESTS, STAGING, SECURITY_SCAN, DOCUMENTATION)
# Gates recorded by their own step, never by hand: the review and the staging run.
RECORDED_BY_STEP = {CODE_REVIEW: "incident hotfix review", STAGING: "incident hotfix staging"}
#: Gates a configured command runs (`[hotfix]` key): then they are never marked done by hand.
COMMAND_KEYS = {TESTS: "test_command", SECURITY_SCAN: "security_command"}


class GateRule(NamedTuple):
    """One cell of the table: the expected level, and whether a skip is allowed."""

    level: str  # the table's word: quick, standard, may skip, brief, skip, after, before...
    skip_allowed: bool
    # "skip" and "after" cells: recorded as skipped at the start, each with its follow-up.
    skipped_by_table: bool = False


_SEV1 = {
    CODE_REVIEW: GateRule("quick", False),
    TESTS: GateRule("may skip", True),
    STAGING: GateRule("brief (time-boxed)", False),
    SECURITY_SCAN: GateRule("skip", True, skipped_by_table=True),
    DOCUMENTATION: GateRule("after", True, skipped_by_table=True),
}
_SEV2 = {
    CODE_REVIEW: GateRule("standard", False),
    TESTS: GateRule("should pass", True),
    STAGING: GateRule("standard", False),
    SECURITY_SCAN: GateRule("quick", False),
    DOCUMENTATION: GateRule("after", True, skipped_by_table=True),
}
_SEV3 = {
    CODE_REVIEW: GateRule("standard", False),
    TESTS: GateRule("must pass", False),
    STAGING: GateRule("standard", False),
    SECURITY_SCAN: GateRule("standard", False),
    DOCUMENTATION: GateRule("before", False),
}
TABLE: dict[int, dict[str, GateRule]] = {1: _SEV1, 2: _SEV2, 3: _SEV3, 4: _SEV3}


def parse_gate(name: str) -> str:
    """A gate by name (`security_scan`, `Security Scan` and `security-scan` are the same)."""
    key = "-".join(name.strip().lower().replace("_", " ").split())
    aliases = {"review": CODE_REVIEW, "security": SECURITY_SCAN, "docs": DOCUMENTATION,
               "test": TESTS}
    key = aliases.get(key, key)
    if key not in GATES:
        raise InvalidInput(f"unknown quality gate {name!r}", hint=f"use one of {', '.join(GATES)}")
    return key


def rule(level: int, gate: str) -> GateRule:
    """The table's cell for `gate` at severity `level` (1 to 4)."""
    return TABLE[level][gate]


def check_skip(level: int, gate: str, reason: str) -> None:
    """Refuse a skip the table does not allow at this severity, or one without a reason."""
    cell = rule(level, gate)
    if not cell.skip_allowed:
        raise Refused(f"the {gate} gate cannot be skipped for SEV-{level} "
                      f"(the quality-gate table says: {cell.level})",
                      hint=f"do it and record it: incident hotfix gate HID {gate} --done")
    if not reason.strip():
        raise Refused(f"skipping the {gate} gate needs a reason",
                      hint="add --reason '...'; the skip becomes a follow-up task")


def check_manual_done(gate: str, command: tuple[str, ...] = ()) -> None:
    """Refuse to mark by hand a gate that only its own step, or its configured command, passes."""
    step = RECORDED_BY_STEP.get(gate)
    if step is not None:
        raise Refused(f"the {gate} gate is recorded by `{step}`, not by hand",
                      hint=f"run `{step} HID ...`")
    if command:
        raise Refused(f"the {gate} gate runs hotfix.{COMMAND_KEYS[gate]}; it is not marked done "
                      "by hand", hint=f"run it: incident hotfix gate HID {gate} --run")
