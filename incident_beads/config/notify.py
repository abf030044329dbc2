"""`[notify]`: channels as Apprise URLs, and the check that keeps secrets out of the file.

Standard library only, and read only when the file has a `[notify]` table: the configuration is
read by every command, the push guard included. Expanding `${VAR}` at send time is `notify/`'s.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from incident_beads.config.sections import NotifyConfig
from incident_beads.errors import MalformedFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


#: The kinds of message sent, in the order an incident produces them.
KINDS = ("declared", "update", "escalation", "hotfix-verified", "resolved",
         "postmortem-scheduled", "reminder")
SEVERITIES = ("SEV-1", "SEV-2", "SEV-3", "SEV-4")

VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_PLACEHOLDER = "VAR"
# Services whose URL carries the key itself in the path (Apprise's schemes); for the first
# set the host is part of the key too, for the second it names a server or a team.
_TOKEN_SCHEMES = frozenset({"slack", "discord", "tgram", "pover", "pbul", "join", "spush",
                            "revolt"})
_KEY_PATH_SCHEMES = frozenset({"msteams", "workflows", "gchat", "zulip"})
# Web hooks given as plain https URLs: the path is the secret.
_TOKEN_HOSTS = ("hooks.slack.com", "webhook.office.com", "outlook.office.com",
                "discord.com", "discordapp.com", "logic.azure.com", "logic.azure.us",
                "powerplatform.com", "chat.googleapis.com")
# The fixed words in those hooks' paths; every other part of such a path is key material.
_HOOK_WORDS = frozenset({"services", "webhook", "webhookb2", "incomingwebhook", "api", "webhooks",
                         "workflows", "triggers", "manual", "paths", "invoke", "v1", "v2",
                         "spaces", "messages", "run"})
_SECRET_PARAMS = re.compile(r"token|key|secret|pass|pwd|auth|sig|webhook", re.IGNORECASE)
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9_\-]{16,}")


def parse_notify(path: str, value: Any) -> NotifyConfig:
    """The `[notify]` table: `urls`, `[notify.severity]` and `[notify.kind]` routes."""
    if not isinstance(value, dict):
        raise MalformedFile(path, None, "[notify] must be a table")
    known = {"urls", "severity", "kind"}
    for key in value:
        if key not in known:
            raise MalformedFile(path, None, f"unknown key notify.{key}",
                                hint=f"known keys: {', '.join(sorted(known))}")
    urls = _urls(path, "notify.urls", value.get("urls", []))
    severity = _routes(path, "severity", value.get("severity", {}), SEVERITIES)
    kind = _routes(path, "kind", value.get("kind", {}), KINDS)
    return NotifyConfig(urls=urls, severity=severity, kind=kind)


def _routes(path: str, name: str, table: Any,
            allowed: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    if not isinstance(table, dict):
        raise MalformedFile(path, None, f"[notify.{name}] must be a table of URL lists")
    routes: dict[str, tuple[str, ...]] = {}
    for key, urls in table.items():
        if key not in allowed:
            raise MalformedFile(path, None, f"unknown {name} notify.{name}.{key}",
                                hint=f"use one of: {', '.join(allowed)}")
        routes[key] = _urls(path, f"notify.{name}.{key}", urls)
    return routes


def _urls(path: str, key: str, urls: Any) -> tuple[str, ...]:
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        raise MalformedFile(path, None, f"{key} must be a list of Apprise URLs")
    for n, url in enumerate(urls):
        check_url(path, f"{key}[{n}]", url)
    return tuple(u.strip() for u in urls)


def check_url(path: str, key: str, url: str) -> None:
    """Refuse a URL that is not one, or that holds a literal secret instead of `${VAR}`."""
    plain = VARIABLE.sub(_PLACEHOLDER, url.strip())
    parts = urlsplit(plain)
    if not parts.scheme or "://" not in plain:
        raise MalformedFile(path, None, f"{key} is not an Apprise URL ({mask(url)})",
                            hint="write scheme://..., for example json://host/path or "
                                 "mailto://host?to=ops@example.com")
    secret = _literal_secret(parts.scheme.lower(), plain)
    if secret is not None:
        raise MalformedFile(path, None, f"{key} ({parts.scheme}://) holds a literal secret "
                                        f"({mask(secret)}); the file is committed",
                            hint="put the secret in an environment variable and write "
                                 "${NAME} in its place, e.g. slack://${SLACK_TOKEN}/#incidents")


def _literal_secret(scheme: str, plain: str) -> str | None:
    parts = urlsplit(plain)
    if parts.password and parts.password != _PLACEHOLDER:
        return parts.password
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if _SECRET_PARAMS.search(name) and value and value != _PLACEHOLDER:
            return value
    host = parts.netloc.rsplit("@", 1)[-1].split(":", 1)[0]  # as written: tokens keep case
    pieces = [host] + [p for p in parts.path.split("/") if p]
    if scheme in _TOKEN_SCHEMES or scheme in _KEY_PATH_SCHEMES:
        # The user part names a bot, `#`/`@` targets name channels and people; the rest is key.
        for piece in pieces if scheme in _TOKEN_SCHEMES else pieces[1:]:
            if piece and piece != _PLACEHOLDER and not piece.startswith(("#", "@", "%23", "%40")):
                return piece
        return None
    if scheme in ("http", "https") and host.lower().endswith(_TOKEN_HOSTS):
        literal = [p for p in pieces[1:]
                   if _PLACEHOLDER not in p and p.lower() not in _HOOK_WORDS]
        return literal[0] if literal else None
    for piece in pieces:
        if piece != _PLACEHOLDER and _TOKEN_LIKE.fullmatch(piece) and _mixed(piece):
            return piece
    return None


def _mixed(piece: str) -> bool:
    return any(c.isdigit() for c in piece) and any(c.isalpha() for c in piece)


def mask(secret: str) -> str:
    """The first characters of a secret, enough to find it, never enough to use it."""
    return secret[:4] + "..." if len(secret) > 6 else "..."
