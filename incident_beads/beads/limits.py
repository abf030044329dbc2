"""The sizes a store line may reach: what the reader accepts, the writer keeps to.

The reader refuses a line of more than `MAX_LINE_BYTES` (a line that long is damage, and the
bound keeps memory in check); the writer refuses any text longer than `MAX_TEXT_BYTES` and
checks every line it writes against the reader's own checks, so no command writes a line a
fresh clone would refuse.
"""

from __future__ import annotations

from typing import Any

from incident_beads.errors import InvalidInput

# No issue comes near this (the largest line of bd's own export is 9 KB, and bd keeps text in
# 64 KB database columns): a line this long is damage, and refusing it keeps memory bounded.
MAX_LINE_BYTES = 4 * 1024 * 1024
# bd keeps each text in a 64 KB database column; one text may fill it, not more.
MAX_TEXT_BYTES = 64 * 1024
LONG_TEXT_HINT = ("write the long text to a file under docs/ (for example "
                  "docs/incidents/<incident-id>-notes.md), commit it with `incident sync`, "
                  "and give its path here instead")


def oversized_text(data: Any, where: str = "") -> tuple[str, int] | None:
    """The first text in `data` longer than `MAX_TEXT_BYTES`: its place and size in bytes."""
    if isinstance(data, str):
        # a character takes at most 4 bytes in UTF-8: most texts need no encoding to clear
        if len(data) * 4 > MAX_TEXT_BYTES:
            size = len(data.encode("utf-8", "surrogatepass"))
            if size > MAX_TEXT_BYTES:
                return where, size
        return None
    if isinstance(data, dict):
        for key, value in data.items():
            found = oversized_text(value, f"{where}.{key}" if where else str(key))
            if found is not None:
                return found
    elif isinstance(data, list):
        for n, value in enumerate(data):
            found = oversized_text(value, f"{where}[{n}]")
            if found is not None:
                return found
    return None


def check_text(name: str, value: str) -> None:
    """Refuse a text given for `name` (an option or field) longer than one bd column holds."""
    found = oversized_text(value)
    if found is not None:
        raise InvalidInput(f"{name} has {found[1]:,} bytes of text (at most {MAX_TEXT_BYTES:,})",
                           hint=LONG_TEXT_HINT)
