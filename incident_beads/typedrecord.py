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
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Literal, TypeVar, dataclass_transform

__all__ = ["RecordError", "TypedRecord", "field", "jsonable"]

#: Re-exported so record modules need one import.
field = dataclasses.field

Mode = Literal["python", "json"]
Extra = Literal["allow", "forbid", "ignore"]
RecordT = TypeVar("RecordT", bound="TypedRecord")
Loc = tuple[str | int, ...]
_Converter = Callable[[Any, Loc], Any]
_MISSING: Any = dataclasses.MISSING


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


class _Field(typing.NamedTuple):
    name: str
    convert: _Converter
    default: Any
    factory: Any


@dataclass_transform(kw_only_default=True, field_specifiers=(dataclasses.field,))
class TypedRecord:
    """Base of the records: a keyword-only dataclass validated by its annotations."""

    __record_extra__: ClassVar[Extra] = "ignore"
    __record_fields__: ClassVar[tuple[_Field, ...] | None] = None
    __record_extra_values__: dict[str, Any]
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    def __init_subclass__(cls, *, extra: Extra | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if extra is not None:
            cls.__record_extra__ = extra
        cls.__record_fields__ = None
        # In place: the class keeps its identity, `eq` is ours (fields and kept keys).
        dataclasses.dataclass(kw_only=True, eq=False, repr=False)(cls)

    def __post_init__(self) -> None:
        """Check and convert what the constructor was given, as `model_validate` does."""
        self.__record_extra_values__ = {}
        for spec in _fields_of(type(self)):
            value = self.__dict__[spec.name]
            self.__dict__[spec.name] = spec.convert(value, (spec.name,))

    # Reading and writing ----------------------------------------------------------------------

    @classmethod
    def model_validate(cls: type[RecordT], obj: Any) -> RecordT:
        """An instance from a dict (or the instance itself); `RecordError` when it does not fit."""
        return cls._from(obj, ())

    @classmethod
    def _from(cls: type[RecordT], obj: Any, loc: Loc) -> RecordT:
        if isinstance(obj, cls):
            return obj
        if isinstance(obj, TypedRecord):
            obj = obj.model_dump()
        if not isinstance(obj, Mapping):
            raise RecordError(loc, f"Input should be an object of {cls.__name__}, "
                                   f"not {_kind(obj)}")
        values: dict[str, Any] = {}
        specs = _fields_of(cls)
        for spec in specs:
            if spec.name in obj:
                values[spec.name] = spec.convert(obj[spec.name], (*loc, spec.name))
            elif spec.factory is not _MISSING:
                values[spec.name] = spec.factory()
            elif spec.default is not _MISSING:
                values[spec.name] = spec.default
            else:
                raise RecordError((*loc, spec.name), "Field required")
        names = {spec.name for spec in specs}
        extra = {str(k): v for k, v in obj.items() if k not in names}
        if extra and cls.__record_extra__ == "forbid":
            raise RecordError((*loc, next(iter(extra))), "Extra inputs are not permitted")
        instance = cls.__new__(cls)
        instance.__dict__.update(values)
        instance.__record_extra_values__ = extra if cls.__record_extra__ == "allow" else {}
        return instance

    def model_dump(self, *, mode: Mode = "python", exclude_none: bool = False,
                   include: Iterable[str] | None = None,
                   exclude: Iterable[str] | None = None) -> dict[str, Any]:
        """The record as a dict: fields in order, then the kept unknown keys.

        `mode="json"`: datetimes as ISO 8601 text (`Z` for UTC), enums as their values.
        `exclude_none`: fields (and kept keys) that are None are left out, at every level.
        """
        wanted = set(include) if include is not None else None
        skipped = set(exclude) if exclude is not None else set()
        json_mode = mode == "json"
        result: dict[str, Any] = {}
        for name, value in self._items():
            if (wanted is not None and name not in wanted) or name in skipped:
                continue
            if value is None and exclude_none:
                continue
            result[name] = _dump(value, json_mode, exclude_none)
        return result

    def model_copy(self: RecordT, *, update: Mapping[str, Any] | None = None,
                   deep: bool = False) -> RecordT:
        """A copy, with `update` applied as given (not validated, as a copy never was)."""
        import copy

        clone = copy.deepcopy(self) if deep else copy.copy(self)
        clone.__dict__ = dict(clone.__dict__)
        clone.__record_extra_values__ = dict(self.__record_extra_values__)
        names = {spec.name for spec in _fields_of(type(self))}
        for key, value in (update or {}).items():
            if key in names:
                clone.__dict__[key] = value
            else:
                clone.__record_extra_values__[key] = value
        return clone

    @classmethod
    def model_rebuild(cls) -> None:
        """Resolve the annotations now (they are otherwise resolved on first use)."""
        _fields_of(cls)

    @property
    def model_extra(self) -> dict[str, Any]:
        """The keys kept that the class does not name."""
        return self.__record_extra_values__

    @classmethod
    def record_fields(cls) -> dict[str, Any]:
        """Each field's resolved annotation, in order."""
        hints = typing.get_type_hints(cls)
        return {f.name: hints[f.name] for f in dataclasses.fields(cls)}

    # Plain-object behaviour --------------------------------------------------------------------

    def _items(self) -> list[tuple[str, Any]]:
        items = [(spec.name, self.__dict__[spec.name]) for spec in _fields_of(type(self))]
        items += list(self.__record_extra_values__.items())
        return items

    def __getattr__(self, name: str) -> Any:
        extra = self.__dict__.get("__record_extra_values__") or {}
        if name in extra:
            return extra[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, TypedRecord)
        return self._items() == other._items()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={value!r}" for name, value in self._items())
        return f"{type(self).__name__}({inner})"


# Dumping ---------------------------------------------------------------------------------------


def _dump(value: Any, json_mode: bool, exclude_none: bool) -> Any:
    if isinstance(value, TypedRecord):
        return value.model_dump(mode="json" if json_mode else "python", exclude_none=exclude_none)
    if isinstance(value, list | tuple):
        return [_dump(v, json_mode, exclude_none) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v, json_mode, exclude_none) for k, v in value.items()}
    if json_mode:
        return jsonable(value)
    return value


