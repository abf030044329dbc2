"""Read the moments people and orchestrators type: `now`, `+30m`, `-2h`, ISO 8601 / RFC 3339,
and the ETAs of status updates (`in 3 hours`, `10:45`, `tomorrow 09:00`, `investigating`)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from incident_beads.beads.issue import parse_ts
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
        return _shift(now, int(amount) if sign == "+" else -int(amount), unit, text)
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


#: The ETA that says "no estimate yet" (allowed only while the response window is open).
INVESTIGATING = "investigating"
ETA_FORMS = ("+30m, in 3 hours, 10:45 (today), tomorrow 09:00, ISO 8601 such as "
             "2026-01-15T10:30:00Z, or `investigating` while the response window is open")
_IN_RE = re.compile(r"in\s+(\d+)\s*([a-z]+)", re.IGNORECASE)
_CLOCK_RE = re.compile(r"(?:(today|tomorrow)\s+(?:at\s+)?)?(\d{1,2}):(\d{2})", re.IGNORECASE)
_WORD_UNITS = {"s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
               "m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m",
               "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
               "d": "d", "day": "d", "days": "d", "w": "w", "week": "w", "weeks": "w"}


def _shift(now: datetime, amount: int, unit: str, text: str) -> datetime:
    """`now` moved by `amount` units; a distance no calendar holds is refused, not crashed on."""
    try:
        return as_utc(now) + timedelta(**{_UNITS[unit.lower()]: amount})
    except OverflowError:
        raise InvalidInput(f"the time {text.strip()!r} is too far away",
                           hint="give a time within a few years of now") from None


def parse_eta(text: str | datetime | None, now: datetime,
              zone: tzinfo = UTC) -> datetime | str | None:
    """An ETA to resolution: a moment, or `investigating`; anything else is refused.

    Wall-clock forms (`10:45`, `tomorrow 09:00`, an ISO time without offset) are read in `zone`.
    """
    if text is None or isinstance(text, datetime):
        return None if text is None else as_utc(text)
    value = " ".join(text.split())
    if not value:
        return None
    if value.lower() == INVESTIGATING:
        return INVESTIGATING
    moment = _eta_moment(value, now, zone)
    if moment is None:
        raise InvalidInput(f"cannot read the ETA {text!r}", hint=f"use {ETA_FORMS}")
    return moment


def _eta_moment(value: str, now: datetime, zone: tzinfo) -> datetime | None:
    relative = _IN_RE.fullmatch(value)
    if relative:
        unit = _WORD_UNITS.get(relative.group(2).lower())
        return None if unit is None else _shift(now, int(relative.group(1)), unit, value)
    wall = _CLOCK_RE.fullmatch(value)
    if wall:
        day, hour, minute = wall.group(1), int(wall.group(2)), int(wall.group(3))
        if hour > 23 or minute > 59:
            return None
        local_day = as_utc(now).astimezone(zone).date()
        if day and day.lower() == "tomorrow":
            local_day += timedelta(days=1)
        return _at(local_day, time(hour, minute), zone)
    if value.lower() == "now" or _RELATIVE_RE.fullmatch(value):
        return parse_moment(value, now)
    if re.fullmatch(r"\d{4}-\d\d-\d\d.*", value):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return None
        return as_utc(moment if moment.tzinfo else moment.replace(tzinfo=zone))
    return None


def _at(day: date, clock: time, zone: tzinfo) -> datetime:
    return as_utc(datetime.combine(day, clock, tzinfo=zone))


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
