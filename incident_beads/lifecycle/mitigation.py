"""The mitigation ladder: rollback, feature flag, config change, scale, hotfix, tried in order."""

from __future__ import annotations

from collections.abc import Sequence

from incident_beads.errors import Escalation, InvalidInput, Refused
from incident_beads.lifecycle.edit import IncidentEdit
from incident_beads.lifecycle.model import (
    ConfigChange,
    Mitigation,
    MitigationOption,
    MitigationResult,
    Phase,
)

#: Every rung, in the order the seed tries them.
LADDER: tuple[MitigationOption, ...] = tuple(MitigationOption)
#: The rungs whose exhaustion the seed names as a reason to STOP (the hotfix comes after).
STOP_WHEN_EXHAUSTED: tuple[MitigationOption, ...] = LADDER[:4]
RULED_OUT = frozenset({MitigationResult.FAILED, MitigationResult.UNAVAILABLE})
# Saying a rung cannot be used is not taking it; only these results take a rung.
TAKES_RUNG = frozenset({MitigationResult.WORKED, MitigationResult.FAILED,
                        MitigationResult.IN_PROGRESS})


def latest_results(mitigations: Sequence[Mitigation]) -> dict[MitigationOption, MitigationResult]:
    """The latest recorded outcome of each rung that has one."""
    results: dict[MitigationOption, MitigationResult] = {}
    for attempt in mitigations:
        results[attempt.option] = attempt.result
    return results


def is_ruled_out(mitigations: Sequence[Mitigation], option: MitigationOption) -> bool:
    """True when the rung's latest outcome is failed or unavailable."""
    return latest_results(mitigations).get(option) in RULED_OUT


def untried_before(mitigations: Sequence[Mitigation],
                   option: MitigationOption) -> list[MitigationOption]:
    """The earlier rungs with no recorded attempt at all."""
    results = latest_results(mitigations)
    return [rung for rung in LADDER[: LADDER.index(option)] if rung not in results]


def first_working(mitigations: Sequence[Mitigation]) -> Mitigation | None:
    """The first attempt that worked, if any."""
    return next((m for m in mitigations if m.result is MitigationResult.WORKED), None)


def is_exhausted(mitigations: Sequence[Mitigation]) -> bool:
    """True when rollback, flag, config change and scale are all ruled out and nothing worked."""
    if first_working(mitigations) is not None:
        return False
    results = latest_results(mitigations)
    return all(results.get(rung) in RULED_OUT for rung in STOP_WHEN_EXHAUSTED)


def check_attempt(mitigations: Sequence[Mitigation], option: MitigationOption,
                  result: MitigationResult, *, reason: str,
                  config_change: ConfigChange | None) -> list[MitigationOption]:
    """Refuse an attempt the ladder forbids; return the earlier rungs it skips (with `reason`)."""
    if option is MitigationOption.CONFIG_CHANGE and result in TAKES_RUNG and not _documented(
            config_change):
        raise Refused("a production config change must say what was changed",
                      hint="give the setting, its old and new value and where "
                           "(--setting, --from, --to, --where)")
    skipped = untried_before(mitigations, option) if result in TAKES_RUNG else []
    if skipped and not reason.strip():
        names = ", ".join(rung.value for rung in skipped)
        raise Refused(f"{option.value} skips earlier rungs of the ladder not yet tried or "
                      f"ruled out: {names}",
                      hint="record them first (--result unavailable or failed) or state why "
                           "they are skipped (--reason)")
    return skipped


def _documented(change: ConfigChange | None) -> bool:
    return change is not None and all(
        value.strip() for value in (change.setting, change.from_value, change.to_value,
                                    change.where))


def parse_option(value: str | MitigationOption) -> MitigationOption:
    """A ladder rung by name."""
    try:
        return MitigationOption(value)
    except ValueError:
        raise InvalidInput(f"unknown mitigation option {value!r}",
                           hint=f"use one of {', '.join(r.value for r in LADDER)}") from None


def parse_result(value: str | MitigationResult) -> MitigationResult:
    """A mitigation outcome by name."""
    try:
        return MitigationResult(value)
    except ValueError:
        raise InvalidInput(f"unknown mitigation result {value!r}",
                           hint="use worked, failed, unavailable or in-progress") from None


def describe_attempt(attempt: Mitigation) -> str:
    """The timeline text of one attempt: rung, outcome, detail, config change, skipped rungs."""
    text = f"Mitigation {attempt.option.value}: {attempt.result.value}"
    if attempt.detail:
        text += f" - {attempt.detail}"
    if attempt.config_change is not None:
        text += f"\nConfig change: {attempt.config_change.render()}"
    if attempt.skipped:
        text += (f"\nSkipped {', '.join(r.value for r in attempt.skipped)}: "
                 f"{attempt.skip_reason}")
    return text


def record_attempt(edit: IncidentEdit, rung: MitigationOption, outcome: MitigationResult, *,
                   detail: str, reason: str, config_change: ConfigChange | None) -> Mitigation:
    """Record one attempt; the first that works stamps `mitigated`; exhaustion escalates."""
    state, now = edit.state, edit.now
    skipped = check_attempt(state.mitigations, rung, outcome, reason=reason,
                            config_change=config_change)
    attempt = Mitigation(
        at=now, by=edit.actor, option=rung, result=outcome, detail=detail,
        skip_reason=reason.strip() if skipped else "", skipped=skipped,
        config_change=config_change if rung is MitigationOption.CONFIG_CHANGE else None)
    state.mitigations.append(attempt)
    if state.phase == Phase.ASSESS.value:
        state.phase = Phase.MITIGATE.value
    edit.event("mitigation", describe_attempt(attempt),
               {"option": rung.value, "result": outcome.value})
    if outcome is MitigationResult.WORKED and state.timestamps.mitigated is None:
        state.timestamps.mitigated = now
        state.phase = Phase.MITIGATED.value
    if outcome in RULED_OUT and is_exhausted(state.mitigations):
        edit.escalate(Escalation.MITIGATIONS_EXHAUSTED,
                      "rollback, feature flag, config change and scale are all failed or "
                      "unavailable",
                      {"ruled_out": [r.value for r in LADDER
                                     if is_ruled_out(state.mitigations, r)]},
                      hint="ask a person whether to hotfix (SEV-1/2) or how else to proceed")
    return attempt
