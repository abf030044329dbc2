"""The base of the typed records: a keyword-only dataclass validated by its annotations.

`TypedRecord` and its pydantic-compatible methods (`model_validate`, `model_dump`,
`model_copy`...), the fields resolved once per class (`fields_of`), and dumping a record back
to plain or JSON-ready data (`jsonable`). Converting one value by its annotation is
`convert.py`; datetimes as text are `moments.py`.
"""

from __future__ import annotations

import builtins
import dataclasses
import enum
import inspect
import sys
import typing
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, ClassVar, Literal, TypeVar, dataclass_transform

from incident_beads.typedrecord.convert import Converter, Loc, RecordError, converter, kind_of
from incident_beads.typedrecord.moments import format_datetime

__all__ = ["TypedRecord", "field", "fields_of", "jsonable"]

#: Re-exported so record modules need one import.
field = dataclasses.field

Mode = Literal["python", "json"]
Extra = Literal["allow", "forbid", "ignore"]
RecordT = TypeVar("RecordT", bound="TypedRecord")
_MISSING: Any = dataclasses.MISSING


class _Field(typing.NamedTuple):
    name: str
    convert: Converter
    default: Any
    factory: Any

    def fallback(self) -> Any:
        """The value when none is given: the factory's, else the default (`_MISSING`: none)."""
        return self.factory() if self.factory is not _MISSING else self.default


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
        # In place: the class keeps its identity. The constructor, `eq` and `repr` are ours,
        # one for every record: a dataclass compiles each of them anew per class, at import.
        dataclasses.dataclass(kw_only=True, init=False, eq=False, repr=False)(cls)

    def __init__(self, **values: Any) -> None:
        """Check and convert what the constructor was given, as `model_validate` does."""
        specs = fields_of(type(self))
        unknown = set(values).difference(spec.name for spec in specs)
        if unknown:
            raise TypeError(f"{type(self).__name__}() got an unexpected keyword argument "
                            f"{min(unknown)!r}")
        for spec in specs:
            value = values[spec.name] if spec.name in values else spec.fallback()
            if value is _MISSING:
                raise TypeError(f"{type(self).__name__}() missing required keyword argument "
                                f"{spec.name!r}")
            self.__dict__[spec.name] = spec.convert(value, (spec.name,))
        self.__record_extra_values__ = {}

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
                                   f"not {kind_of(obj)}")
        values: dict[str, Any] = {}
        given = 0  # how many of the object's keys are fields: the rest are extra
        for spec in fields_of(cls):
            if spec.name in obj:
                given += 1
                values[spec.name] = spec.convert(obj[spec.name], (*loc, spec.name))
            elif (value := spec.fallback()) is not _MISSING:
                values[spec.name] = value
            else:
                raise RecordError((*loc, spec.name), "Field required")
        extra = ({str(k): v for k, v in obj.items() if k not in values} if len(obj) > given
                 else {})
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
        names = {spec.name for spec in fields_of(type(self))}
        for key, value in (update or {}).items():
            if key in names:
                clone.__dict__[key] = value
            else:
                clone.__record_extra_values__[key] = value
        return clone

    @classmethod
    def model_rebuild(cls) -> None:
        """Resolve the annotations now (they are otherwise resolved on first use)."""
        fields_of(cls)

    @property
    def model_extra(self) -> dict[str, Any]:
        """The keys kept that the class does not name."""
        return self.__record_extra_values__

    @classmethod
    def record_fields(cls) -> dict[str, Any]:
        """Each field's resolved annotation, in order."""
        hints = type_hints(cls)
        return {f.name: hints[f.name] for f in dataclasses.fields(cls)}

    # Plain-object behaviour --------------------------------------------------------------------

    def _items(self) -> list[tuple[str, Any]]:
        items = [(spec.name, self.__dict__[spec.name]) for spec in fields_of(type(self))]
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


def fields_of(cls: type[TypedRecord]) -> tuple[_Field, ...]:
    """The class's fields with their converters, resolved from its annotations on first use."""
    specs = cls.__dict__.get("__record_fields__")
    if specs is None:
        hints = type_hints(cls)
        specs = tuple(_Field(f.name, converter(hints[f.name], TypedRecord), f.default,
                             f.default_factory)
                      for f in dataclasses.fields(cls))
        cls.__record_fields__ = specs
    return specs


#: Annotation texts evaluated, by module: the same few (`str`, `datetime | None`...) recur in
#: every record, and compiling each again cost a command a few milliseconds.
_EVALUATED: dict[tuple[str, str], Any] = {}


def type_hints(cls: type) -> dict[str, Any]:
    """`typing.get_type_hints(cls)` for a record class: each annotation of the class and its
    bases, its text evaluated where `get_type_hints` evaluates it (the module's names first,
    then the class's), once per module when only the module's names and builtins are used."""
    hints: dict[str, Any] = {}
    for base in reversed(cls.__mro__):
        annotations = inspect.get_annotations(base)
        module = sys.modules.get(base.__module__)
        namespace = vars(module) if module is not None else {}
        for name, value in annotations.items():
            if isinstance(value, str):
                value = _evaluated(base, value, namespace)
            hints[name] = type(None) if value is None else value
    return hints


def _evaluated(base: type, text: str, namespace: dict[str, Any]) -> Any:
    key = (base.__module__, text)
    found = _EVALUATED.get(key, _MISSING)
    if found is _MISSING:
        code = compile(text, f"<annotation of {base.__qualname__}>", "eval")
        found = eval(code, dict(vars(base)), namespace)  # the class's own annotation text
        if all(name in namespace or hasattr(builtins, name) for name in code.co_names):
            _EVALUATED[key] = found
    return found
