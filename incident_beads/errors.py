"""The one exception tree of incident_beads, and the exit code each branch maps to."""

from __future__ import annotations

TYPE_CHECKING = False  # typing stays out of the push hook's imports
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any


class IncidentBeadsError(Exception):
    """Base of every error the library raises on purpose; exits 1 from the CLI."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        """Render the error as one line, ending with the fix when there is one."""
        text = " ".join(self.message.split())
        if self.hint:
            text += f" (hint: {' '.join(self.hint.split())})"
        return text

    def to_json(self) -> dict[str, Any]:
        """Describe the error for `--json` output."""
        data: dict[str, Any] = {"error": type(self).__name__, "message": self.message}
        if self.hint:
            data["hint"] = self.hint
        return data


class NotFound(IncidentBeadsError):
    """An id, file or git object that does not exist."""


class Refused(IncidentBeadsError):
    """A rule of the workflow said no; nothing was written."""


class InvalidInput(IncidentBeadsError):
    """A value given by the caller is malformed (severity, time, title, path...)."""


class MalformedFile(IncidentBeadsError):
    """A file on disk cannot be read; names the file and line."""

    def __init__(self, path: str, line: int | None, what: str, *, hint: str | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {what}", hint=hint)
        self.path = path
        self.line = line


class NoStore(IncidentBeadsError):
    """The repository has no beads store yet."""


class GitError(IncidentBeadsError):
    """A git operation failed or the repository is in a state we cannot work with."""


class CommandFailed(IncidentBeadsError):
    """A staging or deploy command failed or timed out; its result was recorded first."""


class Escalation(IncidentBeadsError):
    """STOP and surface to a person: a seed escalation condition; exits 3.

    Raised only AFTER what led to it has been recorded, so nothing is lost.
    """

    exit_code = 3

    #: The seed's escalation conditions.
    MITIGATIONS_EXHAUSTED = "mitigations-exhausted"
    RISKY_HOTFIX_NO_ROLLBACK = "risky-hotfix-without-rollback"
    RECURRENCE = "recurrence"
    DATA_LOSS_OR_SECURITY = "data-loss-or-security"
    ETA_BEYOND_WINDOW = "eta-beyond-window"

    def __init__(
        self, condition: str, message: str, *, incident_id: str | None = None,
        hint: str | None = None, since: datetime | None = None,
        decision_command: str | None = None, held: bool = False,
        open_conditions: tuple[str, ...] = (),
    ) -> None:
        super().__init__(f"ESCALATE [{condition}]: {message}", hint=hint)
        self.condition = condition
        self.incident_id = incident_id
        #: When the escalation was recorded (for a hold: the oldest open one).
        self.since = since
        #: The exact command a person runs to record their decision.
        self.decision_command = decision_command
        #: True when a change was refused because the incident is held; nothing was written.
        self.held = held
        #: Every condition still open on the incident, oldest first.
        self.open_conditions = open_conditions or (condition,)

    def to_json(self) -> dict[str, Any]:
        """Describe the escalation as an object for `--json` output."""
        data = super().to_json()
        data["escalation"] = self.condition
        data["incident_id"] = self.incident_id
        data["since"] = self.since.isoformat() if self.since is not None else None
        data["decision_command"] = self.decision_command
        data["held"] = self.held
        data["open_conditions"] = list(self.open_conditions)
        return data


class MonitoringUnavailable(IncidentBeadsError):
    """Prometheus could not be asked (unreachable, timed out, or answered garbage); nothing
    was recorded."""


class CheckFailed(IncidentBeadsError):
    """A monitoring check measured values outside its bound; the measurement was recorded."""
