"""Converting and checking one value by its field's annotation.

`converter(hint, record_base)` gives a function `(value, loc) -> value` for one annotation; it
returns the value converted (a number from its text, an enum member from its value, a datetime
from ISO 8601 text) or raises `RecordError` naming the field's path. Annotations naming a
subclass of `record_base` are validated through that class.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from incident_beads.typedrecord.moments import parse_datetime

__all__ = ["Converter", "Loc", "RecordError", "converter", "kind_of", "literal_choices"]

Loc = tuple[str | int, ...]
Converter = Callable[[Any, Loc], Any]


class RecordError(ValueError):
    """A value that does not fit its field: `loc` is the path to it, `msg` what is wrong."""

    def __init__(self, loc: Loc, msg: str) -> None:
        self.loc = loc
        self.msg = msg
        where = ".".join(str(part) for part in loc) or "record"
        super().__init__(f"{where}: {msg}")

    def errors(self) -> list[dict[str, Any]]:
        """The error as a one-item list of `{"loc", "msg"}`, as validators commonly report."""
        return [{"loc": self.loc, "msg": self.msg}]


def converter(hint: Any, record_base: type[Any]) -> Converter:
    """The converter of a field annotated `hint` (`TypeError` for one no converter fits)."""
    origin = typing.get_origin(hint)
    if hint is Any or hint is object:
        return _keep
    if origin in (types.UnionType, typing.Union):
        choices = [a for a in typing.get_args(hint) if a is not type(None)]
        inner = converter(choices[0], record_base) if len(choices) == 1 else \
            _union(choices, [converter(c, record_base) for c in choices])
        nullable = len(choices) < len(typing.get_args(hint))
        return _optional(inner) if nullable else inner
    if origin is Literal:
        return _literal(typing.get_args(hint))
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        return _list_of(converter(item, record_base))
    if origin is dict:
        args = typing.get_args(hint)
        return _dict_of(converter(args[1], record_base) if args else _keep)
    if hint is list:
        return _list_of(_keep)
    if hint is dict:
        return _dict_of(_keep)
    if isinstance(hint, type):
        if issubclass(hint, record_base):
            record: Any = hint  # a record class: validated through the class itself
            from_data: Converter = record._from
            return from_data
        if issubclass(hint, enum.Enum):
            return _enum(hint)
        if issubclass(hint, datetime):
            return _datetime
        if hint is bool:
            return _bool
        if hint is int:
            return _int
        if hint is float:
            return _float
        if hint is str:
            return _str
    raise TypeError(f"a record field cannot be annotated {hint!r}")


def kind_of(value: Any) -> str:
    """`null`, `int`, `list`...: what a value is, for an error message."""
    return "null" if value is None else type(value).__name__


def literal_choices(choices: Iterable[Any]) -> str:
    """`'a', 'b' or 'c'`: the values a field accepts, in words."""
    shown = [repr(c) for c in choices]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


# Shapes ----------------------------------------------------------------------------------------


def _keep(value: Any, loc: Loc) -> Any:
    return value


def _optional(inner: Converter) -> Converter:
    def convert(value: Any, loc: Loc) -> Any:
        return None if value is None else inner(value, loc)
    return convert


def _union(choices: list[Any], converters: list[Converter]) -> Converter:
    def convert(value: Any, loc: Loc) -> Any:
        for choice in choices:
            if isinstance(choice, type) and type(value) is choice:
                return value
        first: RecordError | None = None
        for inner in converters:
            try:
                return inner(value, loc)
            except RecordError as exc:
                first = first or exc
        assert first is not None
        raise first
    return convert


def _literal(choices: tuple[Any, ...]) -> Converter:
    def convert(value: Any, loc: Loc) -> Any:
        if value in choices and type(value) in {type(c) for c in choices}:
            return value
        raise RecordError(loc, f"Input should be {literal_choices(choices)}")
    return convert


def _list_of(item: Converter) -> Converter:
    def convert(value: Any, loc: Loc) -> Any:
        if not isinstance(value, list | tuple):
            raise RecordError(loc, f"Input should be a valid list, not {kind_of(value)}")
        return [item(v, (*loc, i)) for i, v in enumerate(value)]
    return convert


def _dict_of(item: Converter) -> Converter:
    def convert(value: Any, loc: Loc) -> Any:
        if not isinstance(value, Mapping):
            raise RecordError(loc, f"Input should be a valid dictionary, not {kind_of(value)}")
        result: dict[str, Any] = {}
        for key, v in value.items():
            if not isinstance(key, str):
                raise RecordError((*loc, str(key)), "Keys should be strings")
            result[key] = item(v, (*loc, key))
        return result
    return convert


# Scalars ---------------------------------------------------------------------------------------


def _enum(kind: type[enum.Enum]) -> Converter:
    def convert(value: Any, loc: Loc) -> Any:
        if isinstance(value, kind):
            return value
        try:
            return kind(value)
        except (ValueError, TypeError):
            allowed = ", ".join(repr(m.value) for m in kind)
            raise RecordError(loc, f"Input should be one of {allowed}, not {value!r}") from None
    return convert


def _str(value: Any, loc: Loc) -> Any:
    if isinstance(value, str):
        return str(value) if isinstance(value, enum.Enum) else value
    raise RecordError(loc, f"Input should be a valid string, not {kind_of(value)}")


def _int(value: Any, loc: Loc) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise RecordError(loc, f"Input should be a valid integer, not {value!r}")


def _float(value: Any, loc: Loc) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    raise RecordError(loc, f"Input should be a valid number, not {value!r}")


_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


def _bool(value: Any, loc: Loc) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise RecordError(loc, f"Input should be a valid boolean, not {value!r}")


def _datetime(value: Any, loc: Loc) -> Any:
    if isinstance(value, datetime):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            pass
    elif isinstance(value, str):
        try:
            return parse_datetime(value)
        except ValueError:
            pass
    raise RecordError(loc, f"Input should be a valid datetime (ISO 8601, like "
                           f"2024-05-01T12:00:00Z), not {value!r}")
