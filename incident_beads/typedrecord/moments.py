"""Moments as text: the ISO 8601 / RFC 3339 forms records are read from and written as."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["format_datetime", "parse_datetime"]


def format_datetime(moment: datetime) -> str:
    """`2024-05-01T12:00:00Z`, `...12:00:00.250000+02:00`, or without an offset when naive."""
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.year < 1000:
        text = f"{moment.year:04d}" + text[text.index("-"):]
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    offset = moment.utcoffset()
    if offset is None:
        return text
    if offset == timedelta(0):
        return text + "Z"
    minutes = int(offset.total_seconds() // 60) if offset > timedelta(0) else \
        -int((-offset).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{text}{sign}{hours:02d}:{mins:02d}"


def parse_datetime(text: str) -> datetime:
    """An ISO 8601 / RFC 3339 moment: `Z` or an offset gives an aware one (UTC for `Z`)."""
    text = text.strip()
    if text[-1:] == "Z" and text[10:11] == "T" and len(text) <= 27:
        # as this project and bd write it (to the microsecond at most): read as it stands
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    if len(text) > 10 and text[10] in "tT ":
        date, rest = text[:10], text[11:]
        # More than six digits of a second's fraction: keep the microseconds.
        head, dot, tail = rest.partition(".")
        if dot:
            digits = len(tail) - len(tail.lstrip("0123456789"))
            if digits > 6:
                tail = tail[:6] + tail[digits:]
            rest = f"{head}.{tail}"
        text = f"{date}T{rest}"
    if text.endswith(("z", "Z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    offset = moment.utcoffset()
    if offset == timedelta(0):
        moment = moment.replace(tzinfo=UTC)
    return moment
