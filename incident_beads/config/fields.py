"""Turn one TOML table into a section's dataclass: unknown keys refused by name, types checked."""

from __future__ import annotations

import dataclasses

from incident_beads.errors import MalformedFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def build(path: str, section: str, kind: type[Any], value: Any) -> Any:
    """The dataclass `kind` from the table `value` of `[section]`, or `MalformedFile`."""
    if not isinstance(value, dict):
        raise MalformedFile(path, None, f"[{section}] must be a table")
    hints = {f.name: f.type for f in dataclasses.fields(kind)}  # strings: postponed annotations
    known = {f.name for f in dataclasses.fields(kind)}
    values: dict[str, Any] = {}
    for key, item in value.items():
        if key not in known:
            raise MalformedFile(path, None, f"unknown key {section}.{key}",
                                hint=f"known keys: {', '.join(sorted(known))}")
        values[key] = _coerce(path, f"{section}.{key}", hints[key], item)
    return kind(**values)


def _coerce(path: str, key: str, hint: Any, item: Any) -> Any:
    text = str(hint)
    if hint is bool or text == "bool":
        ok = isinstance(item, bool)
    elif hint is int or text == "int":
        ok = isinstance(item, int) and not isinstance(item, bool) and item >= 0
    elif hint is str or text == "str":
        ok = isinstance(item, str)
    elif text.startswith("tuple"):
        ok = isinstance(item, list) and all(isinstance(x, str) for x in item)
        item = tuple(item) if ok else item
    else:
        ok = True
    if not ok:
        raise MalformedFile(path, None, f"{key} has the wrong type ({type(item).__name__})",
                            hint=f"expected {text}")
    return item

