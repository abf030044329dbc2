"""Hand one message to one channel through Apprise, imported only when something is sent."""

from __future__ import annotations

from incident_beads.errors import IncidentBeadsError
from incident_beads.notify.channels import expand

#: Apprise's notification type by message kind: how a chat colours it, how a mail flags it.
_TYPES = {"escalation": "failure", "reminder": "warning", "resolved": "success",
          "hotfix-verified": "success"}


def send(url_template: str, *, kind: str, subject: str, body: str) -> str | None:
    """Deliver; None when the channel accepted the message, else why it did not."""
    try:
        url, secrets = expand(url_template)
    except IncidentBeadsError as exc:
        return exc.one_line()
    try:
        import apprise
    except ImportError:
        return "apprise is not installed: pip install 'incident_beads[notify]'"
    channel = apprise.Apprise()
    if not channel.add(url):
        return _hide("Apprise does not understand this URL (check the scheme and its parts)",
                     secrets)
    with apprise.LogCapture(level=apprise.logging.WARNING) as log:  # type: ignore[no-untyped-call]
        delivered = channel.notify(title=subject, body=body,
                                   body_format=apprise.NotifyFormat.TEXT,
                                   notify_type=_TYPES.get(kind, "info"))
    if delivered:
        return None
    said = [line.split(" - ", 2)[-1].strip() for line in log.getvalue().splitlines()
            if line.strip()]
    return _hide(said[-1] if said else "the channel did not accept the message", secrets)


def _hide(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return " ".join(text.split())
