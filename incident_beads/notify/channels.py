"""Channels: where a message goes, and `${VAR}` expanded at send time.

Reading and checking the `[notify]` table (secrets kept out of it) is the configuration's
(`config/notify.py`); this module routes and sends what it allows.
"""

from __future__ import annotations

import os

from incident_beads.config.notify import KINDS, SEVERITIES, VARIABLE, check_url, mask
from incident_beads.config.sections import NotifyConfig
from incident_beads.errors import InvalidInput

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Mapping

__all__ = ["KINDS", "SEVERITIES", "channels_for", "check_url", "expand", "label", "mask",
           "variables"]


def variables(template: str) -> list[str]:
    """The environment variables a URL names."""
    return VARIABLE.findall(template)


def expand(template: str, environ: Mapping[str, str] | None = None) -> tuple[str, list[str]]:
    """The URL with each `${VAR}` replaced from the environment, and the secrets put in.

    A variable that is not set is an error naming it: the message stays in the outbox.
    """
    env = os.environ if environ is None else environ
    secrets: list[str] = []

    def put(match: re.Match[str]) -> str:
        name = match.group(1)
        value = env.get(name)
        if not value:
            raise InvalidInput(f"environment variable {name} is not set",
                               hint=f"export {name}=... where notifications are sent")
        secrets.append(value)
        return value

    return VARIABLE.sub(put, template), secrets


def label(template: str) -> str:
    """How a channel is named on the timeline and in lists: no query, variables unexpanded."""
    return template.split("?", 1)[0]


def channels_for(config: NotifyConfig, *, kind: str, severity: str) -> list[str]:
    """Every URL a message of `kind` about a `severity` incident goes to, each once."""
    found: list[str] = []
    for url in (*config.urls, *config.severity.get(severity, ()), *config.kind.get(kind, ())):
        if url not in found:
            found.append(url)
    return found
