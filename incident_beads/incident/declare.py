"""Phase 1: check a declaration and write the incident bead of the contract."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from incident_beads.beads.rules import MAX_TITLE
from incident_beads.errors import Escalation, InvalidInput
from incident_beads.incident.model import Assessment
from incident_beads.incident.severity import Severity, strip_severity_tag


def check_title(title: object, severity: Severity) -> str:
    """The plain title, refused when empty, multi-line or too long once tagged `[SEV-N] `."""
    if not isinstance(title, str) or not title.strip():
        raise InvalidInput("an incident needs a title", hint='incident create "Checkout is down" '
                                                            "--sev 1")
    if any(ch in title for ch in "\n\r\x00") or any(ord(ch) < 32 for ch in title):
        raise InvalidInput("an incident title must be one line without control characters",
                           hint="put details in --what or --error")
    plain = strip_severity_tag(title)
    tagged = severity.tag_title(plain)
    if len(tagged) > MAX_TITLE:
        limit = MAX_TITLE - (len(tagged) - len(plain))
        raise InvalidInput(f"an incident title has at most {limit} characters "
                           f"(this one has {len(plain)})",
                           hint="shorten it; put details in --what or --error")
    return plain


def clean_list(values: Sequence[str] | str | None) -> list[str]:
    """A list of non-empty texts (a single text is a list of one)."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [value for value in values if value.strip()]


def check_detected_at(detected_at: datetime, now: datetime) -> None:
    """Refuse a detection time in the future (a minute of clock skew is forgiven)."""
    if detected_at > now + timedelta(minutes=1):
        raise InvalidInput("the detection time is in the future",
                           hint="give --detected-at as `now`, `-10m` or an ISO time in the past")


def description_for(assessment: Assessment, severity: Severity, extra: str) -> str:
    """The incident bead's description: impact, affected users, symptoms, then any notes."""
    text = assessment.render(severity)
    return f"{text}\n\n{extra.strip()}" if extra.strip() else text


def data_risk_message(assessment: Assessment) -> str | None:
    """Why the declaration must be surfaced to a person at once, if it must."""
    reasons = []
    if assessment.data_at_risk:
        reasons.append("data is at risk")
    if assessment.security:
        reasons.append("it is a security incident")
    if not reasons:
        return None
    return " and ".join(reasons) + "; a person must decide how to proceed"


DATA_LOSS_OR_SECURITY = Escalation.DATA_LOSS_OR_SECURITY
RECURRENCE = Escalation.RECURRENCE
