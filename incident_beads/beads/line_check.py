"""Check one line of `.beads/issues.jsonl` as bd's import would: JSON, UTF-8, one issue."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from incident_beads.beads.limits import MAX_LINE_BYTES
from incident_beads.errors import MalformedFile

_LIST_OF_STR = ("labels",)
_LIST_OF_OBJ = ("dependencies", "comments")
_STR_KEYS = ("title", "status", "issue_type", "description", "created_at", "updated_at",
             "closed_at")
# A line holding this may spell any word another way: searches on raw bytes parse such lines.
ESCAPE = b"\\u"

Visitor = Callable[[dict[str, Any]], None]


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# bd's Go decoder refuses NaN and Infinity, which Python's would accept.
DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def check_line(name: str, number: int, piece: bytes, seen: dict[str, int],
               visit: Visitor | None) -> str | None:
    """Check one line (1-based `number`); return its issue id, or None for other lines."""
    def bad(what: str, hint: str | None = None) -> MalformedFile:
        return MalformedFile(name, number, what, hint=hint)

    if number == 1 and piece.startswith(b"\xef\xbb\xbf"):
        raise bad("the file starts with a byte order mark", "save the file as UTF-8 without BOM")
    if piece.endswith(b"\r"):
        raise bad("the line ends with CR LF", "convert the file to LF line endings")
    if len(piece) > MAX_LINE_BYTES:
        raise bad(f"the line has {len(piece):,} bytes (at most {MAX_LINE_BYTES:,})",
                  "remove or shorten the line")
    if not piece.strip():
        return None
    try:
        text = piece.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad(f"not valid UTF-8 (byte {exc.start + 1})") from None
    try:
        data = DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise bad(f"not valid JSON: {exc.msg} (column {exc.colno})",
                  "fix or remove the line, then run `incident doctor`") from None
    except RecursionError:
        raise bad("not valid JSON: nested too deeply") from None
    except ValueError as exc:  # NaN, Infinity, integers too long to convert
        raise bad(f"not valid JSON: {str(exc).split(';')[0]}") from None
    if not isinstance(data, dict):
        raise bad(f"a line must be a JSON object, not {type(data).__name__}")
    kind = data.get("_type", "issue")
    if kind != "issue":
        return None  # another record type (memories...): kept as it is
    issue_id = data.get("id")
    if not isinstance(issue_id, str) or not issue_id:
        raise bad("the issue has no string `id`")
    problem = type_problem(data)
    if problem:
        raise bad(f"issue {issue_id}: {problem}")
    if issue_id in seen:
        raise bad(f"duplicate id {issue_id} (first on line {seen[issue_id]})",
                  "remove one of the two lines")
    seen[issue_id] = number
    if visit is not None:
        visit(data)
    return issue_id


def type_problem(data: dict[str, Any]) -> str:
    """What makes the issue's known keys the wrong JSON types for bd, or empty."""
    for key in _STR_KEYS:
        if key in data and data[key] is not None and not isinstance(data[key], str):
            return f"`{key}` must be a string, not {type(data[key]).__name__}"
    priority = data.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int):
        return f"`priority` must be an integer, not {type(priority).__name__}"
    for key in _LIST_OF_STR:
        value = data.get(key)
        if value is not None and (not isinstance(value, list)
                                  or not all(isinstance(x, str) for x in value)):
            return f"`{key}` must be a list of strings"
    for key in _LIST_OF_OBJ:
        value = data.get(key)
        if value is not None and (not isinstance(value, list)
                                  or not all(isinstance(x, dict) for x in value)):
            return f"`{key}` must be a list of objects"
    return ""
