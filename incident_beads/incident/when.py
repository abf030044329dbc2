"""Read the moments people and orchestrators type: `now`, `+30m`, `-2h`, ISO 8601 / RFC 3339."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from incident_beads.beads.record import parse_ts
from incident_beads.errors import InvalidInput

_RELATIVE_RE = re.compile(r"([+-])\s*(\d+)\s*(s|m|min|h|d|w)", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "min": "minutes", "h": "hours", "d": "days",
          "w": "weeks"}
_DURATION_RE = re.compile(r"(\d+)(min|s|m|h|d|w)")
_LOOKS_LIKE_TIME = re.compile(r"[+-]|\d")


def as_utc(moment: datetime) -> datetime:
    """The same moment in UTC; a naive datetime is taken as UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_moment(text: str | datetime, now: datetime) -> datetime:
    """A moment from `now`, `+30m`/`-2h`/`+1d`, or an ISO 8601 time (naive means UTC)."""
    if isinstance(text, datetime):
        return as_utc(text)
    value = text.strip()
    if value.lower() == "now":
        return as_utc(now)
    relative = _RELATIVE_RE.fullmatch(value)
    if relative:
        sign, amount, unit = relative.groups()
        delta = timedelta(**{_UNITS[unit.lower()]: int(amount)})
        return as_utc(now) + (delta if sign == "+" else -delta)
    try:
        return as_utc(parse_ts(value))
    except ValueError:
        pass
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        raise InvalidInput(f"cannot read the time {text!r}",
                           hint="use `now`, `+30m`, `+2h`, `-1d` or ISO 8601 such as "
                                "2026-01-15T10:30:00Z") from None


def parse_eta(text: str | datetime | None, now: datetime) -> datetime | str | None:
    """An ETA: a moment (see `parse_moment`) or free text such as `investigating`."""
    if text is None or isinstance(text, datetime):
        return None if text is None else as_utc(text)
    value = text.strip()
    if not value:
        return None
    if value.lower() == "now" or _LOOKS_LIKE_TIME.match(value):
        # Something that starts like a time must be one: a typo must not pass as prose.
        return parse_moment(value, now)
    return value


def parse_duration(text: str) -> timedelta:
    """A positive duration: `90s`, `15m`, `2h`, `1h30m`."""
    value = "".join(text.split()).lower()
    parts = _DURATION_RE.findall(value)
    if not value or "".join(a + u for a, u in parts) != value:
        raise InvalidInput(f"cannot read the duration {text!r}", hint="use 90s, 15m, 2h or 1h30m")
    total = sum((timedelta(**{_UNITS[unit]: int(amount)}) for amount, unit in parts),
                timedelta())
    if total <= timedelta():
        raise InvalidInput(f"the duration {text!r} is not positive", hint="use 90s, 15m or 2h")
    return total


def format_duration(delta: timedelta) -> str:
    """A duration as people write it: `45m`, `2h 05m`, `1d 3h 00m`."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h {mins:02d}m"
    if hours:
        return f"{hours}h {mins:02d}m"
    return f"{mins}m"


def format_moment(moment: datetime) -> str:
    """A moment for messages: `2026-01-15 10:30 UTC`."""
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")