def jsonable(value: Any) -> Any:
    """`value` as JSON-ready data: enums as their values, datetimes as RFC 3339 text."""
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, TypedRecord):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, enum.Enum) else k.value: jsonable(v)
                for k, v in value.items()}
    return value


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


# Converters by annotation ----------------------------------------------------------------------


def _fields_of(cls: type[TypedRecord]) -> tuple[_Field, ...]:
    specs = cls.__dict__.get("__record_fields__")
    if specs is None:
        hints = typing.get_type_hints(cls)
        specs = tuple(_Field(f.name, _converter(hints[f.name]), f.default, f.default_factory)
                      for f in dataclasses.fields(cls))
        cls.__record_fields__ = specs
    return specs


def _converter(hint: Any) -> _Converter:
    origin = typing.get_origin(hint)
    if hint is Any or hint is object:
        return _keep
    if origin in (types.UnionType, typing.Union):
        choices = [a for a in typing.get_args(hint) if a is not type(None)]
        inner = _converter(choices[0]) if len(choices) == 1 else _union(choices)
        nullable = len(choices) < len(typing.get_args(hint))
        return _optional(inner) if nullable else inner
    if origin is Literal:
        return _literal(typing.get_args(hint))
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        return _list_of(_converter(item))
    if origin is dict:
        args = typing.get_args(hint)
        return _dict_of(_converter(args[1]) if args else _keep)
    if hint is list:
        return _list_of(_keep)
    if hint is dict:
        return _dict_of(_keep)
    if isinstance(hint, type):
        if issubclass(hint, TypedRecord):
            return hint._from
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


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _keep(value: Any, loc: Loc) -> Any:
    return value


def _optional(inner: _Converter) -> _Converter:
    def convert(value: Any, loc: Loc) -> Any:
        return None if value is None else inner(value, loc)
    return convert


def _union(choices: list[Any]) -> _Converter:
    converters = [_converter(c) for c in choices]

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


def _literal(choices: tuple[Any, ...]) -> _Converter:
    def convert(value: Any, loc: Loc) -> Any:
        if value in choices and type(value) in {type(c) for c in choices}:
            return value
        raise RecordError(loc, f"Input should be {literal_choices(choices)}")
    return convert


def literal_choices(choices: Iterable[Any]) -> str:
    """`'a', 'b' or 'c'`: the values a field accepts, in words."""
    shown = [repr(c) for c in choices]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def _list_of(item: _Converter) -> _Converter:
    def convert(value: Any, loc: Loc) -> Any:
        if not isinstance(value, list | tuple):
            raise RecordError(loc, f"Input should be a valid list, not {_kind(value)}")
        return [item(v, (*loc, i)) for i, v in enumerate(value)]
    return convert


def _dict_of(item: _Converter) -> _Converter:
    def convert(value: Any, loc: Loc) -> Any:
        if not isinstance(value, Mapping):
            raise RecordError(loc, f"Input should be a valid dictionary, not {_kind(value)}")
        result: dict[str, Any] = {}
        for key, v in value.items():
            if not isinstance(key, str):
                raise RecordError((*loc, str(key)), "Keys should be strings")
            result[key] = item(v, (*loc, key))
        return result
    return convert


def _enum(kind: type[enum.Enum]) -> _Converter:
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
    raise RecordError(loc, f"Input should be a valid string, not {_kind(value)}")


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


def parse_datetime(text: str) -> datetime:
    """An ISO 8601 / RFC 3339 moment: `Z` or an offset gives an aware one (UTC for `Z`)."""
    text = text.strip()
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
