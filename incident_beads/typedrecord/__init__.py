"""Typed records: standard-library dataclasses built and checked from JSON data by annotation.

A subclass of `TypedRecord` is made a keyword-only dataclass; its fields are read from the class
annotations the first time an instance is validated. `model_validate` builds an instance from a
dict (the JSON stored in a bead's metadata, or API input), converting each value by its
annotation; `model_dump` gives it back as a dict, `mode="json"` as JSON-ready values. What a
field may be annotated with:

- `str`, `int`, `float`, `bool`, `Any` and `X | None`;
- a `StrEnum` (a member, or its value);
- `datetime`: an ISO 8601 / RFC 3339 string (`Z` or an offset; without one it stays naive),
  or a number of seconds since the epoch (UTC); dumped as `2024-05-01T12:00:00Z`;
- `Literal[...]` (one of the values given);
- `list[X]`, `dict[str, X]`, and another `TypedRecord` class (a dict is validated into it).

Keys the class does not name are governed by the class keyword `extra`: `"allow"` keeps them in
order and writes them back after the fields (so a newer writer's fields survive a round trip),
`"forbid"` refuses them and `"ignore"` (the default) drops them. A value that does not fit is
refused with `RecordError`, which names the field (`updates.0.at`) as `loc` and says why.

The parts: `record.py` (the base class, its methods and dumping), `convert.py` (one value by
its annotation, and `RecordError`), `moments.py` (datetimes as text).
"""

from __future__ import annotations

from incident_beads.typedrecord.convert import RecordError as RecordError
from incident_beads.typedrecord.convert import literal_choices as literal_choices
from incident_beads.typedrecord.moments import format_datetime as format_datetime
from incident_beads.typedrecord.moments import parse_datetime as parse_datetime
from incident_beads.typedrecord.record import TypedRecord as TypedRecord
from incident_beads.typedrecord.record import field as field
from incident_beads.typedrecord.record import jsonable as jsonable

__all__ = ["RecordError", "TypedRecord", "field", "format_datetime", "jsonable",
           "literal_choices", "parse_datetime"]
